"""The speaker's timer on a site's screens: a countdown for a talk, or pecha kucha
(20 slides × 20 s, as ECLORE's openings were) with the slide number.

The state keeps times from the log (when it started, how long it ran before a
pause), never a ticking clock: every screen computes what is left from its own
clock, set against the hub's (the frames carry the hub's time).
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .scope import required_site


class Timer(msgspec.Struct):
    mode: str                 # "countdown" or "pecha_kucha"
    duration_ms: int
    per_slide_ms: int = 0     # pecha kucha: each slide's time
    slides: int = 0
    started_at: int | None = None  # running since (None: paused)
    ran_ms: int = 0           # time run before the last pause


class TimersState(msgspec.Struct):
    sites: dict[str, Timer] = msgspec.field(default_factory=dict)



def _changed(fx: Effects, site: str) -> None:
    fx.now.append(("timers", ""))
    fx.result["site"] = site


def start(state: TimersState, ctx: Ctx, cmd: c.StartTimer, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    if cmd.mode == "pecha_kucha":
        timer = Timer("pecha_kucha", cmd.slides * cmd.per_slide * 1000, cmd.per_slide * 1000, cmd.slides, ctx.at)
    else:
        timer = Timer("countdown", cmd.seconds * 1000, started_at=ctx.at)

    def commit() -> None:
        state.sites[site] = timer  # a new start replaces a running one
        _changed(fx, site)
    return commit


def _running(state: TimersState, site: str) -> Timer:
    timer = state.sites.get(site)
    if timer is None:
        raise DomainError("timer.none", f"no timer at {site}", site=site)
    return timer


def pause(state: TimersState, ctx: Ctx, cmd: c.PauseTimer, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    timer = _running(state, site)
    require(timer.started_at is not None, "timer.paused", "the timer is already paused", site=site)

    def commit() -> None:
        assert timer.started_at is not None
        timer.ran_ms, timer.started_at = timer.ran_ms + ctx.at - timer.started_at, None
        _changed(fx, site)
    return commit


def resume(state: TimersState, ctx: Ctx, cmd: c.ResumeTimer, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    timer = _running(state, site)
    require(timer.started_at is None, "timer.running", "the timer is running", site=site)

    def commit() -> None:
        timer.started_at = ctx.at
        _changed(fx, site)
    return commit


def stop(state: TimersState, ctx: Ctx, cmd: c.StopTimer, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    _running(state, site)

    def commit() -> None:
        del state.sites[site]
        _changed(fx, site)
    return commit


def remaining_ms(timer: Timer, now: int) -> int:
    ran = timer.ran_ms + (now - timer.started_at if timer.started_at is not None else 0)
    return max(timer.duration_ms - ran, 0)


def slide_at(timer: Timer, now: int) -> int | None:
    """Pecha kucha: the slide on screen now (1-based)."""
    if timer.mode != "pecha_kucha" or not timer.per_slide_ms:
        return None
    ran = timer.duration_ms - remaining_ms(timer, now)
    return min(ran // timer.per_slide_ms + 1, timer.slides)


def render(state: TimersState) -> dict[str, Any]:
    return {site: msgspec.to_builtins(t) for site, t in state.sites.items()}
