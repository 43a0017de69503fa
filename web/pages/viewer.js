// The viewer page: remote viewers and on-site participants (joined by QR code).
import { $, h, refill, setChildren } from '../lib/dom.js';
import { initI18n, t, translate } from '../lib/i18n.js';
import { eventFromPath, sections, siteCity, siteName, startPage } from '../lib/app.js';
import { followPicker, onTrack, trackOf } from '../features/tracks.js';
import { askForm, highlightBlock, myQuestions, renderQuestions } from '../features/qna.js';
import { ballotForm, currentPoll, results, viewToggle } from '../features/polls.js';
import { renderFeed } from '../features/feed.js';
import { reactionBar } from '../features/reactions.js';
import { onAirBadge } from '../features/stage.js';
import { playerPanel } from '../features/media.js';
import { PictureClock } from '../features/delay.js';
import { inSession, nowNext, programmeList, refreshSessionFilter } from '../features/programme.js';
import { proposalsPanel } from '../features/proposals.js';
import { viewerTabs } from '../features/tabs.js';
import { captionBox } from '../features/captions.js';
import { watchAnnouncements } from './common.js';

const { event, section, site: pathSite } = eventFromPath();
const STORE = `mx.join.${event}`;

function chosenJoin() {
  const code = new URLSearchParams(location.search).get('code');
  if (section === 'join' && pathSite && code) {
    localStorage.setItem(STORE, JSON.stringify({ site: pathSite, code }));
    history.replaceState(null, '', `/e/${encodeURIComponent(event)}`);
  }
  try { return JSON.parse(localStorage.getItem(STORE)); } catch { return null; }
}

const FOLLOW = `mx.follow.${event}`;

// Optional: who one is, so results read by category too. The categories are the
// event's own (the États généraux named the State, local authorities, associations…).
function categoryField(categories) {
  const label = (c) => (document.documentElement.lang === 'en' && c.en ? c.en : c.fr);
  return h('div', { class: 'field' },
    h('label', { for: 'join-category', 'data-i18n': 'category.label' }),
    h('select', { id: 'join-category', name: 'category', 'aria-describedby': 'join-category-hint' },
      h('option', { value: '', 'data-i18n': 'category.none' }),
      categories.map((c) => h('option', { value: c.id }, label(c)))),
    h('p', { class: 'hint', id: 'join-category-hint', 'data-i18n': 'category.hint' }));
}

// Joined by the site's QR code: the site is known, the category not asked yet.
// Asked once, beside the page rather than in front of it (joining stays one scan).
function askCategory(join, categories) {
  const form = h('form', { class: 'card ask-category', 'data-i18n-attr': 'aria-label:category.label' }, categoryField(categories),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary small', 'data-i18n': 'category.ok' }),
      h('button', { type: 'button', class: 'small', 'data-i18n': 'category.skip', onclick: () => remember(null) })));
  const remember = (category) => {
    localStorage.setItem(STORE, JSON.stringify({ ...join, category }));
    location.reload();  // the hub learns it at the next hello
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); remember(form.category.value || null); });
  return form;
}

