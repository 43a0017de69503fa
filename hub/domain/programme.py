"""The programme in time: which session comes after which.

Sessions are listed in the event file in any order; their order in time is by
day (the event's first day when a session names none), then start, then place
in the file. Sites run sessions side by side, so "next" after the control room's
current session is the first one that starts once it ends at the same site, or,
when that site has nothing more, anywhere. A site's track runs its own sessions
and the plenary ones (every site follows those).
"""
from __future__ import annotations

import datetime as dt

from .event import EventConfig, Session


def day_of(config: EventConfig, session: Session) -> dt.date:
    return session.day or config.date


def in_time_order(config: EventConfig) -> list[int]:
    """Programme indexes, earliest first."""
    programme = config.programme
    return sorted(range(len(programme)), key=lambda i: (day_of(config, programme[i]), programme[i].start, i))


def next_session(config: EventConfig, current: int | None) -> int | None:
    """The session after the current one, or None (nothing under way, or the last)."""
    if current is None:
        return None
    programme, now = config.programme, config.programme[current]
    ends = (day_of(config, now), now.end)
    later = [i for i in in_time_order(config) if i != current
             and (day_of(config, programme[i]), programme[i].start) >= ends]
    same_site = [i for i in later if programme[i].site == now.site]
    found = same_site or later
    return found[0] if found else None


def on_track(config: EventConfig, index: int, site: str) -> bool:
    """Whether a site's track may run this session: its own, or a plenary one."""
    session = config.programme[index]
    return session.site == site or session.everywhere


def next_on_track(config: EventConfig, site: str, after: int | None) -> int | None:
    """What a site's track runs next: the first of its sessions (or plenaries) that
    starts once `after` ends; the track's first session when it ran none yet."""
    mine = [i for i in in_time_order(config) if on_track(config, i, site)]
    if after is None:
        return mine[0] if mine else None
    programme, done = config.programme, config.programme[after]
    ends = (day_of(config, done), done.end)
    later = [i for i in mine if i != after and (day_of(config, programme[i]), programme[i].start) >= ends]
    return later[0] if later else None
