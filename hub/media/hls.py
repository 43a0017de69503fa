"""HLS of the program and of each site's camera: packaged once by the hub, for any
number of viewers behind nginx or a CDN (each segment reaches the hub about once per
cache, whatever the audience).

The forwarded VP8 or H.264 and Opus packets are decoded once per source; each rendition
is then encoded once (libx264 and AAC through PyAV) into FFmpeg's mp4 muxer, which cuts a
CMAF fragment at each keyframe and every 200 ms: the parts of Low-Latency HLS,
grouped into 1-second segments each opening on a keyframe (hub/media/llhls.py), dated with
EXT-X-PROGRAM-DATE-TIME so that a page can tell how far behind the live moment its
picture is. Nothing here segments or encodes by hand, and nothing goes to disk: the
windows live in memory (a few MB per rendition) and the HTTP routes serve them.
The encoding runs in a thread: PyAV releases the GIL while FFmpeg works, so the
event loop (the live channel, WebRTC) is not held by it.

A site that publishes H.264 also gets a "source" rendition in its own HLS: its packets
remuxed as they came, not decoded nor encoded (only the sound is, Opus to AAC). Its
segments open on the publisher's keyframes, which the packager asks for about once a
segment. The program has none: it switches between sites that may send VP8 or H.264 at
different sizes, which one continuous stream can only give encoded.

Switching the site on air changes only what is decoded: the encoders and the
playlist go on, the new picture scaled and letterboxed to each rendition's size, so
a viewer does nothing. When no picture comes (nobody on air, a publisher gone) the
last picture, or black, is repeated at a low rate and the sound is silence: the
playlist never stalls.

Segment numbers start from the wall clock, so a packager started again never reuses
a name that a cache may still hold.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import fractions
import io
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import av
import av.filter
from aiortc.mediastreams import MediaStreamError

from . import h264
from .llhls import LiveWindow, boxes, fragment_timing, starts_with_keyframe, timescale
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
VIDEO_TRACK = 1           # the mp4 track ids: the picture (the first stream added),
AUDIO_TRACK = 2           # then the sound
PART_S = 0.2              # a partial segment's length: LL-HLS players start about three of them behind
MAX_BACKLOG = 90          # frames waiting for the encoder thread: beyond, skip to the next keyframe


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int            # 0: sound only
    height: int
    video_bitrate: int
    audio_bitrate: int
    copy: bool = False    # the source's H.264 remuxed: its size and profile are the publisher's
    video_codec: str = "avc1.42c01f"  # RFC 6381: baseline, level 3.1, what libx264 is told to make

    @property
    def has_video(self) -> bool:
        return self.width > 0 or self.copy

    @property
    def bandwidth(self) -> int:
        """What the master playlist announces: the peak bits per second, with the container's overhead."""
        return int((self.video_bitrate + self.audio_bitrate) * 1.15)

    @property
    def codecs(self) -> str:
        return f"{self.video_codec},mp4a.40.2" if self.has_video else "mp4a.40.2"


LADDER = {
    # a site publishing H.264: as it came (its bitrate is measured, announced once known)
    "source": Rendition("source", 0, 0, 3_000_000, 128_000, copy=True),
    "1080p": Rendition("1080p", 1920, 1080, 4_500_000, 128_000),
    "720p": Rendition("720p", 1280, 720, 2_500_000, 128_000),
    "480p": Rendition("480p", 854, 480, 1_200_000, 96_000),
    "360p": Rendition("360p", 640, 360, 700_000, 96_000),
    "audio": Rendition("audio", 0, 0, 0, 96_000),
}


