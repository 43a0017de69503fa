// Live video: a site publishes its camera (WHIP), people watch the program or a
// site (WHEP). The hub forwards what the camera encoded; switching the site on
// air changes the program without a new connection.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { participantId } from '../lib/live.js';
import { HlsPlayer, hlsPlayable } from './hls.js';
import { webrtcDelayMs } from './delay.js';

// The hub's media configuration, with a TURN credential minted for this participant:
// asked again once that credential is about to run out (a projector stays up all day).
const configs = new Map();
const RENEW_BEFORE_S = 300;
export async function mediaConfig(event) {
  const cached = configs.get(event);
  if (cached && !(cached.expires && Date.now() / 1000 > cached.expires - RENEW_BEFORE_S)) return cached.config;
  const url = `/api/events/${encodeURIComponent(event)}/media?pid=${encodeURIComponent(participantId())}`;
  const entry = { expires: null, config: null };
  entry.config = fetch(url).then((r) => r.json()).then((config) => {
    entry.expires = config.ice_expires_at;
    return config;
  }, (err) => { configs.delete(event); throw err; });
  configs.set(event, entry);
  return entry.config;
}

// The hub (aiortc) does not trickle ICE: send the offer once gathering is done.
function gathered(pc, limit = 3000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === 'complete') { pc.removeEventListener('icegatheringstatechange', done); resolve(); } };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, limit);
  });
}

// What the hub forwards as it comes: a page publishes VP8; it watches VP8, and H.264 too,
// since a site may publish that from an encoder (OBS) and the hub does not re-encode it.
function preferCodecs(transceiver, { h264 = false } = {}) {
  if (!RTCRtpReceiver.getCapabilities || !transceiver.setCodecPreferences) return;
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
  const wanted = (c) => /VP8|rtx/i.test(c.mimeType)
    || (h264 && /H264/i.test(c.mimeType) && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
  const picked = codecs.filter(wanted).sort((a, b) => /VP8/i.test(b.mimeType) - /VP8/i.test(a.mimeType));
  if (picked.length) transceiver.setCodecPreferences(picked);
}

async function exchange(url, pc, token) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const headers = { 'Content-Type': 'application/sdp' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', body: pc.localDescription.sdp, headers });
  if (response.status !== 201) {
    const body = await response.json().catch(() => ({ code: 'internal' }));
    throw body;
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  return new URL(response.headers.get('Location'), location.href).href;
}

// --- publishing a site's camera ---------------------------------------------------
export class Publisher extends EventTarget {
  constructor(event, site, token) {
    super();
    Object.assign(this, { event, site, token, state: 'stopped', stream: null, pc: null, resource: null, retry: null });
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return { cameras: all.filter((d) => d.kind === 'videoinput'), microphones: all.filter((d) => d.kind === 'audioinput') };
  }

  async start(cameraId, microphoneId) {
    this.wanted = { cameraId, microphoneId };
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { deviceId: cameraId ? { exact: cameraId } : undefined, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: microphoneId ? { deviceId: { exact: microphoneId } } : true,
    });
    this.dispatchEvent(new CustomEvent('preview', { detail: this.stream }));
    await this.connect();
  }

  async connect() {
    this.setState(this.state === 'live' || this.state === 'reconnecting' ? 'reconnecting' : 'connecting');
    const config = await mediaConfig(this.event);
    const pc = new RTCPeerConnection({ iceServers: config.ice_servers });
    this.pc = pc;
    for (const track of this.stream.getTracks()) {
      const init = { direction: 'sendonly', streams: [this.stream] };
      if (track.kind === 'video') init.sendEncodings = [{ maxBitrate: config.max_bitrate }];
      const transceiver = pc.addTransceiver(track, init);
      if (track.kind === 'video') preferCodecs(transceiver);
    }
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'connected') this.setState('live');
      if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') this.scheduleReconnect();
    });
    try {
      this.resource = await exchange(config.whip.replace('{site}', encodeURIComponent(this.site)), pc, this.token);
    } catch (error) {
      this.scheduleReconnect();
      throw error;
    }
  }

  scheduleReconnect() {
    if (this.state === 'stopped' || this.retry) return;
    this.setState('reconnecting');
    this.retry = setTimeout(async () => {
      this.retry = null;
      this.teardown();
      try { await this.connect(); } catch { /* scheduled again */ }
    }, 2000);
  }

  teardown() {
    if (this.resource) fetch(this.resource, { method: 'DELETE' }).catch(() => {});
    this.resource = null;
    if (this.pc) this.pc.close();
    this.pc = null;
  }

  stop() {
    clearTimeout(this.retry);
    this.retry = null;
    this.teardown();
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.setState('stopped');
  }
}

