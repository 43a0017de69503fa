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

// The ranking per theme. `top` limits each theme (the big screen shows a few);
// `vote` adds the upvote buttons (viewers and participants).
export function ranking(live, { top = null, vote = false, meta = true } = {}) {
  const published = Object.values(live.state.posts)
    .filter((p) => p.kind === 'proposal' && p.state === 'published' && p.theme);
  if (!published.length) return h('p', { class: 'muted' }, t('proposals.none'));
  return h('div', { class: 'ranking' }, live.welcome.event.themes.map((th) => {
    const mine = published.filter((p) => p.theme === th.id)
      .sort((a, b) => b.votes - a.votes || a.at - b.at || a.id.localeCompare(b.id));
    if (!mine.length) return null;
    return h('section', { class: 'theme', 'aria-label': th.title }, h('h3', {}, th.title),
      h('ol', { class: 'ranked' }, (top ? mine.slice(0, top) : mine).map((p) => h('li', { dataset: { key: p.id } },
        h('p', { class: 'proposal-title' }, p.title),
        p.body && !top ? h('p', { class: 'post-body' }, p.body) : null,
        !meta ? null : h('p', { class: 'q-meta' }, `${siteCity(live, p.origin)} · ${t('proposals.by_site')} : ${breakdown(live, p.votes_by_site) || '—'}`),
        vote ? upvote(live, p) : h('span', { class: 'votes' }, t('qna.votes', { n: p.votes }))))));
  }));
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
