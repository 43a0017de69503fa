"""The promises of docs/protocol.md where they break: resume after a tally that was
still waiting, snapshots that claim what they hold, refusals under races, and a log
that moved backwards."""
from __future__ import annotations

import asyncio
import itertools
import json

import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import connect

from hub.client import HubError

from ..hubserver import EVENT, HubServer


async def open_all(*clients):
    await asyncio.gather(*(c.connect() for c in clients))
    return clients


async def new_question(hub) -> str:
    asker, mod = hub.viewer(), hub.moderator()
    await open_all(asker, mod)
    question = (await asker.command({"type": "question.ask", "text": "Une question ?"}))["result"]["question"]
    await mod.command({"type": "question.approve", "question": question})
    await asyncio.gather(asker.close(), mod.close())
    return question


@pytest.mark.parametrize("hot", ["vote", "upvote", "reaction"])
async def test_a_tally_waiting_for_the_tick_reaches_a_client_that_leaves_before_it(tmp_path, hot):
    """The tick is a minute away: only a resume that tracks what was *sent* shows the vote."""
    hub = HubServer(tmp_path / "data", tally_interval_ms=60_000)
    await hub.start()
    try:
        mod, observer = hub.moderator(), hub.viewer()
        voters = [hub.participant("nancy"), hub.participant("metz")]
        await open_all(mod, observer, *voters)
        poll = (await mod.command({"type": "poll.create", "question": "?", "kind": "single",
                                   "options": ["a", "b"]}))["result"]["poll"]
        await mod.command({"type": "poll.open", "poll": poll})
        question = await new_question(hub)
        await observer.wait_for(lambda c: question in c.state["questions"] and poll in c.state["polls"])

        def act(voter):
            if hot == "vote":
                return voter.command({"type": "poll.vote", "poll": poll, "choices": [1]})
            if hot == "upvote":
                return voter.command({"type": "question.upvote", "question": question})
            return voter.command({"type": "reaction.send", "emoji": "👏"})

        def seen(n):
            if hot == "vote":
                return lambda c: c.state["tallies"][poll]["ballots"] == n
            if hot == "upvote":
                return lambda c: c.state["questions"][question]["votes"] == n
            return lambda c: c.state["reactions"]["totals"].get("👏") == n

        # The first tally goes out at once and starts the minute; the second waits for it.
        await act(voters[0])
        await observer.wait_for(seen(1))
        await act(voters[1])
        post = (await mod.command({"type": "feed.post", "text": "Après le vote"}))["seq"]
        await observer.wait_for(lambda c: c.seq >= post)
        await observer.drop()  # leaves before the tick, comes back with its seq
        await observer.wait_for(lambda c: c.reconnects >= 1 and c.state is not None)
        await observer.wait_for(seen(2), timeout=5)
        assert not observer.gaps_or_overlaps()
        await asyncio.gather(mod.close(), observer.close(), *(v.close() for v in voters))
    finally:
        await hub.stop()


async def test_a_snapshot_seq_and_its_state_agree(tmp_path):
    """Entries applied but not flushed yet are in the state: the snapshot says so."""
    hub = HubServer(tmp_path / "data", flush_interval_ms=3_000)
    await hub.start()
    try:
        mod = hub.moderator()
        await mod.connect()
        await mod.command({"type": "feed.post", "text": "Un"})
        await mod.command({"type": "feed.post", "text": "Deux"})  # the next flush is seconds away
        async with connect(hub.url()) as ws:
            await ws.send(json.dumps({"type": "hello", "pid": "late-joiner-01"}))
            await ws.recv()
            snapshot = json.loads(await ws.recv())
        assert snapshot["type"] == "snapshot"
        assert snapshot["seq"] == hub.seq()
        assert len(snapshot["state"]["posts"]) == 2
        await mod.close()
    finally:
        await hub.stop()


async def test_same_upvote_from_two_connections_of_one_participant_writes_one_entry(hub):
    """One ack and one `question.already_upvoted`, and exactly one entry, every time."""
    for attempt in range(5):
        question, pid = await new_question(hub), f"same-person-1{attempt:02d}"
        a, b = hub.participant("nancy", pid=pid), hub.participant("nancy", pid=pid)
        b._ids = itertools.count(1000)  # two tabs: same person, their own command ids
        await open_all(a, b)
        before = hub.seq()
        results = await asyncio.gather(*(c.command({"type": "question.upvote", "question": question}) for c in (a, b)),
                                       return_exceptions=True)
        acks = [r for r in results if isinstance(r, dict)]
        errors = [r.code for r in results if isinstance(r, HubError)]
        assert len(acks) == 1 and errors == ["question.already_upvoted"]
        assert hub.seq() == before + 1
        await asyncio.gather(a.close(), b.close())


