"""Who sends a command: a role, a participant id and, for on-site roles, a site."""
from __future__ import annotations

import enum

import msgspec

REMOTE = "remote"  # the origin of anybody not on a site
PID_PATTERN = r"[A-Za-z0-9_-]{8,64}"  # a participant id, as browsers make them


class Role(str, enum.Enum):
    VIEWER = "viewer"            # remote viewer in a browser
    PARTICIPANT = "participant"  # phone on a site, joined with the site's code
    COORDINATOR = "coordinator"  # runs one site
    MODERATOR = "moderator"      # the control room (régie)
    SCREEN = "screen"            # the projector of one site: reads, never writes
    CAPTIONER = "captioner"      # types the live captions (or the speech-recognition worker)
    SYSTEM = "system"            # the hub itself (presence reports)


ON_SITE_ROLES = frozenset({Role.PARTICIPANT, Role.COORDINATOR, Role.SCREEN})


UNDECLARED = "non_renseigne"  # the breakdown's key for people who did not say


class Actor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Role
    pid: str
    site: str | None = None
    # self-declared at join, optional: one of the event's categories (event.categories)
    category: str | None = None

    @property
    def category_key(self) -> str:
        return self.category if self.category is not None else UNDECLARED

    @property
    def origin(self) -> str:
        """Where this actor's contributions count: their site, or remote."""
        return self.site if self.role in ON_SITE_ROLES and self.site else REMOTE
