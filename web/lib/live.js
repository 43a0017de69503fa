// The one connection to the hub: hello, snapshot, updates applied to a state
// mirror, commands with correlation ids, reconnect with backoff and resume by
// sequence number. Commands not acknowledged before a cut are sent again with the
// same id after reconnecting; the hub applies an id once, so nothing is lost or doubled.

// The hub's vocabulary (hub/domain/views.py, hub/live/frames.py; a test keeps these copies equal):
// the change keys an update may carry, those whose value lives in a collection, what is "mine".
export const COLLECTIONS = { question: 'questions', poll: 'polls', tally: 'tallies', post: 'posts', person: 'people' };
export const KEYS = ['question', 'poll', 'tally', 'post', 'person', 'highlight', 'screen', 'scene', 'captions', 'stage',
  'reactions', 'presence', 'publishing', 'imports', 'site_screens', 'rooms', 'timers'];
export const ME_KEYS = ['upvoted', 'proposals_upvoted', 'ballot', 'question', 'proposal'];
export const PID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const FATAL = new Set([4400, 4401, 4404]);
// Silent for longer than the deadline (checked every interval): lost, within 10 s at most.
const HEARTBEAT_EVERY_MS = 2000;
const HEARTBEAT_DEADLINE_MS = 7000;

export function participantId() {
  let pid = localStorage.getItem('mx.pid');
  if (!pid || !PID_PATTERN.test(pid)) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    pid = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    localStorage.setItem('mx.pid', pid);
  }
  return pid;
}

export class Live extends EventTarget {
  constructor(event, { join = null, token = null, category = null, follow = null } = {}) {
    super();
    this.event = event;
    this.join = join;
    this.token = token;
    this.category = category;  // self-declared (élève, parent…), or null
    this.follow = follow;      // a remote viewer: the site whose track they follow, or null (the program)
    this.clockOffset = 0;      // the hub's clock minus ours (the speaker's timer counts by the hub's time)
    this.pid = participantId();
    this.state = null;
    this.me = {};
    this.welcome = null;
    this.seq = null;
    this.status = 'connecting';   // connecting | online | offline | failed
    this.pending = new Map();     // id -> {message, resolve, reject}
    this.counter = 0;
    this.backoff = 500;
    this.ws = null;
    this.everOnline = false;
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return `${scheme}://${location.host}/live/${encodeURIComponent(this.event)}`;
  }

