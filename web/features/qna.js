// The shared Q&A: asking, upvoting, and the moderation actions of each role.
import { flash, formatTime, h, setChildren, syncList } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';
import { act, siteCity } from '../lib/app.js';
import { recount, upvoteButton } from './upvote.js';

export function askForm(live) {
  const limit = () => live.welcome.event.settings.limits.question_length;
  const text = h('textarea', { id: 'ask-text', name: 'text', rows: 3, required: true, 'aria-describedby': 'ask-count' });
  const name = h('input', { id: 'ask-name', name: 'name', autocomplete: 'nickname' });
  const count = h('span', { id: 'ask-count', class: 'hint' });
  const status = h('p', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'submit', class: 'primary' });
  const labelText = h('label', { for: 'ask-text' });
  const labelName = h('label', { for: 'ask-name' });
  const paint = () => {
    text.maxLength = limit();
    count.textContent = t('qna.remaining', { n: limit() - text.value.length });
    labelText.textContent = t('qna.your_question');
    labelName.textContent = t('qna.your_name');
    name.placeholder = t('qna.anonymous');
    button.textContent = t('qna.send');
  };
  text.addEventListener('input', paint);
  document.addEventListener('langchange', paint);
  const form = h('form', { class: 'ask', novalidate: true }, labelText, text, count, labelName, name, button, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { status.textContent = t('errors.question.empty'); text.focus(); return; }
    button.disabled = true;
    // a remote viewer's question goes to the track they follow (the room decides for people on site)
    const track = live.welcome.role === 'viewer' && live.welcome.follow ? { track: live.welcome.follow } : {};
    const ack = await act(live, { type: 'question.ask', text: text.value, name: name.value.trim() || null, ...track });
    button.disabled = false;
    if (ack) {  // "Mes questions" follows from the hub's word (live.me)
      text.value = '';
      flash(status, ack.result && ack.result.state === 'pending' ? t('qna.sent_pending') : t('qna.sent'));
    }
    paint();
  });
  paint();
  return form;
}

export function sortedQuestions(questions, by, states, filter = () => true) {
  const list = Object.values(questions).filter((q) => states.includes(q.state) && filter(q));
  if (by === 'time') return list.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
  return list.sort((a, b) => b.votes - a.votes || a.at - b.at || a.id.localeCompare(b.id));
}

function meta(live, q) {
  const who = q.name || t('qna.anonymous');
  // asked from afar on a site's track: say both (who asked from where, on which track)
  const where = q.site && q.origin !== q.site ? t('qna.from_on', { from: siteCity(live, q.origin), track: siteCity(live, q.site) })
    : siteCity(live, q.origin);
  return `${who} · ${where} · ${formatTime(q.at, lang())}`;
}

// Which questions some site's screens show now (the control room's overview), and where.
function highlightedAt(state) {
  const at = new Map();
  for (const [site, shown] of Object.entries(state.site_screens || {})) {
    if (shown.question) at.set(shown.question, [...(at.get(shown.question) || []), site]);
  }
  return at;
}

function createItem() {
  const el = h('li', { class: 'question' });
  el.parts = {
    text: h('p', { class: 'q-text' }), meta: h('p', { class: 'q-meta' }), badges: h('span', { class: 'badges' }),
    actions: h('div', { class: 'actions' }),
  };
  el.append(el.parts.badges, el.parts.text, el.parts.meta, el.parts.actions);
  return el;
}

function badge(kind) {
  return h('span', { class: `badge badge-${kind}` }, t(`qna.state.${kind}`));
}

// role: "viewer" (upvote), "coordinator" (approve/dismiss own site's pending), "moderator" (everything)
export function renderQuestions(container, live, { role, by = 'votes', states = ['visible', 'answered'], filter }) {
  const state = live.state;
  const items = sortedQuestions(state.questions, by, states, filter);
  const highlighted = state.highlight ? state.highlight.id : null;
  const shownAt = highlightedAt(state);
  syncList(container, items, (q) => q.id, createItem, (el, q) => {
    el.parts.text.textContent = q.text;
    el.parts.meta.textContent = meta(live, q);
    el.dataset.site = q.site || '';
    el.classList.toggle('is-highlighted', q.id === highlighted);
    const sites = role === 'moderator' ? (shownAt.get(q.id) || []) : [];
    setChildren(el.parts.badges,
      q.id === highlighted ? badge('highlighted') : null,
      sites.length && q.id !== highlighted ? h('span', { class: 'badge badge-highlighted' },
        t('qna.on_screens_of', { sites: sites.map((s) => siteCity(live, s)).join(', ') })) : null,
      q.state !== 'visible' ? badge(q.state) : null);
    // rebuilt only when what the buttons do changes; a vote count moves in place
    const signature = [q.state, q.id === highlighted, (live.me.upvoted || []).includes(q.id), role,
      document.documentElement.lang, sites.join(), q.site, Object.keys(state.questions).length].join('|');
    if (el.parts.actions.dataset.signature !== signature) {
      el.parts.actions.dataset.signature = signature;
      setChildren(el.parts.actions, actionsFor(live, q, role, highlighted, state));
    } else {
      const up = el.parts.actions.querySelector('.upvote');
      if (up) recount(up, q.votes, 'qna.upvote_sr');
      const votes = el.parts.actions.querySelector(':scope > .votes');
      if (votes) votes.textContent = t('qna.votes', { n: q.votes });
    }
  });
  if (!items.length) container.replaceChildren(h('li', { class: 'empty' }, t('qna.none')));
}

