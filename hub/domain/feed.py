"""The live feed: moderators' live posts (the live-tweets) and sites' contributions."""
from __future__ import annotations

import enum
import re
from typing import Any

import msgspec

from . import commands as c
from . import upvotes
from .actors import REMOTE, Role
from .commands import ContributionKind
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .outbound import Outbound
from .text import checked

LIVE = "live"  # the kind of a moderator's live post
SOCIAL = "social"  # a public post with the hashtag, from a social network (hub/domain/social.py)
# What the upload route hands out: the content's hash and its sniffed type. The
# service also checks the file exists (the domain does no I/O).
_PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp)")


def photo_name(event: str, url: str) -> str | None:
    """The upload's file name when `url` is an upload URL of this event, else None."""
    prefix = f"/media/uploads/{event}/"
    name = url[len(prefix):]
    return name if url.startswith(prefix) and _PHOTO_NAME.fullmatch(name) else None


class PostState(str, enum.Enum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    REMOVED = "removed"      # a live post the régie took back (hub/domain/social.remove_live)


class Post(msgspec.Struct):
    id: str
    at: int
    kind: str            # "live" or a ContributionKind value
    origin: str          # the contributing site, or "remote" for the control room
    title: str
    body: str
    state: PostState
    photo: str | None = None
    author: str | None = None
    voters: set[str] = msgspec.field(default_factory=set)
    theme: str | None = None          # a proposal's theme
    open: bool = False                # filed by a participant or viewer (not a site's contribution)
    category: str | None = None       # the filer's self-declared category (open proposals)
    filed_by: str | None = None       # the filer's participant id: never shown, only "mine"
    # voter -> [origin, category]: the per-site and per-category breakdown of upvotes
    voted_from: dict[str, list[str]] = msgspec.field(default_factory=dict)
    social: dict[str, Outbound] = msgspec.field(default_factory=dict)  # network -> a live post's delivery
    continues: str | None = None      # a live post: the one it follows on from (a thread)
    edited: int | None = None         # a live post: when the régie last corrected it (ms)
    # a network's post (kind "social"): where it comes from
    network: str | None = None
    handle: str | None = None
    url: str | None = None
    remote_id: str | None = None


class FeedState(msgspec.Struct):
    posts: dict[str, Post] = msgspec.field(default_factory=dict)
    # the networks' side (hub/domain/social.py): "network:remote id" -> post id (each kept once),
    # the accounts the régie blocked ("network:handle"), where each poller reads next, and
    # the posts received per network per hour (hour start, ms): the key figures, kept by purge
    seen: dict[str, str] = msgspec.field(default_factory=dict)
    blocked: set[str] = msgspec.field(default_factory=set)
    cursors: dict[str, str] = msgspec.field(default_factory=dict)
    received: dict[str, dict[int, int]] = msgspec.field(default_factory=dict)


def has_hashtag(text: str, tag: str) -> bool:
    """Whether the post already carries the event's hashtag (any case, as a word)."""
    return re.search(rf"(?<![\w#]){re.escape(tag)}(?!\w)", text, re.IGNORECASE) is not None


def live_text_limit(ctx: Ctx, text: str = "") -> int:
    """A live post leaves room for " #hashtag", which is appended when shown —
    unless the post already has it."""
    tag = ctx.config.hashtag
    needs = bool(tag) and not has_hashtag(text, tag or "")
    return ctx.limits.post_length - (len(tag or "") + 1 if needs else 0)


def post_live(state: FeedState, ctx: Ctx, cmd: c.PostLive, fx: Effects) -> Commit:
    text = checked(cmd.text, limit=live_text_limit(ctx, cmd.text), code="post", what="the post")
    require(cmd.photo is None or photo_name(ctx.config.id, cmd.photo) is not None, "post.photo",
            "photos are uploaded to the hub first")
    if cmd.continues is not None:
        parent = state.posts.get(cmd.continues)
        require(parent is not None and parent.kind == LIVE, "post.not_found", f"no live post {cmd.continues}",
                post=cmd.continues)
    post = Post(id=ctx.new_id("p"), at=ctx.at, kind=LIVE, origin=REMOTE, title="", body=text,
                state=PostState.PUBLISHED, continues=cmd.continues, photo=cmd.photo)

    def commit() -> None:
        state.posts[post.id] = post
        fx.now.append(("post", post.id))
        fx.result["post"] = post.id
    return commit


def contribute(state: FeedState, ctx: Ctx, cmd: c.Contribute, fx: Effects) -> Commit:
    lim = ctx.limits
    title = checked(cmd.title, limit=lim.contribution_title_length, code="contribution.title", what="the title",
                    required=cmd.kind in (ContributionKind.EXPERIENCE_REPORT, ContributionKind.PROPOSAL))
    body = checked(cmd.body, limit=lim.contribution_body_length, code="contribution.body", what="the text",
                   required=cmd.kind is not ContributionKind.PHOTO)
    author = checked(cmd.author or "", limit=lim.name_length, code="name", what="the author", required=False)
    if cmd.kind is ContributionKind.PHOTO:
        require(bool(cmd.photo), "contribution.photo", "a photo contribution needs a photo")
    require(cmd.photo is None or photo_name(ctx.config.id, cmd.photo) is not None, "contribution.photo",
            "photos are uploaded to the hub first")
    if cmd.theme is not None:
        require(cmd.kind is ContributionKind.PROPOSAL, "contribution.theme", "only a proposal has a theme")
        require(ctx.config.has_theme(cmd.theme), "proposal.theme", f"no theme {cmd.theme} in this event",
                theme=cmd.theme)
    premoderated = ctx.config.settings.contributions.premoderated
    post = Post(id=ctx.new_id("p"), at=ctx.at, kind=cmd.kind.value, origin=ctx.actor.origin, title=title,
                body=body, photo=cmd.photo, author=author or None, theme=cmd.theme,
                state=PostState.PENDING if premoderated else PostState.PUBLISHED)

    def commit() -> None:
        state.posts[post.id] = post
        fx.now.append(("post", post.id))
        fx.result.update(post=post.id, state=post.state.value)
    return commit


def submit_proposal(state: FeedState, ctx: Ctx, cmd: c.SubmitProposal, fx: Effects) -> Commit:
    """An open proposal: always pre-moderated, by the filer's site coordinator (or,
    for remote people, the control room), then upvoted by everyone."""
    require(ctx.config.has_theme(cmd.theme), "proposal.theme", f"no theme {cmd.theme} in this event",
            theme=cmd.theme)
    lim = ctx.limits
    title = checked(cmd.title, limit=lim.contribution_title_length, code="proposal.title", what="the title")
    body = checked(cmd.body, limit=lim.contribution_body_length, code="proposal.body", what="the text",
                   required=False)
    post = Post(id=ctx.new_id("p"), at=ctx.at, kind=ContributionKind.PROPOSAL.value, origin=ctx.actor.origin,
                title=title, body=body, state=PostState.PENDING, filed_by=ctx.actor.pid, theme=cmd.theme, open=True,
                category=ctx.actor.category_key)

    def commit() -> None:
        state.posts[post.id] = post
        fx.now.append(("post", post.id))
        fx.result.update(post=post.id, state=post.state.value)
    return commit


def _check_scope(ctx: Ctx, post: Post) -> None:
    """Coordinators pre-moderate the open proposals filed at their site; the rest
    (their own contributions, remote people's proposals) is the control room's."""
    if ctx.actor.role is not Role.COORDINATOR:
        return
    if not post.open:
        raise DomainError("auth.forbidden", "the control room validates sites' contributions", post=post.id)
    if post.origin != ctx.actor.site:
        raise DomainError("auth.other_site", f"post {post.id} was filed at {post.origin}, not at {ctx.actor.site}",
                          post=post.id)


def _get(state: FeedState, pid: str) -> Post:
    post = state.posts.get(pid)
    if post is None:
        raise DomainError("post.not_found", f"no post {pid}", post=pid)
    return post


def moderate(state: FeedState, ctx: Ctx, cmd: c.ApproveContribution | c.RejectContribution, fx: Effects) -> Commit:
    post = _get(state, cmd.post)
    _check_scope(ctx, post)
    require(post.state is PostState.PENDING, "post.bad_state", f"post {post.id} is {post.state.value}",
            post=post.id, state=post.state.value)

    def commit() -> None:
        post.state = PostState.PUBLISHED if isinstance(cmd, c.ApproveContribution) else PostState.REJECTED
        fx.now.append(("post", post.id))
        fx.result.update(post=post.id, state=post.state.value)
    return commit


def upvote(state: FeedState, ctx: Ctx, cmd: c.UpvoteProposal | c.WithdrawProposalUpvote, fx: Effects) -> Commit:
    post = _get(state, cmd.post)
    require(post.kind == ContributionKind.PROPOSAL.value and post.state is PostState.PUBLISHED,
            "post.not_votable", "only published proposals can be upvoted", post=post.id)
    adding = isinstance(cmd, c.UpvoteProposal)
    upvotes.check_toggle(post.voters, ctx.actor.pid, adding, code="post", what="proposal")

    def commit() -> None:
        fx.result.update(post=post.id, votes=upvotes.toggle(post.voters, ctx.actor.pid, adding))
        if adding:
            post.voted_from[ctx.actor.pid] = [ctx.actor.origin, ctx.actor.category_key]
        else:
            post.voted_from.pop(ctx.actor.pid, None)
        fx.hot.append(("post", post.id))
    return commit


def _breakdown(post: Post, field: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for where in post.voted_from.values():
        counts[where[field]] = counts.get(where[field], 0) + 1
    return dict(sorted(counts.items()))


def render(post: Post, audience: str, hashtag: str | None) -> dict[str, Any] | None:
    if post.state is not PostState.PUBLISHED and not (audience == "mod" or audience == f"site:{post.origin}"):
        return None
    out: dict[str, Any] = {"id": post.id, "at": post.at, "kind": post.kind, "origin": post.origin,
                           "title": post.title, "body": post.body, "state": post.state.value,
                           "photo": post.photo, "author": post.author}
    if post.kind == LIVE and hashtag and not has_hashtag(post.body, hashtag):
        out["hashtag"] = hashtag
    if post.continues is not None:
        out["continues"] = post.continues
    if post.edited is not None:
        out["edited"] = post.edited
    if post.kind == SOCIAL:
        out.update(network=post.network, handle=post.handle, url=post.url)
    if post.kind == ContributionKind.PROPOSAL.value:
        out.update(votes=len(post.voters), theme=post.theme, open=post.open, category=post.category,
                   votes_by_site=_breakdown(post, 0), votes_by_category=_breakdown(post, 1))
    return out
