"""An event as configured: sites, programme, hashtag, reactions and settings.

`parse_event` turns plain data (as read from YAML) into a validated `EventConfig`;
every problem raises `ConfigError` naming the field and what is wrong.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Any

import msgspec

from .commands import CreatePoll

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class SessionKind(str, enum.Enum):
    TALK = "talk"
    KEYNOTE = "keynote"
    ROUND_TABLE = "round_table"
    WORKSHOP = "workshop"
    PECHA_KUCHA = "pecha_kucha"
    EXPERIENCE_REPORT = "experience_report"
    PLENARY = "plenary"
    BREAK = "break"


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class Site(_Strict, frozen=True):
    id: str
    name: str
    city: str
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None  # seats: bounds invitees
    rooms: list[str] = []  # rooms inside the site, where parallel workshops happen
    # the language its projector speaks, when not the event's (a partner school abroad)
    language: str | None = None


class CategoryDef(_Strict, frozen=True):
    """Who people may say they are at join: configured per event (the États généraux
    named the State, local authorities, associations and companies)."""
    id: str
    fr: str
    en: str = ""


class Theme(_Strict, frozen=True):
    id: str
    title: str


# Kinds every site follows, unless a session says otherwise (`plenary`).
PLENARY_KINDS = frozenset({SessionKind.PLENARY, SessionKind.KEYNOTE, SessionKind.ROUND_TABLE})


class Session(_Strict, frozen=True):
    title: str
    kind: SessionKind
    start: str
    end: str
    site: str
    day: dt.date | None = None
    speakers: list[str] = []
    room: str | None = None        # a room inside the site (parallel workshops)
    description: str = ""
    plenary: bool | None = None    # every site follows it; by default the opening, round tables, keynotes

    @property
    def everywhere(self) -> bool:
        return self.plenary if self.plenary is not None else self.kind in PLENARY_KINDS


Positive = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class Limits(_Strict, frozen=True):
    question_length: Positive = 280
    name_length: Positive = 40
    post_length: Positive = 280
    contribution_title_length: Positive = 120
    contribution_body_length: Positive = 2000
    poll_question_length: Positive = 200
    poll_options: Positive = 12
    option_length: Positive = 80
    words_per_ballot: Positive = 3
    word_length: Positive = 30
    text_answer_length: Positive = 280
    caption_length: Positive = 500
    headcount_max: Positive = 5000   # a head count above this is a typo, not a room
    invitees_max: Positive = 20_000
    # Per participant, enforced by the service (a token bucket each).
    questions_per_minute: Positive = 3
    reactions_per_10s: Positive = 10
    commands_per_10s: Positive = 40


class QnaSettings(_Strict, frozen=True):
    premoderated: bool = True


class ContributionSettings(_Strict, frozen=True):
    premoderated: bool = False


class EventSettings(_Strict, frozen=True):
    qna: QnaSettings = QnaSettings()
    contributions: ContributionSettings = ContributionSettings()
    limits: Limits = Limits()
    # each site's camera recorded per its own sessions (the talks' videos afterwards), beside the program
    record_tracks: bool = True


NETWORKS = ("mastodon", "bluesky")  # where live posts may also be published (hub/social)
LANGUAGES = ("fr", "en")  # the pages' catalogs (web/i18n)
DEFAULT_REACTIONS = ["👏", "❤️", "👍", "😂", "🤔", "😮"]
DEFAULT_CATEGORIES = [
    CategoryDef("eleve", "Élève", "Pupil"), CategoryDef("parent", "Parent", "Parent"),
    CategoryDef("enseignant", "Enseignant·e", "Teacher"),
    CategoryDef("encadrement", "Personnel d'encadrement", "School management"),
    CategoryDef("collectivite", "Collectivité territoriale", "Local authority"),
    CategoryDef("autre", "Autre", "Other"),
]


class EventConfig(_Strict, frozen=True):
    id: str
    title: str
    date: dt.date
    sites: list[Site]
    programme: list[Session] = []
    themes: list[Theme] = []  # what open proposals are filed under
    # Polls prepared before the day: the control room launches each in one click.
    # Shown to the control room only (not in public_view: no spoiler for participants).
    polls: list[CreatePoll] = []
    end_date: dt.date | None = None
    timezone: str = "Europe/Paris"
    hashtag: str | None = None
    # The rooms' language: what the projectors speak (nobody picks one on a projector).
    # People's own pages start in French and follow each person's choice.
    language: str = "fr"
    # The social networks the régie's live posts also go to (the accounts are in hub.env).
    social: list[str] = []
    region: str | None = None  # the region a regional day stands for (its synthesis goes up under this name)
    description: str = ""
    reactions: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_REACTIONS))
    categories: list[CategoryDef] = msgspec.field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    settings: EventSettings = EventSettings()

    def site_ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.sites)

    def has_site(self, site: str) -> bool:
        return any(s.id == site for s in self.sites)

    def has_theme(self, theme: str) -> bool:
        return any(t.id == theme for t in self.themes)

    def has_category(self, category: str) -> bool:
        return any(k.id == category for k in self.categories)

    def site(self, site: str) -> Site | None:
        return next((s for s in self.sites if s.id == site), None)

    def public_view(self) -> dict[str, Any]:
        """What every client may know of the configuration."""
        data: dict[str, Any] = msgspec.to_builtins(self)
        data.pop("settings")
        data.pop("polls", None)
        for session, shown in zip(self.programme, data["programme"]):
            shown["plenary"] = session.everywhere  # what every site follows, said once for the pages
        data["settings"] = {
            "qna": msgspec.to_builtins(self.settings.qna),
            "contributions": msgspec.to_builtins(self.settings.contributions),
            "limits": msgspec.to_builtins(self.settings.limits),
        }
        return data


_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$")


def parse_event(data: Any) -> EventConfig:
    """Validate plain data into an EventConfig, or raise ConfigError(field, problem)."""
    if not isinstance(data, dict):
        raise ConfigError("(top level)", "expected a mapping of event fields")
    try:
        event = msgspec.convert(data, EventConfig)
    except msgspec.ValidationError as exc:
        match = _AT.match(str(exc))
        assert match is not None
        path = (match.group("path") or "").lstrip(".") or "(top level)"
        raise ConfigError(path, match.group("problem")) from None
    _check(event)
    return event


def _check(event: EventConfig) -> None:
    if not SLUG.match(event.id):
        raise ConfigError("id", "use 1-40 lowercase letters, digits and dashes")
    if not event.title.strip():
        raise ConfigError("title", "must not be empty")
    if not event.sites:
        raise ConfigError("sites", "an event needs at least one site")
    seen: set[str] = set()
    for i, site in enumerate(event.sites):
        if not SLUG.match(site.id) or site.id == "remote":
            raise ConfigError(f"sites[{i}].id", "use lowercase letters, digits and dashes (not 'remote')")
        if site.id in seen:
            raise ConfigError(f"sites[{i}].id", f"duplicate site id {site.id!r}")
        seen.add(site.id)
    if event.end_date and event.end_date < event.date:
        raise ConfigError("end_date", "is before date")
    last_day = event.end_date or event.date
    for i, session in enumerate(event.programme):
        where = f"programme[{i}]"
        if session.site not in seen:
            raise ConfigError(f"{where}.site", f"unknown site {session.site!r}")
        for name in ("start", "end"):
            if not HHMM.match(getattr(session, name)):
                raise ConfigError(f"{where}.{name}", "use HH:MM, e.g. 09:30")
        if session.end <= session.start:
            raise ConfigError(f"{where}.end", "must be after start")
        if session.day and not (event.date <= session.day <= last_day):
            raise ConfigError(f"{where}.day", "outside the event's dates")
        rooms = next(s.rooms for s in event.sites if s.id == session.site)
        if session.room is not None and rooms and session.room not in rooms:
            raise ConfigError(f"{where}.room", f"{session.site} has no room {session.room!r} ({', '.join(rooms)})")
    themes: set[str] = set()
    for i, theme in enumerate(event.themes):
        if not SLUG.match(theme.id) or theme.id in themes:
            raise ConfigError(f"themes[{i}].id", "use unique lowercase letters, digits and dashes")
        if not theme.title.strip():
            raise ConfigError(f"themes[{i}].title", "must not be empty")
        themes.add(theme.id)
    categories: set[str] = set()
    for i, cat in enumerate(event.categories):
        if not SLUG.match(cat.id) or cat.id in categories or cat.id == "non_renseigne":
            raise ConfigError(f"categories[{i}].id", "use unique lowercase letters, digits and dashes")
        if not cat.fr.strip():
            raise ConfigError(f"categories[{i}].fr", "must not be empty")
        categories.add(cat.id)
    if event.language not in LANGUAGES:
        raise ConfigError("language", f"must be one of {', '.join(LANGUAGES)}")
    for i, site in enumerate(event.sites):
        if site.language is not None and site.language not in LANGUAGES:
            raise ConfigError(f"sites[{i}].language", f"must be one of {', '.join(LANGUAGES)}")
    for i, network in enumerate(event.social):
        if network not in NETWORKS or event.social.index(network) != i:
            raise ConfigError(f"social[{i}]", f"must be one of {', '.join(NETWORKS)}, each once")
    if event.hashtag is not None and not re.match(r"^#\w{1,60}$", event.hashtag):
        raise ConfigError("hashtag", "must look like #word")
    if not event.reactions or len(set(event.reactions)) != len(event.reactions):
        raise ConfigError("reactions", "needs at least one reaction and no duplicates")
    if any(not r or len(r) > 8 for r in event.reactions):
        raise ConfigError("reactions", "each reaction is one emoji")
