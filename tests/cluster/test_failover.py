"""Failures the deployment must survive without losing anything accepted."""
from __future__ import annotations

import asyncio
import socket
import time

import httpx
import msgspec
import pytest

from hub.client import HubError, LiveClient
from hub.domain.state import Entry
from hub.live.codes import CloseCode
from hub.log import open_log

from ..support import until
from .topology import EVENT, Topology


async def logged_commands(redis_url: str) -> set[tuple[str, str]]:
    """(participant, command id) of every entry in the shared log."""
    log = open_log(redis_url)
    await log.open()
    found, after = set(), 0
    try:
        while batch := await log.read(EVENT, after, limit=5000):
            for _, data in batch:
                entry = msgspec.json.decode(data, type=Entry)
                if entry.cid:
                    found.add((entry.actor.pid, entry.cid))
            after = batch[-1][0]
    finally:
        await log.close()
    return found


class Writer:
    """Sends commands in a loop, keeping what was acknowledged and what was refused."""

    def __init__(self, client: LiveClient, make_command) -> None:
        self.client, self.make = client, make_command
        self.acked: list[str] = []
        self.refused: list[str] = []
        self.sent = 0

    async def run(self, seconds: float, every: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sent += 1
            try:
                ack = await self.client.command(self.make(self.sent), timeout=30)
                self.acked.append(ack["id"])
            except HubError as exc:
                self.refused.append(exc.code)
            await asyncio.sleep(every)


def connections(cluster: Topology) -> int:
    """Live connections the hubs hold, as their health checks report."""
    return sum(httpx.get(f"http://127.0.0.1:{h.port}/healthz").json()["connections"][EVENT] for h in cluster.hubs)


async def connect_all(clients, batch: int = 50) -> None:
    for i in range(0, len(clients), batch):
        await asyncio.gather(*(c.connect() for c in clients[i:i + batch]))


async def test_a_hub_killed_under_load_loses_no_client_update_or_acknowledged_command(cluster):
    viewers = [cluster.viewer() for _ in range(200)]
    await connect_all(viewers)
    writers = [Writer(cluster.moderator(), lambda n, k=k: {"type": "feed.post", "text": f"régie {k}, n°{n}"})
               for k in range(2)]
    await asyncio.gather(*(w.client.connect() for w in writers))
    on_hub_1 = sum(1 for v in viewers if v.welcome["node"] == "hub-1")
    assert 40 < on_hub_1 < 160, "nginx spread the clients over both hubs"

    async def kill_soon() -> None:
        await asyncio.sleep(2.0)
        cluster.hubs[0].kill()  # SIGKILL: no goodbye to anybody

    await asyncio.gather(kill_soon(), *(w.run(6.0, 0.05) for w in writers))
    survivor = cluster.hubs[1]
    mod = cluster.moderator(survivor.url)
    await mod.connect()
    final = mod.seq
    for v in viewers:
        await v.wait_for(lambda c: c.seq is not None and c.seq >= final, timeout=30)
    acked = {(w.client.pid, cid) for w in writers for cid in w.acked}
    assert acked <= await logged_commands(cluster.redis.url), "an acknowledged command is missing from the log"
    posts = len(mod.state["posts"])
    assert posts == len(acked), "each acknowledged post is there once"
    moved = [v for v in viewers if v.reconnects]
    assert len(moved) >= on_hub_1, "every client of the killed hub came back"
    for v in viewers:
        assert v.gaps_or_overlaps() == [], "no gap and no duplicate in what a client received"
        assert v.snapshots == 1, "they resumed from the log, without a new snapshot"
        assert len(v.state["posts"]) == posts
    await asyncio.gather(mod.close(), *(w.client.close() for w in writers), *(v.close() for v in viewers))


async def test_redis_restart_hubs_reconnect_and_nothing_acknowledged_is_lost(cluster):
    viewers = [cluster.viewer() for _ in range(20)]
    writer = Writer(cluster.moderator(), lambda n: {"type": "feed.post", "text": f"n°{n}"})
    await connect_all([*viewers, writer.client])

    async def restart_redis() -> None:
        await asyncio.sleep(1.5)
        cluster.redis.stop()     # SIGTERM: redis writes its AOF and exits
        await asyncio.sleep(2.0)
        cluster.redis.start()    # same port, same files

    await asyncio.gather(restart_redis(), writer.run(7.0, 0.05))
    assert "log.unavailable" in writer.refused, "commands during the outage were told to try again"
    assert set(writer.refused) <= {"log.unavailable", "log.lagging"}
    assert writer.acked[-1].endswith(f"-{writer.sent}"), "the hubs carry on by themselves afterwards"
    acked = {(writer.client.pid, cid) for cid in writer.acked}
    assert acked <= await logged_commands(cluster.redis.url)
    cluster.wait_healthy()
    check = cluster.moderator(cluster.hubs[0].url)
    await check.connect()
    for v in viewers:
        await v.wait_for(lambda c: len(c.state["posts"]) == len(acked), timeout=20)
        assert v.gaps_or_overlaps() == []
    await asyncio.gather(check.close(), writer.client.close(), *(v.close() for v in viewers))


async def test_conflicting_commands_on_two_hubs_end_in_the_same_state(cluster):
    one, two = cluster.hubs
    mod_one, mod_two = cluster.moderator(one.url), cluster.moderator(two.url)
    same_a = cluster.participant("nancy", one.url, pid="same-person-000001")
    same_b = cluster.participant("nancy", two.url, pid="same-person-000001")
    voters = [cluster.participant("reims", two.url) for _ in range(20)]
    await connect_all([mod_one, mod_two, same_a, same_b, *voters])
    poll = (await mod_one.command({"type": "poll.create", "question": "?", "kind": "single",
                                   "options": ["a", "b", "c"]}))["result"]["poll"]
    await mod_one.command({"type": "poll.open", "poll": poll})
    for client in (same_b, *voters):
        await client.wait_for(lambda c: c.state["polls"].get(poll, {}).get("state") == "open")
    # the same person votes on both hubs at once, several times
    for _ in range(5):
        await asyncio.gather(same_a.command({"type": "poll.vote", "poll": poll, "choices": [0]}),
                             same_b.command({"type": "poll.vote", "poll": poll, "choices": [1]}))

    # votes pour in on hub-2 while the poll is closed on hub-1
    async def vote(client: LiveClient) -> bool:
        try:
            await client.command({"type": "poll.vote", "poll": poll, "choices": [2]})
            return True
        except HubError as exc:
            assert exc.code == "poll.not_open"
            return False

    async def close_soon() -> None:
        await asyncio.sleep(0.01)
        await mod_one.command({"type": "poll.close", "poll": poll})

    outcomes = await asyncio.gather(*(vote(v) for v in voters), close_soon())
    accepted = sum(1 for ok in outcomes[:-1] if ok)
    # Both control rooms converge on the same state, the last tally included.
    await until(lambda: mod_one.state == mod_two.state
                and mod_one.state["tallies"][poll]["ballots"] == 1 + accepted, timeout=10)
    tally = mod_one.state["tallies"][poll]
    assert tally["ballots"] == 1 + accepted and tally["counts"][2] == accepted
    assert sum(tally["counts"][:2]) == 1, "one ballot for the person who voted on both hubs"
    await asyncio.gather(*(c.close() for c in (mod_one, mod_two, same_a, same_b, *voters)))


@pytest.fixture
def tight_cluster(tmp_path):
    topology = Topology(tmp_path, HUB_SOCKET_SEND_BUFFER="8192", HUB_OUTBOX_HIGH_WATER="8192",
                        HUB_SLOW_CLIENT_GRACE_S="1")
    yield topology
    topology.stop()


POSTS = 2500


async def test_a_stalled_client_behind_the_load_balancer_is_cut_off_and_slows_nobody(tight_cluster):
    cluster = tight_cluster

    def tiny() -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", cluster.lb.port))
        sock.setblocking(False)
        return sock

    stalled = LiveClient(cluster.url, reconnect=False, socket_factory=tiny)
    healthy = [cluster.viewer() for _ in range(10)]
    mod = cluster.moderator()
    await connect_all([stalled, mod, *healthy])
    stalled.ws.transport.pause_reading()
    started = time.monotonic()
    # ~850 KB: well past what may sit between the hub and the client (nginx's 256 KB
    # send buffer, its proxy buffer, the sockets' queues), so the hub sees it stall
    for i in range(POSTS):
        await mod.command({"type": "feed.post", "text": f"{i:04d} " + "x" * 260})
    for v in healthy:
        await v.wait_for(lambda c: len(c.state["posts"]) == POSTS, timeout=30)
        assert v.gaps_or_overlaps() == []
    elapsed = time.monotonic() - started
    # The hub lets go of it once it stayed behind past the grace period.
    await until(lambda: connections(cluster) == len(healthy) + 1, timeout=20)
    stalled.ws.transport.resume_reading()
    await stalled.wait_for(lambda c: c.close_code is not None, timeout=20)
    assert stalled.close_code == CloseCode.TOO_SLOW
    assert len(stalled.state["posts"]) < POSTS
    assert elapsed < 30  # everybody else was served meanwhile (a bound, not a benchmark)
    await asyncio.gather(mod.close(), *(v.close() for v in healthy))
