"""`/metrics` for Prometheus: behind the control room's link (of any event this hub
serves), or, with HUB_METRICS_ADDRESS, on a bind address of its own without one
(a private interface the scraper reaches; docs/deployment.md)."""
from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.actors import Role
from ..domain.errors import DomainError
from ..ops.metrics import CONTENT_TYPE
from ..security import access
from .auth import offered_token, runtime_of


def _control_room(request: Request) -> None:
    token = offered_token(request)
    if not token:
        raise DomainError("auth.missing", "this needs the control room's link")
    runtime = runtime_of(request)
    now = int(time.time())
    for event in runtime.events:
        try:
            grant = access.verify(request.app.state.settings.secret, token, event, now)
        except DomainError:
            continue
        if grant.role is Role.MODERATOR:
            return
        raise DomainError("auth.forbidden", "the metrics are the control room's")
    raise DomainError("auth.invalid", "this link is not valid")


async def metrics(request: Request) -> Response:
    _control_room(request)
    runtime = runtime_of(request)
    return Response(runtime.metrics.text(), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics)]
