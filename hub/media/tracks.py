"""The tracks the hub sends: they yield encoded packets, so aiortc's sender only
re-packetises them (no encoding). One per viewer; the program's can switch sources.

A thumbnail track (the control room's view of every site) forwards keyframes only and
asks the source for one every `keyframe_every` seconds: a live picture at about one
frame a second, at a fraction of the bitrate, still without any encoding by the hub.

Each has a bounded queue. A viewer that falls behind loses its queue, waits for
the next keyframe (asked for at once) and carries on: dropping a single delta
frame would corrupt the picture until the next keyframe anyway.
"""
from __future__ import annotations

import asyncio
import collections
import fractions
import time
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .source import EncodedFrame, Source

CLOCK_RATE = {"video": 90_000, "audio": 48_000}
MAX_QUEUE = {"video": 30, "audio": 50}  # about one second


class ForwardTrack(MediaStreamTrack):
    def __init__(self, kind: str, *, max_queue: int | None = None, keyframe_every: float | None = None) -> None:
        super().__init__()
        self.keyframe_every = keyframe_every if kind == "video" else None
        self._next_request: asyncio.TimerHandle | None = None
        self.kind = kind
        self.source: Source | None = None
        self.pending: Source | None = None   # the program switches here at its next keyframe
        self.max_queue = max_queue or MAX_QUEUE[kind]
        self._queue: collections.deque[EncodedFrame] = collections.deque()
        self._ready = asyncio.Event()
        self._waiting_keyframe = kind == "video"
        self._rate = CLOCK_RATE[kind]
        self._time_base = fractions.Fraction(1, self._rate)
        self._t0 = time.monotonic()
        self._last_pts = -1
        self.forwarded = 0
        self.dropped = 0

    # -- wiring ----------------------------------------------------------------------
    def attach(self, source: Source | None) -> None:
        """Follow `source` now (a viewer of one site; the program's first source)."""
        self._unsubscribe(self.source)
        self._unsubscribe(self.pending)
        self.source, self.pending = source, None
        if source is not None:
            source.subscribers.add(self)
            self._waiting_keyframe = self.kind == "video"
            source.keyframe_wanted()

    def switch(self, source: Source | None) -> None:
        """Change source without renegotiation: video keeps the old picture until the
        new source's next keyframe (asked for now), so the switch shows no black frame."""
        if source is self.source:
            self._unsubscribe(self.pending)
            self.pending = None
            return
        if self.kind == "audio" or source is None or self.source is None:
            self.attach(source)
            return
        if self.pending is not source:
            self._unsubscribe(self.pending)
        self.pending = source
        source.subscribers.add(self)
        source.keyframe_wanted()

    def _unsubscribe(self, source: Source | None) -> None:
        if source is not None:
            source.subscribers.discard(self)

    def keyframe_request(self) -> None:
        """The viewer's decoder asked for a keyframe (PLI): pass it to the source."""
        if self.source is not None:
            self.source.keyframe_wanted()

    # -- frames in -----------------------------------------------------------------------
    def offer(self, frame: EncodedFrame, source: Source) -> None:
        if source is self.pending:
            if not frame.keyframe:
                return
            old, self.source, self.pending = self.source, source, None
            if old is not None:
                old.subscribers.discard(self)
            self._queue.clear()
            self._waiting_keyframe = False
        elif source is not self.source:
            return
        if self.keyframe_every is not None:
            self._thumbnail(frame, source)
            return
        if self._waiting_keyframe:
            if not frame.keyframe:
                source.keyframe_wanted()  # a request may have been lost: the source rate-limits
                return
            self._waiting_keyframe = False
        if len(self._queue) >= self.max_queue:
            self.dropped += len(self._queue)
            self._queue.clear()
            if self.kind == "video" and not frame.keyframe:
                self._waiting_keyframe = True
                source.keyframe_wanted()
                return
        self._queue.append(frame)
        self._ready.set()

    def _thumbnail(self, frame: EncodedFrame, source: Source) -> None:
        if not frame.keyframe:
            return
        self._queue.clear()  # a thumbnail only ever wants the newest picture
        self._queue.append(frame)
        self._ready.set()
        if self._next_request is None and self.keyframe_every is not None:
            self._next_request = asyncio.get_running_loop().call_later(self.keyframe_every, self._ask_again)

    def _ask_again(self) -> None:
        self._next_request = None
        if self.source is not None and self.readyState == "live":
            self.source.keyframe_wanted()

    @property
    def queued(self) -> int:
        return len(self._queue)

    # -- packets out -------------------------------------------------------------------
    async def next_frame(self) -> tuple[EncodedFrame, int]:
        """The next frame and its timestamp in the codec's clock (90 kHz video, 48 kHz
        sound), from the hub's clock: continuous across source switches."""
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        frame = self._queue.popleft()
        pts = max(int((frame.at - self._t0) * self._rate), self._last_pts + 1)
        self._last_pts = pts
        self.forwarded += 1
        return frame, pts

    async def recv(self) -> av.Packet[Any]:
        """As aiortc's senders and the recorder read a track: an encoded packet."""
        frame, pts = await self.next_frame()
        packet = av.Packet(frame.data)
        packet.pts = packet.dts = pts
        packet.time_base = self._time_base
        return packet

    def stop(self) -> None:
        super().stop()
        if self._next_request is not None:
            self._next_request.cancel()
            self._next_request = None
        for source in (self.source, self.pending):
            if source is not None:
                source.subscribers.discard(self)
        self._ready.set()  # wake recv() so it ends
