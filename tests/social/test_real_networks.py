"""The adapters against the real networks: only with an account given (tests never create one,
and CI has no internet). It publishes one post with the hashtag, finds it by the hashtag, and
deletes it.

    HUB_SOCIAL_TEST_MASTODON_URL=https://… HUB_SOCIAL_TEST_MASTODON_TOKEN=…
    HUB_SOCIAL_TEST_BLUESKY_HANDLE=… HUB_SOCIAL_TEST_BLUESKY_PASSWORD=… (an app password)
    HUB_SOCIAL_TEST_HASHTAG=#a-tag-of-your-own
"""
from __future__ import annotations

import asyncio
import os
import secrets
import time

import pytest

from hub.social.bluesky import BlueskyAccount
from hub.social.mastodon import MastodonAccount
from hub.social.networks import Network, Outgoing

ENV = os.environ.get


def accounts() -> list[tuple[str, Network | None, str]]:
    mastodon = (MastodonAccount(ENV("HUB_SOCIAL_TEST_MASTODON_URL", ""), ENV("HUB_SOCIAL_TEST_MASTODON_TOKEN", ""), 30)
                if ENV("HUB_SOCIAL_TEST_MASTODON_URL") and ENV("HUB_SOCIAL_TEST_MASTODON_TOKEN") else None)
    bluesky = (BlueskyAccount(ENV("HUB_SOCIAL_TEST_BLUESKY_URL", "https://bsky.social"),
                              ENV("HUB_SOCIAL_TEST_BLUESKY_HANDLE", ""),
                              ENV("HUB_SOCIAL_TEST_BLUESKY_PASSWORD", ""), 30)
               if ENV("HUB_SOCIAL_TEST_BLUESKY_HANDLE") and ENV("HUB_SOCIAL_TEST_BLUESKY_PASSWORD") else None)
    return [("mastodon", mastodon, "HUB_SOCIAL_TEST_MASTODON_URL and HUB_SOCIAL_TEST_MASTODON_TOKEN"),
            ("bluesky", bluesky, "HUB_SOCIAL_TEST_BLUESKY_HANDLE and HUB_SOCIAL_TEST_BLUESKY_PASSWORD")]


@pytest.mark.parametrize("name, account, needs", accounts(), ids=lambda v: v if isinstance(v, str) else "")
async def test_publish_find_and_delete_on_the_real_network(name, account, needs):
    if account is None or not ENV("HUB_SOCIAL_TEST_HASHTAG"):
        pytest.skip(f"no {name} account to test with: set {needs}, and HUB_SOCIAL_TEST_HASHTAG")
    tag = ENV("HUB_SOCIAL_TEST_HASHTAG", "")
    post = Outgoing(key=secrets.token_hex(16), at=int(time.time() * 1000),
                    text=f"Multiplex : essai automatique {secrets.token_hex(3)}", hashtag=tag, photo=None)
    published = await account.publish(post)
    try:
        again = await account.publish(post)  # the same key: the same post
        assert again.remote_id == published.remote_id
        deadline = time.monotonic() + 120  # the networks index a post within seconds to a minute
        while True:
            found, _ = await account.search(tag, "")
            if any(post.text in f.text for f in found):
                break
            assert time.monotonic() < deadline, f"{name}: the post never showed under {tag}"
            await asyncio.sleep(5)
    finally:
        await account.delete(post, published.remote_id)
