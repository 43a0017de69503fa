// The live feed: live-tweets from the control room and contributions from sites.
import { flash, formatTime, h, setChildren, syncList } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';
import { act, showError, siteName } from '../lib/app.js';
import { upvoteButton } from './upvote.js';

const PUBLISHED = (p) => p.state === 'published';

export function postsNewestFirst(state, filter = PUBLISHED) {
  return Object.values(state.posts).filter(filter).sort((a, b) => b.at - a.at || b.id.localeCompare(a.id));
}

function createPost() {
  const el = h('li', { class: 'post' });
  el.parts = { head: h('p', { class: 'post-head' }), title: h('h3', { class: 'post-title' }),
    photo: h('div', { class: 'post-photo' }), body: h('p', { class: 'post-body' }),
    foot: h('div', { class: 'actions' }) };
  el.append(el.parts.head, el.parts.title, el.parts.photo, el.parts.body, el.parts.foot);
  return el;
}

// role: "viewer" (upvote proposals), "moderator" (approve/reject pending), "readonly",
// "regie" (read only, with each live post's state on the social networks)
export function renderFeed(container, live, { role = 'viewer', filter = PUBLISHED, limit = 50 } = {}) {
  const posts = postsNewestFirst(live.state, filter).slice(0, limit);
  syncList(container, posts, (p) => p.id, createPost, (el, p) => {
    el.dataset.kind = p.kind;
    if (p.network) el.dataset.network = p.network;
    // a network's post says where it comes from and who wrote it (their words, as text)
    const who = p.kind === 'live' ? t('feed.control_room')
      : p.kind === 'social' ? [t(`social.network.${p.network}`), p.author, p.handle && `@${p.handle}`].filter(Boolean).join(' · ')
        : siteName(live, p.origin);
    el.parts.head.textContent = `${t(`feed.kind.${p.kind}`)} · ${who} · ${formatTime(p.at, lang())}`
      + (p.continues ? ` · ${t('feed.continued')}` : '')
      + (p.edited ? ` · ${t('feed.edited')}` : '')
      + (p.state !== 'published' ? ` · ${t(`feed.state.${p.state}`)}` : '');
    el.parts.title.textContent = p.title || '';
    el.parts.title.hidden = !p.title;
    el.parts.body.textContent = p.kind === 'live' && p.hashtag ? `${p.body} ${p.hashtag}` : p.body;
    if (p.author && p.kind !== 'social') el.parts.body.append(h('span', { class: 'q-meta' }, ` — ${p.author}`));
    if (p.photo && el.parts.photo.dataset.src !== p.photo) {
      el.parts.photo.dataset.src = p.photo;
      setChildren(el.parts.photo, h('img', { src: p.photo, alt: p.body || t('feed.photo_from', { site: who }), loading: 'lazy' }));
    }
    setChildren(el.parts.foot, footFor(live, p, role));
  });
  if (!posts.length) container.replaceChildren(h('li', { class: 'empty' }, t('feed.none')));
}

function footFor(live, p, role) {
  const out = [];
  if (p.kind === 'proposal' && p.state === 'published') {
    if (role === 'viewer') {
      out.push(upvoteButton(live, { id: p.id, votes: p.votes, mineKey: 'proposals_upvoted', label: 'feed.upvote_sr',
        upvote: { type: 'feed.upvote', post: p.id }, unvote: { type: 'feed.unvote', post: p.id } }));
    } else {
      out.push(h('span', { class: 'votes' }, t('qna.votes', { n: p.votes })));
    }
  }
  if (role === 'regie' && p.kind === 'live' && p.state === 'published') out.push(...liveActions(live, p));
  if (p.social) out.push(...socialLines(live, p, role));
  if (p.kind === 'social') return [...out, ...networkPostFoot(live, p, role)];
  if (role === 'moderator' && p.state === 'pending') {
    out.push(h('button', { type: 'button', class: 'small ok', onclick: () => act(live, { type: 'feed.approve', post: p.id }) }, t('feed.approve')));
    out.push(h('button', { type: 'button', class: 'small no', onclick: () => act(live, { type: 'feed.reject', post: p.id }) }, t('feed.reject')));
  }
  return out;
}