function actionsFor(live, q, role, highlighted, state) {
  const out = [];
  if (role === 'viewer' && (q.state === 'visible' || q.state === 'answered')) {
    out.push(upvoteButton(live, { id: q.id, votes: q.votes, mineKey: 'upvoted', label: 'qna.upvote_sr',
      upvote: { type: 'question.upvote', question: q.id }, unvote: { type: 'question.unvote', question: q.id } }));
  } else {
    out.push(h('span', { class: 'votes' }, t('qna.votes', { n: q.votes })));
  }
  // a coordinator moderates their own track: asked in their room, or by who follows their site
  const ownTrack = role === 'coordinator' && q.site === live.welcome.site;
  const moderating = role === 'moderator' || ownTrack;
  if (moderating && q.state === 'pending') {
    out.push(button(t('qna.approve'), () => act(live, { type: 'question.approve', question: q.id }), 'ok'));
    out.push(button(t('qna.dismiss'), () => act(live, { type: 'question.dismiss', question: q.id }), 'no'));
  }
  if (ownTrack && q.state === 'visible') {  // on this site's screens only
    const site = live.welcome.site;
    out.push(q.id === highlighted
      ? button(t('qna.unhighlight'), () => act(live, { type: 'question.highlight', question: null, site }), '', `unhighlight-${q.id}`)
      : button(t('qna.highlight_here'), () => act(live, { type: 'screen.scene', scene: 'question', question: q.id, site }),
        'ok', `highlight-${q.id}`));
  }
  if (role === 'moderator' && q.state === 'visible') {
    out.push(q.id === highlighted
      ? button(t('qna.unhighlight'), () => act(live, { type: 'question.highlight', question: null }))
      : button(t('qna.highlight'), () => act(live, { type: 'screen.scene', scene: 'question', question: q.id }), 'ok'));
    if (q.site) {  // a site's track: on that site's screens only, the others keep theirs
      out.push(button(t('qna.highlight_at', { site: siteCity(live, q.site) }),
        () => act(live, { type: 'screen.scene', scene: 'question', question: q.id, site: q.site }), '', `highlight-at-${q.id}`));
    }
    out.push(button(t('qna.answered'), () => act(live, { type: 'question.answer', question: q.id })));
    out.push(button(t('qna.dismiss'), () => act(live, { type: 'question.dismiss', question: q.id }), 'no'));
    out.push(mergeControl(live, q, state));
  }
  if (role === 'moderator' && (q.state === 'answered' || q.state === 'dismissed')) {
    out.push(button(t(q.state === 'answered' ? 'qna.unanswer' : 'qna.restore'),
      () => act(live, { type: 'question.restore', question: q.id }), 'ok', `restore-${q.id}`));
  }
  return out;
}

function button(label, onclick, tone = '', action = label) {
  return h('button', { type: 'button', class: `small ${tone}`, onclick, dataset: { action } }, label);
}

function mergeControl(live, q, state) {
  const targets = Object.values(state.questions).filter((o) => o.id !== q.id && ['visible', 'pending'].includes(o.state));
  if (!targets.length) return null;
  const select = h('select', { 'aria-label': t('qna.merge_into') },
    targets.map((o) => h('option', { value: o.id }, o.text.length > 60 ? `${o.text.slice(0, 60)}…` : o.text)));
  return h('span', { class: 'merge' }, select,
    button(t('qna.merge'), () => act(live, { type: 'question.merge', question: q.id, into: select.value })));
}

export function highlightBlock(live) {
  const q = live.state.highlight;
  if (!q) return h('p', { class: 'muted' }, t('qna.no_highlight'));
  return h('figure', { class: 'highlight' },
    h('blockquote', { class: 'highlight-text' }, q.text),
    h('figcaption', {}, `${q.name || t('qna.anonymous')} · ${siteCity(live, q.origin)} · ${t('qna.votes', { n: q.votes })}`));
}

// "Mes questions": what I asked and where it stands. Published ones follow the shared
// state; pending ones are seen by nobody else, so their state is the one I was told.
export function myQuestions(live) {
  const mine = live.me.questions || [];
  if (!mine.length) return null;
  return h('div', { class: 'mine', id: 'my-questions' }, h('h3', {}, t('qna.mine')),
    h('ul', { class: 'plain' }, mine.map((q) => {
      const shared = live.state.questions[q.id];
      const state = shared ? shared.state : q.state;
      return h('li', { dataset: { state } }, h('span', {}, q.text), ' ',
        h('span', { class: `badge badge-${state === 'visible' ? 'published' : state}` }, t(`qna.mine_state.${state}`)),
        shared ? ` · ${t('qna.votes', { n: shared.votes })}` : null);
    })));
}
