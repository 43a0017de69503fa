"""HLS packaging from the hub's own sources: VP8 in, H.264/AAC CMAF segments and
parts out, the picture followed across an on-air switch, the playlist kept going
without a picture."""
from __future__ import annotations

import asyncio
import io

import av
import pytest

from hub.media.hls import HlsPackager, master_playlist, parse_renditions
from hub.media.llhls import LiveWindow, starts_with_keyframe
from hub.media.source import Source
from hub.media.tracks import ForwardTrack

from ..support import until
from .peers import BLUE, RED, colour_of, solid

RENDITIONS = parse_renditions("360p,audio")


class Vp8Camera:
    """Encodes frames of one colour with libvpx and pushes them into a Source, at 30 fps."""

    def __init__(self, source: Source, rgb: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> None:
        self.source, self.rgb, self.size = source, rgb, size
        self.encoder = av.CodecContext.create("libvpx", "w")
        self.encoder.width, self.encoder.height, self.encoder.pix_fmt = *size, "yuv420p"
        self.encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        self.encoder.gop_size = 30
        self.n = 0
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            frame = solid(self.size, self.rgb)
            frame.pts = self.n
            self.n += 1
            for packet in self.encoder.encode(frame):
                self.source.push("VP8", bytes(packet))
            await asyncio.sleep(1 / 30)

    def stop(self) -> None:
        self.task.cancel()


def complete(window: LiveWindow) -> list[int]:
    return [s.msn for s in window.segments if s.data is not None]


def colour_of_segment(window: LiveWindow, msn: int) -> str:
    segment = window.segment(msn)
    assert window.init is not None and segment is not None and segment.data is not None
    with av.open(io.BytesIO(window.init + segment.data)) as container:
        frames = list(container.decode(video=0))
    return colour_of(frames[-1])


async def test_renditions_and_master_playlist():
    assert [r.name for r in parse_renditions("audio,360p,720p")] == ["720p", "360p", "audio"]
    for bad in ("", "4k", "720p,../x"):
        with pytest.raises(ValueError):
            parse_renditions(bad)
    master = master_playlist(parse_renditions("720p,audio"))
    assert "RESOLUTION=1280x720" in master and "720p/index.m3u8" in master and "audio/index.m3u8" in master


async def test_the_program_is_packaged_and_follows_the_switch(tmp_path):
    nancy, reims = Source("nancy", "video"), Source("reims", "video")
    nancy.request_keyframe = reims.request_keyframe = lambda: None  # both live
    video, audio = ForwardTrack("video"), ForwardTrack("audio")
    video.attach(nancy)
    cameras = [Vp8Camera(nancy, RED), Vp8Camera(reims, BLUE)]
    packager = HlsPackager("program", video, audio, RENDITIONS)
    window = packager.windows["360p"]
    try:
        await until(lambda: len(complete(window)) >= 2 and window.init is not None, timeout=60)
        text = window.playlist()
        assert "#EXT-X-PROGRAM-DATE-TIME:" in text and "#EXT-X-TARGETDURATION:1" in text
        first = complete(window)[-1]
        assert colour_of_segment(window, first) == "red"
        assert window.init is not None
        with av.open(io.BytesIO(window.init + (window.segment(first).data or b""))) as container:
            assert container.streams.video[0].codec_context.name == "h264"
            assert (container.streams.video[0].width, container.streams.video[0].height) == (640, 360)
            assert container.streams.audio[0].codec_context.name == "aac"  # silence: nobody speaks
        # Each segment opens on a keyframe part; the others are the ~200 ms between (the last one shorter).
        segment = window.segment(first)
        assert segment is not None and len(segment.parts) >= 3
        assert [starts_with_keyframe(p.data, 1) for p in segment.parts] == [True] + [False] * (len(segment.parts) - 1)
        # Parts are cut every 200 ms of media; a picture that came late on a loaded machine lengthens
        # the one it ends (a sample lasts until the next), so one part in a segment may overrun.
        durations = [p.duration for p in segment.parts]
        assert all(0 < d < window.segment_target for d in durations), durations
        assert sum(d > window.part_target for d in durations) <= 1, durations
        # the packager knows when it forced a keyframe: the segment before it is complete as soon as
        # its last part is cut, not one part later
        await until(lambda: bool(window.segments) and window.segments[-1].data is not None, timeout=60,
                    what="a segment complete before the next one starts")
        video.switch(reims)
        await until(lambda: any(colour_of_segment(window, s) == "blue" for s in complete(window) if s > first),
                    timeout=60)
        assert packager.ready("audio") and packager.failed is None
    finally:
        for camera in cameras:
            camera.stop()
        await packager.stop()


async def test_without_a_picture_the_playlist_goes_on_in_black(tmp_path):
    video, audio = ForwardTrack("video"), ForwardTrack("audio")  # nobody on air
    packager = HlsPackager("program", video, audio, RENDITIONS)
    window = packager.windows["360p"]
    try:
        await until(lambda: len(complete(window)) >= 2 and window.init is not None, timeout=60)
        assert colour_of_segment(window, complete(window)[-1]) == "other"
        assert packager.pictures == 0
    finally:
        await packager.stop()
