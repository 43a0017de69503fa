"""The log contract: every backend must pass each of these, unchanged."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from hub.log import START, Log, LogDiverged, LogUnavailable, Position, digest_of, open_log


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path) -> str:
    return request.param


@pytest.fixture
def make_log(backend, tmp_path, request) -> Callable[[], Log]:
    """A factory: each call is a new connection to the same storage (as a restart or a second process)."""
    if backend == "sqlite":
        url = f"sqlite:{tmp_path / 'log.db'}"
    else:
        url = request.getfixturevalue("redis_server").url
    return lambda: open_log(url)


@pytest.fixture
async def log(make_log) -> AsyncIterator[Log]:
    lg = make_log()
    await lg.open()
    yield lg
    await lg.close()


async def test_sequence_numbers_start_at_one_per_event_without_gaps(log):
    assert [await log.append("a", b"x%d" % i) for i in range(3)] == [1, 2, 3]
    assert await log.append("b", b"y") == 1
    assert await log.head("a") == 3 and await log.head("b") == 1 and await log.head("none") == 0


async def test_concurrent_appends_get_distinct_consecutive_numbers(log):
    seqs = await asyncio.gather(*(log.append("ev", str(i).encode()) for i in range(300)))
    assert sorted(seqs) == list(range(1, 301))
    stored = {data for _, data in await log.read("ev", 0, limit=1000)}
    assert stored == {str(i).encode() for i in range(300)}


async def test_read_after_in_order_with_limit(log):
    for i in range(10):
        await log.append("ev", bytes([i]))
    assert await log.read("ev", 7) == [(8, bytes([7])), (9, bytes([8])), (10, bytes([9]))]
    assert [s for s, _ in await log.read("ev", 2, limit=3)] == [3, 4, 5]
    assert await log.read("ev", 10) == []


async def test_follow_yields_old_then_new_entries_in_order(log):
    await log.append("ev", b"1")
    got: list[int] = []

    async def consume():
        async for batch in log.follow("ev", 0):
            got.extend(s for s, _ in batch)
            if len(got) >= 5:
                return

    task = asyncio.create_task(consume())
    for _ in range(4):
        await asyncio.sleep(0.01)
        await log.append("ev", b"more")
    await asyncio.wait_for(task, 5)
    assert got == [1, 2, 3, 4, 5]


async def test_entries_survive_reopening(make_log):
    first = make_log()
    await first.open()
    for i in range(5):
        await first.append("ev", b"%d" % i)
    await first.close()
    second = make_log()
    await second.open()
    try:
        assert [d for _, d in await second.read("ev", 0)] == [b"0", b"1", b"2", b"3", b"4"]
        assert await second.append("ev", b"next") == 6
    finally:
        await second.close()


async def test_snapshots_keep_the_newest(log):
    assert await log.load_snapshot("ev") is None
    await log.save_snapshot("ev", 10, b"ten")
    await log.save_snapshot("ev", 5, b"five")  # older: ignored
    assert await log.load_snapshot("ev") == (10, b"ten")
    await log.save_snapshot("ev", 20, b"twenty")
    assert await log.load_snapshot("ev") == (20, b"twenty")


async def test_append_with_a_position_the_log_holds_goes_through(log):
    assert await log.append("ev", b"first", START) == 1
    assert await log.append("ev", b"second", Position(1, digest_of(b"first"))) == 2
    # Another writer moved on meanwhile: a position that is still in the log is fine.
    assert await log.append("ev", b"third", Position(1, digest_of(b"first"))) == 3


@pytest.mark.parametrize("position", [Position(9, digest_of(b"x")), Position(2, digest_of(b"not what is there")),
                                      Position(1, "")])
async def test_append_from_a_position_the_log_no_longer_holds_writes_nothing(log, position):
    """A log emptied, restored from an older backup or replaced: nothing is appended."""
    await log.append("ev", b"one")
    await log.append("ev", b"two")
    with pytest.raises(LogDiverged):
        await log.append("ev", b"lost", position)
    assert [d for _, d in await log.read("ev", 0)] == [b"one", b"two"]
    assert await log.append("ev", b"three", Position(2, digest_of(b"two"))) == 3


async def test_a_refused_append_does_not_fail_the_others_committed_with_it(log):
    await log.append("ev", b"one")
    good, bad = Position(1, digest_of(b"one")), Position(5, "nope")
    results = await asyncio.gather(*(log.append("ev", b"v%d" % i, bad if i % 3 == 0 else good) for i in range(30)),
                                   return_exceptions=True)
    assert sum(isinstance(r, LogDiverged) for r in results) == 10
    assert sorted(r for r in results if isinstance(r, int)) == list(range(2, 22))


async def test_two_writers_on_one_store_share_one_sequence(make_log, backend):
    if backend == "sqlite":
        pytest.skip("SQLite is the single-process backend; processes share a log through Redis")
    a, b = make_log(), make_log()
    await a.open()
    await b.open()
    try:
        seqs = await asyncio.gather(*(x.append("ev", b"v") for _ in range(100) for x in (a, b)))
        assert sorted(seqs) == list(range(1, 201))
        assert await a.read("ev", 0, limit=500) == await b.read("ev", 0, limit=500)
    finally:
        await a.close()
        await b.close()


@pytest.mark.redis
async def test_redis_outage_is_reported_then_recovered(redis_server):
    lg = open_log(redis_server.url)
    await lg.open()
    try:
        assert await lg.append("ev", b"before") == 1
        got: list[int] = []

        async def consume():
            async for batch in lg.follow("ev", 0):
                got.extend(s for s, _ in batch)
                if len(got) >= 2:
                    return

        follower = asyncio.create_task(consume())
        redis_server.stop()
        with pytest.raises(LogUnavailable):
            await lg.append("ev", b"during")
        redis_server.start()
        for _ in range(50):  # the client reconnects by itself
            try:
                assert await lg.append("ev", b"after") == 2
                break
            except LogUnavailable:
                await asyncio.sleep(0.1)
        await asyncio.wait_for(follower, 10)
        assert got == [1, 2]
    finally:
        await lg.close()


@pytest.mark.redis
async def test_a_follower_notices_a_log_replaced_under_it(redis_server):
    """Emptied, then written anew by another process: the follower must not apply
    the new history as if it followed what it already applied."""
    import redis.asyncio as aioredis
    lg = open_log(redis_server.url)
    await lg.open()
    try:
        await lg.append("ev", b"one")
        await lg.append("ev", b"two")

        async def follow() -> list[int]:
            got: list[int] = []
            async for batch in lg.follow("ev", 2, digest=digest_of(b"two")):
                got.extend(s for s, _ in batch)
            return got

        follower = asyncio.create_task(follow())
        raw = aioredis.from_url(redis_server.url)
        await raw.delete("mx:{ev}:log")
        await raw.aclose()
        for data in (b"new one", b"new two", b"new three"):
            await lg.append("ev", data)
        with pytest.raises(LogDiverged):
            await asyncio.wait_for(follower, 10)
    finally:
        await lg.close()


@pytest.mark.redis
async def test_a_follower_from_the_right_position_reads_on(redis_server):
    lg = open_log(redis_server.url)
    await lg.open()
    try:
        await lg.append("ev", b"one")
        await lg.append("ev", b"two")
        await lg.append("ev", b"three")
        async for batch in lg.follow("ev", 1, digest=digest_of(b"one")):
            assert [d for _, d in batch] == [b"two", b"three"]
            break
    finally:
        await lg.close()


async def test_rewrite_replaces_entries_in_place_and_drops_the_snapshot(log):
    for i in range(5):
        await log.append("ev", b"secret %d" % i)
    await log.save_snapshot("ev", 5, b"state with secrets")
    changed = await log.rewrite("ev", lambda seq, data: data.replace(b"secret", b"erased") if seq % 2 else data)
    assert changed == 3
    assert [d for _, d in await log.read("ev", 0)] == [b"erased 0", b"secret 1", b"erased 2", b"secret 3", b"erased 4"]
    assert await log.load_snapshot("ev") is None and await log.head("ev") == 5
    # appends go on after it, from the rewritten entry
    assert await log.append("ev", b"after", Position(5, digest_of(b"erased 4"))) == 6
    assert await log.rewrite("ev", lambda seq, data: data) == 0
