"""What every handler receives besides state and command, and what it reports back."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .actors import Actor
from .event import EventConfig, Limits

# A handler validates everything first and returns the mutation as a closure, so
# the service can check a command (call, discard) with the very rules apply uses.
Commit = Callable[[], None]

# A key names one renderable piece of state, e.g. ("question", "q12") or ("stage", "").
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Ctx:
    seq: int          # the entry's sequence number: also the source of new ids
    at: int           # the entry's time, milliseconds since the epoch
    actor: Actor
    config: EventConfig
    # The programme session under way on a site's track, or on the program (None).
    session_at: Callable[[str | None], int | None] = lambda site: None

    @property
    def limits(self) -> Limits:
        return self.config.settings.limits

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.seq}"


@dataclass(slots=True)
class Effects:
    """What an applied entry changed: `now` keys go out at once, `hot` keys are
    high-frequency tallies sent coalesced a few times a second."""

    now: list[Key] = field(default_factory=list)
    hot: list[Key] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
