// Main menu groups are <details>: they work without JavaScript. With it, only one is open at a
// time, and a click elsewhere or Escape closes it, as people expect of a menu.
document.addEventListener("click", (event) => {
  document.querySelectorAll(".site-nav details[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".site-nav details[open]").forEach((menu) => {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
});
