// A date field (or date and time) shows the date the way the browser's own language writes it:
// an English (US) browser shows 03/01/2023 for the 1st of March, where a Vietnamese reader sees
// the 3rd of January. In such a browser (month before day) each date field is followed by the
// date in words in the page's language ("1 tháng 3, 2023", "1 tháng 3, 2023 · 08:30"), which
// cannot be misread. Browsers that write the day first show nothing more.
(() => {
  const sample = new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2023, 2, 13));
  const order = (type) => sample.findIndex((part) => part.type === type);
  if (order("month") > order("day")) return;
  const language = document.documentElement.lang || "vi";
  const words = new Intl.DateTimeFormat(language, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const FIELDS = "input[type=date], input[type=datetime-local]";
  const echo = (field) => {
    let note = field.nextElementSibling;
    if (!note || !note.classList.contains("date-in-words")) {
      note = document.createElement("span");
      note.className = "date-in-words muted";
      note.setAttribute("aria-live", "polite");
      field.after(note);
    }
    const [date, time] = field.value.split("T");  // 2023-03-01, or 2023-03-01T08:30
    const value = /^\d{4}-\d{2}-\d{2}$/.test(date || "") ? new Date(`${date}T00:00:00Z`) : null;
    note.textContent = value && !isNaN(value) ? words.format(value) + (time ? ` · ${time.slice(0, 5)}` : "") : "";
  };
  const all = () => document.querySelectorAll(FIELDS).forEach(echo);
  document.addEventListener("input", (event) => { if (event.target.matches?.(FIELDS)) echo(event.target); });
  document.addEventListener("change", (event) => { if (event.target.matches?.(FIELDS)) echo(event.target); });
  document.addEventListener("htmx:afterSettle", all);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
