// Polls: the ballot for each kind, the results (bars, word cloud, answers) for all
// sites or per site, and the moderator's builder and controls.
import { FLASH_MS, flash, h, refill, setChildren, syncList } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteCity, siteName } from '../lib/app.js';

// The poll a participant should see. An open poll always comes before a closed one:
// the one on the screens if it is open, else the newest open, else the one on the
// screens (its results), else the newest closed whose results are visible. So opening
// a poll reaches the phones even while a closed one is still on the screens.
export function currentPoll(state, { filter = () => true } = {}) {
  const polls = Object.values(state.polls).filter(filter).sort((a, b) => b.at - a.at);
  const onScreens = state.screen && state.polls[state.screen];
  const shown = onScreens && filter(onScreens) ? onScreens : null;
  if (shown && shown.state === 'open') return shown;
  return polls.find((p) => p.state === 'open') || shown
    || polls.find((p) => p.state === 'closed' && p.results_visible) || null;
}

const ballotsLine = (live, id) => {
  const tally = live.state.tallies[id];
  return tally ? ` · ${t('polls.ballots_short', { n: tally.ballots || 0 })}` : '';
};

// Votes come in storms: only the counts move, never the buttons under the cursor.
export function refreshPollStatusVotes(container, live) {
  for (const el of container.querySelectorAll('[data-votes-for]')) el.textContent = ballotsLine(live, el.dataset.votesFor);
}

// The régie's one view of the polls: what the phones show, what the big screens show,
// what is open; and a warning, with the fix one click away, whenever these disagree
// (several polls open, the screens on another poll than the phones). Whole-event polls:
// a room poll is its site's business, on its own screens.
export function pollStatus(live) {
  const whole = (p) => !p.site;
  const phones = currentPoll(live.state, { filter: whole });
  const open = Object.values(live.state.polls).filter((p) => whole(p) && p.state === 'open').sort((a, b) => b.at - a.at);
  const scene = (live.state.scene && live.state.scene.scene) || 'join';
  const screenPoll = live.state.screen && live.state.polls[live.state.screen];
  const onScreens = scene === 'poll' && screenPoll ? screenPoll : null;
  const votes = (poll) => ballotsLine(live, poll.id);
  const named = (poll) => (poll ? [`« ${poll.question} » — ${t(`polls.state.${poll.state}`)}`,
    h('span', { class: 'status-votes', dataset: { votesFor: poll.id } }, votes(poll))] : t('polls.nothing'));
  const row = (key, value, id) => h('div', { class: 'status-row', dataset: { status: id } }, h('dt', {}, t(key)), h('dd', {}, value));
  const screens = onScreens ? named(onScreens)
    : screenPoll ? t('polls.screens_other_scene', { q: screenPoll.question, scene: t(`moderate.scene.${scene}`) })
      : `${t('polls.nothing')} (${t(`moderate.scene.${scene}`)})`;
  const warnings = [];
  if (open.length > 1) {
    warnings.push(h('p', { class: 'warning', dataset: { warning: 'many-open' } }, `⚠ ${t('polls.warn_many', { n: open.length, q: phones.question })} `,
      h('button', { type: 'button', class: 'small no', dataset: { action: 'close-other-polls' }, onclick: async () => {
        for (const poll of open) if (poll.id !== phones.id) await act(live, { type: 'poll.close', poll: poll.id });
      } }, t('polls.close_others'))));
  }
  if (onScreens && phones && onScreens.id !== phones.id) {
    warnings.push(h('p', { class: 'warning', dataset: { warning: 'mismatch' } },
      `⚠ ${t('polls.warn_mismatch', { screen: onScreens.question, state: t(`polls.state.${onScreens.state}`), phones: phones.question })} `,
      h('button', { type: 'button', class: 'small ok', dataset: { action: 'show-phones-poll' },
        onclick: () => act(live, { type: 'screen.scene', scene: 'poll', poll: phones.id, view: live.state.scene.view || 'all' }) },
      t('polls.show_phones_poll'))));
  }
  return h('div', { class: 'poll-status', role: 'group', 'aria-label': t('polls.status') },
    h('dl', {}, row('polls.phones', named(phones), 'phones'), row('polls.screens', screens, 'screens'),
      row('polls.opened', open.length ? open.map((p) => `« ${p.question} »`).join(', ') : t('polls.nothing'), 'open')),
    warnings);
}

