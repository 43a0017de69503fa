// HLS for remote viewers: the program (or a site) as HTTP segments and LL-HLS parts that
// nginx or a CDN serves, a second or two behind WebRTC. Safari plays it natively; elsewhere hls.js
// (npm, served by the hub as /static/vendor/hls.mjs), loaded only when needed.
import { participantId } from '../lib/live.js';

const REPORT_EVERY_MS = 20000;  // the hub counts a player gone after 45 s without a report
let hlsModule = null;

async function loadHls() {
  if (!hlsModule) hlsModule = import('/static/vendor/hls.mjs').then((m) => m.default).catch(() => null);
  return hlsModule;
}

function nativeHls(video) {
  // Safari's own player (macOS, iOS): what Apple's devices play best. Other browsers that
  // answer "maybe" here still get hls.js, which reports the picture's date reliably.
  return /Apple/.test(navigator.vendor || '') && video.canPlayType('application/vnd.apple.mpegurl') !== '';
}

export async function hlsPlayable(video) {
  if (nativeHls(video)) return true;
  const Hls = await loadHls();
  return Boolean(Hls && Hls.isSupported());
}

export class HlsPlayer {
  // delayMs(): how far behind the live moment the picture is, reported with the rest.
  constructor(event, video, delayMs = () => null) {
    Object.assign(this, { event, video, delayMs, hls: null, target: null, reporter: null, audioOnly: false });
  }

  url(target) {
    const base = `/hls/${encodeURIComponent(this.event)}/${encodeURIComponent(target)}`;
    return this.audioOnly ? `${base}/audio/index.m3u8` : `${base}/master.m3u8`;
  }

  async play(target, { audioOnly = false } = {}) {
    if (target === this.target && audioOnly === this.audioOnly && (this.hls || this.video.src)) return true;
    this.close();
    Object.assign(this, { target, audioOnly });
    if (!target) return false;
    this.video.srcObject = null;
    if (nativeHls(this.video)) {
      this.video.src = this.url(target);
    } else {
      const Hls = await loadHls();
      if (!Hls || !Hls.isSupported() || this.target !== target) return false;
      // No worker: the page's CSP allows scripts from the hub only (hls.js would start one from a blob).
      // Low latency: hls.js follows the playlist's 200-ms parts and starts PART-HOLD-BACK behind the
      // newest (under a second), nudging the speed by up to 10 % to stay there. (Its live sync
      // counts are left alone: set, they would replace PART-HOLD-BACK.)
      const hls = new Hls({ enableWorker: false, lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.1,
        manifestLoadPolicy: { default: { maxTimeToFirstByteMs: 15000, maxLoadTimeMs: 20000,
          timeoutRetry: { maxNumRetry: 4, retryDelayMs: 500, maxRetryDelayMs: 4000 },
          errorRetry: { maxNumRetry: 8, retryDelayMs: 1000, maxRetryDelayMs: 4000 } } } });
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else setTimeout(() => { if (this.hls === hls) hls.startLoad(); }, 2000);  // the hub or the cache is back soon
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, () => this.report());  // the hub counts viewers per rendition
      // and the régie sees the audience's delay: say it as soon as it is known, not 20 s later
      hls.on(Hls.Events.FRAG_CHANGED, () => { if (!this.delaySaid && this.delayMs() !== null) this.report(); });
      this.hls = hls;
      hls.loadSource(this.url(target));
      hls.attachMedia(this.video);
    }
    this.video.play().catch(() => {});
    this.report();
    this.reporter = setInterval(() => this.report(), REPORT_EVERY_MS);
    return true;
  }

  // Which rendition plays now: its name in the master playlist, "audio", or "auto" when
  // the browser's own player chooses without saying.
  get rendition() {
    if (this.audioOnly) return 'audio';
    const levels = (this.hls && this.hls.levels) || [];
    const level = levels[this.hls ? this.hls.currentLevel : -1];
    return (level && level.name) || 'auto';
  }

  // When the picture shown now was live, by the playlist's EXT-X-PROGRAM-DATE-TIME (ms since the epoch).
  pictureDate() {
    if (this.hls && this.hls.playingDate) return this.hls.playingDate.getTime();
    if (!this.hls && this.video.getStartDate) {
      const start = this.video.getStartDate().getTime();
      if (!Number.isNaN(start)) return start + this.video.currentTime * 1000;
    }
    return null;
  }

  report() {
    if (!this.target) return;
    const delay = this.delayMs();
    this.delaySaid = delay !== null;
    fetch(`/api/events/${encodeURIComponent(this.event)}/hls/watching`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pid: participantId(), target: this.target, rendition: this.rendition,
        ...(delay !== null ? { delay_ms: delay } : {}) }),
    }).catch(() => {});
  }

  close() {
    clearInterval(this.reporter);
    if (this.hls) this.hls.destroy();
    if (this.video.src && !this.video.srcObject) { this.video.removeAttribute('src'); this.video.load(); }
    Object.assign(this, { hls: null, target: null, reporter: null, delaySaid: false });
  }
}
