// Reactions: the event's emoji set, sent with one tap, counted per site.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

// Built once: a storm of reactions only changes the counts' text, never the buttons,
// so a tap between two tally ticks is never lost on a button being replaced.
export function reactionBar(live) {
  const counts = new Map();
  const hints = [];
  const element = h('div', { class: 'reaction-bar', role: 'group' },
    live.welcome.event.reactions.map((emoji) => {
      const count = h('span', { class: 'reaction-count' }, '0');
      const hint = h('span', { class: 'sr-only' });
      counts.set(emoji, count);
      hints.push(hint);
      return h('button', { type: 'button', class: 'reaction', dataset: { emoji },
        onclick: () => act(live, { type: 'reaction.send', emoji }) }, emoji, count, hint);
    }));
  const update = (l) => {
    const totals = (l.state.reactions && l.state.reactions.totals) || {};
    for (const [emoji, count] of counts) {
      const text = String(totals[emoji] || 0);
      if (count.textContent !== text) count.textContent = text;
    }
    element.setAttribute('aria-label', t('reactions.label'));
    for (const hint of hints) hint.textContent = ` ${t('reactions.send_sr')}`;
  };
  update(live);
  return { element, update };
}

// Floating emoji on the big screen when totals grow (nothing moves under reduced motion).
export function floatNewReactions(layer, before, after) {
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  for (const [emoji, n] of Object.entries(after || {})) {
    const fresh = Math.min(8, n - ((before || {})[emoji] || 0));
    for (let i = 0; i < fresh; i += 1) {
      const bubble = h('span', { class: 'float', 'aria-hidden': 'true', style: { left: `${5 + Math.random() * 90}%` } }, emoji);
      layer.append(bubble);
      setTimeout(() => bubble.remove(), 3000);
    }
  }
}
