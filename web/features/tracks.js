// Every site is a stage of its own: its track runs its own sessions (and the
// plenaries, which every site follows). This module says which track a page is
// about, what that track runs now and next, and gives the controls that start the
// next session — the coordinator for their site, the régie for any.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteCity, siteName } from '../lib/app.js';

// The track a page is about: a site's room (participants, its coordinator, its
// screens), the site a remote viewer follows, or null for the program.
export function trackOf(live) {
  const w = live.welcome;
  if (!w) return null;
  if (w.role === 'viewer') return w.follow || null;
  if (['participant', 'coordinator', 'screen'].includes(w.role)) return w.site;
  return null;
}

// What a track runs now and next ({session, next}); the program's is the on-air site's.
export function trackState(live, site) {
  const { stage } = live.state;
  const tracks = stage.tracks || {};
  if (site && tracks[site]) return tracks[site];
  if (!site && stage.on_air && tracks[stage.on_air]) return tracks[stage.on_air];
  return { session: stage.current ?? null, next: stage.next ?? null };
}

// The event's clock, in its own time zone: "is it time for this session?"
function localNow(timezone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23' }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export function isDue(live, index) {
  const { programme, date, timezone } = live.welcome.event;
  const session = programme[index];
  const day = session.day || date;
  const now = localNow(timezone || 'Europe/Paris');
  return now.day > day || (now.day === day && now.time >= session.start);
}

const short = (text, n = 48) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

// Start the next session of a site's track, stop the one under way, or pick another:
// the programme's clock proposes ("09:45 — Formation hybride… : commencer ?"), a
// person decides (programmes run late).
export function trackControl(live, site, { compact = false } = {}) {
  const { programme } = live.welcome.event;
  const { session, next } = trackState(live, site);
  const set = (value) => act(live, { type: 'programme.current', session: value, site });
  const now = session !== null && session !== undefined ? programme[session] : null;
  const upcoming = next !== null && next !== undefined ? programme[next] : null;
  const due = upcoming && isDue(live, next);
  const proposal = upcoming ? h('p', { class: `proposal${due ? ' due' : ''}`, dataset: { session: next } },
    h('span', {}, due ? t('tracks.propose', { start: upcoming.start, title: short(upcoming.title) })
      : t('tracks.upcoming', { start: upcoming.start, title: short(upcoming.title) })), ' ',
    h('button', { type: 'button', class: 'small ok', dataset: { action: `start-${site}` }, onclick: () => set(next) },
      t('tracks.start'))) : null;
  const stop = now ? h('button', { type: 'button', class: 'small', dataset: { action: `stop-${site}` },
    onclick: () => set(null) }, t('tracks.stop')) : null;
  const mine = programme.map((s, index) => ({ ...s, index })).filter((s) => s.site === site || s.plenary);
  const select = h('select', { id: `track-pick-${site}`, 'aria-label': t('tracks.other') },
    mine.map((s) => h('option', { value: String(s.index), selected: s.index === session },
      `${s.day && s.day !== live.welcome.event.date ? `${s.day} ` : ''}${s.start} — ${short(s.title, 60)}`)));
  const other = compact ? null : h('details', { class: 'track-other' }, h('summary', {}, t('tracks.other')), select,
    h('button', { type: 'button', class: 'small', dataset: { action: `pick-${site}` },
      onclick: () => set(Number(select.value)) }, t('programme.set_current')));
  return h('div', { class: 'track-control', dataset: { site } },
    h('p', { class: 'track-now' }, now ? t('tracks.now', { start: now.start, end: now.end, title: now.title })
      : t('programme.none_now')),
    proposal, h('div', { class: 'actions' }, stop), other);
}

// The régie's view of every track: what each site runs, what comes next, what its
// screens show and how many people are in its room.
export function tracksBoard(live) {
  const { sites } = live.welcome.event;
  const screens = live.state.site_screens || {};
  const rooms = live.state.rooms || {};
  return h('ul', { class: 'tracks-board', id: 'tracks-board' }, sites.map((s) => {
    const shown = screens[s.id] || {};
    const q = shown.question && live.state.questions[shown.question];
    const room = rooms[s.id] || {};
    const { session } = trackState(live, s.id);
    const publishing = ((live.state.presence && live.state.presence.publishing) || []).includes(s.id);
    return h('li', { class: 'track-card', dataset: { site: s.id, session: session ?? '' } },
      h('h3', {}, s.city, live.state.stage.on_air === s.id ? h('span', { class: 'badge badge-live' }, t('stage.tile_on_air'))
        : null, publishing ? null : h('span', { class: 'badge' }, t('media.no_signal'))),
      trackControl(live, s.id, { compact: true }),
      h('p', { class: 'q-meta' }, t('tracks.screens_now', { scene: t(`moderate.scene.${shown.scene || 'join'}`) }),
        q ? ` · « ${short(q.text, 40)} »` : '',
        room.headcount !== null && room.headcount !== undefined ? ` · ${t('tracks.in_room', { n: room.headcount })}`
          : room.checked_in ? ` · ${t('tracks.checked_in', { n: room.checked_in })}` : ''));
  }));
}

// A remote viewer chooses what to follow: the program (the régie's switch) or one site's track.
export function followPicker(live, onChange) {
  const current = live.welcome.follow || '';
  const select = h('select', { id: 'follow-track' },
    h('option', { value: '', selected: !current }, t('tracks.follow_program')),
    live.welcome.event.sites.map((s) => h('option', { value: s.id, selected: current === s.id },
      t('tracks.follow_site', { site: s.city }))));
  select.addEventListener('change', () => onChange(select.value || null));
  return h('div', { class: 'field follow' }, h('label', { for: 'follow-track' }, t('tracks.follow')), select);
}

// "Where": the track's site, or the program.
export function trackName(live, site) {
  return site ? siteName(live, site) : t('tracks.program');
}

export function trackCity(live, site) {
  return site ? siteCity(live, site) : t('tracks.program');
}

// The régie filters questions (and polls) by track: every track, the program's, or one site's.
export function trackFilter(live, value, onChange, id = 'qna-track') {
  const select = h('select', { id, onchange: (e) => onChange(e.target.value) },
    h('option', { value: 'all', selected: value === 'all' }, t('tracks.all')),
    h('option', { value: 'program', selected: value === 'program' }, t('tracks.program')),
    live.welcome.event.sites.map((s) => h('option', { value: s.id, selected: value === s.id }, s.city)));
  return h('label', { class: 'filter' }, h('span', {}, t('tracks.filter')), select);
}

export function onTrack(value) {
  if (value === 'all') return () => true;
  if (value === 'program') return (item) => !item.site;
  return (item) => item.site === value;
}
