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

// Behaviour that templates ask for with data attributes, since the Content-Security-Policy runs
// no inline script or on…= handler (docs/security.md):
// - data-autosubmit on a field: changing it submits its form (a period or filter switch; each
//   form also has a button for browsers without JavaScript);
// - data-disables="name" on a checkbox: ticking it disables the form's field of that name.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof Element) || !field.form) return;
  if (field.matches("[data-autosubmit]")) {
    field.form.submit();
  } else if (field.matches("[data-disables]")) {
    const other = field.form.elements.namedItem(field.dataset.disables);
    if (other) other.disabled = field.checked;
  }
});
