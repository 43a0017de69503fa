"""Peer: Starlette on uvicorn, one `await send_text` per client per update."""
from __future__ import annotations

import asyncio
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .common import paced, snapshot, update

clients: set[WebSocket] = set()
state = {"seq": 0}


async def tick(rate: float) -> None:
    async for seq in paced(rate):
        state["seq"] = seq
        text = update(seq).decode()
        for ws in list(clients):
            try:
                await ws.send_text(text)
            except Exception:
                clients.discard(ws)


async def endpoint(ws: WebSocket) -> None:
    await ws.accept()
    msg = await ws.receive_json()
    if msg["type"] == "start":
        ticker = asyncio.create_task(tick(float(msg["rate"])))
        try:
            await ws.receive_text()
        except WebSocketDisconnect:
            ticker.cancel()
        return
    await ws.send_text(snapshot(state["seq"]).decode())
    clients.add(ws)
    try:
        while True:
            await ws.receive_text()
    except WebSocketDisconnect:
        clients.discard(ws)


app = Starlette(routes=[WebSocketRoute("/live/{event}", endpoint)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", ws_per_message_deflate=False,
                backlog=4096)
