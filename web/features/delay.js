// Interaction in step with the picture. A viewer whose picture is D seconds behind the
// live moment (HLS: a few seconds; a slow WebRTC path: a fraction) sees the highlighted
// question, a newly opened poll and the captions when their picture reaches that moment,
// not before the speaker has said it. The live channel still brings every change at
// once; this view holds back the parts the picture shows for D, and shows the rest
// (questions, the feed, tallies) live. docs/protocol.md, "In step with the picture".

// The state parts each change key stands for, held back by the picture's delay.
const HELD = { highlight: ['highlight'], poll: ['polls', 'screen'], screen: ['screen'], captions: ['captions'] };
const PARTS = [...new Set(Object.values(HELD).flat())];
const MIN_DELAY_MS = 400;  // below this, nobody can tell: show at once

export class PictureClock {
  // pictureTime(): the hub's time (ms since the epoch) of the moment the picture shows now,
  // or null when nothing plays; hubNow(): the hub's time now; run(keys): redraw those sections.
  constructor(live, pictureTime, hubNow, run) {
    Object.assign(this, { live, pictureTime, hubNow, run, shown: null, previous: null, pending: [] });
    const clock = this;
    const state = new Proxy({}, {
      get(_, prop) {
        const real = live.state;
        return clock.shown && prop in clock.shown ? clock.shown[prop] : real && real[prop];
      },
      has(_, prop) { return Boolean(live.state) && prop in live.state; },
      ownKeys() { return live.state ? Reflect.ownKeys(live.state) : []; },
      getOwnPropertyDescriptor(_, prop) {
        return live.state && prop in live.state ? { enumerable: true, configurable: true, value: state[prop] } : undefined;
      },
    });
    // What the page draws from: the live connection, with the picture's state.
    this.view = new Proxy(live, {
      get(target, prop) {
        if (prop === 'state') return target.state ? state : target.state;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      set(target, prop, value) { target[prop] = value; return true; },
    });
    // Each change waits for the picture to reach the moment it came (the picture may
    // stall and fall further behind meanwhile: it is its clock that decides, not a timer).
    this.ticker = setInterval(() => this.tick(), 100);
  }

  delayMs() {
    const picture = this.pictureTime();
    return picture === null ? null : Math.max(0, this.hubNow() - picture);
  }

  // A batch of changes arrived (null: everything, after a snapshot): the keys to draw now.
  filter(changed) {
    const before = this.previous;
    if (this.live.state) this.previous = this.copy(PARTS);  // what the next change starts from
    const delay = this.delayMs();
    if (delay === null || delay < MIN_DELAY_MS || !this.live.state) {
      if (this.shown) { this.shown = null; this.pending = []; return null; }  // caught up: draw all as it is
      return changed;
    }
    const held = changed ? [...changed].filter((k) => k in HELD) : Object.keys(HELD);
    if (!held.length) return changed;
    if (!this.shown) this.shown = before || this.copy(PARTS);  // from now on, the picture's own moment
    this.pending.push({ at: this.hubNow(), keys: held, parts: this.copy([...new Set(held.flatMap((k) => HELD[k]))]) });
    if (!changed) return null;
    return new Set([...changed].filter((k) => !(k in HELD)));
  }

  tick() {
    if (!this.pending.length || !this.shown) return;
    const picture = this.pictureTime();
    const now = this.hubNow();
    // nothing plays any more, or the picture caught up: show what is held at once
    const until = picture === null || now - picture < MIN_DELAY_MS ? Infinity : picture;
    const keys = new Set();
    while (this.pending.length && this.pending[0].at <= until) {
      const change = this.pending.shift();
      Object.assign(this.shown, change.parts);
      for (const k of change.keys) keys.add(k);
    }
    if (keys.size) this.run(keys);
  }

  copy(parts) {
    const out = {};
    for (const part of parts) out[part] = structuredClone(this.live.state[part] ?? null);
    return out;
  }
}

// The picture's delay behind the hub's clock, in ms: HLS from the playlist's
// EXT-X-PROGRAM-DATE-TIME; WebRTC from the receiver's jitter buffer and half the round trip.
export async function webrtcDelayMs(pc) {
  if (!pc || pc.connectionState !== 'connected') return null;
  let buffer = null;
  let rtt = 0;
  for (const s of (await pc.getStats()).values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.jitterBufferEmittedCount) {
      buffer = (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000;
    }
    if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime) rtt = s.currentRoundTripTime * 1000;
  }
  return buffer === null ? null : Math.round(buffer + rtt / 2);
}
