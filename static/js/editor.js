/*
 * The plan editor (templates/plans/edit.html). Loaded with `defer` after htmx.
 * Every feature also works without this file: the page is one form whose buttons
 * (add, move, remove rows) are submit buttons handled by the server.
 *
 *  (a) Rows: the move-up/down and remove buttons reorder or drop a row in place,
 *      renumber the ORDER inputs, and trigger the section's autosave (ap:save).
 *  (b) Rows added by htmx get their number and the focus.
 *  (c) Autosave errors: fields named in #errors-<section>[data-invalid] are marked.
 *  (d) Unsaved work: leaving the page while a save is pending asks first; the
 *      page's other forms (submit, upload, team) wait until pending saves are done.
 *  (e) Checklist links focus the field they point to.
 *  (f) Conflict screen: "Isi dengan ..." copies a text into the merge box.
 *  (g) Preview: the print button.
 *  (h) Saves that did not arrive: the status says so and the save is tried again.
 *  (i) Ended session: sections that could not be saved because the session had ended
 *      stay marked unsaved, are kept in localStorage (per page and section) until
 *      saved, and are saved as soon as the person has signed in again
 *      (`ap:session-restored`, static/js/session.js). A page opened again with a kept
 *      section and the same version of the plan gets the kept text back.
 *  (j) Uploads: a file larger than the input's data-max-mb is refused before it is sent,
 *      with the message at the upload box and the focus on the file input.
 */
