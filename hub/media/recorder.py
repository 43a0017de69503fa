"""Recording the program: one WebM file per programme session (the captations),
written from the forwarded VP8 and Opus packets as they are, never re-encoded.

A site that publishes H.264 is the one exception: WebM cannot carry H.264, and the
program may switch from such a site to a VP8 one within a session, so its pictures
are decoded and encoded to VP8 for the file (in a thread, off the event loop). Its
viewers and its HLS still get its H.264 as it came."""
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

from .source import EncodedFrame
from .tap import is_vp8_keyframe, vp8_size
from .tracks import CLOCK_RATE, ForwardTrack

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
        self._pending_audio: list[tuple[bytes, int]] = []
        self._to_vp8: ToVp8 | None = None
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

    def _mux(self, kind: str, data: bytes, pts: int) -> None:
        assert self._container is not None
        pts_ms = pts * 1000 // CLOCK_RATE[kind]
        pts_ms = max(pts_ms, self._last_pts.get(kind, -1) + 1)  # strictly increasing per stream
        self._last_pts[kind] = pts_ms
        out = av.Packet(data)
        out.pts = out.dts = pts_ms
        out.time_base = MS
        out.stream = self._streams[kind]
        out.is_keyframe = kind == "audio" or is_vp8_keyframe(data)
        self._container.mux(out)

    async def _vp8(self, frame: EncodedFrame) -> bytes | None:
        """The frame as VP8: as it came, or an H.264 one encoded again (see the module's docstring)."""
        if frame.codec != "H264":
            return frame.data
        if self._to_vp8 is None:
            self._to_vp8 = ToVp8()
        return await asyncio.to_thread(self._to_vp8.convert, frame.data, frame.keyframe)

    async def _pump(self, kind: str, track: ForwardTrack) -> None:
        while True:
            try:
                frame, pts = await track.next_frame()
            except MediaStreamError:
                return
            data = frame.data if kind == "audio" else await self._vp8(frame)
            if not data:
                continue
            if self._container is None:
                if kind == "audio":
                    self._pending_audio = self._pending_audio[-50:] + [(data, pts)]  # until the picture starts
                    continue
                size = vp8_size(data)
                if size is None:
                    continue  # the track only starts on a keyframe, which carries the size
                self._open(*size)
            if kind == "video":
                self.frames += 1
                for waiting in self._pending_audio:
                    self._mux("audio", *waiting)
                self._pending_audio = []
            self._mux(kind, data, pts)

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


class ToVp8:
    """H.264 frames decoded and encoded to VP8 (libvpx, real time), one frame in, at most
    one out; a keyframe in gives a keyframe out, so the file can be cut and sought where
    the source could. Used from one thread at a time."""

    def __init__(self) -> None:
        self._decoder: Any = av.CodecContext.create("h264", "r")
        self._encoder: Any = None
        self._pts = 0

    def _open(self, width: int, height: int) -> None:
        encoder = av.CodecContext.create("libvpx", "w")
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.time_base = fractions.Fraction(1, 30)
        encoder.bit_rate = 2_500_000
        encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        self._encoder = encoder

    def convert(self, data: bytes, keyframe: bool) -> bytes | None:
        try:
            pictures = list(self._decoder.decode(av.Packet(data)))
        except av.FFmpegError:
            return None  # damaged: the next keyframe repairs it
        out = b""
        for picture in pictures:
            if self._encoder is None or (picture.width, picture.height) != (self._encoder.width, self._encoder.height):
                self._open(picture.width, picture.height)
                keyframe = True
            frame = picture.reformat(format="yuv420p")
            frame.pts, self._pts = self._pts, self._pts + 1
            frame.pict_type = av.video.frame.PictureType.I if keyframe else av.video.frame.PictureType.NONE
            out += b"".join(bytes(packet) for packet in self._encoder.encode(frame))
        return out or None
