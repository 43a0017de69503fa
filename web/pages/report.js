// The key figures report: for the control room (its link), or for everyone once
// published. Figures come from the hub (folded from the log); charts are drawn
// by the hub as SVG; every chart has its numbers in a table next to it.
import { $, formatTime, h, setChildren } from '../lib/dom.js';
import { lang, t, translate } from '../lib/i18n.js';
import { eventFromPath, showError, startStaticPage } from '../lib/app.js';

const { event } = eventFromPath();
const STORE = `mx.token.${event}.moderate`;  // the control room's link, as its page keeps it
const api = `/api/events/${encodeURIComponent(event)}`;

function token() {
  const match = location.hash.match(/token=([A-Za-z0-9_\-.]+)/);
  if (match) {
    sessionStorage.setItem(STORE, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(STORE);
}

const auth = () => (token() ? { Authorization: `Bearer ${token()}` } : {});
const number = (n) => new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'fr-FR').format(n);
const when = (figures, at) => (at === null || at === undefined ? '—'
  : new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit',
    timeZone: figures.event.timezone }).format(new Date(at)));

async function fetchOk(url) {
  const response = await fetch(url, { headers: auth() });
  if (!response.ok) throw await response.json().catch(() => ({ code: 'internal' }));
  return response;
}

// Downloads go through fetch (the link stays out of addresses and server logs).
function download(label, url) {
  return h('li', {}, h('button', { type: 'button', class: 'linklike', onclick: async () => {
    try {
      const response = await fetchOk(url);
      const name = (response.headers.get('content-disposition') || '').match(/filename="([^"]+)"/);
      const a = h('a', { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : '' });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (error) { showError(error); }
  } }, label));
}

function table(caption, headers, rows, id) {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', { id }, h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, headers.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) => (i ? h('td', { class: 'num' }, cell)
        : h('th', { scope: 'row' }, cell))))))));
}

function siteName(f, origin) {
  return origin === 'remote' ? t('common.remote') : (f.event.sites[origin] || origin);
}