(function () {
  'use strict';

  document.documentElement.classList.add('ap-js');

  // (a) Rows -------------------------------------------------------------------
  function renumber(list) {
    if (!list) return;
    let n = 0;
    list.querySelectorAll(':scope > .ap-row').forEach(function (row) {
      if (row.hidden) return;
      n += 1;
      const order = row.querySelector('input[name$="-ORDER"]');
      if (order) order.value = String(n);
      const label = row.querySelector('.ap-row-number');
      if (label) label.textContent = n + '.';
    });
  }

  function save(section) {
    if (!section || !window.htmx) return;
    markDirty(section);
    window.htmx.trigger(section, 'ap:save');
  }

  document.addEventListener('click', function (event) {
    const button = event.target.closest('button[data-row-move], button[data-row-remove]');
    if (!button) return;
    const row = button.closest('.ap-row');
    const list = row && row.parentElement;
    if (!row || !list) return;
    event.preventDefault();
    if (button.hasAttribute('data-row-remove')) {
      const del = row.querySelector('input[name$="-DELETE"]');
      if (del) del.checked = true;
      row.hidden = true;
      const next = row.nextElementSibling || row.previousElementSibling;
      const focusTarget = next && !next.hidden ? next.querySelector('input, textarea') : null;
      if (focusTarget) focusTarget.focus();
    } else if (button.dataset.rowMove === 'up') {
      let prev = row.previousElementSibling;
      while (prev && prev.hidden) prev = prev.previousElementSibling;
      if (prev) list.insertBefore(row, prev);
      button.focus();
    } else {
      let next = row.nextElementSibling;
      while (next && next.hidden) next = next.nextElementSibling;
      if (next) list.insertBefore(next, row);
      button.focus();
    }
    renumber(list);
    save(list.closest('.ap-editor-section'));
  });

  // (b) Rows added by htmx -------------------------------------------------------
  document.addEventListener('htmx:afterSwap', function (event) {
    const target = event.detail.target;
    if (target && target.classList && target.classList.contains('ap-rows')) {
      renumber(target);
      const rows = target.querySelectorAll(':scope > .ap-row');
      const last = rows[rows.length - 1];
      const first = last ? last.querySelector('input:not([type=hidden]):not([type=checkbox]):not([name$="-ORDER"]), textarea') : null;
      if (first) first.focus();
    }
  });

  // (c) Autosave errors -----------------------------------------------------------
  // The errors box (#errors-<section>) comes in out of band; htmx 2 hands the element it
  // replaced (already detached), so the box is looked up again by its id. Each named
  // field gets is-invalid, aria-invalid and aria-describedby pointing at its message.
  // A new row (not saved yet) that still has the focus is marked only once the user
  // leaves it, so that a row being typed is not flagged red halfway.
  const MESSAGE_PREFIX = 'ap-error-';
  function unmark(el) {
    el.classList.remove('is-invalid');
    el.removeAttribute('aria-invalid');
    el.removeAttribute('data-ap-marked');
    el.removeAttribute('data-ap-pending-mark');
    const described = (el.getAttribute('aria-describedby') || '').split(' ')
      .filter(function (id) { return id && id.indexOf(MESSAGE_PREFIX) !== 0; });
    if (described.length) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
  }
  function mark(el) {
    el.classList.add('is-invalid');
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('data-ap-marked', '1');
    el.removeAttribute('data-ap-pending-mark');
    const section = el.closest('.ap-editor-section');
    const described = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    (section ? section.querySelectorAll('.ap-section-errors [data-error-for]') : []).forEach(function (item) {
      if (item.dataset.errorFor === el.id && described.indexOf(item.id) === -1) described.push(item.id);
    });
    if (described.length) el.setAttribute('aria-describedby', described.join(' '));
  }
  function newRowBeingTyped(el) {
    const row = el.closest('.ap-row');
    if (!row || !row.contains(document.activeElement)) return false;
    const id = row.querySelector('input[name$="-id"]');
    return !id || !id.value;
  }
  function markInvalid(box) {
    const section = box.closest('.ap-editor-section');
    if (!section) return;
    section.querySelectorAll('[data-ap-marked], [data-ap-pending-mark]').forEach(unmark);
    (box.dataset.invalid || '').split(' ').forEach(function (id) {
      const el = id && document.getElementById(id);
      if (!el || !el.matches('input, textarea, select')) return;
      if (newRowBeingTyped(el)) el.setAttribute('data-ap-pending-mark', '1');
      else mark(el);
    });
  }
  document.addEventListener('focusout', function (event) {
    const row = event.target.closest && event.target.closest('.ap-row');
    if (!row || row.contains(event.relatedTarget)) return;
    row.querySelectorAll('[data-ap-pending-mark]').forEach(mark);
  });

  document.addEventListener('htmx:oobAfterSwap', function (event) {
    const swapped = event.detail.target;
    const box = swapped && swapped.id ? document.getElementById(swapped.id) : null;
    if (box && box.classList.contains('ap-section-errors')) markInvalid(box);
  });

  // (d) Unsaved work -------------------------------------------------------------------
  // A section is "dirty" from the first keystroke until its save request starts, and
  // "pending" while that request runs; the page is safe to leave when none is either.
  // (The browser tests wait on the same attributes.)
  function sectionOf(el) {
    return el && el.closest ? el.closest('.ap-editor-section') : null;
  }
  function markDirty(section) {
    if (section) section.setAttribute('data-ap-dirty', '');
  }
  function unsaved() {
    return !!document.querySelector('.ap-editor-section[data-ap-dirty], .ap-editor-section[data-ap-pending]');
  }
  // Capture phase: marked before htmx (listening on the section) starts the save.
  document.addEventListener('input', function (event) { markDirty(sectionOf(event.target)); }, true);
  document.addEventListener('change', function (event) { markDirty(sectionOf(event.target)); }, true);
  document.addEventListener('htmx:beforeRequest', function (event) {
    const section = event.detail.elt;
    if (section && section.classList && section.classList.contains('ap-editor-section')) {
      section.removeAttribute('data-ap-dirty');
      section.setAttribute('data-ap-pending', '');
    }
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    const section = event.detail.elt;
    if (section && section.classList && section.classList.contains('ap-editor-section')) {
      section.removeAttribute('data-ap-pending');
      if (!event.detail.successful) markDirty(section);
    }
  });
  // Before another form of the page is sent (submit, upload, invite), save what is
  // still unsaved, so that e.g. submitting hands in the text just typed.
  function flush() {
    document.querySelectorAll('.ap-editor-section[data-ap-dirty]').forEach(function (section) {
      window.htmx.trigger(section, 'ap:save');
    });
    return new Promise(function (resolve) {
      const started = Date.now();
      const timer = window.setInterval(function () {
        if (!unsaved() || Date.now() - started > 10000) {
          window.clearInterval(timer);
          resolve();
        }
      }, 100);
    });
  }
  let submitting = false;
  document.addEventListener('submit', function (event) {
    const form = event.target;
    if (event.defaultPrevented) return;
    if (form.id !== 'plan-form' && window.htmx && document.getElementById('plan-form') && unsaved()) {
      event.preventDefault();
      flush().then(function () { submitting = true; form.submit(); });
      return;
    }
    submitting = true;
  });
  window.addEventListener('beforeunload', function (event) {
    if (!submitting && unsaved()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  // (e) Checklist links ----------------------------------------------------------------
  function focusHash() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const el = id && document.getElementById(id);
    if (!el) return;
    const field = el.matches('input, textarea, select') ? el
      : el.querySelector('input:not([type=hidden]), textarea, select');
    if (!field) return;
    // The field with its label in view, below the sticky toolbar (scroll-margin-top).
    field.focus({ preventScroll: true });
    (el === field ? field.closest('.mb-3, .ap-row') || field : el).scrollIntoView({ block: 'start' });
  }
  window.addEventListener('hashchange', focusHash);
  // The same link again (no hashchange): focus the field again.
  document.addEventListener('click', function (event) {
    const link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link && link.hash && link.hash === window.location.hash) {
      event.preventDefault();
      focusHash();
    }
  });

  // (f) Conflict screen ------------------------------------------------------------------
  document.addEventListener('click', function (event) {
    const button = event.target.closest('button[data-fill]');
    if (!button) return;
    const box = document.getElementById(button.dataset.fill);
    const source = document.getElementById(button.dataset.from);
    if (box && source) {
      box.value = source.value;
      const merge = document.getElementById(
        'choice-' + (box.closest('section') || document).querySelector('input[type=radio]').name.replace('choice-', '') + '-merge');
      if (merge) merge.checked = true;
      box.focus();
    }
  });

  // (g) Print --------------------------------------------------------------------------------
  document.addEventListener('click', function (event) {
    if (event.target.closest('button[data-print]')) window.print();
  });

  // (h) Saves that did not arrive -------------------------------------------------------------
  // No answer (network down) or a 5xx (the database or the server restarting): the status
  // never keeps the previous "Tersimpan" label; it says the section is not saved and that
  // it will be tried again, and the save is repeated after 2, 4, 8 ... at most 60 seconds
  // until it succeeds. Other answers (a 4xx) are left to their own handlers.
  const RETRY_FIRST_MS = 2000;
  const RETRY_MAX_MS = 60000;
  const retries = new WeakMap(); // section -> { attempt, timer }

  function unreachable(xhr) {
    const status = xhr ? xhr.status : 0;
    return status === 0 || status >= 500;
  }

  function showNotSaved() {
    const status = document.getElementById('save-status');
    if (!status) return;
    const label = document.createElement('span');
    label.className = 'text-danger';
    label.setAttribute('data-ap-retrying', '');
    const icon = document.createElement('i');
    icon.className = 'bi bi-cloud-slash';
    icon.setAttribute('aria-hidden', 'true');
    label.appendChild(icon);
    label.appendChild(document.createTextNode(' ' + (status.dataset.retryLabel || '')));
    status.replaceChildren(label);
  }

  function retryLater(section) {
    const state = retries.get(section) || { attempt: 0, timer: null };
    if (state.timer) window.clearTimeout(state.timer);
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, state.attempt));
    state.attempt += 1;
    state.timer = window.setTimeout(function () {
      state.timer = null;
      if (section.isConnected && window.htmx) window.htmx.trigger(section, 'ap:save');
    }, delay);
    retries.set(section, state);
  }

  document.addEventListener('htmx:afterRequest', function (event) {
    const section = event.detail.elt;
    if (!section || !section.classList || !section.classList.contains('ap-editor-section')) return;
    if (event.detail.successful) {
      const state = retries.get(section);
      if (state && state.timer) window.clearTimeout(state.timer);
      retries.delete(section);
      return;
    }
    if (!unreachable(event.detail.xhr)) return;
    showNotSaved();
    retryLater(section);
  });

  // (i) Ended session --------------------------------------------------------------------------
  const DRAFT_PREFIX = 'agenplan:draft:';
  let sessionEnded = false;

  function draftKey(section) {
    return DRAFT_PREFIX + window.location.pathname + '#' + section.id;
  }
  function lockVersion() {
    const input = document.getElementById('id_lock_version');
    return input ? input.value : '';
  }
  function keepDraft(section) {
    const fields = {};
    section.querySelectorAll('input[name], textarea[name], select[name]').forEach(function (el) {
      if (el.type === 'file' || el.type === 'hidden' && !/-(id|ORDER|DELETE)$/.test(el.name)) return;
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (!fields[el.name]) fields[el.name] = [];
        if (el.checked) fields[el.name].push(el.value);
      } else {
        fields[el.name] = el.value;
      }
    });
    try {
      window.localStorage.setItem(draftKey(section), JSON.stringify(
        { lock: lockVersion(), kept: Date.now(), fields: fields }));
    } catch (e) { /* storage full or disabled: the page still holds the text */ }
  }
  function dropDraft(section) {
    try { window.localStorage.removeItem(draftKey(section)); } catch (e) { /* disabled */ }
  }
  function keepUnsaved() {
    document.querySelectorAll('.ap-editor-section[data-ap-dirty]').forEach(keepDraft);
  }
  function showEnded() {
    const status = document.getElementById('save-status');
    const text = document.querySelector('#ap-session-expired [data-ap-expired-text]');
    if (status && text) {
      status.textContent = '';
      const span = document.createElement('span');
      span.className = 'text-danger';
      span.textContent = text.textContent;
      status.appendChild(span);
    }
  }

  document.addEventListener('ap:session-expired', function () {
    if (!document.getElementById('plan-form')) return;
    sessionEnded = true;
    keepUnsaved();
    showEnded();
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    const section = event.detail.elt;
    if (!section || !section.classList || !section.classList.contains('ap-editor-section')) return;
    if (event.detail.successful) {
      dropDraft(section);
    } else if (event.detail.xhr && event.detail.xhr.status === 401) {
      keepDraft(section);
      showEnded();
    }
  });
  // While the session is gone, every keystroke is kept too.
  document.addEventListener('input', function (event) {
    if (sessionEnded) { const section = sectionOf(event.target); if (section) keepDraft(section); }
  });
  document.addEventListener('ap:session-restored', function () {
    if (!sessionEnded) return;
    sessionEnded = false;
    document.querySelectorAll('.ap-editor-section[data-ap-dirty]').forEach(function (section) {
      window.htmx.trigger(section, 'ap:save');
    });
  });
  // A kept section of this page, written against the version the page shows: put it back
  // now, and save it once htmx has taken the page in (after DOMContentLoaded).
  function restoreDrafts() {
    document.querySelectorAll('.ap-editor-section').forEach(function (section) {
      let kept = null;
      try { kept = JSON.parse(window.localStorage.getItem(draftKey(section)) || 'null'); } catch (e) { kept = null; }
      if (!kept || !kept.fields) return;
      if (kept.lock !== lockVersion()) { dropDraft(section); return; }
      Object.keys(kept.fields).forEach(function (name) {
        const value = kept.fields[name];
        section.querySelectorAll('[name="' + name.replace(/"/g, '') + '"]').forEach(function (el) {
          if (el.type === 'checkbox' || el.type === 'radio') el.checked = value.indexOf(el.value) !== -1;
          else el.value = value;
        });
      });
      markDirty(section);
      const saveLater = function () { window.setTimeout(function () { save(section); }, 0); };
      if (document.readyState === 'complete') saveLater();
      else window.addEventListener('load', saveLater);
    });
  }

  // (j) Uploads ----------------------------------------------------------------------------------
  function uploadMessage(input) {
    const id = input.id + '_too_large';
    let message = document.getElementById(id);
    if (!message) {
      message = document.createElement('div');
      message.id = id;
      message.className = 'invalid-feedback d-block';
      message.setAttribute('role', 'alert');
      input.insertAdjacentElement('afterend', message);
    }
    return message;
  }
  function clearUploadMessage(input) {
    const message = document.getElementById(input.id + '_too_large');
    if (!message) return;
    message.remove();
    input.classList.remove('is-invalid');
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') || '').split(' ')
      .filter(function (id) { return id && id !== message.id; });
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  function tooLarge(input) {
    const max = parseFloat(input.dataset.maxMb || '');
    if (!max || !input.files) return false;
    return Array.prototype.some.call(input.files, function (file) { return file.size > max * 1024 * 1024; });
  }
  document.addEventListener('change', function (event) {
    const input = event.target;
    if (input.matches && input.matches('input[type=file][data-max-mb]')) clearUploadMessage(input);
  });
  // Capture phase: before the unsaved-work handler (d) sends the form on.
  document.addEventListener('submit', function (event) {
    const input = event.target.querySelector('input[type=file][data-max-mb]');
    if (!input || !tooLarge(input)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const message = uploadMessage(input);
    message.textContent = input.dataset.tooLarge || '';
    input.classList.add('is-invalid');
    input.setAttribute('aria-invalid', 'true');
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (described.indexOf(message.id) === -1) described.push(message.id);
    input.setAttribute('aria-describedby', described.join(' '));
    input.focus();
  }, true);

  function init() {
    document.querySelectorAll('.ap-rows').forEach(renumber);
    if (window.location.hash) focusHash();
    if (document.getElementById('plan-form')) restoreDrafts();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
