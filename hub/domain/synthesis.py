"""What a region sends up: the synthesis of an event (its proposals ranked per theme
with per-site and per-category votes, the questions answered, the poll results,
its key figures), versioned by the log position it was made at (`seq`)."""
from __future__ import annotations

from typing import Any

from . import polls, report
from .event import EventConfig
from .imports import FORMAT, VERSION
from .qna import QState


def build(state: Any, config: EventConfig, issued_at: int) -> dict[str, Any]:
    """The synthesis of this event, as plain data (signed and sent as JSON)."""
    figures = report.figures(state, config)
    themes = {t.id: t.title for t in config.themes}
    sites = {s.id: s.name for s in config.sites}
    proposals = [{**p, "theme_title": themes.get(p["theme"] or "", ""), "site": sites.get(p["origin"], p["origin"])}
                 for p in figures["proposals"]]
    answered = sorted((q for q in state.qna.questions.values() if q.state is QState.ANSWERED),
                      key=lambda q: (-len(q.voters), q.at))
    results = []
    for p in state.polls.polls.values():
        if p.state is not polls.PollState.DRAFT:
            results.append({"question": p.question, "kind": p.kind.value, "options": p.options,
                            "session": p.session, **polls.tally(p, reviewed=True)})
    return {
        "format": FORMAT, "version": VERSION,
        "event": {"id": config.id, "title": config.title, "region": config.region or config.title,
                  "date": config.date.isoformat(), "sites": sites},
        "seq": state.seq, "issued_at": issued_at,
        "themes": [{"id": t.id, "title": t.title} for t in config.themes],
        "proposals": proposals,
        "questions_answered": [{"text": q.text, "origin": q.origin, "votes": len(q.voters)} for q in answered],
        "polls": results,
        "figures": {k: figures[k] for k in ("attendance", "peak", "stream", "questions", "live_posts")}
        | {"reactions": figures["reactions"]["total"], "ballots": sum(p["ballots"] for p in figures["polls"])},
    }
