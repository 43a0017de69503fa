"""HLS packaging from the hub's own sources: VP8 in, H.264/AAC segments out, the
picture followed across an on-air switch, the playlist kept going without a picture."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import av
import pytest

from hub.media.hls import HlsPackager, master_playlist, parse_renditions
from hub.media.source import Source
from hub.media.tracks import ForwardTrack

from ..support import until
from .peers import BLUE, RED, colour_of, yuv

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
            frame = av.VideoFrame(*self.size, "yuv420p")
            for plane, value in zip(frame.planes, yuv(self.rgb), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)
            frame.pts = self.n
            self.n += 1
            for packet in self.encoder.encode(frame):
                self.source.push("VP8", bytes(packet))
            await asyncio.sleep(1 / 30)

    def stop(self) -> None:
        self.task.cancel()


def playlist_segments(path: Path) -> list[str]:
    return re.findall(r"^(seg-\d+\.ts)$", path.read_text(), re.M) if path.exists() else []


def colour_of_segment(path: Path) -> str:
    with av.open(str(path)) as container:
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
    packager = HlsPackager(tmp_path / "program", video, audio, RENDITIONS)
    playlist = tmp_path / "program" / "360p" / "index.m3u8"
    try:
        await until(lambda: len(playlist_segments(playlist)) >= 2, timeout=60)
        text = playlist.read_text()
        assert "#EXT-X-PROGRAM-DATE-TIME:" in text and "#EXT-X-TARGETDURATION:1" in text
        first = playlist_segments(playlist)[-1]
        assert colour_of_segment(playlist.parent / first) == "red"
        with av.open(str(playlist.parent / first)) as container:
            assert container.streams.video[0].codec_context.name == "h264"
            assert (container.streams.video[0].width, container.streams.video[0].height) == (640, 360)
            assert container.streams.audio[0].codec_context.name == "aac"  # silence: nobody speaks
        video.switch(reims)
        await until(lambda: any(colour_of_segment(playlist.parent / s) == "blue" for s in playlist_segments(playlist)
                                if s > first), timeout=60)
        assert packager.ready("audio") and packager.failed is None
    finally:
        for camera in cameras:
            camera.stop()
        await packager.stop()
    assert not (tmp_path / "program").exists()


async def test_without_a_picture_the_playlist_goes_on_in_black(tmp_path):
    video, audio = ForwardTrack("video"), ForwardTrack("audio")  # nobody on air
    packager = HlsPackager(tmp_path / "program", video, audio, RENDITIONS)
    playlist = tmp_path / "program" / "360p" / "index.m3u8"
    try:
        await until(lambda: len(playlist_segments(playlist)) >= 2, timeout=60)
        assert colour_of_segment(playlist.parent / playlist_segments(playlist)[-1]) == "other"
        assert packager.pictures == 0
    finally:
        await packager.stop()