// `problem`: why the picker is back (a wrong code); `chosen`: the site that was tried, kept
// chosen with its code field open, so trying again is typing the code only.
async function pickSite(problem, chosen = null) {
  await initI18n();
  const info = await (await fetch(`/api/events/${encodeURIComponent(event)}`)).json();
  document.title = `${info.title} — Multiplex`;
  const heading = document.querySelector('#top .event-title');
  if (heading) heading.textContent = info.title;  // not « Chargement… »: nothing else is loading
  if (problem) document.getElementById('toasts')?.replaceChildren();  // the picker says it, once
  const code = h('input', { id: 'site-code', autocomplete: 'off', autocapitalize: 'characters', maxlength: 6 });
  const codeField = h('div', { class: 'field', hidden: true }, h('label', { for: 'site-code', 'data-i18n': 'join.code' }), code,
    h('p', { class: 'hint', 'data-i18n': 'join.code_hint' }));
  const choices = [{ id: 'remote' }, ...info.sites].map((s) => {
    const id = `pick-${s.id}`;
    return h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'site', id, value: s.id, required: true,
      checked: s.id === chosen }),
      h('label', { for: id }, s.id === 'remote' ? h('span', { 'data-i18n': 'join.remote' }) : `${s.name}`));
  });
  const form = h('form', { class: 'card pick' },
    h('h1', {}, info.title), h('h2', { 'data-i18n': 'join.where' }),
    problem ? h('p', { class: 'toast', role: 'alert', 'data-i18n': problem }) : null,
    h('fieldset', {}, h('legend', { class: 'sr-only', 'data-i18n': 'join.where' }), choices), codeField,
    categoryField(info.categories || []), h('button', { type: 'submit', class: 'primary', 'data-i18n': 'join.go' }));
  form.addEventListener('change', () => { codeField.hidden = !form.site.value || form.site.value === 'remote'; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = form.site.value;
    if (!value) return;
    if (value !== 'remote' && !code.value.trim()) { code.focus(); return; }
    const category = form.category.value || null;
    localStorage.setItem(STORE, JSON.stringify(value === 'remote' ? { remote: true, category }
      : { site: value, code: code.value.trim().toUpperCase(), category }));
    location.reload();
  });
  setChildren($('#main'), form);
  translate(document);
  if (chosen && form.site.value === chosen) {
    codeField.hidden = false;
    code.setAttribute('aria-invalid', 'true');
    code.focus();
  }
}

function layout() {
  const sections = {
    player: h('section', { id: 'player', 'aria-labelledby': 'h-player' }, h('h2', { id: 'h-player', 'data-i18n': 'viewer.program' })),
    highlight: h('section', { id: 'highlight', 'aria-labelledby': 'h-highlight', 'aria-live': 'polite' },
      h('h2', { id: 'h-highlight', 'data-i18n': 'qna.highlighted' })),
    poll: h('section', { id: 'poll', 'aria-labelledby': 'h-poll' }, h('h2', { id: 'h-poll', 'data-i18n': 'polls.current' })),
    qna: h('section', { id: 'qna', 'aria-labelledby': 'h-qna' }, h('h2', { id: 'h-qna', 'data-i18n': 'qna.title' })),
    feed: h('section', { id: 'feed', 'aria-labelledby': 'h-feed' }, h('h2', { id: 'h-feed', 'data-i18n': 'feed.heading' })),
    proposals: h('section', { id: 'proposals', 'aria-labelledby': 'h-proposals' },
      h('h2', { id: 'h-proposals', 'data-i18n': 'proposals.title' })),
    programme: h('section', { id: 'programme', 'aria-labelledby': 'h-programme' },
      h('h2', { id: 'h-programme', 'data-i18n': 'programme.title' })),
  };
  const slots = {
    player: h('div'), highlight: h('div'), ballot: h('div'), results: h('div'), sort: h('div', { class: 'toolbar' }),
    questions: h('ul', { class: 'questions', id: 'questions' }), feed: h('ul', { class: 'posts', id: 'posts' }),
    reactions: h('div', { id: 'reactions' }), nowNext: h('div'), programme: h('div'), sessionFilter: h('div'),
    mine: h('div'), follow: h('div'), trackFilter: h('div'),
  };
  sections.player.append(slots.follow, slots.player, slots.nowNext);
  sections.programme.append(slots.programme);
  sections.highlight.append(slots.highlight);
  sections.poll.append(slots.ballot, slots.results);
  sections.feed.append(slots.feed);
  const tabs = viewerTabs([
    { id: 'direct', label: 'viewer.tab.direct', panels: [sections.player, sections.highlight] },
    { id: 'questions', label: 'viewer.tab.questions', panels: [sections.qna] },
    { id: 'poll', label: 'viewer.tab.poll', panels: [sections.poll, sections.proposals] },
    { id: 'feed', label: 'viewer.tab.feed', panels: [sections.feed] },
    { id: 'programme', label: 'viewer.tab.programme', panels: [sections.programme] },
  ], { player: sections.player });
  setChildren($('#main'), tabs.element, h('div', { class: 'columns' },
    h('div', { class: 'col' }, sections.player, sections.highlight, sections.poll, sections.proposals),
    h('div', { class: 'col' }, sections.qna, sections.feed, sections.programme)));
  $('#dock').append(slots.reactions);
  return { sections, slots, tabs };
}

