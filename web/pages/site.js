// The site coordinator's page: contributions, the site's questions, the floor.
import { $, h, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, siteName, startPage, staffToken, section } from '../lib/app.js';
import { renderQuestions } from '../features/qna.js';
import { contributionForm, renderFeed } from '../features/feed.js';
import { floorRequest, onAirBadge } from '../features/stage.js';
import { nowNext, programmeList } from '../features/programme.js';
import { ranking } from '../features/proposals.js';
import { mosaic, publishPanel } from '../features/media.js';
import { siteCounters } from '../features/counters.js';
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
const announceChanges = watchAnnouncements();

if (token) {
  startPage({
    event,
    token,
    title: (l) => `${l && l.welcome ? siteName(l, site) : site} — ${t('site.title')} — Multiplex`,
    header: (l) => (l.welcome ? h('span', { class: 'where' }, t('site.coordinating', { site: siteName(l, site) })) : null),
    render: (l) => {
      if (!ui) {
        others = mosaic(l);
        ui = { stage: h('div'), floor: h('div'), counters: h('div'),
          pending: h('ul', { class: 'questions', id: 'pending-questions' }),
          questions: h('ul', { class: 'questions' }), mine: h('ul', { class: 'posts', id: 'site-posts' }),
          programme: h('div'), proposals: h('ul', { class: 'posts', id: 'site-proposals' }), ranking: h('div') };
        setChildren($('#main'), h('div', { class: 'columns' },
          h('div', { class: 'col' },
            section('camera', 'media.our_camera', publishPanel(l, token)),
            section('stage', 'site.stage', ui.stage, ui.floor),
            section('others', 'media.other_sites', others.element),
            section('counters', 'site.counters', ui.counters),
            section('contribute', 'site.contribute', contributionForm(l, token))),
          h('div', { class: 'col' },
            section('moderation', 'site.pending', ui.pending),
            section('site-proposals-section', 'proposals.pending_site', ui.proposals),
            section('site-ranking', 'proposals.ranking', ui.ranking),
            section('site-questions', 'site.questions', ui.questions),
            section('site-feed', 'site.feed', ui.mine),
            section('programme', 'programme.title', ui.programme))));
        translate(document);
      }
      setChildren(ui.stage, onAirBadge(l), nowNext(l));
      setChildren(ui.programme, programmeList(l));
      setChildren(ui.floor, floorRequest(l));
      others.update(l);
      setChildren(ui.counters, counterList(l));
      renderQuestions(ui.pending, l, { role: 'coordinator', by: 'time', states: ['pending'] });
      renderFeed(ui.proposals, l, { role: 'moderator', filter: (p) => p.open && p.state === 'pending' && p.origin === site });
      setChildren(ui.ranking, ranking(l));
      renderQuestions(ui.questions, l, { role: 'viewer', states: ['visible', 'answered'] });
      renderFeed(ui.mine, l, { role: 'viewer', filter: (p) => p.state === 'published' || p.origin === site });
      translate($('#main'));
      announceChanges(l);
    },
  });
}