// The régie corrects a live post (in the composer: one place to type) or takes it back.
const EDIT_EVENT = 'live-post-edit';
function liveActions(live, p) {
  const quoted = p.body.length > 40 ? `${p.body.slice(0, 40)}…` : p.body;
  return [
    h('button', { type: 'button', class: 'small', 'aria-label': t('feed.edit_sr', { text: quoted }),
      onclick: () => document.dispatchEvent(new CustomEvent(EDIT_EVENT, { detail: p.id })) }, t('feed.edit')),
    h('button', { type: 'button', class: 'small no', 'aria-label': t('feed.remove_sr', { text: quoted }),
      onclick: () => {
        if (!window.confirm(t('feed.confirm_remove'))) return;
        act(live, { type: 'feed.remove', post: p.id });
      } }, t('feed.remove')),
  ];
}

// What the régie's list keeps of a live post it took back: shown while a network still deletes it.
const SETTLED = new Set(['deleted', 'withdrawn']);
export const regieShows = (p) => p.state === 'published'
  || (p.kind === 'live' && p.state === 'removed' && Object.values(p.social || {}).some((d) => !SETTLED.has(d.state)));

// A network's post: its link; for the régie, show / hide / block its account.
function networkPostFoot(live, p, role) {
  const out = [];
  const network = t(`social.network.${p.network}`);
  if (role !== 'readonly' && p.url && WEB_LINK.test(p.url)) {  // a projector's wall: nobody to click it
    out.push(h('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': t('social.open_sr', { network }) }, t('social.open')));
  }
  if (role !== 'moderator' && role !== 'regie') return out;
  const handle = p.handle || p.author || '?';
  if (p.state !== 'published') {
    out.push(h('button', { type: 'button', class: 'small ok', 'aria-label': t('social.show_sr', { handle }),
      onclick: () => act(live, { type: 'social.show', post: p.id }) }, t('social.show')));
  }
  if (p.state !== 'rejected') {
    out.push(h('button', { type: 'button', class: 'small no', 'aria-label': t('social.hide_sr', { handle }),
      onclick: () => act(live, { type: 'social.hide', post: p.id }) }, t('social.hide')));
  }
  if (p.handle) {
    out.push(h('button', { type: 'button', class: 'small no', 'aria-label': t('social.block_sr', { handle, network }),
      onclick: () => {
        if (!window.confirm(t('social.confirm_block', { handle, network }))) return;
        act(live, { type: 'social.block', network: p.network, handle: p.handle });
      } }, t('social.block')));
  }
  return out;
}

const RETRIABLE = new Set(['failed', 'refused']);
const WITHDRAWABLE = new Set(['queued', 'failed', 'refused', 'sent']);
const WEB_LINK = /^https?:\/\//;  // a network's answer: only a web address becomes a link
const GONE = new Set(['deleting', 'deleted']);  // no link to what is no longer there

