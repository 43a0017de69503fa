"""The live core end to end: a real hub, real websockets, the Python client."""
from __future__ import annotations

import asyncio

import pytest

from hub.client import HubError, LiveClient
from hub.domain.actors import Role
from hub.log import open_log

from ..hubserver import HubServer

SITES = ("nancy", "reims", "strasbourg")


async def open_all(*clients):
    await asyncio.gather(*(c.connect() for c in clients))
    return clients


async def close_all(*clients):
    await asyncio.gather(*(c.close() for c in clients))


@pytest.fixture(params=["sqlite", "redis"])
async def any_hub(request, tmp_path):
    """The same scenario on the embedded log and on Redis Streams."""
    overrides = {}
    if request.param == "redis":
        overrides["log_url"] = request.getfixturevalue("redis_server").url
    server = HubServer(tmp_path / "data", **overrides)
    await server.start()
    yield server
    await server.stop()


async def test_poll_voted_from_three_sites_shows_same_per_site_tallies_everywhere(any_hub):
    hub = any_hub
    mod = hub.moderator()
    voters = [hub.participant(site) for site in SITES for _ in range(2)] + [hub.viewer()]
    watchers = [hub.coordinator("reims"), hub.viewer()]
    await open_all(mod, *voters, *watchers)
    poll = (await mod.command({"type": "poll.create", "question": "Faut-il généraliser les ENT ?",
                               "kind": "single", "options": ["Oui", "Non", "À voir"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    for i, voter in enumerate(voters):
        await voter.wait_for(lambda c: poll in c.state["polls"])
        await voter.command({"type": "poll.vote", "poll": poll, "choices": [i % 3]})
    expected = {"nancy": [1, 1, 0], "reims": [1, 0, 1], "strasbourg": [0, 1, 1], "remote": [1, 0, 0]}
    everyone = [mod, *voters, *watchers]
    for client in everyone:
        await client.wait_for(lambda c: c.state["tallies"].get(poll, {}).get("ballots") == 7)
        tally = client.state["tallies"][poll]
        assert tally["counts_by_site"] == expected
        assert tally["counts"] == [3, 2, 2]
        assert not client.gaps_or_overlaps()
    await close_all(*everyone)


async def test_question_from_nancy_approved_by_nancy_and_highlighted_everywhere(hub):
    asker, mod = hub.participant("nancy"), hub.moderator()
    nancy, reims, viewer = hub.coordinator("nancy"), hub.coordinator("reims"), hub.viewer()
    await open_all(asker, mod, nancy, reims, viewer)
    asked = await asker.command({"type": "question.ask", "text": "Quels moyens pour les écoles rurales ?",
                                 "name": "Claire"})
    qid = asked["result"]["question"]
    await nancy.wait_for(lambda c: qid in c.state["questions"])
    await mod.wait_for(lambda c: qid in c.state["questions"])
    assert nancy.state["questions"][qid]["state"] == "pending"
    for other in (reims, viewer):  # they are past the question's seq, and still have not seen it
        await other.wait_for(lambda c: c.seq >= asked["seq"])
    assert qid not in reims.state["questions"] and qid not in viewer.state["questions"]
    with pytest.raises(HubError) as refused:
        await reims.command({"type": "question.approve", "question": qid})
    assert refused.value.code == "auth.other_site"
    with pytest.raises(HubError) as refused:
        await viewer.command({"type": "question.approve", "question": qid})
    assert refused.value.code == "auth.forbidden"
    await nancy.command({"type": "question.approve", "question": qid})
    await mod.command({"type": "question.highlight", "question": qid})
    for client in (asker, mod, nancy, reims, viewer):
        await client.wait_for(lambda c: (c.state.get("highlight") or {}).get("id") == qid)
        assert client.state["highlight"]["origin"] == "nancy"
        assert client.state["highlight"]["name"] == "Claire"
    assert reims.state["questions"][qid]["state"] == "visible"
    await close_all(asker, mod, nancy, reims, viewer)


async def test_client_that_drops_while_updates_flow_resumes_with_nothing_missing(hub):
    mod, steady, flaky = hub.moderator(), hub.viewer(), hub.viewer()
    await open_all(mod, steady, flaky)

    async def post_many(n):
        for i in range(n):
            await mod.command({"type": "feed.post", "text": f"Live {i}"})
            await asyncio.sleep(0.005)

    poster = asyncio.create_task(post_many(60))
    await flaky.wait_for(lambda c: len(c.state["posts"]) >= 10)
    await flaky.drop()
    await poster
    await flaky.wait_for(lambda c: c.reconnects >= 1 and c.seq == hub.seq(), timeout=15)
    await steady.wait_for(lambda c: c.seq == hub.seq())
    assert flaky.state["posts"] == steady.state["posts"]
    assert len(flaky.state["posts"]) == 60
    assert flaky.snapshots == 1, "a short cut resumes from the log, without a new snapshot"
    assert not flaky.gaps_or_overlaps() and not steady.gaps_or_overlaps()
    await close_all(mod, steady, flaky)


async def test_commands_sent_during_a_cut_are_applied_once(hub):
    viewer = hub.viewer()
    await viewer.connect()
    await viewer.drop()
    ack = await viewer.command({"type": "question.ask", "text": "Envoyée pendant la coupure ?"}, timeout=15)
    assert ack["result"]["question"]
    await viewer.wait_for(lambda c: c.seq == hub.seq())  # whatever was written has been applied
    assert len(hub.runtime.events["grand-est-2020"].replica.state.qna.questions) == 1
    await viewer.close()


async def test_restart_of_the_embedded_hub_keeps_everything(hub):
    mod, voter = hub.moderator(), hub.participant("reims")
    await open_all(mod, voter)
    poll = (await mod.command({"type": "poll.create", "question": "Note ?", "kind": "rating"}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    await voter.command({"type": "poll.vote", "poll": poll, "rating": 4})
    await voter.command({"type": "question.ask", "text": "Et après ?"})
    await mod.command({"type": "stage.on_air", "site": "reims"})
    await mod.command({"type": "feed.post", "text": "Reims à l'antenne"})
    await mod.wait_for(lambda c: c.seq == hub.seq())
    before_seq, before_state = hub.seq(), mod.state
    await hub.restart()
    assert hub.seq() == before_seq
    # the disconnected clients come back by themselves and resume
    await mod.wait_for(lambda c: c.reconnects >= 1 and c.seq == before_seq, timeout=15)
    fresh = hub.moderator()
    await fresh.connect()
    assert fresh.state == before_state
    assert fresh.state["stage"]["on_air"] == "reims"
    assert fresh.state["tallies"][poll]["counts"] == [0, 0, 0, 1, 0]
    await fresh.command({"type": "feed.post", "text": "Et la suite"})
    assert hub.seq() == before_seq + 1
    await close_all(mod, voter, fresh)


async def test_restart_replays_only_the_tail_after_a_snapshot(tmp_path):
    hub = HubServer(tmp_path / "data", snapshot_every=10)
    await hub.start()
    mod = hub.moderator(reconnect=False)
    await mod.connect()
    for i in range(25):
        await mod.command({"type": "feed.post", "text": f"n°{i}"})
    await mod.close()
    await hub.stop()
    lg = open_log(hub.settings.effective_log_url)
    await lg.open()
    saved = await lg.load_snapshot("grand-est-2020")
    await lg.close()
    assert saved is not None and saved[0] >= 20
    await hub.start()
    assert len(hub.runtime.events["grand-est-2020"].replica.state.feed.posts) == 25
    await hub.stop()


async def test_presence_counts_connected_people_per_site_and_the_peak(tmp_path):
    hub = HubServer(tmp_path / "data", presence_interval_ms=50)
    await hub.start()
    watcher = hub.moderator()
    people = [hub.participant("nancy"), hub.participant("nancy"), hub.participant("metz"), hub.viewer()]
    await open_all(watcher, *people)
    screen = LiveClient(hub.url(), token=hub.token(Role.SCREEN, "metz"))
    await screen.connect()  # a projector is not a person: not counted
    await watcher.wait_for(lambda c: (c.state["presence"] or {}).get("now") == {"nancy": 2, "metz": 1, "remote": 1})
    await close_all(*people, screen)
    await watcher.wait_for(lambda c: c.state["presence"]["now"] == {})
    assert watcher.state["presence"]["peak"] == 4
    await watcher.close()
    await hub.stop()


async def test_health_endpoint(hub):
    import httpx
    async with httpx.AsyncClient() as http:
        r = await http.get(f"http://127.0.0.1:{hub.settings.port}/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert {"grand-est-2020", "esenesr-20ans-2017", "eclore-2019", "normandie-2020"} <= set(r.json()["events"])


async def test_votes_go_out_as_coalesced_tallies_not_one_message_per_vote(hub):
    mod, watcher = hub.moderator(), hub.viewer()
    voters = [hub.participant(SITES[i % 3]) for i in range(60)]
    await open_all(mod, watcher, *voters)
    poll = (await mod.command({"type": "poll.create", "question": "?", "kind": "single",
                               "options": ["a", "b"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    tally_frames = []
    watcher.listeners.append(lambda m: tally_frames.append(m) if m["type"] == "update" and any(
        ch[0] == "tally" for ch in m["changes"]) else None)
    await asyncio.gather(*(v.command({"type": "poll.vote", "poll": poll, "choices": [i % 2]})
                           for i, v in enumerate(voters)))
    await watcher.wait_for(lambda c: c.state["tallies"][poll]["ballots"] == 60)
    assert watcher.state["tallies"][poll]["counts"] == [30, 30]
    assert len(tally_frames) < 20, f"{len(tally_frames)} tally frames for 60 votes: not coalesced"
    await close_all(mod, watcher, *voters)


async def test_an_update_is_rendered_once_per_audience_not_per_client(hub):
    mod = hub.moderator()
    viewers = [hub.viewer() for _ in range(30)]
    await open_all(mod, *viewers)
    channel = hub.runtime.events["grand-est-2020"].channel
    for client in (mod, *viewers):  # nothing left to flush from the joins
        await client.wait_for(lambda c: c.seq == hub.seq())
    frames_before, deliveries_before = channel.stats["frames"], channel.stats["deliveries"]
    await mod.command({"type": "feed.post", "text": "Une seule fois"})
    for v in viewers:
        await v.wait_for(lambda c: len(c.state["posts"]) == 1)
    assert channel.stats["frames"] - frames_before == 2  # "public" and "mod", whatever the number of clients
    assert channel.stats["deliveries"] - deliveries_before == 31
    await close_all(mod, *viewers)


async def test_what_is_mine_comes_from_the_hub_to_every_connection_of_mine(hub):
    """A ballot cast on one connection, a question of mine approved by the control
    room: my other connection (same participant id) learns both from the hub."""
    phone = hub.participant("reims")
    laptop = hub.participant("reims", pid=phone.pid)
    mod = hub.moderator()
    await open_all(phone, laptop, mod)
    poll = (await mod.command({"type": "poll.create", "question": "?", "kind": "single",
                               "options": ["a", "b"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    await phone.command({"type": "poll.vote", "poll": poll, "choices": [1]})
    await laptop.wait_for(lambda c: c.me.get("ballots", {}).get(poll) == [1])
    asked = await phone.command({"type": "question.ask", "text": "La mienne ?"})
    qid = asked["result"]["question"]
    await laptop.wait_for(lambda c: [q["state"] for q in c.me.get("questions", [])] == ["pending"])
    await mod.command({"type": "question.approve", "question": qid})
    await phone.wait_for(lambda c: [q["state"] for q in c.me.get("questions", [])] == ["visible"])
    await close_all(phone, laptop, mod)
