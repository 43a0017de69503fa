"""Exactly once, where it breaks: the hub SIGKILLed around its network call, and two hubs
sharing a Redis log. The stand-ins count what they received."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from hub.client import LiveClient
from hub.domain.actors import Role
from hub.security import access

from ..cluster.topology import EVENT, SECRET, HubProcess, wait_healthy
from ..support import RedisServer
from .conftest import social_events
from .standins import StandIns

QUIET = {"HUB_PRESENCE_INTERVAL_MS": "3600000", "HUB_ATTENDANCE_INTERVAL_MS": "0"}
NETWORKS = ("mastodon", "bluesky")


def moderator(hub: HubProcess) -> LiveClient:
    return LiveClient(hub.url, token=access.sign(SECRET, EVENT, Role.MODERATOR, None, int(time.time()) + 3600))


def state_of(client: LiveClient, post: str, network: str) -> Any:
    return client.state.get("posts", {}).get(post, {}).get("social", {}).get(network, {}).get("state")


def hub_env(tmp_path: Path, standins: StandIns) -> dict[str, str]:
    return {"HUB_EVENTS_DIR": str(social_events(tmp_path / "events")), **standins.env(), **QUIET}


def restart_once_killed(hub: HubProcess, killed: list[str], never: str) -> None:
    """Waits for the stand-in's hook to kill the hub, then starts it again: the same node id,
    the same log, so it takes its own claim back."""
    deadline = time.monotonic() + 120
    while not killed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert killed, never
    assert hub.proc is not None
    hub.proc.wait(30)
    hub.proc = None
    hub.start()
    wait_healthy([hub])


@pytest.mark.parametrize("network, moment", [("mastodon", "after"), ("mastodon", "before"),
                                             ("bluesky", "after"), ("bluesky", "before")])
async def test_a_hub_killed_around_its_network_call_publishes_once(tmp_path, standins, network, moment):
    """after: the network kept the post, the hub died before writing its answer;
    before: the claim is in the log, the network never got the post."""
    hub = HubProcess("solo", f"sqlite:{tmp_path / 'log.db'}", tmp_path / "data", tmp_path,
                     **hub_env(tmp_path, standins))
    hub.start()
    killed: list[str] = []

    def kill(at_network: str, stage: str) -> bool:
        if at_network != network or stage != moment or killed or hub.proc is None:
            return False
        killed.append(stage)
        os.kill(hub.proc.pid, signal.SIGKILL)
        return stage == "before"

    standins.hook = kill
    try:
        wait_healthy([hub])
        async with moderator(hub) as mod:
            post = (await mod.command({"type": "feed.post", "text": "Clôture : merci à tous !"}))["result"]["post"]
        restart_once_killed(hub, killed, "the hub never called the network")
        async with moderator(hub) as mod:
            await mod.wait_for(lambda m: all(state_of(m, post, n) == "sent" for n in NETWORKS), timeout=120)
        received = standins.mastodon if network == "mastodon" else standins.bluesky
        assert len(received.posts) == 1, received.posts
        asked = received.requests
        if network == "mastodon":  # sent again after the restart with the same Idempotency-Key, kept once
            assert len(asked) == 2 and asked[0]["key"] and asked[0]["key"] == asked[1]["key"], asked
        else:  # after: the try after the restart found the record (getRecord); before: it wrote it
            assert len(asked) == (1 if moment == "after" else 2), asked
            assert len({a["uri"] for a in asked}) == 1  # the same record key
        other = standins.bluesky if network == "mastodon" else standins.mastodon
        assert len(other.posts) == 1
    finally:
        hub.stop()


@pytest.mark.parametrize("network", NETWORKS)
async def test_a_hub_killed_after_a_correction_reached_the_network_posts_nothing_new(tmp_path, standins, network):
    """The network took the correction, the hub died before writing its answer: the try after
    the restart writes the same text again, and nothing new is posted."""
    hub = HubProcess("solo", f"sqlite:{tmp_path / 'log.db'}", tmp_path / "data", tmp_path,
                     **hub_env(tmp_path, standins))
    hub.start()
    killed: list[str] = []

    def kill(at_network: str, stage: str) -> bool:
        if at_network == network and stage == "edited" and not killed and hub.proc is not None:
            killed.append(stage)
            os.kill(hub.proc.pid, signal.SIGKILL)
        return False

    standins.hook = kill
    try:
        wait_healthy([hub])
        async with moderator(hub) as mod:
            post = (await mod.command({"type": "feed.post", "text": "Clôture : merci à tuos !"}))["result"]["post"]
            await mod.wait_for(lambda m: all(state_of(m, post, n) == "sent" for n in NETWORKS), timeout=120)
            await mod.command({"type": "feed.edit", "post": post, "text": "Clôture : merci à tous !"})
        restart_once_killed(hub, killed, "the hub never sent the correction")
        async with moderator(hub) as mod:
            await mod.wait_for(lambda m: all(state_of(m, post, n) == "sent" for n in NETWORKS), timeout=120)
        for received in (standins.mastodon, standins.bluesky):
            [kept] = received.posts.values()  # still one post on each network
            text = kept.get("text") or kept["record"]["text"]
            assert text == "Clôture : merci à tous ! #EGNum"
        edited = standins.mastodon if network == "mastodon" else standins.bluesky
        assert next(iter(edited.posts.values()))["edits"] == 2  # the same correction, written twice
    finally:
        hub.stop()


async def test_two_hubs_over_redis_publish_each_post_once(tmp_path, standins):
    (tmp_path / "redis").mkdir()
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = hub_env(tmp_path, standins)
    hubs = [HubProcess(f"hub-{i}", redis.url, tmp_path / "data", tmp_path, **env) for i in (1, 2)]
    try:
        for hub in hubs:
            hub.start()
        wait_healthy(hubs)
        async with moderator(hubs[0]) as one, moderator(hubs[1]) as two:
            posts = [(await (one if i % 2 else two).command({"type": "feed.post", "text": f"Message {i}"}))
                     ["result"]["post"] for i in range(6)]
            await one.wait_for(lambda m: all(state_of(m, p, n) == "sent" for p in posts for n in NETWORKS),
                               timeout=120)
        for received in (standins.mastodon, standins.bluesky):
            assert len(received.posts) == 6 and len(received.requests) == 6, received.requests
        assert sorted(p["text"] for p in standins.mastodon.posts.values()) == [f"Message {i} #EGNum"
                                                                                for i in range(6)]
    finally:
        for hub in hubs:
            hub.stop()
        redis.stop()
