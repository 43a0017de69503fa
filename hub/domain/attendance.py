"""Who came, from where, as what, and who watched the video: distinct people, so
the report can say "146 présents" and not count every reconnect.

The hub writes one `attendance.join` entry the first time a person's hello
reaches a process (a restart may write it again: it counts once), and one
`attendance.watch` per video session opened.
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .actors import UNDECLARED
from .context import Commit, Ctx, Effects
from .errors import require


class AttendanceState(msgspec.Struct):
    # origin -> person -> [first joined at, category]
    people: dict[str, dict[str, list[Any]]] = msgspec.field(default_factory=dict)
    watchers: dict[str, int] = msgspec.field(default_factory=dict)  # watcher -> first watched at
    sessions: int = 0  # video sessions opened, reconnects included
    # how they watched: way ("webrtc", "hls:720p", ...) -> watcher -> first watched that way at
    ways: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


def join(state: AttendanceState, ctx: Ctx, cmd: c.Attended, fx: Effects) -> Commit:
    def commit() -> None:
        first = 0
        for arrival in cmd.arrivals:
            seen = state.people.setdefault(arrival.origin, {})
            if arrival.person not in seen:
                seen[arrival.person] = [ctx.at, arrival.category or UNDECLARED]
                first += 1
            elif arrival.category and seen[arrival.person][1] == UNDECLARED:
                seen[arrival.person][1] = arrival.category  # said who they are after joining: counted once still
        fx.result["counted"] = first  # the timeline counts arrivals, not reconnects
    return commit


MAX_WAYS = 16  # webrtc and a few renditions: a bound on what the log can make this hold


def watch(state: AttendanceState, ctx: Ctx, cmd: c.Watched, fx: Effects) -> Commit:
    ways = cmd.ways
    require(ways is None or len(ways) == len(cmd.watchers), "watch.ways", "one way per watcher")
    require(0 <= cmd.continued <= len(cmd.watchers), "watch.continued", "more continued than watchers")

    def commit() -> None:
        state.sessions += len(cmd.watchers) - cmd.continued
        for i, watcher in enumerate(cmd.watchers):
            state.watchers.setdefault(watcher, ctx.at)
            if ways is not None and (ways[i] in state.ways or len(state.ways) < MAX_WAYS):
                state.ways.setdefault(ways[i], {}).setdefault(watcher, ctx.at)
    return commit


def watchers_by_way(state: AttendanceState) -> dict[str, int]:
    """Distinct watchers per way of watching (one who switched counts in both)."""
    return {way: len(who) for way, who in sorted(state.ways.items())}


def present_by_origin(state: AttendanceState) -> dict[str, int]:
    return {origin: len(people) for origin, people in sorted(state.people.items())}


def by_category(state: AttendanceState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for people in state.people.values():
        for _, category in people.values():
            counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items()))
