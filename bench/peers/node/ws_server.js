// Peer: Node's `ws`, one send per client per update (the message serialised once).
'use strict';
const { WebSocketServer } = require('ws');
const { update, ticker } = require('./common');

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, backlog: 4096 });
const clients = new Set();
let seq = 0;
let stop = null;

wss.on('connection', (ws) => {
  ws.once('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.type === 'start') {
      stop = ticker(Number(msg.rate), () => {
        seq += 1;
        const text = JSON.stringify(update(seq));
        for (const client of clients) client.send(text);
      });
      ws.on('close', () => stop && stop());
      return;
    }
    ws.send(JSON.stringify({ type: 'snapshot', seq, state: {} }));
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
});
