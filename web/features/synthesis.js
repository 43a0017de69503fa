// What a region sends up (its synthesis) and, on a national event, what came up
// from the regions: the links, the import form, the regions and the ranking.
import { flash, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { showError } from '../lib/app.js';

export function synthesisLinks(live) {
  const e = encodeURIComponent(live.welcome.event.id);
  const token = encodeURIComponent(live.welcome.synthesis_token || '');
  return h('div', {},
    h('ul', { class: 'plain' },
      h('li', {}, h('a', { href: `/e/${e}/synthesis?token=${token}`, target: '_blank', rel: 'noopener' }, t('synthesis.html'))),
      h('li', {}, h('a', { href: `/api/events/${e}/synthesis.pdf?token=${token}` }, t('synthesis.pdf'))),
      h('li', {}, h('a', { href: `/api/events/${e}/synthesis.json?token=${token}`, target: '_blank', rel: 'noopener' },
        t('synthesis.json')))),
    h('p', { class: 'hint' }, t('synthesis.hint')));
}

export function importForm(live, token) {
  const url = h('input', { id: 'import-url', type: 'url', inputmode: 'url' });
  const file = h('input', { id: 'import-file', type: 'file', accept: 'application/json,.json' });
  const status = h('p', { class: 'form-status', role: 'status' });
  const form = h('form', { class: 'import-form' },
    h('label', { for: 'import-url', 'data-i18n': 'synthesis.url' }), url,
    h('label', { for: 'import-file', 'data-i18n': 'synthesis.file' }), file,
    h('button', { type: 'submit', class: 'primary small', 'data-i18n': 'synthesis.import_go' }), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    const body = file.files.length ? await file.files[0].text() : JSON.stringify({ url: url.value.trim() });
    const response = await fetch(`/api/events/${encodeURIComponent(live.welcome.event.id)}/imports`,
      { method: 'POST', body, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    const answer = await response.json().catch(() => ({ code: 'internal' }));
    if (response.status !== 201) { showError(answer); return; }
    flash(status, t('synthesis.imported', { source: answer.source }));
    url.value = '';
    file.value = '';
  });
  return form;
}

export function regionsTable(live) {
  const imports = live.state.imports || { regions: [], ranking: [] };
  if (!imports.regions.length) return h('p', { class: 'muted' }, t('synthesis.none'));
  return h('div', {},
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('synthesis.regions') },
      h('table', { class: 'regions', id: 'regions' }, h('caption', { class: 'sr-only' }, t('synthesis.regions')),
        h('thead', {}, h('tr', {}, [t('synthesis.region'), t('synthesis.present'), t('synthesis.proposals'),
          t('synthesis.votes')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, imports.regions.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.region),
          h('td', {}, String(r.present_on_sites + r.remote)), h('td', {}, String(r.proposals)),
          h('td', {}, String(r.proposal_votes))))))),
    h('h3', {}, t('synthesis.ranking')),
    h('ol', { class: 'ranked' }, imports.ranking.slice(0, 5).map((p) => h('li', {},
      h('p', { class: 'proposal-title' }, p.title),
      h('p', { class: 'q-meta' }, `${p.region} · ${p.site} · ${t('qna.votes', { n: p.votes })}`)))));
}
