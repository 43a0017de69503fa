"""The social networks' rules, without a server: one claim wins, a lease runs out, answers
are recorded once; the hashtag's posts kept once, bounded, pre-moderated and counted."""
from __future__ import annotations

import msgspec

from hub.domain import commands as c
from hub.domain import report, social
from hub.domain.actors import Actor, Role
from hub.domain.feed import render as feed_render
from hub.domain.redaction import ERASED, redact
from hub.domain.state import Entry, fold

from .helpers import MOD, World, make_config

HUB_A, HUB_B = Actor(role=Role.SYSTEM, pid="node:a"), Actor(role=Role.SYSTEM, pid="node:b")


def world() -> World:
    return World(make_config(social=["mastodon", "bluesky"]))


def live_post(w: World, text: str = "Ouverture") -> str:
    return str(w.ok(MOD, c.PostLive(text=text))["post"])


def claim(post: str, holder: str, network: str = "mastodon", lease_ms: int = 30_000) -> c.ClaimSocialPost:
    return c.ClaimSocialPost(post=post, network=network, holder=holder, lease_ms=lease_ms)  # type: ignore[arg-type]


def out(w: World, post: str, network: str = "mastodon") -> social.Outbound:
    return social.outbound(w.state.feed.posts[post], network)


def test_the_first_claim_wins_and_the_answer_is_recorded_once():
    w = world()
    post = live_post(w)
    assert social.due(w.state.feed.posts[post], "mastodon", w.clock)
    w.ok(HUB_A, claim(post, "a"))
    assert w.refused(HUB_B, claim(post, "b")) == "social.claimed"
    # only the holder answers a failure; anyone's "sent" is the same post (the same key)
    assert w.refused(HUB_B, c.SocialPostFailed(post=post, network="mastodon", holder="b", reason="x")) \
        == "social.not_held"
    w.ok(HUB_A, c.SocialPostSent(post=post, network="mastodon", holder="a", remote_id="109", url="https://m.ex/1"))
    assert out(w, post).state is social.Delivery.SENT and out(w, post).remote_id == "109"
    assert w.refused(HUB_A, c.SocialPostSent(post=post, network="mastodon", holder="a", remote_id="110")) \
        == "social.not_held"
    assert w.refused(HUB_A, claim(post, "a")) == "social.claimed"  # sent: nothing more to do
    assert out(w, post, "bluesky").state is social.Delivery.QUEUED  # each network apart


def test_a_claim_whose_hub_died_is_taken_back_by_it_at_once_or_by_another_after_its_lease():
    w = world()
    post = live_post(w)
    w.ok(HUB_A, claim(post, "a", lease_ms=5_000))
    assert w.refused(HUB_B, claim(post, "b")) == "social.claimed"
    w.ok(HUB_A, claim(post, "a"))  # restarted with the same node id
    assert out(w, post).attempts == 2
    w.clock += 60_000  # past the lease
    w.ok(HUB_B, claim(post, "b"))
    assert out(w, post).holder == "b" and out(w, post).attempts == 3


