"""The Log protocol every backend implements, and its one error."""
from __future__ import annotations

from typing import AsyncIterator, Protocol

Record = tuple[int, bytes]  # (sequence number, encoded entry)


class LogUnavailable(Exception):
    """The backend cannot be reached right now; the caller may try again."""


class Log(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(self, event: str, data: bytes) -> int:
        """Append one entry and return its sequence number (1, 2, 3… per event,
        no gap). Returns only once the entry is durable."""

    async def read(self, event: str, after: int, limit: int = 1000) -> list[Record]:
        """Entries with seq > after, in order, at most `limit`."""

    async def head(self, event: str) -> int:
        """The last sequence number of the event (0 when empty)."""

    def follow(self, event: str, after: int) -> AsyncIterator[list[Record]]:
        """Every entry after `after`, in order, in batches, waiting for new ones.
        Survives backend outages (it retries) and never skips an entry."""

    async def save_snapshot(self, event: str, seq: int, blob: bytes) -> None:
        """Keep a state snapshot taken at `seq`, unless a newer one is kept."""

    async def load_snapshot(self, event: str) -> Record | None:
        """The newest snapshot as (seq, blob), if any."""
