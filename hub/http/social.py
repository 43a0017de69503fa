"""For the control room: each social network's account, and how this hub last found it."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .auth import event_of, is_moderator


async def social_health(request: Request) -> JSONResponse:
    ev = event_of(request)
    is_moderator(request, ev.config.id, required=True)
    return JSONResponse(ev.social_health(), headers={"Cache-Control": "no-store"})


routes = [Route("/api/events/{event}/social", social_health)]