  connect() {
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: 'hello', pid: this.pid };
      if (this.join) hello.join = this.join;
      if (this.token) hello.token = this.token;
      if (this.category) hello.category = this.category;
      if (this.follow) hello.follow = this.follow;
      if (this.seq !== null) hello.resume = this.seq;
      ws.send(JSON.stringify(hello));
      for (const { message } of this.pending.values()) ws.send(JSON.stringify(message));
    };
    ws.onmessage = (event) => { this.heardAt = Date.now(); this.onMessage(JSON.parse(event.data)); };
    ws.onclose = (event) => this.onClose(event, ws);
    this.heardAt = Date.now();
    this.startHeartbeat(ws);
  }

  // A connection can die without closing (a phone leaving the venue's Wi-Fi): ask the
  // hub every few seconds, and call the connection lost when it stays silent.
  startHeartbeat(ws) {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (ws !== this.ws) { clearInterval(this.heartbeat); return; }
      if (Date.now() - this.heardAt > HEARTBEAT_DEADLINE_MS) {
        clearInterval(this.heartbeat);
        this.ws = null;
        try { ws.close(); } catch { /* already closing */ }
        this.onClose({ code: 1006, reason: 'no answer' }, null);
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
    }, HEARTBEAT_EVERY_MS);
  }

  setStatus(status) {
    if (this.status === status) return;
    const was = this.status;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: { status, was } }));
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'welcome':
        this.welcome = msg;
        break;
      case 'snapshot':
        this.state = msg.state;
        this.me = msg.me || {};
        this.seq = msg.seq;
        this.online();
        this.changed([]);
        break;
      case 'update':
        this.applyUpdate(msg);
        break;
      case 'me':
        this.applyMine(msg);
        break;
      case 'ack':
      case 'error': {
        const waiting = this.pending.get(msg.id);
        if (!waiting) {
          if (msg.type === 'error') this.dispatchEvent(new CustomEvent('hub-error', { detail: msg }));
          break;
        }
        this.pending.delete(msg.id);
        if (msg.type === 'ack') waiting.resolve(msg);
        else waiting.reject(msg);
        break;
      }
      default:
        break;
    }
  }

  online() {
    this.backoff = 500;
    this.setStatus('online');
    this.everOnline = true;
  }

  // Follow another track (or the program): what one sees changes (a site's room polls,
  // its screens), so start again from a fresh snapshot rather than resume.
  followTrack(site) {
    this.follow = site || null;
    this.seq = null;
    this.state = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) { ws.onclose = null; try { ws.close(); } catch { /* already closing */ } }
    this.connect();
  }

  hubNow() {
    return Date.now() + this.clockOffset;
  }

  applyUpdate(msg) {
    if (msg.sent_at) this.clockOffset = msg.sent_at - Date.now();
    if (this.seq !== null && msg.from !== this.seq + 1) {
      // Out of step: ask to be brought up to date from what we hold.
      this.ws.send(JSON.stringify({ type: 'resume', seq: this.seq }));
      return;
    }
    for (const [kind, id, value] of msg.changes) {
      if (COLLECTIONS[kind]) {
        const bucket = this.state[COLLECTIONS[kind]];
        if (value === null) delete bucket[id];
        else bucket[id] = value;
      } else {
        this.state[kind] = value;
      }
    }
    this.seq = Math.max(this.seq ?? 0, msg.seq);
    this.online();
    this.changed(msg.changes);
  }

  // What is mine (my ballots, upvotes, questions and proposals), as the hub says it:
  // all of it after a catch-up, or the changes an entry made, to my connections only.
  applyMine(msg) {
    if (msg.me) {
      this.me = msg.me;
    } else {
      const me = { ...this.me };
      for (const [key, id, value] of msg.changes || []) {
        if (key === 'ballot') {
          me.ballots = { ...(me.ballots || {}) };
          if (value === null) delete me.ballots[id]; else me.ballots[id] = value;
        } else if (key === 'upvoted' || key === 'proposals_upvoted') {
          const held = new Set(me[key] || []);
          if (value) held.add(id); else held.delete(id);
          me[key] = [...held];
        } else if (key === 'question' || key === 'proposal') {
          const list = [...(me[`${key}s`] || [])];
          const at = list.findIndex((item) => item.id === id);
          if (at < 0) list.push(value); else list[at] = value;
          me[`${key}s`] = list;
        }
      }
      this.me = me;
    }
    this.changed([['me', '', null]]);
  }

  changed(changes) {
    this.dispatchEvent(new CustomEvent('change', { detail: { changes } }));
  }

  onClose(event, ws) {
    if (ws !== this.ws) return;
    clearInterval(this.heartbeat);
    if (FATAL.has(event.code)) {
      this.setStatus('failed');
      this.dispatchEvent(new CustomEvent('fatal', { detail: { code: event.code, reason: event.reason } }));
      for (const waiting of this.pending.values()) waiting.reject({ code: 'connection.closed' });
      this.pending.clear();
      return;
    }
    const delay = this.backoff * (0.75 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, 10000);
    this.nextAttemptAt = Date.now() + delay;  // what the offline banner counts down to
    this.retryTimer = setTimeout(() => this.retryNow(), delay);
    this.setStatus('offline');
    this.dispatchEvent(new CustomEvent('retry', { detail: { at: this.nextAttemptAt } }));
  }

  // The next attempt now (the banner's button), rather than at the end of the backoff.
  retryNow() {
    clearTimeout(this.retryTimer);
    this.nextAttemptAt = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;  // already trying
    this.dispatchEvent(new CustomEvent('retry', { detail: { at: null } }));
    this.connect();
  }

  // Send a command; resolves with the ack, rejects with {code, message, data}.
  send(cmd) {
    const id = `${this.pid.slice(0, 6)}-${Date.now().toString(36)}-${++this.counter}`;
    const message = { type: 'cmd', id, cmd };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { message, resolve, reject });
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {  // else sent on the next open
        this.ws.send(JSON.stringify(message));
      }
    });
  }
}
