"""HLS of the program and of each site's camera: packaged once by the hub, for any
number of viewers behind nginx or a CDN (each segment reaches the hub about once per
cache, whatever the audience).

The forwarded VP8/Opus packets are decoded once per source; each rendition is then
encoded once (libx264 and AAC through PyAV) into FFmpeg's own HLS muxer: 1-second
segments, each starting on a keyframe, with EXT-X-PROGRAM-DATE-TIME so that a page
can tell how far behind the live moment its picture is. Nothing here segments or
encodes by hand. The encoding runs in a thread: PyAV releases the GIL while FFmpeg
works, so the event loop (the live channel, WebRTC) is not held by it.

Switching the site on air changes only what is decoded: the encoders and the
playlist go on, the new picture scaled and letterboxed to each rendition's size, so
a viewer does nothing. When no picture comes (nobody on air, a publisher gone) the
last picture, or black, is repeated at a low rate and the sound is silence: the
playlist never stalls.

Segment numbers start from the wall clock (FFmpeg's `epoch` start number), so a
packager started again never reuses a name that a cache may still hold.
"""
from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.filter
from aiortc.mediastreams import MediaStreamError

from .source import EncodedFrame
from .tracks import ForwardTrack

log = logging.getLogger(__name__)

VIDEO_RATE = 90_000
AUDIO_RATE = 48_000
VIDEO_TB = fractions.Fraction(1, VIDEO_RATE)
AUDIO_TB = fractions.Fraction(1, AUDIO_RATE)
IDLE_PICTURE_S = 0.5      # no new picture for this long: repeat the last one
IDLE_FPS = 5              # ... at this rate (enough to keep segments coming, cheap to encode)
SILENCE_AHEAD_S = 0.15    # the sound this far behind the clock: fill with silence
AUDIO_CHUNK = 960         # 20 ms at 48 kHz, the size of a silence frame
MAX_BACKLOG = 90          # frames waiting for the encoder thread: beyond, skip to the next keyframe


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int            # 0: sound only
    height: int
    video_bitrate: int
    audio_bitrate: int

    @property
    def has_video(self) -> bool:
        return self.width > 0

    @property
    def bandwidth(self) -> int:
        """What the master playlist announces: the peak bits per second, with the container's overhead."""
        return int((self.video_bitrate + self.audio_bitrate) * 1.15)

    @property
    def codecs(self) -> str:
        return "avc1.42c01f,mp4a.40.2" if self.has_video else "mp4a.40.2"


LADDER = {
    "1080p": Rendition("1080p", 1920, 1080, 4_500_000, 128_000),
    "720p": Rendition("720p", 1280, 720, 2_500_000, 128_000),
    "480p": Rendition("480p", 854, 480, 1_200_000, 96_000),
    "360p": Rendition("360p", 640, 360, 700_000, 96_000),
    "audio": Rendition("audio", 0, 0, 0, 96_000),
}


def parse_renditions(text: str) -> tuple[Rendition, ...]:
    """HUB_HLS_RENDITIONS ("720p,360p,audio") → the renditions, best first; ValueError if unknown or empty."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in LADDER]
    if unknown:
        raise ValueError(f"unknown rendition {', '.join(unknown)} (known: {', '.join(LADDER)})")
    if not names:
        raise ValueError("name at least one rendition")
    picked = {n: LADDER[n] for n in names}
    return tuple(sorted(picked.values(), key=lambda r: (-r.width, -r.audio_bitrate)))


def master_playlist(renditions: tuple[Rendition, ...]) -> str:
    """The multivariant playlist: each rendition's own playlist, the best first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in renditions:
        size = f",RESOLUTION={r.width}x{r.height}" if r.has_video else ""
        lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth}{size},CODECS="{r.codecs}",NAME="{r.name}"',
                  f"{r.name}/index.m3u8"]
    return "\n".join(lines) + "\n"


