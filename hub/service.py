"""The service: the one place that joins domain and log.

`submit` authorises, rate-limits and checks a command against the current state
(the same rules `apply` uses), and only then appends it; it answers once the
entry is durable and applied, with the outcome `apply` gave it. Commands that
could conflict do not interleave between check and apply (hub/gate.py), so in
one process a refusal always means nothing was written.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from .domain import commands as c
from .domain.actors import Actor, Role
from .domain.errors import DomainError
from .domain.feed import photo_name
from .domain.state import Entry, Outcome, applied_seq, check
from .gate import CommandGate
from .log import LogDiverged, LogUnavailable
from .ratelimit import RateLimiter
from .replica import EventReplica

_encode = msgspec.json.Encoder().encode


def _unavailable(**data: object) -> DomainError:
    return DomainError("log.unavailable", "the hub cannot store this right now: try again", retry_after=1.0, **data)


class EventService:
    def __init__(self, replica: EventReplica, *, wall_ms: Callable[[], int] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 upload_exists: Callable[[str], bool] = lambda name: False) -> None:
        self.replica = replica
        self.wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self.monotonic = monotonic
        self.upload_exists = upload_exists  # name of an upload of this event -> stored here?
        self.gate = CommandGate()
        limits = replica.config.settings.limits
        self._questions = RateLimiter(limits.questions_per_minute, 60.0)
        self._reactions = RateLimiter(limits.reactions_per_10s, 10.0)
        self._commands = RateLimiter(limits.commands_per_10s, 10.0)

    def _rate_limit(self, actor: Actor, cmd: c.Command) -> list[RateLimiter]:
        """Take a token from each bucket that applies, or raise (taking none).
        Returns the buckets taken from, to give the tokens back if nothing is written."""
        if actor.role in (Role.MODERATOR, Role.SYSTEM):
            return []  # the control room is trusted, and must never be throttled mid-event
        now, taken = self.monotonic(), list[RateLimiter]()
        for limiter, applies in ((self._commands, True), (self._questions, isinstance(cmd, c.AskQuestion)),
                                 (self._reactions, isinstance(cmd, c.React))):
            if applies:
                wait = limiter.allow(actor.pid, now)
                if wait:
                    for earlier in taken:
                        earlier.refund(actor.pid)
                    raise DomainError("rate.limited", "too many at once: wait a moment",
                                      retry_after=round(wait, 1))
                taken.append(limiter)
        return taken

    def _check_upload(self, cmd: c.Command) -> None:
        if isinstance(cmd, c.Contribute) and cmd.photo is not None:
            name = photo_name(self.replica.event, cmd.photo)
            if name is None or not self.upload_exists(name):
                raise DomainError("contribution.photo", "photos are uploaded to the hub first")

    async def submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None = None) -> Outcome:
        """Raise DomainError when refused (nothing written); else the applied outcome."""
        async with self.gate.hold(actor):
            return await self._submit(actor, cmd, cid)

    async def _submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None) -> Outcome:
        replica = self.replica
        if replica.diverged:
            raise _unavailable(reason="log.diverged")
        state = replica.state
        prior = applied_seq(state, actor, cid)
        if prior is not None:
            return Outcome(prior, duplicate_of=prior)  # a retry after a lost ack: nothing new
        entry = Entry(at=self.wall_ms(), actor=actor, cmd=cmd, cid=cid)
        check(state, replica.config, entry)
        self._check_upload(cmd)
        taken = self._rate_limit(actor, cmd)
        try:
            # Only if the log still holds what this replica applied: else the seq it
            # returns could already be "applied" here, and we would ack a command
            # that never takes effect.
            seq = await replica.log.append(replica.event, _encode(entry), replica.position)
        except LogUnavailable as exc:  # nothing written: the tokens go back
            for limiter in taken:
                limiter.refund(actor.pid)
            if isinstance(exc, LogDiverged):
                replica.mark_diverged(str(exc))
                raise _unavailable(reason="log.diverged") from None
            raise _unavailable() from None
        try:
            outcome = await replica.applied(seq)
        except TimeoutError:
            # Stored, but this process has not read it back yet (the log lags or is
            # down). Retrying with the same command id is safe: it applies once.
            raise DomainError("log.lagging", "stored, but not confirmed yet: retry with the same id",
                              seq=seq) from None
        if outcome.error is not None:
            raise outcome.error  # lost a race with another hub process (say, the poll closed there)
        return outcome
