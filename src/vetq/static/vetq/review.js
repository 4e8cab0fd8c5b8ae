// The review form: the running weighted total (0–100) as the expert types, with "not
// applicable" criteria left out and the other weights rescaled, as the server computes it.
// No inline script: the CSP forbids it.
(() => {
  const form = document.querySelector("[data-review-form]");
  if (!form) return;
  const output = form.querySelector("[data-running-total]");

  function update() {
    let weighted = 0;
    let weights = 0;
    let complete = true;
    form.querySelectorAll("[data-criterion]").forEach((row) => {
      const na = row.querySelector("[data-na]");
      const input = row.querySelector("[data-score]");
      if (na && na.checked) {
        input.disabled = true;
        return;
      }
      if (input.closest("fieldset:disabled") === null) input.disabled = false;
      const weight = Number(row.dataset.weight);
      const max = Number(row.dataset.max);
      const value = input.value.trim();
      const score = Number(value);
      if (value === "" || Number.isNaN(score) || score < 0 || score > max) {
        complete = false;
        return;
      }
      weighted += (weight * score) / max;
      weights += weight;
    });
    if (weights === 0) {
      output.textContent = "—";
      return;
    }
    const total = (Math.round((weighted / weights) * 10000) / 100).toFixed(2);
    output.textContent = complete ? total : `${total} …`;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
