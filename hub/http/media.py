"""WHIP (a site publishes), WHEP (anyone watches a site or the program), the media
configuration pages read, and the auth hook a MediaMTX deployment calls.

WHIP/WHEP: POST an SDP offer (application/sdp), get 201 with the answer and a
Location to DELETE when done. Publishing takes the site coordinator's (or a
moderator's) role link as `Authorization: Bearer`, so OBS Studio can publish too.
"""
from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain.actors import PID_PATTERN, Role
from ..domain.errors import DomainError
from ..domain.presence import INTERPRETER
from ..media.ice import ice_servers
from ..media.sessions import PROGRAM, EventMedia
from ..security import access, turn
from .auth import event_of, grant_from, is_moderator, runtime_of

if TYPE_CHECKING:
    from ..port import EventPort
    from ..settings import Settings

MAX_SDP = 64 * 1024
PID = re.compile(PID_PATTERN)


async def _sdp(request: Request) -> str:
    if not request.headers.get("content-type", "").startswith("application/sdp"):
        raise DomainError("media.content_type", "send the offer as application/sdp")
    body = await request.body()
    if len(body) > MAX_SDP:
        raise DomainError("media.offer", "this offer is too large")
    return body.decode("utf-8", errors="replace")


def _answer(event: str, session_id: str, sdp: str) -> Response:
    return Response(sdp, status_code=201, media_type="application/sdp",
                    headers={"Location": f"/api/events/{event}/media/sessions/{session_id}"})


def _embedded(ev: EventPort) -> EventMedia:
    if not isinstance(ev.media, EventMedia):
        raise DomainError("media.external", "media go through the configured media engine, not this hub")
    return ev.media


async def whip(request: Request) -> Response:
    ev, site = event_of(request), request.path_params["site"]
    media = _embedded(ev)
    grant = grant_from(request, ev.config.id)
    if site == INTERPRETER:  # the interpreter's picture: the accessibility desk's link, or the régie's
        if grant.role not in (Role.CAPTIONER, Role.MODERATOR):
            raise DomainError("auth.forbidden", "the interpreter's picture is published with the captioner's link")
    else:
        access.check_may_publish(grant, site)
    session_id, answer = await media.publish(site, await _sdp(request))
    return _answer(ev.config.id, session_id, answer)


async def whep(request: Request) -> Response:
    ev = event_of(request)
    media = _embedded(ev)
    thumbnail = request.query_params.get("thumbnail") == "1"
    monitor = request.query_params.get("monitor") == "1"  # the régie's preview and program monitors, full rate
    relay = request.query_params.get("relay") == "1"  # a media worker pulling what its viewers watch
    # a room's projector: its room's people are counted in the room (check-in, head count),
    # not once more as an audience of the stream
    screen = request.query_params.get("screen") == "1"
    staff = thumbnail or monitor or relay
    if staff:
        is_moderator(request, ev.config.id, required=True)
    elif screen and grant_from(request, ev.config.id).role not in (Role.SCREEN, Role.MODERATOR):
        raise DomainError("auth.forbidden", "screen=1 is a big screen's (or the régie's) link")
    staff = staff or screen
    session_id, answer = await media.watch(request.path_params["target"], await _sdp(request), thumbnail=thumbnail,
                                           here=relay)
    if staff:  # the control room, a worker's pull, a projector: not an audience
        return _answer(ev.config.id, session_id, answer)
    # Counted by the participant id the page sends (distinct watchers), else by session.
    watcher = request.query_params.get("pid", "")
    ev.watched(watcher if PID.fullmatch(watcher) else f"session:{session_id[:16]}")
    return _answer(ev.config.id, session_id, answer)


async def end_session(request: Request) -> Response:
    """The session id is an unguessable capability, handed only to who opened it. Ending a
    session that has just ended (its page closed it, the hub saw that first) is done, not a 404."""
    media, session = _embedded(event_of(request)), request.path_params["session"]
    if await media.close(session) or media.has_ended(session):
        return Response(status_code=200)
    return JSONResponse({"code": "media.no_session", "message": "no such media session"}, status_code=404)


