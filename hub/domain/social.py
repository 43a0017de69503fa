"""Live posts published to the event's social networks, exactly once.

A post's delivery to a network is decided through the log: a hub's publisher claims it
(`social.claim`, a lease), sends it, and writes what the network answered (`social.sent`
with the remote id, or `social.failed`). Whichever claim the log orders first wins; a hub
that died holding one leaves it to the next claim once the lease is over, and that one
sends with the same idempotency key (hub/social), so the network keeps one post.
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .feed import LIVE, SOCIAL, FeedState, Post, PostState, live_text_limit
from .outbound import Delivery, Outbound
from .text import checked, clean

BACKOFF_CAP_MS = 300_000
HOUR_MS = 3_600_000
INCOMING_TEXT = 1000   # a network's post as shown here, at most (the networks allow 300 to 500)


CLAIMABLE = (Delivery.QUEUED, Delivery.FAILED, Delivery.SENDING, Delivery.DELETING)
WITHDRAWABLE = (Delivery.QUEUED, Delivery.FAILED, Delivery.REFUSED, Delivery.SENT)  # not while a send is out


def outbound(post: Post, network: str) -> Outbound:
    return post.social.get(network) or Outbound()


def due(post: Post, network: str, now: int) -> bool:
    """Whether a publisher should claim this delivery at `now` (ms)."""
    if post.kind != LIVE:
        return False
    out = outbound(post, network)
    if out.state in (Delivery.SENDING, Delivery.DELETING):
        return now >= out.until  # its publisher died, or hangs: the next one takes it
    if out.state is Delivery.FAILED:
        # (a post taken back meanwhile too: the try that failed may have reached the network,
        # so it is tried again, with the same key, and then deleted)
        return out.retry_at is None or now >= out.retry_at
    return out.state is Delivery.QUEUED and post.state is PostState.PUBLISHED


def _live_post(state: FeedState, post_id: str) -> Post:
    post = state.posts.get(post_id)
    if post is None or post.kind != LIVE:
        raise DomainError("post.not_found", f"no live post {post_id}", post=post_id)
    return post


def _live(state: FeedState, ctx: Ctx, post_id: str, network: str) -> Post:
    post = _live_post(state, post_id)
    require(network in ctx.config.social, "social.network", f"this event does not publish to {network}",
            network=network)
    return post


def _changed(post: Post, network: str, out: Outbound, fx: Effects) -> None:
    post.social[network] = out
    fx.now.append(("post", post.id))
    fx.result.update(post=post.id, network=network, state=out.state.value)


def claim(state: FeedState, ctx: Ctx, cmd: c.ClaimSocialPost, fx: Effects) -> Commit:
    post = _live(state, ctx, cmd.post, cmd.network)
    out = outbound(post, cmd.network)
    mine_again = out.holder == cmd.holder and out.state in (Delivery.SENDING, Delivery.DELETING)
    require(out.state in CLAIMABLE and (due(post, cmd.network, ctx.at) or mine_again), "social.claimed",
            f"{cmd.network}: this post is {out.state.value}" + (f" by {out.holder}" if out.holder else ""),
            post=post.id, network=cmd.network, state=out.state.value)
    action = Delivery.DELETING if out.state is Delivery.DELETING else Delivery.SENDING

    def commit() -> None:
        _changed(post, cmd.network, msgspec.structs.replace(
            out, state=action, attempts=out.attempts + 1, holder=cmd.holder, until=ctx.at + cmd.lease_ms,
            retry_at=None), fx)
        fx.result["attempt"] = out.attempts + 1
    return commit


def _held(state: FeedState, ctx: Ctx, cmd: c.SocialPostSent | c.SocialPostFailed | c.SocialPostDeleted,
          *states: Delivery) -> tuple[Post, Outbound]:
    post = _live(state, ctx, cmd.post, cmd.network)
    out = outbound(post, cmd.network)
    require(out.state in states and out.holder == cmd.holder, "social.not_held",
            f"{cmd.network}: {cmd.holder} does not hold this post (it is {out.state.value})",
            post=post.id, network=cmd.network, state=out.state.value)
    return post, out


def sent(state: FeedState, ctx: Ctx, cmd: c.SocialPostSent, fx: Effects) -> Commit:
    post = _live(state, ctx, cmd.post, cmd.network)
    out = outbound(post, cmd.network)
    # A publisher whose claim ran out may still answer: the network's id is the same post (the
    # idempotency key), so it is recorded, unless the post is recorded as sent already.
    require(out.state in (Delivery.SENDING, Delivery.FAILED), "social.not_held",
            f"{cmd.network}: this post is {out.state.value}", post=post.id, network=cmd.network,
            state=out.state.value)

    # Taken back or corrected while it was being sent: now that it is there, it is deleted,
    # or sent again (the correction).
    then = Delivery.DELETING if post.state is PostState.REMOVED else Delivery.QUEUED if out.stale else Delivery.SENT

    def commit() -> None:
        _changed(post, cmd.network, msgspec.structs.replace(
            out, state=then, holder=None, until=0, remote_id=cmd.remote_id, url=cmd.url or None,
            ref=cmd.ref or None, reason=None, stale=False), fx)
    return commit


def failed(state: FeedState, ctx: Ctx, cmd: c.SocialPostFailed, fx: Effects) -> Commit:
    post, out = _held(state, ctx, cmd, Delivery.SENDING, Delivery.DELETING)
    deleting = out.state is Delivery.DELETING

    def commit() -> None:
        if cmd.retry_in_ms is None and not deleting:
            # refused: not there (or there as before the refused correction); taken back meanwhile,
            # it is never sent, or deleted
            refused = _gone(out) if post.state is PostState.REMOVED else Delivery.REFUSED
            new = msgspec.structs.replace(out, state=refused, holder=None, until=0, reason=cmd.reason,
                                          stale=False)
        else:  # a deletion is tried again however it failed: it was the régie's decision
            wait = cmd.retry_in_ms if cmd.retry_in_ms is not None else backoff_ms(out.attempts)
            # a deletion that fails stays a deletion, claimable again once its wait is over
            new = msgspec.structs.replace(out, state=Delivery.DELETING if deleting else Delivery.FAILED,
                                          holder=None, until=ctx.at + wait if deleting else 0,
                                          retry_at=None if deleting else ctx.at + wait, reason=cmd.reason,
                                          stale=False)
        _changed(post, cmd.network, new, fx)
    return commit


def deleted(state: FeedState, ctx: Ctx, cmd: c.SocialPostDeleted, fx: Effects) -> Commit:
    post, out = _held(state, ctx, cmd, Delivery.DELETING)

    def commit() -> None:
        _changed(post, cmd.network, msgspec.structs.replace(out, state=Delivery.DELETED, holder=None, until=0,
                                                           reason=None), fx)
    return commit


def retry(state: FeedState, ctx: Ctx, cmd: c.RetrySocialPost, fx: Effects) -> Commit:
    post = _live(state, ctx, cmd.post, cmd.network)
    out = outbound(post, cmd.network)
    require(out.state in (Delivery.FAILED, Delivery.REFUSED), "social.bad_state",
            f"{cmd.network}: this post is {out.state.value}, not failed", post=post.id, network=cmd.network,
            state=out.state.value)

    def commit() -> None:
        _changed(post, cmd.network, msgspec.structs.replace(out, state=Delivery.QUEUED, retry_at=None), fx)
    return commit


def withdraw(state: FeedState, ctx: Ctx, cmd: c.WithdrawSocialPost, fx: Effects) -> Commit:
    post = _live(state, ctx, cmd.post, cmd.network)
    out = outbound(post, cmd.network)
    require(out.state in WITHDRAWABLE, "social.bad_state",
            f"{cmd.network}: this post is {out.state.value}: wait for its answer", post=post.id,
            network=cmd.network, state=out.state.value)

    def commit() -> None:
        _changed(post, cmd.network, _withdrawn(out), fx)
    return commit


def _gone(out: Outbound) -> Delivery:
    return Delivery.DELETING if out.remote_id else Delivery.WITHDRAWN


def _withdrawn(out: Outbound) -> Outbound:
    """On the network (sent, or a correction pending): a publisher deletes it; else never sent."""
    return msgspec.structs.replace(out, state=_gone(out), holder=None, until=0, retry_at=None)


def on_network(out: Outbound) -> bool:
    """Whether the post is there now (sent; or sent, with a correction pending)."""
    return out.remote_id is not None and out.state not in (Delivery.DELETING, Delivery.DELETED)


# -- a live post changed after it was posted -------------------------------------------------
def _published_live(state: FeedState, post_id: str) -> Post:
    post = _live_post(state, post_id)
    require(post.state is PostState.PUBLISHED, "post.bad_state", f"post {post.id} is {post.state.value}",
            post=post.id, state=post.state.value)
    return post


def edit_live(state: FeedState, ctx: Ctx, cmd: c.EditLivePost, fx: Effects) -> Commit:
    """The text changes here at once; on each network as soon as a publisher gets to it. Not
    sent yet: it goes out as corrected. Sent: it is changed there. Being sent: changed there
    once its answer is in. Refused: the correction is the régie's answer, so it is tried again."""
    post = _published_live(state, cmd.post)
    text = checked(cmd.text, limit=live_text_limit(ctx, cmd.text), code="post", what="the post")
    require(text != post.body, "post.unchanged", "the post says this already", post=post.id)

    def commit() -> None:
        post.body, post.edited = text, ctx.at
        for network, out in post.social.items():
            if out.state in (Delivery.SENT, Delivery.REFUSED):
                post.social[network] = msgspec.structs.replace(out, state=Delivery.QUEUED, retry_at=None, reason=None)
            elif out.state is Delivery.SENDING:
                post.social[network] = msgspec.structs.replace(out, stale=True)
        fx.now.append(("post", post.id))
        fx.result["post"] = post.id
    return commit


