"""Bearer tokens on HTTP: the same signed role links as the live channel; and the
event a route is about."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.requests import Request

from ..domain.actors import Role
from ..domain.errors import DomainError
from ..security import access

if TYPE_CHECKING:
    from ..port import EventPort, RuntimePort


def runtime_of(request: Request) -> RuntimePort:
    """The hub process behind the app, as transports may see it (hub/port.py)."""
    runtime: RuntimePort = request.app.state.runtime
    return runtime


def event_of(request: Request) -> EventPort:
    """The event named in the path, or event.not_found: the one way every handler finds it."""
    ev = runtime_of(request).events.get(request.path_params.get("event", ""))
    if ev is None:
        raise DomainError("event.not_found", "no such event")
    return ev


def grant_from(request: Request, event: str) -> access.Grant:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError("auth.missing", "this needs a role link (Authorization: Bearer TOKEN)")
    return access.verify(request.app.state.settings.secret, token.strip(), event, int(time.time()))


def offered_token(request: Request) -> str:
    """A role link from `Authorization: Bearer`, or from `?token=` (files opened as plain links)."""
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip() if header.lower().startswith("bearer ") else ""
    return token or request.query_params.get("token", "")


def is_moderator(request: Request, event: str, *, required: bool = False) -> bool:
    """Whether the request carries the control room's link. With `required`, a missing
    link is auth.missing and another role's is auth.forbidden; a bad one is always an error."""
    token = offered_token(request)
    if not token:
        if required:
            raise DomainError("auth.missing", "this needs the control room's link")
        return False
    grant = access.verify(request.app.state.settings.secret, token, event, int(time.time()))
    if grant.role is not Role.MODERATOR and required:
        raise DomainError("auth.forbidden", "this is the control room's")
    return grant.role is Role.MODERATOR
