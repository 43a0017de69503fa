// The programme: sessions by day, "now / next" as the control room declares them,
// the régie's control for it, and a filter of questions by session.
import { h, refill } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';
import { act, siteCity, siteName } from '../lib/app.js';
import { trackOf, trackState } from './tracks.js';

// Earliest first: by day (the event's first day when a session names none), then start.
export function sessionsInOrder(live) {
  const { programme, date } = live.welcome.event;
  return programme.map((s, index) => ({ ...s, index, day: s.day || date }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.start.localeCompare(b.start) || a.index - b.index);
}

function dayLabel(day) {
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'fr-FR', { weekday: 'long', day: 'numeric', month: 'long' })
    .format(new Date(`${day}T12:00:00`));
}

export function sessionLine(live, s) {
  return [s.title, ` · ${siteName(live, s.site)}${s.room ? `, ${s.room}` : ''} · ${s.start}–${s.end}`];
}

// Now and next of a track: a site's (its room, its screens, who follows it) or the program's.
export function nowNext(live, site = trackOf(live)) {
  const { session: current, next } = trackState(live, site);
  const programme = live.welcome.event.programme;
  if (!programme.length) return null;
  const now = current === null || current === undefined ? null : { ...programme[current], index: current };
  const after = next === null || next === undefined ? null : { ...programme[next], index: next };
  return h('dl', { class: 'now-next' },
    h('dt', {}, t('programme.now')), h('dd', { class: 'now' }, now ? sessionLine(live, now) : t('programme.none_now')),
    after ? [h('dt', {}, t('programme.next')), h('dd', { class: 'next' }, sessionLine(live, after))] : null);
}

// The programme by day and by place: a day over several days and places (ECLORE:
// four days, four schools) reads one day, or one place, at a time.
const views = { day: 'all', place: null };

export function programmeList(live) {
  if (views.place === null) views.place = trackOf(live) || 'all';  // a site's pages: its own track first
  const { session: current, next } = trackState(live, trackOf(live));
  const all = sessionsInOrder(live);
  const allDays = [...new Set(all.map((s) => s.day))];
  const sessions = all.filter((s) => (views.day === 'all' || s.day === views.day)
    && (views.place === 'all' || s.site === views.place || s.plenary));
  const days = [...new Set(sessions.map((s) => s.day))];
  const many = allDays.length > 1;
  const pick = (id, key, value, options) => {
    const select = h('select', { id, onchange: (e) => { views[key] = e.target.value; live.changed([]); } },
      h('option', { value: 'all', selected: value === 'all' }, t(`programme.all_${key}s`)),
      options.map(([v, text]) => h('option', { value: v, selected: value === v }, text)));
    return h('div', { class: 'field inline' }, h('label', { for: id }, t(`programme.by_${key}`)), select);
  };
  const filters = h('div', { class: 'toolbar programme-views' },
    many ? pick('programme-day', 'day', views.day, allDays.map((d) => [d, dayLabel(d)])) : null,
    live.welcome.event.sites.length > 1 ? pick('programme-place', 'place', views.place,
      live.welcome.event.sites.map((s) => [s.id, s.name])) : null);
  const list = (day) => h('ol', { class: 'programme' }, sessions.filter((s) => s.day === day).map((s) => h('li', {
    class: `session${s.index === current ? ' is-now' : ''}${s.index === next ? ' is-next' : ''}`,
    'aria-current': s.index === current ? 'true' : null },
  h('span', { class: 'when' }, `${s.start}–${s.end}`),
  h('span', { class: 'what' }, h('strong', {}, s.title),
    s.index === current ? h('span', { class: 'badge badge-now' }, t('programme.now')) : null,
    s.index === next ? h('span', { class: 'badge badge-next' }, t('programme.next')) : null),
  h('span', { class: 'meta' }, [t(`programme.kind.${s.kind}`), siteName(live, s.site), s.room,
    s.plenary ? t('programme.plenary') : null,
    s.speakers && s.speakers.length ? t('programme.speakers', { names: s.speakers.join(', ') }) : null]
    .filter(Boolean).join(' · ')),
  s.description ? h('span', { class: 'description' }, s.description) : null)));
  const ics = (site) => `/e/${encodeURIComponent(live.welcome.event.id)}/programme.ics?${new URLSearchParams(
    { ...(site ? { site } : {}), ...(lang() === 'en' ? { lang: 'en' } : {}) })}`;
  const track = views.place !== 'all' ? views.place : trackOf(live);
  return h('div', {}, filters,
    days.map((day) => (many ? [h('h3', {}, dayLabel(day)), list(day)] : list(day))),
    sessions.length ? null : h('p', { class: 'muted' }, t('programme.nothing')),
    h('p', {}, h('a', { href: ics(null), download: '' }, t('programme.ics')),
      track ? [' · ', h('a', { href: ics(track), download: '', id: 'ics-track' },
        t('programme.ics_track', { site: siteCity(live, track) }))] : null));
}