def remove_live(state: FeedState, ctx: Ctx, cmd: c.RemoveLivePost, fx: Effects) -> Commit:
    """Off the feed at once; deleted from each network it reached (one being sent: once its
    answer is in), never sent to the others."""
    post = _published_live(state, cmd.post)

    def commit() -> None:
        post.state = PostState.REMOVED
        for network in ctx.config.social:
            out = outbound(post, network)
            if out.state in WITHDRAWABLE:
                post.social[network] = _withdrawn(out)
        fx.now.append(("post", post.id))
        fx.result["post"] = post.id
    return commit


def thread(state: FeedState, post: Post, network: str) -> tuple[Outbound, Outbound] | None:
    """What a live post answers on a network: (the root, the parent) as sent there, or None.
    The parent not there (refused, withdrawn): the post starts afresh."""
    parent = state.posts.get(post.continues) if post.continues else None
    if parent is None or not on_network(outbound(parent, network)):
        return None
    root, seen = parent, {post.id}
    while root.continues and root.id not in seen:
        seen.add(root.id)
        above = state.posts.get(root.continues)
        if above is None or not on_network(outbound(above, network)):
            break
        root = above
    return outbound(root, network), outbound(parent, network)


def waits_for_parent(state: FeedState, post: Post, network: str) -> bool:
    """A post that continues another waits while that one may still be sent there."""
    parent = state.posts.get(post.continues) if post.continues else None
    if parent is None or parent.state is PostState.REMOVED:
        return False
    out = outbound(parent, network)
    return not on_network(out) and out.state in (Delivery.QUEUED, Delivery.SENDING, Delivery.FAILED)


