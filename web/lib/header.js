// The header every page shares. On a desk it is one row: the event, then the page's own
// tools, the connection and the language. On a phone it stays one row too (≤ 64 px):
// the event, the connection as a dot, and a « Menu » button; the page's tools and the
// language open under it, so the picture starts near the top of the screen.
import { $, PHONE, h, setChildren } from './dom.js';
import { t } from './i18n.js';


export function topBar({ title, status = null, tools }) {
  const top = $('#top');
  const menu = h('div', { class: 'top-menu', id: 'top-menu' }, tools);
  const label = h('span', { class: 'top-menu-label' });
  const button = h('button', {
    type: 'button', class: 'top-menu-button small', id: 'top-menu-button',
    'aria-expanded': 'false', 'aria-controls': 'top-menu',
    onclick: () => setOpen(!top.classList.contains('open')),
  }, h('span', { class: 'top-menu-icon', 'aria-hidden': 'true' }, '☰'), label);
  const setOpen = (open) => {
    top.classList.toggle('open', open);
    button.setAttribute('aria-expanded', String(open));
  };
  const paint = () => { label.textContent = t('common.menu'); };
  setChildren(top,
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◎'), title),
    h('div', { class: 'top-tools' }, status, button, menu));
  // A menu closes as menus do: Escape (focus back on its button), a tap elsewhere, a
  // change of screen width; choosing in it (another language) leaves it open.
  top.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && top.classList.contains('open')) { setOpen(false); button.focus(); }
  });
  document.addEventListener('click', (e) => { if (!top.contains(e.target)) setOpen(false); });
  matchMedia(PHONE).addEventListener('change', () => setOpen(false));
  document.addEventListener('langchange', paint);
  paint();
}