export function choiceLabels(poll) {
  if (poll.kind === 'rating') {
    const [lo, hi] = poll.scale;
    return Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i));
  }
  return poll.options;
}

// When each poll's vote was last recorded here: the form is drawn again once the hub has
// the ballot (« Modifier mon vote »), and the new form still says « Vote enregistré ».
const recordedAt = new Map();

export function ballotForm(live, poll) {
  const mine = (live.me.ballots || {})[poll.id];
  const status = h('p', { class: 'form-status', role: 'status' },
    mine !== undefined ? t('polls.voted') : '');
  if (Date.now() - (recordedAt.get(poll.id) || 0) < FLASH_MS) flash(status, t('polls.vote_recorded'));
  const legend = h('legend', {}, poll.question);
  let body;
  let read;
  if (poll.kind === 'single' || poll.kind === 'multiple' || poll.kind === 'rating') {
    const type = poll.kind === 'multiple' ? 'checkbox' : 'radio';
    const labels = choiceLabels(poll);
    const chosen = new Set(Array.isArray(mine) ? mine : mine !== undefined ? [mine - (poll.scale ? poll.scale[0] : 0)] : []);
    const inputs = labels.map((label, i) => {
      const id = `ballot-${poll.id}-${i}`;
      return h('div', { class: `choice ${poll.kind}` },
        h('input', { type, id, name: `ballot-${poll.id}`, value: String(i), checked: chosen.has(i) }),
        h('label', { for: id }, label));
    });
    body = h('div', { class: poll.kind === 'rating' ? 'choices rating' : 'choices' }, inputs);
    read = () => {
      const picked = inputs.map((w, i) => (w.querySelector('input').checked ? i : -1)).filter((i) => i >= 0);
      if (poll.kind === 'rating') return picked.length ? { rating: poll.scale[0] + picked[0] } : null;
      return picked.length ? { choices: picked } : null;
    };
    if (poll.kind === 'multiple') {
      const hintId = `ballot-${poll.id}-limit`;
      body.prepend(h('p', { class: 'hint', id: hintId }, t('polls.pick_up_to', { n: poll.max_picks })));
      // Once max_picks are ticked the others cannot be: a ballot the hub would refuse is never made.
      const boxes = inputs.map((w) => w.querySelector('input'));
      const limit = () => {
        const full = boxes.filter((b) => b.checked).length >= poll.max_picks;
        for (const b of boxes) {
          b.disabled = full && !b.checked;
          b.setAttribute('aria-describedby', hintId);
        }
      };
      for (const b of boxes) b.addEventListener('change', limit);
      limit();
    }
  } else if (poll.kind === 'wordcloud') {
    const inputs = Array.from({ length: poll.max_words }, (_, i) => h('input', {
      type: 'text', maxlength: 30, 'aria-label': t('polls.word_n', { n: i + 1 }),
      value: Array.isArray(mine) ? (mine[i] || '') : '' }));
    body = h('div', { class: 'words' }, inputs);
    read = () => {
      const words = inputs.map((i) => i.value.trim()).filter(Boolean);
      return words.length ? { words } : null;
    };
  } else {
    const area = h('textarea', { rows: 3, maxlength: live.welcome.event.settings.limits.text_answer_length,
      'aria-label': t('polls.your_answer') }, typeof mine === 'string' ? mine : '');
    body = h('div', {}, area);
    read = () => (area.value.trim() ? { text: area.value } : null);
  }
  const submit = h('button', { type: 'submit', class: 'primary' }, mine !== undefined ? t('polls.change_vote') : t('polls.vote'));
  const form = h('form', { class: 'ballot', dataset: { poll: poll.id } }, h('fieldset', {}, legend, body), submit, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answer = read();
    if (!answer) { status.textContent = t('polls.pick_something'); return; }
    submit.disabled = true;
    // How far behind our picture is: a poll closed meanwhile still takes the vote for that
    // long, as far as the hub can vouch for it (docs/protocol.md, "In step with the picture").
    const delay = live.pictureDelayMs ? live.pictureDelayMs() : null;
    const ack = await act(live, { type: 'poll.vote', poll: poll.id, ...answer, ...(delay ? { delay_ms: delay } : {}) });
    submit.disabled = false;
    if (!ack) return;
    recordedAt.set(poll.id, Date.now());
    // the ballot itself comes from the hub (live.me), and may already have redrawn the form
    const shown = document.querySelector(`form.ballot[data-poll="${poll.id}"] .form-status`) || status;
    flash(shown, t('polls.vote_recorded'));
  });
  return form;
}

