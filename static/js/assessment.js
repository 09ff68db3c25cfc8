// The review page: the running total (Σ weight × (level − 1) / 4) as levels are chosen;
// the decision board: "select all". (Confirmations: data-confirm in agenplan.js.)
(function () {
  "use strict";

  function runningTotal(form) {
    let total = 0;
    form.querySelectorAll("fieldset[data-weight]").forEach(function (fieldset) {
      const checked = fieldset.querySelector("input.ap-level:checked");
      if (checked) {
        const weight = Number(fieldset.dataset.weight);
        total += (weight * (Number(checked.value) - 1)) / 4;
      }
    });
    return total;
  }

  function formatNumber(value) {
    return value.toLocaleString(document.documentElement.lang || "id", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function init() {
    const form = document.getElementById("review-form");
    if (form) {
      const output = document.getElementById("running-total");
      const update = function () {
        if (output) {
          output.textContent = formatNumber(runningTotal(form));
        }
      };
      form.addEventListener("change", function (event) {
        if (event.target.classList.contains("ap-level")) {
          update();
        }
      });
    }
    // "Select all" on the decision board.
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll(box.dataset.selectAll).forEach(function (other) {
          other.checked = box.checked;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
