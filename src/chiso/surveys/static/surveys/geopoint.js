// Location questions (issue 20): the page works without this file (the respondent types the
// latitude and longitude); with it, a button fills the field from the browser's geolocation.
(function () {
  function locate(button) {
    var input = document.getElementById(button.dataset.for);
    if (!input || !navigator.geolocation) return;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      var parts = [c.latitude.toFixed(6), c.longitude.toFixed(6)];
      if (c.altitude !== null && c.altitude !== undefined) parts.push(c.altitude.toFixed(1));
      else if (c.accuracy !== null && c.accuracy !== undefined) parts.push("0");
      if (c.accuracy !== null && c.accuracy !== undefined) parts.push(c.accuracy.toFixed(1));
      input.value = parts.join(" ");
      input.dispatchEvent(new Event("change", { bubbles: true }));
      button.disabled = false;
    }, function () {
      button.disabled = false;
      window.alert(button.dataset.failed);
    }, { enableHighAccuracy: true, timeout: 20000 });
  }
  function show() {
    if (!navigator.geolocation) return;
    Array.prototype.forEach.call(document.querySelectorAll("button.geopoint-locate"), function (b) { b.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("button.geopoint-locate");
    if (button) { event.preventDefault(); locate(button); }
  });
  document.addEventListener("DOMContentLoaded", show);
  document.addEventListener("htmx:afterSwap", show);
})();
