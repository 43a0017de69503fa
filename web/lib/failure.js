// A page that cannot go on (an unknown event, a role link without its key, an expired or
// revoked link) says so in the reader's language: what happened and what to do, under
// the usual header and its language switch. Never a bare one-liner.
import { $, h, setChildren } from './dom.js';
import { t } from './i18n.js';

const KNOWN = ['event.unknown', 'link.incomplete', 'auth.expired', 'auth.invalid'];

export function failureCard(code) {
  const known = KNOWN.includes(code) ? code : 'generic';
  const key = known.replace('.', '_');
  return h('section', { class: 'failure', role: 'alert', dataset: { failure: known } },
    h('h1', {}, t(`failure.${key}.title`)),
    h('p', {}, t(`failure.${key}.what`)),
    h('p', { class: 'failure-do' }, h('strong', {}, t('failure.what_to_do')), ' ', t(`failure.${key}.do`)),
    h('p', {}, h('a', { href: '/' }, t('failure.home'))));
}

export function drawFailure(code) {
  setChildren($('#main'), failureCard(code));
  document.title = `${$('.failure h1').textContent} — Multiplex`;
}
