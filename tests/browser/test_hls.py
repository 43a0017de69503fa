"""HLS in Chromium, through nginx configured from the project's own template: a
remote viewer who chooses the broadcast plays the program over LL-HLS (hls.js from npm),
the on-air switch changes its picture within two segments, segments come from
nginx's cache, and a viewer whose WebRTC cannot connect falls back to HLS by itself."""
from __future__ import annotations

import asyncio
import contextlib
import io
import re

import av
import httpx
import pytest

from hub.domain.actors import Role
from hub.media.llhls import LiveWindow

from ..cluster.topology import Nginx
from ..hubserver import HubServer
from ..media.peers import colour_of
from ..support import until
from .browser import chromium, open_page, show_pane, take_on_air, wait_js, wait_online
from .test_media import COLOUR, canvas_camera, go_live
from .test_turn import RELAY_ONLY

EVENT = "grand-est-2020"
REMOTE = f"localStorage.setItem('mx.join.{EVENT}', JSON.stringify({{remote: true}}));"
CHOOSES_HLS = REMOTE + f"localStorage.setItem('mx.transport.{EVENT}', 'hls');"


@pytest.fixture
async def behind_nginx(tmp_path):
    hub = HubServer(tmp_path / "data", hls_renditions="360p,audio", presence_interval_ms=500, tally_interval_ms=100)
    await hub.start()
    # Both of the template's upstreams are this hub: the media hub and the other.
    lb = Nginx(tmp_path / "nginx", [hub.settings.port, hub.settings.port])
    await asyncio.to_thread(lb.start)
    yield hub, lb
    await asyncio.to_thread(lb.stop)
    await hub.stop()


def program_window(hub) -> LiveWindow | None:
    """The program's 360p window in the hub's memory, once somebody asked for it."""
    packager = hub.runtime.events[EVENT].media.hls.packagers.get("program")
    return packager.windows["360p"] if packager is not None else None


def segment_colours(hub, numbers: list[int] | None = None) -> dict[int, str]:
    """The program's complete 360p segments now (or those numbered): number -> colour of its last picture."""
    window = program_window(hub)
    if window is None or window.init is None:
        return {}
    out = {}
    for segment in list(window.segments):
        if segment.data is None or (numbers is not None and segment.msn not in numbers):
            continue
        try:
            with av.open(io.BytesIO(window.init + segment.data)) as container:
                frames = list(container.decode(video=0))
        except av.FFmpegError:
            continue
        if frames:
            out[segment.msn] = colour_of(frames[-1])
    return out


def newest_colour(hub) -> str | None:
    """The colour of the newest complete 360p segment of the program (one decoded, not all)."""
    numbers = listed(hub)
    return segment_colours(hub, numbers[-1:]).get(numbers[-1]) if numbers else None


def listed(hub) -> list[int]:
    window = program_window(hub)
    return [s.msn for s in window.segments if s.data is not None] if window is not None else []


async def live_site(browser, base: str, hub, site: str, camera: str):  # type: ignore[no-untyped-def]
    """A coordinator's page publishing `camera` (an init script), once the hub receives it."""
    page = await open_page(browser, f"{base}/site/{site}#token={hub.token(Role.COORDINATOR, site)}",
                           init_script=camera)
    await wait_online(page)
    await go_live(page)
    return page


async def regie(browser, base: str, hub):  # type: ignore[no-untyped-def]
    page = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
    await wait_online(page)
    return page


