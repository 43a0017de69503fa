"""The HLS routes on a real hub: playlists, segments and LL-HLS parts with cache
headers a CDN can follow, blocking playlist reloads, coded 404s for every name that is
not one, and the players' reports counted once per viewer."""
from __future__ import annotations

import asyncio
import io
import re
import time

import av
import httpx
import msgspec
import pytest

from hub.client import HubError
from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.state import Entry

from ..hubserver import EVENT, HubServer
from ..media.peers import RED, colour_of, publish_over_whip
from ..support import until


@pytest.fixture
async def hub(tmp_path):
    hub = HubServer(tmp_path / "data", hls_renditions="360p,audio", attendance_interval_ms=50)
    await hub.start()
    yield hub
    await hub.stop()


@pytest.fixture
async def http(hub):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as client:
        yield client


async def live_playlist(http, rendition="360p") -> str:
    """The rendition's playlist once it lists two segments (the first request starts the packager)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        response = await http.get(f"/hls/{EVENT}/program/{rendition}/index.m3u8")
        if response.status_code == 200 and response.text.count("#EXTINF:") >= 2:
            return response.text
        assert asyncio.get_running_loop().time() < deadline, f"no segments: {response.status_code} {response.text}"
        await asyncio.sleep(0.2)


async def test_program_playlists_and_segments_carry_cache_headers(http, hub):
    master = await http.get(f"/hls/{EVENT}/program/master.m3u8")
    assert master.status_code == 200 and master.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert master.headers["cache-control"] == "public, max-age=30"
    assert master.text.index("360p/index.m3u8") < master.text.index("audio/index.m3u8")
    text = await live_playlist(http)
    assert "#EXT-X-PROGRAM-DATE-TIME:" in text
    index = await http.get(f"/hls/{EVENT}/program/360p/index.m3u8")
    assert index.headers["cache-control"] == "public, max-age=1, stale-while-revalidate=2"
    init_name = re.search(r'#EXT-X-MAP:URI="(init-\d+\.mp4)"', text).group(1)
    init = await http.get(f"/hls/{EVENT}/program/360p/{init_name}")
    assert init.status_code == 200 and init.headers["content-type"] == "video/mp4"
    assert init.headers["cache-control"] == "public, max-age=600, immutable"
    name = re.findall(r"^s\d+\.m4s$", text, re.M)[-1]
    seg = await http.get(f"/hls/{EVENT}/program/360p/{name}")
    assert seg.status_code == 200 and seg.headers["content-type"] == "video/mp4"
    assert seg.headers["cache-control"] == "public, max-age=600, immutable"
    with av.open(io.BytesIO(init.content + seg.content)) as container:  # init + segment: a CMAF stream
        assert container.streams.video[0].codec_context.name == "h264"
        # nobody on air: the last picture repeated (5 a second when the machine keeps up)
        assert len(list(container.decode(video=0))) >= 1
    part = re.findall(r'#EXT-X-PART:DURATION=[\d.]+,URI="(s\d+\.\d+\.m4s)"', text)[-1]
    piece = await http.get(f"/hls/{EVENT}/program/360p/{part}")
    assert piece.status_code == 200 and piece.headers["cache-control"] == "public, max-age=600, immutable"
    assert piece.content[4:8] == b"moof"
    audio = await live_playlist(http, "audio")
    assert "#EXTINF:" in audio
    sound = await http.get(f"/hls/{EVENT}/program/audio/{re.findall(r'^s[0-9]+[.]m4s$', audio, re.M)[-1]}")
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/mp4"


def newest(text: str) -> tuple[int, int]:
    """(msn, part) of the playlist's newest part."""
    msn, part = re.findall(r'#EXT-X-PART:DURATION=[\d.]+,URI="s(\d+)\.(\d+)\.m4s"', text)[-1]
    return int(msn), int(part)


