"""The programme as a calendar: `/e/<event>/programme.ics`, one VEVENT per session,
in the event's time zone, so people can add the day to their own calendar;
`?site=<id>` gives one site's track (its sessions and the plenaries)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain.event import EventConfig, Session
from ..domain.programme import day_of, in_time_order, on_track
from .auth import event_of, runtime_of

# The same words as the pages' catalogs (web/i18n, "programme.kind"); a test keeps them equal.
KIND_LABELS = {
    "fr": {"talk": "Intervention", "keynote": "Conférence", "round_table": "Table ronde", "workshop": "Atelier",
           "pecha_kucha": "Pecha kucha", "experience_report": "Retour d'expérience", "plenary": "Plénière",
           "break": "Pause"},
    "en": {"talk": "Talk", "keynote": "Keynote", "round_table": "Round table", "workshop": "Workshop",
           "pecha_kucha": "Pecha kucha", "experience_report": "Experience report", "plenary": "Plenary",
           "break": "Break"},
}


def times(config: EventConfig, session: Session) -> tuple[dt.datetime, dt.datetime]:
    """Start and end as aware datetimes in the event's time zone."""
    zone, day = ZoneInfo(config.timezone), day_of(config, session)
    start = dt.datetime.combine(day, dt.time.fromisoformat(session.start), zone)
    end = dt.datetime.combine(day, dt.time.fromisoformat(session.end), zone)
    return start, end


def calendar(config: EventConfig, public_url: str, lang: str = "fr", site: str | None = None) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Multiplex//programme//FR")
    cal.add("version", "2.0")
    track = config.site(site) if site else None
    cal.add("x-wr-calname", f"{config.title} — {track.name}" if track else config.title)
    cal.add("x-wr-timezone", config.timezone)
    sites = {s.id: s for s in config.sites}
    for index in in_time_order(config):
        if site is not None and not on_track(config, index, site):
            continue
        session = config.programme[index]
        start, end = times(config, session)
        ev = icalendar.Event()
        ev.add("uid", f"{config.id}-{index}@multiplex")
        ev.add("summary", session.title)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("dtstamp", dt.datetime.combine(config.date, dt.time(0), dt.UTC))
        where = sites[session.site]
        room = f", {session.room}" if session.room else ""
        ev.add("location", f"{where.name}{room} ({where.city})")
        kind = KIND_LABELS[lang][session.kind.value]
        speakers = f" — {', '.join(session.speakers)}" if session.speakers else ""
        about = f"\n\n{session.description}" if session.description else ""
        ev.add("description", f"{kind}{speakers}{about}")
        ev.add("url", f"{public_url}/e/{config.id}")
        cal.add_component(ev)
    body: bytes = cal.to_ical()
    return body


async def programme_ics(request: Request) -> Response:
    runtime, ev = runtime_of(request), event_of(request)
    lang = "en" if request.query_params.get("lang") == "en" else "fr"
    site = request.query_params.get("site")
    if site is not None and not ev.config.has_site(site):
        return JSONResponse({"code": "site.not_found", "message": "no such site in this event"}, status_code=404)
    body = calendar(ev.config, runtime.settings.effective_public_url, lang, site)
    name = f"{ev.config.id}-{site}" if site else ev.config.id
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.ics"'})


routes = [Route("/e/{event}/programme.ics", programme_ics)]
