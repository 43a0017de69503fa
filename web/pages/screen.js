// The big screen of a site: a projector. One 16:9 scene at a time, chosen by the
// control room (state.scene): join, the highlighted question, a poll's results, the
// proposals' ranking, the wall, the program full screen, the sites' cameras, a pause.
// Nothing on it is a control: it is read from the back of a room, never touched.
import { $, h, setChildren } from '../lib/dom.js';
import { lang, setLang, t, translate } from '../lib/i18n.js';
import { eventFromPath, siteCity, siteName, startPage, staffToken } from '../lib/app.js';
import { highlightBlock } from '../features/qna.js';
import { choiceLabels, results } from '../features/polls.js';
import { renderFeed } from '../features/feed.js';
import { floatNewReactions } from '../features/reactions.js';
import { onAirBadge } from '../features/stage.js';
import { mosaic, playerPanel } from '../features/media.js';
import { nowNext, sessionLine } from '../features/programme.js';
import { leaders } from '../features/proposals.js';
import { regionsTable } from '../features/synthesis.js';
import { watchAnnouncements } from './common.js';
import { fitScene } from '../lib/fit.js';
import { captionBox } from '../features/captions.js';
import { timerDisplay } from '../features/timers.js';
import { trackState } from '../features/tracks.js';

const { event, site } = eventFromPath();
const token = staffToken(`mx.token.${event}.screen.${site}`);
const announceChanges = watchAnnouncements();
let ui = null;
let lastTotals = null;
let shownKey = null;  // the scene on screen now, and the language it was drawn in
let qrUrl = null;

async function loadQr() {
  const response = await fetch(`/api/events/${encodeURIComponent(event)}/sites/${encodeURIComponent(site)}/qr.svg`,
    { headers: { Authorization: `Bearer ${token}` } });
  if (response.ok) qrUrl = URL.createObjectURL(await response.blob());
  if (window.__mx && window.__mx.state) window.__mx.changed([]);
}

const joinUrl = () => `${location.host}/e/${event}`;

// The scene to show: the control room's, or the join scene when it has nothing to show.
function sceneOf(l) {
  const chosen = (l.state.scene && l.state.scene.scene) || 'join';
  if (chosen === 'question' && !l.state.highlight) return 'join';
  if (chosen === 'poll' && !(l.state.screen && l.state.polls[l.state.screen])) return 'join';
  return chosen;
}

const scenes = {
  join(l) {
    return h('div', { class: 'scene-join' },
      h('img', { class: 'qr', alt: t('screen.qr_alt', { site: siteName(l, site) }), src: qrUrl || null, hidden: !qrUrl }),
      h('div', { class: 'join-words' },
        h('h1', { class: 'scene-title' }, t('screen.join')),
        h('p', { class: 'join-site' }, siteName(l, site)),
        h('p', { class: 'join-how' }, t('screen.scan_or'), ' ', h('strong', { class: 'join-url' }, joinUrl())),
        h('p', { class: 'join-how' }, t('screen.code'), ' ', h('strong', { class: 'join-code' }, l.welcome.join_code || '')),
        l.welcome.event.hashtag ? h('p', { class: 'join-hashtag' }, l.welcome.event.hashtag) : null));
  },
  question(l) {
    return h('div', { class: 'scene-question screen-highlight' }, h('h1', { class: 'scene-label' }, t('qna.highlighted')),
      highlightBlock(l));
  },
  poll(l) {
    const poll = l.state.polls[l.state.screen];
    const view = (l.state.scene && l.state.scene.view) || 'all';
    const tally = l.state.tallies[poll.id];
    const table = view === 'sites' && tally && tally.counts_by_site && !tally.hidden;
    return h('div', { class: 'scene-poll', id: 'screen-poll' },
      h('h1', { class: 'screen-poll-question scene-title' }, poll.question,
        poll.state === 'closed' ? [' ', h('span', { class: 'badge badge-closed' }, t('polls.closed_mark'))] : null),
      table ? perSiteTable(l, poll, tally) : results(l, poll, view));
  },
  proposals(l) {
    if (l.state.imports && l.state.imports.regions.length) {
      return h('div', { class: 'scene-proposals screen-regions' }, h('h1', { class: 'scene-title' }, t('synthesis.regions')),
        regionsTable(l));
    }
    return h('div', { class: 'scene-proposals screen-ranking' }, h('h1', { class: 'scene-title' }, t('proposals.leaders')),
      leaders(l));
  },
  wall(l) {
    const list = h('ul', { class: 'posts wall', id: 'wall' });
    renderFeed(list, l, { role: 'readonly', limit: 6 });
    return h('div', { class: 'scene-wall' }, h('h1', { class: 'scene-title' }, t('screen.wall')), list);
  },
  program() {
    return h('div', { class: 'scene-program' }, ui.player.element);
  },
  sites() {
    return h('div', { class: 'scene-sites' }, h('h1', { class: 'scene-title' }, t('screen.sites')), ui.cameras.element);
  },
  pause(l) {
    const { next } = trackState(l, site);  // what this room runs next
    const programme = l.welcome.event.programme;
    const message = l.state.scene && l.state.scene.message;
    return h('div', { class: 'scene-pause' }, h('h1', { class: 'scene-title' }, t('screen.pause')),
      message ? h('p', { class: 'pause-message' }, message) : null,
      next !== null && next !== undefined && programme[next]
        ? h('div', { class: 'pause-next' }, h('p', { class: 'scene-label' }, t('programme.next')),
          h('p', { class: 'pause-session' }, sessionLine(l, { ...programme[next], index: next })))
        : null);
  },
};

