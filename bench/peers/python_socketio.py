"""Peer: python-socketio (ASGI on uvicorn), `await sio.emit()` to everyone."""
from __future__ import annotations

import asyncio
import sys

import socketio
import uvicorn

from .common import paced, update_message

sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"], cors_allowed_origins=[])
app = socketio.ASGIApp(sio)
state = {"seq": 0}


async def tick(rate: float) -> None:
    async for seq in paced(rate):
        state["seq"] = seq
        await sio.emit("update", update_message(seq))


@sio.on("start")
async def start(sid, msg) -> None:
    asyncio.get_running_loop().create_task(tick(float(msg["rate"])))


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", backlog=4096)
