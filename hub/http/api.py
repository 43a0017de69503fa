"""JSON endpoints: health for load balancers, and public event metadata."""
from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..log import LogUnavailable


async def healthz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    events = {eid: ev.replica.state.seq for eid, ev in runtime.events.items()}
    diverged = {eid: ev.replica.diverged for eid, ev in runtime.events.items() if ev.replica.diverged}
    if diverged:  # an operator must act: docs/deployment.md, "A log that moved backwards"
        return JSONResponse({"status": "failed", "log": "diverged", "events": events, "diverged": diverged},
                            status_code=503)
    try:
        first = next(iter(runtime.events), None)
        if first is not None:
            await asyncio.wait_for(runtime.log.head(first), timeout=1.0)
    except (TimeoutError, LogUnavailable):
        return JSONResponse({"status": "degraded", "log": "unreachable", "events": events}, status_code=503)
    return JSONResponse({"status": "ok", "node": runtime.settings.node_id, "events": events,
                         "snapshots": {eid: ev.replica.last_snapshot for eid, ev in runtime.events.items()},
                         "connections": {eid: ev.channel.connected for eid, ev in runtime.events.items()}})


async def list_events(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    return JSONResponse([{"id": ev.config.id, "title": ev.config.title, "date": ev.config.date.isoformat()}
                         for ev in runtime.events.values()])


async def event_detail(request: Request) -> JSONResponse:
    ev = request.app.state.runtime.events.get(request.path_params["event"])
    if ev is None:
        return JSONResponse({"code": "event.not_found", "message": "no such event"}, status_code=404)
    return JSONResponse(ev.config.public_view())


routes = [
    Route("/healthz", healthz),
    Route("/api/events", list_events),
    Route("/api/events/{event}", event_detail),
]