function bars(labels, counts, total, caption) {
  const max = Math.max(1, ...counts);
  return h('figure', { class: 'bars' },
    caption ? h('figcaption', {}, caption) : null,
    h('ul', {}, labels.map((label, i) => {
      const n = counts[i] || 0;
      const pct = total ? Math.round((100 * n) / total) : 0;
      return h('li', { class: 'bar-row' },
        h('span', { class: 'bar-label' }, label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' },
          h('span', { class: 'bar-fill', style: { width: `${(100 * n) / max}%` } })),
        h('span', { class: 'bar-value' }, t('polls.count', { n, pct })));
    })));
}

function cloud(words, caption) {
  const max = Math.max(1, ...words.map((w) => w[1]));
  return h('figure', { class: 'cloud' },
    caption ? h('figcaption', {}, caption) : null,
    h('ul', { class: 'cloud-words' }, words.map(([word, n]) => h('li', {
      class: 'cloud-word', style: { fontSize: `${(1 + (2.2 * n) / max).toFixed(2)}em` },
      title: t('polls.times', { n }) }, word, h('span', { class: 'sr-only' }, ` (${t('polls.times', { n })})`)))));
}

// view: "all" or "sites" (one small chart per origin)
export function results(live, poll, view = 'all') {
  const tally = live.state.tallies[poll.id];
  if (!tally) return h('p', { class: 'muted' }, t('polls.no_results'));
  if (tally.hidden) return h('p', { class: 'muted' }, t('polls.hidden', { n: tally.ballots }));
  const head = h('p', { class: 'ballots' }, t('polls.ballots', { n: tally.ballots }));
  if (poll.kind === 'text') {
    return h('div', { class: 'results' }, head, h('ul', { class: 'answers' },
      tally.answers.slice().reverse().map((a) => h('li', {}, a.text, h('span', { class: 'q-meta' }, ` — ${siteName(live, a.site)}`)))));
  }
  if (poll.kind === 'wordcloud') {
    if (view === 'all') return h('div', { class: 'results' }, head, cloud(tally.words));
    return h('div', { class: 'results per-site' }, head, Object.entries(tally.words_by_site).map(
      ([site, words]) => cloud(words, siteName(live, site))));
  }
  const labels = choiceLabels(poll);
  const extra = poll.kind === 'rating' && tally.mean !== undefined ? h('p', { class: 'mean' }, t('polls.mean', { mean: tally.mean })) : null;
  // hands counted in the rooms: shown apart, marked as such, never added into the ballots' bars
  const sum = (row) => row.reduce((a, b) => a + b, 0);
  const hands = tally.hands ? bars(labels, tally.hands, sum(tally.hands),
    t('polls.hands_caption', { n: sum(tally.hands) })) : null;
  if (view === 'all') return h('div', { class: 'results' }, head, extra, bars(labels, tally.counts, tally.ballots), hands);
  return h('div', { class: 'results per-site' }, head, Object.entries(tally.counts_by_site).map(
    ([site, counts]) => bars(labels, counts, tally.ballots_by_site[site] || 0,
      `${siteName(live, site)} — ${t('polls.ballots', { n: tally.ballots_by_site[site] || 0 })}`)),
  Object.entries(tally.hands_by_site || {}).map(([site, row]) => bars(labels, row, sum(row),
    `${siteName(live, site)} — ${t('polls.hands_caption', { n: sum(row) })}`)));
}