def test_failures_back_off_refusals_wait_for_the_regie_and_withdrawing_deletes_what_was_sent():
    w = world()
    post = live_post(w)
    w.ok(HUB_A, claim(post, "a"))
    w.ok(HUB_A, c.SocialPostFailed(post=post, network="mastodon", holder="a", reason="503", retry_in_ms=4_000))
    o = out(w, post)
    assert o.state is social.Delivery.FAILED and o.retry_at == w.clock + 4_000 and o.reason == "503"
    assert not social.due(w.state.feed.posts[post], "mastodon", w.clock)
    assert social.due(w.state.feed.posts[post], "mastodon", w.clock + 4_000)
    w.clock += 5_000
    w.ok(HUB_A, claim(post, "a"))
    w.ok(HUB_A, c.SocialPostFailed(post=post, network="mastodon", holder="a", reason="422 too long"))
    assert out(w, post).state is social.Delivery.REFUSED
    assert not social.due(w.state.feed.posts[post], "mastodon", w.clock + 10**9)
    w.ok(MOD, c.RetrySocialPost(post=post, network="mastodon"))
    w.ok(HUB_A, claim(post, "a"))
    w.ok(HUB_A, c.SocialPostSent(post=post, network="mastodon", holder="a", remote_id="1"))
    assert w.refused(MOD, c.RetrySocialPost(post=post, network="mastodon")) == "social.bad_state"
    w.ok(MOD, c.WithdrawSocialPost(post=post, network="mastodon"))
    assert out(w, post).state is social.Delivery.DELETING
    w.ok(HUB_B, claim(post, "b"))  # a deletion is claimed like a sending
    w.ok(HUB_B, c.SocialPostDeleted(post=post, network="mastodon", holder="b"))
    assert out(w, post).state is social.Delivery.DELETED
    w.ok(MOD, c.WithdrawSocialPost(post=post, network="bluesky"))  # never sent there
    assert out(w, post, "bluesky").state is social.Delivery.WITHDRAWN
    assert w.refused(HUB_A, claim(post, "a", network="bluesky")) == "social.claimed"


def test_an_event_without_the_network_refuses_it():
    w = World()  # no `social:` in its file
    post = live_post(w)
    assert w.refused(HUB_A, claim(post, "a")) == "social.network"
    assert w.refused(HUB_A, c.SocialReceived(network="mastodon", posts=[])) == "social.network"


def incoming(n: int, handle: str = "claire@m.ex", text: str = "Bravo #EGNum") -> c.IncomingPost:
    return c.IncomingPost(remote_id=str(n), at=1_600_000_000_000 + n * 60_000, author="Claire", handle=handle,
                          text=text, url=f"https://m.ex/@claire/{n}")


def test_the_hashtags_posts_are_kept_once_cleaned_pre_moderated_and_counted():
    w = world()
    own = live_post(w, "Notre message")
    w.ok(HUB_A, claim(own, "a"))
    w.ok(HUB_A, c.SocialPostSent(post=own, network="mastodon", holder="a", remote_id="500"))
    hostile = c.IncomingPost(remote_id="2", at=1_600_000_000_000, author="\u202eevil\x00", handle="x@y",
                             text="a\u202e\u0007 <b>b</b>", url="javascript:alert(1)")
    result = w.ok(HUB_A, c.SocialReceived(network="mastodon", posts=[incoming(1), hostile, incoming(1),
                                                                      incoming(500)], cursor="2"))
    assert result["received"] == 2  # the duplicate and the event's own post left out
    assert w.ok(HUB_B, c.SocialReceived(network="mastodon", posts=[incoming(1)]))["received"] == 0  # another hub
    posts = {p.remote_id: p for p in w.state.feed.posts.values() if p.kind == "social"}
    assert posts["2"].body == "a <b>b</b>" and posts["2"].author == "evil" and posts["2"].url is None
    assert all(p.state.value == "pending" for p in posts.values())
    assert w.state.feed.cursors == {"mastodon": "2"}
    from hub.domain import views
    public = views.snapshot(w.state, w.config, "public")["posts"]
    assert not [p for p in public.values() if p["kind"] == "social"]  # nobody sees them before the régie
    w.ok(MOD, c.ShowSocialPost(post=posts["1"].id))
    public = views.snapshot(w.state, w.config, "public")["posts"]
    assert public[posts["1"].id]["network"] == "mastodon" and public[posts["1"].id]["handle"] == "claire@m.ex"
    w.ok(MOD, c.BlockSocialAccount(network="mastodon", handle="claire@m.ex"))
    assert posts["1"].state.value == "rejected"
    w.ok(HUB_A, c.SocialReceived(network="mastodon", posts=[incoming(3)]))
    assert [p.state.value for p in w.state.feed.posts.values() if p.remote_id == "3"] == ["rejected"]
    assert w.refused(MOD, c.ShowSocialPost(post=posts["1"].id)) == "social.blocked"
    assert w.refused(MOD, c.ShowSocialPost(post=own)) == "post.not_found"  # a live post is not a network's
    figures = report.figures(w.state, w.config)["social"]
    assert figures["total"] == 3 and figures["by_network"]["mastodon"]["total"] == 3
    assert figures["live_posts_sent"] == {"mastodon": 1, "bluesky": 0}


