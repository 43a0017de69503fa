"""Media through the hub with real aiortc peers on loopback: forwarding without
decoding or encoding, keyframes on join, the on-air switch, slow viewers."""
from __future__ import annotations

import asyncio

import pytest
from aiortc.codecs import vpx

from hub.domain.event import parse_event
from hub.media.ice import restrict_host_addresses
from hub.media.sessions import EventMedia
from hub.media.tap import EncodedFrameTap
from hub.media.tracks import ForwardTrack
from hub.settings import Settings

from ..support import until
from .peers import BLUE, RED, Watcher, publish

LOOPBACK = dict(media_host_addresses="127.0.0.1", media_remote_networks="127.0.0.0/8")


@pytest.fixture
async def media():
    settings = Settings(**LOOPBACK)
    restrict_host_addresses(settings)  # only 127.0.0.1: tests never send anywhere else
    config = parse_event({"id": "t", "title": "T", "date": "2020-10-13", "sites": [
        {"id": "nancy", "name": "Nancy", "city": "Nancy"}, {"id": "reims", "name": "Reims", "city": "Reims"}]})
    m = EventMedia(config, settings)
    yield m
    await m.stop()


@pytest.fixture
def encoder_calls(monkeypatch):
    """Which VP8 encoders encoded anything (the publishers' do; the hub's must not)."""
    seen: set[int] = set()
    original = vpx.Vp8Encoder.encode

    def encode(self, frame, force_keyframe=False):
        seen.add(id(self))
        return original(self, frame, force_keyframe)

    monkeypatch.setattr(vpx.Vp8Encoder, "encode", encode)
    return seen


def hub_encoders(media) -> set[int]:
    found = set()
    for session in media.sessions.values():
        for transceiver in session.pc.getTransceivers():
            encoder = getattr(transceiver.sender, "_RTCRtpSender__encoder", None)
            if encoder is not None:
                found.add(id(encoder))
    return found


async def test_frames_reach_every_viewer_and_the_hub_neither_decodes_nor_encodes(media, encoder_calls):
    publisher = await publish(media, "nancy", RED)
    viewers = [await Watcher().watch(media, "nancy") for _ in range(3)]
    for v in viewers:
        await until(lambda v=v: v.video_frames >= 30 and v.audio_frames >= 20, what="frames at every viewer")
        assert v.sizes == {(640, 480)} and v.colour == "red"
    receivers = [t.receiver for t in media.sessions[media.publishers["nancy"]].pc.getTransceivers()]
    assert all(isinstance(r._RTCRtpReceiver__decoder_queue, EncodedFrameTap) for r in receivers)
    assert media.sources["video"]["nancy"].frames >= 30
    # the hub's senders forward the source's packets (hub/media/forward.py): none ever
    # creates an encoder, and every VP8 encoder that encoded is a publisher's
    assert not hub_encoders(media), "a hub sender made an encoder"
    assert encoder_calls, "the publisher encodes"
    senders = [t.sender for s in media.sessions.values() if s.role == "watch" for t in s.pc.getTransceivers()]
    assert all(sender._RTCRtpSender__packet_count > 0 for sender in senders)  # counted for sender reports
    await asyncio.gather(*(v.close() for v in viewers), publisher.close())


async def test_a_late_viewer_gets_a_keyframe_quickly(media):
    publisher = await publish(media, "nancy", RED, audio=False)
    first = await Watcher().watch(media, "nancy")
    # long after the publisher's first (and, alone, only) keyframe: two seconds of frames
    await until(lambda: first.video_frames >= 60, what="first viewer")
    requested = media.sources["video"]["nancy"].keyframes_requested
    late = await Watcher().watch(media, "nancy")
    await until(lambda: late.video_frames >= 1, timeout=5, what="the late viewer's first frame")
    assert media.sources["video"]["nancy"].keyframes_requested > requested
    await asyncio.gather(first.close(), late.close(), publisher.close())


async def test_program_follows_the_site_on_air_without_renegotiation(media):
    pubs = [await publish(media, "nancy", RED), await publish(media, "reims", BLUE)]
    media.set_on_air("nancy")
    viewers = [await Watcher().watch(media, "program") for _ in range(2)]
    for v in viewers:
        await until(lambda v=v: v.colour == "red", what="the program showing Nancy")
    media.set_on_air("reims")
    for v in viewers:
        await until(lambda v=v: v.colour == "blue", timeout=5, what="the program showing Reims")
        # no black or broken picture around the switch, and no new negotiation
        assert {c for _, c in v.colours} <= {"red", "blue"}
        assert v.negotiations == 0 and v.pc.signalingState == "stable"
    await asyncio.gather(*(v.close() for v in viewers), *(p.close() for p in pubs))


async def test_a_stalled_viewer_does_not_hold_up_the_others(media):
    publisher = await publish(media, "nancy", RED, audio=False)
    healthy = await Watcher().watch(media, "nancy")
    stuck = ForwardTrack("video")  # a subscriber that never reads, as a frozen sender would
    stuck.attach(media.sources["video"]["nancy"])
    await until(lambda: healthy.video_frames >= 5, what="first frames")
    before = healthy.video_frames
    # the healthy viewer keeps getting frames while the stuck one overflows and drops
    await until(lambda: healthy.video_frames - before >= 30 and stuck.dropped > 0, timeout=15,
                what="frames for the healthy viewer")
    assert stuck.queued <= stuck.max_queue
    stuck.stop()
    await asyncio.gather(healthy.close(), publisher.close())


async def test_a_publisher_that_reconnects_replaces_its_old_connection(media):
    first = await publish(media, "reims", BLUE, audio=False)
    old_session = media.publishers["reims"]
    second = await publish(media, "reims", BLUE, audio=False)
    assert media.publishers["reims"] != old_session and old_session not in media.sessions
    assert media.live_sites() == ["reims"]
    await media.close(media.publishers["reims"])
    assert media.live_sites() == []
    await asyncio.gather(first.close(), second.close())


async def test_the_program_is_recorded_one_file_per_session_without_reencoding(tmp_path, encoder_calls):
    import av

    settings = Settings(data_dir=tmp_path, **LOOPBACK)
    config = parse_event({"id": "t", "title": "T", "date": "2020-10-13",
                          "sites": [{"id": "nancy", "name": "Nancy", "city": "Nancy"}],
                          "programme": [{"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30",
                                         "site": "nancy"},
                                        {"title": "Table ronde n°1", "kind": "round_table", "start": "10:00",
                                         "end": "11:00", "site": "nancy"}]})
    media = EventMedia(config, settings)
    publisher = await publish(media, "nancy", RED)
    media.set_on_air("nancy")
    await media.record(0)
    await until(lambda: media.recorder.frames >= 30, what="frames recorded")
    first_encoders = set(encoder_calls)
    await media.record(1)  # the next session: a new file
    await until(lambda: media.recorder.frames >= 20, what="frames in the second file")
    await media.record(None)
    assert [p.name.split("-2")[0] for p in media.recorded] == ["01-ouverture", "02-table-ronde-n1"]
    for path in media.recorded:
        with av.open(str(path)) as f:
            kinds = {s.type: s.codec_context.name for s in f.streams}
            assert kinds == {"video": "vp8", "audio": "opus"}
            frames = [frame for frame in f.decode(video=0)]
        assert len(frames) >= 20 and (frames[0].width, frames[0].height) == (640, 480)
    assert encoder_calls == first_encoders, "recording encoded nothing (only the publisher did)"
    await publisher.close()
    await media.stop()