class _Output:
    """One rendition: its encoders and FFmpeg's HLS muxer, writing into its folder."""

    def __init__(self, folder: Path, rendition: Rendition, segment_s: float, window: int) -> None:
        self.rendition, self.segment_s = rendition, segment_s
        folder.mkdir(parents=True, exist_ok=True)
        self.container = av.open(str(folder / "index.m3u8"), "w", format="hls", options={
            "hls_time": f"{segment_s:g}", "hls_list_size": str(window),
            # temp_file: the playlist and each segment appear whole (renamed), never half-written
            "hls_flags": "delete_segments+program_date_time+independent_segments+temp_file",
            "hls_segment_filename": str(folder / "seg-%d.ts"), "hls_start_number_source": "epoch"})
        self.video: Any = None
        if rendition.has_video:
            video = self.container.add_stream("libx264", rate=30)
            video.width, video.height, video.pix_fmt = rendition.width, rendition.height, "yuv420p"
            video.bit_rate, video.time_base = rendition.video_bitrate, VIDEO_TB
            ctx = video.codec_context
            ctx.time_base = VIDEO_TB  # PyAV rebases each frame to it: 1/30 would merge close pictures
            ctx.gop_size = 10_000  # keyframes are placed by us, one per segment
            # baseline profile (every phone decodes it), no look-ahead: a frame out as soon as it is in
            ctx.options = {"preset": "veryfast", "tune": "zerolatency", "profile": "baseline", "forced-idr": "1",
                           "x264-params": "scenecut=0", "maxrate": str(rendition.video_bitrate),
                           "bufsize": str(rendition.video_bitrate)}
            self.video = video
        audio = self.container.add_stream("aac", rate=AUDIO_RATE)
        audio.layout, audio.bit_rate, audio.time_base = "stereo", rendition.audio_bitrate, AUDIO_TB
        self.audio: Any = audio
        self._graph: tuple[tuple[int, int, str], Any, Any] | None = None
        self._last_key = -(10 ** 12)
        self._last_pts = -1
        self.last_picture: av.VideoFrame | None = None  # scaled to this rendition, repeated when nothing comes

    def _fit(self, frame: av.VideoFrame) -> av.VideoFrame:
        """Scaled to the rendition's size, keeping its shape (black bars where it differs)."""
        shape = (frame.width, frame.height, frame.format.name)
        if self._graph is None or self._graph[0] != shape:
            w, h = self.rendition.width, self.rendition.height
            graph = av.filter.Graph()
            src = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format,
                                   time_base=VIDEO_TB)
            chain = [graph.add("scale", f"{w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2"),
                     graph.add("pad", f"{w}:{h}:(ow-iw)/2:(oh-ih)/2:black"),
                     graph.add("format", "yuv420p"), graph.add("buffersink")]
            src.link_to(chain[0])
            for a, b in zip(chain, chain[1:], strict=False):
                a.link_to(b)
            graph.configure()
            self._graph = (shape, graph, src)
        _, graph, src = self._graph
        src.push(frame)
        out = graph.pull()
        assert isinstance(out, av.VideoFrame)
        return out

    def picture(self, frame: av.VideoFrame | None, pts: int) -> None:
        """Encode a picture at `pts` (90 kHz): a new one, or the last again when `frame` is None."""
        if self.video is None:
            return
        if frame is not None:
            self.last_picture = self._fit(frame)
        if self.last_picture is None:
            self.last_picture = av.VideoFrame(self.rendition.width, self.rendition.height, "yuv420p")
            for plane, value in zip(self.last_picture.planes, (16, 128, 128), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)  # black in limited-range YUV
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        out = self.last_picture
        out.pts, out.time_base = pts, VIDEO_TB
        # a keyframe opens each segment, so that the muxer can cut there
        if pts - self._last_key >= self.segment_s * VIDEO_RATE:
            out.pict_type = av.video.frame.PictureType.I
            self._last_key = pts
        else:
            out.pict_type = av.video.frame.PictureType.NONE
        for packet in self.video.encode(out):
            self.container.mux(packet)

    def sound(self, frame: av.AudioFrame) -> None:
        for packet in self.audio.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.container.close()


