"""Just enough websocket for the benchmarks' lean clients: the upgrade request,
and server frames (unmasked) out of a byte buffer."""
from __future__ import annotations

import base64
import os
from typing import Iterator


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
