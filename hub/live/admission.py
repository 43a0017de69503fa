"""Who is at the door of the live channel, and how many of them: the client's
address (from the socket, or from X-Forwarded-For when the peer is a configured
trusted proxy), and a cap on connections per address, open at once and opened
per 10 seconds. Sans I/O: the session feeds it addresses and the clock.

A school puts 200 people behind one public address, so these bounds are
generous (docs/protocol.md, "Limits"); what a single client cannot dodge is that
every one of its connections, however many ids it rotates through, counts here.
"""
from __future__ import annotations

import collections
import ipaddress
from collections.abc import Iterable

from ..security.ratelimit import RateLimiter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[Network]:
    """HUB_TRUSTED_PROXIES: addresses or CIDRs, comma-separated."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _is_loopback(address: str) -> bool:
    ip = _ip(address)
    return ip is not None and ip.is_loopback


def client_address(peer: str, forwarded_for: Iterable[str], trusted: list[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    right-most address of X-Forwarded-For that is not itself a trusted proxy (the
    left of it was written by the client and proves nothing). A header that does
    not parse is ignored: the trusted proxy itself is then the client."""
    peer_ip = _ip(peer)
    if peer_ip is None or not any(peer_ip in net for net in trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer
        if not any(ip in net for net in trusted):
            return str(ip)
    return peer


class AddressGate:
    """Connections per client address: at most `max_open` open at once, and at most
    `per_10s` opened in any 10 seconds (a token bucket)."""

    def __init__(self, max_open: int, per_10s: int) -> None:
        self.max_open = max_open
        self.open: collections.Counter[str] = collections.Counter()
        self._opening = RateLimiter(per_10s, 10.0)

    def admit(self, address: str, now: float) -> str | None:
        """None when admitted (then `leave` it once), else why not, in words. A client on
        this machine itself (loopback: a test, a benchmark, a proxy beside the hub that
        forwards no address) is not capped: an undeclared local proxy must never turn
        a whole audience into one capped address."""
        if _is_loopback(address):
            return None
        if self.open[address] >= self.max_open:
            return f"too many connections from your address ({self.max_open} at once)"
        if self._opening.allow(address, now):
            return "too many new connections from your address: wait a moment"
        self.open[address] += 1
        return None

    def leave(self, address: str) -> None:
        if _is_loopback(address):
            return
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]
