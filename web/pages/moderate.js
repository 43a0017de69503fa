// The control room (régie): moderation, polls, live-tweets, the on-air switch.
import { $, h, refill, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { act, eventFromPath, sections, siteCity, startPage, staffToken, section } from '../lib/app.js';
import { sceneControl } from '../features/scenes.js';
import { renderQuestions } from '../features/qna.js';
import { pollBuilder, pollStatus, preparedPolls, refreshPollStatusVotes, renderPollList } from '../features/polls.js';
import { liveTweetComposer, regieShows, renderFeed } from '../features/feed.js';
import { floorQueue, recordingControl } from '../features/stage.js';
import { switcher } from '../features/switcher.js';
import { panes } from '../features/panes.js';
import { countersTable } from '../features/counters.js';
import { currentSessionControl, inSession, refreshSessionFilter } from '../features/programme.js';
import { importForm, regionsTable, synthesisLinks } from '../features/synthesis.js';
import { installShortcuts, shortcutsHelp } from '../features/shortcuts.js';
import { onTrack, trackFilter, tracksBoard } from '../features/tracks.js';
import { inviteesImport } from '../features/invitees.js';
import { audiencePanel } from '../features/audience.js';
import { networksPanel } from '../features/networks.js';
import { watchAnnouncements } from './common.js';

const { event } = eventFromPath();
const token = staffToken(`mx.token.${event}.moderate`);

let ui = null;
let view = 'all';
let session = 'all';  // the questions of every session, or of one
let track = 'all';    // the questions of every track, of the program's, or of one site's
const page = sections();
const announceChanges = watchAnnouncements();

if (token) {
  startPage({
    event,
    token,
    title: () => `${t('moderate.title')} — Multiplex`,
    header: () => h('span', { class: 'where' }, t('moderate.title')),
    render: (l, changed) => {
      if (!ui) {
        ui = { switch: switcher(l, token), scenes: h('div'), counts: {}, queue: h('div'), record: h('div'), counters: h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'h-counters' }),
          pending: h('ul', { class: 'questions', id: 'queue-pending' }), visible: h('ul', { class: 'questions', id: 'queue-visible' }),
          polls: h('div', { id: 'poll-list' }), pollStatus: h('div', { id: 'poll-status' }), view: h('div'), contributions: h('ul', { class: 'posts', id: 'pending-posts' }),
          feed: h('ul', { class: 'posts', id: 'posts' }), current: h('div'), sessionFilter: h('div'),
          report: h('div'), synthesis: h('div'), regions: h('div'), replays: h('div'),
          archive: h('ul', { class: 'questions', id: 'queue-archive' }), help: h('div'), prepared: h('div'),
          tracks: h('div'), trackFilter: h('div'), audience: audiencePanel(l, event, token) };
        installShortcuts(l);
        // Headings that say how much waits in each pane, in the page's language.
        const counted = (id, key) => {
          ui.counts[id] = h('span', { class: 'count', dataset: { count: id } });
          return h('h3', {}, h('span', { 'data-i18n': key }), ' ', ui.counts[id]);
        };
        // The tabs' counts: what waits in each pane, seen from the other panes.
        for (const id of ['queue', 'polls', 'tweets', 'contributions', 'floor']) {
          ui.counts[`tab-${id}`] = h('span', { class: 'count', dataset: { count: `tab-${id}` } });
        }
        const tab = (id, panel) => ({ id, label: `moderate.tab.${id}`, panel, count: ui.counts[`tab-${id}`] });
        // A control room at a desk: the mixer top left, what the screens and the day need
        // below it, the audience's flow (questions, polls, live-tweets) on the right; each
        // pane scrolls inside itself, the page never does (docs/screens.md).
        ui.deck = panes('deck', [
          tab('screens', section('screens', 'moderate.screens', ui.scenes)),
          tab('tracks', section('tracks', 'tracks.title', ui.tracks)),
          // the session under way and its recording go together: declared, then recorded
          tab('programme', section('programme', 'tracks.everywhere', ui.current,
            h('h3', { 'data-i18n': 'stage.recordings' }), ui.record,
            h('h3', { 'data-i18n': 'replay.recorded' }), ui.replays)),
          tab('floor', section('floor', 'stage.floor_queue', ui.queue,
            h('button', { type: 'button', class: 'small', onclick: () => l.send({ type: 'stage.clear_floor' }).catch(() => {}), 'data-i18n': 'stage.clear' }))),
          tab('counters', section('counters', 'moderate.counters', ui.counters,
            h('h3', { 'data-i18n': 'audience.title' }), ui.audience.element)),
          tab('prep', h('div', { class: 'col' },
            section('invitees', 'rooms.invitees', inviteesImport(l, token)),
            section('report', 'report.title', ui.report),
            section('synthesis', 'synthesis.title', ui.synthesis, h('h3', { 'data-i18n': 'synthesis.import' }),
              importForm(l, token), h('h3', { 'data-i18n': 'synthesis.regions' }), ui.regions))),
        ], { label: 'moderate.deck' });
        ui.work = panes('work', [
          tab('queue', section('queue', 'moderate.queue', ui.help, ui.trackFilter, ui.sessionFilter,
            counted('pending', 'moderate.pending'), ui.pending,
            counted('visible', 'moderate.visible'), ui.visible,
            counted('archive', 'qna.archive'), ui.archive)),
          tab('polls', section('polls', 'moderate.polls', ui.pollStatus, ui.prepared,
            pollBuilder(l, { scope: true }), counted('polls', 'moderate.polls_made'), ui.view, ui.polls)),
          tab('tweets', section('tweet', 'moderate.live_tweets', liveTweetComposer(l, token), networksPanel(l, event, token), ui.feed)),
          tab('contributions', section('contributions', 'moderate.contributions',
            counted('contributions', 'moderate.to_review'), ui.contributions)),
        ], { label: 'moderate.work' });
        setChildren($('#main'), h('div', { class: 'regie' },
          h('div', { class: 'regie-switcher' }, section('onair', 'moderate.on_air', ui.switch.element)),
          h('div', { class: 'regie-deck' }, ui.deck.element),
          h('div', { class: 'regie-work' }, ui.work.element)));
        translate(document);
        watchSections(l);
      }
      page.run(changed);
      translate($('#main'));
      announceChanges(l);
    },
  });
}

