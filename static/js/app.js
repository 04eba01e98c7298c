document.documentElement.classList.add("js");
// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("submit", (event) => {
  // Ask before destructive actions: forms carry data-confirm="question".
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  // Selects marked data-autosubmit submit their form on change (with a button as fallback).
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});
// A failed autosave must never look saved: show why in the status line (an aria-live region).
function showFailure(target, text) {
  if (!target || !target.matches("[aria-live]")) return;
  const note = document.createElement("span");
  note.className = "text-danger";
  note.textContent = text;
  target.replaceChildren(note);
}
document.addEventListener("htmx:responseError", (event) => {
  const { xhr, target } = event.detail;
  const body = xhr.responseText || "";
  if (xhr.status < 500 && body.length < 500 && !/<html/i.test(body)) {
    // Our own short explanation (closed round, already submitted, too many attempts...).
    const parsed = new DOMParser().parseFromString(body, "text/html");
    showFailure(target, `Not saved: ${parsed.body.textContent.trim()}`);
  } else {
    showFailure(target, "Not saved: the server is unavailable. Choose again in a moment.");
  }
});
document.addEventListener("htmx:sendError", (event) => {
  showFailure(event.detail.target, "Not saved: no connection. Choose again when you are back online.");
});
// A comment or evidence link the server refused stays as typed, marked invalid (its status line,
// which it is described by, says why) until a save succeeds.
document.addEventListener("htmx:afterRequest", (event) => {
  const field = event.detail.elt;
  if (!field.matches("textarea, input[type=text]")) return;
  field.classList.toggle("is-invalid", !event.detail.successful);
  if (event.detail.successful) field.removeAttribute("aria-invalid");
  else field.setAttribute("aria-invalid", "true");
});
