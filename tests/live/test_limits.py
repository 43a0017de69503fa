"""Limits that a client cannot dodge: one client rotating its participant id over
several connections still drains its connection's, its address's and its site
code's buckets, and its connections are capped per address; while 200 honest
people behind one school address are not refused. The address is the socket's,
or X-Forwarded-For's only when the peer is a trusted proxy. Commands in flight
when the log diverges are answered log.unavailable, never left hanging."""
from __future__ import annotations

import asyncio
import ipaddress

import pytest
from websockets.exceptions import InvalidStatus

from hub.client import HubError
from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.errors import DomainError
from hub.live.admission import AddressGate, client_address, parse_networks

from ..hubserver import EVENT, HubServer

WAIT = 60.0
LB = parse_networks("10.0.0.5, 172.16.0.0/12")


@pytest.mark.parametrize("peer,header,seen", [
    ("198.51.100.7", ["203.0.113.1"], "198.51.100.7"),        # not a trusted proxy: its header proves nothing
    ("10.0.0.5", ["203.0.113.1"], "203.0.113.1"),             # the load balancer says who the client is
    ("10.0.0.5", ["1.2.3.4, 203.0.113.1"], "203.0.113.1"),    # the left was written by the client itself
    ("10.0.0.5", ["203.0.113.1, 172.16.3.4"], "203.0.113.1"), # a second trusted hop is skipped
    ("10.0.0.5", ["not-an-address"], "10.0.0.5"),            # hostile: ignored
    ("10.0.0.5", ["2001:db8::1"], "2001:db8::1"),
    ("10.0.0.5", [], "10.0.0.5"),
])
def test_the_client_address_believes_only_trusted_proxies(peer, header, seen):
    assert client_address(peer, header, LB) == seen


def test_connections_are_capped_per_address_open_and_opened():
    gate = AddressGate(max_open=2, per_10s=3)
    assert gate.admit("a", 0.0) is None and gate.admit("a", 0.0) is None
    assert "at once" in gate.admit("a", 0.0)  # a third open at once
    assert gate.admit("b", 0.0) is None       # another address is another count
    gate.leave("a")
    assert gate.admit("a", 0.0) is None       # room again (the third opened in 10 s)
    gate.leave("a")
    assert "new connections" in gate.admit("a", 0.0)  # a fourth opened within 10 s
    assert gate.admit("a", 10.0) is None
    closed = AddressGate(max_open=0, per_10s=1)  # this machine itself (tests, benchmarks) is not capped
    assert closed.admit("127.0.0.1", 0.0) is None and closed.admit("::1", 0.0) is None


async def _questions(clients, n: int) -> tuple[int, list[str]]:
    accepted, refused = 0, []
    for client in clients:
        for i in range(n):
            try:
                await client.command({"type": "question.ask", "text": f"Question {i} de {client.pid[:6]} ?"})
                accepted += 1
            except HubError as exc:
                refused.append(f"{exc.code}:{exc.data.get('scope')}")
    return accepted, refused


async def test_an_attacker_rotating_ids_over_connections_is_refused(tmp_path):
    """The attack seen: 8 connections, a new id each, 3 questions each: 24 questions in
    a second against a limit of 3 a minute. With an address standing for 5 people,
    the address's bucket refuses what is past 5 people's worth."""
    hub = HubServer(tmp_path / "data", address_share=5, max_connections_per_address=10)
    await hub.start()
    try:
        remote = {"X-Forwarded-For": "198.51.100.66"}  # through the load balancer (on this machine: trusted)
        attackers = [hub.viewer(headers=remote) for _ in range(8)]  # a new participant id each
        await asyncio.gather(*(a.connect() for a in attackers))
        accepted, refused = await _questions(attackers, 3)
        assert accepted == 5 * 3 and refused and set(refused) == {"rate.limited:address"}
        one = hub.viewer(headers={"X-Forwarded-For": "198.51.100.67"})
        await one.connect()
        _, refused_alone = await _questions([one], 4)  # one connection: the person's own limit, tight
        assert refused_alone and refused_alone[-1].startswith("rate.limited")
        more = [hub.viewer(headers=remote) for _ in range(4)]  # past 10 from this address: refused at the door
        results = await asyncio.gather(*(m.connect() for m in more), return_exceptions=True)
        assert sum(isinstance(r, InvalidStatus) and r.response.status_code == 429 for r in results) == 2
        for client in (*attackers, one, *more):
            await client.close()
    finally:
        await hub.stop()


