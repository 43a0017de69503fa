"""ICE configuration from settings: servers, the host addresses the hub offers,
and which remote candidates it accepts. Nothing points at a public server unless
the settings say so."""
from __future__ import annotations

import ipaddress
import json
import re

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer

from ..settings import Settings

_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ", re.M)


def ice_servers(settings: Settings) -> list[RTCIceServer]:
    try:
        raw = json.loads(settings.media_ice_servers or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"HUB_MEDIA_ICE_SERVERS is not valid JSON: {exc}") from None
    return [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential")) for s in raw]


def configuration(settings: Settings) -> RTCConfiguration:
    # An explicit list, even empty: aiortc would otherwise add a public STUN server.
    return RTCConfiguration(iceServers=ice_servers(settings))


def restrict_host_addresses(settings: Settings) -> None:
    """Offer only the configured addresses as host candidates (aioice gathers every
    interface but loopback by default). Process-wide, as aioice's gathering is."""
    wanted = [a.strip() for a in settings.media_host_addresses.split(",") if a.strip()]
    if wanted:
        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(wanted)


def filter_remote_candidates(sdp: str, settings: Settings) -> str:
    """Drop remote candidates outside HUB_MEDIA_REMOTE_NETWORKS (when set)."""
    networks = [ipaddress.ip_network(n.strip()) for n in settings.media_remote_networks.split(",") if n.strip()]
    if not networks:
        return sdp

    def allowed(line: str) -> bool:
        match = _CANDIDATE.match(line)
        if not match:
            return True
        try:
            address = ipaddress.ip_address(match.group(1))
        except ValueError:
            return False  # an mDNS name: cannot be checked
        return any(address in n for n in networks if n.version == address.version)

    lines = sdp.replace("\r\n", "\n").strip("\n").split("\n")
    return "\r\n".join(line for line in lines if allowed(line)) + "\r\n"
