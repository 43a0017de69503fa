"""A site that publishes H.264 (an encoder such as OBS, or a browser told to prefer it):
its frames are forwarded to WebRTC viewers as they came, with the payload type each
viewer negotiated for H.264, across on-air switches with VP8 sites; its HLS offers
them remuxed, byte for byte, beside the encoded renditions; the recording stays WebM."""
from __future__ import annotations

import asyncio
import io
from fractions import Fraction

import av
import pytest
from aiortc.codecs.h264 import h264_depayload

from hub.domain.event import parse_event
from hub.media import h264
from hub.media.hls import HlsPackager, master_playlist, parse_renditions
from hub.media.ice import restrict_host_addresses
from hub.media.llhls import LiveWindow, starts_with_keyframe
from hub.media.sessions import EventMedia
from hub.media.source import Source
from hub.media.tracks import ForwardTrack
from hub.settings import Settings

from ..support import until
from .peers import BLUE, RED, Watcher, colour_of, publish, solid
from .test_hls import Vp8Camera, complete

LOOPBACK = dict(media_host_addresses="127.0.0.1", media_remote_networks="127.0.0.0/8")


class H264Camera:
    """libx264 frames of one colour in Annex B, as aiortc's depacketizer hands the hub a
    publisher's H.264, pushed into a Source at 30 fps. A keyframe every `gop` frames, or
    at once when the hub asks (as a publisher answers a PLI)."""

    def __init__(self, source: Source, rgb: tuple[int, int, int], size: tuple[int, int] = (320, 240),
                 gop: int = 90) -> None:
        self.source, self.rgb, self.size, self.gop = source, rgb, size, gop
        self.encoder = av.CodecContext.create("libx264", "w")
        self.encoder.width, self.encoder.height, self.encoder.pix_fmt = *size, "yuv420p"
        self.encoder.time_base = Fraction(1, 30)
        self.encoder.options = {"tune": "zerolatency", "profile": "baseline", "preset": "ultrafast"}
        self.sent: list[bytes] = []
        self.asked = 0
        source.request_keyframe = self._asked
        self.n = 0
        self._force = True
        self.task = asyncio.ensure_future(self._run())

    def _asked(self) -> None:
        self.asked += 1
        self._force = True

    async def _run(self) -> None:
        while True:
            frame = solid(self.size, self.rgb)
            frame.pts = self.n
            key = self._force or self.n % self.gop == 0
            frame.pict_type = av.video.frame.PictureType.I if key else av.video.frame.PictureType.NONE
            self._force = False
            self.n += 1
            for packet in self.encoder.encode(frame):
                self.sent.append(bytes(packet))
                self.source.push("H264", bytes(packet))
            await asyncio.sleep(1 / 30)

    def stop(self) -> None:
        self.task.cancel()


def _one_frame(rgb=RED, size=(320, 240)) -> bytes:
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = *size, "yuv420p"
    encoder.time_base = Fraction(1, 30)
    encoder.options = {"tune": "zerolatency", "profile": "baseline"}
    frame = solid(size, rgb)
    frame.pts = 0
    return b"".join(bytes(p) for p in encoder.encode(frame)) + b"".join(bytes(p) for p in encoder.encode(None))


def test_what_the_hub_reads_in_an_h264_frame():
    keyframe = _one_frame()
    assert h264.is_keyframe(keyframe)
    sets = h264.parameter_sets(keyframe)
    assert sets is not None and sets.startswith(b"\x00\x00\x00\x01\x67") and b"\x00\x00\x00\x01\x68" in sets
    assert h264.codecs_name(keyframe) == "avc1." + keyframe[5:8].hex()  # after 4-byte start code + NAL header
    assert h264.codecs_name(keyframe).startswith("avc1.42")  # baseline
    # hostile or empty bytes: no keyframe, no parameter sets, no exception
    for junk in (b"", b"\x00\x00\x01", b"\x00\x00\x01\x65", bytes(range(256)), b"\xff" * 3000):
        h264.is_keyframe(junk)
        assert h264.parameter_sets(junk) is None
    assert not h264.is_keyframe(b"\x00\x00\x00\x01\x41\x9a")  # a P slice
    # cut into RTP payloads (mode 1) and put together again by aiortc's depacketizer: the same units
    payloads = h264.packetize(keyframe)
    assert payloads and all(len(p) <= 1300 for p in payloads)
    rebuilt = b"".join(h264_depayload(p) for p in payloads)
    assert list(h264.nal_units(rebuilt)) == list(h264.nal_units(keyframe))


