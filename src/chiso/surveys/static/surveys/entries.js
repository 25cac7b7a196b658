// The web form works without this file (a remove button then removes at once). With it, removing
// an entry of a list asks first, as Enketo does: the entry's answers go with it.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