async def test_a_blocking_reload_is_held_until_the_part_it_asks_for_exists(http):
    """LL-HLS: a player asks for the playlist that will hold the next part, and for the part
    the playlist hints, before they exist; the hub answers each once it does."""
    text = await live_playlist(http)
    msn, part = newest(text)
    hint = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(s\d+\.\d+\.m4s)"', text).group(1)
    # asked for right away, before the part is cut (about 200 ms from now)
    held_part = asyncio.ensure_future(http.get(f"/hls/{EVENT}/program/360p/{hint}"))
    blocked = await http.get(f"/hls/{EVENT}/program/360p/index.m3u8", params={"_HLS_msn": msn, "_HLS_part": part + 1})
    assert blocked.status_code == 200 and blocked.headers["cache-control"] == "public, max-age=2"
    after = newest(blocked.text)
    assert after > (msn, part)  # holds the part it asked for, or the next segment's
    response = await held_part
    assert response.status_code == 200 and response.content[4:8] == b"moof"
    assert f'URI="{hint}"' in blocked.text or f'URI="{hint}"' in (await live_playlist(http))
    # a whole segment: held until it is complete
    whole = await http.get(f"/hls/{EVENT}/program/360p/index.m3u8", params={"_HLS_msn": after[0]})
    assert f"\ns{after[0]}.m4s\n" in whole.text
    # asked too far ahead, or with a malformed query: refused at once, with a code
    for params, code in (({"_HLS_msn": after[0] + 50}, "hls.too_far"), ({"_HLS_msn": "x"}, "hls.query"),
                         ({"_HLS_part": 1}, "hls.query"), ({"_HLS_msn": "1e9"}, "hls.query"),
                         ({"_HLS_msn": after[0], "_HLS_part": 10**6}, "hls.too_far"),
                         ({"_HLS_msn": "9" * 40}, "hls.query")):
        response = await http.get(f"/hls/{EVENT}/program/360p/index.m3u8", params=params)
        assert response.status_code == 400 and response.json()["code"] == code, params


BAD_NAMES = [
    ("/hls/{e}/program/4k/index.m3u8", 404, "hls.rendition"),
    ("/hls/{e}/program/4k/s1.m4s", 404, "hls.rendition"),
    ("/hls/{e}/program/360p/s1.m4s", 404, "hls.segment_gone"),
    ("/hls/{e}/program/360p/s1.0.m4s", 404, "hls.segment_gone"),
    ("/hls/{e}/program/360p/init-1.mp4", 404, "hls.segment_gone"),
    ("/hls/{e}/program/360p/s99999999999.m4s", 404, "hls.segment_not_yet"),
    ("/hls/{e}/program/360p/s99999999999.3.m4s", 404, "hls.segment_not_yet"),
    ("/hls/{e}/program/360p/seg-1.ts", 404, "hls.name"),
    ("/hls/{e}/program/360p/..%2F..%2Fmultiplex.db", 404, None),
    ("/hls/{e}/program/360p/%2e%2e", 404, "hls.name"),
    ("/hls/{e}/program/360p/s1.m4s%00.m3u8", 404, "hls.name"),
    ("/hls/{e}/program/360p/s%C3%A9-1.m4s", 404, "hls.name"),
    ("/hls/{e}/program/360p/s1.99999.m4s", 404, "hls.name"),
    ("/hls/{e}/nowhere/master.m3u8", 404, "site.not_found"),
    ("/hls/no-such-event/program/master.m3u8", 404, "event.not_found"),
    ("/hls/{e}/..%2F..%2Fetc/360p/index.m3u8", 404, None),
]


async def test_a_site_publishing_h264_over_whip_is_offered_remuxed_and_the_program_is_not(tmp_path):
    hub = HubServer(tmp_path / "data", hls_renditions="source,360p,audio")
    await hub.start()
    publisher = None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=60) as http:
            publisher = await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy",
                                                RED, 440, codec="video/H264")
            deadline = time.monotonic() + 90
            while True:  # the master playlist is cached 30 s: asked again until the copy is in it
                master = (await http.get(f"/hls/{EVENT}/nancy/master.m3u8")).text
                if 'NAME="source"' in master:
                    break
                assert time.monotonic() < deadline, master
                await asyncio.sleep(0.5)
            line = next(x for x in master.splitlines() if 'NAME="source"' in x)
            assert "RESOLUTION=640x480" in line and 'CODECS="avc1.42' in line
            assert master.index("source/index.m3u8") < master.index("360p/index.m3u8")
            deadline = time.monotonic() + 90
            while (text := (await http.get(f"/hls/{EVENT}/nancy/source/index.m3u8")).text).count("#EXTINF:") < 2:
                assert time.monotonic() < deadline, text
                await asyncio.sleep(0.3)
            init = await http.get(f"/hls/{EVENT}/nancy/source/" + re.search(r'URI="(init-\d+\.mp4)"', text).group(1))
            seg = await http.get(f"/hls/{EVENT}/nancy/source/" + re.findall(r"^s\d+\.m4s$", text, re.M)[-1])
            assert init.status_code == seg.status_code == 200 and seg.headers["content-type"] == "video/mp4"
            with av.open(io.BytesIO(init.content + seg.content)) as container:
                stream = container.streams.video[0]
                assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 640, 480)
                assert colour_of(list(container.decode(video=0))[-1]) == "red"
            # the program is encoded only: no copy listed, and asking for one is a coded 404
            program = (await http.get(f"/hls/{EVENT}/program/master.m3u8")).text
            assert "source/" not in program and "360p/index.m3u8" in program
            missing = await http.get(f"/hls/{EVENT}/program/source/index.m3u8")
            assert missing.status_code == 404 and missing.json()["code"] == "hls.rendition"
    finally:
        if publisher is not None:
            await publisher.close()
        await hub.stop()


