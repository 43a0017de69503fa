// The control room imports the invited list as a CSV file (nom;site;catégorie): every
// problem is shown with its line and column, and nothing is imported from a file with
// errors unless the operator asks for its good lines only.
import { h, setChildren } from '../lib/dom.js';
import { errorText, t } from '../lib/i18n.js';
import { showError } from '../lib/app.js';

export function inviteesImport(live, token) {
  const file = h('input', { id: 'invitees-file', type: 'file', accept: '.csv,text/csv' });
  const replace = h('input', { id: 'invitees-replace', type: 'checkbox' });
  const report = h('div', { id: 'invitees-report', role: 'status' });
  let body = null;
  async function send(partial) {
    if (!body) return;
    const query = new URLSearchParams({ ...(partial ? { partial: '1' } : {}), ...(replace.checked ? { replace: '1' } : {}) });
    const response = await fetch(`/api/events/${encodeURIComponent(live.event)}/invitees?${query}`, {
      method: 'POST', body, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' } });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      setChildren(report, h('p', { class: 'ok-text' }, t('rooms.imported', { n: answer.imported })),
        answer.errors && answer.errors.length ? errorList(answer.errors) : null);
      body = null;
      file.value = '';
      return;
    }
    if (!answer.errors) { showError(answer); return; }
    setChildren(report, h('p', { class: 'error-text' }, t('rooms.import_refused', { n: answer.errors.length })),
      errorList(answer.errors),
      answer.good_lines ? h('button', { type: 'button', class: 'small', dataset: { action: 'import-partial' },
        onclick: () => send(true) }, t('rooms.import_partial', { n: answer.good_lines })) : null);
  }
  const form = h('form', { class: 'invitees-import' },
    h('div', { class: 'field' }, h('label', { for: 'invitees-file', 'data-i18n': 'rooms.invitees_file' }), file,
      h('p', { class: 'hint', 'data-i18n': 'rooms.invitees_hint' })),
    h('div', { class: 'field inline' }, replace,
      h('label', { for: 'invitees-replace', 'data-i18n': 'rooms.invitees_replace' })),
    h('button', { type: 'submit', class: 'small ok', 'data-i18n': 'rooms.import' }), report);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files.length) { file.focus(); return; }
    body = await file.files[0].arrayBuffer();
    await send(false);
  });
  return form;
}

function errorList(errors) {
  return h('ul', { class: 'plain csv-errors' }, errors.slice(0, 50).map((e) => h('li', { dataset: { line: e.line } },
    e.column ? t('rooms.csv_error_at', { line: e.line, column: e.column }) : t('rooms.csv_error_line', { line: e.line }),
    ' ', errorText({ code: e.code }))));
}
