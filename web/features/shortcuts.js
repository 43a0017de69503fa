// Keyboard shortcuts of the control room, for what it does a hundred times a day.
// Ignored while typing (a field has the focus) and with modifier keys.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';
import { sortedQuestions } from './qna.js';

export const KEYS = [['a', 'approve'], ['d', 'dismiss'], ['h', 'highlight'], ['c', 'unhighlight'],
  ['1–9', 'on_air'], ['0', 'off_air']];

function typing(target) {
  return target && target.closest && target.closest('input, textarea, select, [contenteditable]');
}

export function installShortcuts(live) {
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || !live.state) return;
    const state = live.state;
    const oldestPending = sortedQuestions(state.questions, 'time', ['pending']).at(-1);
    const top = sortedQuestions(state.questions, 'votes', ['visible'])[0];
    const sites = live.welcome.event.sites;
    let cmd = null;
    if (e.key === 'a' && oldestPending) cmd = { type: 'question.approve', question: oldestPending.id };
    else if (e.key === 'd' && oldestPending) cmd = { type: 'question.dismiss', question: oldestPending.id };
    else if (e.key === 'h' && top) cmd = { type: 'screen.scene', scene: 'question', question: top.id };
    else if (e.key === 'c' && state.highlight) cmd = { type: 'question.highlight', question: null };
    else if (/^[1-9]$/.test(e.key) && sites[Number(e.key) - 1]) cmd = { type: 'stage.on_air', site: sites[Number(e.key) - 1].id };
    else if (e.key === '0') cmd = { type: 'stage.on_air', site: null };
    if (!cmd) return;
    e.preventDefault();
    act(live, cmd);
  });
}

export function shortcutsHelp() {
  return h('details', { class: 'shortcuts' }, h('summary', {}, t('shortcuts.title')),
    h('dl', {}, KEYS.map(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, t(`shortcuts.${what}`))])));
}
