"""Just enough websocket for the benchmarks' lean clients: the upgrade request,
and server frames (unmasked) out of a byte buffer."""
from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Iterator

import msgspec
from websockets.frames import Frame, Opcode


def upgrade_request(path: str, host: str = "127.0.0.1") -> bytes:
    """The HTTP request that opens a websocket."""
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def complete_frames(buf: bytearray) -> Iterator[tuple[int, bytes]]:
    """Yield (opcode, payload) for each complete frame; consumed bytes are removed."""
    pos, n = 0, len(buf)
    try:
        while n - pos >= 2:
            size, head = buf[pos + 1] & 0x7F, 2
            if size == 126:
                if n - pos < 4:
                    break
                size, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif size == 127:
                if n - pos < 10:
                    break
                size, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if n - pos < head + size:
                break
            opcode = buf[pos] & 0x0F
            payload = bytes(buf[pos + head:pos + head + size])
            pos += head + size
            yield opcode, payload
    finally:
        del buf[:pos]


class ClientSocket(asyncio.Protocol):
    """A bare websocket client: upgrade, then `on_open()`, then `on_text(payload)` for
    each text frame; pings are answered. `ready` fails if the upgrade is refused;
    subclasses resolve it when they consider themselves joined."""

    def __init__(self, path: str, host: str = "127.0.0.1") -> None:
        self.path, self.host = path, host
        self.buf, self.upgraded = bytearray(), False
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(upgrade_request(self.path, self.host))  # type: ignore[attr-defined]

    def write_frame(self, opcode: Opcode, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(Frame(opcode, payload).serialize(mask=True))

    def send(self, obj: dict) -> None:
        self.write_frame(Opcode.TEXT, msgspec.json.encode(obj))

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                if not self.ready.done():
                    self.ready.set_exception(ConnectionError(bytes(buf[:60])))
                return
            del buf[:end + 4]
            self.upgraded = True
            self.on_open()
        for opcode, payload in complete_frames(buf):
            if opcode == 0x1:
                self.on_text(payload)
            elif opcode == 0x9:  # ping: answer, as any browser would
                self.write_frame(Opcode.PONG, payload)

    def on_open(self) -> None:
        """The upgrade succeeded: say hello."""

    def on_text(self, payload: bytes) -> None:
        """One text frame from the server."""
