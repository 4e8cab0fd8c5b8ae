// Repeating rows on the application form (team, milestones, member institutions), and
// forms that must be sent once (workflow buttons). No inline script: the CSP forbids it.
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-row-add]");
  if (add) {
    const name = add.dataset.rowAdd;
    const template = document.querySelector(`template[data-row-template="${name}"]`);
    const rows = document.querySelector(`[data-rows="${name}"]`);
    if (template && rows) {
      const row = template.content.firstElementChild.cloneNode(true);
      rows.appendChild(row);
      const first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    }
    return;
  }
  const remove = event.target.closest("[data-row-remove]");
  if (remove) {
    const row = remove.closest("tr");
    const rows = row && row.parentElement;
    if (!rows) return;
    if (rows.children.length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("input, textarea").forEach((field) => { field.value = ""; });
      row.querySelectorAll("select").forEach((field) => { field.selectedIndex = 0; });
    }
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.querySelectorAll("button").forEach((button) => { button.disabled = true; });
});
