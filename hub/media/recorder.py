"""Recording the program: one WebM file per programme session (the captations),
written from the forwarded VP8 and Opus packets as they are, never re-encoded."""
from __future__ import annotations

import asyncio
import fractions
import logging
import re
import struct
import time
import unicodedata
from pathlib import Path
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError

from .tap import vp8_size
from .tracks import ForwardTrack

log = logging.getLogger(__name__)
MS = fractions.Fraction(1, 1000)
# Opus in Matroska needs its identification header as codec private data (RFC 7845).
OPUS_HEAD = b"OpusHead" + struct.pack("<BBHIhB", 1, 2, 312, 48_000, 0, 0)


def file_name(index: int, title: str, started: float) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "session"
    return f"{index + 1:02d}-{slug}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(started))}.webm"


class Recorder:
    """Consumes a video and an audio program track into one file until stopped."""

    def __init__(self, path: Path, video: ForwardTrack, audio: ForwardTrack) -> None:
        self.path, self.video, self.audio = path, video, audio
        # The file's time zero (its tracks' timestamps start here): captions are timed from it.
        self.started_ms = int(time.time() * 1000)
        self.frames = 0
        self._container: av.container.OutputContainer | None = None
        self._streams: dict[str, av.stream.Stream] = {}
        self._last_pts: dict[str, int] = {}
        self._pending_audio: list[av.Packet[Any]] = []
        self._task = asyncio.ensure_future(self._run())

    def _open(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.path), "w", format="webm")
        video = container.add_stream("libvpx", rate=30)
        video.width, video.height, video.time_base = width, height, MS
        audio = container.add_stream("libopus", rate=48_000)
        audio.layout = "stereo"
        audio.codec_context.extradata = OPUS_HEAD
        self._container, self._streams = container, {"video": video, "audio": audio}

    def _mux(self, kind: str, packet: av.Packet[Any]) -> None:
        assert self._container is not None
        assert packet.pts is not None  # forwarded packets always carry a timestamp
        pts_ms = int(packet.pts * packet.time_base * 1000)
        pts_ms = max(pts_ms, self._last_pts.get(kind, -1) + 1)  # strictly increasing per stream
        self._last_pts[kind] = pts_ms
        out = av.Packet(bytes(packet))
        out.pts = out.dts = pts_ms
        out.time_base = MS
        out.stream = self._streams[kind]
        out.is_keyframe = kind == "audio" or not bytes(packet)[0] & 0x01
        self._container.mux(out)

    async def _pump(self, kind: str, track: ForwardTrack) -> None:
        while True:
            try:
                packet = await track.recv()
            except MediaStreamError:
                return
            if self._container is None:
                if kind == "audio":
                    self._pending_audio = self._pending_audio[-50:] + [packet]  # until the picture starts
                    continue
                size = vp8_size(bytes(packet))
                if size is None:
                    continue  # the track only starts on a keyframe, which carries the size
                self._open(*size)
            if kind == "video":
                self.frames += 1
                for waiting in self._pending_audio:
                    self._mux("audio", waiting)
                self._pending_audio = []
            self._mux(kind, packet)

    async def _run(self) -> None:
        await asyncio.gather(self._pump("video", self.video), self._pump("audio", self.audio))

    async def stop(self) -> Path | None:
        self.video.stop()
        self.audio.stop()
        await asyncio.gather(self._task, return_exceptions=True)
        if self._container is None:
            return None
        self._container.close()
        log.info("recorded %d frames to %s", self.frames, self.path)
        return self.path
