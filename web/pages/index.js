// The hub's front page: the events it serves, with their public links.
import { $, h, setChildren } from '../lib/dom.js';
import { LANGS, initI18n, lang, setLang, t, translate } from '../lib/i18n.js';

async function main() {
  await initI18n();
  const events = await (await fetch('/api/events')).json();
  const select = h('select', { 'aria-label': t('common.language') },
    LANGS.map((code) => h('option', { value: code, selected: code === lang() }, code === 'fr' ? 'Français' : 'English')));
  select.addEventListener('change', () => setLang(select.value));
  setChildren($('#top'), h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◎'),
    h('span', { class: 'event-title' }, 'Multiplex')), h('div', { class: 'top-tools' }, select));
  setChildren($('#main'), h('section', { class: 'card' }, h('h1', { 'data-i18n': 'index.title' }),
    h('p', { 'data-i18n': 'index.intro' }),
    h('ul', { class: 'event-list' }, events.map((e) => h('li', {},
      h('a', { href: `/e/${encodeURIComponent(e.id)}` }, e.title), h('span', { class: 'q-meta' }, ` — ${e.date}`))))));
  translate(document);
  document.title = 'Multiplex';
}

main();
