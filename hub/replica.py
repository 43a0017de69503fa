"""One event's state, kept equal to the log: startup = snapshot + replay of the
tail, then the same follow loop applies every new entry, whoever appended it.

Listeners (the live fan-out) hear about each applied entry, in order. A caller
that appended an entry waits here until it is applied, to learn its outcome.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from typing import Callable

import msgspec

from .domain.event import EventConfig
from .domain.state import Entry, EventState, Outcome, apply, dump_state, load_state
from .log import Log, LogUnavailable

log = logging.getLogger(__name__)
Listener = Callable[[Outcome], None]
_decode_entry = msgspec.json.Decoder(Entry).decode
RECENT_OUTCOMES = 4096


class EventReplica:
    def __init__(self, config: EventConfig, log_: Log, *, snapshot_every: int = 500) -> None:
        self.config = config
        self.log = log_
        self.snapshot_every = snapshot_every
        self.state = EventState()
        self.listeners: list[Listener] = []
        self._waiters: dict[int, asyncio.Future[Outcome]] = {}
        self._recent: collections.OrderedDict[int, Outcome] = collections.OrderedDict()
        self._follower: asyncio.Task[None] | None = None
        self._snapshotting: asyncio.Task[None] | None = None
        self._last_snapshot = 0
        self.ready = asyncio.Event()

    @property
    def event(self) -> str:
        return self.config.id

    async def start(self) -> None:
        snap = await self.log.load_snapshot(self.event)
        if snap is not None:
            restored = load_state(snap[1])
            if restored is not None and restored.seq == snap[0]:
                self.state, self._last_snapshot = restored, snap[0]
                log.info("%s: state restored from snapshot at seq %d", self.event, snap[0])
        # Replay the tail through the very path live entries take.
        while batch := await self.log.read(self.event, self.state.seq, limit=5000):
            self._apply_batch(batch, replay=True)
        self.ready.set()
        log.info("%s: state at seq %d", self.event, self.state.seq)
        self._follower = asyncio.create_task(self._follow(), name=f"follow-{self.event}")

    async def stop(self) -> None:
        for task in (self._follower, self._snapshotting):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.snapshot()

    async def _follow(self) -> None:
        while True:
            try:
                async for batch in self.log.follow(self.event, self.state.seq):
                    self._apply_batch(batch)
            except LogUnavailable as exc:  # follow() retries itself; this is a last resort
                log.warning("%s: log unavailable (%s); following again", self.event, exc)
                await asyncio.sleep(0.5)

    def _apply_batch(self, batch: list[tuple[int, bytes]], replay: bool = False) -> None:
        for seq, data in batch:
            if seq <= self.state.seq:
                continue  # already applied (a follow restarted from an older point)
            try:
                entry = _decode_entry(data)
            except msgspec.DecodeError:
                # Written by a newer or broken writer: skip it in every process alike.
                log.error("%s: entry %d cannot be decoded; skipped", self.event, seq)
                self.state.seq = seq
                outcome = Outcome(seq)
            else:
                outcome = apply(self.state, self.config, seq, entry)
            self._recent[seq] = outcome
            if len(self._recent) > RECENT_OUTCOMES:
                self._recent.popitem(last=False)
            if not replay:
                for listener in self.listeners:
                    listener(outcome)
            waiter = self._waiters.pop(seq, None)
            if waiter and not waiter.done():
                waiter.set_result(outcome)
        if self.state.seq - self._last_snapshot >= self.snapshot_every and not self._snapshotting:
            self._snapshotting = asyncio.create_task(self.snapshot())

    async def snapshot(self) -> None:
        """Save the state so a restart replays only what came after."""
        seq, blob = self.state.seq, dump_state(self.state)
        try:
            if seq > self._last_snapshot:
                await self.log.save_snapshot(self.event, seq, blob)
                self._last_snapshot = seq
        except LogUnavailable as exc:
            log.warning("%s: snapshot at %d not saved (%s)", self.event, seq, exc)
        finally:
            self._snapshotting = None

    async def applied(self, seq: int, timeout: float = 30.0) -> Outcome:
        """The outcome of entry `seq`, once this replica has applied it."""
        if seq in self._recent:
            return self._recent[seq]
        if seq <= self.state.seq:
            return Outcome(seq)  # applied long ago: its details are gone, it did apply
        future = self._waiters.get(seq)
        if future is None:
            future = self._waiters[seq] = asyncio.get_running_loop().create_future()
        return await asyncio.wait_for(asyncio.shield(future), timeout)
