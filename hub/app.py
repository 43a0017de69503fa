"""create_app(settings): the Starlette app, whose lifespan runs the Runtime;
serve(settings): uvicorn with the live channel plugged in as its websocket protocol."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware

from .domain.errors import DomainError
from .event_files import load_events
from .http import api, hls, invitees, media, metrics, pages, programme, qr, replays, report, social, synthesis, uploads
from .http.errors import domain_error, internal_error
from .live.session import make_live_protocol
from .log import Log
from .runtime import Runtime, check_settings
from .settings import Settings, with_secret


def create_app(settings: Settings, *, log_: Log | None = None) -> Starlette:
    settings = with_secret(settings)
    events = load_events(settings.events_dir)
    check_settings(settings, events)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = Runtime(settings, events, log_)
        await runtime.start()
        app.state.runtime = runtime
        exporter = serve_metrics(settings.metrics_address, runtime) if settings.metrics_address else None
        try:
            yield
        finally:
            if exporter is not None:
                exporter.shutdown()
            await runtime.stop()

    routes = [*api.routes, *uploads.routes, *qr.routes, *media.routes, *hls.routes, *programme.routes, *report.routes,
              *synthesis.routes, *replays.routes, *invitees.routes, *metrics.routes, *social.routes,
              *pages.routes]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(pages.SecurityHeaders)],
                    exception_handlers={DomainError: domain_error, Exception: internal_error})
    app.state.settings = settings
    app.state.events = events
    return app


def serve_metrics(address: str, runtime: Runtime):  # type: ignore[no-untyped-def]
    """/metrics on an address of its own (prometheus_client's server, in a thread)."""
    from prometheus_client import start_http_server
    host, _, port = address.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host or "127.0.0.1", registry=runtime.metrics.registry)
    return server


def uvicorn_config(app: Starlette, settings: Settings, **extra: object) -> uvicorn.Config:
    live = make_live_protocol(lambda: app.state.runtime)
    return uvicorn.Config(app, host=settings.host, port=settings.port, ws=live, lifespan="on",
                          log_level=settings.log_level, timeout_graceful_shutdown=5, **extra)  # type: ignore[arg-type]


def serve(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.Server(uvicorn_config(app, app.state.settings)).run()
