"""Peer: the `websockets` library's own server and its broadcast() helper."""
from __future__ import annotations

import asyncio
import json
import sys

import websockets
from websockets.asyncio.server import broadcast, serve

from .common import paced, snapshot, update

clients: set = set()
state = {"seq": 0, "ticker": None}


async def tick(rate: float) -> None:
    async for seq in paced(rate):
        state["seq"] = seq
        broadcast(clients, update(seq).decode())


async def handler(ws) -> None:
    msg = json.loads(await ws.recv())
    if msg["type"] == "start":
        state["ticker"] = asyncio.create_task(tick(float(msg["rate"])))
        await ws.wait_closed()
        state["ticker"].cancel()
        return
    await ws.send(snapshot(state["seq"]).decode())
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=16, backlog=4096):
        await asyncio.Future()


if __name__ == "__main__":
    import uvloop
    uvloop.run(main(int(sys.argv[1])))
