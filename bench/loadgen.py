"""A lean websocket viewer swarm for benchmarks: raw asyncio protocols, one
frame parser, no per-message task. Each viewer says hello, then records every
update: its seq range (to prove nothing is lost) and, for each live post in it,
the delay from the post's commit time (`at`, ms) to receipt."""
from __future__ import annotations

import asyncio
import time
from array import array

import msgspec
from websockets.frames import Frame, Opcode

from .wsframes import complete_frames, upgrade_request

_decode = msgspec.json.Decoder().decode


class Update(msgspec.Struct):
    type: str
    seq: int = 0
    changes: list = []


_decode_update = msgspec.json.Decoder(Update).decode


class Viewer(asyncio.Protocol):
    def __init__(self, swarm: "Swarm", path: str, host: str, hello: bytes) -> None:
        self.swarm, self.path, self.host, self.hello = swarm, path, host, hello
        self.buf = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.ready = asyncio.get_running_loop().create_future()
        self.seq = -1
        self.updates = 0
        self.gaps = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(upgrade_request(self.path, self.host))  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(bytes(buf[:60])))
                return
            del buf[:end + 4]
            self.upgraded = True
            self.transport.write(self.hello)  # type: ignore[union-attr]
        now_ms = time.time() * 1000
        for opcode, payload in complete_frames(buf):
            if opcode == 0x1:
                self._on_text(payload, now_ms)
            elif opcode == 0x9:  # ping: answer, as any browser would
                self.transport.write(Frame(Opcode.PONG, payload).serialize(mask=True))  # type: ignore[union-attr]

    def _on_text(self, payload: bytes, now_ms: float) -> None:
        msg = _decode_update(payload)
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
            hello = Frame(Opcode.TEXT, msgspec.json.encode({"type": "hello", "pid": f"bench-viewer-{i:06d}"})
                          ).serialize(mask=True)
            async with sem:
                _, viewer = await loop.create_connection(
                    lambda: Viewer(self, self.path, f"{self.host}:{self.port}", hello), self.host, self.port)
                await asyncio.wait_for(viewer.ready, 30)
                self.viewers.append(viewer)

        await asyncio.gather(*(one(len(self.viewers) + i) for i in range(n)))
        return time.perf_counter() - started

    def close(self) -> None:
        for v in self.viewers:
            if v.transport:
                v.transport.close()
