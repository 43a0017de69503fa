// One upvote per participant, withdrawable: the button questions and proposals share.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

// `mineKey` names the list in live.me holding what this participant upvoted.
export function upvoteButton(live, { id, votes, mineKey, upvote, unvote, label }) {
  const mine = (live.me[mineKey] || []).includes(id);
  return h('button', {
    type: 'button', class: 'upvote', 'aria-pressed': String(mine), dataset: { action: 'upvote' },
    onclick: () => act(live, mine ? unvote : upvote),  // what I upvoted: the hub says it (live.me)
  }, h('span', { 'aria-hidden': 'true' }, '▲ '), h('span', { class: 'upvote-count' }, String(votes)),
  h('span', { class: 'sr-only' }, ` ${t(label, { n: votes })}`));
}

// A storm of upvotes changes the number only: the button stays (a tap on it is never lost).
export function recount(button, votes, label) {
  const count = button.querySelector('.upvote-count');
  if (count && count.textContent !== String(votes)) {
    count.textContent = String(votes);
    button.querySelector('.sr-only').textContent = ` ${t(label, { n: votes })}`;
  }
}
