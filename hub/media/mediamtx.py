"""MediaMTX as the media engine: sites publish to `<event>/<site>` on MediaMTX, and
viewers watch from it; the hub talks to MediaMTX's control API (HUB_MEDIA_ENGINE_API).

- Live sites: the hub polls `GET /v3/paths/list`; a path `<event>/<site>` that is
  online (`ready` on older MediaMTX) means that site is publishing. Polling rather
  than `runOnReady` hooks: the official image has no shell to run a hook with, and
  a poll also recovers by itself after either side restarts.
- Recording: MediaMTX records each path itself (no program mix exists there). A
  site's path records while its track runs a session N (its own sessions), and,
  while the domain records programme session N, every site path records too, to
  `recordPath` `…/<event>/<site>/session-NN_<time>`; the stage changes in the
  log say which site was on air when. The hub keeps a path configuration per site
  and re-applies it when MediaMTX restarts (it forgets API changes).
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import msgspec

from ..domain.event import EventConfig
from ..settings import Settings

log = logging.getLogger(__name__)


class _Path(msgspec.Struct):
    name: str
    readers: list[msgspec.Raw] = []
    ready: bool = False     # MediaMTX < 1.15
    online: bool = False    # MediaMTX >= 1.15
    available: bool = False


class _Info(msgspec.Struct):
    started: str = ""  # when this MediaMTX process started: a change means a restart


class _PathList(msgspec.Struct):
    items: list[_Path] = []
    pageCount: int = 1


_decode_paths = msgspec.json.Decoder(_PathList).decode
_decode_info = msgspec.json.Decoder(_Info).decode


class MediamtxEngine:
    def __init__(self, config: EventConfig, settings: Settings, *, poll_interval: float | None = None) -> None:
        self.config = config
        self.api = settings.media_engine_api.rstrip("/")
        self.poll_interval = poll_interval if poll_interval is not None else settings.media_engine_poll_ms / 1000
        self.recordings_root = settings.media_engine_recordings.rstrip("/")
        self.on_air: str | None = None
        self.recording: int | None = None  # what the domain asked for
        self.track_sessions: dict[str, int | None] = {}  # each site's track: its session, recorded
        self.finished: list[tuple[Path, int, int]] = []  # MediaMTX's files are on its disk: no captions beside them
        self._applied: dict[str, dict[str, Any]] = {}  # per path: the configuration MediaMTX confirmed
        self._live: list[str] = []
        self._readers = 0  # readers of the event's paths, as MediaMTX last said
        self._reachable: bool | None = None
        self._started: str | None = None
        self._http: httpx.AsyncClient | None = None
        self._poller: asyncio.Task[None] | None = None
        self._applying = asyncio.Lock()

    # -- MediaEngine -------------------------------------------------------------------
    def live_sites(self) -> list[str]:
        return list(self._live)

    def watching(self) -> int:
        return self._readers

    def set_on_air(self, site: str | None) -> None:
        self.on_air = site  # viewers' players open WHEP on the site on air themselves

    async def record(self, session: int | None) -> None:
        self.recording = session
        await self._apply_recording()

    async def record_tracks(self, sessions: dict[str, int | None]) -> None:
        self.track_sessions = dict(sessions)
        await self._apply_recording()

    async def start(self) -> None:
        self._http = httpx.AsyncClient(timeout=3.0)
        self._poller = asyncio.create_task(self._poll_loop(), name=f"mediamtx-{self.config.id}")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()

    # -- the control API -----------------------------------------------------------------
    def _path(self, site: str) -> str:
        return f"{self.config.id}/{site}"

    def _wanted(self, site: str) -> dict[str, Any]:
        session = self.track_sessions.get(site)
        if session is None:
            session = self.recording
        if session is None:
            return {"record": False}
        folder = f"{self.recordings_root}/{self.config.id}/{site}"
        return {"record": True, "recordPath": f"{folder}/session-{session:02d}_%Y-%m-%d_%H-%M-%S-%f"}

    async def _apply_recording(self) -> None:
        """Bring each site's path configuration to what the domain wants; what fails
        is tried again at the next poll."""
        if self._http is None:
            return
        async with self._applying:  # the poll loop and the control room may both call this
            await self._apply_each()

    async def _apply_each(self) -> None:
        assert self._http is not None
        for site in (s.id for s in self.config.sites):
            wanted, path = self._wanted(site), self._path(site)
            if self._applied.get(path) == wanted:
                continue
            try:
                r = await self._http.patch(f"{self.api}/v3/config/paths/patch/{path}", json=wanted)
                if r.status_code == 404:  # no configuration for this path yet (or MediaMTX restarted)
                    r = await self._http.post(f"{self.api}/v3/config/paths/add/{path}", json=wanted)
                    if r.status_code == 400:  # another hub added it meanwhile
                        r = await self._http.patch(f"{self.api}/v3/config/paths/patch/{path}", json=wanted)
                r.raise_for_status()
            except httpx.HTTPError as exc:
                log.warning("%s: MediaMTX did not take the recording setting of %s (%s)", self.config.id, path, exc)
                self._applied.pop(path, None)
                continue
            self._applied[path] = wanted

    async def _read_live(self) -> list[str]:
        assert self._http is not None
        prefix, live, readers = f"{self.config.id}/", [], 0
        r = await self._http.get(f"{self.api}/v3/paths/list", params={"itemsPerPage": 1000})
        r.raise_for_status()
        for item in _decode_paths(r.content).items:
            site = item.name.removeprefix(prefix)
            if item.name.startswith(prefix) and self.config.has_site(site):
                readers += len(item.readers)
                if item.online or item.ready:
                    live.append(site)
        self._readers = readers
        return sorted(live)

    async def _notice_restart(self) -> None:
        """MediaMTX forgets configuration set through its API when it restarts."""
        assert self._http is not None
        r = await self._http.get(f"{self.api}/v3/info")
        r.raise_for_status()
        started = _decode_info(r.content).started
        if started != self._started:
            if self._started is not None:
                log.warning("%s: MediaMTX restarted: setting its recording again", self.config.id)
            self._started = started
            self._applied.clear()

    async def _poll_loop(self) -> None:
        while True:
            try:
                await self._notice_restart()
                self._live = await self._read_live()
                if self._reachable is False:
                    log.warning("%s: MediaMTX's API answers again", self.config.id)
                self._reachable = True
                await self._apply_recording()
            except (httpx.HTTPError, msgspec.DecodeError) as exc:
                if self._reachable is not False:
                    log.warning("%s: MediaMTX's API at %s does not answer (%s): no site shows as live",
                                self.config.id, self.api, exc)
                self._reachable, self._live = False, []
            await asyncio.sleep(self.poll_interval)
