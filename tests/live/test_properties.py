"""A property of the live core, tried on random days: whatever commands people
send, whoever is cut off and comes back, on one hub or on two hubs sharing a log
over Redis, at the end every client's mirror equals a fresh snapshot for its
audience, and every acknowledged command is in the log at the seq its ack gave.

`make test` tries a few days (a bounded budget); `make properties` tries many.
"""
from __future__ import annotations

import asyncio
import json
import os

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.client import HubError
from hub.domain import views
from hub.domain.state import Entry

from ..hubserver import EVENT, HubServer

EXAMPLES = int(os.environ.get("MX_PROPERTY_EXAMPLES", "6"))
WAIT = 60.0

# who does what: 0 the control room, 1-2 on site (Nancy, Reims), 3 remote following Reims, 4 Reims' coordinator
PEOPLE = 5
step = st.one_of(
    st.tuples(st.just("ask"), st.integers(1, 4), st.text(alphabet="abcdéè ?😀", min_size=1, max_size=12)),
    st.tuples(st.just("upvote"), st.integers(1, 3), st.integers(0, 5)),
    st.tuples(st.just("approve"), st.sampled_from([0, 4]), st.integers(0, 5)),
    st.tuples(st.just("poll"), st.just(0), st.sampled_from(["open", "close", "new"])),
    st.tuples(st.just("vote"), st.integers(1, 3), st.integers(0, 1)),
    st.tuples(st.just("react"), st.integers(1, 3), st.sampled_from(["👏", "💡"])),
    st.tuples(st.just("track"), st.sampled_from([0, 4]), st.sampled_from([None, 10, 11])),
    st.tuples(st.just("post"), st.just(0), st.text(alphabet="xyz #", min_size=1, max_size=8)),
    st.tuples(st.just("drop"), st.integers(0, PEOPLE - 1), st.just(0)),
)


def command(kind: str, arg, state: dict) -> dict | None:
    questions = sorted(state["questions"])
    polls = sorted(state["polls"])
    if kind == "ask":
        return {"type": "question.ask", "text": arg}
    if kind == "upvote" and questions:
        return {"type": "question.upvote", "question": questions[arg % len(questions)]}
    if kind == "approve" and questions:
        return {"type": "question.approve", "question": questions[arg % len(questions)]}
    if kind == "poll":
        if arg == "new" or not polls:
            return {"type": "poll.create", "question": "Utile ?", "kind": "single", "options": ["oui", "non"]}
        return {"type": f"poll.{arg}", "poll": polls[-1]}
    if kind == "vote" and polls:
        return {"type": "poll.vote", "poll": polls[-1], "choices": [arg]}
    if kind == "react":
        return {"type": "reaction.send", "emoji": arg}
    if kind == "track":
        return {"type": "programme.current", "session": arg, "site": "reims"}
    if kind == "post":
        return {"type": "feed.post", "text": arg}
    return None


def normal(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


async def day(hubs: list[HubServer], steps: list[tuple]) -> None:
    first = hubs[0]
    at = lambda i: hubs[i % len(hubs)]  # noqa: E731 (people spread over the hubs)
    people = [at(0).moderator(), at(1).participant("nancy"), at(2).participant("reims"),
              at(3).viewer(follow="reims"), at(4).coordinator("reims")]
    await asyncio.gather(*(p.connect(timeout=WAIT) for p in people))
    acks: dict[str, int] = {}

    async def send(who: int, cmd: dict) -> None:
        try:
            ack = await people[who].command(cmd, timeout=WAIT)
        except HubError:
            return  # refused: nothing was written (checked below by the log holding acks only)
        acks[ack["id"]] = ack["seq"]

    pending = []
    drops: dict[int, int] = {}
    for kind, who, arg in steps:
        if kind == "drop":
            if people[who].reconnects >= drops.get(who, 0):  # not while it is still coming back
                drops[who] = drops.get(who, 0) + 1
                await people[who].drop()  # cut as a network loss would: it reconnects and resumes by itself
            continue
        cmd = command(kind, arg, people[who].state)
        if cmd is not None:
            pending.append(asyncio.ensure_future(send(who, cmd)))
    await asyncio.gather(*pending)
    head = max(h.runtime.events[EVENT].replica.state.seq for h in hubs)
    for h in hubs:
        await _until(lambda h=h: h.runtime.events[EVENT].replica.state.seq >= head)
    def session_of(i: int):  # the person's live session on its hub (not the one cut off, if still closing)
        groups = at(i).runtime.events[EVENT].channel.groups
        return next((c for g in groups.values() for c in g if c.pid == people[i].pid
                     and c.transport is not None and not c.transport.is_closing()), None)
    for i, p in enumerate(people):
        await _until(lambda i=i, p=p: p.reconnects >= drops.get(i, 0) and session_of(i) is not None)
        await p.wait_for(lambda c: c.seq is not None and c.seq >= head, timeout=WAIT)
    # every mirror is what a fresh snapshot for its audience says
    for i, (p, h) in enumerate(zip(people, [at(i) for i in range(PEOPLE)])):
        ev = h.runtime.events[EVENT]
        audience = session_of(i).audience
        fresh = views.snapshot(ev.replica.state, ev.config, audience)
        assert normal(p.state) == normal(json.loads(msgspec.json.encode(fresh))), (p.pid, audience)
    # every ack has its entry, at its seq, with its command id
    records = dict(await first.runtime.log.read(EVENT, 0, 100_000))
    for cid, seq in acks.items():
        assert msgspec.json.decode(records[seq], type=Entry).cid == cid
    await asyncio.gather(*(p.close() for p in people))


async def _until(predicate) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "replicas never caught up"
        await asyncio.sleep(0.01)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=5, max_size=40))
def test_on_one_hub_every_mirror_equals_a_fresh_snapshot(tmp_path_factory, steps):
    async def run() -> None:
        hub = HubServer(tmp_path_factory.mktemp("hub") / "data")
        await hub.start()
        try:
            await day([hub], steps)
        finally:
            await hub.stop()
    asyncio.run(run())


@pytest.mark.redis
@settings(max_examples=max(2, EXAMPLES // 2), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=5, max_size=40))
def test_on_two_hubs_over_redis_every_mirror_equals_a_fresh_snapshot(tmp_path_factory, steps):
    from ..support import RedisServer

    async def run() -> None:
        redis = RedisServer(tmp_path_factory.mktemp("redis"))
        redis.start()
        hubs = [HubServer(tmp_path_factory.mktemp(f"hub{i}") / "data", log_url=redis.url, node_id=f"node-{i}")
                for i in range(2)]
        try:
            for h in hubs:
                await h.start()
            await day(hubs, steps)
        finally:
            for h in hubs:
                await h.stop()
            redis.stop()
    asyncio.run(run())
