// Multiplex-shaped update frames, so one load generator reads every peer.
'use strict';

function update(seq) {
  const now = Date.now();
  const post = { id: `p${seq}`, at: now, kind: 'live', origin: 'remote', title: '',
    body: `Live update n°${seq} from the control room`, state: 'published', photo: null, author: null, hashtag: '#EGNum' };
  return { type: 'update', from: seq, seq, changes: [['post', `p${seq}`, post]], sent_at: now };
}

// Calls tick() `rate` times a second, on schedule even when a tick runs late.
function ticker(rate, tick) {
  const start = Date.now();
  let n = 0;
  let timer = null;
  const next = () => {
    n += 1;
    tick(n);
    timer = setTimeout(next, Math.max(0, start + (n * 1000) / rate - Date.now()));
  };
  timer = setTimeout(next, 0);
  return () => clearTimeout(timer);
}

module.exports = { update, ticker };
