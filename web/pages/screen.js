// The big screen of a site: join code and QR, the highlighted question, the poll
// shown on screens (all sites or per site), the wall, reactions, who is on air.
import { $, h, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, siteName, startPage, staffToken } from '../lib/app.js';
import { highlightBlock } from '../features/qna.js';
import { results, viewToggle } from '../features/polls.js';
import { renderFeed } from '../features/feed.js';
import { floatNewReactions } from '../features/reactions.js';
import { onAirBadge } from '../features/stage.js';
import { mosaic } from '../features/media.js';
import { nowNext } from '../features/programme.js';
import { ranking } from '../features/proposals.js';
import { regionsTable } from '../features/synthesis.js';
import { watchAnnouncements } from './common.js';

const { event, site } = eventFromPath();
const token = staffToken(`mx.token.${event}.screen.${site}`);
let ui = null;
let strip = null;
let view = 'all';
let lastTotals = null;
const announceChanges = watchAnnouncements();

async function loadQr(img) {
  const response = await fetch(`/api/events/${encodeURIComponent(event)}/sites/${encodeURIComponent(site)}/qr.svg`,
    { headers: { Authorization: `Bearer ${token}` } });
  if (response.ok) img.src = URL.createObjectURL(await response.blob());
}

function pollBlock(l) {
  const poll = l.state.screen ? l.state.polls[l.state.screen] : null;
  const proposals = Object.values(l.state.posts).some((p) => p.kind === 'proposal' && p.state === 'published' && p.theme);
  // No poll on screen: the proposals' ranking, when there is one (the "vote des propositions").
  // A national event: what came up from the regions.
  if (!poll && l.state.imports && l.state.imports.regions.length) {
    return h('div', { class: 'screen-regions' }, h('h3', {}, t('synthesis.regions')), regionsTable(l));
  }
  if (!poll && proposals) return h('div', { class: 'screen-ranking' }, h('h3', {}, t('proposals.ranking')), ranking(l, { top: 3 }));
  if (!poll) return h('p', { class: 'muted' }, t('screen.no_poll'));
  return h('div', {}, h('h3', { class: 'screen-poll-question' }, poll.question),
    l.state.tallies[poll.id] && !l.state.tallies[poll.id].hidden ? viewToggle(view, (v) => { view = v; l.changed([]); }) : null,
    results(l, poll, view));
}

if (token) {
  document.addEventListener('keydown', (e) => {
    if (e.key === 's' && !e.target.closest('input, textarea, select') && window.__mx && window.__mx.state) {
      view = view === 'all' ? 'sites' : 'all';
      window.__mx.changed([]);
    }
  });
  startPage({
    event,
    token,
    title: (l) => `${l && l.welcome ? siteName(l, site) : site} — ${t('screen.title')} — Multiplex`,
    render: (l) => {
      if (!ui) {
        const qr = h('img', { class: 'qr', alt: '' });
        strip = mosaic(l);  // the other sites' cameras, live
        ui = { qr, code: h('p', { class: 'join-code' }), onair: h('div'), highlight: h('div', { class: 'screen-highlight' }),
          poll: h('div', { id: 'screen-poll' }), wall: h('ul', { class: 'posts wall', id: 'wall' }),
          floats: h('div', { class: 'floats', 'aria-hidden': 'true' }), joinUrl: h('p', { class: 'join-url' }) };
        setChildren($('#main'), h('div', { class: 'screen' },
          h('aside', { class: 'join', 'aria-labelledby': 'h-join' }, h('h2', { id: 'h-join', 'data-i18n': 'screen.join' }), qr,
            h('p', { class: 'hint', 'data-i18n': 'screen.or_code' }), ui.code, ui.joinUrl),
          h('section', { class: 'stagefront', 'aria-labelledby': 'h-hl' }, ui.onair,
            h('h2', { id: 'h-hl', 'data-i18n': 'qna.highlighted' }),
            h('div', { 'aria-live': 'polite' }, ui.highlight),
            h('h2', { 'data-i18n': 'screen.poll' }), ui.poll),
          h('section', { class: 'wall-col', 'aria-labelledby': 'h-wall' }, h('h2', { id: 'h-wall', 'data-i18n': 'screen.wall' }), ui.wall),
          h('section', { class: 'strip', 'aria-labelledby': 'h-strip' }, h('h2', { id: 'h-strip', 'data-i18n': 'media.other_sites' }),
            strip.element),
          ui.floats));
        loadQr(qr);
        translate(document);
      }
      ui.qr.alt = t('screen.qr_alt', { site: siteName(l, site) });
      ui.code.textContent = l.welcome.join_code || '';
      ui.joinUrl.textContent = `${location.host}/e/${event}`;
      setChildren(ui.onair, onAirBadge(l), nowNext(l));
      setChildren(ui.highlight, highlightBlock(l));
      setChildren(ui.poll, pollBlock(l));
      renderFeed(ui.wall, l, { role: 'readonly', limit: 8 });
      strip.update(l);
      const totals = l.state.reactions ? l.state.reactions.totals : {};
      if (lastTotals) floatNewReactions(ui.floats, lastTotals, totals);
      lastTotals = { ...totals };
      translate($('#main'));
      announceChanges(l);
    },
  });
}
