// A date field shows its day, month and year the way the browser's own language writes them:
// an English (US) browser shows 03/01/2023 for the 1st of March, where a Vietnamese reader sees
// the 3rd of January. In such a browser (month before day) each date field is followed by the
// date in words in the page's language ("1 tháng 3, 2023"), which cannot be misread. Browsers
// that write the day first show nothing more.
(() => {
  const sample = new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2023, 2, 13));
  const order = (type) => sample.findIndex((part) => part.type === type);
  if (order("month") > order("day")) return;
  const words = new Intl.DateTimeFormat(document.documentElement.lang || "vi", {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  });
  const echo = (field) => {
    let note = field.nextElementSibling;
    if (!note || !note.classList.contains("date-in-words")) {
      note = document.createElement("span");
      note.className = "date-in-words muted";
      note.setAttribute("aria-live", "polite");
      field.after(note);
    }
    const value = /^\d{4}-\d{2}-\d{2}$/.test(field.value) ? new Date(field.value + "T00:00:00Z") : null;
    note.textContent = value ? words.format(value) : "";
  };
  const all = () => document.querySelectorAll("input[type=date]").forEach(echo);
  document.addEventListener("input", (event) => { if (event.target.matches?.("input[type=date]")) echo(event.target); });
  document.addEventListener("change", (event) => { if (event.target.matches?.("input[type=date]")) echo(event.target); });
  document.addEventListener("htmx:afterSettle", all);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
