// The control room's vision mixer, laid out as in vMix or OBS's studio mode: a preview
// monitor beside the program monitor, one thumbnail per site with its tally light (red:
// on air, green: in preview), and « Prendre l'antenne » to put the preview on air.
// A click on a thumbnail only previews: nothing reaches the audience before the take.
// After a take, preview and program swap, so the site that was on air is one take away.
// (The keyboard's 1–9 still cut straight to a site: features/shortcuts.js.)
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act, siteName } from '../lib/app.js';
import { Player, mediaConfig } from './media.js';

const CONFIRM_MS = 8000;  // a site sending no picture: the second take must come within this

function monitor(live, token, { kind }) {
  const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-hidden': 'true' });
  video.muted = true;
  const label = h('p', { class: 'monitor-label' });
  const slate = h('p', { class: 'monitor-slate' });
  const element = h('figure', { class: `monitor monitor-${kind}`, dataset: { monitor: kind } },
    h('div', { class: 'monitor-screen' }, video, slate), h('figcaption', {}, label));
  const player = new Player(live.event, video, { monitor: token });
  return {
    element,
    show(target, { title, empty }) {
      label.textContent = title;
      slate.textContent = empty || '';
      slate.hidden = !empty;
      element.dataset.target = target || '';
      if (target && !empty) player.watch(target); else { player.close(); video.srcObject = null; }
    },
  };
}

export function switcher(live, token) {
  let preview = null;      // this régie's choice, not the hub's: another régie previews what it likes
  let confirming = null;   // the site whose missing picture was pointed out once
  let confirmTimer = null;
  const tiles = new Map();
  const previewMonitor = monitor(live, token, { kind: 'preview' });
  const programMonitor = monitor(live, token, { kind: 'program' });
  const take = h('button', { type: 'button', class: 'primary take', dataset: { action: 'take' }, onclick: () => doTake() });
  const cut = h('button', { type: 'button', class: 'no cut', dataset: { action: 'off-air' },
    onclick: () => act(live, { type: 'stage.on_air', site: null }) });
  const warning = h('p', { class: 'hint over take-warning', role: 'status' });
  const sources = h('div', { class: 'sources', role: 'group' });
  // as on a mixer's desk, the transition sits between the preview and the program
  const element = h('div', { class: 'switcher' },
    h('div', { class: 'monitors' }, previewMonitor.element, h('div', { class: 'take-bar' }, take, cut), programMonitor.element),
    warning, sources);

  const publishing = () => (live.state.presence && live.state.presence.publishing) || [];

  async function doTake() {
    const site = preview;
    const onAir = live.state.stage.on_air;
    if (!site || site === onAir) return;
    if (!publishing().includes(site) && confirming !== site) {
      confirming = site;
      clearTimeout(confirmTimer);
      confirmTimer = setTimeout(() => { confirming = null; update(live); }, CONFIRM_MS);
      update(live);
      return;
    }
    confirming = null;
    if (await act(live, { type: 'stage.on_air', site })) {
      if (onAir) preview = onAir;  // the swap
      update(live);
    }
  }

  function tile(site) {
    const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-hidden': 'true' });
    video.muted = true;
    const state = h('span', { class: 'tile-state' });
    const tally = h('span', { class: 'tally', 'aria-hidden': 'true' });
    const button = h('button', { type: 'button', class: 'site-tile', dataset: { action: `preview-${site.id}`, site: site.id },
      onclick: () => { preview = site.id; confirming = null; update(live); } },
    h('span', { class: 'thumb' }, video, tally), h('span', { class: 'tile-name' }, site.city), state);
    const entry = { button, state, tally, video, player: new Player(live.event, video, { thumbnail: token }) };
    tiles.set(site.id, entry);
    sources.append(button);
    return entry;
  }

  async function update(l) {
    const onAir = l.state.stage.on_air;
    const sending = publishing();
    sources.setAttribute('aria-label', t('switcher.sources'));
    for (const site of l.welcome.event.sites) {
      const entry = tiles.get(site.id) || tile(site);
      const signal = sending.includes(site.id);
      const tally = onAir === site.id ? 'program' : preview === site.id ? 'preview' : '';
      entry.button.setAttribute('aria-pressed', String(preview === site.id));
      entry.button.dataset.signal = String(signal);
      entry.button.dataset.tally = tally;
      entry.tally.textContent = tally ? t(`switcher.tally_${tally}`) : '';
      entry.state.textContent = [onAir === site.id ? t('stage.tile_on_air') : signal ? t('stage.tile_signal') : t('media.no_signal'),
        preview === site.id ? t('switcher.in_preview') : null].filter(Boolean).join(' · ');
      if (signal) entry.player.watch(site.id); else { entry.player.close(); entry.video.srcObject = null; }
    }
    const name = (site) => siteName(l, site);
    previewMonitor.show(preview, {
      title: preview ? t('switcher.preview_of', { site: name(preview) }) : t('switcher.preview'),
      empty: !preview ? t('switcher.pick') : !sending.includes(preview) ? t('switcher.no_signal', { site: name(preview) }) : null });
    const config = await mediaConfig(l.event);
    programMonitor.show(config.program ? 'program' : onAir, {
      title: onAir ? t('stage.on_air', { site: name(onAir) }) : t('stage.off_air'),
      empty: !onAir ? t('stage.off_air') : !sending.includes(onAir) ? t('media.slate_waiting', { site: name(onAir) }) : null });
    programMonitor.element.classList.toggle('live', Boolean(onAir));
    take.textContent = t('switcher.take');
    take.disabled = !preview || preview === onAir;
    cut.textContent = t('stage.cut');
    cut.disabled = !onAir;
    const unsure = confirming && l.welcome.event.sites.find((s) => s.id === confirming);
    warning.hidden = !unsure;
    warning.textContent = unsure ? t('switcher.confirm', { site: unsure.city }) : '';
  }
  return { element, update };
}