// Each pane redraws when one of its keys changed, and only then: a vote storm moves the
// bars and the counts, never the selects, the filters or a control under the cursor.
function watchSections(l) {
  const numbers = () => {
    const shown = onTrack(track);
    const inThis = inSession(session);
    return (q) => shown(q) && inThis(q);
  };
  page.watch(['stage', 'presence'], () => ui.switch.update(l));
  page.watch(['scene', 'highlight', 'screen', 'poll'], () => refill(ui.scenes, sceneControl(l)));
  page.watch(['stage'], () => {
    refill(ui.queue, floorQueue(l, { grant: true }));
    refill(ui.record, recordingControl(l));
    refill(ui.current, currentSessionControl(l));
  });
  page.watch(['publishing'], () => refill(ui.report, reportControl(l)));
  page.watch(['stage', 'publishing'], () => refreshReplays(l));
  page.watch(['imports'], () => { setChildren(ui.synthesis, synthesisLinks(l)); setChildren(ui.regions, regionsTable(l)); });
  page.watch(['stage', 'site_screens', 'rooms', 'presence', 'question'], () => refill(ui.tracks, tracksBoard(l)));
  page.watch(['question', 'stage'], () => {
    if (ui.trackFilter.dataset.lang !== document.documentElement.lang) {  // built once: it never closes under the cursor
      ui.trackFilter.dataset.lang = document.documentElement.lang;
      refill(ui.trackFilter, trackFilter(l, track, (v) => { track = v; l.changed([]); }));
    }
    refreshSessionFilter(ui.sessionFilter, l, session, (v) => { session = v; l.changed([]); });
  });
  page.watch(['presence', 'question', 'reactions', 'tally'], () => setChildren(ui.counters,
    countersTable(l, [...l.welcome.event.sites.map((s) => s.id), 'remote'])));
  page.watch(['me'], () => ui.audience.redraw());  // in the page's language
  page.watch(['question', 'highlight', 'site_screens', 'me'], () => {
    const picked = numbers();
    renderQuestions(ui.pending, l, { role: 'moderator', by: 'time', states: ['pending'], filter: picked });
    renderQuestions(ui.visible, l, { role: 'moderator', by: 'votes', states: ['visible'], filter: picked });
    renderQuestions(ui.archive, l, { role: 'moderator', by: 'time', states: ['answered', 'dismissed'], filter: picked });
  });
  page.watch(['poll'], () => { refill(ui.view, viewToggleFor(l)); refill(ui.prepared, preparedPolls(l)); });
  page.watch(['poll', 'tally', 'screen', 'site_screens'], () => renderPollList(ui.polls, l, view));
  page.watch(['poll', 'screen', 'scene'], () => refill(ui.pollStatus, pollStatus(l)));
  page.watch(['tally'], () => refreshPollStatusVotes(ui.pollStatus, l));
  page.watch(['post'], () => {
    renderFeed(ui.contributions, l, { role: 'moderator', filter: (p) => p.state === 'pending' });
    renderFeed(ui.feed, l, { role: 'regie', limit: 10, filter: regieShows });
  });
  page.watch(['question', 'post', 'poll', 'stage'], () => {
    const questions = Object.values(l.state.questions).filter(numbers());
    const count = (states) => questions.filter((q) => states.includes(q.state)).length;
    const posts = Object.values(l.state.posts);
    const figures = { pending: count(['pending']), visible: count(['visible']), archive: count(['answered', 'dismissed']),
      contributions: posts.filter((p) => p.state === 'pending').length,
      polls: Object.keys(l.state.polls).length };
    // the tabs: what waits (questions and contributions to moderate), what is open, what went out
    const tabs = { queue: figures.pending, contributions: figures.contributions,
      polls: Object.values(l.state.polls).filter((p) => p.state === 'open').length,
      tweets: posts.filter((p) => p.kind === 'live' && p.state === 'published').length, floor: l.state.stage.floor_queue.length };
    const format = new Intl.NumberFormat(document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR');
    for (const [id, n] of Object.entries(figures)) ui.counts[id].textContent = `(${format.format(n)})`;
    for (const [id, n] of Object.entries(tabs)) {
      const el = ui.counts[`tab-${id}`];
      if (Number(el.dataset.n || 0) < n && ['queue', 'contributions', 'floor'].includes(id)) (id === 'floor' ? ui.deck : ui.work).mark(id);
      el.dataset.n = String(n);
      el.textContent = `(${format.format(n)})`;
    }
  });
  page.watch(['me'], () => {
    if (!ui.help.firstChild || ui.help.dataset.lang !== document.documentElement.lang) {
      ui.help.dataset.lang = document.documentElement.lang;
      ui.help.replaceChildren(shortcutsHelp());
    }
  });
}

// Recorded sessions and their replays: fetched again when recording or publishing changes.
let replaysKey = null;
let recorded = [];
async function refreshReplays(l) {
  const tracks = Object.values(l.state.stage.tracks || {}).map((tr) => tr.session);
  const key = JSON.stringify([l.state.stage.recording, tracks, l.state.publishing && l.state.publishing.replays]);
  if (key !== replaysKey) {
    replaysKey = key;
    const response = await fetch(`/api/events/${encodeURIComponent(event)}/replays`,
      { headers: { Authorization: `Bearer ${token}` } });
    if (response.ok) recorded = (await response.json()).replays;
  }
  const published = new Set((l.state.publishing && l.state.publishing.replays) || []);
  refill(ui.replays, recorded.length ? h('ul', { class: 'plain', id: 'replay-list' }, recorded.map((r) => h('li', {},
    `${r.start} — ${r.title} (${siteCity(l, r.site)}) · ${t(published.has(r.session) ? 'replay.published' : 'replay.not_published')} `,
    h('button', { type: 'button', class: 'small', dataset: { action: `replay-${r.session}` },
      onclick: () => act(l, { type: 'replay.publish', session: r.session, public: !published.has(r.session) }) },
    t(published.has(r.session) ? 'replay.unpublish' : 'replay.publish')))),
  h('li', {}, h('a', { href: `/e/${encodeURIComponent(event)}/replay`, target: '_blank', rel: 'noopener' }, t('replay.open'))))
    : h('p', { class: 'muted' }, t('replay.no_recording')));
}

// The key figures: open the report, make it public (or not).
function reportControl(l) {
  const published = Boolean(l.state.publishing && l.state.publishing.report);
  return h('div', {}, h('p', {}, t(published ? 'report.public' : 'report.private')),
    h('div', { class: 'actions' },
      h('a', { href: `/e/${encodeURIComponent(event)}/report#token=${token}`, target: '_blank', rel: 'noopener' },
        t('report.open')),
      h('button', { type: 'button', class: `small ${published ? 'no' : 'ok'}`, dataset: { action: 'publish-report' },
        onclick: () => act(l, { type: 'report.publish', public: !published }) },
      t(published ? 'report.unpublish' : 'report.publish'))));
}

function viewToggleFor(l) {
  return h('div', { class: 'toggle', role: 'group', 'aria-label': t('polls.view') },
    ['all', 'sites'].map((v) => h('button', { type: 'button', class: 'small', 'aria-pressed': String(view === v),
      onclick: () => { view = v; l.changed([]); } }, t(`polls.view_${v}`))));
}
