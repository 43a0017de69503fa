// Peer: Node's `ws` with Multiplex's flushing rule (hub/live/pacing.py), so that the
// saturation figures compare the same policy on two stacks: every update since the
// last frame goes out in one frame, rendered once (one Buffer for all clients), and
// the next flush waits, from the end of the previous one, clamp(took, 20 ms, 250 ms).
'use strict';
const { WebSocketServer } = require('ws');
const { update, ticker } = require('./common');

const port = Number(process.argv[2]);
const BASE_MS = Number(process.env.HUB_FLUSH_INTERVAL_MS || 20);
const CEILING_MS = Math.max(BASE_MS, Number(process.env.HUB_FLUSH_INTERVAL_MAX_MS || 250));
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, backlog: 4096 });
const clients = new Set();
let seq = 0;
let flushedSeq = 0;
let pending = [];
let timer = null;
let lastEnd = -Infinity;
let lastTook = 0;

function flush() {
  timer = null;
  const started = performance.now();
  const frame = Buffer.from(JSON.stringify({ type: 'update', from: flushedSeq + 1, seq, changes: pending,
    sent_at: Date.now() }));
  pending = [];
  flushedSeq = seq;
  for (const client of clients) client.send(frame, { binary: false });
  lastEnd = performance.now();
  lastTook = lastEnd - started;
}

function schedule() {
  if (timer !== null) return;
  const gap = Math.min(CEILING_MS, Math.max(BASE_MS, lastTook));
  timer = setTimeout(flush, Math.max(0, lastEnd + gap - performance.now()));
}

wss.on('connection', (ws) => {
  ws.once('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.type === 'start') {
      const stop = ticker(Number(msg.rate), () => {
        seq += 1;
        pending.push(...update(seq).changes);
        schedule();
      });
      ws.on('close', stop);
      return;
    }
    ws.send(JSON.stringify({ type: 'snapshot', seq: flushedSeq, state: {} }));
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
});
