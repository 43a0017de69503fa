// Peer: Socket.IO 4.8, websocket transport, io.emit() to everyone; with REDIS_URL,
// its Redis adapter, so two processes share one room (the two-process case).
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { update, ticker } = require('./common');

const port = Number(process.argv[2]);
const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
let seq = 0;

async function main() {
  if (process.env.REDIS_URL) {
    const { createClient } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const pub = createClient({ url: process.env.REDIS_URL });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  io.on('connection', (socket) => {
    socket.on('start', (msg) => {
      const stop = ticker(Number(msg.rate), () => { seq += 1; io.emit('update', update(seq)); });
      socket.on('disconnect', stop);
    });
  });
  server.listen(port, '127.0.0.1', 4096);
}

main();
