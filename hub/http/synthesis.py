"""What a region sends up, and how a national event takes it in.

- `GET /api/events/<event>/synthesis.json` — the signed synthesis (JSON);
  `/e/<event>/synthesis` (HTML) and `/api/events/<event>/synthesis.pdf`. Read with
  the control room's link, or the read-only synthesis link (`?token=`, printed by
  `multiplex links` and shown in the control room).
- `POST /api/events/<event>/imports` — the control room of a national event
  imports a region's synthesis: the signed JSON as the body, or `{"url": …}` to
  fetch it from the regional hub. The signature is checked before anything is
  written; the domain refuses a replayed or already imported version.
"""
from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..domain import commands as c
from ..domain import synthesis
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..reporting import synthesis_doc
from ..security import signing
from .auth import event_of, grant_from, is_moderator

if TYPE_CHECKING:
    from ..port import EventPort

MAX_IMPORT_BYTES = 10 * 1024 * 1024
PRIVATE = {"Cache-Control": "no-store"}


def _may_read(request: Request, ev: EventPort) -> str:
    """The token to put in the document's own links."""
    secret = request.app.state.settings.secret
    export = signing.export_token(secret, ev.config.id)
    given = request.query_params.get("token", "")
    if given and hmac.compare_digest(given.encode(), export.encode()):
        return export
    is_moderator(request, ev.config.id, required=True)
    return export


def _signed(request: Request, ev: EventPort) -> dict[str, Any]:
    doc = synthesis.build(ev.state, ev.config, int(time.time() * 1000))
    return signing.sign(request.app.state.settings.secret, doc)


async def synthesis_json(request: Request) -> Response:
    ev = event_of(request)
    _may_read(request, ev)
    return Response(msgspec.json.encode(_signed(request, ev)), media_type="application/json",
                    headers={**PRIVATE, "Content-Disposition": f'inline; filename="{ev.config.id}-synthese.json"'})


async def synthesis_html(request: Request) -> Response:
    ev = event_of(request)
    token = _may_read(request, ev)
    doc = synthesis.build(ev.state, ev.config, int(time.time() * 1000))
    api = f"/api/events/{ev.config.id}"
    links = {"PDF": f"{api}/synthesis.pdf?token={token}", "JSON signé": f"{api}/synthesis.json?token={token}"}
    return HTMLResponse(synthesis_doc.to_html(doc, links), headers=PRIVATE)


async def synthesis_pdf(request: Request) -> Response:
    ev = event_of(request)
    _may_read(request, ev)
    doc = synthesis.build(ev.state, ev.config, int(time.time() * 1000))
    return Response(synthesis_doc.to_pdf(doc), media_type="application/pdf",
                    headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{ev.config.id}-synthese.pdf"'})


class _FromUrl(msgspec.Struct, forbid_unknown_fields=True):
    url: str


async def _fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise DomainError("import.url", "give the synthesis link (http or https)")
    try:
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as http:
            async with http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DomainError("import.fetch", f"the regional hub answered {response.status_code}",
                                      status=response.status_code)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_IMPORT_BYTES:
                        raise DomainError("import.too_large", "this synthesis is too large")
                return bytes(body)
    except httpx.HTTPError as exc:
        raise DomainError("import.fetch", f"the synthesis could not be fetched ({type(exc).__name__})") from None


async def import_synthesis(request: Request) -> Response:
    ev = event_of(request)
    grant = grant_from(request, ev.config.id)
    if grant.role is not Role.MODERATOR:
        raise DomainError("auth.forbidden", "imports are the control room's")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise DomainError("import.too_large", "this synthesis is too large")
    try:
        body = await _fetch(msgspec.json.decode(body, type=_FromUrl).url)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        pass  # not {"url": …}: the body is the signed synthesis itself
    envelope = signing.verify(body)
    pinned = request.app.state.settings.synthesis_keys.get(str(envelope.synthesis.get("event", {}).get("id")))
    if pinned and pinned != envelope.key:
        raise DomainError("import.key", "this region's synthesis must be signed with its configured key")
    actor = Actor(role=Role.MODERATOR, pid=f"import:{grant.role.value}")
    outcome = await ev.submit(actor, c.ImportSynthesis(doc=envelope.synthesis, key=envelope.key,
                                                               signature=envelope.signature))
    assert outcome.effects is not None
    return JSONResponse({"seq": outcome.seq, **outcome.effects.result}, status_code=201)


routes = [
    Route("/api/events/{event}/synthesis.json", synthesis_json),
    Route("/api/events/{event}/synthesis.pdf", synthesis_pdf),
    Route("/e/{event}/synthesis", synthesis_html),
    Route("/api/events/{event}/imports", import_synthesis, methods=["POST"]),
]
