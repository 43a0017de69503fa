// Tabbed panes for the control room: one pane at a time in a fixed area that scrolls
// inside itself, so the page never grows below the fold. Each tab may carry a count
// (what waits in it) and a dot when something new arrives while another tab is open.
// A tablist as WAI-ARIA describes it: arrows, Home and End move along the tabs.
import { h, tabKeyTarget } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

// tabs: [{ id, label (i18n key), panel (an element), count (an element, optional) }]
export function panes(name, tabs, { label }) {
  const store = `mx.panes.${name}`;
  let current = sessionStorage.getItem(store);
  if (!tabs.some((tab) => tab.id === current)) current = tabs[0].id;
  const buttons = tabs.map((tab) => h('button', {
    type: 'button', role: 'tab', id: `tab-${tab.id}`, class: 'pane-tab', dataset: { pane: tab.id },
    'aria-controls': `pane-${tab.id}`,
    onclick: () => select(tab.id),
    onkeydown: (e) => {  // arrows move along the tabs, as a tablist does
      const next = tabKeyTarget(e.key, tabs.findIndex((x) => x.id === tab.id), tabs.length);
      if (next === null) return;
      e.preventDefault();
      select(tabs[next].id, true);
    },
  }, h('span', { class: 'pane-label' }), tab.count ? [' ', tab.count] : null,
  h('span', { class: 'tab-dot', hidden: true, 'aria-hidden': 'true' })));
  const bar = h('div', { class: 'pane-tabs', role: 'tablist' }, buttons);
  const bodies = tabs.map((tab, i) => h('div', { class: 'pane', id: `pane-${tab.id}`, role: 'tabpanel',
    'aria-labelledby': buttons[i].id, tabindex: '0' }, tab.panel));
  const element = h('div', { class: 'panes', dataset: { panes: name } }, bar, bodies);

  function apply() {
    bar.setAttribute('aria-label', t(label));
    tabs.forEach((tab, i) => {
      const on = tab.id === current;
      buttons[i].querySelector('.pane-label').textContent = t(tab.label);
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      bodies[i].hidden = !on;
      if (on) buttons[i].querySelector('.tab-dot').hidden = true;
    });
  }

  function select(id, focus = false) {
    current = id;
    sessionStorage.setItem(store, id);
    apply();
    if (focus) buttons[tabs.findIndex((tab) => tab.id === id)].focus();
  }

  // something new where the operator is not looking: a dot on its tab
  function mark(id) {
    const i = tabs.findIndex((tab) => tab.id === id);
    if (i >= 0 && id !== current) buttons[i].querySelector('.tab-dot').hidden = false;
  }

  document.addEventListener('langchange', apply);
  apply();
  return { element, select, mark, get current() { return current; } };
}