def backoff_ms(attempts: int) -> int:
    """2 s, 4 s, 8 s… at most 5 minutes between two tries."""
    return int(min(2_000 * 2 ** max(attempts - 1, 0), BACKOFF_CAP_MS))


def render(post: Post, networks: list[str], staff: bool) -> dict[str, Any]:
    """Per network: everybody sees where it was published (the link); the régie sees each state."""
    out: dict[str, Any] = {}
    for network in networks:
        o = outbound(post, network)
        if staff:
            out[network] = {"state": o.state.value, "url": o.url, "reason": o.reason, "attempts": o.attempts,
                            "retry_at": o.retry_at}
        elif on_network(o) and o.url:
            out[network] = {"state": o.state.value, "url": o.url}
    return out


# -- inbound: the hashtag's conversation ---------------------------------------------------
def _own(state: FeedState, network: str) -> set[str]:
    """The event's own posts come back under the hashtag: they are not the conversation."""
    return {o.remote_id for p in state.posts.values() if p.kind == LIVE
            for n, o in p.social.items() if n == network and o.remote_id}


def _web(url: str) -> str | None:
    return url if url.startswith(("https://", "http://")) and len(url) <= 300 else None


def receive(state: FeedState, ctx: Ctx, cmd: c.SocialReceived, fx: Effects) -> Commit:
    require(cmd.network in ctx.config.social, "social.network", f"this event does not follow {cmd.network}",
            network=cmd.network)
    own = _own(state, cmd.network)
    fresh: list[c.IncomingPost] = []
    for item in cmd.posts:  # each kept once, whatever the number of pollers or overlaps
        key = f"{cmd.network}:{item.remote_id}"
        if key not in state.seen and item.remote_id not in own and all(f.remote_id != item.remote_id for f in fresh):
            fresh.append(item)

    def commit() -> None:
        for i, item in enumerate(fresh):
            handle = clean(item.handle)[:100] or None
            blocked = f"{cmd.network}:{handle}" in state.blocked
            post = Post(id=f"{ctx.new_id('s')}-{i}", at=item.at if item.at > 0 else ctx.at, kind=SOCIAL,
                        origin=f"network:{cmd.network}", title="", body=clean(item.text)[:INCOMING_TEXT],
                        author=clean(item.author)[:100] or None, handle=handle, network=cmd.network,
                        url=_web(item.url), remote_id=item.remote_id,
                        state=PostState.REJECTED if blocked else PostState.PENDING)
            state.posts[post.id] = post
            state.seen[f"{cmd.network}:{item.remote_id}"] = post.id
            hours = state.received.setdefault(cmd.network, {})
            hour = post.at - post.at % HOUR_MS
            hours[hour] = hours.get(hour, 0) + 1
            fx.now.append(("post", post.id))
        if cmd.cursor:
            state.cursors[cmd.network] = cmd.cursor
        fx.result.update(received=len(fresh))
    return commit


