// The site coordinator's page: the site is a stage of its own. Its session (the
// programme's clock proposes the next one), its camera, its screens and timer, its
// room's questions and polls, the people at its door, contributions, the floor.
import { $, h, refill, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, sections, siteName, startPage, staffToken, section } from '../lib/app.js';
import { renderQuestions } from '../features/qna.js';
import { contributionForm, renderFeed } from '../features/feed.js';
import { floorRequest, onAirBadge } from '../features/stage.js';
import { nowNext, programmeList } from '../features/programme.js';
import { ranking } from '../features/proposals.js';
import { mosaic, publishPanel } from '../features/media.js';
import { siteCounters } from '../features/counters.js';
import { pollBuilder, renderPollList } from '../features/polls.js';
import { sceneControl } from '../features/scenes.js';
import { trackControl } from '../features/tracks.js';
import { checkinPanel, handsForm, headcountForm, roomFigures } from '../features/rooms.js';
import { timerControl, timerDisplay } from '../features/timers.js';
import { watchAnnouncements } from './common.js';

const { event, site } = eventFromPath();
const token = staffToken(`mx.token.${event}.site.${site}`);

function counterList(l) {
  const c = siteCounters(l.state, site);
  return h('dl', { class: 'kpis' }, ['now', 'peak', 'questions', 'votes', 'reactions'].map((k) =>
    h('div', {}, h('dt', {}, t(`counters.${k}`)), h('dd', {}, String(c[k])))));
}

let ui = null;
let others = null;
const page = sections();
const announceChanges = watchAnnouncements();

if (token) {
  // The badges' check-in links open on this phone too (web/pages/checkin.js): keep the link for them.
  localStorage.setItem(`mx.checkin.${event}.${site}`, token);
  startPage({
    event,
    token,
    title: (l) => `${l && l.welcome ? siteName(l, site) : site} — ${t('site.title')} — Multiplex`,
    header: (l) => (l.welcome ? h('span', { class: 'where' }, t('site.coordinating', { site: siteName(l, site) })) : null),
    render: (l, changed) => {
      if (!ui) {
        others = mosaic(l);
        ui = { stage: h('div'), floor: h('div'), counters: h('div'), track: h('div', { id: 'track' }),
          timer: timerControl(l, site), timerShown: timerDisplay(l, site), screens: h('div'),
          room: h('div'), headcount: headcountForm(l, site), door: checkinPanel(l, site),
          polls: h('div', { id: 'room-polls' }),
          pending: h('ul', { class: 'questions', id: 'pending-questions' }),
          questions: h('ul', { class: 'questions', id: 'site-questions-list' }),
          mine: h('ul', { class: 'posts', id: 'site-posts' }),
          programme: h('div'), proposals: h('ul', { class: 'posts', id: 'site-proposals' }), ranking: h('div') };
        // a coordinator's phone at the door jumps to its section: the page is long, the queue is not
        const jump = h('nav', { class: 'jump', 'data-i18n-attr': 'aria-label:site.sections' },
          [['session', 'tracks.our_session'], ['camera', 'media.our_camera'], ['moderation', 'site.pending'],
            ['room-polls-section', 'tracks.room_polls'], ['door', 'rooms.title'], ['programme', 'programme.title']]
            .map(([id, key]) => h('a', { href: `#${id}`, 'data-i18n': key })));
        setChildren($('#main'), jump, h('div', { class: 'columns three' },
          h('div', { class: 'col' },
            section('session', 'tracks.our_session', ui.track, h('h3', { 'data-i18n': 'timers.title' }), ui.timerShown.element,
              ui.timer.element),
            section('camera', 'media.our_camera', publishPanel(l, token)),
            section('stage', 'site.stage', ui.stage, ui.floor),
            section('site-screens', 'tracks.our_screens', ui.screens),
            section('others', 'media.other_sites', others.element)),
          h('div', { class: 'col' },
            section('moderation', 'site.pending', ui.pending),
            section('site-questions', 'site.questions', ui.questions),
            section('room-polls-section', 'tracks.room_polls', pollBuilder(l, { site }), ui.polls),
            section('site-proposals-section', 'proposals.pending_site', ui.proposals),
            section('site-ranking', 'proposals.ranking', ui.ranking)),
          h('div', { class: 'col' },
            section('door', 'rooms.title', ui.room, ui.headcount, ui.door.element),
            section('counters', 'site.counters', ui.counters),
            section('contribute', 'site.contribute', contributionForm(l, token)),
            section('site-feed', 'site.feed', ui.mine),
            section('programme', 'programme.title', ui.programme))));
        translate(document);
        watchSections(l);
      }
      page.run(changed);
      translate($('#main'));
      announceChanges(l);
    },
  });
}

// Each part redraws when one of its keys changed: a vote storm never closes the
// track's "other session" list or rebuilds the hands being typed.
function watchSections(l) {
  page.watch(['stage'], () => {
    setChildren(ui.stage, onAirBadge(l), nowNext(l));
    refill(ui.track, trackControl(l, site));
    setChildren(ui.programme, programmeList(l));
    setChildren(ui.floor, floorRequest(l));
  });
  page.watch(['timers'], () => { ui.timer.update(l); ui.timerShown.update(); });
  page.watch(['scene', 'highlight', 'screen', 'poll'], () => refill(ui.screens, sceneControl(l, { site })));
  page.watch(['rooms', 'person'], () => { setChildren(ui.room, roomFigures(l, site)); ui.door.update(); });
  // the room's own polls, run from here; the whole event's polls, for the room's show of hands
  page.watch(['poll', 'tally', 'screen'], () => renderPollList(ui.polls, l, 'all', { site,
    filter: (p) => p.site === site || (!p.site && p.state !== 'draft'),
    controls: (p) => p.site === site, extra: (p) => handsForm(l, p, site) }));
  page.watch(['stage', 'presence'], () => others.update(l));
  page.watch(['presence', 'question', 'tally', 'reactions'], () => setChildren(ui.counters, counterList(l)));
  page.watch(['question', 'highlight', 'me'], () => {
    renderQuestions(ui.pending, l, { role: 'coordinator', by: 'time', states: ['pending'] });
    renderQuestions(ui.questions, l, { role: 'coordinator', states: ['visible', 'answered'], filter: (q) => q.site === site });
  });
  page.watch(['post', 'me'], () => {
    renderFeed(ui.proposals, l, { role: 'moderator', filter: (p) => p.open && p.state === 'pending' && p.origin === site });
    setChildren(ui.ranking, ranking(l));
    renderFeed(ui.mine, l, { role: 'viewer', filter: (p) => p.state === 'published' || p.origin === site });
  });
}
