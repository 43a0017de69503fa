// Live counters per site: connected now and peak, questions, votes, reactions.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { siteCity } from '../lib/app.js';

export function siteCounters(state, origin) {
  const presence = state.presence || { now: {}, peak_by_site: {} };
  let votes = 0;
  for (const tally of Object.values(state.tallies)) votes += (tally.ballots_by_site || {})[origin] || 0;
  let reactions = 0;
  for (const bySite of Object.values((state.reactions && state.reactions.by_site) || {})) reactions += bySite[origin] || 0;
  return {
    now: presence.now[origin] || 0,
    peak: (presence.peak_by_site || {})[origin] || 0,
    questions: Object.values(state.questions).filter((q) => q.origin === origin).length,
    votes,
    reactions,
  };
}

const COLUMNS = ['now', 'peak', 'questions', 'votes', 'reactions'];

export function countersTable(live, origins) {
  return h('table', { class: 'counters' },
    h('caption', { class: 'sr-only' }, t('counters.caption')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('counters.site')), COLUMNS.map((c) => h('th', { scope: 'col' }, t(`counters.${c}`))))),
    h('tbody', {}, origins.map((origin) => {
      const c = siteCounters(live.state, origin);
      return h('tr', { dataset: { origin } }, h('th', { scope: 'row' }, siteCity(live, origin)), COLUMNS.map((k) => h('td', {}, String(c[k]))));
    })));
}
