"""The Log protocol every backend implements, and its one error."""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple, Protocol

Record = tuple[int, bytes]  # (sequence number, encoded entry)


class Position(NamedTuple):
    """Where a reader of the log stands: the last entry it applied, and a digest of
    that entry's bytes. seq 0 (an empty log) has the digest ""."""

    seq: int
    digest: str


START = Position(0, "")


def digest_of(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class LogUnavailable(Exception):
    """The backend cannot be reached right now; the caller may try again."""


class LogDiverged(LogUnavailable):
    """The log no longer holds what the caller applied: it was emptied, restored from
    an older backup, or replaced. Nothing was appended; an operator must act
    (docs/deployment.md, "A log that moved backwards")."""


class Log(Protocol):
    # Whether other processes write this log too: then a client may have seen
    # entries this process has not read yet.
    shared: bool

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(self, event: str, data: bytes, expect: Position | None = None) -> int:
        """Append one entry and return its sequence number (1, 2, 3… per event,
        no gap). Returns only once the entry is durable. With `expect`, append only
        if the log still holds that entry at that seq (checked in the same atomic
        step), else raise LogDiverged."""

    async def read(self, event: str, after: int, limit: int = 1000) -> list[Record]:
        """Entries with seq > after, in order, at most `limit`."""

    async def head(self, event: str) -> int:
        """The last sequence number of the event (0 when empty)."""

    def follow(self, event: str, after: int, *, digest: str | None = None) -> AsyncIterator[list[Record]]:
        """Every entry after `after`, in order, in batches, waiting for new ones.
        Survives backend outages (it retries) and never skips an entry. With
        `digest` (of entry `after`), a backend that several processes write checks
        that what follows was appended after that very entry, and raises
        LogDiverged when the log was replaced under the reader."""

    async def save_snapshot(self, event: str, seq: int, blob: bytes) -> None:
        """Keep a state snapshot taken at `seq`, unless a newer one is kept."""

    async def rewrite(self, event: str, transform: Callable[[int, bytes], bytes]) -> int:
        """Replace each entry's bytes by transform(seq, data), keeping every seq, and
        drop the event's snapshot (it holds what was replaced). For erasing personal
        data (hub/jobs/purge.py), with no hub writing to the event meanwhile. Returns how
        many entries changed."""

    async def load_snapshot(self, event: str) -> Record | None:
        """The newest snapshot as (seq, blob), if any."""
