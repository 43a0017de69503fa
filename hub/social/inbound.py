"""Reads the public posts with the event's hashtag from each network, into the log.

One task per network, polling every HUB_SOCIAL_POLL_S; what it reads is written as one
`social.received` entry (the domain keeps each post once, so two hubs polling, or a page
read twice, change nothing). A network that is down, slow, or answers nonsense gets a coded
warning in the hub's log and is read again later: the poller never ends, and the live
channel only ever sees the entries.
"""
from __future__ import annotations

import asyncio
import logging

from ..domain import commands as c
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..write.service import EventService
from .networks import Network, Refused, Unavailable
from .publisher import Health

log = logging.getLogger(__name__)
BATCH = 100  # posts per entry (the command's bound)


class HashtagReader:
    def __init__(self, service: EventService, networks: list[Network], *, node: str, interval_s: float,
                 timeout_s: float = 20.0) -> None:
        self.service, self.networks = service, networks
        self.event = service.replica.event
        self.system = Actor(role=Role.SYSTEM, pid=f"node:{node}")
        self.interval_s, self.timeout_s = interval_s, timeout_s
        self.health = {n.name: Health() for n in networks}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self.service.replica.config.hashtag and self.interval_s > 0:
            self._tasks = [asyncio.create_task(self._run(n), name=f"hashtag-{n.name}") for n in self.networks]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, network: Network) -> None:
        while True:
            try:
                await self.read(network)
            except Exception:  # never the end of reading: logged, read again later
                log.exception("%s: social.inbound_failed: reading %s", self.event, network.name)
            await asyncio.sleep(self.interval_s)

    async def read(self, network: Network) -> int:
        """One read; the number of posts new to this event."""
        state = self.service.replica.state.feed
        tag = self.service.replica.config.hashtag or ""
        cursor = state.cursors.get(network.name, "")
        health = self.health[network.name]
        try:
            found, after = await asyncio.wait_for(network.search(tag, cursor), self.timeout_s)
        except (Unavailable, Refused, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            log.warning("%s: social.inbound_unavailable: %s: %s", self.event, network.name, reason)
            health.became("failing", reason)
            return 0
        health.became("ok")
        fresh = [f for f in found if f"{network.name}:{f.remote_id}" not in state.seen]
        if not fresh and after == cursor:
            return 0
        posts = [c.IncomingPost(remote_id=f.remote_id[:200], at=f.at, author=f.author[:200], handle=f.handle[:200],
                                text=f.text[:2000], url=f.url[:200]) for f in sorted(fresh, key=lambda f: f.at)]
        written = 0
        for start in range(0, max(len(posts), 1), BATCH):
            batch = posts[start:start + BATCH]
            last = start + BATCH >= len(posts)
            try:
                outcome = await self.service.submit(self.system, c.SocialReceived(
                    network=network.name, posts=batch, cursor=after[:200] if last else cursor))  # type: ignore[arg-type]
            except DomainError as exc:  # the log refused: the same posts are read again next time
                log.warning("%s: social.inbound_unrecorded: %s (%s)", self.event, network.name, exc.code)
                return written
            if outcome.effects is not None:
                written += int(outcome.effects.result.get("received", 0))
        health.count += written
        return written
