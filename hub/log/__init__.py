"""The ordered log: the truth of every event. Backends are chosen by URL."""
from __future__ import annotations

from .base import START, Log, LogDiverged, LogUnavailable, Position, Record, digest_of


def open_log(url: str) -> Log:
    """`sqlite:///abs/path.db`, `sqlite:relative/path.db` or `redis://host:port/db`.

    Drivers are imported here, lazily, so the embedded default needs no Redis client.
    """
    if url.startswith("sqlite:"):
        from .sqlite import SqliteLog
        return SqliteLog(url.removeprefix("sqlite://") if url.startswith("sqlite://") else url[len("sqlite:"):])
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisLog
        return RedisLog(url)
    raise ValueError(f"unsupported log URL {url!r}: use sqlite:PATH or redis://HOST:PORT/DB")


__all__ = ["START", "Log", "LogDiverged", "LogUnavailable", "Position", "Record", "digest_of", "open_log"]