// `site`: what is published (a site's camera, or 'interpreter': the sign-language picture).
export function publishPanel(live, token, { site = live.welcome.site } = {}) {
  const publisher = new Publisher(live.event, site, token);
  window.__mxPublisher = publisher;
  const camera = h('select', { id: 'pub-camera' });
  const microphone = h('select', { id: 'pub-microphone' });
  const preview = h('video', { class: 'preview-video', muted: true, autoplay: true, playsinline: true,
    'data-i18n-attr': 'aria-label:media.preview' });
  preview.muted = true;
  const state = h('p', { class: 'media-state', role: 'status', dataset: { state: 'stopped' } });
  const button = h('button', { type: 'button', class: 'primary', id: 'pub-toggle' });
  // On the preview, as on a studio camera: a red tally while our site is on air.
  const tally = h('p', { class: 'preview-tally', hidden: true });
  const screen = h('div', { class: 'preview-screen' }, preview, tally);
  // What the hub says, never what the browser hopes: « the hub receives our camera » only
  // while the live channel is up and the hub's presence lists our site. The browser's own
  // connection only tells how far the sending has got.
  const said = () => {
    if (publisher.state === 'stopped') return 'stopped';
    if (publisher.state !== 'live') return publisher.state;  // connecting, reconnecting
    if (live.status !== 'online') return 'unknown';  // the hub cannot tell us: we do not say it receives
    const presence = (live.state && live.state.presence) || {};
    const receiving = site === 'interpreter' ? Boolean(presence.interpreter) : (presence.publishing || []).includes(site);
    return receiving ? 'live' : 'waiting';
  };
  const paint = () => {
    const now = said();
    state.dataset.state = now;
    state.textContent = t(`media.sending.${now}`);
    button.textContent = publisher.state === 'stopped' ? t('media.go_live') : t('media.stop');
    const onAir = site !== 'interpreter' && live.state && live.state.stage && live.state.stage.on_air === site;
    screen.dataset.tally = onAir ? 'program' : '';
    tally.hidden = !onAir;
    tally.textContent = t('media.tally_on_air');
  };
  const fillDevices = async () => {
    try {
      const { cameras, microphones } = await publisher.devices();
      const fill = (select, list, key) => select.replaceChildren(...list.map((d, i) =>
        h('option', { value: d.deviceId }, d.label || t(key, { n: i + 1 }))));
      fill(camera, cameras, 'media.camera_n');
      fill(microphone, microphones, 'media.microphone_n');
    } catch { /* listed again after permission */ }
  };
  publisher.addEventListener('preview', (e) => { preview.srcObject = e.detail; fillDevices(); });
  publisher.addEventListener('state', paint);
  live.addEventListener('change', paint);
  live.addEventListener('status', paint);
  document.addEventListener('langchange', paint);
  button.addEventListener('click', async () => {
    if (publisher.state !== 'stopped') { publisher.stop(); return; }
    try { await publisher.start(camera.value || undefined, microphone.value || undefined); } catch (error) {
      if (error && error.name) state.textContent = t('media.no_camera');
    }
  });
  fillDevices();
  paint();
  return h('div', { class: 'publish' },
    h('div', { class: 'field' }, h('label', { for: 'pub-camera', 'data-i18n': 'media.camera' }), camera),
    h('div', { class: 'field' }, h('label', { for: 'pub-microphone', 'data-i18n': 'media.microphone' }), microphone),
    screen, state, button);
}

// --- watching ---------------------------------------------------------------------------
// `done` once the next frame is on screen (browsers without requestVideoFrameCallback:
// once it plays).
function onFirstFrame(video, done) {
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => done());
  else video.addEventListener('playing', () => done(), { once: true });
}

