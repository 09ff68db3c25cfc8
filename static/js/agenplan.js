/*
 * AgenPlan front-end behaviour. Load with `defer` after htmx and Bootstrap.
 * No inline scripts are needed in templates; everything is delegated, so it
 * also works on content that htmx swaps in.
 *
 *  (a) htmx CSRF: <meta name="csrf-token" content="{{ csrf_token }}"> is sent
 *      as X-CSRFToken on every non-GET htmx request.
 *  (b) Alerts: <div class="alert ..." data-autodismiss="6000"> closes itself
 *      after that many ms (default 6000 when the attribute is empty); the timer
 *      pauses while the alert is hovered or has focus. Alerts without the
 *      attribute (e.g. errors) stay until the user closes them.
 *  (c) <form data-confirm="Yakin?"> asks confirm() before submitting; a submit
 *      button's own data-confirm takes precedence.
 *  (d) <table class="ap-sortable"> <th data-sort-url="?sort=name"> navigates to
 *      that URL on click, Enter or Space (server-side sorting).
 *  (e) A table's scrolling wrapper (.table-responsive) that scrolls on this
 *      screen (a phone) can be reached and scrolled by keyboard: it is made
 *      focusable, named by its table's caption, when it overflows.
 */
(function () {
  'use strict';

  // (a) CSRF header for htmx ------------------------------------------------
  const SAFE_METHODS = ['get', 'head', 'options', 'trace'];

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  document.addEventListener('htmx:configRequest', function (event) {
    const verb = String(event.detail.verb || '').toLowerCase();
    const token = csrfToken();
    if (token && SAFE_METHODS.indexOf(verb) === -1) {
      event.detail.headers['X-CSRFToken'] = token;
    }
  });

  // (b) Auto-dismissable alerts ---------------------------------------------
  function closeAlert(alert) {
    if (!alert.isConnected) return;
    if (window.bootstrap && window.bootstrap.Alert) {
      window.bootstrap.Alert.getOrCreateInstance(alert).close();
    } else {
      alert.remove();
    }
  }

  function armAlert(alert) {
    if (alert.dataset.apArmed) return;
    alert.dataset.apArmed = '1';
    const delay = parseInt(alert.dataset.autodismiss, 10) || 6000;
    let timer = null;
    let paused = 0;
    const start = function () { timer = window.setTimeout(function () { closeAlert(alert); }, delay); };
    const pause = function () { paused += 1; window.clearTimeout(timer); };
    const resume = function () { paused = Math.max(0, paused - 1); if (!paused) start(); };
    alert.addEventListener('mouseenter', pause);
    alert.addEventListener('mouseleave', resume);
    alert.addEventListener('focusin', pause);
    alert.addEventListener('focusout', resume);
    start();
  }

  function initAlerts(root) {
    const scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches('.alert[data-autodismiss]')) armAlert(scope);
    scope.querySelectorAll('.alert[data-autodismiss]').forEach(armAlert);
  }

  // (c) Confirm before submit (capture phase: runs before htmx's handler) ---
  document.addEventListener('submit', function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const submitter = event.submitter;
    const message = (submitter && submitter.dataset && submitter.dataset.confirm) ||
      form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // (d) Server-side sortable tables -----------------------------------------
  const SORT_TH = 'table.ap-sortable th[data-sort-url]';

  function initSortable(root) {
    const scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(SORT_TH).forEach(function (th) {
      if (!th.hasAttribute('tabindex')) th.tabIndex = 0;
    });
  }

  function followSort(th) {
    const url = th.getAttribute('data-sort-url');
    if (url) window.location.assign(url);
  }

  document.addEventListener('click', function (event) {
    const th = event.target.closest(SORT_TH);
    // A real link or button inside the header handles itself.
    if (!th || event.target.closest('a, button, input, select, label')) return;
    followSort(th);
  });

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const th = event.target.closest ? event.target.closest(SORT_TH) : null;
    if (!th || th !== event.target) return;
    event.preventDefault();
    followSort(th);
  });

  // (e) Scrolling tables reachable by keyboard -------------------------------
  function initScrollRegions(root) {
    root.querySelectorAll('.table-responsive:not([tabindex])').forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth) return;
      box.setAttribute('tabindex', '0');
      const caption = box.querySelector('caption');
      const name = caption ? caption.textContent.trim() : '';
      // A region named as the section around it would be a second landmark of that name.
      const section = box.closest('section[aria-labelledby]');
      const heading = section ? document.getElementById(section.getAttribute('aria-labelledby')) : null;
      if (name && !(heading && heading.textContent.trim() === name)) {
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', name);
      }
    });
  }

  // Init on page load and on every htmx swap ---------------------------------
  function init(root) {
    initAlerts(root);
    initSortable(root);
    initScrollRegions(root);
  }

  window.addEventListener('resize', function () { initScrollRegions(document); });

  document.addEventListener('htmx:load', function (event) { init(event.target); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  } else {
    init(document);
  }
})();
