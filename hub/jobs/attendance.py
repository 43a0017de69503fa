"""Writes who came and who watched into the log, in batches.

A hello or a video session must not wait for the log, and a join storm must not
write one entry per person: arrivals and video sessions are queued here and
written together (one entry each kind) at most every HUB_ATTENDANCE_INTERVAL_MS. What the
log refuses (Redis down) stays queued and is written later. Each process
remembers whom it already wrote, so reconnects cost nothing; the domain counts
a person once whatever the number of processes or restarts.
"""
from __future__ import annotations

import asyncio
import logging

from ..domain import commands as c
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..write.service import EventService

log = logging.getLogger(__name__)
COUNTED_ROLES = frozenset({Role.VIEWER, Role.PARTICIPANT})  # the audience: not staff, not screens


class AttendanceRecorder:
    def __init__(self, service: EventService, node: str, interval: float) -> None:
        self.service = service
        self.interval = interval  # 0: attendance is not recorded at all
        self.system = Actor(role=Role.SYSTEM, pid=f"node:{node}")
        self._written: set[tuple[str, str, str]] = set()
        self._arrivals: dict[tuple[str, str, str], c.Arrival] = {}
        self._watchers: list[tuple[str, str, bool]] = []  # (watcher, way, continued)
        self._pending = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def arrived(self, actor: Actor) -> None:
        category = actor.category
        # A category said after joining is written too (the domain counts the person once).
        key = (actor.origin, actor.pid, category or "")
        if not self.interval or actor.role not in COUNTED_ROLES or key in self._written or key in self._arrivals:
            return
        self._arrivals[key] = c.Arrival(person=actor.pid, origin=actor.origin, category=category)
        self._pending.set()

    def watched(self, watcher: str, way: str = "webrtc", continued: bool = False) -> None:
        if not self.interval:
            return
        self._watchers.append((watcher, way, continued))
        self._pending.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="attendance")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()  # a clean stop writes what is queued

    async def _run(self) -> None:
        while True:
            await self._pending.wait()
            await asyncio.sleep(self.interval)  # let a burst of joins share one entry
            self._pending.clear()
            if not await self.flush():
                self._pending.set()  # the log refused: try again after the interval

    async def flush(self) -> bool:
        """Write what is queued; False when the log refused (it stays queued)."""
        ok = True
        if self._arrivals:
            batch = dict(self._arrivals)
            try:
                await self.service.submit(self.system, c.Attended(arrivals=list(batch.values())))
            except DomainError as exc:
                log.warning("%s: arrivals not recorded yet (%s)", self.service.replica.event, exc.code)
                ok = False
            else:
                for key in batch:
                    self._arrivals.pop(key, None)
                self._written |= batch.keys()
        if self._watchers:
            batch_w, self._watchers = self._watchers, []
            try:
                await self.service.submit(self.system, c.Watched(
                    watchers=[w for w, _, _ in batch_w], ways=[way for _, way, _ in batch_w],
                    continued=sum(1 for *_, again in batch_w if again)))
            except DomainError as exc:
                log.warning("%s: video sessions not recorded yet (%s)", self.service.replica.event, exc.code)
                self._watchers = batch_w + self._watchers
                ok = False
        return ok
