"""Token buckets: a flood gets `rate.limited`, never the log.

Buckets are kept per participant id, and, because a client chooses its id, also
per live connection, per client address and per site join code (`Via`): rotating
ids over connections still drains the address's and the site's buckets."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Via:
    """Where a command came from, beyond who it says it is."""
    connection: str          # one live connection
    address: str             # the client's address (hub/live/admission.py)
    site: str | None = None  # the site whose join code it joined with


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """`allow(key, now)` takes one token from the bucket `key` or says how long to wait."""

    def __init__(self, capacity: int, per_seconds: float) -> None:
        self.capacity = float(capacity)
        self.rate = capacity / per_seconds  # tokens per second
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, key: str, now: float) -> float:
        """0.0 when allowed (a token was taken), else seconds until a token is back."""
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) > 50_000:
                self._prune(now)
            b = self._buckets[key] = _Bucket(self.capacity, now)
        b.tokens = min(self.capacity, b.tokens + (now - b.stamp) * self.rate)
        b.stamp = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return 0.0
        return (1.0 - b.tokens) / self.rate

    def refund(self, key: str) -> None:
        """Give back a token taken for something that was not done after all."""
        b = self._buckets.get(key)
        if b is not None:
            b.tokens = min(self.capacity, b.tokens + 1.0)

    def _prune(self, now: float) -> None:
        """Forget buckets that are full again: they hold no information."""
        full_after = self.capacity / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.stamp < full_after}
