// The review page: the running total (Σ weight × (level − 1) / 4) as levels are chosen,
// and its keyboard shortcuts (J/K: next or previous plan of the queue, S: save the draft),
// which never act while the reviewer types in a field and can be switched off (WCAG
// 2.1.4); the decision board: "select all". (Confirmations: data-confirm in agenplan.js.)
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

  const SHORTCUTS_KEY = "agenplan.reviewShortcuts";

  // Keys typed here are text, not commands: every field but a radio or a checkbox.
  function isTyping(target) {
    if (!target || !target.closest) {
      return false;
    }
    if (target.isContentEditable || target.closest("textarea, select, [contenteditable]")) {
      return true;
    }
    const input = target.closest("input");
    return Boolean(input) && input.type !== "radio" && input.type !== "checkbox";
  }

  function shortcutsOn() {
    try {
      return window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
    } catch (e) {
      return true; // storage disabled: the default
    }
  }

  function initShortcuts(form) {
    const toggle = document.getElementById("shortcuts-on");
    if (toggle) {
      toggle.checked = shortcutsOn();
      toggle.addEventListener("change", function () {
        try {
          window.localStorage.setItem(SHORTCUTS_KEY, toggle.checked ? "on" : "off");
        } catch (e) { /* storage disabled: this page only */ }
      });
    }
    let dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
          event.isComposing || isTyping(event.target) || !shortcutsOn() ||
          (toggle && !toggle.checked)) {
        return;
      }
      const key = event.key.length === 1 ? event.key.toLowerCase() : "";
      const target = /^[a-z]$/.test(key) ? document.querySelector('[data-shortcut="' + key + '"]') : null;
      if (!target || target.disabled) {
        return;
      }
      event.preventDefault();
      if (target.tagName === "A") {
        if (!dirty || window.confirm(form.dataset.leaveConfirm)) {
          window.location.assign(target.href);
        }
      } else {
        form.requestSubmit(target);
      }
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
      initShortcuts(form);
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
