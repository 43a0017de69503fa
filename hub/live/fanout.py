"""Fan-out for one event: render once per audience, write the same bytes to all.

Applied entries mark keys dirty. A flush renders the dirty keys once per
audience ("public", "mod", "site:<id>") into one update frame covering the seq
range (from, seq], and writes those exact bytes to every client of that
audience: one write per client per flush, whatever the number of changes.
Changes carry current values (not deltas), so coalescing loses nothing.

Clients in step (they hold exactly what was last flushed, and their transport
takes writes) are kept per audience with their transport's own `write`: a flush
is then one C call per client, no Python per client. The others (just joined,
paused, resuming) are handled one by one and rejoin the in-step set once caught up.

When flushes happen is hub/live/pacing.py: measured from the end of the previous
flush, so fan-out never takes the whole loop and commands keep being applied.
Hot keys (votes, upvotes, reactions, presence) alone wait for the tally tick, a
few times a second; any flush carries them. A client whose outbox is full (its
transport paused writing) is skipped and later caught up from the ring of recent
entries, or sent a fresh snapshot; it never holds anybody else up. See docs/protocol.md.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable
from typing import Protocol

from ..domain import views
from ..domain.context import Key
from ..domain.state import Outcome
from ..port import ReplicaView
from ..settings import Settings
from . import frames
from .codes import CloseCode
from .pacing import FlushPacer
from .protocol import text_frame

log = logging.getLogger(__name__)


class Client(Protocol):
    """What the channel needs of a connected session."""

    audience: str
    origin: str
    counted: bool  # counts in presence (people: not screens, not the control room)
    pid: str
    seq: int
    paused: bool
    behind_since: float | None

    def write(self, frame: bytes) -> None: ...

    def writer(self) -> Callable[[bytes], None] | None:
        """The transport's own write while data frames may be sent, else None."""

    def close(self, code: CloseCode, reason: str) -> None: ...

    def keepalive(self, now: float) -> None: ...


