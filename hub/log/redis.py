"""The shared log on Redis Streams: one stream per event, entry ids `<seq>-0`.

A Lua script assigns the next sequence number and appends in one atomic step,
so processes appending at once still get 1, 2, 3… with no gap. Durability is
Redis's: run it with `appendonly yes` and `appendfsync always` for "an ack is
on disk" (docker-compose.yml does). Connection errors become LogUnavailable;
`follow` retries by itself and resumes from the last seq it yielded.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import cast

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .base import START, LogDiverged, LogUnavailable, Position, Record, digest_of

log = logging.getLogger(__name__)
TRANSIENT = (RedisConnectionError, RedisTimeoutError, OSError)

# ARGV: data, then the caller's position (seq, sha1 of that entry's bytes); seq 0
# skips the check. The check and the append are one atomic step. Each entry also
# keeps the digest of the one before it (field p): followers check the chain.
APPEND = """
local at = tonumber(ARGV[2])
if at > 0 then
  local held = redis.call('XRANGE', KEYS[1], at .. '-0', at .. '-0')
  if #held == 0 or redis.sha1hex(held[1][2][2]) ~= ARGV[3] then
    return redis.error_reply('DIVERGED the log no longer holds entry ' .. at .. ' as applied')
  end
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local seq, prev = 1, ''
if #last > 0 then
  seq = tonumber(string.match(last[1][1], '^(%d+)')) + 1
  prev = redis.sha1hex(last[1][2][2])
end
redis.call('XADD', KEYS[1], seq .. '-0', 'd', ARGV[1], 'p', prev)
return seq
"""
SAVE_SNAPSHOT = """
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'blob', ARGV[2]) return 1 end
return 0
"""


# What redis-py returns for stream reads (without decode_responses), typed once here.
StreamRows = list[tuple[bytes, dict[bytes, bytes]]]


def _seq(stream_id: bytes) -> int:
    return int(stream_id.split(b"-", 1)[0])


def _records(rows: StreamRows) -> list[Record]:
    return [(_seq(stream_id), fields[b"d"]) for stream_id, fields in rows]


class RedisLog:
    shared = True
    def __init__(self, url: str, *, prefix: str = "mx") -> None:
        self.url = url
        self.prefix = prefix
        self._client: aioredis.Redis | None = None
        self._append: AsyncScript | None = None
        self._save: AsyncScript | None = None

    def _key(self, event: str, what: str) -> str:
        return f"{self.prefix}:{{{event}}}:{what}"  # hash tag: one event's keys on one shard

    @property
    def client(self) -> aioredis.Redis:
        assert self._client is not None, "log not opened"
        return self._client

    async def open(self) -> None:
        # A bounded pool that makes callers wait for a connection rather than fail
        # when a vote storm sends hundreds of appends at once.
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url, max_connections=32, timeout=5, socket_connect_timeout=2, socket_timeout=10,
            health_check_interval=5)
        self._client = aioredis.Redis(connection_pool=pool)
        self._append = self._client.register_script(APPEND)
        self._save = self._client.register_script(SAVE_SNAPSHOT)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def append(self, event: str, data: bytes, expect: Position | None = None) -> int:
        assert self._append is not None
        at = expect or START
        try:
            return int(await self._append(keys=[self._key(event, "log")], args=[data, at.seq, at.digest]))
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc
        except ResponseError as exc:
            if "DIVERGED" in str(exc):
                raise LogDiverged(f"{event}: {exc}") from None
            raise

    async def read(self, event: str, after: int, limit: int = 1000) -> list[Record]:
        try:
            rows = cast(StreamRows, await self.client.xrange(self._key(event, "log"), min=f"{after + 1}-0", max="+",
                                                             count=limit))
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc
        return _records(rows)

    async def head(self, event: str) -> int:
        try:
            rows = cast(StreamRows, await self.client.xrevrange(self._key(event, "log"), max="+", min="-", count=1))
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc
        return _seq(rows[0][0]) if rows else 0

    async def follow(self, event: str, after: int, *, digest: str | None = None) -> AsyncIterator[list[Record]]:
        # A connection of its own: XREAD BLOCK holds it while waiting.
        reader = aioredis.from_url(self.url, socket_connect_timeout=2, socket_timeout=None)
        key, backoff = self._key(event, "log"), 0.05
        try:
            while True:
                try:
                    reply = cast(list[tuple[bytes, StreamRows]], await reader.xread(
                        {key: f"{after}-0"}, count=1000, block=5000))
                except TRANSIENT as exc:
                    log.warning("log follower for %s: redis unreachable (%s); retrying", event, exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 1.0)
                    continue
                backoff = 0.05
                for _stream, rows in reply or []:
                    if not rows:
                        continue
                    previous = rows[0][1].get(b"p")  # absent on entries written before the chain
                    if digest is not None and previous is not None and previous.decode() != digest:
                        raise LogDiverged(f"{event}: entry {_seq(rows[0][0])} does not follow the entry "
                                          f"{after} this reader applied: the log was replaced")
                    batch = _records(rows)
                    after, digest = batch[-1][0], digest_of(batch[-1][1])
                    yield batch
        finally:
            await reader.aclose()

    async def save_snapshot(self, event: str, seq: int, blob: bytes) -> None:
        assert self._save is not None
        try:
            await self._save(keys=[self._key(event, "snapshot")], args=[seq, blob])
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc

    async def rewrite(self, event: str, transform: Callable[[int, bytes], bytes]) -> int:
        """A new stream with the same ids (and the digest chain recomputed), then
        renamed over the old one in one step."""
        key, fresh = self._key(event, "log"), self._key(event, "rewriting")
        try:
            await self.client.delete(fresh)
            changed, after, previous = 0, 0, ""
            while batch := await self.read(event, after, limit=1000):
                pipe = self.client.pipeline(transaction=False)
                for seq, data in batch:
                    new = transform(seq, data)
                    changed += new != data
                    pipe.xadd(fresh, {"d": new, "p": previous}, id=f"{seq}-0")
                    previous = digest_of(new)
                await pipe.execute()
                after = batch[-1][0]
            if after:
                pipe = self.client.pipeline(transaction=True)
                pipe.rename(fresh, key)
                pipe.delete(self._key(event, "snapshot"))
                await pipe.execute()
            return changed
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc

    async def load_snapshot(self, event: str) -> Record | None:
        try:
            seq, blob = cast(list[bytes | None], await self.client.hmget(self._key(event, "snapshot"),
                                                                         ["seq", "blob"]))
        except TRANSIENT as exc:
            raise LogUnavailable(f"redis unreachable: {exc}") from exc
        return (int(seq), bytes(blob)) if seq is not None and blob is not None else None
