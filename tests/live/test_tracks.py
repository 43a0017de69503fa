"""Tracks over a real hub: a room poll reaches its room and its followers only; a
follower's question goes to the track it follows; a track's change reaches its
screens; each audience's frame is rendered once, whatever its number of clients."""
from __future__ import annotations

import asyncio

from hub.client import HubError
from hub.domain.actors import Role

from ..hubserver import EVENT

WAIT = 60.0  # a generous bound for a loaded machine: these wait on conditions, never on time


async def test_a_room_poll_reaches_its_room_and_its_followers_only(hub):
    mod = hub.moderator()
    coord = hub.coordinator("strasbourg")
    room = hub.participant("strasbourg")
    follower = hub.viewer(follow="strasbourg")
    program = hub.viewer()
    elsewhere = hub.participant("reims")
    clients = (mod, coord, room, follower, program, elsewhere)
    await asyncio.gather(*(c.connect() for c in clients))
    assert follower.welcome["follow"] == "strasbourg" and program.welcome.get("follow") is None
    created = await coord.command({"type": "poll.create", "question": "Badges ?", "kind": "single",
                                   "options": ["oui", "non"]})
    poll = created["result"]["poll"]
    await coord.command({"type": "poll.open", "poll": poll})
    for client in (room, follower, mod):
        await client.wait_for(lambda c: poll in c.state["polls"], timeout=WAIT)
    await follower.command({"type": "poll.vote", "poll": poll, "choices": [0]})
    await room.wait_for(lambda c: c.state["tallies"][poll]["ballots"] == 1, timeout=WAIT)
    # a later change that everybody sees: once it arrived, the poll would have too
    await mod.command({"type": "feed.post", "text": "Pause à 10 h 30"})
    for client in (program, elsewhere):
        await client.wait_for(lambda c: any(p.get("body") == "Pause à 10 h 30" for p in c.state["posts"].values()),
                              timeout=WAIT)
        assert poll not in client.state["polls"] and poll not in client.state["tallies"]
    try:
        await elsewhere.command({"type": "poll.vote", "poll": poll, "choices": [1]})
        raise AssertionError("a participant of another site voted in Strasbourg's room poll")
    except HubError as exc:
        assert exc.code == "poll.other_site"
    await asyncio.gather(*(c.close() for c in clients))


async def test_a_followers_question_goes_to_the_track_it_follows_and_each_audience_renders_once(hub):
    mod = hub.moderator()
    followers = [hub.viewer(follow="reims") for _ in range(5)]
    screen = hub.viewer(token=hub.token(Role.SCREEN, "reims"))
    await asyncio.gather(mod.connect(), screen.connect(), *(f.connect() for f in followers))
    await mod.command({"type": "programme.current", "session": 10, "site": "reims"})
    await screen.wait_for(lambda c: c.state["stage"]["tracks"]["reims"]["session"] == 10, timeout=WAIT)
    asked = await followers[0].command({"type": "question.ask", "text": "Et à distance ?", "track": "reims"})
    await mod.wait_for(lambda c: asked["result"]["question"] in c.state["questions"], timeout=WAIT)
    q = mod.state["questions"][asked["result"]["question"]]
    assert (q["site"], q["origin"], q["session"]) == ("reims", "remote", 10)
    channel = hub.runtime.events[EVENT].channel
    audiences = {audience: len(group) for audience, group in channel.groups.items() if group}
    assert audiences["track:reims"] == 6  # five followers and the screen: one audience, one rendering
    frames, deliveries = channel.stats["frames"], channel.stats["deliveries"]
    await mod.command({"type": "feed.post", "text": "Une annonce"})
    for f in followers:
        await f.wait_for(lambda c: any(p.get("body") == "Une annonce" for p in c.state["posts"].values()), timeout=WAIT)
    rendered = channel.stats["frames"] - frames
    assert rendered <= len(audiences) < channel.stats["deliveries"] - deliveries
    await asyncio.gather(mod.close(), screen.close(), *(f.close() for f in followers))