class Channel:
    def __init__(self, replica: ReplicaView, settings: Settings,
                 on_flush: Callable[[float], None] = lambda seconds: None) -> None:
        self.replica = replica
        self.on_flush = on_flush  # how long each flush took (the metrics)
        self.settings = settings
        self.groups: dict[str, set[Client]] = collections.defaultdict(set)  # every attached client
        # the part of each group in step: seq == flushed_seq, not paused -> its transport's write
        self._live: dict[str, dict[Client, Callable[[bytes], None]]] = collections.defaultdict(dict)
        self._behind: dict[str, set[Client]] = collections.defaultdict(set)  # the rest of each group
        self.by_pid: dict[str, set[Client]] = {}  # where to send what is one participant's own
        self.by_origin: collections.Counter[str] = collections.Counter()
        self.flushed_seq = 0
        self._pending_now: dict[Key, None] = {}
        self._pending_hot: set[Key] = set()
        self._ring: collections.deque[tuple[int, tuple[Key, ...]]] = collections.deque()
        self._ring_floor = 0  # every entry after this seq is in the ring
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        base = max(0, settings.flush_interval_ms) / 1000
        self.pacer = FlushPacer(base, max(base, settings.flush_interval_max_ms / 1000))
        self._next_tally = 0.0
        self._catchup_cache: dict[tuple[str, int], bytes] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.stats = collections.Counter[str]()

    # -- lifecycle ---------------------------------------------------------------
    def start(self, floor: int) -> None:
        """Called once the replica caught up; `floor` is where its replay began: the
        ring holds every replayed entry, so a client that resumes after a restart
        gets what it missed, not an empty update."""
        self._ring_floor = min(floor, self.replica.state.seq)
        while self._ring and self._ring[0][0] <= self._ring_floor:
            self._ring.popleft()
        self.flushed_seq = self.replica.state.seq
        self._pending_now.clear()
        self._pending_hot.clear()
        self._sweeper = asyncio.create_task(self._sweep_loop(), name=f"sweep-{self.replica.event}")

    async def stop(self) -> None:
        if self._timer:
            self._timer.cancel()
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

    @property
    def connected(self) -> int:
        return sum(len(g) for g in self.groups.values())

    # -- joining -------------------------------------------------------------------
    def attach(self, client: Client, resume: int | None) -> None:
        """Bring the client up to date (catch-up or snapshot), then deliver it every frame."""
        ahead = resume is not None and resume > self.replica.state.seq
        if ahead and self.replica.shared:
            assert resume is not None
            client.seq = resume  # it saw more on another process: frames it has are skipped
            client.write(self._resumed_frame(resume))
        elif ahead:
            # Nobody else writes this log: the client holds a history the log no
            # longer has (restored from a backup). Start it again from the truth.
            self._send_snapshot(client, resync=True)
        elif resume is not None and resume >= self._ring_floor:
            client.seq = resume
            self._catch_up(client)
        else:
            self._send_snapshot(client, resync=False)
        self.groups[client.audience].add(client)
        self._settle(client)
        self.by_pid.setdefault(client.pid, set()).add(client)
        if client.counted:
            self.by_origin[client.origin] += 1

    def detach(self, client: Client) -> None:
        group = self.groups.get(client.audience)
        if group is not None and client in group:
            group.discard(client)
            self._live[client.audience].pop(client, None)
            self._behind[client.audience].discard(client)
            mine = self.by_pid.get(client.pid)
            if mine is not None:
                mine.discard(client)
                if not mine:
                    del self.by_pid[client.pid]
            if client.counted:
                self.by_origin[client.origin] -= 1

    def _resumed_frame(self, seq: int) -> bytes:
        return text_frame(frames.encode(frames.Update(first=seq + 1, seq=seq, changes=[])))

    def _send_snapshot(self, client: Client, *, resync: bool) -> None:
        state, config = self.replica.state, self.replica.config
        # Stamped with the state's own seq: the state may already hold entries not
        # flushed yet, and a snapshot claims exactly what it contains.
        seq = self.replica.state.seq
        if resync:
            self.stats["resyncs"] += 1
        client.write(text_frame(frames.encode(frames.Snapshot(
            seq=seq, state=views.snapshot(state, config, client.audience), me=views.mine(state, client.pid),
            resync=resync))))
        client.seq = seq

    def _catch_up(self, client: Client) -> None:
        """Send what the client missed since client.seq, or a snapshot when that is too old."""
        if client.seq >= self.flushed_seq:
            client.write(self._resumed_frame(client.seq))
            return
        if client.seq < self._ring_floor:
            self._send_snapshot(client, resync=True)
            return
        key = (client.audience, client.seq)
        frame = self._catchup_cache.get(key)
        if frame is None:
            keys = {k: None for seq, ks in self._ring if seq > client.seq for k in ks}
            frame = self._render(list(keys), client.audience, client.seq + 1, self.flushed_seq)
            self._catchup_cache[key] = frame  # a reconnect storm shares one rendering
        client.write(frame)
        client.seq = self.flushed_seq
        self.stats["catchups"] += 1
        # what is theirs may have changed while they were away: all of it, once
        client.write(text_frame(frames.encode(frames.Me(seq=self.flushed_seq,
                                                        me=views.mine(self.replica.state, client.pid)))))

    # -- in step or behind ------------------------------------------------------------
    def _settle(self, client: Client) -> None:
        """Put an attached client where it belongs: in step (written to by the fast
        path) when it holds exactly what was flushed and takes writes, else behind."""
        live, behind = self._live[client.audience], self._behind[client.audience]
        write = client.writer() if not client.paused and client.seq == self.flushed_seq else None
        if write is not None:
            behind.discard(client)
            live[client] = write
        else:
            live.pop(client, None)
            behind.add(client)

    def _step_out(self, client: Client) -> None:
        """Out of the fast path; its seq, implicit while in step, is written down."""
        if self._live[client.audience].pop(client, None) is not None:
            client.seq = self.flushed_seq
            self._behind[client.audience].add(client)

    def _drop_writer(self, audience: str, write: Callable[[bytes], None]) -> None:
        for client, w in list(self._live[audience].items()):
            if w is write:
                self._step_out(client)

    def fell_behind(self, client: Client) -> None:
        """Its transport stopped taking writes (its outbox is full). Only its own write
        pauses a transport, so during a flush it has already been sent this frame."""
        if client in self.groups.get(client.audience, ()):
            self._step_out(client)

    def writable_again(self, client: Client) -> None:
        """The client's outbox drained: bring it up to date in one frame."""
        if client in self.groups.get(client.audience, ()):
            self._step_out(client)
            if client.seq < self.flushed_seq:
                self._catch_up(client)
            self._settle(client)

    def rewind(self, client: Client, seq: int) -> None:
        """The client says it holds only `seq` (it saw a gap): send it what follows."""
        if client in self.groups.get(client.audience, ()):
            self._step_out(client)
            client.seq = min(seq, client.seq)
            self.writable_again(client)

    # -- changes -------------------------------------------------------------------
    def remember(self, outcome: Outcome) -> None:
        """Keep which keys each entry changed, for clients that resume later."""
        fx = outcome.effects
        keys = (*fx.now, *fx.hot) if fx is not None else ()
        if keys:
            self._ring.append((outcome.seq, keys))
            while len(self._ring) > 1 and outcome.seq - self._ring[0][0] >= self.settings.resume_window:
                self._ring_floor = self._ring.popleft()[0]

    def on_applied(self, outcome: Outcome) -> None:
        self.remember(outcome)
        fx = outcome.effects
        if fx is None:
            return
        self._send_mine(outcome.seq, outcome.pid, [*fx.now, *fx.hot])
        for k in fx.now:
            self._pending_now[k] = None
        self._pending_hot.update(fx.hot)
        self._schedule()

    def _send_mine(self, seq: int, pid: str, keys: list[Key]) -> None:
        """What an entry changed of somebody's own (their ballot, their question now
        published), to their connections here, at once: small, and per person, so
        outside the frames rendered once per audience."""
        for who, changes in views.mine_changes(self.replica.state, pid, keys).items():
            clients = self.by_pid.get(who)
            if clients:
                frame = text_frame(frames.encode(frames.Me(seq=seq, changes=[tuple(c) for c in changes])))
                for client in clients:
                    client.write(frame)

    def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._pending_now:
            due = now
        elif self._pending_hot:
            due = max(now, self._next_tally)
        else:
            return
        at = self.pacer.earliest(due)  # hub/live/pacing.py: from the end of the last flush
        if self._timer is not None:
            if self._timer_at <= at:
                return
            self._timer.cancel()
        self._timer, self._timer_at = loop.call_at(at, self.flush), at

    def _render(self, keys: list[Key], audience: str, first: int, last: int) -> bytes:
        state, config = self.replica.state, self.replica.config
        changes = [(kind, ident, views.render(state, config, (kind, ident), audience)) for kind, ident in keys]
        return text_frame(frames.encode(frames.Update(first=first, seq=last, changes=changes,
                                                      sent_at=int(time.time() * 1000))))

    def flush(self) -> None:
        """Send everything pending. Hot keys ride along with every flush (their tick
        only decides when a flush happens for them alone), so once a frame up to seq
        S is written, every change up to S is in it: a client's seq is what it was
        sent, and a resume from it misses nothing."""
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        keys = list(self._pending_now)
        self._pending_now.clear()
        if self._pending_hot:
            keys += [k for k in self._pending_hot if k not in keys]
            self._pending_hot.clear()
            self._next_tally = now + self.settings.tally_interval_ms / 1000
        if not keys:
            self._schedule()
            return
        first, last = self.flushed_seq + 1, self.replica.state.seq
        self.flushed_seq = last
        self.stats["flushes"] += 1
        self.stats["entries_flushed"] += last - first + 1  # entries per flush: what coalescing shares
        self._catchup_cache.clear()
        for audience, members in self.groups.items():
            if not members:
                continue
            frame = self._render(keys, audience, first, last)
            self.stats["frames"] += 1
            live = self._live[audience]
            # The hot path: one C call per client. A list, because a write may pause
            # its own transport, and `fell_behind` then takes it out of `live`.
            # values(), not items(): a tuple per client per flush would feed the
            # cyclic GC enough to trigger full collections mid-event (pauses of tens of ms).
            writes = list(live.values())
            for write in writes:
                try:
                    write(frame)
                except RuntimeError:  # uvloop: its transport closed under us (connection_lost follows)
                    self._drop_writer(audience, write)
                    self.stats["deliveries"] -= 1
            self.stats["deliveries"] += len(writes)
            for client in list(self._behind[audience]):
                self._deliver(client, frame, first, last)
        self.pacer.flushed(now, loop.time())
        self.on_flush(self.pacer.last_took)
        self._schedule()

    def _deliver(self, client: Client, frame: bytes, first: int, last: int) -> None:
        """One client not in step: skipped while paused, else brought up to date."""
        if client.paused:
            if client.behind_since is None:
                client.behind_since = time.monotonic()
            self.stats["skipped"] += 1
            return
        if client.seq == first - 1:
            client.write(frame)
            client.seq = last
            self.stats["deliveries"] += 1
        elif client.seq < last:
            self._catch_up(client)  # it joined mid-range or fell behind: its own frame
        self._settle(client)

    # -- housekeeping -----------------------------------------------------------------
    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for group in list(self.groups.values()):
                for client in list(group):
                    if client.paused and client.behind_since is not None and \
                            now - client.behind_since > self.settings.slow_client_grace_s:
                        self.stats["dropped_slow"] += 1
                        client.close(CloseCode.TOO_SLOW, "too far behind: reconnect and resume")
                    else:
                        client.keepalive(now)
