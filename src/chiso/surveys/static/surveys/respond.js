// The web form works without this file. With it, a relevance refresh (htmx) keeps whatever the
// respondent typed or ticked while the refresh was on its way, instead of the values it posted.
(function () {
  var saved = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form.respond-form");
    if (!form) return;
    saved = { values: new FormData(form), names: Array.prototype.map.call(form.elements, function (e) { return e.name; }) };
  });
  document.addEventListener("htmx:afterSwap", function () {
    var form = document.querySelector("form.respond-form");
    if (!form || !saved) return;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.charAt(0) === "_" || el.type === "file" || saved.names.indexOf(el.name) < 0) return;
      var values = saved.values.getAll(el.name);
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) >= 0;
      else if (values.length) el.value = values[0];
    });
    saved = null;
  });
  // Only a question that others depend on (data-refresh) asks for a refresh, and it asks here:
  // an hx-trigger filter (change[...]) is compiled with Function(), which the Content-Security-
  // Policy forbids, and htmx then refreshed on every change — the change of a number field as
  // the respondent clicked Continue raced the page's submission, which was sometimes lost.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.form || !el.dataset || el.dataset.refresh !== "1" || !el.form.classList.contains("respond-form")) return;
    el.form.dispatchEvent(new CustomEvent("respond-refresh"));
  });
})();
