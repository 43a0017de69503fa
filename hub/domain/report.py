"""The key figures of an event ("les chiffres clés"), folded from the state, and so
from the log: people in the rooms, devices connected and stream viewers (three
different things, kept apart), peaks, questions, ballots (and hands counted in
the rooms, apart), proposals, live posts, reactions, and the activity per hour.

Pure: the HTTP layer turns this into pages, CSV, XLSX and PDF; a test recounts
every figure from the raw log entries.
"""
from __future__ import annotations

from typing import Any

from . import attendance, imports, polls, rooms, social
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
        hands_by_site = {s: sum(row) for s, row in p.hands.items()}
        ballots.append({"id": p.id, "question": p.question, "kind": p.kind.value, "state": p.state.value,
                        "session": p.session, "site": p.site, "ballots": t["ballots"],
                        "ballots_by_site": _per_origin(config, t["ballots_by_site"]),
                        "ballots_by_category": t["ballots_by_category"],
                        # shows of hands: people, not ballots; summed beside, never into, the ballots
                        "hands": sum(hands_by_site.values()), "hands_by_site": _per_origin(config, hands_by_site),
                        "answers": t["ballots"] + sum(hands_by_site.values())})
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
    live_posts = sum(1 for p in state.feed.posts.values() if p.kind == LIVE and p.state is not PostState.REMOVED)
    on_networks = social.figures(state.feed)
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
        "people": people(state, config),
        "stream": {"watchers": len(state.attendance.watchers), "sessions": state.attendance.sessions,
                   "peak": presence.watching_peak, "peak_at": presence.watching_peak_at,
                   "by_way": attendance.watchers_by_way(state.attendance)},
        "questions": {"asked": sum(asked.values()), "answered": sum(answered.values()),
                      "asked_by_site": _per_origin(config, asked),
                      "answered_by_site": _per_origin(config, answered)},
        "polls": ballots,
        "proposals": proposals,
        "live_posts": live_posts,
        # the hashtag's conversation on the networks: every post read, shown or not
        "social": {"total": sum(n["total"] for n in on_networks.values()), "by_network": on_networks,
                   "live_posts_sent": social.sent_counts(state.feed, config.social)},
        "reactions": {"total": sum(reactions_by_kind.values()), "by_kind": reactions_by_kind,
                      "by_site": _per_origin(config, reactions_by_site),
                      "by_kind_and_site": {e: _per_origin(config, by) for e, by in state.reactions.counts.items()}},
        "timeline": timeline(state),
        # a national event: what each region's imported synthesis says
        "regions": imports.regions(state.imports),
        "national_ranking": imports.national_ranking(state.imports),
    }


def people(state: EventState, config: EventConfig) -> dict[str, Any]:
    """Bodies in the rooms (check-ins at the door, the coordinators' head counts) apart
    from devices (browsers that joined with the site's code) and stream viewers.
    A site's people in the room: its largest head count, or its check-ins when more
    were checked in than ever counted (a head count includes those checked in)."""
    checked_in = rooms.checked_in_by_site(state.rooms)
    devices = attendance.present_by_origin(state.attendance)
    by_site: dict[str, dict[str, Any]] = {}
    for site in config.sites:
        kept = state.rooms.headcounts.get(site.id, [])
        peak = max((h.count for h in kept), default=None)
        checked = checked_in.get(site.id, 0)
        by_site[site.id] = {"in_room": max(peak or 0, checked), "checked_in": checked,
                            "walk_ins": sum(1 for p in state.rooms.people.values() if p.site == site.id and p.walk_in
                                            and p.checked_in is not None),
                            "expected": sum(1 for p in state.rooms.people.values() if p.site == site.id),
                            "headcount_peak": peak, "headcount_last": kept[-1].count if kept else None,
                            "devices": devices.get(site.id, 0),
                            "devices_peak": state.presence.peak_by_site.get(site.id, 0)}
    sessions = []
    for index, session in enumerate(config.programme):
        counts = [h.count for s in state.rooms.headcounts.values() for h in s if h.session == index]
        checked = sum(1 for p in state.rooms.people.values() if p.checked_in is not None and p.session == index)
        devices_peak = state.presence.peak_by_session.get(index, {})
        stream = state.presence.watching_peak_by_session.get(index, 0)
        if counts or checked or devices_peak or stream:
            sessions.append({"session": index, "title": session.title, "site": session.site,
                             "headcount_peak": max(counts, default=None), "checked_in": checked,
                             "devices_peak": _per_origin(config, devices_peak), "stream_peak": stream})
    return {"in_rooms": sum(s["in_room"] for s in by_site.values()),
            "checked_in": sum(checked_in.values()), "by_site": by_site,
            "devices_on_sites": sum(n for o, n in devices.items() if o != REMOTE),
            "devices_remote": devices.get(REMOTE, 0), "by_session": sessions}


def timeline(state: EventState) -> dict[str, Any]:
    """Hourly counts per metric over one continuous range of hours (gaps as zeros)."""
    hours_seen = sorted({h for bucket in state.timeline.hours.values() for h in bucket})
    if not hours_seen:
        return {"hours": [], "series": {}}
    hours = list(range(hours_seen[0], hours_seen[-1] + HOUR_MS, HOUR_MS))
    series = {metric: [bucket.get(h, 0) for h in hours] for metric, bucket in sorted(state.timeline.hours.items())}
    return {"hours": hours, "series": series}