def parse_renditions(text: str) -> tuple[Rendition, ...]:
    """HUB_HLS_RENDITIONS ("source,720p,360p,audio") → the renditions, the copy then the best first;
    ValueError if unknown or empty."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in LADDER]
    if unknown:
        raise ValueError(f"unknown rendition {', '.join(unknown)} (known: {', '.join(LADDER)})")
    if not names:
        raise ValueError("name at least one rendition")
    picked = {n: LADDER[n] for n in names}
    return tuple(sorted(picked.values(), key=lambda r: (not r.copy, -r.width, -r.audio_bitrate)))


def master_playlist(renditions: tuple[Rendition, ...]) -> str:
    """The multivariant playlist: each rendition's own playlist, the best first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in renditions:
        size = f",RESOLUTION={r.width}x{r.height}" if r.width > 0 else ""
        lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth}{size},CODECS="{r.codecs}",NAME="{r.name}"',
                  f"{r.name}/index.m3u8"]
    return "\n".join(lines) + "\n"


class _Fragments:
    """What FFmpeg's mp4 muxer writes, a byte stream (it never seeks back in fragmented
    mode), read as it comes: the init section (ftyp, moov) once, then each fragment (moof,
    mdat) as soon as it is whole. The muxer decides every cut; this only finds the boxes."""

    def __init__(self, on_init: Callable[[bytes], None], on_fragment: Callable[[bytes], None]) -> None:
        self._buffer = bytearray()
        self._written = 0
        self._on_init, self._on_fragment = on_init, on_fragment
        self._init: bytearray | None = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._written += len(data)
        view = self._buffer
        found = list(boxes(view))   # the whole boxes only (read in place, not copied)
        used, i = 0, 0
        while i < len(found):
            kind, _, end = found[i]
            if kind == b"moof":
                if i + 1 == len(found):
                    break           # its mdat is still being written
                end = found[i + 1][2]
                self._on_fragment(bytes(view[used:end]))
                i += 2
            elif self._init is not None:
                self._init += view[used:end]
                if kind == b"moov":
                    self._on_init(bytes(self._init))
                    self._init = None
                i += 1
            else:
                i += 1              # nothing else is expected between fragments: skipped
            used = end
        del self._buffer[:used]
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass


