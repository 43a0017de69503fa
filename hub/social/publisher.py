"""Sends the régie's live posts to the event's networks, exactly once.

Each network has its own task, so that one that hangs or is down never holds the other,
nor anything else: the live channel only ever sees the log entries this writes. A post
is claimed in the log before it is sent (whichever hub's claim comes first sends it), and
what the network answered is written after. A hub killed in between leaves a claim that
it (same node id) takes back when it starts again, or another hub once the lease is over;
that try sends with the same key (hub/social/networks.Outgoing.key), so the network keeps
one post. An answer the log cannot take right now (Redis down) is kept and written later.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain import commands as c
from ..domain import social
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..domain.feed import LIVE, Post, has_hashtag, photo_name
from ..domain.outbound import Delivery
from ..domain.state import Outcome
from ..write.service import EventService
from .networks import Network, Outgoing, Refused, Unavailable, short

log = logging.getLogger(__name__)

LEASE_MS = 60_000   # a claim's length: longer than one network call can take (its timeout)
TICK_S = 1.0        # how often due retries are looked for, without a new post to wake it


@dataclass
class Health:
    """What this hub last saw of a network, for the régie (not in the log: it is this process's)."""
    state: str = "idle"          # idle, ok, failing
    reason: str | None = None
    since: float = field(default_factory=time.time)
    count: int = 0               # posts sent (or, reading, posts new to the event)

    def became(self, state: str, reason: str | None = None) -> None:
        if state != self.state or reason != self.reason:
            self.state, self.reason, self.since = state, reason, time.time()


class Publisher:
    def __init__(self, service: EventService, networks: list[Network], *, node: str, secret: str,
                 uploads: Path, wall_ms: Callable[[], int] | None = None, lease_ms: int = LEASE_MS,
                 timeout_s: float = 20.0) -> None:
        self.service, self.networks = service, {n.name: n for n in networks}
        self.event = service.replica.event
        self.system = Actor(role=Role.SYSTEM, pid=f"node:{node}")
        self.holder = node
        self._secret, self._uploads = secret, uploads
        self.wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self.lease_ms, self.timeout_s = lease_ms, timeout_s
        self.health = {name: Health() for name in self.networks}
        self._wake = {name: asyncio.Event() for name in self.networks}
        self._tasks: list[asyncio.Task[None]] = []
        # answers the log could not take yet, written before anything else is claimed
        self._unwritten: dict[str, list[c.AnyCommand]] = {name: [] for name in self.networks}

    # -- wiring -------------------------------------------------------------------------
    def on_applied(self, outcome: Outcome) -> None:
        """A replica listener: a live post (or its delivery) changed."""
        if outcome.effects is not None and any(k[0] == "post" for k in outcome.effects.now):
            for wake in self._wake.values():
                wake.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(name), name=f"social-{name}") for name in self.networks]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for network in self.networks.values():
            with contextlib.suppress(Exception):
                await network.close()

    # -- the work -------------------------------------------------------------------------
    def outgoing(self, post: Post, network: str) -> Outgoing:
        tag = self.service.replica.config.hashtag
        name = photo_name(self.event, post.photo) if post.photo else None
        return Outgoing(
            key=hashlib.sha256(f"{self._secret}:{self.event}:{post.id}".encode()).hexdigest()[:32],
            at=post.at, text=post.body, hashtag=tag if tag and not has_hashtag(post.body, tag) else None,
            photo=self._uploads / name if name else None, **self._thread(post, network))

    def _thread(self, post: Post, network: str) -> dict[str, tuple[str, str] | None]:
        answered = social.thread(self.service.replica.state.feed, post, network)
        if answered is None:
            return {}
        root, parent = answered
        return {"root": (root.remote_id or "", root.ref or ""), "parent": (parent.remote_id or "", parent.ref or "")}

    def due(self, network: str) -> list[Post]:
        """What to claim now, in the posts' order. A post waiting to be tried again holds the
        ones after it back: the network gets them in order, and is not asked more while down."""
        now, mine = self.wall_ms(), self.holder
        out: list[Post] = []
        live = (p for p in self.service.replica.state.feed.posts.values() if p.kind == LIVE)
        for post in sorted(live, key=lambda p: p.at):
            o = social.outbound(post, network)
            if o.state is Delivery.FAILED and o.retry_at is not None and now < o.retry_at:
                break
            if o.state is Delivery.QUEUED and social.waits_for_parent(self.service.replica.state.feed, post, network):
                break  # its parent goes first (claimed, or waiting to be tried again)
            if social.due(post, network, now) or (o.holder == mine and o.state in (Delivery.SENDING,
                                                                                  Delivery.DELETING)):
                out.append(post)
        return out

    async def _run(self, network: str) -> None:
        wake = self._wake[network]
        while True:
            try:
                await self.round(network)
            except Exception:  # never the end of publishing: logged, tried again at the next tick
                log.exception("%s: %s publisher round failed", self.event, network)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), TICK_S)
            wake.clear()

    async def round(self, network: str) -> None:
        """Write what is kept, then send what is due, in the posts' order; a network that is
        unavailable ends the round (the next posts would fail alike)."""
        if not await self._write_kept(network):
            return
        for post in self.due(network):
            try:
                claimed = await self.service.submit(self.system, c.ClaimSocialPost(
                    post=post.id, network=network, holder=self.holder,  # type: ignore[arg-type]
                    lease_ms=self.lease_ms))
            except DomainError as exc:
                if exc.code == "social.claimed":
                    continue  # another hub has it
                log.warning("%s: %s: cannot claim %s yet (%s)", self.event, network, post.id, exc.code)
                return
            assert claimed.effects is not None
            if not await self._send(network, post.id, claimed.effects.result.get("state") == "deleting"):
                return

    async def _send(self, network: str, post_id: str, deleting: bool) -> bool:
        post = self.service.replica.state.feed.posts[post_id]
        account, health = self.networks[network], self.health[network]
        out = social.outbound(post, network)
        answer: c.AnyCommand
        ok = True
        outgoing = self.outgoing(post, network)
        try:
            if deleting:
                await asyncio.wait_for(account.delete(outgoing, out.remote_id or ""), self.timeout_s)
                answer = c.SocialPostDeleted(post=post_id, network=network, holder=self.holder)  # type: ignore[arg-type]
            else:  # on the network already: this is its correction
                sending = account.update(outgoing, out.remote_id) if out.remote_id else account.publish(outgoing)
                done = await asyncio.wait_for(sending, self.timeout_s)
                answer = c.SocialPostSent(post=post_id, network=network, holder=self.holder,  # type: ignore[arg-type]
                                          remote_id=done.remote_id, url=done.url, ref=done.ref[:200])
                health.count += 1
            health.became("ok")
        except Refused as exc:
            answer = c.SocialPostFailed(post=post_id, network=network, holder=self.holder,  # type: ignore[arg-type]
                                        reason=exc.reason)
            health.became("ok")  # it answered: the network is up, this post is the trouble
        except (Unavailable, TimeoutError, OSError) as exc:
            reason = exc.reason if isinstance(exc, Unavailable) else short(f"no answer ({type(exc).__name__})")
            wait = exc.retry_in_s if isinstance(exc, Unavailable) else None
            retry_ms = int(wait * 1000) if wait is not None else social.backoff_ms(out.attempts)
            answer = c.SocialPostFailed(post=post_id, network=network, holder=self.holder,  # type: ignore[arg-type]
                                        reason=reason, retry_in_ms=min(retry_ms, 3_600_000))
            health.became("failing", reason)
            ok = False
        self._unwritten[network].append(answer)
        return await self._write_kept(network) and ok

    async def _write_kept(self, network: str) -> bool:
        kept = self._unwritten[network]
        while kept:
            try:
                await self.service.submit(self.system, kept[0])
            except DomainError as exc:
                if exc.code in ("log.unavailable", "log.lagging"):
                    log.warning("%s: %s: answer kept, the log refused it (%s)", self.event, network, exc.code)
                    return False  # written later, before anything new is claimed
                # the claim ran out and another hub answered: nothing to write
                log.warning("%s: %s: answer not recorded (%s)", self.event, network, exc.code)
            kept.pop(0)
        return True
