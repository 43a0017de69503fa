// The replays: each published programme session with its video (seekable), the
// questions asked during it and its poll results. No live connection: a replay
// viewer is not counted as present.
import { $, h, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, startStaticPage } from '../lib/app.js';

const { event } = eventFromPath();

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
  setChildren($('#main'), h('article', { class: 'report' }, h('h1', {}, t('replay.title')), h('p', { class: 'muted' }, info.title),
    replays.length ? replays.map((r) => h('section', { class: 'replay', 'aria-labelledby': `h-replay-${r.session}` },
      h('h2', { id: `h-replay-${r.session}` }, r.title),
      h('p', { class: 'muted' }, `${r.day} · ${r.start}–${r.end} · ${(info.sites.find((s) => s.id === r.site) || {}).name || r.site}`),
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
