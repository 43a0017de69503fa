"""An async Python client for the live channel, used by tests, benchmarks and scripts.

It keeps a mirror of the state, checks that updates arrive without gap or
overlap (`ranges`), reconnects by itself and resumes from its last seq, and
re-sends commands that were not acknowledged (the hub applies a command id once).

    async with LiveClient("ws://127.0.0.1:8000/live/grand-est-2020") as c:
        await c.command({"type": "question.ask", "text": "Bonjour ?"})
"""
from __future__ import annotations

import asyncio
import itertools
import secrets
import socket
from collections.abc import Callable
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from .domain import views

COLLECTIONS = views.COLLECTIONS  # the keys whose values live in a collection, as the hub renders them
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


class HubError(Exception):
    def __init__(self, code: str, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.data = code, message, data or {}


def apply_mine(me: dict[str, Any], msg: dict[str, Any]) -> dict[str, Any]:
    """A `me` frame applied to what a participant holds as theirs (views.mine's shape)."""
    if msg.get("me") is not None:
        return dict(msg["me"])
    me = dict(me)
    for key, ident, value in msg.get("changes") or []:
        if key == "ballot":
            ballots = dict(me.get("ballots", {}))
            if value is None:
                ballots.pop(ident, None)
            else:
                ballots[ident] = value
            me["ballots"] = ballots
        elif key in ("upvoted", "proposals_upvoted"):
            held = set(me.get(key, []))
            held = held | {ident} if value else held - {ident}
            me[key] = sorted(held)
        elif key in ("question", "proposal"):
            items = list(me.get(f"{key}s", []))
            at = next((i for i, item in enumerate(items) if item["id"] == ident), None)
            if at is None:
                items.append(value)
            else:
                items[at] = value
            me[f"{key}s"] = items
    return me


class LiveClient:
    def __init__(self, url: str, *, pid: str | None = None, site: str | None = None, code: str | None = None,
                 token: str | None = None, reconnect: bool = True,
                 socket_factory: Callable[[], socket.socket] | None = None, category: str | None = None,
                 follow: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}  # e.g. X-Forwarded-For, as a load balancer would add it
        self.category = category  # self-declared (élève, parent, enseignant…), optional
        self.follow = follow      # a remote viewer: the site whose track they follow
        self.pid = pid or secrets.token_urlsafe(12)
        self.join = {"site": site, "code": code} if site else None
        self.token = token
        self.reconnect = reconnect
        self.socket_factory = socket_factory  # e.g. a socket with small buffers, for tests
        self.ws: ClientConnection | None = None
        self.welcome: dict[str, Any] = {}
        self.state: dict[str, Any] = {}
        self.me: dict[str, Any] = {}
        self.seq: int | None = None
        self.ranges: list[tuple[int, int]] = []   # (from, seq) of every update applied
        self.snapshots = 0
        self.resyncs = 0
        self.errors: list[dict[str, Any]] = []    # errors that answered no command
        self.close_code: int | None = None
        self.reconnects = 0
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._ids = itertools.count(1)
        self._pending: dict[str, tuple[dict[str, Any], asyncio.Future[dict[str, Any]]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()
        self._closing = False

    async def __aenter__(self) -> "LiveClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- connection ----------------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> None:
        """Open the connection and wait for the first snapshot (or resume)."""
        await self._open(timeout)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _open(self, timeout: float) -> None:
        self._ready.clear()
        sock = self.socket_factory() if self.socket_factory else None
        self.ws = await connect(self.url, max_size=None, compression=None, open_timeout=timeout, sock=sock,
                                additional_headers=self.headers)
        hello: dict[str, Any] = {"type": "hello", "pid": self.pid}
        if self.join:
            hello["join"] = self.join
        if self.token:
            hello["token"] = self.token
        if self.seq is not None:
            hello["resume"] = self.seq
        if self.category:
            hello["category"] = self.category
        if self.follow:
            hello["follow"] = self.follow
        await self.ws.send(_encode(hello).decode())
        for message, _ in list(self._pending.values()):
            await self.ws.send(_encode(message).decode())  # not acked before the cut: again, same id

    async def close(self) -> None:
        self._closing = True
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    async def drop(self) -> None:
        """Cut the connection abruptly (as a network loss would); reconnects if enabled."""
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.abort()

    async def _read_loop(self) -> None:
        backoff = 0.05
        while True:
            try:
                assert self.ws is not None
                async for raw in self.ws:
                    self._on_message(_decode(raw))
                    backoff = 0.05
            except ConnectionClosed:
                pass
            if self.ws is not None and self.ws.close_code is not None:
                self.close_code = self.ws.close_code
            if self._closing or not self.reconnect or self.close_code in (4400, 4401, 4404):
                for _, fut in self._pending.values():
                    if not fut.done():
                        fut.set_exception(HubError("connection.closed", f"closed ({self.close_code})"))
                self._ready.set()
                self._changed.set()
                return
            while not self._closing:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                try:
                    await self._open(10.0)
                    self.reconnects += 1
                    break
                except (TimeoutError, OSError, ConnectionClosed):
                    continue

    # -- messages --------------------------------------------------------------------
    def _on_message(self, msg: dict[str, Any]) -> None:
        kind = msg["type"]
        if kind == "welcome":
            self.welcome = msg
        elif kind == "snapshot":
            self.state, self.me, self.seq = msg["state"], msg.get("me", {}), msg["seq"]
            self.snapshots += 1
            self.resyncs += bool(msg.get("resync"))
            self._ready.set()
        elif kind == "update":
            self._on_update(msg)
            self._ready.set()
        elif kind == "me":
            self.me = apply_mine(self.me, msg)
        elif kind in ("ack", "error"):
            entry = self._pending.pop(msg.get("id", ""), None)
            if entry is None:
                if kind == "error":
                    self.errors.append(msg)
            elif not entry[1].done():
                if kind == "ack":
                    entry[1].set_result(msg)
                else:
                    entry[1].set_exception(HubError(msg["code"], msg["message"], msg.get("data")))
        for listener in self.listeners:
            listener(msg)
        self._changed.set()

    def _on_update(self, msg: dict[str, Any]) -> None:
        first, last = msg["from"], msg["seq"]
        if self.seq is not None and first != self.seq + 1:
            # A gap (or an overlap) should never happen: ask to be brought up to date.
            if self.ws is not None:
                asyncio.ensure_future(self.ws.send(_encode({"type": "resume", "seq": self.seq}).decode()))
            return
        if last >= first:
            self.ranges.append((first, last))
        for kind, ident, value in msg["changes"]:
            if kind in COLLECTIONS:
                bucket = self.state.setdefault(COLLECTIONS[kind], {})
                if value is None:
                    bucket.pop(ident, None)
                else:
                    bucket[ident] = value
            else:
                self.state[kind] = value
        self.seq = max(self.seq or 0, last)

    # -- commands ----------------------------------------------------------------------
    async def command(self, cmd: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send a command; return its ack, or raise HubError with the hub's code."""
        cid = f"{self.pid[:8]}-{next(self._ids)}"
        message = {"type": "cmd", "id": cid, "cmd": cmd}
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[cid] = (message, future)
        try:
            assert self.ws is not None
            await self.ws.send(_encode(message).decode())
        except ConnectionClosed:
            pass  # re-sent after the reconnect
        return await asyncio.wait_for(future, timeout)

    async def send_raw(self, data: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def wait_for(self, predicate: Callable[["LiveClient"], bool], timeout: float = 10.0) -> None:
        """Wait until predicate(self) holds (checked after every message)."""
        async def until() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(until(), timeout)

    def gaps_or_overlaps(self) -> list[tuple[int, int]]:
        """Places where consecutive update ranges do not join up exactly."""
        return [(a[1], b[0]) for a, b in zip(self.ranges, self.ranges[1:]) if b[0] != a[1] + 1]