class HlsPackager:
    """One source (the program or a site) packaged into every rendition, until stopped."""

    def __init__(self, folder: Path, video: ForwardTrack, audio: ForwardTrack, renditions: tuple[Rendition, ...],
                 *, segment_s: float = 1.0, window: int = 6,
                 on_drop: Callable[[ForwardTrack], None] | None = None) -> None:
        self.folder, self.renditions = folder, renditions
        self.segment_s, self.window = segment_s, window
        self.video, self.audio = video, audio
        self._on_drop = on_drop
        self._inbox: queue.SimpleQueue[tuple[str, EncodedFrame] | None] = queue.SimpleQueue()
        self._loop = asyncio.get_running_loop()
        self.pictures = 0        # pictures decoded from the source (for tests and /healthz)
        self.failed: str | None = None
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self._thread = threading.Thread(target=self._encode, name=f"hls:{folder.name}", daemon=True)
        self._thread.start()
        self._pumps = [asyncio.ensure_future(self._pump(t)) for t in (video, audio)]

    async def _pump(self, track: ForwardTrack) -> None:
        while True:
            try:
                frame, _ = await track.next_frame()
            except MediaStreamError:
                return
            self._inbox.put((track.kind, frame))

    # -- the encoder thread ------------------------------------------------------------
    def _encode(self) -> None:
        outputs: list[_Output] = []
        try:
            outputs = [_Output(self.folder / r.name, r, self.segment_s, self.window) for r in self.renditions]
            self._run(outputs)
        except Exception as exc:  # a codec refusing its input must not take the hub down: say so
            self.failed = f"{type(exc).__name__}: {exc}"
            log.exception("HLS packaging of %s stopped", self.folder)
        finally:
            for output in outputs:
                output.close()

    def _run(self, outputs: list[_Output]) -> None:
        vp8 = av.CodecContext.create("vp8", "r")
        opus = av.CodecContext.create("opus", "r")
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        # The muxer dates segments from the wall clock when it writes its header, plus the
        # timestamps since the first packet: write the header now and a picture at 0 now,
        # so that EXT-X-PROGRAM-DATE-TIME is the hub's time of each picture's arrival.
        t0 = time.monotonic()
        for output in outputs:
            output.container.start_encoding()
            output.picture(None, 0)
        audio_clock = 0           # samples written so far, the sound's own timeline
        last_picture = t0         # when a picture was last encoded (new or repeated)
        skipping = False          # behind: decode nothing until the next keyframe
        while True:
            try:
                item = self._inbox.get(timeout=1 / IDLE_FPS)
            except queue.Empty:
                item = ("tick", None)  # type: ignore[assignment]
            if item is None:
                return
            kind, frame = item
            now = time.monotonic()
            if kind == "video" and frame is not None:
                if self._inbox.qsize() > MAX_BACKLOG and not frame.keyframe:
                    skipping = True
                    self._loop.call_soon_threadsafe(self.video.keyframe_request)
                    continue
                if skipping and not frame.keyframe:
                    continue
                skipping = False
                for picture in _decode(vp8, frame.data):
                    self.pictures += 1
                    pts = int((frame.at - t0) * VIDEO_RATE)
                    for output in outputs:
                        output.picture(picture, pts)
                    last_picture = now
            elif kind == "audio" and frame is not None:
                if audio_clock > (now - t0 + 0.5) * AUDIO_RATE:
                    continue  # a burst ahead of the clock (after a stall): its time has passed
                for decoded in _decode(opus, frame.data):
                    for chunk in resampler.resample(decoded):
                        chunk.pts, chunk.time_base = audio_clock, AUDIO_TB
                        audio_clock += chunk.samples
                        for output in outputs:
                            output.sound(chunk)
            if now - last_picture >= IDLE_PICTURE_S:
                for output in outputs:
                    output.picture(None, int((now - t0) * VIDEO_RATE))
                last_picture = now - IDLE_PICTURE_S + 1 / IDLE_FPS
            while audio_clock < (now - t0 - SILENCE_AHEAD_S) * AUDIO_RATE:
                silence = av.AudioFrame(format="fltp", layout="stereo", samples=AUDIO_CHUNK)
                for plane in silence.planes:
                    plane.update(bytes(plane.buffer_size))
                silence.sample_rate, silence.pts, silence.time_base = AUDIO_RATE, audio_clock, AUDIO_TB
                audio_clock += AUDIO_CHUNK
                for output in outputs:
                    output.sound(silence)

    # -- state the server reads ----------------------------------------------------------
    def ready(self, rendition: str) -> bool:
        return (self.folder / rendition / "index.m3u8").is_file()

    async def stop(self) -> None:
        for track in (self.video, self.audio):
            if self._on_drop is not None:
                self._on_drop(track)
            track.stop()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._inbox.put(None)
        await asyncio.to_thread(self._thread.join)
        shutil.rmtree(self.folder, ignore_errors=True)


def _decode(ctx: Any, data: bytes) -> list[Any]:
    """A forwarded packet decoded; a damaged one gives nothing (the next keyframe repairs the picture)."""
    try:
        return list(ctx.decode(av.Packet(data)))
    except av.FFmpegError:
        return []
