"""A tiny harness: apply commands as given actors, with seq and time handled."""
from __future__ import annotations

from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.event import EventConfig, parse_event
from hub.domain.state import Entry, EventState, Outcome, apply, check

MOD = Actor(role=Role.MODERATOR, pid="mod-1")
REMOTE_VIEWER = Actor(role=Role.VIEWER, pid="remote-1")


def participant(site: str, n: int = 1) -> Actor:
    return Actor(role=Role.PARTICIPANT, pid=f"{site}-p{n}", site=site)


def coordinator(site: str) -> Actor:
    return Actor(role=Role.COORDINATOR, pid=f"{site}-coord", site=site)


def make_config(**overrides: object) -> EventConfig:
    data: dict = {
        "id": "test-day", "title": "Test day", "date": "2020-10-13", "hashtag": "#EGNum",
        "sites": [{"id": s, "name": s.title(), "city": s.title()} for s in ("nancy", "reims", "strasbourg")],
        "settings": {"qna": {"premoderated": True}, "contributions": {"premoderated": True}},
    }
    data.update(overrides)
    return parse_event(data)


class World:
    def __init__(self, config: EventConfig | None = None) -> None:
        self.config = config or make_config()
        self.state = EventState()
        self.clock = 1_600_000_000_000

    def do(self, actor: Actor, cmd: c.Command, cid: str | None = None) -> Outcome:
        self.clock += 1000
        return apply(self.state, self.config, self.state.seq + 1, Entry(at=self.clock, actor=actor, cmd=cmd, cid=cid))

    def ok(self, actor: Actor, cmd: c.Command, cid: str | None = None) -> dict:
        outcome = self.do(actor, cmd, cid)
        assert outcome.error is None, outcome.error
        assert outcome.effects is not None
        return outcome.effects.result

    def refused(self, actor: Actor, cmd: c.Command) -> str:
        """Check first (as the service does), then apply; both must refuse with one code."""
        before = self.state.seq
        try:
            check(self.state, self.config, Entry(at=self.clock, actor=actor, cmd=cmd))
        except Exception as exc:
            checked_code = exc.code
        else:
            raise AssertionError("check accepted a command apply should refuse")
        outcome = self.do(actor, cmd)
        assert outcome.error is not None and outcome.error.code == checked_code
        assert self.state.seq == before + 1
        return checked_code
