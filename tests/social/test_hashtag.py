"""The hashtag's conversation, in: the networks' public posts arrive in the log, wait for the
régie (show, hide, block an account), reach the viewers as text, and are counted per network."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.client import HubError, LiveClient

from ..hubserver import EVENT, HubServer
from .conftest import hub_on_standins
from .standins import StandIns

HOSTILE = '<p>Super atelier <script>alert(1)</script><img src="x" onerror="alert(2)"> à Reims&nbsp;! ' \
          '<a href="https://example.org/tags/EGNum">#<span>EGNum</span></a></p>'


@pytest.fixture
async def reading_hub(tmp_path: Path, standins: StandIns):
    hub = hub_on_standins(tmp_path, standins, social_poll_s=0.2)
    await hub.start()
    yield hub
    await hub.stop()


def social_posts(client: LiveClient) -> dict[str, dict[str, Any]]:
    return {i: p for i, p in client.state.get("posts", {}).items() if p["kind"] == "social"}


async def test_the_hashtags_posts_wait_for_the_regie_and_reach_viewers_as_text(reading_hub: HubServer,
                                                                              standins: StandIns):
    hub = reading_hub
    standins.garbage = 2  # the first reads of Mastodon are nonsense: skipped, read again
    standins.someone_posts("mastodon", "", html=HOSTILE, handle="claire@mastodon.example", author="Claire\u202e D.")
    standins.someone_posts("bluesky", "Bravo les collègues de Nancy #EGNum \x07", handle="marc.bsky.social",
                           author="Marc")
    standins.someone_posts("bluesky", "Rien à voir avec l'événement", handle="autre.bsky.social")
    mod, viewer = hub.moderator(), LiveClient(hub.url())
    await mod.connect()
    await viewer.connect()
    try:
        # the event's own live post comes back under the hashtag: not the conversation
        await mod.command({"type": "feed.post", "text": "Notre propre message"})
        await mod.wait_for(lambda m: len(social_posts(m)) == 2, timeout=60)
        by_network = {p["network"]: p for p in social_posts(mod).values()}
        toot, skeet = by_network["mastodon"], by_network["bluesky"]
        assert toot["state"] == "pending" and skeet["state"] == "pending"
        assert toot["body"] == "Super atelier alert(1) à Reims ! #EGNum"  # text, never HTML
        assert toot["author"] == "Claire D." and toot["handle"] == "claire@mastodon.example"
        assert skeet["body"] == "Bravo les collègues de Nancy #EGNum" and skeet["handle"] == "marc.bsky.social"
        assert skeet["url"].startswith("https://bsky.app/profile/marc.bsky.social/post/")
        assert social_posts(viewer) == {}  # pre-moderated: nobody sees them yet

        await mod.command({"type": "social.show", "post": toot["id"]})
        await viewer.wait_for(lambda v: toot["id"] in social_posts(v), timeout=30)
        shown = social_posts(viewer)[toot["id"]]
        assert shown["network"] == "mastodon" and shown["handle"] == "claire@mastodon.example"
        await mod.command({"type": "social.hide", "post": toot["id"]})
        await viewer.wait_for(lambda v: toot["id"] not in social_posts(v), timeout=30)

        # an account blocked: what it posted and what it posts next stay hidden (still counted)
        await mod.command({"type": "social.block", "network": "bluesky", "handle": "marc.bsky.social"})
        standins.someone_posts("bluesky", "Encore moi #EGNum", handle="marc.bsky.social")
        await mod.wait_for(lambda m: len(social_posts(m)) == 3, timeout=60)
        # a post dated before the newest one read (its author's clock is late) is read all the same
        standins.someone_posts("bluesky", "Mon horloge retarde #EGNum", handle="lent.bsky.social", ago_s=120)
        await mod.wait_for(lambda m: len(social_posts(m)) == 4, timeout=60)
        assert any(p["body"] == "Mon horloge retarde #EGNum" and p["state"] == "pending"
                   for p in social_posts(mod).values())
        assert {p["state"] for p in social_posts(mod).values() if p["handle"] == "marc.bsky.social"} == {"rejected"}
        with pytest.raises(HubError) as refused:
            await mod.command({"type": "social.show", "post": skeet["id"]})
        assert refused.value.code == "social.blocked"

        feed = hub.runtime.events[EVENT].state.feed
        assert {n: sum(h.values()) for n, h in feed.received.items()} == {"mastodon": 1, "bluesky": 3}
        assert len(feed.seen) == 4  # each kept once, however many reads
    finally:
        await mod.close()
        await viewer.close()
