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
// The survey's progress bar counts answers: once an answer is saved on this page, it counts the
// questions answered elsewhere (data-elsewhere) and the ones here with a choice.
document.addEventListener("htmx:afterRequest", (event) => {
  const radio = event.detail.elt;
  const bar = document.getElementById("survey-progress");
  if (!bar || !event.detail.successful || !radio.matches("input[type=radio]")) return;
  const groups = new Set();
  radio.form.querySelectorAll("input[type=radio]:checked").forEach((r) => groups.add(r.name));
  const answered = Number(bar.dataset.elsewhere) + groups.size;
  const total = Number(bar.dataset.total);
  bar.value = Math.round((100 * answered) / total);
  bar.textContent = `${bar.value}%`;
  bar.setAttribute("aria-label", `Survey progress: ${answered} of ${total} questions answered`);
  const text = document.getElementById("progress-text");
  if (text) text.textContent = `${answered} of ${total} answered`;
});
// The maturity grid's team filter: the chosen team stands out, the others grey (a click on a
// team's dot or name chooses it too). Both drawings of the grid (wide and compact) follow.
function highlightTeam(area, key) {
  area.querySelectorAll(".grid-team").forEach((team) => {
    team.classList.toggle("is-dim", Boolean(key) && team.dataset.team !== key);
  });
  const select = area.querySelector("[data-grid-highlight]");
  if (select && select.value !== key) select.value = key;
}
document.addEventListener("change", (event) => {
  if (!event.target.matches("[data-grid-highlight]")) return;
  highlightTeam(event.target.closest("[data-grid-area]"), event.target.value);
});
document.addEventListener("click", (event) => {
  const team = event.target.closest?.("[data-grid-area] .grid-team");
  if (!team) return;
  const area = team.closest("[data-grid-area]");
  const current = area.querySelector("[data-grid-highlight]")?.value || "";
  highlightTeam(area, current === team.dataset.team ? "" : team.dataset.team);
});
