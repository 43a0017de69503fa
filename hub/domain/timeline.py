"""Activity per hour, for the report's timeline charts: folded from entry times
(never from the clock), so every process and every recount agree."""
from __future__ import annotations

import msgspec

from . import commands as c

HOUR_MS = 3_600_000
# What each command counts as in the timeline (commands not listed are not counted).
METRICS: dict[type[c.Command], str] = {
    c.AskQuestion: "questions",
    c.Vote: "ballots",
    c.React: "reactions",
    c.PostLive: "live_posts",
    c.SubmitProposal: "proposals",
    c.UpvoteQuestion: "upvotes",
    c.UpvoteProposal: "upvotes",
    c.Attended: "arrivals",
}


class TimelineState(msgspec.Struct):
    hours: dict[str, dict[int, int]] = msgspec.field(default_factory=dict)  # metric -> hour start (ms) -> n


def hour_of(at: int) -> int:
    return at - at % HOUR_MS


def record(state: TimelineState, cmd: c.Command, at: int, n: int = 1) -> None:
    metric = METRICS.get(type(cmd))
    if metric is None or n <= 0:
        return
    bucket = state.hours.setdefault(metric, {})
    hour = hour_of(at)
    bucket[hour] = bucket.get(hour, 0) + n
