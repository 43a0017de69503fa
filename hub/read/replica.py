"""One event's state, kept equal to the log: startup = snapshot + replay of the
tail, then the same follow loop applies every new entry, whoever appended it.

Listeners (the live fan-out) hear about each applied entry, in order. A caller
that appended an entry waits here until it is applied, to learn its outcome.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable

import msgspec

from ..domain.event import EventConfig
from ..domain.state import Entry, EventState, Outcome, apply, dump_state, load_state
from ..log import START, Log, LogDiverged, LogUnavailable, Position, digest_of

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
        # Hear about entries replayed at startup too (the fan-out's resume ring):
        # a restart must be able to tell a reconnecting client what it missed.
        self.replay_listeners: list[Listener] = []
        self.position: Position = START  # the last applied entry, as appends expect it
        self.diverged: str | None = None  # why the log no longer matches this state
        self.replayed_from = 0  # the seq startup replay began after (the snapshot's)
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
        self.replayed_from = self.state.seq
        # Replay the tail through the very path live entries take.
        while batch := await self.log.read(self.event, self.state.seq, limit=5000):
            self._apply_batch(batch, replay=True)
        if self.state.seq and self.position.seq != self.state.seq:
            # Restored from a snapshot with nothing after it: learn that entry's digest.
            held = await self.log.read(self.event, self.state.seq - 1, limit=1)
            if held and held[0][0] == self.state.seq:
                self.position = Position(self.state.seq, digest_of(held[0][1]))
            else:
                self.mark_diverged(f"the snapshot is at {self.state.seq} but the log does not hold that entry")
        self.ready.set()
        log.info("%s: state at seq %d", self.event, self.state.seq)
        self._follower = asyncio.create_task(self._follow(), name=f"follow-{self.event}")

    @property
    def shared(self) -> bool:
        """Other processes write this log too (Redis)."""
        return self.log.shared

    async def stop(self) -> None:
        for task in (self._follower, self._snapshotting):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.snapshot()

    async def _follow(self) -> None:
        while not self.diverged:
            try:
                async for batch in self.log.follow(self.event, self.state.seq, digest=self.position.digest):
                    self._apply_batch(batch)
            except LogDiverged as exc:
                self.mark_diverged(str(exc))
            except LogUnavailable as exc:  # follow() retries itself; this is a last resort
                log.warning("%s: log unavailable (%s); following again", self.event, exc)
                await asyncio.sleep(0.5)

    def mark_diverged(self, why: str) -> None:
        """The log no longer holds what this replica applied: stop writing and applying
        (every command gets log.unavailable) until an operator restarts the hub."""
        if self.diverged is None:
            log.error("%s: the log moved backwards or was replaced (%s); refusing every command. "
                      "See docs/deployment.md, 'A log that moved backwards'.", self.event, why)
        self.diverged = why
        # Commands written but not applied yet will never be applied here: answer them now.
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(LogDiverged(why))
        self._waiters.clear()

    def _apply_batch(self, batch: list[tuple[int, bytes]], replay: bool = False) -> None:
        if self.diverged:
            return
        for seq, data in batch:
            if seq <= self.state.seq:
                continue  # already applied (a follow restarted from an older point)
            if seq != self.state.seq + 1:
                self.mark_diverged(f"entry {seq} follows {self.state.seq}")
                return
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
            for listener in self.replay_listeners if replay else self.listeners:
                listener(outcome)
            waiter = self._waiters.pop(seq, None)
            if waiter and not waiter.done():
                waiter.set_result(outcome)
        last_seq, last_data = batch[-1]
        if last_seq == self.state.seq:
            self.position = Position(last_seq, digest_of(last_data))
        if self.state.seq - self._last_snapshot >= self.snapshot_every and not self._snapshotting:
            self._snapshotting = asyncio.create_task(self.snapshot())

    @property
    def last_snapshot(self) -> int:
        """The seq of the newest snapshot this replica saved or started from."""
        return self._last_snapshot

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
        if self.diverged:
            raise LogDiverged(self.diverged)
        future = self._waiters.get(seq)
        if future is None:
            future = self._waiters[seq] = asyncio.get_running_loop().create_future()
        return await asyncio.wait_for(asyncio.shield(future), timeout)