async def test_same_command_id_on_two_connections_writes_one_entry(hub):
    for attempt in range(5):
        sockets = [await connect(hub.url()) for _ in range(2)]
        for ws in sockets:
            await ws.send(json.dumps({"type": "hello", "pid": f"same-person-2{attempt:02d}"}))
            await ws.recv(), await ws.recv()
        before = hub.seq()
        command = json.dumps({"type": "cmd", "id": f"once-{attempt}",
                              "cmd": {"type": "question.ask", "text": f"Une fois {attempt}"}})
        await asyncio.gather(*(ws.send(command) for ws in sockets))
        acks = []
        for ws in sockets:
            while (msg := json.loads(await asyncio.wait_for(ws.recv(), 5)))["type"] != "ack":
                assert msg["type"] != "error", msg
            acks.append(msg)
        assert sorted(bool(a.get("duplicate")) for a in acks) == [False, True]
        assert {a["seq"] for a in acks} == {before + 1} and hub.seq() == before + 1
        for ws in sockets:
            await ws.close()


async def test_unvote_racing_on_two_connections_writes_one_entry(hub):
    question = await new_question(hub)
    a, b = hub.participant("reims", pid="same-person-003"), hub.participant("reims", pid="same-person-003")
    b._ids = itertools.count(1000)
    await open_all(a, b)
    await a.command({"type": "question.upvote", "question": question})
    before = hub.seq()
    results = await asyncio.gather(*(c.command({"type": "question.unvote", "question": question}) for c in (a, b)),
                                   return_exceptions=True)
    assert sum(isinstance(r, dict) for r in results) == 1 and hub.seq() == before + 1
    await asyncio.gather(a.close(), b.close())


async def _rewrite_stream(url: str, keep: int | None) -> None:
    """What an operator's mistake does: empty the stream, or put back an older backup."""
    r = aioredis.from_url(url)
    key = f"mx:{{{EVENT}}}:log"
    rows = await r.xrange(key)
    await r.delete(key)
    for stream_id, fields in rows[:keep] if keep is not None else []:
        await r.xadd(key, fields, id=stream_id)
    await r.aclose()


@pytest.mark.redis
@pytest.mark.parametrize("keep", [None, 2], ids=["emptied", "older-backup"])
async def test_a_log_that_moved_backwards_is_refused_not_acked(tmp_path, redis_server, keep):
    hub = HubServer(tmp_path / "data", log_url=redis_server.url)
    await hub.start()
    try:
        mod = hub.moderator()
        await mod.connect()
        for i in range(4):
            await mod.command({"type": "feed.post", "text": f"Post {i}"})
        await _rewrite_stream(redis_server.url, keep)
        for attempt in range(3):
            with pytest.raises(HubError) as err:
                await mod.command({"type": "feed.post", "text": f"Jamais appliqué {attempt}"})
            assert err.value.code == "log.unavailable" and err.value.data["reason"] == "log.diverged"
        r = aioredis.from_url(redis_server.url)
        assert await r.xlen(f"mx:{{{EVENT}}}:log") == (keep or 0)  # nothing written
        await r.aclose()
        async with __import__("httpx").AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{hub.settings.port}/healthz")
        assert health.status_code == 503 and health.json()["log"] == "diverged"
        await mod.close()
    finally:
        await hub.stop()




@pytest.mark.redis
async def test_a_hub_does_not_apply_a_new_history_written_over_the_log_it_follows(tmp_path, redis_server):
    """The log is emptied and a freshly started hub writes a new history past the old
    one's seq: the old hub notices (the chain of entries) instead of applying it."""
    old = HubServer(tmp_path / "old", log_url=redis_server.url, node_id="old-hub")
    await old.start()
    try:
        mod = old.moderator()
        await mod.connect()
        for i in range(4):
            await mod.command({"type": "feed.post", "text": f"Ancien {i}"})
        await mod.close()
        r = aioredis.from_url(redis_server.url)
        await r.delete(f"mx:{{{EVENT}}}:log", f"mx:{{{EVENT}}}:snapshot")
        await r.aclose()
        new = HubServer(tmp_path / "new", log_url=redis_server.url, node_id="new-hub")
        await new.start()
        try:
            writer = new.moderator()
            await writer.connect()
            for i in range(6):
                await writer.command({"type": "feed.post", "text": f"Nouveau {i}"})
            await writer.close()
        finally:
            await new.stop()
        replica = old.runtime.events[EVENT].replica
        for _ in range(500):
            if replica.diverged:
                break
            await asyncio.sleep(0.01)
        assert replica.diverged and replica.state.seq == 4
        assert all(p.body.startswith("Ancien") for p in replica.state.feed.posts.values())
    finally:
        await old.stop()


async def test_a_client_ahead_of_the_embedded_log_starts_again_from_a_snapshot(hub):
    """Nobody else writes the embedded log: a client claiming a later seq holds a history
    the log no longer has (restored from a backup), and gets the truth, not silence."""
    mod = hub.moderator()
    await mod.connect()
    await mod.command({"type": "feed.post", "text": "Ce qui reste"})
    async with connect(hub.url()) as ws:
        await ws.send(json.dumps({"type": "hello", "pid": "from-the-future", "resume": hub.seq() + 40}))
        await ws.recv()
        answer = json.loads(await ws.recv())
    assert answer["type"] == "snapshot" and answer["resync"] is True and answer["seq"] == hub.seq()
    assert [p["body"] for p in answer["state"]["posts"].values()] == ["Ce qui reste"]
    await mod.close()