def _incoming(state: FeedState, post_id: str) -> Post:
    post = state.posts.get(post_id)
    if post is None or post.kind != SOCIAL:
        raise DomainError("post.not_found", f"no network post {post_id}", post=post_id)
    return post


def show(state: FeedState, ctx: Ctx, cmd: c.ShowSocialPost | c.HideSocialPost, fx: Effects) -> Commit:
    post = _incoming(state, cmd.post)
    showing = isinstance(cmd, c.ShowSocialPost)
    target = PostState.PUBLISHED if showing else PostState.REJECTED
    require(post.state is not target, "post.bad_state", f"post {post.id} is {post.state.value} already",
            post=post.id, state=post.state.value)
    require(not showing or f"{post.network}:{post.handle}" not in state.blocked, "social.blocked",
            "this account is blocked", post=post.id)

    def commit() -> None:
        post.state = target
        fx.now.append(("post", post.id))
        fx.result.update(post=post.id, state=target.value)
    return commit


def block(state: FeedState, ctx: Ctx, cmd: c.BlockSocialAccount, fx: Effects) -> Commit:
    account = f"{cmd.network}:{clean(cmd.handle)}"
    require(account not in state.blocked, "social.blocked", "this account is blocked already")
    theirs = [p for p in state.posts.values() if p.kind == SOCIAL and f"{p.network}:{p.handle}" == account]

    def commit() -> None:
        state.blocked.add(account)
        for post in theirs:
            if post.state is not PostState.REJECTED:
                post.state = PostState.REJECTED
                fx.now.append(("post", post.id))
        fx.result.update(hidden=len(theirs))
    return commit


def figures(state: FeedState) -> dict[str, dict[str, Any]]:
    """The networks' posts with the hashtag: per network, in all and per hour (hour start, ms)."""
    return {network: {"total": sum(hours.values()), "per_hour": dict(sorted(hours.items()))}
            for network, hours in sorted(state.received.items())}


def sent_counts(state: FeedState, networks: list[str]) -> dict[str, int]:
    """The live posts published on each network (and still there)."""
    return {n: sum(1 for p in state.posts.values() if p.kind == LIVE and on_network(outbound(p, n)))
            for n in networks}