async function draw() {
  let figures;
  try {
    figures = await (await fetchOk(api + '/report')).json();
  } catch (error) {
    setChildren($('#main'), h('p', { class: 'fatal', role: 'alert' },
      error.code === 'auth.missing' ? t('report.not_published') : t('connection.failed')));
    return;
  }
  const f = figures;
  document.title = `${t('report.title')} — ${f.event.title}`;
  const big = [
    ['in_rooms', f.people.in_rooms], ['present_on_sites', f.attendance.present_on_sites], ['remote', f.attendance.remote], ['peak', f.peak.total],
    ['watchers', f.stream.watchers], ['asked', f.questions.asked], ['answered', f.questions.answered],
    ['ballots', f.polls.reduce((s, p) => s + p.ballots, 0)], ['proposals', f.proposals.length],
    ['live_posts', f.live_posts], ['reactions', f.reactions.total], ['social', f.social.total]];
  const networks = Object.keys(f.social.by_network);
  const hours = [...new Set(networks.flatMap((n) => Object.keys(f.social.by_network[n].per_hour)))].sort((a, b) => a - b);
  const origins = Object.keys(f.attendance.by_site);
  // one small chart per metric, each on its own axis, drawn by the hub in this page's language
  const chart = h('img', { class: 'chart', alt: t('report.timeline_alt'), width: 960 });
  fetchOk(`${api}/report/timeline.svg?lang=${lang()}`).then(async (r) => { chart.src = URL.createObjectURL(await r.blob()); })
    .catch(() => {});
  const series = Object.keys(f.timeline.series);
  setChildren($('#main'), h('article', { class: 'report' },
    h('h1', {}, t('report.title')), h('p', { class: 'muted' }, f.event.title, ' — ', f.event.date),
    h('p', { class: 'muted' }, t('report.updated', { seq: f.seq }), ' ',
      h('button', { type: 'button', class: 'small', onclick: draw }, t('report.refresh'))),
    h('ul', { class: 'big-figures', id: 'big-figures' }, big.map(([key, n]) => h('li', { dataset: { figure: key } },
      h('strong', {}, number(n)), h('span', {}, t(`report.big.${key}`))))),
    // what each count is: the video's viewers are not the people in the rooms
    h('dl', { class: 'definitions', id: 'definitions' }, ['watchers', 'in_rooms', 'peak'].map((key) => [
      h('dt', {}, t(`report.big.${key}`)), h('dd', {}, t(`report.define.${key}`))])),
    networks.length ? h('section', { 'aria-labelledby': 'h-social' }, h('h2', { id: 'h-social' }, t('report.tables.social')),
      table(t('report.tables.social'), [t('report.col.hour'), ...networks.map((n) => t(`social.network.${n}`))],
        hours.map((hour) => [formatTime(Number(hour), lang()), ...networks.map((n) => number(f.social.by_network[n].per_hour[hour] || 0))]),
        'table-social')) : null,
    h('section', { 'aria-labelledby': 'h-sites' }, h('h2', { id: 'h-sites' }, t('report.tables.sites')),
      table(t('report.tables.sites'), [t('report.site'), t('report.col.present'), t('report.col.peak'),
        t('report.col.peak_at'), t('report.col.asked'), t('report.col.answered'), t('report.col.reactions')],
      origins.map((o) => [siteName(f, o), number(f.attendance.by_site[o]), number(f.peak.by_site[o] || 0),
        when(f, f.peak.by_site_at[o]), number(f.questions.asked_by_site[o]), number(f.questions.answered_by_site[o]),
        number(f.reactions.by_site[o])]), 'table-sites')),
    // people in the rooms, devices and stream viewers: three different counts, kept apart
    h('section', { 'aria-labelledby': 'h-people' }, h('h2', { id: 'h-people' }, t('report.tables.people')),
      h('p', { class: 'hint' }, t('report.people_hint')),
      table(t('report.tables.people'), [t('report.site'), t('report.col.in_room'), t('report.col.checked_in'),
        t('report.col.headcount'), t('report.col.devices'), t('report.col.devices_peak')],
      Object.entries(f.people.by_site).map(([o, r]) => [siteName(f, o), number(r.in_room),
        r.expected ? `${number(r.checked_in)} / ${number(r.expected)}` : number(r.checked_in),
        r.headcount_peak === null ? '—' : number(r.headcount_peak), number(r.devices), number(r.devices_peak)]),
      'table-people'),
      f.people.by_session.length ? table(t('report.tables.people_sessions'), [t('report.col.session'), t('report.site'),
        t('report.col.headcount'), t('report.col.checked_in'), t('report.col.devices_peak'), t('report.col.stream_peak')],
      f.people.by_session.map((r) => [r.title, siteName(f, r.site), r.headcount_peak === null ? '—' : number(r.headcount_peak),
        number(r.checked_in), number(Object.values(r.devices_peak).reduce((a, b) => a + b, 0)), number(r.stream_peak)]),
      'table-people-sessions') : null),
    Object.keys(f.stream.by_way || {}).length ? h('section', { 'aria-labelledby': 'h-ways' },
      h('h2', { id: 'h-ways' }, t('report.tables.ways')), h('p', { class: 'hint' }, t('report.ways_hint')),
      table(t('report.tables.ways'), [t('report.col.way'), t('report.col.viewers')],
        Object.entries(f.stream.by_way).map(([way, n]) => [wayName(way), number(n)]), 'table-ways')) : null,
    h('section', { 'aria-labelledby': 'h-timeline' }, h('h2', { id: 'h-timeline' }, t('report.timeline')), chart,
      table(t('report.timeline'), [t('report.hour'), ...series.map((m) => t(`report.metric.${m}`))],
        f.timeline.hours.map((hour, i) => [when(f, hour), ...series.map((m) => number(f.timeline.series[m][i]))]),
        'table-timeline')),
    f.polls.length ? h('section', { 'aria-labelledby': 'h-polls' }, h('h2', { id: 'h-polls' }, t('report.tables.polls')),
      table(t('report.tables.polls'), [t('report.col.poll'), t('report.col.ballots'), ...origins.map((o) => siteName(f, o))],
        f.polls.map((p) => [p.question, number(p.ballots) + (p.hands ? ` + ${number(p.hands)} ✋` : ''),
          ...origins.map((o) => number(p.ballots_by_site[o]) + (p.hands_by_site[o] ? ` + ${number(p.hands_by_site[o])} ✋` : ''))]),
        'table-polls')) : null,
    f.proposals.length ? h('section', { 'aria-labelledby': 'h-proposals' },
      h('h2', { id: 'h-proposals' }, t('report.tables.proposals')),
      table(t('report.tables.proposals'), [t('report.col.proposal'), t('report.col.votes'), ...origins.map((o) => siteName(f, o))],
        f.proposals.map((p) => [p.title, number(p.votes), ...origins.map((o) => number(p.votes_by_site[o]))]),
        'table-proposals')) : null,
    f.regions.length ? h('section', { 'aria-labelledby': 'h-regions' }, h('h2', { id: 'h-regions' }, t('synthesis.regions')),
      table(t('synthesis.regions'), [t('synthesis.region'), t('synthesis.present'), t('synthesis.proposals'),
        t('synthesis.votes')], f.regions.map((r) => [r.region, number(r.present_on_sites + r.remote),
        number(r.proposals), number(r.proposal_votes)]), 'table-regions')) : null,
    h('section', { 'aria-labelledby': 'h-categories' }, h('h2', { id: 'h-categories' }, t('report.tables.categories')),
      table(t('report.tables.categories'), [t('report.col.category'), t('report.col.people')],
        Object.entries(f.attendance.by_category).map(([c, n]) => [t(`category.${c}`), number(n)]), 'table-categories')),
    h('section', { 'aria-labelledby': 'h-downloads' }, h('h2', { id: 'h-downloads' }, t('report.downloads')),
      h('ul', { class: 'downloads' },
        download(t('report.pdf'), `${api}/report.pdf`), download(t('report.xlsx'), `${api}/report.xlsx`),
        download(t('report.json'), `${api}/report?download=1`),
        f.tables.map((tb) => download(t('report.csv', { table: tb.title }), `${api}/report/${tb.name}.csv`))))));
  translate(document);
}

startStaticPage(draw);

// "webrtc", "hls:720p", "hls:audio": how a viewer watched, in the page's language
function wayName(way) {
  if (way === 'webrtc') return t('report.way.webrtc');
  const rendition = way.startsWith('hls:') ? way.slice(4) : way;
  return rendition === 'audio' ? t('report.way.hls_audio') : t('report.way.hls', { rendition });
}