async def test_names_that_are_not_playlists_or_segments_get_coded_404s(http):
    await live_playlist(http)  # the packager runs: a segment's number can be judged
    for path, status, code in BAD_NAMES:
        response = await http.get(path.replace("{e}", EVENT))
        assert response.status_code == status, path
        if code is not None:
            assert response.json()["code"] == code, path
            assert response.headers["cache-control"] == "public, max-age=1"  # a crowd asking reaches us once


async def test_players_reports_count_each_viewer_once(http, hub):
    media = hub.runtime.events[EVENT].media
    for pid in ("viewer-aaaaaaaa", "viewer-aaaaaaaa", "viewer-bbbbbbbb"):
        response = await http.post(f"/api/events/{EVENT}/hls/watching",
                                   json={"pid": pid, "target": "program", "rendition": "360p"})
        assert response.status_code == 204
    await http.post(f"/api/events/{EVENT}/hls/watching",
                    json={"pid": "viewer-cccccccc", "target": "program", "rendition": "audio"})
    assert media.hls.audience() == {"360p": 2, "audio": 1}
    assert media.watching() == 3 and media.webrtc_watching() == 0
    metrics = (await http.get("/metrics", headers={"authorization": f"Bearer {hub.token(Role.MODERATOR)}"})).text
    assert f'multiplex_hls_viewers{{event="{EVENT}",rendition="360p"}} 2.0' in metrics
    attendance = hub.runtime.events[EVENT].replica.state.attendance
    await until(lambda: len(attendance.watchers) == 3, what="three distinct viewers in the log")
    # One player's quality changes: it counts in both renditions, still one viewer, one session.
    await http.post(f"/api/events/{EVENT}/hls/watching",
                    json={"pid": "viewer-bbbbbbbb", "target": "program", "rendition": "audio"})
    await until(lambda: len(attendance.ways.get("hls:audio", {})) == 2, what="the switch in the log")
    figures = (await http.get(f"/api/events/{EVENT}/report",
                              headers={"authorization": f"Bearer {hub.token(Role.MODERATOR)}"})).json()["stream"]
    assert figures["by_way"] == {"hls:360p": 2, "hls:audio": 2}
    assert figures["watchers"] == 3 and figures["sessions"] == 3
    for body in (b"{", b"\xff\xfe", b'{"pid": "x y", "target": "program", "rendition": "360p"}',
                 b'{"pid": "viewer-dddddddd", "target": "program", "rendition": "4k"}',
                 b'{"pid": "viewer-dddddddd", "target": "mars", "rendition": "360p"}',
                 b"[" * 100_000, b'{"pid": "viewer-dddddddd", "target": "program", "rendition": "360p", "x": 1}',
                 b'{"pid": 1e999, "target": "program", "rendition": "360p"}'):
        response = await http.post(f"/api/events/{EVENT}/hls/watching", content=body)
        assert 400 <= response.status_code < 500, body[:40]
        assert "code" in response.json()
    assert media.hls.audience() == {"360p": 1, "audio": 2}  # bad reports changed nothing