def test_the_purge_erases_the_networks_posts_but_keeps_their_counts():
    w = world()
    entries = []
    for actor, cmd in [(HUB_A, c.SocialReceived(network="bluesky", posts=[incoming(1), incoming(90)])),
                       (MOD, c.BlockSocialAccount(network="bluesky", handle="claire@m.ex"))]:
        w.clock += 1
        entries.append((w.state.seq + 1, Entry(at=w.clock, actor=actor, cmd=cmd)))
        w.do(actor, cmd)
    purged = fold(w.config, [(seq, redact(e, b"salt")) for seq, e in entries])
    assert report.figures(purged, w.config)["social"] == report.figures(w.state, w.config)["social"]
    for post in purged.feed.posts.values():
        assert post.body == ERASED and post.author is None and post.handle is None and post.url is None


def test_a_received_batch_is_bounded_by_its_type():
    too_many = msgspec.json.encode({"type": "social.received", "network": "mastodon",
                                    "posts": [msgspec.structs.asdict(incoming(i)) for i in range(101)]})
    try:
        msgspec.json.decode(too_many, type=c.AnyCommand)
    except msgspec.ValidationError as exc:
        assert "posts" in str(exc)
    else:
        raise AssertionError("101 posts in one entry were taken")


def sent(w: World, post: str, holder: str = "a", network: str = "mastodon", remote_id: str = "109") -> None:
    w.ok(HUB_A, claim(post, holder, network))
    w.ok(HUB_A, c.SocialPostSent(post=post, network=network, holder=holder, remote_id=remote_id,  # type: ignore[arg-type]
                                 url=f"https://m.ex/{remote_id}"))


def test_a_corrected_post_is_changed_where_it_was_sent_and_goes_out_as_corrected_elsewhere():
    w = world()
    post = live_post(w, "Ouvertrue")
    sent(w, post)
    w.ok(MOD, c.EditLivePost(post=post, text="Ouverture"))
    body = w.state.feed.posts[post]
    assert body.body == "Ouverture" and body.edited == w.clock
    # on Mastodon it is queued again, as a correction (its remote id kept); Bluesky had nothing yet
    assert out(w, post).state is social.Delivery.QUEUED and out(w, post).remote_id == "109"
    assert out(w, post, "bluesky").state is social.Delivery.QUEUED and out(w, post, "bluesky").remote_id is None
    assert social.due(body, "mastodon", w.clock)
    assert social.sent_counts(w.state.feed, ["mastodon"]) == {"mastodon": 1}  # still there meanwhile
    assert w.refused(MOD, c.EditLivePost(post=post, text="Ouverture")) == "post.unchanged"
    assert w.refused(MOD, c.EditLivePost(post=post, text=" ")) == "post.empty"
    assert w.refused(MOD, c.EditLivePost(post=post, text="x" * 5000)) == "post.too_long"
    assert w.refused(MOD, c.EditLivePost(post="p-nope", text="x")) == "post.not_found"
    sent(w, post)  # the correction's answer
    assert out(w, post).state is social.Delivery.SENT


