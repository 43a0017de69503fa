// The stage: who is on air, the floor queue, the recording (the switch: features/switcher.js).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteName } from '../lib/app.js';

export function onAirBadge(live) {
  const site = live.state.stage && live.state.stage.on_air;
  return h('p', { class: `on-air ${site ? 'live' : 'off'}` },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), site ? t('stage.on_air', { site: siteName(live, site) }) : t('stage.off_air'));
}

export function floorQueue(live, { grant = false } = {}) {
  const queue = live.state.stage.floor_queue;
  if (!queue.length) return h('p', { class: 'muted' }, t('stage.queue_empty'));
  return h('ol', { class: 'floor-queue' }, queue.map((site) => h('li', {}, siteName(live, site),
    grant ? h('button', { type: 'button', class: 'small ok', onclick: () => act(live, { type: 'stage.grant_floor', site }) }, t('stage.grant')) : null)));
}

export function floorRequest(live) {
  const site = live.welcome.site;
  const { on_air: onAir, floor_queue: queue } = live.state.stage;
  if (onAir === site) return h('p', { class: 'on-air live' }, t('stage.you_are_on_air'));
  const position = queue.indexOf(site);
  if (position >= 0) {
    return h('div', {}, h('p', {}, t('stage.position', { n: position + 1 })),
      h('button', { type: 'button', onclick: () => act(live, { type: 'stage.withdraw_floor' }) }, t('stage.withdraw')));
  }
  return h('button', { type: 'button', class: 'primary', onclick: () => act(live, { type: 'stage.request_floor' }) }, t('stage.request'));
}

// The control room records the program as the captation of a programme session.
let chosenSession = null;  // what the régie picked, kept across redraws

export function recordingControl(live) {
  const { recording } = live.state.stage;
  const programme = live.welcome.event.programme;
  if (!programme.length) return null;
  const selected = chosenSession ?? recording ?? 0;
  const select = h('select', { id: 'record-session', 'aria-label': t('stage.record_which'),
    onchange: (e) => { chosenSession = Number(e.target.value); } },
  programme.map((s, i) => h('option', { value: String(i), selected: i === selected },
    `${s.day ? `${s.day} ` : ''}${s.start} — ${s.title}`)));
  const status = recording === null
    ? h('p', { class: 'muted' }, t('stage.not_recording'))
    : h('p', { class: 'recording' }, h('span', { class: 'dot', 'aria-hidden': 'true' }),
      t('stage.recording', { title: programme[recording].title }));
  return h('div', { class: 'record' }, status, select,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small ok', dataset: { action: 'record' },
        onclick: () => act(live, { type: 'stage.record', session: Number(select.value) }) }, t('stage.record')),
      recording !== null ? h('button', { type: 'button', class: 'small no', dataset: { action: 'stop-recording' },
        onclick: () => act(live, { type: 'stage.record', session: null }) }, t('stage.stop_recording')) : null));
}