async def test_a_remote_viewer_plays_the_program_over_hls_through_nginx_and_follows_the_switch(behind_nginx):
    hub, lb = behind_nginx
    base = f"http://127.0.0.1:{lb.port}/e/{EVENT}"
    async with chromium() as browser:
        await live_site(browser, base, hub, "nancy", canvas_camera("#ff0000"))
        await live_site(browser, base, hub, "reims", canvas_camera("#0000ff"))
        mod = await regie(browser, base, hub)
        await take_on_air(mod, "Nancy")
        errors: list[str] = []
        viewer = await open_page(browser, base, init_script=CHOOSES_HLS, errors=errors)
        await wait_online(viewer)
        await wait_js(viewer, "document.querySelector('.player-panel').dataset.transport === 'hls'", timeout=30)
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=90)
        assert await viewer.evaluate("window.__mxPlayer.pc === null")  # no WebRTC meanwhile
        assert await viewer.evaluate("!!(window.__mxHls.hls && window.__mxHls.hls.playingDate)")
        # as LL-HLS: hls.js reads the parts and asks with blocking reloads
        assert await viewer.evaluate("""(() => { const h = window.__mxHls.hls, d = h.levels[h.currentLevel].details;
          return h.lowLatencyMode && d.canBlockReload && d.partList && d.partList.length > 0; })()""")

        # The switch: the first segment showing Reims comes at most two after the last one listed then.
        before = listed(hub)[-1]
        await take_on_air(mod, "Reims")
        await wait_js(viewer, f"({COLOUR})() === 'blue'", timeout=90)
        colours = segment_colours(hub)
        first_blue = min(n for n, c in colours.items() if c == "blue")
        assert first_blue - before <= 2, (before, colours)

        # nginx answers the viewers: a segment asked twice reaches the hub at most once.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{lb.port}", timeout=30) as http:
            name = f"s{listed(hub)[-1]}.m4s"
            statuses = [(await http.get(f"/hls/{EVENT}/program/360p/{name}")).headers.get("x-cache-status")
                        for _ in range(2)]
            assert statuses[-1] == "HIT", statuses
            # a part alike; and a blocking reload is cached per segment and part asked (nginx's key)
            text = (await http.get(f"/hls/{EVENT}/program/360p/index.m3u8")).text
            msn, part = re.findall(r'URI="s(\d+)\.(\d+)\.m4s"', text)[-1]
            statuses = [(await http.get(f"/hls/{EVENT}/program/360p/s{msn}.{part}.m4s")).headers.get("x-cache-status")
                        for _ in range(2)]
            assert statuses[-1] == "HIT", statuses
            later = await http.get(f"/hls/{EVENT}/program/360p/index.m3u8",
                                   params={"_HLS_msn": int(msn) + 1, "_HLS_part": 0})
            # not the copy cached for the plain playlist above, whose newest part was s{msn}.{part}
            assert later.status_code == 200 and f'URI="s{int(msn) + 1}.0.m4s"' in later.text
        # ... and the page reported itself: one HLS viewer of the program.
        media = hub.runtime.events[EVENT].media
        await until(lambda: media.hls.audience() == {"360p": 1}, what="the viewer counted once, in 360p")
        # (a playlist answered 503 while the stream starts is how HLS says "ask again": not an error here)
        page_errors = [e for e in errors if ": response: " not in e]
        assert not [e for e in page_errors if "Content Security Policy" in e or "hls" in e.lower()], errors


async def test_a_viewer_whose_webrtc_cannot_connect_falls_back_to_hls_by_itself(behind_nginx):
    hub, lb = behind_nginx
    base = f"http://127.0.0.1:{lb.port}/e/{EVENT}"
    async with chromium() as browser:
        await live_site(browser, base, hub, "nancy", canvas_camera("#ff0000"))
        mod = await regie(browser, base, hub)
        await take_on_air(mod, "Nancy")
        # UDP blocked and no TURN: relayed candidates only, and there is no relay.
        viewer = await open_page(browser, base, init_script=REMOTE + RELAY_ONLY)
        await wait_online(viewer)
        # It tries WebRTC first (the offer is sent, nothing connects), then goes to HLS by itself.
        await wait_js(viewer, "document.querySelector('.player-panel').dataset.transport === 'webrtc'"
                              " && !!window.__mxPlayer.pc", timeout=30)
        await wait_js(viewer, "document.querySelector('.player-panel').dataset.transport === 'hls'", timeout=60)
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=90)
        note = viewer.locator(".transport-note")
        assert await note.is_visible()
        assert "diffusion" in (await note.text_content()).lower()


SEGMENT_URL = re.compile(r"/hls/.+/s\d+(\.\d+)?\.m4s$")  # segments and parts, not playlists


