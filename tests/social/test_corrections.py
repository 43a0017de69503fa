"""A live post corrected or taken back by the régie follows on the networks: changed in place
(same status, same record, its thread kept), or deleted; a refused post fixed by its correction."""
from __future__ import annotations

from typing import Any

import pytest

from hub.client import HubError, LiveClient

from ..hubserver import EVENT, HubServer
from .standins import StandIns
from .test_publishing import delivery, posted, refused_by_bluesky

NETWORKS = ("mastodon", "bluesky")


def everywhere(state: str, *posts: str):
    return lambda m: all(delivery(m, p, n).get("state") == state for p in posts for n in NETWORKS)


def by_text(standins: StandIns) -> tuple[dict[str, Any], dict[str, Any]]:
    toots = {p["text"].split(" #")[0]: p for p in standins.mastodon.posts.values()}
    skeets = {p["record"]["text"].split(" #")[0]: p | {"uri": uri} for uri, p in standins.bluesky.posts.items()}
    return toots, skeets


async def test_a_corrected_post_is_changed_in_place_and_a_removed_one_deleted(social_hub: HubServer,
                                                                           standins: StandIns):
    mod, viewer = social_hub.moderator(), LiveClient(social_hub.url())
    await mod.connect()
    await viewer.connect()
    try:
        first = await posted(mod, "La minsitre ouvre la journée")
        second = str((await mod.command({"type": "feed.post", "text": "Elle salue les sept sites",
                                         "continues": first}))["result"]["post"])
        await mod.wait_for(everywhere("sent", first, second), timeout=60)
        toots, skeets = by_text(standins)
        toot_id, skeet_uri = toots["La minsitre ouvre la journée"]["id"], skeets["La minsitre ouvre la journée"]["uri"]
        created = skeets["La minsitre ouvre la journée"]["record"]["createdAt"]

        await mod.command({"type": "feed.edit", "post": first, "text": "La ministre ouvre la journée"})
        await viewer.wait_for(lambda v: v.state["posts"][first]["body"] == "La ministre ouvre la journée")
        assert viewer.state["posts"][first]["edited"] >= viewer.state["posts"][first]["at"]
        await mod.wait_for(lambda m: all(delivery(m, first, n).get("attempts") == 2 for n in NETWORKS)
                           and everywhere("sent", first)(m), timeout=60)
        toots, skeets = by_text(standins)
        toot, skeet = toots["La ministre ouvre la journée"], skeets["La ministre ouvre la journée"]
        # the same status and record, changed once; nothing new posted; the thread still under it
        assert toot["id"] == toot_id and toot["edits"] == 1 and toot["text"].endswith(" #EGNum")
        assert skeet["uri"] == skeet_uri and skeet["edits"] == 1 and skeet["record"]["createdAt"] == created
        assert len(standins.mastodon.posts) == 2 and len(standins.bluesky.posts) == 2
        assert toots["Elle salue les sept sites"]["reply_to"] == toot_id
        assert delivery(mod, first, "mastodon")["url"].endswith(f"/{toot_id}")

        await mod.command({"type": "feed.remove", "post": second})
        await viewer.wait_for(lambda v: second not in v.state["posts"])
        await mod.wait_for(everywhere("deleted", second), timeout=60)
        assert mod.state["posts"][second]["state"] == "removed"
        assert set(by_text(standins)[0]) == {"La ministre ouvre la journée"}
        assert len(standins.mastodon.deleted) == 1 and len(standins.bluesky.deleted) == 1
        report = social_hub.runtime.events[EVENT].state  # the figures count what stayed
        assert sum(1 for p in report.feed.posts.values() if p.kind == "live" and p.state.value == "published") == 1

        for cmd, code in [({"type": "feed.edit", "post": second, "text": "x"}, "post.bad_state"),
                          ({"type": "feed.remove", "post": second}, "post.bad_state"),
                          ({"type": "feed.edit", "post": first, "text": "La ministre ouvre la journée"},
                           "post.unchanged"),
                          ({"type": "feed.edit", "post": "p99999", "text": "x"}, "post.not_found")]:
            with pytest.raises(HubError) as refused:
                await mod.command(cmd)
            assert refused.value.code == code, cmd
        with pytest.raises(HubError) as forbidden:  # a viewer corrects nothing
            await viewer.command({"type": "feed.edit", "post": first, "text": "pirate"})
        assert forbidden.value.code.startswith("auth")
    finally:
        await mod.close()
        await viewer.close()


async def test_a_refused_post_goes_out_once_corrected(social_hub: HubServer, standins: StandIns):
    mod = social_hub.moderator()
    await mod.connect()
    try:
        post = await refused_by_bluesky(mod, standins)
        await mod.command({"type": "feed.edit", "post": post, "text": "Plus court"})
        await mod.wait_for(everywhere("sent", post), timeout=60)
        [skeet] = standins.bluesky.posts.values()
        [toot] = standins.mastodon.posts.values()
        assert skeet["record"]["text"] == "Plus court #EGNum" and toot["text"] == "Plus court #EGNum"
        assert toot["edits"] == 1 and delivery(mod, post, "bluesky")["reason"] is None
    finally:
        await mod.close()