async def test_a_late_vote_is_taken_only_as_late_as_the_hub_can_vouch_for(tmp_path):
    """The client says how far behind its picture is; the hub lowers that to what its way
    of watching allows: an HLS player it knows, up to the playlist window; anyone else,
    WebRTC's 1.5 s. So a client's word alone never keeps a poll open."""
    hub = HubServer(tmp_path / "data", hls_renditions="360p,audio", hls_window=30)  # HLS bound: 32 s
    await hub.start()
    mod, plain, player = hub.moderator(), hub.viewer(), hub.viewer()
    try:
        await asyncio.gather(mod.connect(), plain.connect(), player.connect())
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as http:
            report = await http.post(f"/api/events/{EVENT}/hls/watching", json={
                "pid": player.pid, "target": "program", "rendition": "360p", "delay_ms": 7_200_000})
            assert report.status_code == 204
            seen = (await http.get(f"/api/events/{EVENT}/hls/audience",
                                   headers={"authorization": f"Bearer {hub.token(Role.MODERATOR)}"})).json()
            assert seen["delay"] == {"players": 1, "median_ms": 32_000, "p95_ms": 32_000}  # an hour: clamped
            assert (await http.get(f"/api/events/{EVENT}/hls/audience")).status_code == 401
        poll = (await mod.command({"type": "poll.create", "question": "?", "kind": "single",
                                   "options": ["a", "b"]}))["result"]["poll"]
        await mod.command({"type": "poll.open", "poll": poll})
        await mod.command({"type": "poll.close", "poll": poll})
        closed_at = hub.runtime.events[EVENT].state.polls.polls[poll].closed_at
        await until(lambda: time.time() * 1000 > closed_at + 1600, what="past WebRTC's bound")
        before = hub.seq()
        with pytest.raises(HubError) as refused:  # says an hour, watches WebRTC as far as the hub knows
            await plain.command({"type": "poll.vote", "poll": poll, "choices": [0], "delay_ms": 3_600_000})
        assert refused.value.code == "poll.not_open" and hub.seq() == before
        with pytest.raises(HubError):  # an HLS player that says 0.5 s is taken at its word
            await player.command({"type": "poll.vote", "poll": poll, "choices": [1], "delay_ms": 500})
        ack = await player.command({"type": "poll.vote", "poll": poll, "choices": [1], "delay_ms": 3_600_000})
        assert ack["result"]["late"] is True
        (_, data), = await hub.runtime.log.read(EVENT, hub.seq() - 1)
        entry = msgspec.json.decode(data, type=Entry)
        assert entry.cmd.delay_ms == 32_000  # the log keeps what the hub vouched for, not what was said

        # A player known to the log only (another hub serves its HLS and wrote that it watched)
        # is judged alike: its hub-local audience here is empty.
        elsewhere = hub.viewer()
        await elsewhere.connect()
        try:
            runtime = hub.runtime.events[EVENT]
            await runtime.submit(Actor(role=Role.SYSTEM, pid="node:hub-2"),
                                 c.Watched(watchers=[elsewhere.pid], ways=["hls:360p"]))
            assert not runtime.media.hls.watching(elsewhere.pid)
            ack = await elsewhere.command({"type": "poll.vote", "poll": poll, "choices": [0], "delay_ms": 3_600_000})
            assert ack["result"]["late"] is True
        finally:
            await elsewhere.close()
    finally:
        await asyncio.gather(mod.close(), plain.close(), player.close())
        await hub.stop()


async def test_the_regie_threshold_sends_new_remote_viewers_to_hls_once_webrtc_carries_that_many(tmp_path):
    from ..media.peers import Watcher

    hub = HubServer(tmp_path / "data", hls_renditions="360p,audio", hls_webrtc_limit=1)
    await hub.start()
    mod = hub.moderator()
    await mod.connect()
    watcher = None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as http:
            async def hls_first() -> bool:
                return (await http.get(f"/api/events/{EVENT}/media")).json()["hls_first"]

            regie = {"authorization": f"Bearer {hub.token(Role.MODERATOR)}"}

            async def threshold() -> dict:
                return (await http.get(f"/api/events/{EVENT}/hls/audience", headers=regie)).json()["threshold"]

            assert not await hls_first()  # nobody on WebRTC yet
            watcher = await Watcher().watch(hub.runtime.events[EVENT].media, "program")
            assert await hls_first() and await threshold() == {"viewers": 1, "by": "hub"}
            await mod.command({"type": "stage.hls_threshold", "viewers": 5})
            assert not await hls_first() and await threshold() == {"viewers": 5, "by": "regie"}
            await mod.command({"type": "stage.hls_threshold", "viewers": 0})  # never
            assert not await hls_first() and await threshold() == {"viewers": 0, "by": "regie"}
            await mod.command({"type": "stage.hls_threshold", "viewers": None})  # back to the hub's setting
            assert await hls_first()
            # Only the régie sets it, within bounds; what is refused changes nothing.
            for bad in (-1, 10**7, "12", 1.5):
                with pytest.raises(HubError):
                    await mod.command({"type": "stage.hls_threshold", "viewers": bad})
            viewer = hub.viewer()
            await viewer.connect()
            try:
                with pytest.raises(HubError) as refused:
                    await viewer.command({"type": "stage.hls_threshold", "viewers": 1000})
                assert refused.value.code.startswith("auth.")
            finally:
                await viewer.close()
            assert await threshold() == {"viewers": 1, "by": "hub"}
    finally:
        if watcher is not None:
            await watcher.close()
        await mod.close()
        await hub.stop()