export function viewToggle(current, onChange) {
  return h('div', { class: 'toggle', role: 'group', 'aria-label': t('polls.view') },
    ['all', 'sites'].map((view) => h('button', {
      type: 'button', class: 'small', 'aria-pressed': String(current === view),
      onclick: () => onChange(view) }, t(`polls.view_${view}`))));
}

// --- the control room ---------------------------------------------------------
// `site`: a coordinator's room polls (fixed); `scope`: the régie chooses the whole
// event or one site's room.
export function pollBuilder(live, { site = null, scope = false } = {}) {
  const kind = h('select', { id: 'poll-kind' }, ['single', 'multiple', 'rating', 'wordcloud', 'text'].map(
    (k) => h('option', { value: k, 'data-i18n': `polls.kind.${k}` }, t(`polls.kind.${k}`))));
  const question = h('input', { id: 'poll-question', required: true });
  const options = h('textarea', { id: 'poll-options', rows: 4 });
  const maxPicks = h('input', { id: 'poll-max-picks', type: 'number', min: 1, max: 12, value: 2 });
  const scaleMax = h('input', { id: 'poll-scale-max', type: 'number', min: 2, max: 10, value: 5 });
  const maxWords = h('input', { id: 'poll-max-words', type: 'number', min: 1, max: 3, value: 3 });
  const hidden = h('input', { id: 'poll-hidden', type: 'checkbox' });
  const where = scope ? h('select', { id: 'poll-scope' }, h('option', { value: '', 'data-i18n': 'polls.whole_event' },
    t('polls.whole_event')), live.welcome.event.sites.map((s) => h('option', { value: s.id }, t('polls.room_of', { site: s.city }))))
    : null;
  const review = h('input', { id: 'poll-review', type: 'checkbox', checked: true });
  const field = (id, key, input, cls = '') => h('div', { class: `field ${cls}` }, h('label', { for: id, 'data-i18n': key }, t(key)), input);
  const fields = {
    options: field('poll-options', 'polls.options_one_per_line', options, 'for-choice'),
    maxPicks: field('poll-max-picks', 'polls.max_picks', maxPicks, 'for-multiple'),
    scale: field('poll-scale-max', 'polls.scale_max', scaleMax, 'for-rating'),
    words: field('poll-max-words', 'polls.max_words', maxWords, 'for-wordcloud'),
    review: h('div', { class: 'field inline' }, review,
      h('label', { for: 'poll-review', 'data-i18n': 'polls.review_first' }, t('polls.review_first'))),
  };
  const sync = () => {
    fields.options.hidden = !['single', 'multiple'].includes(kind.value);
    fields.maxPicks.hidden = kind.value !== 'multiple';
    fields.scale.hidden = kind.value !== 'rating';
    fields.words.hidden = kind.value !== 'wordcloud';
    fields.review.hidden = !['wordcloud', 'text'].includes(kind.value);
  };
  kind.addEventListener('change', sync);
  const submit = h('button', { type: 'submit', class: 'primary', 'data-i18n': 'polls.create' }, t('polls.create'));
  const form = h('form', { class: 'poll-builder' },
    field('poll-question', 'polls.question', question), field('poll-kind', 'polls.kind_label', kind),
    where ? field('poll-scope', 'polls.scope', where) : null,
    fields.options, fields.maxPicks, fields.scale, fields.words, fields.review,
    h('div', { class: 'field inline' }, hidden, h('label', { for: 'poll-hidden', 'data-i18n': 'polls.hide_until_reveal' }, t('polls.hide_until_reveal'))),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cmd = { type: 'poll.create', question: question.value, kind: kind.value, results: hidden.checked ? 'hidden' : 'live' };
    const room = site || (where && where.value) || null;
    if (room) cmd.site = room;
    if (['single', 'multiple'].includes(kind.value)) cmd.options = options.value.split('\n').map((o) => o.trim()).filter(Boolean);
    if (kind.value === 'multiple') cmd.max_picks = Number(maxPicks.value);
    if (kind.value === 'rating') { cmd.scale_min = 1; cmd.scale_max = Number(scaleMax.value); }
    if (kind.value === 'wordcloud') cmd.max_words = Number(maxWords.value);
    if (['wordcloud', 'text'].includes(kind.value)) cmd.review = review.checked;
    if (await act(live, cmd)) { question.value = ''; options.value = ''; }
  });
  sync();
  return form;
}

