"""The one front door per event: what transports (hub/live, hub/http) may do with
an event and with the hub process, as typed protocols. Only hub/runtime.py builds
what stands behind them and wires the parts together; transports import this
module (and the domain), never the write side, the read side or the jobs
(tests/test_layers.py keeps that true; docs/architecture.md draws it)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .domain import commands as c
from .domain.actors import Actor
from .domain.event import EventConfig
from .domain.state import EventState, Outcome
from .security.ratelimit import Via
from .settings import Settings

if TYPE_CHECKING:
    from .live.admission import AddressGate, Network
    from .live.fanout import Channel
    from .media.engine import MediaEngine
    from .ops.metrics import Metrics


class ReplicaView(Protocol):
    """What the live channel reads of the folded log (hub/read/replica.py)."""

    @property
    def event(self) -> str: ...

    @property
    def config(self) -> EventConfig: ...

    @property
    def state(self) -> EventState: ...

    @property
    def shared(self) -> bool:
        """Other processes write this log too (Redis): a client may have seen more."""
        ...


class EventPort(Protocol):
    config: EventConfig
    media: MediaEngine    # which sites are live, who watches; WHIP/WHEP on the embedded engine
    channel: Channel      # the live channel: clients subscribe to its frames

    @property
    def state(self) -> EventState:
        """The state as this process has folded the log (read only)."""
        ...

    @property
    def diverged(self) -> str | None: ...

    @property
    def last_snapshot(self) -> int: ...

    async def submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None = None,
                     via: Via | None = None) -> Outcome:
        """Check, limit, append, apply: the outcome, or DomainError (nothing written)."""
        ...

    def arrived(self, actor: Actor) -> None:
        """Somebody joined the live channel (the report counts people once)."""

    def watched(self, watcher: str, way: str = "webrtc", continued: bool = False) -> None:
        """A video session was opened (the report counts distinct watchers, per way of
        watching); `continued`: the same session, watched another way (a new rendition)."""

    def social_health(self) -> dict[str, dict[str, Any]]:
        """Per network the event names: whether hub.env has its account, and how this process
        last found it, sending and reading (docs/social.md)."""
        ...


class RuntimePort(Protocol):
    settings: Settings
    addresses: AddressGate
    trusted_proxies: list[Network]
    metrics: Metrics
    fd_limit: dict[str, int]   # {"soft", "hard"}: the file descriptors this process may open

    @property
    def events(self) -> Mapping[str, EventPort]: ...

    async def log_reachable(self) -> bool:
        """Whether the log answers now (health checks)."""
        ...