// `thumbnail` (the control room's token): a site's picture, video only, about one frame a
// second (the hub forwards keyframes only): live, and light on the control room's network.
// `monitor` (the same token): the full picture, video only, for the régie's preview and
// program monitors — not counted as an audience.
export class Player {
  constructor(event, video, { thumbnail = null, monitor = null, screen = null, videoOnly = false } = {}) {
    Object.assign(this, { event, video, thumbnail, monitor, screen, videoOnly: videoOnly || Boolean(monitor), pc: null,
      resource: null, target: null, retry: null, backoff: 1000, audioOnly: false });
  }

  // "Son seul": the same WHEP, with only the audio transceiver: no video byte is sent.
  setAudioOnly(on) {
    if (on === this.audioOnly) return;
    this.audioOnly = on;
    const target = this.target;
    this.close();
    if (target) this.watch(target);
  }

  async watch(target) {
    if (target === this.target && this.pc) return;
    this.close();
    this.target = target;
    if (!target) return;
    if (target !== this.tried) Object.assign(this, { tried: target, triedSince: Date.now() });  // retries keep it
    const config = await mediaConfig(this.event);
    const base = target === 'program' ? config.program : config.whep.replace('{site}', encodeURIComponent(target));
    if (!base) return;
    // The hub counts distinct watchers for the report by the participant id.
    const embedded = config.engine === 'embedded';
    const staff = embedded ? (this.thumbnail || this.monitor || this.screen) : null;
    const url = !embedded ? base : this.thumbnail ? `${base}?thumbnail=1` : this.monitor ? `${base}?monitor=1`
      : this.screen ? `${base}?screen=1`
      : `${base}?pid=${encodeURIComponent(participantId())}`;
    const pc = new RTCPeerConnection({ iceServers: config.ice_servers });
    this.pc = pc;
    if (!this.audioOnly) preferCodecs(pc.addTransceiver('video', { direction: 'recvonly' }), { h264: true });
    if (!this.thumbnail && !this.videoOnly) pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => { stream.addTrack(e.track); this.video.srcObject = stream; this.video.play().catch(() => {}); });
    pc.addEventListener('connectionstatechange', () => {
      if (pc === this.pc && pc.connectionState === 'failed') this.again();
    });
    try {
      this.resource = await exchange(url, pc, staff);
      this.backoff = 1000;
    } catch {
      this.again();
    }
  }

  again() {
    const target = this.target;
    this.close();
    this.target = target;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => { this.target = null; this.watch(target); }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, 15000);
  }

  close() {
    clearTimeout(this.retry);
    if (this.resource) fetch(this.resource, { method: 'DELETE' }).catch(() => {});
    if (this.pc) this.pc.close();
    Object.assign(this, { pc: null, resource: null, target: null });
  }
}

const FALLBACK_MS = 6000;  // a WebRTC viewer not connected by then watches over HLS

