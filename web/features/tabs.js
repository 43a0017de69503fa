// The viewer on a phone: one tab at a time (Direct, Questions, Sondage, Fil, Programme)
// instead of one long page, and the program's picture kept in a small player stuck to
// the corner while another tab is open. On wider screens every section shows and the
// tab bar is gone (the roles go with it, so assistive technologies hear no tabs).
import { PHONE, h, tabKeyTarget } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

const STORE = 'mx.viewer.tab';

export function viewerTabs(tabs, { player, onChange = () => {} }) {
  const narrow = matchMedia(PHONE);
  let current = sessionStorage.getItem(STORE);
  if (!tabs.some((tab) => tab.id === current)) current = tabs[0].id;
  const buttons = tabs.map((tab) => h('button', {
    type: 'button', id: `tab-${tab.id}`, class: 'tab', dataset: { tab: tab.id },
    onclick: () => select(tab.id, true),
    onkeydown: (e) => {  // arrows move along the tabs, as a tablist does
      const next = tabKeyTarget(e.key, tabs.findIndex((x) => x.id === tab.id), tabs.length);
      if (next === null) return;
      e.preventDefault();
      select(tabs[next].id, true);
    } }, h('span', { class: 'tab-label' }), h('span', { class: 'tab-dot', hidden: true, 'aria-hidden': 'true' })));
  const bar = h('div', { class: 'tabbar' }, buttons);

  function apply() {
    const tabbed = narrow.matches;
    document.body.classList.toggle('tabbed', tabbed);
    bar.hidden = !tabbed;
    bar.setAttribute('role', tabbed ? 'tablist' : 'presentation');
    bar.setAttribute('aria-label', t('viewer.tabs'));
    tabs.forEach((tab, i) => {
      const on = tab.id === current;
      const button = buttons[i];
      button.querySelector('.tab-label').textContent = t(tab.label);
      for (const [name, value] of Object.entries(tabbed
        ? { role: 'tab', 'aria-selected': String(on), 'aria-controls': tab.panels[0].id, tabindex: on ? '0' : '-1' }
        : { role: null, 'aria-selected': null, 'aria-controls': null, tabindex: null })) {
        if (value === null) button.removeAttribute(name); else button.setAttribute(name, value);
      }
      for (const panel of tab.panels) {
        panel.classList.toggle('tab-current', on);
        if (tabbed) { panel.setAttribute('role', 'tabpanel'); panel.setAttribute('aria-labelledby', button.id); } else {
          panel.removeAttribute('role');
          panel.setAttribute('aria-labelledby', panel.querySelector('h2').id);
        }
      }
      if (on) button.querySelector('.tab-dot').hidden = true;
    });
    // the picture follows in a corner while the viewer reads another tab
    player.classList.toggle('mini', tabbed && current !== tabs[0].id);
  }

  function select(id, focus = false) {
    current = id;
    sessionStorage.setItem(STORE, id);
    apply();
    if (focus) buttons[tabs.findIndex((tab) => tab.id === id)].focus();
    window.scrollTo(0, 0);
    onChange(id);
  }

  // Something new in a tab the viewer is not on: a dot (a poll opened, a post arrived).
  function mark(id) {
    const i = tabs.findIndex((tab) => tab.id === id);
    if (i >= 0 && id !== current && narrow.matches) buttons[i].querySelector('.tab-dot').hidden = false;
  }

  // What the browser scrolls to (a focused field, a found word) stays clear of the tab
  // bar above and of the bottom bar with the small picture.
  const dock = document.getElementById('dock');
  const room = new ResizeObserver(() => {
    const style = document.documentElement.style;
    style.setProperty('--tabbar-h', `${bar.offsetHeight}px`);
    style.setProperty('--dock-h', `${dock ? dock.offsetHeight : 0}px`);
  });
  room.observe(bar);
  if (dock) room.observe(dock);

  narrow.addEventListener('change', apply);
  document.addEventListener('langchange', apply);
  player.addEventListener('click', (e) => {
    if (player.classList.contains('mini') && !e.target.closest('button, select')) select(tabs[0].id);
  });
  apply();
  return { element: bar, select, mark, get current() { return current; } };
}