// Per site on a projector: one row per site, one column per answer — every site on
// one screen, where one chart per site would not fit at a readable size.
function perSiteTable(l, poll, tally) {
  const labels = choiceLabels(poll);
  const origins = [...l.welcome.event.sites.map((s) => s.id), 'remote'].filter((o) => tally.counts_by_site[o]);
  const hands = tally.hands_by_site || {};  // counted in the room: a row of its own, marked
  return h('div', { class: 'results' }, h('p', { class: 'ballots' }, t('polls.ballots', { n: tally.ballots })),
    h('table', { class: 'per-site-table' },
      h('caption', { class: 'sr-only' }, t('polls.view_sites')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('screen.site')), labels.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, origins.map((origin) => {
        const counts = tally.counts_by_site[origin];
        const voters = tally.ballots_by_site[origin] || 0;
        return h('tr', { dataset: { site: origin } }, h('th', { scope: 'row' }, siteCity(l, origin)),
          counts.map((n) => {
            const pct = voters ? Math.round((100 * n) / voters) : 0;
            return h('td', {}, h('span', { class: 'cell-bar', 'aria-hidden': 'true', style: { width: `${pct}%` } }),
              h('span', { class: 'cell-value' }, `${pct} %`));
          }));
      }), Object.entries(hands).map(([origin, counts]) => {
        const people = counts.reduce((a, b) => a + b, 0);
        return h('tr', { class: 'hands-row', dataset: { site: origin, hands: 'true' } },
          h('th', { scope: 'row' }, `${siteCity(l, origin)} ✋`, h('span', { class: 'sr-only' }, ` ${t('polls.hands_short')}`)),
          counts.map((n) => {
            const pct = people ? Math.round((100 * n) / people) : 0;
            return h('td', {}, h('span', { class: 'cell-bar', 'aria-hidden': 'true', style: { width: `${pct}%` } }),
              h('span', { class: 'cell-value' }, `${pct} %`));
          }));
      }))),
    Object.keys(hands).length ? h('p', { class: 'hands-note' }, `✋ ${t('polls.hands_short')}`) : null);
}

// Live media only while its scene is on: a projector showing the wall pulls no video.
function mediaFor(scene, l) {
  if (scene === 'program') ui.player.update(l); else ui.player.close();
  if (scene === 'sites') ui.cameras.update(l); else ui.cameras.close();
}

// The room's language: the site's, else the event's (config/events), unless the
// projector's link asks for one (?lang=). Nobody picks a language on a projector, so
// it is not remembered as a person's choice would be.
function roomLanguage(l) {
  if (new URLSearchParams(location.search).get('lang')) return null;
  const here = l.welcome.event.sites.find((s) => s.id === site);
  return (here && here.language) || l.welcome.event.language || null;
}

function render(l) {
  if (!ui) {
    const room = roomLanguage(l);
    if (room && room !== lang()) setLang(room, false);  // its langchange draws the page again
    ui = { bar: h('div', { class: 'bar' }), stage: h('div', { class: 'stage', 'aria-live': 'polite' }),
      ticker: h('div', { class: 'ticker' }), floats: h('div', { class: 'floats', 'aria-hidden': 'true' }),
      player: playerPanel(l, { controls: false, screen: token }), cameras: mosaic(l, { all: true, screen: token }),
      captions: captionBox(l),
      timer: timerDisplay(l, site, { big: true }) };
    setChildren($('#main'), h('div', { class: 'projector' },
      h('div', { class: 'frame' }, h('div', { class: 'inner' }, ui.bar, ui.stage, ui.captions.element, ui.ticker),
        ui.timer.element, ui.floats)));
    loadQr();
  }
  const scene = sceneOf(l);
  ui.captions.update(l);  // before the scene is fitted: the band takes its share of the height
  ui.timer.update();
  setChildren(ui.bar, h('p', { class: 'bar-site' }, siteName(l, site)), onAirBadge(l),
    l.welcome.event.hashtag ? h('p', { class: 'bar-hashtag' }, l.welcome.event.hashtag) : null);
  setChildren(ui.ticker, nowNext(l),
    scene === 'join' ? null : h('p', { class: 'ticker-join' }, t('screen.join_short', { url: joinUrl(), code: l.welcome.join_code || '' })));
  const key = `${scene}|${document.documentElement.lang}`;
  const fresh = shownKey !== key;
  // A new scene fades in; the same scene is redrawn without the fade (the live media
  // scenes keep their players and are not redrawn at all).
  if (fresh || !['program', 'sites'].includes(scene)) {
    const content = scenes[scene](l);
    content.classList.add('scene');
    content.dataset.scene = scene;
    if (fresh) content.classList.add('scene-enter');
    ui.stage.replaceChildren(content);
    fitScene(content);
  }
  shownKey = key;
  ui.stage.dataset.scene = scene;
  ui.stage.parentElement.classList.toggle('full', scene === 'program');  // the program: the whole frame
  mediaFor(scene, l);
  const totals = l.state.reactions ? l.state.reactions.totals : {};
  if (lastTotals) floatNewReactions(ui.floats, lastTotals, totals);
  lastTotals = { ...totals };
  translate($('#main'));
  announceChanges(l);
}

if (token) {
  startPage({
    event,
    token,
    title: (l) => `${l && l.welcome ? siteName(l, site) : site} — ${t('screen.title')} — Multiplex`,
    render,
  });
  window.addEventListener('resize', () => { const el = $('.stage > .scene'); if (el) fitScene(el); });
}
