"""A lean websocket viewer swarm for benchmarks: raw asyncio protocols, one
frame parser, no per-message task. Each viewer says hello, then records every
update: its seq range (to prove nothing is lost) and, for each live post in it,
the delay from the post's commit time (`at`, ms) to receipt."""
from __future__ import annotations

import asyncio
import time
from array import array

import msgspec

from .wsframes import ClientSocket


class Update(msgspec.Struct):
    type: str
    seq: int = 0
    changes: list = []


_decode_update = msgspec.json.Decoder(Update).decode


class Viewer(ClientSocket):
    def __init__(self, swarm: "Swarm", path: str, host: str, pid: str) -> None:
        super().__init__(path, host)
        self.swarm, self.pid = swarm, pid
        self.seq = -1
        self.updates = 0
        self.gaps = 0

    def on_open(self) -> None:
        self.send({"type": "hello", "pid": self.pid})

    def on_text(self, payload: bytes) -> None:
        msg = _decode_update(payload)
        now_ms = time.time() * 1000
        if msg.type == "update":
            self.updates += 1
            if msg.seq < self.seq:
                self.gaps += 1
            self.seq = msg.seq
            lat = self.swarm.latencies
            if self.swarm.recording:
                for change in msg.changes:
                    if change[0] == "post" and change[2]:
                        lat.append(now_ms - change[2]["at"])
        elif msg.type == "snapshot":
            self.seq = msg.seq
            if not self.ready.done():
                self.ready.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.swarm.lost_connections += 1
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before snapshot"))


class Swarm:
    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.viewers: list[Viewer] = []
        self.latencies = array("d")
        self.recording = False
        self.lost_connections = 0

    async def connect(self, n: int, concurrency: int = 200) -> float:
        """Open n viewers; returns seconds taken."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem:
                _, viewer = await loop.create_connection(
                    lambda: Viewer(self, self.path, f"{self.host}:{self.port}", f"bench-viewer-{i:06d}"),
                    self.host, self.port)
                await asyncio.wait_for(viewer.ready, 30)
                self.viewers.append(viewer)

        await asyncio.gather(*(one(len(self.viewers) + i) for i in range(n)))
        return time.perf_counter() - started

    def close(self) -> None:
        for v in self.viewers:
            if v.transport:
                v.transport.close()
