"""The invited list, imported by the control room as a CSV file, and the badges:
each invitee's code as a QR code (printed on the badge, or sent in the invitation
e-mail), scanned at the door from the coordinator's phone."""
from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain import commands as c
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..domain.invitees_csv import MAX_BYTES, parse
from .auth import event_of, grant_from, is_moderator


async def import_invitees(request: Request) -> Response:
    ev = event_of(request)
    is_moderator(request, ev.config.id, required=True)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise DomainError("csv.too_large", f"the file is over {MAX_BYTES // 1_000_000} MB")
    parsed = parse(bytes(body), ev.config)
    partial = request.query_params.get("partial") == "1"
    errors = [e.as_dict() for e in parsed.errors]
    if (errors and not partial) or not parsed.invitees:
        # nothing is imported from a file with errors, unless the operator asks for its good lines only
        return JSONResponse({"code": "csv.invalid" if errors else "csv.empty", "imported": 0, "errors": errors,
                             "good_lines": len(parsed.invitees)}, status_code=422)
    actor = Actor(role=Role.MODERATOR, pid="http:invitees")
    cmd = c.ImportInvitees(invitees=parsed.invitees, replace=request.query_params.get("replace") == "1")
    outcome = await ev.submit(actor, cmd)
    assert outcome.effects is not None
    return JSONResponse({"imported": outcome.effects.result["imported"], "kept": outcome.effects.result["kept"],
                         "errors": errors, "seq": outcome.seq})


def badge_text(public_url: str, event: str, invitee: str) -> str:
    """What a badge's QR code says: its check-in link. The coordinator's phone camera
    opens it (web/pages/checkin.js); a handheld scanner types it into the door's page."""
    return f"{public_url}/e/{event}/checkin/{invitee}"


async def badges(request: Request) -> Response:
    """Every invitee's badge code as SVG QR codes, for the control room to print or e-mail."""
    ev = event_of(request)
    grant = grant_from(request, ev.config.id)
    if grant.role not in (Role.MODERATOR, Role.COORDINATOR):
        raise DomainError("auth.forbidden", "badges are printed by the control room or a site's coordinator")
    person = ev.state.rooms.people.get(request.path_params["invitee"])
    if person is None or (grant.role is Role.COORDINATOR and person.site != grant.site):
        raise DomainError("invitee.not_found", "nobody with that code on your list")
    out = io.BytesIO()
    url = badge_text(request.app.state.settings.effective_public_url, ev.config.id, person.id)
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2)
    return Response(out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


routes = [
    Route("/api/events/{event}/invitees", import_invitees, methods=["POST"]),
    Route("/api/events/{event}/badges/{invitee}.svg", badges),
]
