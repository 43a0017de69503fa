"""Where a command acts: every site, or one site's room, screens and track.

Several features hold a value for every site and, per site, a value of its own
(the highlighted question, the poll on screens, the scene). A site's screens show
whichever was set last, so a coordinator can take their own screens and the
control room can take them all back in one click. "Last" is by log sequence: it
is the same on every process.
"""
from __future__ import annotations

import msgspec

from .actors import Role
from .context import Ctx
from .errors import DomainError, require


class Pin(msgspec.Struct, array_like=True):
    value: str | None
    seq: int


def acting_site(ctx: Ctx, site: str | None) -> str | None:
    """The site a scoped command acts on: a coordinator's own (named or not); the
    control room's as named (None: every site). Another site is refused."""
    if ctx.actor.role is Role.COORDINATOR:
        require(site is None or site == ctx.actor.site, "auth.other_site",
                f"a coordinator acts on their own site ({ctx.actor.site}) only", site=site)
        return ctx.actor.site
    if site is not None and not ctx.config.has_site(site):
        raise DomainError("site.not_found", f"no site {site}", site=site)
    return site


def effective(everywhere: str | None, everywhere_seq: int, sites: dict[str, Pin], site: str | None) -> str | None:
    """What a site shows: its own pin when set after the event-wide value."""
    pin = sites.get(site) if site is not None else None
    if pin is not None and pin.seq > everywhere_seq:
        return pin.value
    return everywhere


def required_site(ctx: Ctx, site: str | None) -> str:
    """The one site a command acts on, where "every site" means nothing (a head count,
    a timer, the room's hands): a coordinator's own, or the one the control room names."""
    where = acting_site(ctx, site)
    if where is None:
        raise DomainError("site.required", "say which site", field="site")
    return where
