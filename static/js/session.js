/*
 * The session's clock on every signed-in page (templates/base.html, <meta name="ap-session">).
 *
 *  (a) Before the idle end (data-warn seconds before it) the page asks the server how
 *      long is left (another tab may have been active), and shows "Tetap masuk", which
 *      counts as activity.
 *  (b) Once the session has ended (the clock ran out, a 401 with HX-Session-Expired
 *      answered any htmx request, or another tab signed out), the page says so and
 *      offers to sign in again in a new tab; nothing on the page is replaced.
 *  (c) Signed in again (the new tab tells through localStorage, or the page asks on
 *      focus and every 10 s): the page takes the new CSRF token, hides the notice and
 *      fires `ap:session-restored` on document, so that e.g. the editor saves what
 *      waited. A different person signing in restores nothing.
 *
 * Events on document: `ap:session-expired`, `ap:session-restored`.
 * Requests this file makes send X-AgenPlan-Passive: asking is not activity.
 */
(function () {
  'use strict';

  const meta = document.querySelector('meta[name="ap-session"]');
  if (!meta) return;
  const user = meta.getAttribute('content');
  const idle = parseInt(meta.dataset.idle, 10) || 1800;
  const warn = parseInt(meta.dataset.warn, 10) || 120;
  const statusUrl = meta.dataset.status;
  const keepaliveUrl = meta.dataset.keepalive;
  const RESTORED_KEY = 'agenplan:session-restored';
  const PASSIVE = { 'X-AgenPlan-Passive': '1' };

  let deadline = Date.now() + idle * 1000;
  let clock = null;
  let poller = null;
  let expired = false;

  function notice(id) { return document.getElementById(id); }
  function show(id, visible) {
    const el = notice(id);
    if (el) el.hidden = !visible;
  }

  function csrfToken() {
    const tag = document.querySelector('meta[name="csrf-token"]');
    return tag ? tag.getAttribute('content') : '';
  }

  // A token from the server replaces the page's (signing in again rotates it).
  function takeToken(token) {
    if (!token) return;
    const tag = document.querySelector('meta[name="csrf-token"]');
    if (tag) tag.setAttribute('content', token);
    document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.value = token;
    });
  }

  function schedule() {
    window.clearTimeout(clock);
    if (expired) return;
    const wait = Math.max(1000, deadline - warn * 1000 - Date.now());
    clock = window.setTimeout(check, wait);
  }

  function request(method, url) {
    const headers = Object.assign({}, PASSIVE);
    if (method !== 'GET') headers['X-CSRFToken'] = csrfToken();
    return window.fetch(url, { method: method, headers: headers, credentials: 'same-origin' });
  }

  // (a) How long is left? -------------------------------------------------------------
  function check() {
    request('GET', statusUrl).then(function (response) {
      if (response.status === 401) { expire(); return; }
      if (response.status !== 204) { deadline = Date.now() + 30000 + warn * 1000; schedule(); return; }
      if (expired) { restore(response); return; }
      const left = parseInt(response.headers.get('X-Session-Remaining'), 10) || 0;
      deadline = Date.now() + left * 1000;
      show('ap-session-warning', left <= warn);
      if (left <= 0) { expire(); return; }
      // Ask again at the idle end itself while the warning shows.
      clock = window.setTimeout(check, left <= warn ? left * 1000 + 500 : Math.max(1000, (left - warn) * 1000));
    }).catch(function () {
      deadline = Date.now() + 30000 + warn * 1000;
      schedule();
    });
  }

  function activity() {
    if (expired) return;
    deadline = Date.now() + idle * 1000;
    show('ap-session-warning', false);
    schedule();
  }

  document.addEventListener('click', function (event) {
    if (!event.target.closest('[data-ap-keepalive]')) return;
    request('POST', keepaliveUrl).then(function (response) {
      if (response.status === 401) { expire(); return; }
      if (response.status === 204) { takeToken(response.headers.get('X-CSRF-Token')); activity(); }
    });
  });

  // (b) The session has ended -------------------------------------------------------------
  function expire() {
    if (expired) return;
    expired = true;
    window.clearTimeout(clock);
    show('ap-session-warning', false);
    show('ap-session-expired', true);
    document.dispatchEvent(new CustomEvent('ap:session-expired'));
    poller = window.setInterval(check, 10000);
  }

  document.addEventListener('htmx:afterRequest', function (event) {
    const xhr = event.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 401 && xhr.getResponseHeader('HX-Session-Expired')) {
      expire();
      return;
    }
    const passive = xhr.status === 0 || (event.detail.requestConfig &&
      event.detail.requestConfig.headers && event.detail.requestConfig.headers['X-AgenPlan-Passive']);
    if (event.detail.successful && !passive) activity();
  });

  // (c) Signed in again ----------------------------------------------------------------------
  function restore(response) {
    if (response.headers.get('X-Session-User') !== user) {
      show('ap-session-other-user', true);
      return;
    }
    expired = false;
    window.clearInterval(poller);
    takeToken(response.headers.get('X-CSRF-Token'));
    show('ap-session-expired', false);
    show('ap-session-other-user', false);
    deadline = Date.now() + (parseInt(response.headers.get('X-Session-Remaining'), 10) || idle) * 1000;
    schedule();
    document.dispatchEvent(new CustomEvent('ap:session-restored'));
  }

  window.addEventListener('focus', function () { if (expired) check(); });
  window.addEventListener('storage', function (event) {
    if (event.key === RESTORED_KEY && expired) check();
  });

  // The page the new tab lands on after signing in again tells the other tabs.
  if (document.getElementById('ap-session-restored')) {
    try { window.localStorage.setItem(RESTORED_KEY, String(Date.now())); } catch (e) { /* private mode */ }
  }

  schedule();
})();
