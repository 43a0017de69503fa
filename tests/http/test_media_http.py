"""WHIP and WHEP over HTTP, their authorisation, the pages' media configuration,
and the auth hook a MediaMTX deployment calls."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from hub.domain.actors import Role

from ..hubserver import HubServer
from ..media.peers import BLUE, RED, ColourTrack, Watcher, offer_of
from ..support import until

EVENT = "grand-est-2020"
SDP = {"Content-Type": "application/sdp"}


@pytest.fixture
async def http(hub):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as client:
        yield client


def bearer(hub, role, site=None) -> dict:
    return {"Authorization": f"Bearer {hub.token(role, site)}", **SDP}


async def test_whip_publish_then_whep_watch_the_program_then_delete(http, hub):
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    publisher.addTransceiver(ColourTrack(RED), direction="sendonly")
    r = await http.post(f"/api/events/{EVENT}/media/nancy/whip", content=await offer_of(publisher),
                        headers=bearer(hub, Role.COORDINATOR, "nancy"))
    assert r.status_code == 201 and r.headers["content-type"].startswith("application/sdp")
    publish_location = r.headers["location"]
    await publisher.setRemoteDescription(RTCSessionDescription(r.text, "answer"))

    mod = hub.moderator()
    await mod.connect()
    await mod.command({"type": "stage.on_air", "site": "nancy"})  # the domain decides; media follows
    viewer = Watcher()
    viewer.pc.addTransceiver("video", direction="recvonly")
    r = await http.post(f"/api/events/{EVENT}/media/program/whep", content=await offer_of(viewer.pc), headers=SDP)
    assert r.status_code == 201
    watch_location = r.headers["location"]
    await viewer.pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
    await until(lambda: viewer.video_frames >= 10 and viewer.colour == "red", what="program frames")
    config = (await http.get(f"/api/events/{EVENT}/media")).json()
    assert config["live"] == ["nancy"] and config["ice_servers"] == [] and config["engine"] == "embedded"

    assert (await http.delete(publish_location)).status_code == 200
    assert (await http.delete(publish_location)).status_code == 200  # ended already: done, not an error
    gone = await http.delete(publish_location.rsplit("/", 1)[0] + "/" + "x" * 43)
    assert gone.status_code == 404 and gone.json()["code"] == "media.no_session"
    assert (await http.get(f"/api/events/{EVENT}/media")).json()["live"] == []
    # The viewer's page closes its connection and the hub notices before the page's DELETE arrives.
    await viewer.close()
    sessions = hub.runtime.events[EVENT].media.sessions
    await until(lambda: watch_location.rsplit("/", 1)[1] not in sessions, timeout=60, what="the hub ends it")
    assert (await http.delete(watch_location)).status_code == 200
    await asyncio.gather(publisher.close(), mod.close())


@pytest.mark.parametrize("who, site, status, code", [
    (None, "nancy", 401, "auth.missing"),
    ((Role.COORDINATOR, "reims"), "nancy", 403, "auth.other_site"),
    ((Role.SCREEN, "nancy"), "nancy", 403, "auth.forbidden"),
    ((Role.MODERATOR, None), "paris", 404, "site.not_found"),
])
async def test_whip_needs_the_sites_coordinator(http, hub, who, site, status, code):
    headers = bearer(hub, *who) if who else SDP
    r = await http.post(f"/api/events/{EVENT}/media/{site}/whip", content="v=0\r\nm=video 9 UDP 96\r\n",
                        headers=headers)
    assert r.status_code == status and r.json()["code"] == code


@pytest.mark.parametrize("body, headers, status, code", [
    ("not sdp", SDP, 400, "media.offer"),
    ("v=0\r\nm=video", {"Content-Type": "text/plain"}, 415, "media.content_type"),
])
async def test_whep_refuses_what_is_not_an_offer(http, body, headers, status, code):
    r = await http.post(f"/api/events/{EVENT}/media/program/whep", content=body, headers=headers)
    assert r.status_code == status and r.json()["code"] == code


async def test_mediamtx_mode_points_pages_at_the_engine_and_checks_its_publishers(tmp_path):
    hub = HubServer(tmp_path / "data", media_engine="mediamtx", media_engine_url="https://media.example.org")
    await hub.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}") as http:
            config = (await http.get(f"/api/events/{EVENT}/media")).json()
            assert config["whip"] == f"https://media.example.org/{EVENT}/{{site}}/whip"
            assert config["whep"] == f"https://media.example.org/{EVENT}/{{site}}/whep"
            r = await http.post(f"/api/events/{EVENT}/media/nancy/whip", content="v=0",
                                headers=bearer(hub, Role.MODERATOR))
            assert r.status_code == 409 and r.json()["code"] == "media.external"

            async def ask(action, path, token=""):
                return (await http.post("/api/media/mediamtx/auth", json={
                    "action": action, "path": path, "token": token, "protocol": "webrtc"})).status_code

            nancy = hub.token(Role.COORDINATOR, "nancy")
            assert await ask("publish", f"{EVENT}/nancy", nancy) == 200
            assert await ask("publish", f"{EVENT}/reims", nancy) == 403
            assert await ask("publish", f"{EVENT}/nancy", "forged.token") == 401
            assert await ask("publish", f"{EVENT}/reims", hub.token(Role.MODERATOR)) == 200
            assert await ask("read", f"{EVENT}/reims") == 200
            assert await ask("api", f"{EVENT}/reims") == 403
            assert await ask("read", "nope/reims") == 404
    finally:
        await hub.stop()


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b"[" * 5000 + b"]" * 5000,
                                  b'{"action": ' + b"[" * 3000 + b"]" * 3000 + b"}",
                                  b"[]", b'"publish"', b'{"action": 42}', b"{"])
async def test_mediamtx_auth_hook_answers_400_with_security_headers_to_hostile_bodies(tmp_path, body):
    hub = HubServer(tmp_path / "data", media_engine="mediamtx", media_engine_url="https://media.example.org")
    await hub.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}") as http:
            r = await http.post("/api/media/mediamtx/auth", content=body, headers={"content-type": "application/json"})
            assert r.status_code == 400 and r.json()["code"] == "media.auth_request"
            assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers
    finally:
        await hub.stop()


async def test_video_sessions_are_counted_by_distinct_watcher(tmp_path):
    hub = HubServer(tmp_path / "data", attendance_interval_ms=50)
    await hub.start()
    watchers = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as http:
            for pid in ("watcher-aaaaaa", "watcher-aaaaaa", "watcher-bbbbbb", "not a pid!"):
                viewer = Watcher()
                viewer.pc.addTransceiver("video", direction="recvonly")
                r = await http.post(f"/api/events/{EVENT}/media/nancy/whep", params={"pid": pid},
                                    content=await offer_of(viewer.pc), headers=SDP)
                assert r.status_code == 201
                watchers.append(viewer)
        attendance = hub.runtime.events[EVENT].replica.state.attendance
        await until(lambda: attendance.sessions == 4, what="four video sessions in the log")
        assert len(attendance.watchers) == 3  # twice the same person; an unusable id counts as its session
        assert {"watcher-aaaaaa", "watcher-bbbbbb"} <= set(attendance.watchers)
        assert hub.runtime.events[EVENT].media.watching() == 4
    finally:
        await asyncio.gather(*(w.close() for w in watchers))
        await hub.stop()


async def staff_watcher(http, flag: str, refusals, allowed: dict) -> Watcher:
    """A video-only watcher of Reims through `?<flag>=1`: refused with each of the
    (headers, status) `refusals`, then answered with the `allowed` headers."""
    watcher = Watcher()
    watcher.pc.addTransceiver("video", direction="recvonly")
    offer = await offer_of(watcher.pc)
    for headers, status in refusals:
        refused = await http.post(f"/api/events/{EVENT}/media/reims/whep", params={flag: "1"}, content=offer,
                                  headers=headers)
        assert refused.status_code == status, (flag, status)
    r = await http.post(f"/api/events/{EVENT}/media/reims/whep", params={flag: "1"}, content=offer, headers=allowed)
    assert r.status_code == 201, (flag, r.text)
    await watcher.pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
    return watcher


async def test_a_thumbnail_is_the_sites_picture_at_about_a_frame_a_second_for_the_control_room_only(http, hub):
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    publisher.addTransceiver(ColourTrack(BLUE), direction="sendonly")
    r = await http.post(f"/api/events/{EVENT}/media/reims/whip", content=await offer_of(publisher),
                        headers=bearer(hub, Role.COORDINATOR, "reims"))
    await publisher.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
    attendance = hub.runtime.events[EVENT].attendance
    attendance.interval = 3_600_000  # collects watchers (the writer is not running: nothing is written)
    screen, coordinator = bearer(hub, Role.SCREEN, "reims"), bearer(hub, Role.COORDINATOR, "reims")
    thumb = await staff_watcher(http, "thumbnail", ((SDP, 401), (screen, 403), (coordinator, 403)),
                                bearer(hub, Role.MODERATOR))
    full = Watcher()
    full.pc.addTransceiver("video", direction="recvonly")
    r = await http.post(f"/api/events/{EVENT}/media/reims/whep", content=await offer_of(full.pc), headers=SDP)
    await full.pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
    # the régie's monitor: the full stream, for the control room only, not an audience either
    monitor = await staff_watcher(http, "monitor", ((SDP, 401), (coordinator, 403)), bearer(hub, Role.MODERATOR))
    # a room's projector: the full stream, with its big screen's link; its room is counted in the room
    projector = await staff_watcher(http, "screen", ((SDP, 401), (coordinator, 403)), bearer(hub, Role.SCREEN, "metz"))
    await until(lambda: projector.video_frames >= 10, timeout=20, what="the projector's frames")
    await until(lambda: thumb.video_frames >= 3 and thumb.colour == "blue", timeout=20, what="thumbnail pictures")
    start_thumb, start_full = thumb.video_frames, full.video_frames
    start_monitor = monitor.video_frames
    await until(lambda: full.video_frames - start_full >= 60, timeout=20, what="the full stream's frames")
    await until(lambda: monitor.video_frames - start_monitor >= 30, timeout=20, what="the monitor's frames")
    # in the two seconds the full stream took for 60 frames, the thumbnail showed a few
    assert thumb.video_frames - start_thumb <= 8, (thumb.video_frames - start_thumb, full.video_frames - start_full)
    assert thumb.colour == "blue"
    # the control room looking at its sites and a projector are not counted as an audience; the viewer is
    assert len(attendance._watchers) == 1
    await asyncio.gather(thumb.close(), full.close(), monitor.close(), projector.close(), publisher.close())
