// Open proposals: anybody files one under a theme; the site (or the control room)
// validates it; everyone upvotes; a live ranking per theme with per-site breakdown.
import { flash, h, refill, setChildren } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteCity } from '../lib/app.js';
import { upvoteButton } from './upvote.js';

const themeTitle = (live, id) => (live.welcome.event.themes.find((th) => th.id === id) || { title: id }).title;

export function proposalForm(live) {
  const themes = live.welcome.event.themes;
  if (!themes.length) return null;
  const theme = h('select', { id: 'proposal-theme', name: 'theme' },
    themes.map((th) => h('option', { value: th.id }, th.title)));
  const title = h('textarea', { id: 'proposal-title', name: 'title', rows: 2, required: true,
    maxlength: live.welcome.event.settings.limits.contribution_title_length });
  const body = h('textarea', { id: 'proposal-body', name: 'body', rows: 3,
    maxlength: live.welcome.event.settings.limits.contribution_body_length });
  const status = h('p', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-i18n': 'proposals.send' });
  const form = h('form', { class: 'proposal-form', novalidate: true },
    h('label', { for: 'proposal-theme', 'data-i18n': 'proposals.theme' }), theme,
    h('label', { for: 'proposal-title', 'data-i18n': 'proposals.your_title' }), title,
    h('label', { for: 'proposal-body', 'data-i18n': 'proposals.your_text' }), body, button, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    if (!title.value.trim()) { status.textContent = t('errors.proposal.title.empty'); title.focus(); return; }
    button.disabled = true;
    const ack = await act(live, { type: 'proposal.submit', theme: theme.value, title: title.value, body: body.value });
    button.disabled = false;
    if (!ack) return;  // what I filed: the hub says it (live.me)
    title.value = '';
    body.value = '';
    flash(status, t('proposals.sent'));
  });
  return form;
}

// What I filed, with where it stands (a published one shows its votes).
export function myProposals(live) {
  const mine = live.me.proposals || [];
  if (!mine.length) return null;
  return h('div', { class: 'mine' }, h('h3', {}, t('proposals.mine')),
    h('ul', { class: 'plain' }, mine.map((p) => {
      const shown = live.state.posts[p.id];
      const state = shown ? shown.state : p.state;
      return h('li', {}, h('strong', {}, p.title), ` · ${themeTitle(live, p.theme)} · `,
        h('span', { class: `badge badge-${state}` }, t(`proposals.state.${state}`)),
        shown && state === 'published' ? ` · ${t('qna.votes', { n: shown.votes })}` : null);
    })));
}

function breakdown(live, counts) {
  return Object.entries(counts || {}).sort((a, b) => b[1] - a[1])
    .map(([site, n]) => `${siteCity(live, site)} ${n}`).join(' · ');
}

const ORDER = (a, b) => b.votes - a.votes || a.at - b.at || a.id.localeCompare(b.id);
const publishedProposals = (live) => Object.values(live.state.posts)
  .filter((p) => p.kind === 'proposal' && p.state === 'published');

// The ranking per theme. `top` limits each theme; `vote` adds the upvote buttons
// (viewers and participants). A proposal without one of the event's themes (a site's
// contribution, say) is ranked too, under « Autres propositions »: what the wall shows
// is never missing here.
export function ranking(live, { top = null, vote = false, meta = true } = {}) {
  const published = publishedProposals(live);
  if (!published.length) return h('p', { class: 'muted' }, t('proposals.none'));
  const themes = live.welcome.event.themes;
  const known = new Set(themes.map((th) => th.id));
  const groups = [...themes.map((th) => ({ title: th.title, items: published.filter((p) => p.theme === th.id) })),
    { title: themes.length ? t('proposals.other_theme') : t('proposals.title'),
      items: published.filter((p) => !known.has(p.theme)) }];
  return h('div', { class: 'ranking' }, groups.filter((g) => g.items.length).map((g) => {
    const mine = g.items.sort(ORDER);
    return h('section', { class: 'theme', 'aria-label': g.title }, h('h3', {}, g.title),
      h('ol', { class: 'ranked' }, (top ? mine.slice(0, top) : mine).map((p) => h('li', { dataset: { key: p.id } },
        h('p', { class: 'proposal-title' }, p.title),
        p.body && !top ? h('p', { class: 'post-body' }, p.body) : null,
        !meta ? null : h('p', { class: 'q-meta' }, `${siteCity(live, p.origin)} · ${t('proposals.by_site')} : ${breakdown(live, p.votes_by_site) || '—'}`),
        vote ? upvote(live, p) : h('span', { class: 'votes' }, t('qna.votes', { n: p.votes }))))));
  }));
}

// The projector's ranking: one list, every theme together, the best first; each row
// is the rank, the proposal, where it comes from and its theme, and its votes with a
// bar against the leader's. The fitter drops rows from the bottom when they do not fit.
export function leaders(live, { limit = 6 } = {}) {
  const published = publishedProposals(live).sort(ORDER).slice(0, limit);
  if (!published.length) return h('p', { class: 'muted' }, t('proposals.none'));
  const best = Math.max(1, published[0].votes);
  return h('ol', { class: 'ranked leaders' }, published.map((p, i) => h('li', { dataset: { key: p.id } },
    h('span', { class: 'rank', 'aria-hidden': 'true' }, String(i + 1)),
    h('div', { class: 'leader-text' },
      h('p', { class: 'proposal-title' }, h('span', { class: 'sr-only' }, `${t('proposals.rank', { n: i + 1 })} `), p.title),
      h('p', { class: 'leader-meta' }, [siteCity(live, p.origin), p.theme && themeTitle(live, p.theme)].filter(Boolean).join(' · '))),
    h('p', { class: 'leader-votes' }, t('qna.votes', { n: p.votes })),
    h('span', { class: 'leader-bar', 'aria-hidden': 'true', style: { width: `${(100 * p.votes) / best}%` } }))));
}

function upvote(live, p) {
  const button = upvoteButton(live, { id: p.id, votes: p.votes, mineKey: 'proposals_upvoted', label: 'feed.upvote_sr',
    upvote: { type: 'feed.upvote', post: p.id }, unvote: { type: 'feed.unvote', post: p.id } });
  button.dataset.action = `upvote-${p.id}`;  // redraws give the focus back to this very button
  return button;
}

export function proposalsPanel(live) {
  const slots = { mine: h('div'), ranking: h('div', { id: 'ranking' }) };
  const element = h('div', {}, proposalForm(live), slots.mine, h('h3', { 'data-i18n': 'proposals.ranking' }), slots.ranking);
  return {
    element,
    update(l) {
      setChildren(slots.mine, myProposals(l));
      refill(slots.ranking, ranking(l, { vote: true }));
    },
  };
}
