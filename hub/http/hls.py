"""HLS for the mass audience: the program's (or a site's) playlists and segments,
made by hub/media/hls.py, with the cache headers that let nginx or a CDN answer the
viewers (docs/media.md "HLS"), and the players' "I am watching" report.

  GET  /hls/{event}/{target}/master.m3u8               every rendition (cached 30 s)
  GET  /hls/{event}/{target}/{rendition}/index.m3u8    the live window (cached 1 s), LL-HLS:
       ?_HLS_msn=N[&_HLS_part=K]                       held until segment N (part K) exists (cached 2 s)
  GET  /hls/{event}/{target}/{rendition}/sN.m4s        one segment (immutable)
  GET  /hls/{event}/{target}/{rendition}/sN.K.m4s      its part K (immutable; the hinted next one is held)
  GET  /hls/{event}/{target}/{rendition}/init-N.mp4    the CMAF init section (immutable)
  POST /api/events/{event}/hls/watching                {"pid", "target", "rendition", "delay_ms"?}
  GET  /api/events/{event}/hls/audience                the control room's view: per rendition, delay

Names are matched, never joined into a path: a traversal, an unknown rendition or a
segment that has expired or does not exist yet gets a 404 with its code. Errors are
cached for a second too, so a crowd asking for a segment that is not there yet still
reaches the hub once.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain.actors import PID_PATTERN
from ..domain.errors import DomainError
from ..media.hls import HlsPackager, Rendition, master_playlist
from ..media.llhls import LiveWindow
from ..media.sessions import EventMedia
from .auth import event_of, is_moderator, runtime_of
from .errors import STATUS
from .media import hls_threshold

SEGMENT = re.compile(r"s(\d{1,15})(?:\.(\d{1,3}))?\.m4s")
INIT = re.compile(r"init-(\d{1,15})\.mp4")
QUERY_NUMBER = re.compile(r"\d{1,15}")
PID = re.compile(PID_PATTERN)
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
FIRST_PLAYLIST_WAIT_S = 8.0  # a source's first playlist: the packager needs about one segment
BLOCK_TARGETS = 3            # a blocked request is held at most this many target durations (RFC 8216bis)
MAX_PARTS = 100              # a part number beyond any segment's
CACHE = {"master": "public, max-age=30", "index": "public, max-age=1, stale-while-revalidate=2",
         "segment": "public, max-age=600, immutable",
         # a blocking reload's answer stays right for its query: cached as RFC 8216bis suggests (6 parts)
         "blocked": "public, max-age=2", "error": "public, max-age=1"}


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
    packager = media.hls.asked(_target(request, media))  # the first viewer starts the encoding
    # just started: a moment for the source's first keyframe, which tells whether it has a copy
    await packager.wait(lambda: any(w.ready for w in packager.windows.values()), FIRST_PLAYLIST_WAIT_S)
    return Response(master_playlist(packager.renditions_now()), media_type=PLAYLIST_TYPE,
                    headers={"Cache-Control": CACHE["master"]})


def _query_number(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not QUERY_NUMBER.fullmatch(value):
        raise DomainError("hls.query", f"{name} is a number")
    return int(value)


def _window(request: Request) -> tuple[HlsPackager, LiveWindow, Rendition]:
    media = _media(request)
    target, rendition = _target(request, media), request.path_params["rendition"]
    if rendition not in media.hls.by_name:
        raise DomainError("hls.rendition", f"no rendition {rendition[:40]!r}")
    packager = media.hls.asked(target)  # the first request starts the encoding
    window = packager.windows.get(rendition)
    if window is None:
        raise DomainError("hls.rendition", f"no {rendition} rendition here: it is the H.264 a site publishes, "
                                           "remuxed, and this source sends none now")
    return packager, window, media.hls.by_name[rendition]


def _starting() -> JSONResponse:
    # players retry a 503, not a 404
    return _error("hls.starting", "this stream is starting: ask again", 503, **{"Retry-After": "1"})


@_cached_errors
async def playlist(request: Request) -> Response:
    """The rendition's playlist; with `_HLS_msn` (and `_HLS_part`), a blocking reload: held until
    the playlist holds that segment (or that part of it), as LL-HLS players ask."""
    msn, part = _query_number(request, "_HLS_msn"), _query_number(request, "_HLS_part")
    if part is not None and msn is None:
        raise DomainError("hls.query", "_HLS_part needs _HLS_msn")
    packager, window, _ = _window(request)
    if not await packager.wait(lambda: window.ready, FIRST_PLAYLIST_WAIT_S):
        return _starting()  # just started: the first segment takes about a second
    cache = CACHE["index"]
    if msn is not None:
        newest = window.last()
        if newest is None or msn > newest[0] + 2 or (part or 0) > MAX_PARTS:
            raise DomainError("hls.too_far", "that segment is too far ahead of the live moment: reload the playlist")
        if not await packager.wait(lambda: window.has(msn, part), BLOCK_TARGETS * window.target_duration):
            return _starting()
        cache = CACHE["blocked"]
    return Response(window.playlist(), media_type=PLAYLIST_TYPE, headers={"Cache-Control": cache})


@_cached_errors
async def segment(request: Request) -> Response:
    """A whole segment (sN.m4s), one of its parts (sN.K.m4s) or the init section. The part a
    playlist hints as the next one is held until it exists."""
    name = request.path_params["name"]
    init, match = INIT.fullmatch(name), SEGMENT.fullmatch(name)
    if init is None and match is None:
        return _error("hls.name", "not a segment name (sN.m4s, sN.K.m4s, init-N.mp4)")
    packager, window, rendition = _window(request)
    kind = "video/mp4" if rendition.has_video else "audio/mp4"
    if init is not None:
        if name == window.init_name and window.init is not None:
            return Response(window.init, media_type=kind, headers={"Cache-Control": CACHE["segment"]})
        return _error("hls.segment_gone", "this stream has started again: reload the playlist")
    assert match is not None
    msn, part = int(match.group(1)), None if match.group(2) is None else int(match.group(2))
    newest = window.last()
    if part is not None and newest is not None and not window.has(msn, part) and msn <= newest[0] + 1:
        await packager.wait(lambda: window.has(msn, part), BLOCK_TARGETS * window.target_duration)
    found = window.segment(msn)
    data = None if found is None else found.data if part is None else \
        found.parts[part].data if part < len(found.parts) else None
    if data is not None:
        return Response(data, media_type=kind, headers={"Cache-Control": CACHE["segment"]})
    if (found is None and msn >= window.next_msn) or (found is not None and found.data is None):
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
