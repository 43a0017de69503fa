"""In MediaMTX mode the hub learns which sites are live from MediaMTX's API, and the
control room's recording switches MediaMTX's own recording, also after a restart."""
from __future__ import annotations

import httpx
import pytest

from ..hubserver import EVENT, HubServer
from ..support import until
from .fake_mediamtx import FakeMediamtx


@pytest.fixture
async def mediamtx():
    fake = FakeMediamtx()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def hub_on_mediamtx(tmp_path, mediamtx):
    hub = HubServer(tmp_path / "data", media_engine="mediamtx", media_engine_url="https://media.example.org",
                    media_engine_api=mediamtx.url, media_engine_poll_ms=50, presence_interval_ms=50)
    await hub.start()
    yield hub
    await hub.stop()


async def test_sites_publishing_to_mediamtx_show_as_live_in_pages_and_state(hub_on_mediamtx, mediamtx):
    hub = hub_on_mediamtx
    coordinator = hub.coordinator("reims")
    await coordinator.connect()
    mediamtx.online |= {f"{EVENT}/nancy", f"{EVENT}/reims", "other-event/nancy", f"{EVENT}/not-a-site"}
    await coordinator.wait_for(lambda c: c.state["presence"]["publishing"] == ["nancy", "reims"])
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}") as http:
        config = (await http.get(f"/api/events/{EVENT}/media")).json()
        assert config["engine"] == "mediamtx" and config["live"] == ["nancy", "reims"]
    mediamtx.online.discard(f"{EVENT}/nancy")  # nancy stops publishing
    await coordinator.wait_for(lambda c: c.state["presence"]["publishing"] == ["reims"])
    mediamtx.answering = False  # MediaMTX unreachable: nothing is shown as live rather than stale
    await coordinator.wait_for(lambda c: c.state["presence"]["publishing"] == [])
    await coordinator.close()


async def test_recording_a_session_switches_mediamtx_recording_on_every_site_path(hub_on_mediamtx, mediamtx):
    hub = hub_on_mediamtx
    sites = [s.id for s in hub.runtime.events[EVENT].config.sites]
    paths = [f"{EVENT}/{s}" for s in sites]
    mod = hub.moderator()
    await mod.connect()
    await mod.command({"type": "stage.record", "session": 1})
    await until(lambda: all(mediamtx.configs.get(p, {}).get("record") is True for p in paths))
    for site, path in zip(sites, paths):
        assert mediamtx.configs[path]["recordPath"].startswith(f"/recordings/{EVENT}/{site}/session-01_")
    mediamtx.restart()  # MediaMTX forgets what the API set: the hub sets it again
    await until(lambda: all(mediamtx.configs.get(p, {}).get("record") is True for p in paths))
    await mod.command({"type": "stage.record", "session": None})
    await until(lambda: all(mediamtx.configs[p]["record"] is False for p in paths))
    await mod.close()


async def test_each_sites_path_records_its_own_tracks_session(hub_on_mediamtx, mediamtx):
    """Sites running their own sessions side by side: each site's path records under its
    track's session, whatever the program records (stand-in of MediaMTX's API)."""
    hub = hub_on_mediamtx
    mod = hub.moderator()
    await mod.connect()
    await mod.command({"type": "programme.current", "session": 1, "site": "nancy"})
    await mod.command({"type": "programme.current", "session": 10, "site": "reims"})
    path = lambda site: mediamtx.configs.get(f"{EVENT}/{site}", {})  # noqa: E731
    await until(lambda: path("nancy").get("record") is True and path("reims").get("record") is True)
    assert path("nancy")["recordPath"].startswith(f"/recordings/{EVENT}/nancy/session-01_")
    assert path("reims")["recordPath"].startswith(f"/recordings/{EVENT}/reims/session-10_")
    assert path("metz").get("record") is not True  # Metz runs nothing: not recorded
    await mod.command({"type": "programme.current", "session": None, "site": "reims"})
    await until(lambda: path("reims").get("record") is False)
    assert path("nancy")["record"] is True
    await mod.close()
