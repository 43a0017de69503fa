"""The embedded default: one SQLite file, WAL, fsync on commit, group commit.

Appends are queued; one writer task commits everything queued in a single
transaction (in a worker thread), then resolves the waiting futures. Under a
vote storm many ballots share one fsync. Followers are fed from memory after
each commit and read from the file only to catch up. One process owns the file;
several processes share a log through Redis instead.
"""
from __future__ import annotations

import asyncio
import collections
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import LogDiverged, Position, Record, digest_of

T = TypeVar("T")
RECENT_IN_MEMORY = 4096
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (event TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
                                    PRIMARY KEY (event, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (event TEXT PRIMARY KEY, seq INTEGER NOT NULL, blob BLOB NOT NULL);
"""


class _Tail:
    """Per event: the newest committed records, and a future that every follower
    waiting for more awaits (replaced at each commit, so no follower misses one)."""

    def __init__(self) -> None:
        self.recent: collections.deque[Record] = collections.deque(maxlen=RECENT_IN_MEMORY)
        self.next_commit: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def committed(self, record: Record) -> None:
        self.recent.append(record)
        if not self.next_commit.done():
            self.next_commit.set_result(None)

    def rearm(self) -> asyncio.Future[None]:
        if self.next_commit.done():
            self.next_commit = asyncio.get_running_loop().create_future()
        return self.next_commit


class SqliteLog:
    shared = False
    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-log")
        self._queue: list[tuple[str, bytes, Position | None, asyncio.Future[int]]] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._tails: dict[str, _Tail] = {}

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # an ack means the entry survived a crash
        db.executescript(SCHEMA)
        self._db = db

    async def open(self) -> None:
        await self._run(self._connect)
        self._writer = asyncio.create_task(self._write_loop(), name="sqlite-log-writer")

    async def close(self) -> None:
        if self._writer:
            while self._queue:
                await asyncio.sleep(0.001)
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None
        self._pool.shutdown(wait=True)

    def _tail(self, event: str) -> _Tail:
        tail = self._tails.get(event)
        if tail is None:
            tail = self._tails[event] = _Tail()
        return tail

    async def append(self, event: str, data: bytes, expect: Position | None = None) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append((event, data, expect, future))
        self._wakeup.set()
        return await future

    def _holds(self, event: str, at: Position) -> bool:
        assert self._db is not None
        if at.seq == 0:
            return True
        row = self._db.execute("SELECT data FROM entries WHERE event = ? AND seq = ?", (event, at.seq)).fetchone()
        return row is not None and digest_of(bytes(row[0])) == at.digest

    def _commit(self, batch: list[tuple[str, bytes, Position | None]]) -> list[int | LogDiverged]:
        """One transaction for the batch; an entry whose expectation fails is not
        written, and only its own caller hears of it."""
        assert self._db is not None
        db, heads = self._db, {}
        seqs: list[int | LogDiverged] = []
        held: dict[tuple[str, Position], bool] = {}
        db.execute("BEGIN IMMEDIATE")
        try:
            for event, data, expect in batch:
                if expect is not None:
                    if (event, expect) not in held:
                        held[event, expect] = self._holds(event, expect)
                    if not held[event, expect]:
                        seqs.append(LogDiverged(f"the log of {event} no longer holds entry {expect.seq} as applied"))
                        continue
                if event not in heads:
                    heads[event] = db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries WHERE event = ?",
                                              (event,)).fetchone()[0]
                heads[event] += 1
                db.execute("INSERT INTO entries (event, seq, data) VALUES (?, ?, ?)", (event, heads[event], data))
                seqs.append(heads[event])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return seqs

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._queue = self._queue, []
            if not batch:
                continue
            try:
                seqs = await self._run(self._commit, [(e, d, x) for e, d, x, _ in batch])
            except Exception as exc:  # disk full, I/O error: every waiter learns it
                for *_, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for (event, data, _, fut), seq in zip(batch, seqs):
                if isinstance(seq, LogDiverged):
                    if not fut.done():
                        fut.set_exception(seq)
                    continue
                self._tail(event).committed((seq, data))
                if not fut.done():
                    fut.set_result(seq)

    def _select(self, event: str, after: int, limit: int) -> list[Record]:
        assert self._db is not None
        rows = self._db.execute("SELECT seq, data FROM entries WHERE event = ? AND seq > ? ORDER BY seq LIMIT ?",
                                (event, after, limit)).fetchall()
        return [(int(s), bytes(d)) for s, d in rows]

    async def read(self, event: str, after: int, limit: int = 1000) -> list[Record]:
        tail = self._tail(event)
        if tail.recent and tail.recent[0][0] <= after + 1:
            return [r for r in tail.recent if r[0] > after][:limit]
        return await self._run(self._select, event, after, limit)

    async def head(self, event: str) -> int:
        tail = self._tail(event)
        if tail.recent:
            return tail.recent[-1][0]
        rows = await self._run(lambda: self._db.execute(  # type: ignore[union-attr]
            "SELECT COALESCE(MAX(seq), 0) FROM entries WHERE event = ?", (event,)).fetchone())
        return int(rows[0])

    async def follow(self, event: str, after: int, *, digest: str | None = None) -> AsyncIterator[list[Record]]:
        # One process owns the file: nobody can replace the log under this reader.
        tail = self._tail(event)
        while True:
            waiter = tail.rearm()
            batch = await self.read(event, after)
            if batch:
                after = batch[-1][0]
                yield batch
                continue
            await waiter

    async def save_snapshot(self, event: str, seq: int, blob: bytes) -> None:
        def save() -> None:
            assert self._db is not None
            self._db.execute(
                "INSERT INTO snapshots (event, seq, blob) VALUES (?, ?, ?) "
                "ON CONFLICT (event) DO UPDATE SET seq = excluded.seq, blob = excluded.blob "
                "WHERE excluded.seq > snapshots.seq", (event, seq, blob))
        await self._run(save)

    async def rewrite(self, event: str, transform: Callable[[int, bytes], bytes]) -> int:
        def work() -> int:
            assert self._db is not None
            rows = self._db.execute("SELECT seq, data FROM entries WHERE event = ? ORDER BY seq", (event,)).fetchall()
            changed = []
            for seq, data in rows:
                new = transform(int(seq), bytes(data))
                if new != bytes(data):
                    changed.append((new, event, int(seq)))
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("UPDATE entries SET data = ? WHERE event = ? AND seq = ?", changed)
                self._db.execute("DELETE FROM snapshots WHERE event = ?", (event,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return len(changed)
        count = await self._run(work)
        self._tails.pop(event, None)  # the in-memory tail held the old bytes
        return count

    async def load_snapshot(self, event: str) -> Record | None:
        def load() -> Record | None:
            assert self._db is not None
            row = self._db.execute("SELECT seq, blob FROM snapshots WHERE event = ?", (event,)).fetchone()
            return (int(row[0]), bytes(row[1])) if row else None
        return await self._run(load)
