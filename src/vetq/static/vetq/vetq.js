// Small behaviours that need no framework; loaded on every page (no inline script: CSP).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});
