// The stage: who is on air, the floor queue, and the control room's switch.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteName } from '../lib/app.js';

export function onAirBadge(live) {
  const site = live.state.stage && live.state.stage.on_air;
  return h('p', { class: `on-air ${site ? 'live' : 'off'}` },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), site ? t('stage.on_air', { site: siteName(live, site) }) : t('stage.off_air'));
}

// A site that sends no picture is marked; putting it on air takes a second click.
let confirming = null;
let confirmTimer = null;

export function stageSwitch(live) {
  const current = live.state.stage.on_air;
  const publishing = (live.state.presence && live.state.presence.publishing) || [];
  const warning = confirming ? h('p', { class: 'hint over', role: 'status' },
    t('media.confirm_switch', { site: (live.welcome.event.sites.find((s) => s.id === confirming) || {}).city })) : null;
  return h('div', { class: 'stage-switch', role: 'group', 'aria-label': t('stage.switch') },
    live.welcome.event.sites.map((site) => h('button', {
      type: 'button', class: `small${publishing.includes(site.id) ? ' has-signal' : ' no-signal'}`,
      'aria-pressed': String(current === site.id), dataset: { action: `on-air-${site.id}` },
      onclick: () => {
        if (!publishing.includes(site.id) && confirming !== site.id) {
          confirming = site.id;
          clearTimeout(confirmTimer);
          confirmTimer = setTimeout(() => { confirming = null; live.changed([]); }, 8000);
          live.changed([]);
          return;
        }
        confirming = null;
        act(live, { type: 'stage.on_air', site: site.id });
      } }, site.city, publishing.includes(site.id) ? null : h('span', { class: 'sr-hint' }, ` (${t('media.no_signal')})`))),
    h('button', { type: 'button', class: 'small no', 'aria-pressed': String(current === null), dataset: { action: 'off-air' },
      onclick: () => act(live, { type: 'stage.on_air', site: null }) }, t('stage.cut')), warning);
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
