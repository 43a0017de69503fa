"""A media worker: a process of its own that serves remote viewers' pictures, so
that the media plane uses more than the one core of the hub's process.

The hub stays the ingest: sites publish to it, and it switches the program. A
worker pulls what its viewers watch (a site, or the program) from the hub over
WHEP, once per worker whatever its number of viewers, into Sources of its own
(hub/media/tap.py: nothing decoded), and serves its viewers from them exactly as
the hub does (ForwardTrack + hub/media/forward.py). A viewer's keyframe request
travels back the same way: worker source -> its upstream's PLI -> the hub's
source -> the site.

The hub hands it viewers' offers over loopback (hub/media/workers.py), with a key
only the two of them know; it listens on 127.0.0.1 only.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable

import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain.errors import DomainError
from ..domain.event import EventConfig
from ..settings import Settings
from .sessions import PROGRAM, EventMedia
from .source import Source
from .tap import request_keyframe, tap_receiver

log = logging.getLogger(__name__)
KEY_HEADER = "X-Multiplex-Worker-Key"


class Upstream:
    """What one worker pulls of one target (a site, or the program) from the hub."""

    def __init__(self, url: str, token: str, sources: dict[str, Source]) -> None:
        self.url, self.token, self.sources = url, token, sources
        self.pc: RTCPeerConnection | None = None
        self._opening: asyncio.Task[None] | None = None

    async def ensure(self, http: httpx.AsyncClient) -> None:
        """Connected, or being connected: the viewer that asks waits for the hub's answer
        (a refusal is its error), not for frames: its tracks fill when they come."""
        if self.pc is not None and self.pc.connectionState not in ("failed", "closed"):
            return
        if self._opening is None or self._opening.done():
            self._opening = asyncio.create_task(self._open(http))
        await asyncio.shield(self._opening)

    async def _open(self, http: httpx.AsyncClient) -> None:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        receivers = {}
        for kind in ("video", "audio"):
            transceiver = pc.addTransceiver(kind, direction="recvonly")
            tap_receiver(transceiver.receiver, self.sources[kind].push)
            receivers[kind] = transceiver.receiver
        await pc.setLocalDescription(await pc.createOffer())
        r = await http.post(self.url, content=pc.localDescription.sdp,
                            headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {self.token}"})
        if r.status_code != 201:
            await pc.close()
            raise DomainError("media.upstream", f"the hub refused this worker's pull ({r.status_code})")
        await pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
        self.sources["video"].request_keyframe = lambda: request_keyframe(receivers["video"])
        self.sources["audio"].request_keyframe = lambda: None
        self.pc = pc

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()


class WorkerMedia:
    """One event's viewers in this worker: an EventMedia whose sources are fed from the hub."""

    def __init__(self, config: EventConfig, settings: Settings, hub_url: str, token: str) -> None:
        self.media = EventMedia(config, settings)
        for kind in ("video", "audio"):  # the hub's program is one more source here
            self.media.sources[kind][PROGRAM] = Source(PROGRAM, kind)
        self.media.set_on_air(PROGRAM)   # the hub switches it; this worker only follows
        self.hub_url, self.token, self.event = hub_url, token, config.id
        self.upstreams: dict[str, Upstream] = {}

    async def watch(self, http: httpx.AsyncClient, target: str, offer: str) -> tuple[str, str]:
        self.media.require_target(target)  # before pulling anything of it
        upstream = self.upstreams.get(target)
        if upstream is None:
            url = f"{self.hub_url}/api/events/{self.event}/media/{target}/whep?relay=1"
            upstream = self.upstreams[target] = Upstream(
                url, self.token, {kind: self.media.sources[kind][target] for kind in ("video", "audio")})
        await upstream.ensure(http)
        return await self.media.watch(target, offer)

    async def stop(self) -> None:
        await self.media.stop()
        await asyncio.gather(*(u.close() for u in self.upstreams.values()), return_exceptions=True)


def worker_app(configs: dict[str, EventConfig], settings: Settings, hub_url: str, key: str,
               token_for: Callable[[str], str]) -> Starlette:
    """`token_for(event)`: a link the hub accepts for a relay pull of that event."""
    events: dict[str, WorkerMedia] = {}
    http = httpx.AsyncClient(timeout=30)

    def from_the_hub(request: Request) -> None:
        if not hmac.compare_digest(request.headers.get(KEY_HEADER, ""), key):
            raise DomainError("auth.forbidden", "only the hub that started this worker may use it")

    def event(request: Request) -> WorkerMedia:
        from_the_hub(request)
        eid = request.path_params["event"]
        if eid not in configs:
            raise DomainError("event.not_found", f"no event {eid}")
        if eid not in events:
            events[eid] = WorkerMedia(configs[eid], settings, hub_url, token_for(eid))
        return events[eid]

    async def whep(request: Request) -> Response:
        ev = event(request)
        sid, answer = await ev.watch(http, request.path_params["target"], (await request.body()).decode())
        return Response(answer, status_code=201, media_type="application/sdp", headers={"X-Session": sid})

    async def end(request: Request) -> Response:
        ev = event(request)
        return Response(status_code=200 if await ev.media.close(request.path_params["session"]) else 404)

    async def count(request: Request) -> JSONResponse:
        from_the_hub(request)
        # the viewers' sessions open here, per event (a viewer gone without a DELETE is gone from
        # here once its connection fails: the hub reconciles its count from this)
        return JSONResponse({eid: [sid for sid, s in ev.media.sessions.items() if s.role == "watch"]
                             for eid, ev in events.items()})

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        status = 403 if exc.code == "auth.forbidden" else 404 if exc.code.endswith("not_found") else 400
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await asyncio.gather(*(ev.stop() for ev in events.values()), return_exceptions=True)
            await http.aclose()

    return Starlette(routes=[Route("/whep/{event}/{target}", whep, methods=["POST"]),
                             Route("/sessions/{event}/{session}", end, methods=["DELETE"]),
                             Route("/watching", count)],
                     exception_handlers={DomainError: refused}, lifespan=lifespan)
