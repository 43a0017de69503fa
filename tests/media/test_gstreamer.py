"""Broadcast encoders publish too: Debian's GStreamer 1.22 webrtcbin (tests/media/gst_peer.py,
run with the system Python and its GObject bindings) publishes a site's camera over WHIP
and watches it back over WHEP. Its certificate is RSA, which aiortc's DTLS client alone
refuses ("no shared cipher"); hub/media/dtls.py lets it in. DELETE on each Location ends
that resource."""
from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender

from hub.domain.actors import Role

from ..hubserver import HubServer
from ..support import until
from .peers import ColourTrack, ToneTrack, Watcher, offer_of

EVENT = "grand-est-2020"
PEER = Path(__file__).with_name("gst_peer.py")
SYSTEM_PYTHON = "/usr/bin/python3"


class GstPeer:
    """One gst_peer.py process and what it has said."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.said: list[dict] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> GstPeer:
        self.proc = await asyncio.create_subprocess_exec(
            SYSTEM_PYTHON, str(PEER), *self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for line in self.proc.stdout:
            try:
                self.said.append(json.loads(line))
            except ValueError:
                pass  # GStreamer's own warnings go to stderr; anything else is not ours

    def last(self, key: str):  # type: ignore[no-untyped-def]
        return next((m[key] for m in reversed(self.said) if key in m), None)

    def states(self) -> list[str]:
        return [m["state"] for m in self.said if "state" in m]

    async def stop(self) -> int | None:
        """DELETE its resource; the HTTP status the hub answered."""
        assert self.proc is not None and self.proc.stdin is not None
        if self.proc.returncode is None:
            self.proc.stdin.write(b"stop\n")
            await self.proc.stdin.drain()
            await asyncio.wait_for(self.proc.wait(), 60)
        assert self._reader is not None
        await self._reader
        return self.last("deleted")

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()


def gstreamer_ready() -> None:
    """`make test` installs it (Makefile APT_PACKAGES); say so plainly when it is not there."""
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Gst', '1.0'); "
                            "gi.require_version('GstWebRTC', '1.0'); from gi.repository import Gst; Gst.init(None); "
                            "assert Gst.ElementFactory.find('webrtcbin') and Gst.ElementFactory.find('nicesrc')"],
                           capture_output=True, text=True)
    assert probe.returncode == 0, f"GStreamer with webrtcbin is missing (`make test` installs it): {probe.stderr}"


@pytest.fixture
async def hub(tmp_path):
    gstreamer_ready()
    server = HubServer(tmp_path / "data")
    await server.start()
    yield server
    await server.stop()


async def test_gstreamer_publishes_over_whip_watches_over_whep_and_delete_ends_each(hub):
    media = hub.runtime.events[EVENT].media
    base = f"http://127.0.0.1:{hub.settings.port}/api/events/{EVENT}/media"
    camera = await GstPeer("publish", f"{base}/nancy/whip", hub.token(Role.COORDINATOR, "nancy"), "ff0000").start()
    viewer = None
    try:
        await until(lambda: camera.last("location") or camera.last("error"), timeout=60, what="the hub's answer")
        assert camera.last("error") is None, camera.said
        await until(lambda: "peer:connected" in camera.states() or "peer:failed" in camera.states(), timeout=60,
                    what="DTLS done")
        assert "peer:connected" in camera.states(), camera.said  # not "no shared cipher"
        await until(lambda: "nancy" in media.live_sites(), timeout=60, what="the hub receives the camera")

        viewer = await GstPeer("watch", f"{base}/nancy/whep").start()
        await until(lambda: viewer.last("colour") == "red" or viewer.last("error"), timeout=90,
                    what="the viewer decodes the site's colour")
        assert viewer.last("error") is None, viewer.said
        watching = media.watching()
        assert watching >= 1

        assert await viewer.stop() == 200
        await until(lambda: media.watching() == watching - 1, timeout=30, what="the viewer's session ended")
        assert await camera.stop() == 200
        await until(lambda: "nancy" not in media.live_sites(), timeout=30, what="the camera's session ended")
    finally:
        camera.kill()
        if viewer is not None:
            viewer.kill()


async def test_an_encoder_publishing_h264_reaches_viewers_as_sent_and_its_hls_is_remuxed(hub):
    """GStreamer's x264enc behind webrtcbin, as OBS sends a site's picture: H.264 over WHIP.
    A WebRTC viewer decodes it (forwarded, not encoded again), and the site's HLS lists it
    remuxed with the encoder's own size (320x240) beside the encoded renditions."""
    media = hub.runtime.events[EVENT].media
    base = f"http://127.0.0.1:{hub.settings.port}/api/events/{EVENT}/media"
    codecs: list[str] = []

    class Spy:
        def offer(self, frame, _source):
            codecs.append(frame.codec)

    media.sources["video"]["nancy"].subscribers.add(Spy())
    camera = await GstPeer("publish-h264", f"{base}/nancy/whip", hub.token(Role.COORDINATOR, "nancy"),
                           "ff0000").start()
    viewer = None
    try:
        await until(lambda: camera.last("location") or camera.last("error"), timeout=60, what="the hub's answer")
        assert camera.last("error") is None, camera.said
        await until(lambda: len(codecs) >= 15, timeout=60, what="the hub receives the encoder's H.264")
        assert set(codecs) == {"H264"}
        viewer = await Watcher().watch(media, "nancy")
        await until(lambda: viewer.colour == "red", timeout=90, what="a WebRTC viewer decodes the encoder's red")
        assert (320, 240) in viewer.sizes
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=60) as http:
            deadline = asyncio.get_running_loop().time() + 90
            while 'NAME="source"' not in (master := (await http.get(f"/hls/{EVENT}/nancy/master.m3u8")).text):
                assert asyncio.get_running_loop().time() < deadline, master
                await asyncio.sleep(0.5)
            assert "RESOLUTION=320x240" in master
    finally:
        camera.kill()
        if viewer is not None:
            await viewer.close()


async def test_offers_the_hub_cannot_forward_are_refused_with_a_code_and_nothing_changes(hub):
    """OBS's WHIP output may send AV1 or HEVC: forwarded as is, that would reach browsers
    that negotiated VP8 or H.264. And a viewer must take VP8, what browsers publish. The hub
    says so instead of answering."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver(ToneTrack(440), direction="sendonly")
    video = pc.addTransceiver(ColourTrack((255, 0, 0)), direction="sendonly")
    video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/H264"])
    media = hub.runtime.events[EVENT].media
    try:
        h264_only = await offer_of(pc)
        av1_only = re.sub(r"(a=rtpmap:\d+ )H264/", r"\1AV1/", h264_only)
        assert "H264/" not in av1_only
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as http:
            for path, token, offer, offered in (
                    (f"/api/events/{EVENT}/media/nancy/whip", hub.token(Role.COORDINATOR, "nancy"), av1_only, "av1"),
                    (f"/api/events/{EVENT}/media/nancy/whep", None, h264_only, "h264")):
                response = await http.post(path, content=offer, headers={
                    "Content-Type": "application/sdp", **({"Authorization": f"Bearer {token}"} if token else {})})
                assert response.status_code == 422, response.text
                assert response.json()["code"] == "media.codec"
                assert response.json()["data"]["offered"] == [offered]
        assert media.live_sites() == [] and media.sessions == {}
    finally:
        await pc.close()