// The viewer's player: the program (the site on air) or any live site.
// `controls: false` (a big screen): no toolbar, and the sound on when the browser lets
// it start so (a projector's kiosk is started with autoplay allowed: docs/deployment.md).
// `screen`: a big screen's token (its picture is not counted as an audience).
export function playerPanel(live, { controls = true, screen: screenToken = null } = {}) {
  const video = h('video', { class: 'program-video', autoplay: true, muted: true, playsinline: true,
    'data-i18n-attr': 'aria-label:media.player' });
  video.muted = true;  // browsers only autoplay muted video: a button turns the sound on
  const player = new Player(live.event, video, { screen: screenToken });
  window.__mxPlayer = player;
  // Remote viewers may watch over HLS instead (features/hls.js): by choice, when WebRTC
  // cannot connect on their network, or when the hub says WebRTC has its fill of viewers.
  // On-site participants, coordinators and screens stay on WebRTC (the room is live).
  const remote = controls && live.welcome && live.welcome.role === 'viewer';
  const hlsPlayer = new HlsPlayer(live.event, video, () => delayNow);
  window.__mxHls = hlsPlayer;
  const TRANSPORT_KEY = `mx.transport.${live.event}`;
  let transport = localStorage.getItem(TRANSPORT_KEY) === 'hls' ? 'hls' : 'auto';
  let fellBack = null;  // why this page went to HLS by itself: 'fell_back' or 'crowded'
  let fallbackTimer = null;
  const transportChoice = h('select', { id: 'watch-transport' },
    ['auto', 'hls'].map((m) => h('option', { value: m, selected: m === transport })));
  const transportLabel = h('label', { for: 'watch-transport' });
  transportChoice.addEventListener('change', () => {
    transport = transportChoice.value;
    localStorage.setItem(TRANSPORT_KEY, transport);
    fellBack = null;
    update(live);
  });
  const transportNote = h('p', { class: 'hint transport-note', role: 'status', hidden: true });
  // How far behind the live moment the picture is (ms, by the hub's clock), measured every second.
  let delayNow = null;
  const measure = setInterval(async () => {
    if (hlsPlayer.target) {
      const date = hlsPlayer.pictureDate();
      delayNow = date === null ? null : Math.max(0, Math.round(Date.now() + (live.clockOffset || 0) - date));
    } else {
      delayNow = await webrtcDelayMs(player.pc).catch(() => null);
    }
    element.dataset.delay = delayNow === null ? '' : String(delayNow);
  }, 1000);
  const choice = h('select', { id: 'watch-target' });
  const sound = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, t('media.sound_on'));
  sound.addEventListener('click', () => {
    video.muted = !video.muted;
    sound.setAttribute('aria-pressed', String(!video.muted));
    sound.textContent = video.muted ? t('media.sound_on') : t('media.sound_off');
  });
  // What to watch: the viewer's own choice, else the track they follow (a site's camera), else the program.
  let chosen = null;
  let wanted = 'program';
  const preferred = (l) => (l.welcome && l.welcome.role === 'viewer' && l.welcome.follow) || 'program';
  choice.addEventListener('change', () => { chosen = choice.value; update(live); });
  const label = h('label', { for: 'watch-target' }, t('media.watch'));
  // What to receive: picture and sound, the sound only, or nothing. On a site (joined with
  // its code) the sound only by default: the room has the picture, the venue's Wi-Fi is spared.
  const MODE_KEY = `mx.mode.${live.event}`;
  const onSite = live.welcome && live.welcome.role === 'participant';
  let mode = localStorage.getItem(MODE_KEY) || (onSite ? 'audio' : 'video');
  const modeChoice = h('select', { id: 'watch-mode' }, ['video', 'audio', 'off'].map((m) => h('option', { value: m, selected: m === mode })));
  const modeLabel = h('label', { for: 'watch-mode' });
  modeChoice.addEventListener('change', () => { mode = modeChoice.value; localStorage.setItem(MODE_KEY, mode); update(live); });
  // The picture never lies: off air, or a site on air that sends nothing, shows a slate,
  // not the last frozen frame.
  const slateTitle = h('p', { class: 'slate-title' });
  const slateHint = h('p', { class: 'slate-hint' });
  const slate = h('div', { class: 'slate', role: 'status', hidden: true }, slateTitle, slateHint);
  // Until the first frame of what is chosen is on screen (a connection takes a second or
  // two), a slate with the site's name, not black nor a frame left from before.
  let framed = null;  // the source whose frames are on screen
  let waitingFor = 0;  // which wait is current: an older one's frame does not count
  function awaitPicture(source, title) {
    if (framed === source) return;
    const mine = ++waitingFor;
    slate.hidden = false;
    slate.dataset.slate = 'loading';
    slateTitle.textContent = title;
    slateHint.textContent = t('media.slate_loading');
    const came = () => {
      if (mine !== waitingFor) return;
      framed = source;
      if (slate.dataset.slate === 'loading') slate.hidden = true;
    };
    onFirstFrame(video, came);
  }
  const forgetPicture = () => { framed = null; waitingFor += 1; };
  // The sign-language interpreter, over the program whichever site is on air (video only).
  const pipVideo = h('video', { class: 'pip-video', autoplay: true, muted: true, playsinline: true,
    'data-i18n-attr': 'aria-label:media.interpreter' });
  pipVideo.muted = true;
  const pip = h('div', { class: 'pip', hidden: true }, pipVideo);
  const pipPlayer = new Player(live.event, pipVideo, { videoOnly: true });
  window.__mxInterpreter = pipPlayer;
  let pipWanted = true;
  const pipToggle = h('button', { type: 'button', class: 'small', id: 'pip-toggle', 'aria-pressed': 'true', hidden: true });
  pipToggle.addEventListener('click', () => { pipWanted = !pipWanted; update(live); });
  const screen = h('div', { class: 'player-screen' }, video, pip, slate);
  const element = h('div', { class: 'player-panel' }, screen,
    controls ? h('div', { class: 'toolbar' }, label, choice, modeLabel, modeChoice,
      remote ? [transportLabel, transportChoice] : null, sound, pipToggle) : null,
    remote ? transportNote : null);
  if (!controls) {
    video.muted = false;
    video.addEventListener('loadedmetadata', () => video.play().catch(() => { video.muted = true; video.play().catch(() => {}); }));
  }

  async function update(l) {
    const publishing = (l.state.presence && l.state.presence.publishing) || [];
    const onAir = l.state.stage.on_air;
    wanted = chosen ?? preferred(l);
    const options = [['program', t('media.program')], ...publishing.map((s) => [s, l.welcome.event.sites.find((x) => x.id === s)?.name || s])];
    if (choice.options.length !== options.length || [...choice.options].some((o, i) => o.value !== options[i][0])) {
      choice.replaceChildren(...options.map(([value, text]) => h('option', { value, selected: value === wanted }, text)));
    }
    label.textContent = t('media.watch');
    choice.options[0].textContent = t('media.program');  // the language may have changed
    modeLabel.textContent = t('media.mode.label');
    for (const option of modeChoice.options) option.textContent = t(`media.mode.${option.value}`);
    element.dataset.mode = mode;
    sound.textContent = video.muted ? t('media.sound_on') : t('media.sound_off');
    if (wanted !== 'program' && !publishing.includes(wanted)) wanted = 'program';
    const config = await mediaConfig(l.event);
    // With an external media engine there is no program stream: follow the site on air.
    const target = wanted === 'program' && !config.program ? onAir : wanted;
    const showing = mode === 'video' && (wanted === 'program' ? onAir && publishing.includes(onAir) : true);
    element.classList.toggle('has-video', Boolean(showing));
    slate.hidden = Boolean(showing);  // over the picture: the video keeps playing underneath
    const name = onAir ? (l.welcome.event.sites.find((x) => x.id === onAir) || { name: onAir }).name : '';
    // the site whose picture or sound this is: the one on air, or the one chosen
    const watched = wanted === 'program' ? name : (l.welcome.event.sites.find((x) => x.id === wanted) || {}).name;
    if (mode !== 'video') {
      slate.dataset.slate = mode;
      slateTitle.textContent = mode === 'off' ? t('media.mode.off_title')
        : watched ? t('media.mode.audio_title', { site: watched }) : t('media.slate_off_air');
      slateHint.textContent = t(`media.mode.${mode}_hint`);
    } else if (!showing) {
      slate.dataset.slate = onAir ? 'waiting' : 'off-air';
      slateTitle.textContent = onAir ? t('media.slate_waiting', { site: name }) : t('media.slate_off_air');
      slateHint.textContent = onAir ? t('media.slate_waiting_hint') : t('media.slate_off_air_hint');
    }
    // the interpreter: over the picture, when there is one and the viewer wants it
    const interpreter = Boolean(l.state.presence && l.state.presence.interpreter);
    pipToggle.hidden = !interpreter;
    pipToggle.setAttribute('aria-pressed', String(pipWanted));
    pipToggle.textContent = t('media.interpreter_toggle');
    const pipOn = interpreter && pipWanted && mode === 'video';
    pip.hidden = !pipOn;
    if (pipOn) pipPlayer.watch('interpreter'); else { pipPlayer.close(); pipVideo.srcObject = null; }
    transportLabel.textContent = t('media.transport.label');
    for (const option of transportChoice.options) option.textContent = t(`media.transport.${option.value}`);
    clearTimeout(fallbackTimer);
    if (!showing) forgetPicture();
    const title = watched || wanted;
    if (mode === 'off') { player.close(); hlsPlayer.close(); return; }
    if (remote && config.hls && transport === 'auto' && !fellBack && config.hls_first && !player.pc) fellBack = 'crowded';
    const overHls = remote && config.hls && (transport === 'hls' || fellBack) && await hlsPlayable(video);
    transportNote.hidden = !(overHls && fellBack);
    if (fellBack) transportNote.textContent = t(`media.transport.${fellBack}`);
    element.dataset.transport = overHls ? 'hls' : 'webrtc';
    if (overHls) {
      player.close();
      hlsPlayer.play(target, { audioOnly: mode === 'audio' });
      if (showing) awaitPicture(`hls:${target}`, title);
      return;
    }
    hlsPlayer.close();
    player.setAudioOnly(mode === 'audio');
    player.watch(target);
    if (showing) awaitPicture(`webrtc:${target}`, title);
    if (remote && config.hls && transport === 'auto') {
      // WebRTC that has not connected within a few seconds (UDP blocked, no TURN): HLS, by itself.
      const check = () => {
        if (player.target && !(player.pc && player.pc.connectionState === 'connected')) {
          fellBack = 'fell_back';
          update(live);
        }
      };
      fallbackTimer = setTimeout(check, Math.max(0, FALLBACK_MS - (Date.now() - (player.triedSince || Date.now()))));
    }
  }
  // The hub's time of the moment the picture shows: HLS by its program date-time, read
  // when asked (it moves with every frame); WebRTC by the delay last measured.
  const pictureTime = () => {
    if (hlsPlayer.target) return hlsPlayer.pictureDate();
    return delayNow === null ? null : Date.now() + (live.clockOffset || 0) - delayNow;
  };
  return { element, update, delayMs: () => delayNow, pictureTime,
    close: () => { clearInterval(measure); forgetPicture(); player.close(); pipPlayer.close(); hlsPlayer.close(); } };
}

