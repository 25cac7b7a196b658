// The web form works without this file: a long choice list is then a plain select. With it, a
// search box above the list keeps only the choices whose words match, ignoring accents and case
// ("thuc phan" finds "Thục Phán"). Chosen options always stay in the list, so they are posted.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function setUp(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var all = Array.prototype.map.call(select.options, function (o) {
      return { value: o.value, label: o.text, key: fold(o.text + " " + o.value) };
    });
    var chosen = {};
    Array.prototype.forEach.call(select.options, function (o) { if (o.selected && o.value) chosen[o.value] = true; });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "choice-search";
    box.id = select.id + "-search";
    box.setAttribute("aria-label", select.dataset.searchLabel || "Search");
    box.setAttribute("placeholder", select.dataset.searchLabel || "Search");
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "choice-count";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    var single = !select.multiple;
    var bare = single && select.size ? select.size : 0;
    function show(query) {
      var words = fold(query).split(/\s+/).filter(Boolean);
      var fragment = document.createDocumentFragment();
      var shownCount = 0;
      all.forEach(function (item) {
        var keep = chosen[item.value] || (single && item.value === "") ||
          words.every(function (w) { return item.key.indexOf(w) >= 0; });
        if (!keep) return;
        var option = document.createElement("option");
        option.value = item.value;
        option.text = item.label;
        option.selected = !!chosen[item.value];
        fragment.appendChild(option);
        if (item.value) shownCount += 1;
      });
      select.textContent = "";
      select.appendChild(fragment);
      if (single) {
        if (words.length) select.size = Math.max(2, Math.min(8, shownCount + 1)); else if (bare) select.size = bare; else select.removeAttribute("size");
      }
      status.textContent = words.length && !shownCount ? (select.dataset.searchNone || "") : "";
    }
    select.addEventListener("change", function () {
      if (single) chosen = {};
      Array.prototype.forEach.call(select.options, function (o) {
        if (o.value) { if (o.selected) chosen[o.value] = true; else if (!single) delete chosen[o.value]; }
      });
    });
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { show(box.value); }, all.length > 2000 ? 120 : 0);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }  // Enter must not submit the page
    });
  }
  function setUpAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select.long-list"), setUp);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:afterSwap", function () { setUpAll(document); });
})();