def test_a_post_corrected_while_it_is_sent_is_sent_again_and_a_refused_one_is_tried_again():
    w = world()
    post = live_post(w, "Trop long")
    w.ok(HUB_A, claim(post, "a"))
    w.ok(MOD, c.EditLivePost(post=post, text="Plus court"))
    assert out(w, post).stale and out(w, post).state is social.Delivery.SENDING
    w.ok(HUB_A, c.SocialPostSent(post=post, network="mastodon", holder="a", remote_id="7"))
    assert out(w, post).state is social.Delivery.QUEUED and not out(w, post).stale  # the correction follows
    w.ok(HUB_A, claim(post, "a", "bluesky"))
    w.ok(HUB_A, c.SocialPostFailed(post=post, network="bluesky", holder="a", reason="too long"))
    assert out(w, post, "bluesky").state is social.Delivery.REFUSED
    w.ok(MOD, c.EditLivePost(post=post, text="Court"))
    assert out(w, post, "bluesky").state is social.Delivery.QUEUED and out(w, post, "bluesky").reason is None


def test_a_post_taken_back_leaves_the_feed_and_is_deleted_from_the_networks_it_reached():
    w = world()
    post = live_post(w)
    sent(w, post)
    w.ok(MOD, c.RemoveLivePost(post=post))
    body = w.state.feed.posts[post]
    assert body.state is social.PostState.REMOVED
    assert out(w, post).state is social.Delivery.DELETING and social.due(body, "mastodon", w.clock)
    assert out(w, post, "bluesky").state is social.Delivery.WITHDRAWN  # never sent there
    assert not social.due(body, "bluesky", w.clock)
    assert w.refused(MOD, c.RemoveLivePost(post=post)) == "post.bad_state"
    assert w.refused(MOD, c.EditLivePost(post=post, text="x")) == "post.bad_state"
    assert report.figures(w.state, w.config)["live_posts"] == 0  # taken back: not counted
    # viewers no longer see it; the régie does, with its deletion's progress
    assert feed_render(body, "public", None) is None and feed_render(body, "mod", None) is not None


def test_a_post_taken_back_while_it_is_sent_is_deleted_once_its_answer_is_in():
    w = world()
    post = live_post(w)
    w.ok(HUB_A, claim(post, "a"))
    w.ok(HUB_A, claim(post, "a", "bluesky"))
    w.ok(MOD, c.RemoveLivePost(post=post))
    w.ok(HUB_A, c.SocialPostSent(post=post, network="mastodon", holder="a", remote_id="8"))
    assert out(w, post).state is social.Delivery.DELETING
    # the other network's try failed: it may have got there, so it is tried again (same key), then deleted
    w.ok(HUB_A, c.SocialPostFailed(post=post, network="bluesky", holder="a", reason="timeout", retry_in_ms=1000))
    assert not social.due(w.state.feed.posts[post], "bluesky", w.clock)
    w.clock += 2_000
    assert social.due(w.state.feed.posts[post], "bluesky", w.clock)
    w.ok(HUB_A, claim(post, "a", "bluesky"))
    w.ok(HUB_A, c.SocialPostFailed(post=post, network="bluesky", holder="a", reason="refused"))
    assert out(w, post, "bluesky").state is social.Delivery.WITHDRAWN  # refused: not there


def test_a_reply_goes_under_a_parent_being_corrected_and_starts_afresh_when_it_was_taken_back():
    w = world()
    first = live_post(w, "Un")
    sent(w, first)
    w.ok(MOD, c.EditLivePost(post=first, text="Un (corrigé)"))
    second = str(w.ok(MOD, c.PostLive(text="Deux", continues=first))["post"])
    feed = w.state.feed
    assert not social.waits_for_parent(feed, feed.posts[second], "mastodon")
    answered = social.thread(feed, feed.posts[second], "mastodon")
    assert answered is not None and answered[1].remote_id == "109"
    w.ok(MOD, c.RemoveLivePost(post=first))
    assert social.thread(feed, feed.posts[second], "mastodon") is None
    assert not social.waits_for_parent(feed, feed.posts[second], "bluesky")  # its parent will never be there