class _Output:
    """One rendition: its encoders and FFmpeg's mp4 muxer cutting a CMAF fragment at each
    keyframe and every part's length, which go to the rendition's LiveWindow on the event loop."""

    def __init__(self, rendition: Rendition, segment_s: float, part_s: float, window: LiveWindow,
                 deliver: Callable[..., None], wall_t0: float, template: Any = None) -> None:
        """`template`: for a copy, the source's stream as FFmpeg's H.264 parser read it from a
        keyframe (its size and parameter sets): the track is written from it, no encoder opened."""
        self.rendition, self.segment_s, self.window, self._deliver = rendition, segment_s, window, deliver
        self._wall_t0 = wall_t0                # the wall-clock time of pts 0
        # the tracks a part's time is read from: the picture's, or (a part with sound only) the sound's
        self._tracks = (VIDEO_TRACK, AUDIO_TRACK) if rendition.has_video else (1,)
        self._ticks: dict[int, int] = {}
        self.container = av.open(_Fragments(self._init, self._fragment), "w", format="mp4", options={
            # frag_keyframe: a keyframe always opens a fragment, so a segment can start there;
            # frag_duration: and no fragment is longer than a part
            "movflags": "empty_moov+default_base_moof+frag_keyframe+skip_trailer",
            "frag_duration": str(int(part_s * 1_000_000)), "flush_packets": "1"})
        self.video: Any = None
        if template is not None:
            # opaque: a track described by the source's own parameters, with no encoder behind it
            self.video = self.container.add_stream_from_template(template, opaque=True)
            self.video.time_base = VIDEO_TB
        elif rendition.has_video:
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
        self._next_key = 0
        self._keys: collections.deque[int] = collections.deque(maxlen=4)  # the keyframes forced lately (pts)
        self._shift: int | None = None  # the muxer's timeline minus ours (90 kHz), once a keyframe part showed it
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
        # a keyframe opens each segment, on a grid of segment_s from the start (the muxer opens a
        # fragment on it, and _fragment knows from its time which part ends a segment)
        if pts >= self._next_key:
            out.pict_type = av.video.frame.PictureType.I
            self._keys.append(pts)
            step = int(self.segment_s * VIDEO_RATE)
            self._next_key = (pts // step + 1) * step
        else:
            out.pict_type = av.video.frame.PictureType.NONE
        for packet in self.video.encode(out):
            self.container.mux(packet)

    def remux(self, data: bytes, pts: int, keyframe: bool) -> None:
        """A copy's picture: the publisher's H.264 frame as it came, at `pts` (90 kHz)."""
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        packet = av.Packet(data)
        packet.pts = packet.dts = pts
        packet.time_base, packet.stream, packet.is_keyframe = VIDEO_TB, self.video, keyframe
        self.container.mux(packet)

    def sound(self, frame: av.AudioFrame) -> None:
        for packet in self.audio.encode(frame):
            self.container.mux(packet)

    # -- what the muxer writes (in the encoder thread) ----------------------------------------
    def _init(self, data: bytes) -> None:
        for track in self._tracks:
            ticks = timescale(data, track)
            if ticks:
                self._ticks[track] = ticks
        self._deliver(setattr, self.window, "init", data)

    def _fragment(self, data: bytes) -> None:
        for track in self._tracks:
            timing, ticks = fragment_timing(data, track), self._ticks.get(track)
            if timing is not None and ticks:
                break
        else:
            log.warning("HLS %s: a fragment the muxer wrote without timing", self.rendition.name)
            return
        start, duration = timing
        independent = not self.rendition.has_video or starts_with_keyframe(data, VIDEO_TRACK)
        ends_segment = False
        if self.rendition.has_video and track == VIDEO_TRACK:
            start_90k, end_90k = start * VIDEO_RATE // ticks, (start + duration) * VIDEO_RATE // ticks
            later = [key for key in self._keys if key > 0]
            if independent and later:
                # where the muxer put a keyframe we forced: its timeline is ours shifted (by the
                # sound's priming, as the muxer lines the tracks up), learnt here, never assumed
                self._shift = start_90k - min(later, key=lambda key: abs(start_90k - key))
            if self._shift is not None:
                # the muxer cut here because a keyframe we forced came: this part closes its segment
                ends_segment = any(abs(end_90k - self._shift - key) <= VIDEO_RATE // 500 for key in later)
        self._deliver(self.window.add_part, data, duration / ticks, self._wall_t0 + start / ticks, independent,
                      ends_segment)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.container.close()


class HlsPackager:
    """One source (the program or a site) packaged into every rendition, until stopped."""

    def __init__(self, name: str, video: ForwardTrack, audio: ForwardTrack, renditions: tuple[Rendition, ...],
                 *, segment_s: float = 1.0, window: int = 6, part_s: float = PART_S, remux: bool = False,
                 on_drop: Callable[[ForwardTrack], None] | None = None) -> None:
        """`remux`: offer the source's own H.264 as the copy rendition, if one is configured."""
        self.name, self.renditions = name, renditions
        self.segment_s, self.part_s, self.window_size = segment_s, part_s, window
        # Numbered from the wall clock (about one segment a second), so that a packager started
        # again never reuses a name a cache may still hold; its init section is named after it.
        first = self._first = int(time.time())
        self.windows = {r.name: self._new_window(first, r) for r in renditions if not r.copy}
        # the copy rendition, once the source has sent H.264 (its window appears then)
        self.copy_rendition = next((r for r in renditions if r.copy), None) if remux else None
        self.copy_live: Rendition | None = None
        # the encoder thread's own: the live copy, when there is one (a list: the sound loops over
        # it), the parameter sets it was opened with, when the publisher last sent a keyframe
        self._copies: list[_Output] = []
        self._copy_sets: bytes | None = None
        self._copy_key_at = 0.0
        self.changed = asyncio.Condition()  # notified at each new part: blocked playlist requests wait on it
        self.video, self.audio = video, audio
        self._on_drop = on_drop
        self._inbox: queue.SimpleQueue[tuple[str, EncodedFrame] | None] = queue.SimpleQueue()
        self._loop = asyncio.get_running_loop()
        self.pictures = 0        # pictures decoded from the source (for tests and /healthz)
        self.failed: str | None = None
        self._thread = threading.Thread(target=self._encode, name=f"hls:{name}", daemon=True)
        self._thread.start()
        self._pumps = [asyncio.ensure_future(self._pump(t)) for t in (video, audio)]

    async def _pump(self, track: ForwardTrack) -> None:
        while True:
            try:
                frame, _ = await track.next_frame()
            except MediaStreamError:
                return
            self._inbox.put((track.kind, frame))

    def _new_window(self, first: int, rendition: Rendition) -> LiveWindow:
        return LiveWindow(first, part_target=self.part_s * 1.5, segment_target=self.segment_s,
                          window=self.window_size, init_name=f"init-{first}.mp4", sound_only=not rendition.has_video)

    # -- the encoder thread ------------------------------------------------------------
    def _encode(self) -> None:
        outputs: list[_Output] = []
        try:
            # the picture at pts 0 is dated now, by the wall clock: EXT-X-PROGRAM-DATE-TIME is the
            # hub's time of each picture's arrival
            wall_t0, t0 = time.time(), time.monotonic()
            outputs = [_Output(r, self.segment_s, self.part_s, self.windows[r.name], self._deliver, wall_t0)
                       for r in self.renditions if not r.copy]
            self._run(outputs, t0, wall_t0)
        except Exception as exc:  # a codec refusing its input must not take the hub down: say so
            self.failed = f"{type(exc).__name__}: {exc}"
            self._deliver(lambda: None)  # wake the requests waiting for a part that will not come
            log.exception("HLS packaging of %s stopped", self.name)
        finally:
            for output in [*outputs, *self._copies]:
                output.close()

    def _run(self, outputs: list[_Output], t0: float, wall_t0: float) -> None:
        decoders = {"VP8": av.CodecContext.create("vp8", "r"), "H264": av.CodecContext.create("h264", "r")}
        opus = av.CodecContext.create("opus", "r")
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
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
                pts = int((frame.at - t0) * VIDEO_RATE)
                if self.copy_rendition is not None:
                    self._remux(frame, pts, now, wall_t0)
                decoder = decoders.get(frame.codec)
                for picture in _decode(decoder, frame.data) if decoder is not None else ():
                    self.pictures += 1
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
                        for output in [*outputs, *self._copies]:
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
                for output in [*outputs, *self._copies]:
                    output.sound(silence)

    # -- the copy rendition (in the encoder thread) -----------------------------------------
    def _remux(self, frame: EncodedFrame, pts: int, now: float, wall_t0: float) -> None:
        """A video frame for the copy: opened (or opened again) on a keyframe with new parameter
        sets, closed when the source sends something else than H.264."""
        if frame.codec != "H264":
            if self._copies:
                self._close_copy()
            return
        if frame.keyframe:
            self._copy_key_at = now
            sets = h264.parameter_sets(frame.data)
            if sets is not None and sets != self._copy_sets:
                if self._copies:
                    self._close_copy()
                try:
                    self._open_copy(frame.data, sets, wall_t0)
                except (av.FFmpegError, IndexError, ValueError) as exc:
                    # parameter sets FFmpeg cannot read (a broken or hostile encoder): no copy, the
                    # encoded renditions go on; the next keyframe with other sets tries again
                    log.warning("HLS %s: no copy of this H.264 (%s)", self.name, exc)
                    self._copy_sets = sets
        elif now - self._copy_key_at >= self.segment_s:
            # a segment opens on a keyframe, and only the publisher makes them: ask, once a segment
            self._copy_key_at = now
            self._loop.call_soon_threadsafe(self.video.keyframe_request)
        for copy in self._copies:
            try:
                copy.remux(frame.data, pts, frame.keyframe)
            except av.FFmpegError as exc:  # a frame the muxer refuses: the copy ends, the rest goes on
                log.warning("HLS %s: the copy stopped (%s)", self.name, exc)
                self._close_copy()

    def _open_copy(self, keyframe: bytes, sets: bytes, wall_t0: float) -> None:
        assert self.copy_rendition is not None
        # after a restart, on from where the last copy was (plus a margin for parts still on their way)
        first = max(int(time.time()), self._first)
        self._first = first + 5
        source = av.open(io.BytesIO(keyframe), format="h264")  # FFmpeg's parser reads size and profile
        try:
            template = source.streams.video[0]
            if not template.width or not template.height:
                raise ValueError("the keyframe gives no picture size")
            rendition = replace(self.copy_rendition, width=template.width, height=template.height,
                                video_codec=h264.codecs_name(keyframe) or self.copy_rendition.video_codec)
            window = self._new_window(first, rendition)
            copy = _Output(rendition, self.segment_s, self.part_s, window, self._deliver, wall_t0, template=template)
        finally:
            source.close()
        copy.container.start_encoding()
        self._copies, self._copy_sets = [copy], sets
        self._deliver(self._show_copy, rendition, window)

    def _close_copy(self) -> None:
        for copy in self._copies:
            copy.close()
        self._copies, self._copy_sets = [], None
        self._deliver(self._show_copy, None, None)

    def _show_copy(self, rendition: Rendition | None, window: LiveWindow | None) -> None:
        """On the event loop: the copy's window is served (or no longer)."""
        assert self.copy_rendition is not None
        if window is None:
            self.windows.pop(self.copy_rendition.name, None)
        else:
            self.windows[self.copy_rendition.name] = window
        self.copy_live = rendition

    def renditions_now(self) -> tuple[Rendition, ...]:
        """What the master playlist lists now: the copy (with the bitrate its segments show)
        while the source sends H.264, and the encoded renditions."""
        encoded = tuple(r for r in self.renditions if not r.copy)
        copy = self.copy_live
        if copy is None:
            return encoded
        window = self.windows[copy.name]
        rates = [len(s.data) * 8 / s.duration for s in window.segments if s.data is not None and s.duration > 0]
        if rates:
            copy = replace(copy, video_bitrate=max(int(max(rates)) - copy.audio_bitrate, 1))
        return (copy, *encoded)

    # -- state the server reads ----------------------------------------------------------
    def _deliver(self, change: Callable[..., None], *args: Any) -> None:
        """From the encoder thread: apply a change to a window on the event loop, and wake the waiters."""
        async def wake() -> None:
            async with self.changed:
                self.changed.notify_all()

        def apply() -> None:
            change(*args)
            asyncio.ensure_future(wake())
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is listening
            self._loop.call_soon_threadsafe(apply)

    async def wait(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Until `ready()` holds (checked at each new part), or `timeout` seconds: whether it holds."""
        async def until() -> None:
            async with self.changed:
                await self.changed.wait_for(lambda: ready() or self.failed is not None)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until(), timeout)
        return ready()

    def ready(self, rendition: str) -> bool:
        window = self.windows.get(rendition)
        return window is not None and window.ready

    async def stop(self) -> None:
        for track in (self.video, self.audio):
            if self._on_drop is not None:
                self._on_drop(track)
            track.stop()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._inbox.put(None)
        await asyncio.to_thread(self._thread.join)


def _decode(ctx: Any, data: bytes) -> list[Any]:
    """A forwarded packet decoded; a damaged one gives nothing (the next keyframe repairs the picture)."""
    try:
        return list(ctx.decode(av.Packet(data)))
    except av.FFmpegError:
        return []
