"""The stage: which site is on air, the queue of sites asking for the floor, and
what each site's track is running.

Every site is a stage of its own: its track has a current session (its own
sessions, or a plenary that every site follows). The program is the control
room's choice among the sites; its session is the on-air site's.
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from . import programme
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .event import EventConfig
from .scope import acting_site


class Track(msgspec.Struct):
    session: int | None = None   # under way on this site's track
    since: int | None = None
    last: int | None = None      # the last session it ran: "next" follows it


class StageState(msgspec.Struct):
    on_air: str | None = None
    on_air_since: int | None = None
    floor_queue: list[str] = msgspec.field(default_factory=list)
    recording: int | None = None        # the programme session being recorded (index)
    recording_since: int | None = None
    current: int | None = None          # the event-wide session (every site follows it), as the control room says
    current_since: int | None = None
    tracks: dict[str, Track] = msgspec.field(default_factory=dict)  # site -> its track
    hls_threshold: int | None = None    # the régie's: WebRTC viewers past which new remote ones get HLS


def track_session(state: StageState, site: str | None) -> int | None:
    """The session under way where something happens: a site's track, or the program
    (the on-air site's track; the event-wide session when nobody is on air)."""
    if site is None:
        site = state.on_air
        if site is None:
            return state.current
    track = state.tracks.get(site)
    return track.session if track is not None else state.current


def _site(ctx: Ctx, site: str) -> str:
    if not ctx.config.has_site(site):
        raise DomainError("site.not_found", f"no site {site}", site=site)
    return site


def _changed(state: StageState, ctx: Ctx, fx: Effects, on_air: str | None, queue: list[str]) -> Commit:
    def commit() -> None:
        if state.on_air != on_air:
            state.on_air, state.on_air_since = on_air, ctx.at
        state.floor_queue = queue
        fx.now.append(("stage", ""))
        fx.result.update(on_air=state.on_air, floor_queue=list(queue))
    return commit


def request_floor(state: StageState, ctx: Ctx, cmd: c.RequestFloor, fx: Effects) -> Commit:
    site = _site(ctx, ctx.actor.site or "")
    require(site not in state.floor_queue, "floor.already_requested", "your site is already in the queue")
    require(site != state.on_air, "floor.already_on_air", "your site is already on air")
    return _changed(state, ctx, fx, state.on_air, [*state.floor_queue, site])


def withdraw_floor(state: StageState, ctx: Ctx, cmd: c.WithdrawFloor, fx: Effects) -> Commit:
    site = ctx.actor.site or ""
    require(site in state.floor_queue, "floor.not_requested", "your site is not in the queue")
    return _changed(state, ctx, fx, state.on_air, [s for s in state.floor_queue if s != site])


def grant_floor(state: StageState, ctx: Ctx, cmd: c.GrantFloor, fx: Effects) -> Commit:
    site = _site(ctx, cmd.site)
    require(site in state.floor_queue, "floor.not_requested", f"{site} has not asked for the floor", site=site)
    return _changed(state, ctx, fx, site, [s for s in state.floor_queue if s != site])


def set_on_air(state: StageState, ctx: Ctx, cmd: c.SetOnAir, fx: Effects) -> Commit:
    site = _site(ctx, cmd.site) if cmd.site is not None else None
    return _changed(state, ctx, fx, site, [s for s in state.floor_queue if s != site])


def set_hls_threshold(state: StageState, ctx: Ctx, cmd: c.SetHlsThreshold, fx: Effects) -> Commit:
    def commit() -> None:
        state.hls_threshold = cmd.viewers
        fx.now.append(("stage", ""))
        fx.result["hls_threshold"] = cmd.viewers
    return commit


def clear_floor(state: StageState, ctx: Ctx, cmd: c.ClearFloorQueue, fx: Effects) -> Commit:
    return _changed(state, ctx, fx, state.on_air, [])


def record(state: StageState, ctx: Ctx, cmd: c.RecordSession, fx: Effects) -> Commit:
    """Record the program as the captation of one programme session (one file each)."""
    if cmd.session is not None:
        require(cmd.session < len(ctx.config.programme), "recording.session",
                f"the programme has no session {cmd.session}", session=cmd.session)
    require(cmd.session != state.recording, "recording.unchanged",
            "already recording that" if cmd.session is not None else "not recording")

    def commit() -> None:
        state.recording, state.recording_since = cmd.session, ctx.at if cmd.session is not None else None
        fx.now.append(("stage", ""))
        fx.result["recording"] = cmd.session
    return commit


def set_current(state: StageState, ctx: Ctx, cmd: c.SetCurrentSession, fx: Effects) -> Commit:
    """Which session is under way: on one site's track, or event-wide (every site
    follows it). "Now" and "next" follow it (a programme runs late; the clock alone
    would lie)."""
    if cmd.session is not None:
        require(cmd.session < len(ctx.config.programme), "programme.session",
                f"the programme has no session {cmd.session}", session=cmd.session)
    site = acting_site(ctx, cmd.site)
    if site is None:
        require(cmd.session != state.current or any(t.session != cmd.session for t in state.tracks.values()),
                "programme.unchanged", "that is already the current session")
        sites = [s.id for s in ctx.config.sites]
    else:
        if cmd.session is not None:
            require(programme.on_track(ctx.config, cmd.session, site), "programme.other_site",
                    f"session {cmd.session} is not on {site}'s track", session=cmd.session, site=site)
        require(cmd.session != track_session(state, site), "programme.unchanged",
                "that is already the current session", site=site)
        sites = [site]

    def commit() -> None:
        if site is None:
            state.current, state.current_since = cmd.session, ctx.at
        for s in sites:
            track = state.tracks.setdefault(s, Track())
            track.session, track.since = cmd.session, ctx.at
            if cmd.session is not None:
                track.last = cmd.session
        fx.now.append(("stage", ""))
        fx.result.update(current=cmd.session, site=site)
    return commit


def render_tracks(state: StageState, config: EventConfig) -> dict[str, Any]:
    out = {}
    for s in config.sites:
        track = state.tracks.get(s.id)
        session = track_session(state, s.id)
        out[s.id] = {"session": session, "since": track.since if track else state.current_since,
                     "next": programme.next_on_track(config, s.id, session if session is not None
                                                     else (track.last if track else None))}
    return out


def render(state: StageState, config: EventConfig) -> dict[str, Any]:
    return {"on_air": state.on_air, "since": state.on_air_since, "floor_queue": list(state.floor_queue),
            "recording": state.recording, "recording_since": state.recording_since,
            "current": state.current, "current_since": state.current_since,
            "next": programme.next_session(config, state.current),
            "program_session": track_session(state, None), "tracks": render_tracks(state, config),
            "hls_threshold": state.hls_threshold}


def on_air_title(state: StageState, config: EventConfig) -> str:
    """"Now on air" in a line (the webradio's title): the site, the session, its speakers."""
    if state.on_air is None:
        return f"{config.title} — hors antenne"
    site = next((s.name for s in config.sites if s.id == state.on_air), state.on_air)
    parts = [site]
    current = track_session(state, None)
    if current is not None and current < len(config.programme):
        session = config.programme[current]
        parts.append(session.title + (f" ({', '.join(session.speakers)})" if session.speakers else ""))
    return " — ".join(parts)
