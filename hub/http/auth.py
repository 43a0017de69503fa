"""Bearer tokens on HTTP: the same signed role links as the live channel."""
from __future__ import annotations

import time

from starlette.requests import Request

from .. import access
from ..domain.errors import DomainError


def grant_from(request: Request, event: str) -> access.Grant:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError("auth.missing", "this needs a role link (Authorization: Bearer TOKEN)")
    return access.verify(request.app.state.settings.secret, token.strip(), event, int(time.time()))
