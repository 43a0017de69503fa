"""The join QR code of a site, as SVG, for the people allowed to know the code."""
from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.actors import Role
from ..domain.errors import DomainError
from ..security import access
from .auth import event_of, grant_from


async def join_qr(request: Request) -> Response:
    ev, site = event_of(request), request.path_params["site"]
    event = ev.config.id
    if not ev.config.has_site(site):
        raise DomainError("site.not_found", f"no site {site}")
    grant = grant_from(request, event)
    if grant.role is not Role.MODERATOR and grant.site != site:
        raise DomainError("auth.other_site", "this link is for another site")
    settings = request.app.state.settings
    code = access.join_code(settings.secret, event, site)
    url = f"{settings.effective_public_url}/e/{event}/join/{site}?code={code}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff",
                                    title=f"QR code: {url}")
    return Response(out.getvalue(), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Join-Url": url})


routes = [Route("/api/events/{event}/sites/{site}/qr.svg", join_qr)]
