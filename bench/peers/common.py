"""What every peer server sends: Multiplex-shaped frames, so one load generator reads all.

A peer generates its updates itself once a control client sends
{"type": "start", "rate": M}; viewers send a hello and get a snapshot stamp.
This favours the peers (no log, no auth, no rendering): a conservative comparison.
"""
from __future__ import annotations

import asyncio
import time
from typing import AsyncIterator

import msgspec

_encode = msgspec.json.Encoder().encode


def snapshot(seq: int) -> bytes:
    return _encode({"type": "snapshot", "seq": seq, "state": {}})


def update_message(seq: int) -> dict:
    now = int(time.time() * 1000)
    post = {"id": f"p{seq}", "at": now, "kind": "live", "origin": "remote", "title": "",
            "body": f"Live update n°{seq} from the control room", "state": "published", "photo": None,
            "author": None, "hashtag": "#EGNum"}
    return {"type": "update", "from": seq, "seq": seq, "changes": [["post", f"p{seq}", post]], "sent_at": now}


def update(seq: int) -> bytes:
    return _encode(update_message(seq))


async def paced(rate: float) -> AsyncIterator[int]:
    """Sequence numbers 1, 2, 3… at `rate` a second, on schedule even when a step runs late."""
    loop = asyncio.get_running_loop()
    start, seq = loop.time(), 0
    while True:
        seq += 1
        yield seq
        await asyncio.sleep(max(0.0, start + seq / rate - loop.time()))
