"""Joining the live channel: who a hello says you are, what you may see, and the
welcome that tells you. No I/O: the session feeds it the hello and the clock."""
from __future__ import annotations

import msgspec

from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..domain.event import EventConfig
from ..domain.views import MOD, PUBLIC, site_audience, track_audience
from ..security import access, signing
from .frames import Welcome
from .protocol import PROTOCOL_VERSION, Hello


def authenticate(config: EventConfig, secret: str, hello: Hello, now: int) -> Actor:
    """The actor behind a hello, or DomainError (auth.*, site.*, hello.version)."""
    if hello.proto != PROTOCOL_VERSION:
        raise DomainError("hello.version", f"this hub speaks protocol {PROTOCOL_VERSION}")
    if hello.token is not None:
        grant = access.verify(secret, hello.token, config.id, now)
        return Actor(role=grant.role, pid=hello.pid, site=grant.site)  # staff: no category
    if hello.category is not None and not config.has_category(hello.category):
        raise DomainError("category.unknown", f"this event has no category {hello.category!r}",
                          categories=[k.id for k in config.categories])
    if hello.follow is not None and not config.has_site(hello.follow):
        raise DomainError("site.not_found", f"no site {hello.follow} to follow in this event")
    if hello.join is not None:
        if not config.has_site(hello.join.site):
            raise DomainError("site.not_found", f"no site {hello.join.site} in this event")
        access.check_join_code(secret, config.id, hello.join.site, hello.join.code)
        return Actor(role=Role.PARTICIPANT, pid=hello.pid, site=hello.join.site, category=hello.category)
    return Actor(role=Role.VIEWER, pid=hello.pid, category=hello.category)


def audience_of(actor: Actor, follow: str | None = None) -> str:
    """Moderators see everything; a coordinator also sees their site's pending items;
    people in a site's room (and its screens) see that room's polls, and so do the
    remote viewers who follow that site's track (`follow`); the others follow the program."""
    if actor.role is Role.MODERATOR:
        return MOD
    if actor.role is Role.COORDINATOR and actor.site:
        return site_audience(actor.site)
    if actor.role in (Role.PARTICIPANT, Role.SCREEN) and actor.site:
        return track_audience(actor.site)
    if actor.role is Role.VIEWER and follow:
        return track_audience(follow)
    return PUBLIC


def counts_in_presence(actor: Actor) -> bool:
    """Presence counts the audience: not the projectors, not the control room."""
    return actor.role in (Role.VIEWER, Role.PARTICIPANT, Role.COORDINATOR)


def welcome(config: EventConfig, secret: str, actor: Actor, node: str, follow: str | None = None) -> Welcome:
    """`follow`: the site whose track a remote viewer follows (None: the program)."""
    staff_site = actor.site if actor.site and actor.role in (Role.COORDINATOR, Role.SCREEN) else None
    moderator = actor.role is Role.MODERATOR
    return Welcome(proto=PROTOCOL_VERSION, role=actor.role.value, site=actor.site, origin=actor.origin, pid=actor.pid,
                   node=node, event=config.public_view(), follow=follow,
                   # shown on the screen, in the QR code
                   join_code=access.join_code(secret, config.id, staff_site) if staff_site else None,
                   # the read-only link the control room sends up to the national event
                   synthesis_token=signing.export_token(secret, config.id) if moderator else None,
                   prepared_polls=[msgspec.to_builtins(p) for p in config.polls] if moderator else None)
