"""HLS for the mass audience: the program's (or a site's) playlists and segments,
made by hub/media/hls.py, with the cache headers that let nginx or a CDN answer the
viewers (docs/media.md "HLS"), and the players' "I am watching" report.

  GET  /hls/{event}/{target}/master.m3u8               every rendition (cached 30 s)
  GET  /hls/{event}/{target}/{rendition}/index.m3u8    the live window (cached 1 s)
  GET  /hls/{event}/{target}/{rendition}/seg-N.ts      one segment (immutable)
  POST /api/events/{event}/hls/watching                {"pid", "target", "rendition", "delay_ms"?}
  GET  /api/events/{event}/hls/audience                the control room's view: per rendition, delay

Names are matched, never joined into a path: a traversal, an unknown rendition or a
segment that has expired or does not exist yet gets a 404 with its code. Errors are
cached for a second too, so a crowd asking for a segment that is not there yet still
reaches the hub once.
"""
from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import Awaitable, Callable

import msgspec
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..domain.actors import PID_PATTERN
from ..domain.errors import DomainError
from ..media.hls import master_playlist
from ..media.sessions import EventMedia
from .auth import event_of, is_moderator, runtime_of
from .errors import STATUS
from .media import hls_threshold

SEGMENT = re.compile(r"seg-(\d{1,12})\.ts")
PID = re.compile(PID_PATTERN)
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
FIRST_PLAYLIST_WAIT_S = 8.0  # a source's first playlist: the packager needs about two segments
CACHE = {"master": "public, max-age=30", "index": "public, max-age=1", "segment": "public, max-age=600, immutable",
         "error": "public, max-age=1"}


def _error(code: str, message: str, status: int = 404, **headers: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status,
                        headers={"Cache-Control": CACHE["error"], **headers})


def _cached_errors(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A refusal (no such event, site, engine) cached for a second like the others."""
    @functools.wraps(handler)
    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except DomainError as exc:
            return _error(exc.code, exc.message, STATUS.get(exc.code, 400))
    return answer


def _media(request: Request) -> EventMedia:
    media = event_of(request).media
    if not isinstance(media, EventMedia):
        raise DomainError("media.external", "this hub hands media to its media engine: its HLS is served there")
    return media


def _target(request: Request, media: EventMedia) -> str:
    target = str(request.path_params["target"])
    media.require_target(target)  # site.not_found (404) otherwise
    return target


@_cached_errors
async def master(request: Request) -> Response:
    media = _media(request)
    media.hls.asked(_target(request, media))  # the first viewer starts the encoding
    return Response(master_playlist(media.hls.renditions), media_type=PLAYLIST_TYPE,
                    headers={"Cache-Control": CACHE["master"]})


@_cached_errors
async def playlist(request: Request) -> Response:
    media = _media(request)
    target, rendition = _target(request, media), request.path_params["rendition"]
    if rendition not in media.hls.by_name:
        return _error("hls.rendition", f"no rendition {rendition[:40]!r}")
    packager = media.hls.asked(target)
    path = packager.folder / rendition / "index.m3u8"
    deadline = time.monotonic() + FIRST_PLAYLIST_WAIT_S
    while not path.is_file():  # just started: hold the first request (players retry a 503, not a 404)
        if packager.failed or time.monotonic() > deadline:
            return _error("hls.starting", "this stream is starting: ask again", 503, **{"Retry-After": "1"})
        await asyncio.sleep(0.1)
    try:
        text = path.read_bytes()
    except FileNotFoundError:  # replaced between the check and the read (a restart): ask again
        return _error("hls.starting", "this stream is starting: ask again", 503, **{"Retry-After": "1"})
    return Response(text, media_type=PLAYLIST_TYPE, headers={"Cache-Control": CACHE["index"]})


def _listed(text: str) -> list[int]:
    return [int(m) for m in re.findall(r"^seg-(\d+)\.ts$", text, re.M)]


@_cached_errors
async def segment(request: Request) -> Response:
    media = _media(request)
    target, rendition, name = _target(request, media), request.path_params["rendition"], request.path_params["name"]
    if rendition not in media.hls.by_name:
        return _error("hls.rendition", f"no rendition {rendition[:40]!r}")
    match = SEGMENT.fullmatch(name)
    if match is None:
        return _error("hls.name", "not a segment name (seg-N.ts)")
    packager = media.hls.asked(target)
    path = packager.folder / rendition / name
    if path.is_file():
        return FileResponse(path, media_type="video/mp2t", headers={"Cache-Control": CACHE["segment"]})
    try:
        listed = _listed((packager.folder / rendition / "index.m3u8").read_text())
    except FileNotFoundError:
        listed = []
    number = int(match.group(1))
    if listed and number > listed[-1]:
        return _error("hls.segment_not_yet", "this segment does not exist yet")
    return _error("hls.segment_gone", "this segment has expired (or never existed): reload the playlist")


class WatchingReport(msgspec.Struct, forbid_unknown_fields=True):
    pid: str
    target: str
    rendition: str
    delay_ms: int | None = None  # the picture's delay behind the live moment, as the page measures it


async def watching(request: Request) -> Response:
    """A player's report, about every 20 s: counted once per viewer in the key figures
    (distinct stream viewers) and in the viewers watching now, per rendition."""
    ev = event_of(request)
    media = _media(request)
    body = await request.body()
    try:
        report = msgspec.json.decode(body[:4096], type=WatchingReport) if len(body) <= 4096 else None
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        report = None
    if report is None or not PID.fullmatch(report.pid):
        raise DomainError("hls.report", 'send {"pid": your participant id, "target", "rendition"}')
    media.require_target(report.target)
    if report.rendition not in media.hls.by_name and report.rendition != "auto":  # auto: Safari's own choice
        raise DomainError("hls.rendition", "no such rendition")
    news = media.hls.seen(report.pid, report.target, report.rendition, report.delay_ms)
    if news is not None:  # a new player, or one that changed rendition: counted that way once
        ev.watched(report.pid, f"hls:{report.rendition}", continued=news == "switched")
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def audience(request: Request) -> Response:
    """For the control room: the HLS audience per rendition and how far behind it is."""
    ev = event_of(request)
    is_moderator(request, ev.config.id, required=True)
    media = _media(request)
    chosen = ev.state.stage.hls_threshold
    threshold = {"viewers": hls_threshold(ev, runtime_of(request).settings), "by": "hub" if chosen is None else "regie"}
    return JSONResponse({"viewers": media.hls.audience(), "delay": media.hls.delays(),
                         "webrtc_viewers": media.webrtc_watching(), "threshold": threshold},
                        headers={"Cache-Control": "no-store"})


routes = [
    Route("/hls/{event}/{target}/master.m3u8", master),
    Route("/hls/{event}/{target}/{rendition}/index.m3u8", playlist),
    Route("/hls/{event}/{target}/{rendition}/{name}", segment),
    Route("/api/events/{event}/hls/watching", watching, methods=["POST"]),
    Route("/api/events/{event}/hls/audience", audience),
]