class HeldSegments:
    """A page's route that holds its requests for segments until released: its picture stops where
    it is, however quickly it would otherwise catch up with the hub."""

    def __init__(self) -> None:
        self.asked = 0
        self._open = asyncio.Event()

    async def handle(self, route) -> None:  # type: ignore[no-untyped-def]
        self.asked += 1
        await self._open.wait()
        with contextlib.suppress(Exception):  # the player may have given that request up meanwhile
            await route.continue_()

    def release(self) -> None:
        self._open.set()


def painted_camera(rgb: str) -> str:
    """canvas_camera, with its colour in window.__paint so that the test can change it."""
    # canvas_camera's fillStyle becomes '' + window.__paint + '': read at every frame
    return f"window.__paint = '{rgb}';" + canvas_camera("' + window.__paint + '")


# In the viewer's page: when the ballot first appears, and what colour the picture shows then.
WATCH_BALLOT = f"""(() => {{
  const colour = {COLOUR};
  window.__ballot = null;
  const timer = setInterval(() => {{
    if (document.querySelector('form.ballot')) {{
      window.__ballot = {{ at: Date.now(), colour: colour() }};
      clearInterval(timer);
    }}
  }}, 40);
}})()"""


async def test_an_hls_viewer_sees_the_poll_when_its_picture_reaches_that_moment_and_may_vote_late(behind_nginx):
    hub, lb = behind_nginx
    base = f"http://127.0.0.1:{lb.port}/e/{EVENT}"
    mod = hub.moderator()
    await mod.connect()
    try:
        async with chromium() as browser:
            nancy = await live_site(browser, base, hub, "nancy", painted_camera("#ff0000"))
            await mod.command({"type": "stage.on_air", "site": "nancy"})
            viewer = await open_page(browser, base, init_script=CHOOSES_HLS)
            await wait_online(viewer)
            await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=90)
            # The picture is seconds behind, and the page knows by how much.
            await wait_js(viewer, "Number(document.querySelector('.player-panel').dataset.delay) > 1000", timeout=30)
            # The viewer's segments are held back, so that its picture stays on red whatever the load;
            # two more segments later nothing it asked before the hold is still coming. Then the camera
            # turns green, the hub packages it, and the poll opens: on the hub, not yet on this picture.
            held = HeldSegments()
            await viewer.route(SEGMENT_URL, held.handle)
            await viewer.evaluate(WATCH_BALLOT)
            poll = (await mod.command({"type": "poll.create", "question": "Couleur ?", "kind": "single",
                                       "options": ["oui", "non"]}))["result"]["poll"]
            start = listed(hub)[-1]
            await until(lambda: listed(hub)[-1] >= start + 2 and held.asked > 0, timeout=60, what="the picture held")
            await nancy.evaluate("window.__paint = '#00ff00'")
            await until(lambda: newest_colour(hub) == "green", timeout=60, what="green packaged")
            opened = await viewer.evaluate("Date.now()")
            await mod.command({"type": "poll.open", "poll": poll})
            at_open = await viewer.evaluate(f"[({COLOUR})(), window.__ballot]")
            held.release()
            await viewer.unroute(SEGMENT_URL, held.handle)
            await wait_js(viewer, "window.__ballot !== null", timeout=60)
            shown = await viewer.evaluate("window.__ballot")
            # Not when the hub opened it (the picture still red then), but when the picture turned
            # green: judged by what the picture showed, not by a time.
            assert at_open == ["red", None], (at_open, shown, opened)
            assert shown["colour"] == "green", (shown, shown["at"] - opened)

            # The régie closes it; the viewer, still seeing it open, votes: taken, as late.
            await mod.command({"type": "poll.close", "poll": poll})
            await viewer.locator("form.ballot label").first.click()
            await viewer.locator("form.ballot button[type=submit]").click()
            ballots = hub.runtime.events[EVENT].state.polls.polls[poll].ballots
            await until(lambda: len(ballots) == 1, timeout=30, what="the late vote taken")

            # The régie sees how far behind its HLS audience is.
            control = await regie(browser, base, hub)
            await show_pane(control, "Compteurs")
            figures = control.locator("#hls-audience")
            await figures.get_by_text("médian").wait_for(timeout=60_000)
            text = await figures.text_content()
            assert "360p 1" in text, text
            median = float(re.search(r"médian (\d+,\d) s", text).group(1).replace(",", "."))
            assert 1.0 <= median <= hub.runtime.events[EVENT].media.hls.delay_bound_ms / 1000, text

            # And sets the threshold past which new remote viewers start on the broadcast.
            await control.get_by_label("Nouveaux spectateurs à distance vers la diffusion").fill("3")
            await control.get_by_role("button", name="Appliquer").click()
            chosen = figures.get_by_text("au-delà de 3 spectateurs en direct (choisi par la régie)")
            await chosen.wait_for(timeout=30_000)
            assert hub.runtime.events[EVENT].state.stage.hls_threshold == 3
    finally:
        await mod.close()