def test_a_source_marks_h264_keyframes_and_cuts_them_once():
    source = Source("nancy", "video")
    seen = []

    class Sink:
        def offer(self, frame, _source):
            seen.append(frame)

    source.subscribers.add(Sink())
    keyframe = _one_frame()
    source.push("H264", keyframe)
    source.push("H264", b"\x00\x00\x00\x01\x41\x9a\x00")
    assert [(f.codec, f.keyframe) for f in seen] == [("H264", True), ("H264", False)]
    assert seen[0].payloads == h264.packetize(keyframe)


def _units(sample: bytes) -> list[bytes]:
    """An MP4 sample's NAL units (4-byte lengths, as the avcC says)."""
    units, i = [], 0
    while i < len(sample):
        n = int.from_bytes(sample[i:i + 4], "big")
        units.append(sample[i + 4:i + 4 + n])
        i += 4 + n
    return units


def _decoded(window: LiveWindow, msn: int) -> list[av.VideoFrame]:
    segment = window.segment(msn)
    assert window.init is not None and segment is not None and segment.data is not None
    with av.open(io.BytesIO(window.init + segment.data)) as container:
        return list(container.decode(video=0))


async def test_a_site_publishing_h264_gets_its_frames_remuxed_as_they_came():
    site = Source("nancy", "video")
    video, audio = ForwardTrack("video"), ForwardTrack("audio")
    camera = H264Camera(site, RED, gop=300)  # keyframes only when the hub asks, as an encoder with a long GOP
    video.attach(site)
    packager = HlsPackager("nancy", video, audio, parse_renditions("source,360p,audio"), remux=True)
    try:
        await until(lambda: "source" in packager.windows and len(complete(packager.windows["source"])) >= 3,
                    timeout=90, what="three segments of the copy")
        copy = packager.windows["source"]
        first = complete(copy)[1]
        segment = copy.segment(first)
        assert segment is not None and segment.data is not None
        assert starts_with_keyframe(segment.parts[0].data, 1)
        assert camera.asked >= 2, "the packager asks the publisher for a keyframe each segment"
        # not decoded nor encoded: every sample is one of the frames the camera sent, unit for unit
        assert copy.init is not None
        with av.open(io.BytesIO(copy.init + segment.data)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 320, 240)
            samples = [bytes(p) for p in container.demux(stream) if p.size]
        sent = [list(h264.nal_units(frame)) for frame in camera.sent]
        assert samples and all(_units(sample) in sent for sample in samples)
        assert colour_of(_decoded(copy, first)[-1]) == "red"
        # beside it, the encoded renditions, decoded from the same H.264
        encoded = packager.windows["360p"]
        assert colour_of(_decoded(encoded, complete(encoded)[-1])[-1]) == "red"
        assert _decoded(encoded, complete(encoded)[-1])[-1].width == 640
        # the master playlist lists the copy first, with the publisher's size and profile
        renditions = packager.renditions_now()
        assert [r.name for r in renditions] == ["source", "360p", "audio"]
        master = master_playlist(renditions)
        assert f'RESOLUTION=320x240,CODECS="{h264.codecs_name(camera.sent[0])},mp4a.40.2",NAME="source"' in master
        assert "#EXT-X-PROGRAM-DATE-TIME:" in copy.playlist()
        # the site goes on in VP8 (its coordinator's browser): the copy ends, the encoded renditions go on
        camera.stop()
        vp8 = Vp8Camera(site, BLUE)
        try:
            await until(lambda: "source" not in packager.windows, timeout=60, what="the copy closed")
            assert [r.name for r in packager.renditions_now()] == ["360p", "audio"]
            await until(lambda: colour_of(_decoded(encoded, complete(encoded)[-1])[-1]) == "blue", timeout=60,
                        what="the encoded rendition shows the VP8 picture")
        finally:
            vp8.stop()
        assert packager.failed is None
    finally:
        camera.stop()
        await packager.stop()