// Whether a poll is on the screens: a room poll on its site's, a whole-event poll on
// the screens this page's audience sees (the régie's: every site's).
export function isOnScreen(live, poll) {
  if (poll.site && live.welcome.role === 'moderator') {
    return ((live.state.site_screens || {})[poll.site] || {}).poll === poll.id;
  }
  return live.state.screen === poll.id;
}

export function pollControls(live, poll, { site = null } = {}) {
  const b = (key, cmd, tone = '') => h('button', { type: 'button', class: `small ${tone}`, dataset: { action: `${key}-${poll.id}` },
    onclick: () => act(live, cmd) }, t(key));
  const onScreen = isOnScreen(live, poll);
  const screens = poll.site ? { site: poll.site } : site ? { site } : {};
  return h('div', { class: 'actions' },
    poll.state !== 'open' ? b(poll.state === 'draft' ? 'polls.open' : 'polls.reopen', { type: 'poll.open', poll: poll.id }, 'ok') : null,
    poll.state === 'open' ? b('polls.close', { type: 'poll.close', poll: poll.id }, 'no') : null,
    poll.results_visible ? b('polls.hide_results', { type: 'poll.hide', poll: poll.id })
      : b('polls.reveal', { type: 'poll.reveal', poll: poll.id }, 'ok'),
    poll.state !== 'draft' ? (onScreen ? b('polls.unshow', { type: 'poll.show', poll: null, ...screens })
      : b('polls.show', { type: 'screen.scene', scene: 'poll', poll: poll.id, ...screens })) : null);
}


// The control room's list: each card is kept and updated in place, and its buttons are
// rebuilt only when what they do changes — a vote storm moves only the bars, never
// a control under the cursor or the keyboard focus.
// `filter`: which polls (a coordinator: their room's); `extra(poll)`: more under each
// card (the room's show of hands), kept while its signature holds.
export function renderPollList(container, live, view, { filter = () => true, site = null, extra = null,
  controls = () => true } = {}) {
  const polls = Object.values(live.state.polls).filter(filter).sort((a, b) => b.at - a.at);
  if (!polls.length) { setChildren(container, h('p', { class: 'muted' }, t('polls.none'))); return; }
  container.querySelector(':scope > p.muted')?.remove();
  const phones = currentPoll(live.state, { filter: (p) => !p.site });  // a whole-event poll: the phones'
  syncList(container, polls, (p) => p.id, () => {
    const el = h('article', { class: 'poll-card' });
    el.parts = { title: h('h3'), meta: h('p', { class: 'q-meta' }), actions: h('div'), review: h('div'), results: h('div'),
      extra: h('div') };
    el.append(el.parts.title, el.parts.meta, el.parts.actions, el.parts.review, el.parts.results, el.parts.extra);
    return el;
  }, (el, poll) => {
    const onScreen = isOnScreen(live, poll);
    el.dataset.poll = poll.id;
    el.dataset.site = poll.site || '';
    el.parts.title.textContent = poll.question;
    el.parts.meta.textContent = `${t(`polls.kind.${poll.kind}`)} · ${t(`polls.state.${poll.state}`)} · `
      + (poll.site ? t('polls.room_of', { site: siteCity(live, poll.site) }) : t('polls.whole_event'))
      + (onScreen ? ` · ${t('polls.on_screens')}` : '')
      + (poll === phones ? ` · ${t('polls.on_phones')}` : '');
    const signature = [poll.state, poll.results_visible, onScreen, document.documentElement.lang].join();
    if (el.parts.actions.dataset.signature !== signature) {
      el.parts.actions.dataset.signature = signature;
      refill(el.parts.actions, controls(poll) ? pollControls(live, poll, { site }) : null);
      if (extra) setChildren(el.parts.extra, extra(poll));  // typed counts stay until what they are for changes
    }
    refill(el.parts.review, poll.review ? reviewList(live, poll) : null);
    setChildren(el.parts.results, results(live, poll, view));
  });
}