// A live post on each network: everybody gets the link once published; the régie ("regie")
// sees every state, the network's reason when it refused, and may retry or withdraw.
function socialLines(live, p, role) {
  return Object.entries(p.social).map(([network, d]) => {
    const name = t(`social.network.${network}`);
    const line = h('p', { class: 'social-state', 'data-network': network, 'data-state': d.state });
    const link = d.url && WEB_LINK.test(d.url) && !GONE.has(d.state)
      ? h('a', { href: d.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': t('social.open_sr', { network: name }) }, t('social.open'))
      : null;
    if (role !== 'regie') {
      if (!link) return null;
      line.append(`${name} · `, link);
      return line;
    }
    const state = t(`social.state.${d.state}`, { time: d.retry_at ? formatTime(d.retry_at, lang()) : '' });
    line.append(t('social.line', { network: name, state }));
    if (link) line.append(' · ', link);
    if (d.reason && d.state !== 'sent') line.append(h('span', { class: 'social-reason' }, ` — ${t('social.reason', { reason: d.reason })}`));
    if (RETRIABLE.has(d.state)) {
      line.append(' ', h('button', { type: 'button', class: 'small', 'aria-label': t('social.retry_sr', { network: name }),
        onclick: () => act(live, { type: 'social.retry', post: p.id, network }) }, t('social.retry')));
    }
    if (WITHDRAWABLE.has(d.state)) {
      line.append(' ', h('button', { type: 'button', class: 'small no', 'aria-label': t('social.withdraw_sr', { network: name }),
        onclick: () => {
          // sent already: withdrawing deletes it from the network, which cannot be undone
          if (d.state === 'sent' && !window.confirm(t('social.confirm_delete', { network: name }))) return;
          act(live, { type: 'social.withdraw', post: p.id, network });
        } }, t('social.withdraw')));
    }
    return line;
  }).filter(Boolean);
}

export function liveTweetComposer(live, token) {
  const text = h('textarea', { id: 'tweet-text', rows: 3, 'aria-describedby': 'tweet-count tweet-preview' });
  const count = h('span', { id: 'tweet-count', class: 'hint' });
  const preview = h('p', { id: 'tweet-preview', class: 'preview' });
  const label = h('label', { for: 'tweet-text' });
  const button = h('button', { type: 'submit', class: 'primary' });
  // The hub appends the event's hashtag, unless the post already has it (then it is not doubled).
  const tag = () => live.welcome.event.hashtag;
  // Hashtags are "#" and word characters only (the event file is checked): no escaping needed.
  // (Unicode word characters, as the hub counts them: "#EGNumérique" is another tag.)
  const hasTag = () => Boolean(tag())
    && new RegExp(`(^|[^\\p{L}\\p{N}_#])${tag()}(?![\\p{L}\\p{N}_])`, 'iu').test(text.value);
  const room = () => live.welcome.event.settings.limits.post_length - (tag() && !hasTag() ? tag().length + 1 : 0);
  let editing = null;  // the live post being corrected, or null: a new one
  const cancel = h('button', { type: 'button', hidden: true });
  const paint = () => {
    const left = room() - text.value.length;
    const edited = editing && live.state.posts[editing];
    label.textContent = edited ? t('feed.editing', { time: formatTime(edited.at, lang()) }) : t('feed.live_tweet');
    button.textContent = edited ? t('feed.save_edit') : t('feed.publish');
    cancel.textContent = t('feed.cancel_edit');
    cancel.hidden = !edited;
    count.textContent = t('feed.remaining', { n: left });
    count.classList.toggle('over', left < 0);
    preview.textContent = `${text.value.trim() || '…'} ${hasTag() ? '' : (tag() || '')}`.trim();
  };
  // A thread on the networks: this post follows on from the newest live post.
  const follows = h('input', { type: 'checkbox', id: 'tweet-continues' });
  const followsLabel = h('label', { for: 'tweet-continues', class: 'check' });
  const newestLive = () => postsNewestFirst(live.state, (p) => p.kind === 'live')[0];
  text.addEventListener('input', paint);
  // A photo goes with it (on the networks too): uploaded to the hub first, as a site's are.
  const photo = h('input', { type: 'file', id: 'tweet-photo', accept: 'image/jpeg,image/png,image/webp' });
  const photoLabel = h('label', { for: 'tweet-photo' });
  const paintAll = () => { paint(); followsLabel.textContent = t('feed.continues'); photoLabel.textContent = t('feed.live_photo'); };
  document.addEventListener('langchange', paintAll);
  const extras = h('div', { class: 'composer-extras' }, h('p', {}, follows, ' ', followsLabel), photoLabel, photo);
  const form = h('form', { class: 'composer' }, label, text, count, preview, extras, button, ' ', cancel);
  const editMode = (id) => {
    editing = id;
    extras.hidden = Boolean(id);  // a correction changes the text only
    text.value = id ? live.state.posts[id].body : '';
    paint();
    text.focus();
  };
  document.addEventListener(EDIT_EVENT, (event) => editMode(event.detail));
  cancel.addEventListener('click', () => editMode(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (editing) {
      if (await act(live, { type: 'feed.edit', post: editing, text: text.value })) editMode(null);
      return;
    }
    const file = photo.files && photo.files[0];
    if (file && file.size > PHOTO_LIMIT) { showError({ code: 'upload.too_large', message: t('feed.photo') }); return; }
    const url = file ? await upload(live.welcome.event.id, token, file) : null;
    if (file && !url) return;  // refused: said by showError
    const parent = follows.checked ? newestLive() : null;
    const cmd = { type: 'feed.post', text: text.value, ...(parent ? { continues: parent.id } : {}), ...(url ? { photo: url } : {}) };
    if (await act(live, cmd)) { text.value = ''; follows.checked = false; photo.value = ''; paint(); }
  });
  paintAll();
  return form;
}

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const PHOTO_LIMIT = 5 * 1024 * 1024;

export function contributionForm(live, token) {
  const kind = h('select', { id: 'contrib-kind' }, ['experience_report', 'proposal', 'photo', 'quote'].map(
    (k) => h('option', { value: k, 'data-i18n': `feed.kind.${k}` }, t(`feed.kind.${k}`))));
  const title = h('input', { id: 'contrib-title' });
  const body = h('textarea', { id: 'contrib-body', rows: 4 });
  const author = h('input', { id: 'contrib-author' });
  // A proposal goes under one of the event's themes (or none), to be ranked with the others.
  const theme = h('select', { id: 'contrib-theme' }, h('option', { value: '', 'data-i18n': 'proposals.no_theme' }, t('proposals.no_theme')),
    live.welcome.event.themes.map((th) => h('option', { value: th.id }, th.title)));
  const photo = h('input', { id: 'contrib-photo', type: 'file', accept: PHOTO_TYPES.join(',') });
  const status = h('p', { class: 'form-status', role: 'status' });
  const field = (id, key, input) => h('div', { class: 'field' }, h('label', { for: id, 'data-i18n': key }, t(key)), input);
  const parts = { title: field('contrib-title', 'feed.title', title), author: field('contrib-author', 'feed.author', author),
    photo: field('contrib-photo', 'feed.photo', photo), theme: field('contrib-theme', 'proposals.theme', theme) };
  const sync = () => {
    parts.title.hidden = !['experience_report', 'proposal'].includes(kind.value);
    parts.author.hidden = kind.value !== 'quote';
    parts.photo.hidden = kind.value !== 'photo';
    parts.theme.hidden = kind.value !== 'proposal' || !live.welcome.event.themes.length;
  };
  kind.addEventListener('change', sync);
  const submit = h('button', { type: 'submit', class: 'primary', 'data-i18n': 'feed.push' }, t('feed.push'));
  const form = h('form', { class: 'contribution' }, field('contrib-kind', 'feed.kind_label', kind), parts.title, parts.theme,
    field('contrib-body', 'feed.text', body), parts.author, parts.photo, submit, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    const cmd = { type: 'feed.contribute', kind: kind.value, title: title.value, body: body.value };
    if (kind.value === 'quote' && author.value.trim()) cmd.author = author.value.trim();
    if (kind.value === 'proposal' && theme.value) cmd.theme = theme.value;
    if (kind.value === 'photo') {
      const file = photo.files[0];
      if (!file) { status.textContent = t('errors.contribution.photo'); return; }
      if (!PHOTO_TYPES.includes(file.type)) { status.textContent = t('errors.upload.type'); return; }
      if (file.size > PHOTO_LIMIT) { status.textContent = t('errors.upload.too_large'); return; }
      submit.disabled = true;
      const url = await upload(live.event, token, file);
      submit.disabled = false;
      if (!url) return;
      cmd.photo = url;
    }
    const ack = await act(live, cmd);
    if (ack) {
      form.reset();
      sync();
      flash(status, ack.result.state === 'pending' ? t('feed.sent_pending') : t('feed.sent'));
    }
  });
  sync();
  return form;
}

async function upload(event, token, file) {
  const response = await fetch(`/api/events/${encodeURIComponent(event)}/uploads`, {
    method: 'POST', body: file, headers: { Authorization: `Bearer ${token}`, 'Content-Type': file.type } });
  const body = await response.json().catch(() => ({ code: 'internal' }));
  if (!response.ok) { showError(body); return null; }
  return body.url;
}
