"""A real hub in the test's event loop: uvicorn, the live protocol, a real log."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn

from hub.app import create_app, uvicorn_config
from hub.client import LiveClient
from hub.domain.actors import Role
from hub.runtime import Runtime
from hub.security import access
from hub.settings import Settings

from .support import free_port

EVENTS_DIR = Path(__file__).resolve().parent / "events"  # the tests' own copies (tests/events/README.md)
SECRET = "test-secret-not-for-production"
EVENT = "grand-est-2020"


class HubServer:
    def __init__(self, data_dir: Path, **overrides: Any) -> None:
        base = dict(port=free_port(), data_dir=data_dir, events_dir=EVENTS_DIR, secret=SECRET, node_id="test-node",
                    flush_interval_ms=5, tally_interval_ms=50, presence_interval_ms=3_600_000, log_level="warning",
                    # no attendance entries unless a test asks: most tests count seqs
                    attendance_interval_ms=0,
                    # WebRTC on 127.0.0.1 only: tests send nothing to any other address
                    media_host_addresses="127.0.0.1", media_remote_networks="127.0.0.0/8")
        base.update(overrides)
        self.settings = Settings(**base)  # type: ignore[arg-type]
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None
        self.app: Any = None

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime

    def seq(self, event: str = EVENT) -> int:
        return self.runtime.events[event].replica.state.seq

    async def start(self) -> None:
        self.app = create_app(self.settings)
        self.server = uvicorn.Server(uvicorn_config(self.app, self.settings))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(400):
            if self.server.started:
                return
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.025)
        raise TimeoutError("hub did not start")

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await asyncio.wait_for(self.task, 20)
            self.server = self.task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def with_settings(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)

    # -- who joins how ------------------------------------------------------------
    def url(self, event: str = EVENT) -> str:
        return f"ws://127.0.0.1:{self.settings.port}/live/{event}"

    def token(self, role: Role, site: str | None = None, event: str = EVENT, expires: int = 4_000_000_000) -> str:
        return access.sign(SECRET, event, role, site, expires)

    def code(self, site: str, event: str = EVENT) -> str:
        return access.join_code(SECRET, event, site)

    def viewer(self, event: str = EVENT, **kw: Any) -> LiveClient:
        return LiveClient(self.url(event), **kw)

    def participant(self, site: str, event: str = EVENT, **kw: Any) -> LiveClient:
        return LiveClient(self.url(event), site=site, code=self.code(site, event), **kw)

    def coordinator(self, site: str, event: str = EVENT, **kw: Any) -> LiveClient:
        return LiveClient(self.url(event), token=self.token(Role.COORDINATOR, site, event), **kw)

    def moderator(self, event: str = EVENT, **kw: Any) -> LiveClient:
        return LiveClient(self.url(event), token=self.token(Role.MODERATOR, event=event), **kw)
