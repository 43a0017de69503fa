"""Time-limited TURN credentials, in coturn's shared-secret convention (its
`use-auth-secret` / `static-auth-secret`, the "TURN REST API" draft): the user name
is `<expiry unix time>:<who>`, the password is base64(HMAC-SHA1(secret, user name)).

coturn checks both without asking the hub: a credential works until its expiry and
names the participant it was minted for (coturn logs and per-user quotas see that
name), so one leaked from a page is bounded in time and traceable to its owner."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnCredential:
    username: str
    credential: str
    expires_at: int


def mint(secret: str, who: str, now: int, ttl_s: int) -> TurnCredential:
    if not secret:
        raise ValueError("a TURN credential needs coturn's shared secret")
    if ":" in who:
        raise ValueError("the participant's name must not contain ':' (coturn splits the user name on it)")
    expires_at = now + max(60, ttl_s)
    username = f"{expires_at}:{who}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(username, base64.b64encode(digest).decode("ascii"), expires_at)


def check(secret: str, username: str, credential: str, now: int) -> bool:
    """What coturn does with a credential (used by the tests and by operators' checks)."""
    expiry, _, _who = username.partition(":")
    if not expiry.isdigit() or int(expiry) <= now:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, credential)
