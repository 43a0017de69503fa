// The stage: who is on air, the floor queue, and the control room's switch.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteName } from '../lib/app.js';
import { Player } from './media.js';

export function onAirBadge(live) {
  const site = live.state.stage && live.state.stage.on_air;
  return h('p', { class: `on-air ${site ? 'live' : 'off'}` },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), site ? t('stage.on_air', { site: siteName(live, site) }) : t('stage.off_air'));
}

// The on-air switch: one tile per site with its camera live (a thumbnail: about one
// frame a second, video only) and its state in words; the tiles are kept across
// redraws, so the pictures keep playing and the keyboard focus stays put. A site that
// sends no picture takes a second click to go on air.
export function stageSwitch(live, token) {
  let confirming = null;
  let confirmTimer = null;
  const tiles = new Map();
  const group = h('div', { class: 'stage-switch', role: 'group' });
  const cut = h('button', { type: 'button', class: 'small no cut', dataset: { action: 'off-air' },
    onclick: () => act(live, { type: 'stage.on_air', site: null }) });
  const warning = h('p', { class: 'hint over', role: 'status' });
  const element = h('div', { class: 'switch' }, group, cut, warning);

  function tile(site) {
    const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-hidden': 'true' });
    video.muted = true;
    const state = h('span', { class: 'tile-state' });
    const button = h('button', { type: 'button', class: 'site-tile', dataset: { action: `on-air-${site.id}`, site: site.id },
      onclick: () => {
        const publishing = (live.state.presence && live.state.presence.publishing) || [];
        if (!publishing.includes(site.id) && confirming !== site.id) {
          confirming = site.id;
          clearTimeout(confirmTimer);
          confirmTimer = setTimeout(() => { confirming = null; live.changed([]); }, 8000);
          live.changed([]);
          return;
        }
        confirming = null;
        act(live, { type: 'stage.on_air', site: site.id });
      } }, h('span', { class: 'thumb' }, video), h('span', { class: 'tile-name' }, site.city), state);
    const entry = { button, state, video, player: new Player(live.event, video, { thumbnail: token }) };
    tiles.set(site.id, entry);
    group.append(button);
    return entry;
  }

  function update(l) {
    const current = l.state.stage.on_air;
    const publishing = (l.state.presence && l.state.presence.publishing) || [];
    group.setAttribute('aria-label', t('stage.switch'));
    for (const site of l.welcome.event.sites) {
      const entry = tiles.get(site.id) || tile(site);
      const signal = publishing.includes(site.id);
      const onAir = current === site.id;
      entry.button.setAttribute('aria-pressed', String(onAir));
      entry.button.dataset.signal = String(signal);
      entry.state.textContent = onAir ? t('stage.tile_on_air') : signal ? t('stage.tile_signal') : t('media.no_signal');
      if (signal) entry.player.watch(site.id); else { entry.player.close(); entry.video.srcObject = null; }
    }
    cut.setAttribute('aria-pressed', String(current === null));
    cut.textContent = t('stage.cut');
    const site = confirming && l.welcome.event.sites.find((s) => s.id === confirming);
    warning.hidden = !site;
    warning.textContent = site ? t('media.confirm_switch', { site: site.city }) : '';
  }
  return { element, update };
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
