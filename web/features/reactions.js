// Reactions: the event's emoji set, sent with one tap, counted per site.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

export function reactionBar(live) {
  const totals = (live.state.reactions && live.state.reactions.totals) || {};
  return h('div', { class: 'reaction-bar', role: 'group', 'aria-label': t('reactions.label') },
    live.welcome.event.reactions.map((emoji) => h('button', {
      type: 'button', class: 'reaction', onclick: () => act(live, { type: 'reaction.send', emoji }) },
    emoji, h('span', { class: 'reaction-count' }, String(totals[emoji] || 0)),
    h('span', { class: 'sr-only' }, ` ${t('reactions.send_sr')}`))));
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
