// An evidence file over the size limit is refused before it is sent: the form says so at once
// instead of after a long upload. The server checks again (the limit is in data-max-bytes).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    const file = form.querySelector("input[type=file]").files[0];
    const tooLarge = Boolean(file && file.size > Number(form.dataset.maxBytes));
    document.getElementById("upload-too-large").hidden = !tooLarge;
    if (tooLarge) event.preventDefault();
  });
});
