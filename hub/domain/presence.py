"""Presence: who is connected now, per origin, and the peak; and which sites'
cameras are live (publishing), as the hub processes receiving them report it.

Each hub process reports its own counts through the log (at most every second
or so, only when they change); the state sums the live reports. A report older
than REPORT_TTL_MS, by the time of the newest entry, is from a process that is
gone, so it stops counting: deterministic, because it reads entry times only.
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .actors import REMOTE
from .context import Commit, Ctx, Effects

REPORT_TTL_MS = 30_000
INTERPRETER = "interpreter"  # the sign-language interpreter's picture: a source beside the sites


class Report(msgspec.Struct, array_like=True):
    at: int
    counts: dict[str, int]
    publishing: list[str] = []
    watching: int = 0


class PresenceState(msgspec.Struct):
    reports: dict[str, Report] = msgspec.field(default_factory=dict)
    peak: int = 0
    peak_at: int | None = None
    peak_by_site: dict[str, int] = msgspec.field(default_factory=dict)
    peak_by_site_at: dict[str, int] = msgspec.field(default_factory=dict)  # when each site's peak was reached
    watching_peak: int = 0
    watching_peak_at: int | None = None
    # the peaks while each programme session ran on its track: session -> origin -> devices
    peak_by_session: dict[int, dict[str, int]] = msgspec.field(default_factory=dict)
    watching_peak_by_session: dict[int, int] = msgspec.field(default_factory=dict)  # the program's session


def now_by_site(state: PresenceState) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in state.reports.values():
        for origin, n in report.counts.items():
            total[origin] = total.get(origin, 0) + n
    return total


def report(state: PresenceState, ctx: Ctx, cmd: c.PresenceReport, fx: Effects) -> Commit:
    return lambda: _record(state, ctx, cmd, fx)


def _record(state: PresenceState, ctx: Ctx, cmd: c.PresenceReport, fx: Effects) -> None:
    state.reports[cmd.node] = Report(at=ctx.at, counts={k: v for k, v in cmd.counts.items() if v > 0},
                                     publishing=sorted(s for s in cmd.publishing
                                                       if ctx.config.has_site(s) or s == INTERPRETER),
                                     watching=max(cmd.watching, 0))
    for node in [n for n, r in state.reports.items() if r.at < ctx.at - REPORT_TTL_MS]:
        del state.reports[node]
    current = now_by_site(state)
    total = sum(current.values())
    if total > state.peak:
        state.peak, state.peak_at = total, ctx.at
    for origin, n in current.items():
        if n > state.peak_by_site.get(origin, 0):
            state.peak_by_site[origin], state.peak_by_site_at[origin] = n, ctx.at
    watching = sum(r.watching for r in state.reports.values())
    if watching > state.watching_peak:
        state.watching_peak, state.watching_peak_at = watching, ctx.at
    for origin, n in current.items():  # on a site: its track's session; remote: the program's
        session = ctx.session_at(None if origin == REMOTE else origin)
        if session is not None:
            peaks = state.peak_by_session.setdefault(session, {})
            peaks[origin] = max(peaks.get(origin, 0), n)
    program = ctx.session_at(None)
    if program is not None:
        state.watching_peak_by_session[program] = max(state.watching_peak_by_session.get(program, 0), watching)
    fx.hot.append(("presence", ""))


def render(state: PresenceState) -> dict[str, Any]:
    current = now_by_site(state)
    live = {s for r in state.reports.values() for s in r.publishing}
    return {"now": current, "total": sum(current.values()), "peak": state.peak, "peak_at": state.peak_at,
            "peak_by_site": state.peak_by_site, "publishing": sorted(live - {INTERPRETER}),
            "interpreter": INTERPRETER in live}
