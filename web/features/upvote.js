// One upvote per participant, withdrawable: the button questions and proposals share.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

// `mineKey` names the list in live.me holding what this participant upvoted.
export function upvoteButton(live, { id, votes, mineKey, upvote, unvote, label }) {
  const mine = (live.me[mineKey] || []).includes(id);
  return h('button', {
    type: 'button', class: 'upvote', 'aria-pressed': String(mine), dataset: { action: 'upvote' },
    onclick: async () => {
      if (await act(live, mine ? unvote : upvote)) {
        const set = new Set(live.me[mineKey] || []);
        if (mine) set.delete(id); else set.add(id);
        live.me[mineKey] = [...set];
        live.changed([]);
      }
    },
  }, h('span', { 'aria-hidden': 'true' }, '▲ '), String(votes), h('span', { class: 'sr-only' }, ` ${t(label, { n: votes })}`));
}