async def media_config(request: Request) -> JSONResponse:
    ev, settings = event_of(request), request.app.state.settings
    e = ev.config.id
    if settings.media_engine == "mediamtx":
        base = settings.media_engine_url.rstrip("/")
        whip_url, whep_url, program = f"{base}/{e}/{{site}}/whip", f"{base}/{e}/{{site}}/whep", False
    else:
        here = f"/api/events/{e}/media"
        whip_url, whep_url, program = f"{here}/{{site}}/whip", f"{here}/{{site}}/whep", True
    servers: list[dict[str, object]] = [
        {"urls": s.urls, **({"username": s.username, "credential": s.credential} if s.username else {})}
        for s in ice_servers(settings)]
    # New remote viewers go to HLS once WebRTC carries the régie's threshold of them, or
    # HUB_HLS_WEBRTC_LIMIT when the régie set none (0: never).
    limit = hls_threshold(ev, settings)
    hls_first = (program and limit > 0 and isinstance(ev.media, EventMedia) and ev.media.webrtc_watching() >= limit)
    relay, expires_at = _turn_server(request, settings)
    if relay is not None:
        servers.append(relay)
    # TURN credentials are someone's: never kept by a cache or a proxy.
    return JSONResponse({"engine": settings.media_engine, "whip": whip_url, "whep": whep_url,
                         "program": f"/api/events/{e}/media/{PROGRAM}/whep" if program else None,
                         "hls": program, "hls_first": bool(hls_first),
                         "ice_servers": servers, "ice_expires_at": expires_at,
                         "max_bitrate": settings.media_max_bitrate,
                         "live": ev.media.live_sites()}, headers={"Cache-Control": "no-store"})


def _turn_server(request: Request, settings: Settings) -> tuple[dict[str, object] | None, int | None]:
    """coturn's URLs with a credential minted for the participant asking (`?pid=`):
    none without a participant, as a credential names who it was given to."""
    urls = [u.strip() for u in settings.turn_urls.split(",") if u.strip()]
    pid = request.query_params.get("pid")
    if pid is not None and not PID.fullmatch(pid):
        raise DomainError("media.participant", "pid must be a participant id")
    if not urls or pid is None:
        return None, None
    minted = turn.mint(settings.turn_secret, pid, int(time.time()), settings.turn_ttl_s)
    return {"urls": urls, "username": minted.username, "credential": minted.credential}, minted.expires_at


class MediamtxAuthRequest(msgspec.Struct):
    """The fields of MediaMTX's auth request the hub reads (it sends more: ignored)."""
    action: str | None = None
    path: str | None = None
    token: str | None = None
    password: str | None = None


async def mediamtx_auth(request: Request) -> Response:
    """MediaMTX's `authHTTPAddress`: publishing to <event>/<site> needs that site's
    coordinator link (or a moderator's) as its token; reading is public."""
    try:
        body = msgspec.json.decode(await request.body(), type=MediamtxAuthRequest)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return JSONResponse({"code": "media.auth_request", "message": "not a MediaMTX auth request"},
                            status_code=400)
    action, path, token = body.action or "", body.path or "", body.token or body.password or ""
    event, _, site = path.partition("/")
    ev = runtime_of(request).events.get(event)
    if ev is None or not ev.config.has_site(site):
        return Response(status_code=404)
    if action in ("read", "playback"):
        return Response(status_code=200)
    if action != "publish":
        return Response(status_code=403)
    try:
        grant = access.verify(request.app.state.settings.secret, token, event, int(time.time()))
    except DomainError:
        return Response(status_code=401)
    try:
        access.check_may_publish(grant, site)
    except DomainError:
        return Response(status_code=403)
    return Response(status_code=200)


routes = [
    Route("/api/events/{event}/media", media_config),
    Route("/api/events/{event}/media/{site}/whip", whip, methods=["POST"]),
    Route("/api/events/{event}/media/{target}/whep", whep, methods=["POST"]),
    Route("/api/events/{event}/media/sessions/{session}", end_session, methods=["DELETE"]),
    Route("/api/media/mediamtx/auth", mediamtx_auth, methods=["POST"]),
]


def hls_threshold(ev: EventPort, settings: Settings) -> int:
    """The WebRTC viewers past which new remote viewers start on HLS: the régie's, else the hub's."""
    chosen = ev.state.stage.hls_threshold
    return settings.hls_webrtc_limit if chosen is None else int(chosen)
