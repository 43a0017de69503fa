"""Role links and join codes.

A role link carries a token: base64url(JSON claims) "." base64url(HMAC-SHA256).
Claims: event, role, site, expiry. Rotating HUB_SECRET revokes every link (and
changes the join codes, which derive from it too).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import msgspec

from ..domain.actors import Role
from ..domain.errors import DomainError

SIGNED_ROLES = frozenset({Role.COORDINATOR, Role.MODERATOR, Role.SCREEN, Role.CAPTIONER})
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from a projector
CODE_LENGTH = 6


class Claims(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    e: str            # event
    r: Role
    x: int            # expiry, seconds since the epoch
    s: str | None = None  # site, for coordinator and screen


@dataclass(frozen=True)
class Grant:
    role: Role
    site: str | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"link:" + payload.encode(), hashlib.sha256).digest())


def sign(secret: str, event: str, role: Role, site: str | None, expires_at: int) -> str:
    if role not in SIGNED_ROLES:
        raise ValueError(f"{role.value} needs no signed link")
    if (role in (Role.MODERATOR, Role.CAPTIONER)) != (site is None):
        raise ValueError("coordinator and screen links name a site; moderator and captioner links do not")
    payload = _b64(msgspec.json.encode(Claims(e=event, r=role, s=site, x=expires_at)))
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: str, token: str, event: str, now: int) -> Grant:
    payload, _, mac = token.partition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _mac(secret, payload).encode()):
        raise DomainError("auth.invalid", "this link is not valid (forged, mistyped or revoked)")
    try:
        claims = msgspec.json.decode(_unb64(payload), type=Claims)
    except (msgspec.DecodeError, ValueError):
        raise DomainError("auth.invalid", "this link is not valid") from None
    if claims.r not in SIGNED_ROLES:
        raise DomainError("auth.invalid", "this link is not valid")  # no link may claim the system role
    if claims.e != event:
        raise DomainError("auth.invalid", "this link is for another event")
    if claims.x < now:
        raise DomainError("auth.expired", "this link has expired: ask the organisers for a new one")
    return Grant(role=claims.r, site=claims.s)


def join_code(secret: str, event: str, site: str) -> str:
    digest = hmac.new(secret.encode(), f"join:{event}:{site}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def check_join_code(secret: str, event: str, site: str, code: str) -> None:
    expected = join_code(secret, event, site)
    # Bytes, not str: compare_digest refuses non-ASCII strings (and a code typed
    # on a phone may well hold some).
    if not hmac.compare_digest(expected.encode(), code.strip().upper().encode()):
        raise DomainError("auth.bad_code", "this site code is not right: check the code shown in the room")


def check_may_publish(grant: Grant, site: str) -> None:
    """Who may publish a site's camera (WHIP here, or MediaMTX's auth hook): that
    site's coordinator, or the control room. Raises auth.* when not."""
    if grant.role is Role.COORDINATOR and grant.site != site:
        raise DomainError("auth.other_site", "this link publishes another site")
    if grant.role not in (Role.COORDINATOR, Role.MODERATOR):
        raise DomainError("auth.forbidden", "only a site's coordinator or a moderator publishes")