// The régie declares which session is under way (the programme runs late: the clock alone would lie).
let picked = null;

export function currentSessionControl(live) {
  const sessions = sessionsInOrder(live);
  if (!sessions.length) return null;
  const { current, next } = live.state.stage;
  const selected = picked ?? next ?? current ?? sessions[0].index;
  const select = h('select', { id: 'current-session', 'aria-label': t('programme.current'),
    onchange: (e) => { picked = Number(e.target.value); } },
  sessions.map((s) => h('option', { value: String(s.index), selected: s.index === selected },
    `${s.day !== live.welcome.event.date ? `${s.day} ` : ''}${s.start} — ${s.title} (${siteCity(live, s.site)})`)));
  return h('div', { class: 'current-session' }, nowNext(live), select,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small ok', dataset: { action: 'set-current' },
        onclick: async () => { if (await act(live, { type: 'programme.current', session: Number(select.value) })) picked = null; } },
      t('programme.set_current')),
      current !== null && current !== undefined ? h('button', { type: 'button', class: 'small', dataset: { action: 'between' },
        onclick: () => act(live, { type: 'programme.current', session: null }) }, t('programme.between')) : null));
}

// Questions by the session they were asked in: "all", "none" (outside any session) or an index.
function filterChoices(live) {
  const asked = new Set(Object.values(live.state.questions).map((q) => q.session));
  const running = new Set(Object.values(live.state.stage.tracks || {}).map((tr) => tr.session));
  const sessions = sessionsInOrder(live).filter((s) => asked.has(s.index) || s.index === live.state.stage.current
    || running.has(s.index));
  return { none: asked.has(null), sessions };
}

export function sessionFilter(live, value, onChange, choices = filterChoices(live)) {
  const select = h('select', { id: 'qna-session', 'aria-label': t('programme.filter'),
    onchange: (e) => onChange(e.target.value) },
  h('option', { value: 'all', selected: value === 'all' }, t('programme.filter_all')),
  choices.none ? h('option', { value: 'none', selected: value === 'none' }, t('programme.filter_none')) : null,
  choices.sessions.map((s) => h('option', { value: String(s.index), selected: value === String(s.index) },
    `${s.start} — ${s.title}`)));
  return h('label', { class: 'filter' }, h('span', {}, t('programme.filter')), select);
}

// The filter drawn into `container` again only when its choices, its value or the language
// changed: never by a vote or an upvote, so an open list never closes under the cursor.
export function refreshSessionFilter(container, live, value, onChange) {
  const choices = filterChoices(live);
  const signature = JSON.stringify([value, lang(), choices.none, choices.sessions.map((s) => s.index)]);
  if (container.dataset.signature === signature) return;
  container.dataset.signature = signature;
  refill(container, sessionFilter(live, value, onChange, choices));
}

export function inSession(value) {
  if (value === 'all') return () => true;
  if (value === 'none') return (q) => q.session === null || q.session === undefined;
  return (q) => String(q.session) === value;
}
