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