async def test_hostile_h264_never_stops_the_packager():
    """Keyframes whose parameter sets FFmpeg cannot read, then garbage frames: no copy is made,
    nothing raises, and the encoded renditions keep coming."""
    site = Source("nancy", "video")
    site.request_keyframe = lambda: None
    video, audio = ForwardTrack("video"), ForwardTrack("audio")
    video.attach(site)
    packager = HlsPackager("nancy", video, audio, parse_renditions("source,360p,audio"), remux=True)
    junk = [b"\x00\x00\x00\x01\x67" + bytes([0xFF] * 12) + b"\x00\x00\x00\x01\x68\xff\xff"
            + b"\x00\x00\x00\x01\x65" + bytes(range(256)) * 4,
            b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x00\x01\x68" + b"\x00\x00\x00\x01\x65\x88",
            b"\x00\x00\x01\x41" + b"\xff" * 5000, b"\x00\x00\x00\x01"]
    try:
        for _ in range(30):
            for data in junk:
                site.push("H264", data)
            await asyncio.sleep(0.03)
        encoded = packager.windows["360p"]
        await until(lambda: len(complete(encoded)) >= 2, timeout=60, what="the encoded rendition goes on")
        assert packager.failed is None and "source" not in packager.windows
    finally:
        await packager.stop()


async def test_the_program_has_no_copy():
    site = Source("nancy", "video")
    video, audio = ForwardTrack("video"), ForwardTrack("audio")
    camera = H264Camera(site, RED)
    video.attach(site)
    packager = HlsPackager("program", video, audio, parse_renditions("source,360p,audio"))  # remux=False
    try:
        await until(lambda: len(complete(packager.windows["360p"])) >= 2, timeout=90)
        assert "source" not in packager.windows and packager.copy_live is None
        assert [r.name for r in packager.renditions_now()] == ["360p", "audio"]
    finally:
        camera.stop()
        await packager.stop()


@pytest.fixture
async def media(tmp_path):
    settings = Settings(data_dir=tmp_path, **LOOPBACK)
    restrict_host_addresses(settings)
    config = parse_event({"id": "t", "title": "T", "date": "2020-10-13", "sites": [
        {"id": "nancy", "name": "Nancy", "city": "Nancy"}, {"id": "reims", "name": "Reims", "city": "Reims"}],
        "programme": [{"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30", "site": "nancy"}]})
    m = EventMedia(config, settings)
    yield m
    await m.stop()


async def test_an_h264_site_reaches_webrtc_viewers_and_the_program_switches_between_codecs(media):
    codecs: list[str] = []

    class Spy:
        def offer(self, frame, _source):
            codecs.append(frame.codec)

    media.sources["video"]["nancy"].subscribers.add(Spy())
    nancy = await publish(media, "nancy", RED, codec="video/H264")
    reims = await publish(media, "reims", BLUE)  # VP8
    media.set_on_air("nancy")
    site_viewer = await Watcher().watch(media, "nancy")
    program_viewer = await Watcher().watch(media, "program")
    try:
        await until(lambda: site_viewer.colour == "red" and program_viewer.colour == "red", timeout=60,
                    what="the H.264 picture at both viewers")
        # what the site sent is H.264 only, and the hub encodes nothing: the viewers decoded H.264
        await until(lambda: len(codecs) >= 30, timeout=60, what="frames seen at the source")
        assert set(codecs) == {"H264"}
        assert (640, 480) in site_viewer.sizes
        # the program switches to a VP8 site and back: the viewer's decoder follows the payload type
        media.set_on_air("reims")
        await until(lambda: program_viewer.colour == "blue", timeout=60, what="the VP8 site on the program")
        media.set_on_air("nancy")
        await until(lambda: program_viewer.colour == "red", timeout=60, what="the H.264 site again")
    finally:
        for peer in (site_viewer, program_viewer):
            await peer.close()
        await nancy.close()
        await reims.close()


async def test_an_h264_site_is_recorded_into_webm(media):
    publisher = await publish(media, "nancy", RED, codec="video/H264")
    media.set_on_air("nancy")
    await media.record(0)
    try:
        await until(lambda: media.recorder is not None and media.recorder.frames >= 30, timeout=60,
                    what="frames recorded")
        await media.record(None)
        [path] = media.recorded
        with av.open(str(path)) as f:
            assert {s.type: s.codec_context.name for s in f.streams} == {"video": "vp8", "audio": "opus"}
            frames = list(f.decode(video=0))
        assert len(frames) >= 20 and (frames[0].width, frames[0].height) == (640, 480)
        assert colour_of(frames[-1]) == "red"
    finally:
        await publisher.close()