async function main() {
  const join = chosenJoin();
  if (!join) return pickSite();
  let ui = null;
  let media = null;
  let proposals = null;
  let captions = null;
  let clock = null;
  let ballotKey;  // undefined: nothing drawn yet
  let sortBy = 'votes';
  let session = 'all';  // questions of every session, or of one
  let view = 'all';
  let track = 'all';  // the shared Q&A of every track, or only the track one is on (or follows)
  let seen = null;  // what the tabs' dots compare with
  let reactions = null;
  const page = sections();
  const announceChanges = watchAnnouncements();
  await startPage({
    event,
    join: join.site ? { site: join.site, code: join.code } : null,
    category: join.category,
    follow: join.site ? null : localStorage.getItem(FOLLOW),
    // a wrong site code: back to the picker, the site still chosen
    onRefused: () => { localStorage.removeItem(STORE); pickSite('join.bad_code', join.site || null); },
    title: (l) => `${l && l.welcome ? l.welcome.event.title : t('common.loading')} — Multiplex`,
    header: (l) => [
      l.welcome ? h('span', { class: 'where' }, t('viewer.you_are', { site: siteName(l, l.welcome.origin) })) : null,
      h('button', { type: 'button', class: 'small', onclick: () => { localStorage.removeItem(STORE); location.reload(); } }, t('viewer.change_site')),
    ],
    render: (l, changed) => {
      if (!ui) {
        ui = layout();
        media = playerPanel(l);
        // What the picture shows is held back by its delay (features/delay.js): the page draws from `view`.
        clock = new PictureClock(l, () => media.pictureTime(), () => Date.now() + (l.clockOffset || 0),
          (keys) => { page.run(keys); announceChanges(clock.view); });
        window.__mxPicture = clock;
        l.pictureDelayMs = () => media.delayMs();  // said with a vote: a closed poll may still take it
        const v = clock.view;
        if (join.category === undefined) $('#main').prepend(askCategory(join, l.welcome.event.categories || []));
        ui.sections.qna.append(askForm(v), ui.slots.mine, ui.slots.sort, ui.slots.trackFilter, ui.slots.sessionFilter,
          ui.slots.questions);
        ui.sections.player.insertBefore(media.element, ui.slots.nowNext);  // the picture first, then now / next
        captions = captionBox(v, { transcript: true });
        media.element.insertBefore(captions.element, media.element.querySelector('.toolbar'));  // right under the picture
        proposals = proposalsPanel(v);
        ui.sections.proposals.append(proposals.element);
        ui.sections.proposals.hidden = !l.welcome.event.themes.length;
        reactions = reactionBar(v);
        ui.slots.reactions.append(reactions.element);
        translate(document);
        watchSections(v);
      }
      page.run(clock.filter(changed));
      translate($('#main'));
      announceChanges(clock.view);
    },
  });

  // Each part of the page redraws when one of its keys changed, and only then.
  function watchSections(l) {
    const { slots } = ui;
    page.watch(['stage'], () => {
      const followKey = `${l.welcome.follow}|${document.documentElement.lang}`;
      if (l.welcome.role === 'viewer' && slots.follow.dataset.key !== followKey) {  // remote: the program, or a site's track
        slots.follow.dataset.key = followKey;  // built once per language: an open list never closes under the finger
        refill(slots.follow, followPicker(l, (site) => {
          if (site) localStorage.setItem(FOLLOW, site); else localStorage.removeItem(FOLLOW);
          l.followTrack(site);
        }));
      }
      const mine = trackOf(l);
      setChildren(slots.player, mine ? h('p', { class: 'following', id: 'following' },
        t('tracks.following', { site: siteName(l, mine) })) : null, onAirBadge(l));
      setChildren(slots.nowNext, nowNext(l));
      setChildren(slots.programme, programmeList(l));
    });
    page.watch(['question', 'stage'], () => refreshSessionFilter(slots.sessionFilter, l, session,
      (v) => { session = v; l.changed([]); }));
    page.watch(['stage', 'presence'], () => media.update(l));
    page.watch(['captions'], () => captions.update(l));
    page.watch(['post', 'me'], () => proposals.update(l));
    page.watch(['highlight'], () => setChildren(slots.highlight, highlightBlock(l)));
    page.watch(['poll', 'tally', 'screen', 'me'], () => {
      const poll = currentPoll(l.state);
      // Redrawn when the poll, its state, the language or my own ballot (« Modifier mon vote »
      // once the hub has it) changes; a half-filled ballot stays while the tallies move.
      const voted = poll && l.me && l.me.ballots ? JSON.stringify(l.me.ballots[poll.id] ?? null) : 'null';
      const key = `${poll ? `${poll.id}:${poll.state}` : 'none'}:${voted}:${document.documentElement.lang}`;
      if (key !== ballotKey) {
        ballotKey = key;
        setChildren(slots.ballot, !poll ? h('p', { class: 'muted' }, t('polls.none_open'))
          : poll.state === 'open' ? ballotForm(l, poll)
            : h('h3', {}, poll.question, ' ', h('span', { class: 'badge badge-closed' }, t('polls.closed_mark'))));
      }
      const draw = () => setChildren(slots.results, poll && l.state.tallies[poll.id] && !l.state.tallies[poll.id].hidden
        ? [viewToggle(view, (v) => { view = v; draw(); }), results(l, poll, view)]
        : poll ? results(l, poll) : null);
      draw();
    });
    page.watch(['question', 'highlight', 'me', 'stage'], () => {
      const mine = trackOf(l);
      setChildren(slots.sort, h('div', { class: 'toggle', role: 'group', 'aria-label': t('qna.sort') },
        ['votes', 'time'].map((by) => h('button', { type: 'button', class: 'small', 'aria-pressed': String(sortBy === by),
          dataset: { action: `sort-${by}` }, onclick: () => { sortBy = by; l.changed([]); } },
        t(`qna.sort_${by}`)))));
      refill(slots.trackFilter, mine ? h('div', { class: 'toggle', role: 'group', 'aria-label': t('tracks.filter') },
        ['mine', 'all'].map((v) => h('button', { type: 'button', class: 'small', 'aria-pressed': String(track === v),
          dataset: { action: `questions-${v}` }, onclick: () => { track = v; l.changed([]); } },
        v === 'mine' ? t('tracks.questions_here', { site: siteCity(l, mine) }) : t('tracks.all')))) : null);
      const here = mine && track === 'mine' ? onTrack(mine) : () => true;
      const inThis = inSession(session);
      renderQuestions(slots.questions, l, { role: 'viewer', by: sortBy, filter: (q) => here(q) && inThis(q) });
      setChildren(slots.mine, myQuestions(l));
    });
    page.watch(['post'], () => renderFeed(slots.feed, l, { role: 'viewer' }));
    page.watch(['poll', 'post'], () => {  // a dot on the tab where something new arrived
      const openPolls = Object.values(l.state.polls).filter((p) => p.state === 'open').map((p) => p.id).join();
      const posts = Object.keys(l.state.posts).length;
      if (seen && openPolls && openPolls !== seen.openPolls) ui.tabs.mark('poll');
      if (seen && posts > seen.posts) ui.tabs.mark('feed');
      seen = { openPolls, posts };
    });
    page.watch(['reactions'], () => reactions.update(l));  // the counts only: the buttons stay
  }
}

main();
