"""The service: the one place that joins domain and log.

`submit` authorises, rate-limits and checks a command against the current state
(the same rules `apply` uses), and only then appends it; it answers once the
entry is durable and applied, with the outcome `apply` gave it. Commands that
could conflict do not interleave between check and apply (hub/write/gate.py), so in
one process a refusal always means nothing was written.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from ..domain import commands as c
from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..domain.feed import photo_name
from ..domain.state import Entry, Outcome, applied_seq, check
from ..log import LogDiverged, LogUnavailable
from ..read.replica import EventReplica
from ..security.ratelimit import RateLimiter, Via
from .gate import CommandGate

_encode = msgspec.json.Encoder().encode


def _unavailable(**data: object) -> DomainError:
    return DomainError("log.unavailable", "the hub cannot store this right now: try again", retry_after=1.0, **data)


class EventService:
    def __init__(self, replica: EventReplica, *, wall_ms: Callable[[], int] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 upload_exists: Callable[[str], bool] = lambda name: False,
                 address_share: int = 100, site_share: int = 200,
                 on_append: Callable[[float], None] = lambda seconds: None) -> None:
        self.replica = replica
        self.wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self.monotonic = monotonic
        self.upload_exists = upload_exists  # name of an upload of this event -> stored here?
        self.gate = CommandGate()
        self.on_append = on_append  # how long each append to the log took (the metrics)
        limits = replica.config.settings.limits
        # A person's limits per id and per connection; an address or a site's join code
        # stands for many people (a school behind one address, a room of 200): their
        # buckets hold as many people's tokens (docs/protocol.md, "Limits").
        shares = {"pid": 1, "connection": 1, "address": address_share, "site": site_share}
        self._limiters = {(kind, scope): RateLimiter(n * share, per)
                          for kind, (n, per) in {"commands": (limits.commands_per_10s, 10.0),
                                                 "questions": (limits.questions_per_minute, 60.0),
                                                 "reactions": (limits.reactions_per_10s, 10.0)}.items()
                          for scope, share in shares.items()}

    def _rate_limit(self, actor: Actor, cmd: c.Command, via: Via | None) -> list[tuple[RateLimiter, str]]:
        """Take a token from each bucket that applies, or raise (taking none).
        Returns the buckets taken from, to give the tokens back if nothing is written."""
        if actor.role in (Role.MODERATOR, Role.SYSTEM):
            return []  # the control room is trusted, and must never be throttled mid-event
        keys = {"pid": actor.pid}
        if via is not None:
            keys.update(connection=via.connection, address=via.address)
            if via.site is not None:
                keys["site"] = via.site
        kinds = ["commands"] + (["questions"] if isinstance(cmd, c.AskQuestion) else []) + (
            ["reactions"] if isinstance(cmd, c.React) else [])
        now, taken = self.monotonic(), list[tuple[RateLimiter, str]]()
        for kind in kinds:
            for scope, key in keys.items():
                limiter = self._limiters[(kind, scope)]
                wait = limiter.allow(key, now)
                if wait:
                    self._refund(taken)
                    raise DomainError("rate.limited", "too many at once: wait a moment",
                                      retry_after=round(wait, 1), scope=scope)
                taken.append((limiter, key))
        return taken

    @staticmethod
    def _refund(taken: list[tuple[RateLimiter, str]]) -> None:
        for limiter, key in taken:
            limiter.refund(key)

    def _check_upload(self, cmd: c.Command) -> None:
        if isinstance(cmd, (c.Contribute, c.PostLive)) and cmd.photo is not None:
            name = photo_name(self.replica.event, cmd.photo)
            if name is None or not self.upload_exists(name):
                code = "contribution.photo" if isinstance(cmd, c.Contribute) else "post.photo"
                raise DomainError(code, "photos are uploaded to the hub first")

    async def submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None = None, via: Via | None = None) -> Outcome:
        """Raise DomainError when refused (nothing written); else the applied outcome."""
        async with self.gate.hold(actor):
            return await self._submit(actor, cmd, cid, via)

    async def _submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None, via: Via | None) -> Outcome:
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
        taken = self._rate_limit(actor, cmd, via)
        try:
            # Only if the log still holds what this replica applied: else the seq it
            # returns could already be "applied" here, and we would ack a command
            # that never takes effect.
            started = self.monotonic()
            seq = await replica.log.append(replica.event, _encode(entry), replica.position)
            self.on_append(self.monotonic() - started)
        except LogUnavailable as exc:  # nothing written: the tokens go back
            self._refund(taken)
            if isinstance(exc, LogDiverged):
                replica.mark_diverged(str(exc))
                raise _unavailable(reason="log.diverged") from None
            raise _unavailable() from None
        try:
            outcome = await replica.applied(seq)
        except LogDiverged:  # written, but the log moved under this replica: it will never apply here
            raise _unavailable(reason="log.diverged") from None
        except TimeoutError:
            # Stored, but this process has not read it back yet (the log lags or is
            # down). Retrying with the same command id is safe: it applies once.
            raise DomainError("log.lagging", "stored, but not confirmed yet: retry with the same id",
                              seq=seq) from None
        if outcome.error is not None:
            raise outcome.error  # lost a race with another hub process (say, the poll closed there)
        return outcome
