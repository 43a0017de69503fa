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


class AttendanceState(msgspec.Struct):
    # origin -> person -> [first joined at, category]
    people: dict[str, dict[str, list[Any]]] = msgspec.field(default_factory=dict)
    watchers: dict[str, int] = msgspec.field(default_factory=dict)  # watcher -> first watched at
    sessions: int = 0  # video sessions opened, reconnects included


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


def watch(state: AttendanceState, ctx: Ctx, cmd: c.Watched, fx: Effects) -> Commit:
    def commit() -> None:
        state.sessions += len(cmd.watchers)
        for watcher in cmd.watchers:
            state.watchers.setdefault(watcher, ctx.at)
    return commit


def present_by_origin(state: AttendanceState) -> dict[str, int]:
    return {origin: len(people) for origin, people in sorted(state.people.items())}


def by_category(state: AttendanceState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for people in state.people.values():
        for _, category in people.values():
            counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items()))