async def test_past_the_regie_threshold_new_remote_viewers_get_hls_and_people_on_site_stay_on_webrtc(behind_nginx):
    hub, lb = behind_nginx
    base = f"http://127.0.0.1:{lb.port}/e/{EVENT}"
    media = hub.runtime.events[EVENT].media
    mod = hub.moderator()
    await mod.connect()
    try:
        await mod.command({"type": "stage.hls_threshold", "viewers": 1})
        async with chromium() as browser:
            await live_site(browser, base, hub, "nancy", canvas_camera("#ff0000"))
            await mod.command({"type": "stage.on_air", "site": "nancy"})
            first = await open_page(browser, base, init_script=REMOTE)
            await wait_online(first)
            await until(lambda: media.webrtc_watching() >= 1, timeout=60, what="one remote viewer on WebRTC")

            # The threshold is reached: the next remote viewer starts on the broadcast, and is told why.
            second = await open_page(browser, base, init_script=REMOTE)
            await wait_online(second)
            await wait_js(second, "document.querySelector('.player-panel').dataset.transport === 'hls'", timeout=60)
            note = second.locator(".transport-note")
            await note.wait_for()
            assert "beaucoup de spectateurs" in (await note.text_content()).lower()

            # Someone on site (the site's code), even one who once chose the broadcast, stays on WebRTC.
            here = await open_page(browser, f"{base}/join/nancy?code={hub.code('nancy')}",
                                   init_script=f"localStorage.setItem('mx.transport.{EVENT}', 'hls');")
            await wait_online(here)
            await wait_js(here, "document.querySelector('.player-panel') !== null", timeout=30)
            assert await here.locator("#watch-transport").count() == 0
            assert await here.evaluate("document.querySelector('.player-panel').dataset.transport") != "hls"
            assert media.hls.audience().get("360p", 0) <= 1  # only the second remote viewer plays HLS
    finally:
        await mod.close()


async def test_after_a_quiet_spell_nginx_never_hands_out_a_playlist_whose_segments_are_gone(behind_nginx):
    """A playlist cached a while ago lists segments the hub has dropped since: the first player
    to ask after a quiet spell must get a fresh one, not that copy (stale at most 2 s)."""
    hub, lb = behind_nginx
    url = f"/hls/{EVENT}/program/360p/index.m3u8"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{lb.port}", timeout=30) as http:
        async def playlist() -> str:
            while True:
                response = await http.get(url)
                if response.status_code == 200 and "#EXTINF:" in response.text:
                    return response.text
                await asyncio.sleep(0.2)

        old = [int(n) for n in re.findall(r"^s(\d+)\.m4s$", await playlist(), re.M)]
        keep_asking = asyncio.ensure_future(_ask_the_hub(hub))  # the packager goes on; nginx is not asked
        try:
            await until(lambda: bool(listed(hub)) and min(listed(hub)) > max(old), timeout=120,
                        what="the hub's window past every segment of the cached copy")
            text = await playlist()
        finally:
            keep_asking.cancel()
        fresh = [int(n) for n in re.findall(r"^s(\d+)\.m4s$", text, re.M)]
        assert min(fresh) > max(old), (old, fresh)


async def _ask_the_hub(hub) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as http:
        while True:
            await http.get(f"/hls/{EVENT}/program/360p/index.m3u8")
            await asyncio.sleep(1)
