"""The hub's side of its media workers (hub/media/worker.py): it starts them,
hands each remote viewer's offer to the one with the fewest viewers, and routes
the session's DELETE back to it.

With HUB_MEDIA_WORKERS=N (embedded engine), N processes serve the remote viewers
of sites and of the program; the hub keeps the publishers, the on-air switch,
recording, thumbnails and the interpreter's picture. Each worker pulls a target
from the hub once, so the hub's own media cost is one viewer per worker and
target, whatever the audience (docs/media.md, "Media workers").
"""
from __future__ import annotations

import asyncio
import collections
import logging
import os
import secrets
import socket
import subprocess
import sys

import httpx

from ..domain.errors import DomainError
from ..settings import Settings, as_env
from .worker import KEY_HEADER

log = logging.getLogger(__name__)
PREFIX = "w"  # a worker's session ids read "w<index>.<its own id>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WorkerPool:
    def __init__(self, count: int, hub_url: str, settings: Settings) -> None:
        self.count, self.hub_url, self.settings = count, hub_url, settings
        self.key = secrets.token_urlsafe(24)
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.handed: dict[str, tuple[int, str]] = {}  # open viewer session -> (its worker, its event)
        self.answering: list[int] = []     # offers handed to each worker and not answered yet
        self.http = httpx.AsyncClient(timeout=30, headers={KEY_HEADER: self.key})
        self._reconciler: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for _ in range(self.count):
            port = _free_port()
            # the hub's own settings, whatever they came from (env, hub.env, a test's overrides)
            env = {**os.environ, **as_env(self.settings), "MX_WORKER_KEY": self.key}
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "hub.cli", "media-worker", "--port", str(port), "--hub", self.hub_url],
                env=env))
            self.ports.append(port)
            self.answering.append(0)
        await asyncio.gather(*(self._listening(i) for i in range(self.count)))
        log.info("media workers: %s", ", ".join(f"pid {p.pid} on 127.0.0.1:{port}"
                                                 for p, port in zip(self.procs, self.ports)))
        self._reconciler = asyncio.create_task(self._reconcile_every(5.0), name="media-workers-count")

    async def _listening(self, i: int) -> None:
        for _ in range(600):
            if self.procs[i].poll() is not None:
                raise RuntimeError(f"media worker {i} exited with {self.procs[i].returncode}")
            try:
                r = await self.http.get(self._url(i, "/watching"))
                if r.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
        raise TimeoutError(f"media worker {i} did not start")

    def _url(self, i: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[i]}{path}"

    def owns(self, session_id: str) -> bool:
        return session_id.startswith(PREFIX) and "." in session_id

    async def watch(self, event: str, target: str, offer: str) -> tuple[str, str]:
        # the least loaded, counting offers still being answered: a burst of viewers spreads
        load = collections.Counter(worker for worker, _ in self.handed.values())
        i = min(range(self.count), key=lambda n: load[n] + self.answering[n])
        self.answering[i] += 1
        try:
            r = await self.http.post(self._url(i, f"/whep/{event}/{target}"), content=offer,
                                     headers={"Content-Type": "application/sdp"})
        except httpx.TransportError:
            raise DomainError("media.worker_down", "the media worker is not answering: try again",
                              retry_after=1.0) from None
        finally:
            self.answering[i] -= 1
        if r.status_code != 201:
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            raise DomainError(body.get("code", "media.offer"), body.get("message", "this offer cannot be answered"))
        session_id = f"{PREFIX}{i}.{r.headers['X-Session']}"
        self.handed[session_id] = (i, event)
        return session_id, r.text

    def handed_out(self, event: str) -> int:
        """Viewers of `event` handed to workers and not closed since."""
        return sum(1 for _, ev in self.handed.values() if ev == event)

    async def close(self, event: str, session_id: str) -> bool:
        handed = self.handed.get(session_id)
        if handed is None or handed[1] != event:
            return False  # never handed out, closed already, or another event's
        del self.handed[session_id]
        own = session_id.partition(".")[2]
        try:
            r = await self.http.delete(self._url(handed[0], f"/sessions/{event}/{own}"))
        except httpx.TransportError:
            return False
        return r.status_code == 200

    async def watching(self) -> dict[str, int]:
        """Viewers per event, as the workers count them; the hub's own count
        (`handed_out`) is brought in line with theirs: a viewer that vanished without
        a DELETE is gone from a worker once its connection fails."""
        total: dict[str, int] = {}
        for i in range(self.count):
            try:
                listed = (await self.http.get(self._url(i, "/watching"))).json()
                open_here = {f"{PREFIX}{i}.{sid}" for sids in listed.values() for sid in sids}
                for event, sids in listed.items():
                    total[event] = total.get(event, 0) + len(sids)
            except (httpx.TransportError, ValueError, TypeError, AttributeError):
                continue
            if self.answering[i]:
                continue  # an offer being answered may not be listed yet: next time
            for session_id in [sid for sid, (worker, _) in self.handed.items()
                               if worker == i and sid not in open_here]:
                del self.handed[session_id]
        return total

    async def _reconcile_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.watching()

    async def stop(self) -> None:
        if self._reconciler is not None:
            self._reconciler.cancel()
            await asyncio.gather(self._reconciler, return_exceptions=True)
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                await asyncio.to_thread(proc.wait, 10)
            except subprocess.TimeoutExpired:
                proc.kill()
        await self.http.aclose()
