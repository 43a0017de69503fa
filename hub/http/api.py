"""JSON endpoints: health for load balancers, and public event metadata."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .auth import event_of, runtime_of


async def healthz(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    events = {eid: ev.state.seq for eid, ev in runtime.events.items()}
    diverged = {eid: ev.diverged for eid, ev in runtime.events.items() if ev.diverged}
    if diverged:  # an operator must act: docs/deployment.md, "A log that moved backwards"
        return JSONResponse({"status": "failed", "log": "diverged", "events": events, "diverged": diverged},
                            status_code=503)
    if not await runtime.log_reachable():
        return JSONResponse({"status": "degraded", "log": "unreachable", "events": events}, status_code=503)
    return JSONResponse({"status": "ok", "node": runtime.settings.node_id, "events": events,
                         "snapshots": {eid: ev.last_snapshot for eid, ev in runtime.events.items()},
                         "connections": {eid: ev.channel.connected for eid, ev in runtime.events.items()},
                         "file_descriptors": runtime.fd_limit})


async def list_events(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    return JSONResponse([{"id": ev.config.id, "title": ev.config.title, "date": ev.config.date.isoformat()}
                         for ev in runtime.events.values()])


async def event_detail(request: Request) -> JSONResponse:
    return JSONResponse(event_of(request).config.public_view())


routes = [
    Route("/healthz", healthz),
    Route("/api/events", list_events),
    Route("/api/events/{event}", event_detail),
]
