"""A stand-in for MediaMTX's control API (the v3 routes the hub uses), served on
loopback: MediaMTX itself is a Go binary that no package manager here provides.
It keeps path configurations and which paths are online, as MediaMTX does, and
forgets its configurations on `restart()`, as MediaMTX forgets API changes."""
from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..support import free_port


class FakeMediamtx:
    def __init__(self) -> None:
        self.port = free_port()
        self.online: set[str] = set()
        self.configs: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.answering = True
        self.started = "2026-11-24T09:00:00Z"
        app = Starlette(routes=[
            Route("/v3/info", self._info),
            Route("/v3/paths/list", self._list),
            Route("/v3/config/paths/add/{name:path}", self._add, methods=["POST"]),
            Route("/v3/config/paths/patch/{name:path}", self._patch, methods=["PATCH"]),
        ])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    def restart(self) -> None:
        self.configs.clear()
        self.online.clear()
        self.started = "2026-11-24T10:00:00Z"

    def _unavailable(self) -> JSONResponse | None:
        return None if self.answering else JSONResponse({"status": "error", "error": "down"}, status_code=503)

    async def _info(self, request: Request) -> JSONResponse:
        return self._unavailable() or JSONResponse({"version": "v1.15.0", "started": self.started})

    async def _list(self, request: Request) -> JSONResponse:
        self.requests.append(("GET", "/v3/paths/list"))
        names = sorted(self.online | set(self.configs))
        items = [{"name": n, "online": n in self.online, "ready": n in self.online, "readers": []} for n in names]
        return self._unavailable() or JSONResponse({"itemCount": len(items), "pageCount": 1, "items": items})

    async def _add(self, request: Request) -> JSONResponse:
        name = request.path_params["name"]
        self.requests.append(("POST", name))
        if name in self.configs:
            return JSONResponse({"status": "error", "error": "path already exists"}, status_code=400)
        self.configs[name] = await request.json()
        return self._unavailable() or JSONResponse({"status": "ok"})

    async def _patch(self, request: Request) -> JSONResponse:
        name = request.path_params["name"]
        self.requests.append(("PATCH", name))
        if name not in self.configs:
            return JSONResponse({"status": "error", "error": "path configuration not found"}, status_code=404)
        self.configs[name].update(await request.json())
        return self._unavailable() or JSONResponse({"status": "ok"})
