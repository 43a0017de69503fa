"""A source: one site's incoming video or audio, as encoded frames, fanned out to
its subscribers (viewers' tracks, the program, the recorder). Keyframe requests
from any number of subscribers reach the publisher at most once per interval."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiortc.codecs.vpx import Vp8Encoder

from . import h264
from .tap import is_vp8_keyframe


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    data: bytes
    keyframe: bool
    at: float  # monotonic arrival time at the hub
    # the RTP payloads it goes out as, cut once here for every viewer (hub/media/forward.py);
    # empty for a codec the hub does not cut itself
    payloads: tuple[bytes, ...] = ()
    # as aiortc names it: "VP8" or "H264" (a site may publish either), "opus"
    codec: str = ""


class Subscriber(Protocol):
    def offer(self, frame: EncodedFrame, source: "Source") -> None: ...


class Source:
    def __init__(self, site: str, kind: str, *, keyframe_interval: float = 0.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.site, self.kind = site, kind
        self.subscribers: set[Subscriber] = set()
        self.keyframe_interval = keyframe_interval
        self.clock = clock
        self.request_keyframe: Callable[[], None] | None = None  # set while a publisher is connected
        self._last_request = float("-inf")
        self._deferred: asyncio.TimerHandle | None = None
        self.frames = 0
        self.picture_id = 0  # VP8's, per source: every viewer's packets of a frame are the same bytes
        self.keyframes_requested = 0
        self.last_frame_at: float | None = None

    @property
    def live(self) -> bool:
        return self.request_keyframe is not None

    def push(self, codec: str, data: bytes) -> None:
        """A complete encoded frame from the publisher: hand it to every subscriber."""
        now = self.clock()
        frame = EncodedFrame(data, self.kind == "audio" or _is_keyframe(codec, data), now,
                             self._payloads(codec, data), codec)
        self.frames += 1
        self.last_frame_at = now
        for subscriber in list(self.subscribers):
            subscriber.offer(frame, self)

    def _payloads(self, codec: str, data: bytes) -> tuple[bytes, ...]:
        if codec == "opus":
            return (data,)
        if codec == "VP8":
            payloads = tuple(Vp8Encoder._packetize(data, self.picture_id))  # aiortc's own packetizer
            self.picture_id = (self.picture_id + 1) % (1 << 15)
            return payloads
        if codec == "H264":
            return h264.packetize(data)
        return ()

    def keyframe_wanted(self) -> None:
        """Ask the publisher for a keyframe: at once, or, if one was asked for very
        recently, once that interval is over (deferred, never dropped)."""
        if self.kind != "video" or self.request_keyframe is None:
            return
        wait = self._last_request + self.keyframe_interval - self.clock()
        if wait <= 0:
            self._send_request()
        elif self._deferred is None:
            self._deferred = asyncio.get_running_loop().call_later(wait, self._send_request)

    def _send_request(self) -> None:
        self._deferred = None
        if self.request_keyframe is not None:
            self._last_request = self.clock()
            self.keyframes_requested += 1
            self.request_keyframe()


def _is_keyframe(codec: str, data: bytes) -> bool:
    if codec == "VP8":
        return is_vp8_keyframe(data)
    return codec == "H264" and h264.is_keyframe(data)
