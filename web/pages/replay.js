// The replays: each published programme session of every track with its video
// (seekable; a site's session plays that site's own camera, a plenary the program),
// the questions asked during it and its poll results, by site. No live connection:
// a replay viewer is not counted as present.
import { $, h, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, startStaticPage } from '../lib/app.js';

const { event } = eventFromPath();
let place = 'all';  // every track's replays, or one site's (with the plenaries)

// "2020-10-13" as the reader says it ("mardi 13 octobre 2020", "Tuesday, October 13, 2020"):
// read as a calendar day, at noon, so that no time zone moves it to the day before.
function dayLabel(iso) {
  const day = new Date(`${iso}T12:00:00`);
  if (Number.isNaN(day.getTime())) return iso;
  return new Intl.DateTimeFormat(document.documentElement.lang || 'fr',
    { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(day);
}

function pollResult(item) {
  const { poll, tally } = item;
  if (!poll) return null;
  const counts = tally && !tally.hidden && tally.counts;
  return h('li', {}, h('p', { class: 'proposal-title' }, poll.question),
    h('p', { class: 'q-meta' }, t('polls.ballots', { n: tally ? tally.ballots : 0 })),
    counts && poll.options.length ? h('ul', {}, poll.options.map((o, i) => h('li', {}, `${o} : ${counts[i]}`))) : null);
}

async function draw() {
  const info = await (await fetch(`/api/events/${encodeURIComponent(event)}`)).json();
  const { replays } = await (await fetch(`/api/events/${encodeURIComponent(event)}/replays`)).json();
  document.title = `${t('replay.title')} — ${info.title}`;
  const siteOf = (id) => (info.sites.find((s) => s.id === id) || {}).name || id;
  const tracks = info.sites.filter((s) => replays.some((r) => r.site === s.id));
  const filter = tracks.length > 1 ? h('div', { class: 'field inline' }, h('label', { for: 'replay-site' }, t('programme.by_place')),
    h('select', { id: 'replay-site', onchange: (e) => { place = e.target.value; draw(); } },
      h('option', { value: 'all', selected: place === 'all' }, t('programme.all_places')),
      tracks.map((s) => h('option', { value: s.id, selected: place === s.id }, s.name)))) : null;
  const shown = replays.filter((r) => place === 'all' || r.site === place || r.plenary);
  setChildren($('#main'), h('article', { class: 'report' }, h('h1', {}, t('replay.title')), h('p', { class: 'muted' }, info.title),
    filter,
    shown.length ? shown.map((r) => h('section', { class: 'replay', 'aria-labelledby': `h-replay-${r.session}`,
      dataset: { site: r.site, session: r.session } },
      h('h2', { id: `h-replay-${r.session}` }, r.title),
      h('p', { class: 'muted replay-where' }, `${dayLabel(r.day)} · ${r.start}–${r.end} · ${siteOf(r.site)}${r.room ? `, ${r.room}` : ''}`
        + (r.plenary ? ` · ${t('programme.plenary')}` : '')),
      r.videos.map((src, i) => h('video', { src, controls: true, preload: 'metadata', class: 'replay-video',
        'aria-label': t('replay.video', { title: r.title }) },
      r.captions && r.captions[i] ? h('track', { kind: 'captions', src: r.captions[i], srclang: 'fr',
        label: t('captions.show'), default: true }) : null)),
      r.questions.length ? [h('h3', {}, t('replay.questions')), h('ul', { class: 'plain' }, r.questions.map((q) => h('li', {},
        q.text, h('span', { class: 'q-meta' }, ` · ${t('qna.votes', { n: q.votes })}`))))] : null,
      r.polls.length ? [h('h3', {}, t('replay.polls')), h('ul', { class: 'plain' }, r.polls.map(pollResult))] : null))
      : h('p', { class: 'muted' }, t('replay.none'))));
  translate(document);
}

startStaticPage(draw);
