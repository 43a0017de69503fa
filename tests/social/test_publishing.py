"""Live posts on Mastodon and Bluesky (the stand-ins): once each, with the hashtag; retried
when a network is down, kept with the network's reason when it refuses; withdrawn."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from hub.client import HubError, LiveClient
from hub.domain.actors import Role

from ..http.test_http import tiny_png
from ..hubserver import EVENT, HubServer
from .standins import BLUESKY_PASSWORD, MASTODON_TOKEN, StandIns


def delivery(client: LiveClient, post: str, network: str) -> dict[str, Any]:
    return client.state.get("posts", {}).get(post, {}).get("social", {}).get(network, {})


async def posted(mod: LiveClient, text: str) -> str:
    return str((await mod.command({"type": "feed.post", "text": text}))["result"]["post"])


async def test_a_live_post_reaches_both_networks_once_with_the_hashtag(social_hub: HubServer, standins: StandIns):
    mod, viewer = social_hub.moderator(), LiveClient(social_hub.url())
    await mod.connect()
    await viewer.connect()
    try:
        post = await posted(mod, "Ouverture à Nancy : « le numérique, c'est nous » 🎉")
        await mod.wait_for(lambda m: all(delivery(m, post, n).get("state") == "sent"
                                         for n in ("mastodon", "bluesky")), timeout=60)
        [toot] = standins.mastodon.posts.values()
        assert toot["text"] == "Ouverture à Nancy : « le numérique, c'est nous » 🎉 #EGNum"
        [skeet] = standins.bluesky.posts.values()
        record = skeet["record"]
        assert record["text"].endswith(" #EGNum")
        [facet] = record["facets"]  # the hashtag is a tag on Bluesky, at its bytes
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert record["text"].encode()[start:end] == b"#EGNum" and facet["features"][0]["tag"] == "EGNum"
        mastodon = delivery(mod, post, "mastodon")
        assert mastodon["url"] == f"{standins.url}/@multiplex/{toot['id']}" and mastodon["attempts"] == 1
        assert delivery(mod, post, "bluesky")["url"].startswith("https://bsky.app/profile/")
        # everybody sees where it was published; only the régie sees how it went
        await viewer.wait_for(lambda v: delivery(v, post, "bluesky").get("state") == "sent")
        assert set(delivery(viewer, post, "mastodon")) == {"state", "url"}
        assert len(standins.mastodon.requests) == 1 and len(standins.bluesky.requests) == 1
    finally:
        await mod.close()
        await viewer.close()


async def test_a_network_that_is_down_is_tried_again_and_the_day_goes_on(social_hub: HubServer, standins: StandIns):
    standins.fail("mastodon", 503, times=2)
    standins.fail("bluesky", 429)
    mod = social_hub.moderator()
    await mod.connect()
    try:
        post = await posted(mod, "Atelier 2 : les tiers-lieux")
        await mod.wait_for(lambda m: delivery(m, post, "mastodon").get("state") == "failed", timeout=60)
        failed = delivery(mod, post, "mastodon")
        assert "503" in failed["reason"] and failed["retry_at"] is not None
        # the régie's view of each network, as this hub found it; not for anyone else
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{social_hub.settings.port}") as http:
            url = f"/api/events/{EVENT}/social"
            assert (await http.get(url)).status_code == 401
            health = (await http.get(url, headers={"Authorization": f"Bearer {social_hub.token(Role.MODERATOR)}"}))
            mastodon = health.json()["mastodon"]
            assert mastodon["account"] and mastodon["sending"]["state"] == "failing", health.json()
            assert "503" in mastodon["sending"]["reason"]
            assert MASTODON_TOKEN not in health.text and BLUESKY_PASSWORD not in health.text
        # meanwhile the live channel answers as ever
        question = await mod.command({"type": "feed.post", "text": "Pendant la panne"})
        assert question["result"]["post"]
        await mod.wait_for(lambda m: all(delivery(m, p, n).get("state") == "sent" for n in ("mastodon", "bluesky")
                                         for p in (post, question["result"]["post"])), timeout=90)
        assert delivery(mod, post, "mastodon")["attempts"] == 3
        assert delivery(mod, post, "bluesky")["attempts"] == 2
        assert len(standins.mastodon.posts) == 2 and len(standins.bluesky.posts) == 2
        texts = [p["text"] for p in standins.mastodon.posts.values()]
        assert texts == ["Atelier 2 : les tiers-lieux #EGNum", "Pendant la panne #EGNum"]  # in the posts' order
    finally:
        await mod.close()


async def refused_by_bluesky(mod: LiveClient, standins: StandIns) -> str:
    """A live post too long for Bluesky (the stand-in takes 30 graphemes): sent to Mastodon only."""
    standins.bluesky_limit = 30
    post = await posted(mod, "Un message bien trop long pour ce réseau-là")
    await mod.wait_for(lambda m: delivery(m, post, "bluesky").get("state") == "refused"
                       and delivery(m, post, "mastodon").get("state") == "sent", timeout=60)
    return post


async def test_a_refused_post_shows_the_networks_reason_and_the_regie_retries_or_withdraws(
        social_hub: HubServer, standins: StandIns):
    mod = social_hub.moderator()
    await mod.connect()
    try:
        post = await refused_by_bluesky(mod, standins)
        assert "must not be longer than 30 graphemes" in delivery(mod, post, "bluesky")["reason"]
        # refused is kept (not tried again by itself); the régie may retry: refused again, as it is
        await mod.command({"type": "social.retry", "post": post, "network": "bluesky"})
        await mod.wait_for(lambda m: delivery(m, post, "bluesky").get("attempts") == 2
                           and delivery(m, post, "bluesky").get("state") == "refused", timeout=60)
        assert len(standins.bluesky.requests) == 2 and not standins.bluesky.posts
        # withdrawn there: never sent; withdrawn from Mastodon, where it was sent: deleted there
        await mod.command({"type": "social.withdraw", "post": post, "network": "bluesky"})
        await mod.command({"type": "social.withdraw", "post": post, "network": "mastodon"})
        await mod.wait_for(lambda m: delivery(m, post, "mastodon").get("state") == "deleted", timeout=60)
        assert delivery(mod, post, "bluesky")["state"] == "withdrawn"
        assert not standins.mastodon.posts and len(standins.mastodon.deleted) == 1
        # bad commands: a clear code, nothing changed
        for cmd, code in [({"type": "social.retry", "post": post, "network": "bluesky"}, "social.bad_state"),
                          ({"type": "social.withdraw", "post": "p999", "network": "bluesky"}, "post.not_found")]:
            try:
                await mod.command(cmd)
            except Exception as exc:
                assert getattr(exc, "code", None) == code, exc
            else:
                raise AssertionError(f"{cmd} was taken")
    finally:
        await mod.close()


async def test_a_post_that_continues_another_is_a_thread_on_both_networks(social_hub: HubServer, standins: StandIns):
    mod = social_hub.moderator()
    await mod.connect()
    try:
        first = await posted(mod, "La ministre ouvre la journée")
        second = str((await mod.command({"type": "feed.post", "text": "« Le numérique éducatif se construit ici »",
                                         "continues": first}))["result"]["post"])
        third = str((await mod.command({"type": "feed.post", "text": "Elle salue les sept sites",
                                        "continues": second}))["result"]["post"])
        await mod.wait_for(lambda m: all(delivery(m, p, n).get("state") == "sent" for p in (first, second, third)
                                         for n in ("mastodon", "bluesky")), timeout=60)
        assert mod.state["posts"][second]["continues"] == first
        toots = {p["text"].split(" #")[0]: p for p in standins.mastodon.posts.values()}
        assert toots["La ministre ouvre la journée"]["reply_to"] is None
        assert toots["« Le numérique éducatif se construit ici »"]["reply_to"] == \
            toots["La ministre ouvre la journée"]["id"]
        middle_toot = toots["« Le numérique éducatif se construit ici »"]
        assert toots["Elle salue les sept sites"]["reply_to"] == middle_toot["id"]
        records = {p["record"]["text"].split(" #")[0]: (uri, p) for uri, p in standins.bluesky.posts.items()}
        root_uri, root = records["La ministre ouvre la journée"]
        middle_uri, middle = records["« Le numérique éducatif se construit ici »"]
        _, last = records["Elle salue les sept sites"]
        assert "reply" not in root["record"] or root["record"]["reply"] is None
        def ref(r: dict) -> tuple:
            return r["uri"], r["cid"]
        reply = middle["record"]["reply"]
        assert ref(reply["root"]) == (root_uri, root["cid"]) == ref(reply["parent"])
        assert last["record"]["reply"]["root"]["uri"] == root_uri
        assert ref(last["record"]["reply"]["parent"]) == (middle_uri, middle["cid"])
        with pytest.raises(HubError) as refused:  # it continues a live post, nothing else
            await mod.command({"type": "feed.post", "text": "x", "continues": "p99999"})
        assert refused.value.code == "post.not_found"
    finally:
        await mod.close()


async def test_a_live_post_with_a_photo_takes_it_to_both_networks(social_hub: HubServer, standins: StandIns):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{social_hub.settings.port}") as http:
        uploaded = await http.post(f"/api/events/{EVENT}/uploads", content=tiny_png(),
                                   headers={"Authorization": f"Bearer {social_hub.token(Role.MODERATOR)}",
                                            "Content-Type": "image/png"})
    assert uploaded.status_code == 201, uploaded.text
    mod = social_hub.moderator()
    await mod.connect()
    try:
        with pytest.raises(HubError) as refused:  # a photo is uploaded to the hub first
            await mod.command({"type": "feed.post", "text": "x", "photo": f"/media/uploads/{EVENT}/{'0' * 32}.png"})
        assert refused.value.code == "post.photo"
        post = str((await mod.command({"type": "feed.post", "text": "La salle de Reims",
                                       "photo": uploaded.json()["url"]}))["result"]["post"])
        await mod.wait_for(lambda m: all(delivery(m, post, n).get("state") == "sent" for n in ("mastodon", "bluesky")),
                           timeout=60)
        assert mod.state["posts"][post]["photo"] == uploaded.json()["url"]
        [toot] = standins.mastodon.posts.values()
        assert [m["type"] for m in toot["media"]] == ["image"]
        [skeet] = standins.bluesky.posts.values()
        [image] = skeet["record"]["embed"]["images"]
        assert image["image"]["size"] == len(tiny_png())
    finally:
        await mod.close()
