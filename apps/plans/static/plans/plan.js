// The plan on the team page: a form with bad input comes back as a 400 with the form and its
// messages. htmx does not swap error responses by default; here it does, and it is no failure
// ("Not saved: ..." is for responses without a form to show).
document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, elt } = event.detail;
  if (xhr.status === 400 && elt.closest("[data-plan]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
