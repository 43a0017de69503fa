"""A live connection's lifecycle, as an enum whose illegal moves raise: what the
session may do at each point follows from where it is, not from which of its
fields happen to be set."""
from __future__ import annotations

import enum


class Phase(enum.Enum):
    CONNECTED = "connected"  # TCP is up; no websocket yet
    UPGRADED = "upgraded"    # the websocket is open, for one event: waiting for the hello
    JOINED = "joined"        # the hello named who this is: attached to the event's channel
    CLOSING = "closing"      # our close frame is out (or theirs came in)
    CLOSED = "closed"        # the transport is gone


MOVES: dict[Phase, frozenset[Phase]] = {
    Phase.CONNECTED: frozenset({Phase.UPGRADED, Phase.CLOSING, Phase.CLOSED}),
    Phase.UPGRADED: frozenset({Phase.JOINED, Phase.CLOSING, Phase.CLOSED}),
    Phase.JOINED: frozenset({Phase.CLOSING, Phase.CLOSED}),
    Phase.CLOSING: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}
ENDING = frozenset({Phase.CLOSING, Phase.CLOSED})


class IllegalMove(RuntimeError):
    pass


def move(now: Phase, to: Phase) -> Phase:
    if to not in MOVES[now]:
        raise IllegalMove(f"a live session cannot go from {now.value} to {to.value}")
    return to