// What people wrote freely reaches the screens only once the régie lets it through:
// the words (or answers) waiting first, each with its two buttons.
const REVIEW_ORDER = { pending: 0, shown: 1, masked: 2 };
function reviewList(live, poll) {
  const tally = live.state.tallies[poll.id];
  if (!tally) return null;
  const counts = Object.fromEntries((tally.words || []).map(([w, n]) => [w, n]));
  const items = poll.kind === 'wordcloud'
    ? Object.entries(tally.review || {}).map(([word, state]) => ({ key: word, text: word, n: counts[word], state, cmd: { word } }))
    : (tally.answers || []).map((a) => ({ key: a.id, text: a.text, site: a.site, state: a.review, cmd: { answer: a.id } }));
  if (!items.length) return h('p', { class: 'muted' }, t('polls.review_none'));
  items.sort((a, b) => REVIEW_ORDER[a.state] - REVIEW_ORDER[b.state]);
  const waiting = items.filter((i) => i.state === 'pending').length;
  const decide = (item, shown) => h('button', { type: 'button', class: `small ${shown ? 'ok' : 'no'}`,
    dataset: { action: `review-${shown ? 'show' : 'mask'}-${item.key}` },
    onclick: () => act(live, { type: 'poll.review', poll: poll.id, shown, ...item.cmd }) },
  t(shown ? 'polls.review_show' : 'polls.review_mask'));
  return h('details', { class: 'review', open: true },
    h('summary', {}, t('polls.review_title', { n: waiting })),
    h('ul', { class: 'plain review-list' }, items.map((item) => h('li', { dataset: { state: item.state } },
      h('span', { class: 'review-text' }, item.text),
      item.n ? h('span', { class: 'q-meta' }, ` (${t('polls.times', { n: item.n })})`) : null,
      item.site ? h('span', { class: 'q-meta' }, ` — ${siteName(live, item.site)}`) : null,
      h('span', { class: `badge badge-review-${item.state}` }, t(`polls.review_state.${item.state}`)),
      item.state !== 'shown' ? decide(item, true) : null, item.state !== 'masked' ? decide(item, false) : null))));
}

// Polls prepared in the event file (the control room's eyes only): one click creates
// and opens one. A prepared poll already launched says so, and can still be launched again.
export function preparedPolls(live) {
  const prepared = live.welcome.prepared_polls || [];
  if (!prepared.length) return null;
  const asked = new Set(Object.values(live.state.polls).map((p) => p.question));
  return h('div', { class: 'prepared' }, h('h3', {}, t('polls.prepared')),
    h('ul', { class: 'plain', id: 'prepared-polls' }, prepared.map((poll, i) => h('li', {},
      `${poll.question} · ${t(`polls.kind.${poll.kind}`)}`, asked.has(poll.question) ? ` · ${t('polls.launched')} ` : ' ',
      h('button', { type: 'button', class: 'small ok', dataset: { action: `launch-${i}` }, onclick: async () => {
        const created = await act(live, poll);
        if (created) await act(live, { type: 'poll.open', poll: created.result.poll });
      } }, t('polls.launch'))))));
}