async def test_200_honest_people_behind_one_school_address_are_not_refused(hub):
    """A school: 200 phones behind one public address, all joined with the site's
    code, each asking, voting and reacting within the same minute (default settings)."""
    mod = hub.moderator()
    await mod.connect()
    poll = (await mod.command({"type": "poll.create", "question": "Utile ?", "kind": "single",
                               "options": ["oui", "non"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    school = {"X-Forwarded-For": "203.0.113.50"}  # one public address, through the load balancer
    people = [hub.participant("nancy", headers=school) for _ in range(200)]
    await asyncio.gather(*(p.connect(timeout=WAIT) for p in people))

    async def one_person(p):
        await p.command({"type": "question.ask", "text": f"Une question de {p.pid[:6]} ?"})
        await p.command({"type": "poll.vote", "poll": poll, "choices": [0]})
        for emoji in ("👏", "💡", "👍"):
            await p.command({"type": "reaction.send", "emoji": emoji})
    outcomes = await asyncio.gather(*(one_person(p) for p in people), return_exceptions=True)
    assert [o for o in outcomes if o is not None] == []
    state = hub.runtime.events[EVENT].replica.state
    assert len(state.qna.questions) == 200 and len(state.polls.polls[poll].ballots) == 200
    await asyncio.gather(mod.close(), *(p.close() for p in people))


async def test_behind_the_load_balancer_each_client_address_is_counted_apart(tmp_path):
    hub = HubServer(tmp_path / "data", trusted_proxies="127.0.0.1", max_connections_per_address=2)
    await hub.start()
    try:
        school = [hub.viewer(headers={"X-Forwarded-For": "203.0.113.10"}) for _ in range(3)]
        home = hub.viewer(headers={"X-Forwarded-For": "198.51.100.20"})
        results = await asyncio.gather(*(s.connect() for s in school), return_exceptions=True)
        assert sum(isinstance(r, InvalidStatus) for r in results) == 1  # the school's third
        await home.connect()  # another client behind the same balancer
        assert set(hub.runtime.addresses.open) == {"203.0.113.10", "198.51.100.20"}
        ipaddress.ip_address("203.0.113.10")
        for client in (*school, home):
            await client.close()
    finally:
        await hub.stop()


async def test_commands_in_flight_when_the_log_diverges_are_answered(hub):
    """Written, then the log moved under the replica (a Redis without persistence came
    back empty): the waiting command is answered log.unavailable with its reason."""
    ev = hub.runtime.events[EVENT]
    real_append = ev.replica.log.append

    async def append_then_lose_it(event, data, expect=None):
        seq = await real_append(event, data, expect)
        asyncio.get_running_loop().call_soon(ev.replica.mark_diverged, "the log came back empty")
        return seq + 1000  # what a replaced log would hand back: an entry this replica never applies
    ev.replica.log.append = append_then_lose_it  # type: ignore[method-assign]
    viewer = Actor(role=Role.VIEWER, pid="viewer-000001")
    with pytest.raises(DomainError) as refused:
        await asyncio.wait_for(ev.service.submit(viewer, c.AskQuestion(text="Toujours là ?")), WAIT)
    assert refused.value.code == "log.unavailable" and refused.value.data["reason"] == "log.diverged"
    ev.replica.log.append = real_append  # type: ignore[method-assign]