// The other sites, small, for a coordinator; every site (`all`) for a big screen.
export function mosaic(live, { all = false, screen = null } = {}) {
  const grid = h('div', { class: 'mosaic', id: 'mosaic' });
  const players = new Map();
  function update(l) {
    const others = ((l.state.presence && l.state.presence.publishing) || []).filter((s) => all || s !== l.welcome.site);
    for (const [site, entry] of players) {
      if (!others.includes(site)) { entry.player.close(); entry.tile.remove(); players.delete(site); }
    }
    for (const site of others) {
      if (players.has(site)) continue;
      const name = l.welcome.event.sites.find((x) => x.id === site)?.city || site;
      const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t('media.site_video', { site: name }) });
      video.muted = true;
      // until its first frame, the tile says the picture is coming (not a black box)
      const waiting = h('p', { class: 'tile-slate', 'data-i18n': 'media.slate_loading' }, t('media.slate_loading'));
      const tile = h('figure', { class: 'tile', dataset: { site } }, h('div', { class: 'tile-screen' }, video, waiting),
        h('figcaption', {}, name));
      onFirstFrame(video, () => { waiting.hidden = true; });
      const player = new Player(l.event, video, { screen });
      player.watch(site);
      players.set(site, { player, tile });
      grid.append(tile);
    }
    grid.style.setProperty('--cols', String(Math.max(1, Math.ceil(Math.sqrt(others.length)))));  // a big screen's grid
    if (!others.length && !grid.querySelector('.muted')) grid.replaceChildren(h('p', { class: 'muted' }));
    else if (others.length) grid.querySelector(':scope > .muted')?.remove();
    const empty = grid.querySelector(':scope > .muted');
    if (empty) empty.textContent = t(all ? 'screen.no_cameras' : 'media.no_other_sites');  // the language may have changed
    for (const [site, entry] of players) {
      const name = l.welcome.event.sites.find((x) => x.id === site)?.city || site;
      entry.tile.querySelector('video').setAttribute('aria-label', t('media.site_video', { site: name }));
    }
  }
  const close = () => {
    for (const entry of players.values()) entry.player.close();
    players.clear();
    grid.replaceChildren();
  };
  return { element: grid, update, close };
}
