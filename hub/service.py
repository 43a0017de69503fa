"""The service: the one place that joins domain and log.

`submit` authorises, rate-limits and checks a command against the current state
(the same rules `apply` uses), and only then appends it; it answers once the
entry is durable and applied, with the outcome `apply` gave it.
"""
from __future__ import annotations

import asyncio
import time
from typing import Callable

import msgspec

from .domain import commands as c
from .domain.actors import Actor, Role
from .domain.errors import DomainError
from .domain.state import Entry, Outcome, applied_seq, check
from .log import LogUnavailable
from .ratelimit import RateLimiter
from .replica import EventReplica

_encode = msgspec.json.Encoder().encode


class EventService:
    def __init__(self, replica: EventReplica, *, wall_ms: Callable[[], int] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.replica = replica
        self.wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self.monotonic = monotonic
        limits = replica.config.settings.limits
        self._questions = RateLimiter(limits.questions_per_minute, 60.0)
        self._reactions = RateLimiter(limits.reactions_per_10s, 10.0)
        self._commands = RateLimiter(limits.commands_per_10s, 10.0)

    def _rate_limit(self, actor: Actor, cmd: c.Command) -> None:
        if actor.role in (Role.MODERATOR, Role.SYSTEM):
            return  # the control room is trusted, and must never be throttled mid-event
        now = self.monotonic()
        for limiter, applies in ((self._commands, True), (self._questions, isinstance(cmd, c.AskQuestion)),
                                 (self._reactions, isinstance(cmd, c.React))):
            if applies:
                wait = limiter.allow(actor.pid, now)
                if wait:
                    raise DomainError("rate.limited", "too many at once: wait a moment",
                                      retry_after=round(wait, 1))

    async def submit(self, actor: Actor, cmd: c.Command, cid: str | None = None) -> Outcome:
        """Raise DomainError when refused (nothing written); else the applied outcome."""
        state = self.replica.state
        prior = applied_seq(state, actor, cid)
        if prior is not None:
            return Outcome(prior, duplicate_of=prior)  # a retry after a lost ack: nothing new
        entry = Entry(at=self.wall_ms(), actor=actor, cmd=cmd, cid=cid)
        check(state, self.replica.config, entry)
        self._rate_limit(actor, cmd)
        try:
            seq = await self.replica.log.append(self.replica.event, _encode(entry))
        except LogUnavailable:
            raise DomainError("log.unavailable", "the hub cannot store this right now: try again",
                              retry_after=1.0) from None
        try:
            outcome = await self.replica.applied(seq)
        except asyncio.TimeoutError:
            # Stored, but this process has not read it back yet (the log lags or is
            # down). Retrying with the same command id is safe: it applies once.
            raise DomainError("log.lagging", "stored, but not confirmed yet: retry with the same id",
                              seq=seq) from None
        if outcome.error is not None:
            raise outcome.error  # lost a race (say, the poll closed meanwhile): refused
        return outcome
