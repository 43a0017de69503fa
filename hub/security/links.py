"""The URLs each role uses, with signed tokens for the staff roles."""
from __future__ import annotations

import time
from dataclasses import dataclass

from ..domain.actors import Role
from ..domain.event import EventConfig
from ..settings import Settings
from . import access, signing


@dataclass(frozen=True)
class Link:
    role: str
    label: str
    url: str
    code: str | None = None


def links_for(settings: Settings, event: EventConfig, *, now: int | None = None) -> list[Link]:
    base, secret = settings.effective_public_url, settings.secret
    expires = (now or int(time.time())) + settings.link_ttl_days * 86_400
    e = event.id
    out = [Link("viewer", "Remote viewers (public)", f"{base}/e/{e}")]
    for site in event.sites:
        code = access.join_code(secret, e, site.id)
        out.append(Link("participant", f"Join on site: {site.name}", f"{base}/e/{e}/join/{site.id}?code={code}", code))
    for site in event.sites:
        token = access.sign(secret, e, Role.COORDINATOR, site.id, expires)
        out.append(Link("coordinator", f"Site coordinator: {site.name}", f"{base}/e/{e}/site/{site.id}#token={token}"))
    for site in event.sites:
        token = access.sign(secret, e, Role.SCREEN, site.id, expires)
        out.append(Link("screen", f"Big screen: {site.name}", f"{base}/e/{e}/screen/{site.id}#token={token}"))
    token = access.sign(secret, e, Role.MODERATOR, None, expires)
    out.append(Link("moderator", "Moderator / régie", f"{base}/e/{e}/moderate#token={token}"))
    out.append(Link("report", "Key figures report (régie)", f"{base}/e/{e}/report#token={token}"))
    token = access.sign(secret, e, Role.CAPTIONER, None, expires)
    out.append(Link("captioner", "Live captions (captioner)", f"{base}/e/{e}/caption#token={token}"))
    export = signing.export_token(secret, e)
    out.append(Link("synthesis", "Synthesis (read-only link, for the national event)",
                    f"{base}/api/events/{e}/synthesis.json?token={export}"))
    return out


def format_links(event: EventConfig, links: list[Link], live_url: str) -> str:
    lines = [f"== {event.title} ({event.id})", f"   live channel: {live_url}"]
    for link in links:
        extra = f"   [code {link.code}]" if link.code else ""
        lines.append(f"   {link.label:<45} {link.url}{extra}")
    return "\n".join(lines)
