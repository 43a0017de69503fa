"""The key figures of an event ("les chiffres clés"), folded from the state, and so
from the log: present per site, remote viewers, peaks, stream watchers, questions,
ballots, proposals, live posts, reactions, and the activity per hour.

Pure: the HTTP layer turns this into pages, CSV, XLSX and PDF; a test recounts
every figure from the raw log entries.
"""
from __future__ import annotations

from typing import Any

from . import attendance, imports, polls
from .actors import REMOTE
from .commands import ContributionKind
from .event import EventConfig
from .feed import LIVE, PostState
from .qna import QState
from .state import EventState
from .timeline import HOUR_MS


def _per_origin(config: EventConfig, counts: dict[str, int]) -> dict[str, int]:
    """Every site of the event (zeros included), then remote, in the event's order."""
    return {**{s.id: counts.get(s.id, 0) for s in config.sites}, REMOTE: counts.get(REMOTE, 0)}


def figures(state: EventState, config: EventConfig) -> dict[str, Any]:
    present = attendance.present_by_origin(state.attendance)
    presence = state.presence
    asked: dict[str, int] = {}
    answered: dict[str, int] = {}
    for q in state.qna.questions.values():
        asked[q.origin] = asked.get(q.origin, 0) + 1
        if q.state is QState.ANSWERED:
            answered[q.origin] = answered.get(q.origin, 0) + 1
    ballots = []
    for p in state.polls.polls.values():
        if p.state is polls.PollState.DRAFT:
            continue
        t = polls.tally(p)
        ballots.append({"id": p.id, "question": p.question, "kind": p.kind.value, "state": p.state.value,
                        "session": p.session, "ballots": t["ballots"],
                        "ballots_by_site": _per_origin(config, t["ballots_by_site"]),
                        "ballots_by_category": t["ballots_by_category"]})
    proposals: list[dict[str, Any]] = []
    for post in state.feed.posts.values():
        if post.kind == ContributionKind.PROPOSAL.value and post.state is PostState.PUBLISHED:
            by_site: dict[str, int] = {}
            by_category: dict[str, int] = {}
            for origin, category in post.voted_from.values():
                by_site[origin] = by_site.get(origin, 0) + 1
                by_category[category] = by_category.get(category, 0) + 1
            proposals.append({"id": post.id, "title": post.title, "theme": post.theme, "origin": post.origin,
                              "votes": len(post.voters), "votes_by_site": _per_origin(config, by_site),
                              "votes_by_category": dict(sorted(by_category.items()))})
    proposals.sort(key=lambda p: (-int(p["votes"]), str(p["id"])))
    reactions_by_kind = {emoji: sum(by.values()) for emoji, by in state.reactions.counts.items()}
    reactions_by_site: dict[str, int] = {}
    for by in state.reactions.counts.values():
        for origin, n in by.items():
            reactions_by_site[origin] = reactions_by_site.get(origin, 0) + n
    live_posts = sum(1 for p in state.feed.posts.values() if p.kind == LIVE)
    sites_present = sum(n for origin, n in present.items() if origin != REMOTE)
    return {
        "event": {"id": config.id, "title": config.title, "date": config.date.isoformat(),
                  "sites": {s.id: s.name for s in config.sites}, "timezone": config.timezone},
        "seq": state.seq,
        "attendance": {"present_on_sites": sites_present, "remote": present.get(REMOTE, 0),
                       "by_site": _per_origin(config, present),
                       "by_category": attendance.by_category(state.attendance)},
        "peak": {"total": presence.peak, "at": presence.peak_at,
                 "by_site": _per_origin(config, presence.peak_by_site),
                 "by_site_at": dict(sorted(presence.peak_by_site_at.items()))},
        "stream": {"watchers": len(state.attendance.watchers), "sessions": state.attendance.sessions,
                   "peak": presence.watching_peak, "peak_at": presence.watching_peak_at},
        "questions": {"asked": sum(asked.values()), "answered": sum(answered.values()),
                      "asked_by_site": _per_origin(config, asked),
                      "answered_by_site": _per_origin(config, answered)},
        "polls": ballots,
        "proposals": proposals,
        "live_posts": live_posts,
        "reactions": {"total": sum(reactions_by_kind.values()), "by_kind": reactions_by_kind,
                      "by_site": _per_origin(config, reactions_by_site),
                      "by_kind_and_site": {e: _per_origin(config, by) for e, by in state.reactions.counts.items()}},
        "timeline": timeline(state),
        # a national event: what each region's imported synthesis says
        "regions": imports.regions(state.imports),
        "national_ranking": imports.national_ranking(state.imports),
    }


def timeline(state: EventState) -> dict[str, Any]:
    """Hourly counts per metric over one continuous range of hours (gaps as zeros)."""
    hours_seen = sorted({h for bucket in state.timeline.hours.values() for h in bucket})
    if not hours_seen:
        return {"hours": [], "series": {}}
    hours = list(range(hours_seen[0], hours_seen[-1] + HOUR_MS, HOUR_MS))
    series = {metric: [bucket.get(h, 0) for h in hours] for metric, bucket in sorted(state.timeline.hours.items())}
    return {"hours": hours, "series": series}
