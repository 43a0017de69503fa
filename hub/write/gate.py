"""Which commands of one event may be checked and appended at the same time.

`check` runs against the state before the entry is appended, and `apply` decides
again once it is read back. Two commands that can conflict must not both pass
`check` before either is applied, or the loser is written to the log and refused
("an error means nothing was written" would not hold). So, in one process:

- the commands of one participant run one after the other (the same upvote, or
  the same command id, sent on two connections at once);
- staff commands (moderators, coordinators) run alone: they change what
  participants' commands are checked against (a poll closes, a question is
  dismissed), and they are few;
- everything else runs concurrently, so a vote storm still shares group commits.

Across hub processes `apply` remains the judge: see docs/protocol.md.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from ..domain.actors import Actor, Role

EXCLUSIVE_ROLES = frozenset({Role.MODERATOR, Role.COORDINATOR})


class CommandGate:
    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._shared = 0          # participant commands between check and apply
        self._exclusive = False   # a staff command between check and apply
        self._staff_waiting = 0   # staff first: a storm must not starve the control room
        self._per_pid: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, actor: Actor) -> AsyncIterator[None]:
        if actor.role in EXCLUSIVE_ROLES:
            async with self._alone():
                yield
        else:
            async with self._one_per_pid(actor.pid), self._alongside_others():
                yield

    @contextlib.asynccontextmanager
    async def _alone(self) -> AsyncIterator[None]:
        async with self._changed:
            self._staff_waiting += 1
            try:
                await self._changed.wait_for(lambda: not self._exclusive and self._shared == 0)
            except BaseException:
                self._staff_waiting -= 1
                self._changed.notify_all()  # participants held back for it may go on
                raise
            self._staff_waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            async with self._changed:
                self._exclusive = False
                self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def _alongside_others(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._exclusive and self._staff_waiting == 0)
            self._shared += 1
        try:
            yield
        finally:
            async with self._changed:
                self._shared -= 1
                if self._shared == 0:
                    self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def _one_per_pid(self, pid: str) -> AsyncIterator[None]:
        lock, users = self._per_pid.get(pid, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._per_pid[pid] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._per_pid[pid]
            if users == 1:
                del self._per_pid[pid]  # nobody else waits: forget it
            else:
                self._per_pid[pid] = (lock, users - 1)
