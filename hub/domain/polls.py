"""Polls: five kinds, a draft -> open -> closed lifecycle, one ballot per participant,
tallies kept incrementally overall and per site.

A poll is for the whole event, or a room poll of one site (`site`): seen and
answered in that room and by the remote viewers who follow that site, run by the
control room or that site's coordinator. A coordinator may also enter the room's
show of hands per answer: kept apart from the ballots, shown beside them."""
from __future__ import annotations

import enum
from typing import Any

import msgspec

from . import commands as c
from .actors import REMOTE, UNDECLARED, Role
from .commands import PollKind
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .scope import Pin, acting_site, effective, required_site
from .text import checked, clean, normalise_word

TOP_WORDS = 60
REVIEWABLE = (PollKind.WORDCLOUD, PollKind.TEXT)  # what people write freely
LATEST_TEXTS = 50


class PollState(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


TRANSITIONS = {PollState.DRAFT: {PollState.OPEN}, PollState.OPEN: {PollState.CLOSED},
               PollState.CLOSED: {PollState.OPEN}}  # a closed poll may be reopened


class Ballot(msgspec.Struct, array_like=True):
    site: str
    value: list[int | str] | int | str
    category: str = UNDECLARED  # the voter's self-declared category


class Poll(msgspec.Struct):
    id: str
    at: int
    question: str
    kind: PollKind
    options: list[str]
    max_picks: int
    scale_min: int
    scale_max: int
    max_words: int
    results_visible: bool
    state: PollState = PollState.DRAFT
    ballots: dict[str, Ballot] = msgspec.field(default_factory=dict)
    # origin -> counts: per option / per rating step (lists), per word (dicts)
    counts: dict[str, list[int]] = msgspec.field(default_factory=dict)
    words: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)
    texts: list[list[str]] = msgspec.field(default_factory=list)  # [pid, origin, text, id], in order
    # Reviewed polls (word cloud, open text): what the control room let through to the
    # screens, and what it kept off them; words by their normal form, answers by id.
    review: bool = False
    shown: set[str] = msgspec.field(default_factory=set)
    masked: set[str] = msgspec.field(default_factory=set)
    session: int | None = None  # the programme session under way (on its track) when it was created
    site: str | None = None     # a room poll's site; None: the whole event
    hands: dict[str, list[int]] = msgspec.field(default_factory=dict)  # site -> show of hands per answer
    closed_at: int | None = None  # when it was last closed (ms): a viewer behind the picture may still vote


class PollsState(msgspec.Struct):
    polls: dict[str, Poll] = msgspec.field(default_factory=dict)
    on_screen: str | None = None  # on every site's screens ...
    on_screen_seq: int = 0
    site_on_screen: dict[str, Pin] = msgspec.field(default_factory=dict)  # ... or on one site's


def on_screen_at(state: PollsState, site: str | None) -> str | None:
    return effective(state.on_screen, state.on_screen_seq, state.site_on_screen, site)


def _check_scope(ctx: Ctx, poll: Poll) -> None:
    """A coordinator runs their own room's polls only."""
    if ctx.actor.role is Role.COORDINATOR and poll.site != ctx.actor.site:
        raise DomainError("auth.other_site", f"poll {poll.id} is not a poll of {ctx.actor.site}'s room", poll=poll.id)


def _get_scoped(state: PollsState, ctx: Ctx, pid: str) -> Poll:
    poll = _get(state, pid)
    _check_scope(ctx, poll)
    return poll


def _get(state: PollsState, pid: str) -> Poll:
    poll = state.polls.get(pid)
    if poll is None:
        raise DomainError("poll.not_found", f"no poll {pid}", poll=pid)
    return poll


def create(state: PollsState, ctx: Ctx, cmd: c.CreatePoll, fx: Effects) -> Commit:
    lim = ctx.limits
    site = acting_site(ctx, cmd.site)
    question = checked(cmd.question, limit=lim.poll_question_length, code="poll.question", what="the poll question")
    options = [checked(o, limit=lim.option_length, code="poll.option", what="an option") for o in cmd.options]
    if cmd.kind in (PollKind.SINGLE, PollKind.MULTIPLE):
        require(2 <= len(options) <= lim.poll_options, "poll.options",
                f"a choice poll needs 2 to {lim.poll_options} options", limit=lim.poll_options)
        require(len(set(options)) == len(options), "poll.options", "options must differ")
    else:
        require(not options, "poll.options", f"a {cmd.kind.value} poll takes no options")
    max_picks = cmd.max_picks if cmd.kind is PollKind.MULTIPLE else 1
    require(max_picks <= max(len(options), 1), "poll.max_picks", "max_picks is more than the options")
    require(cmd.scale_min < cmd.scale_max, "poll.scale", "scale_min must be below scale_max")
    poll = Poll(id=ctx.new_id("poll"), at=ctx.at, question=question, kind=cmd.kind, options=options,
                max_picks=max_picks, scale_min=cmd.scale_min, scale_max=cmd.scale_max,
                max_words=min(cmd.max_words, lim.words_per_ballot), results_visible=cmd.results == "live",
                session=ctx.session_at(site), review=cmd.review and cmd.kind in REVIEWABLE, site=site)

    def commit() -> None:
        state.polls[poll.id] = poll
        fx.now.extend([("poll", poll.id), ("tally", poll.id)])
        fx.result["poll"] = poll.id
    return commit


def transition(state: PollsState, ctx: Ctx, cmd: c.OpenPoll | c.ClosePoll, fx: Effects) -> Commit:
    poll = _get_scoped(state, ctx, cmd.poll)
    target = PollState.OPEN if isinstance(cmd, c.OpenPoll) else PollState.CLOSED
    if target not in TRANSITIONS[poll.state]:
        raise DomainError("poll.bad_state", f"poll {poll.id} is {poll.state.value}, cannot become {target.value}",
                          poll=poll.id, state=poll.state.value)

    def commit() -> None:
        poll.state = target
        poll.closed_at = ctx.at if target is PollState.CLOSED else None
        fx.now.extend([("poll", poll.id), ("tally", poll.id)])
    return commit


def set_results_visible(state: PollsState, ctx: Ctx, cmd: c.RevealResults | c.HideResults, fx: Effects) -> Commit:
    poll = _get_scoped(state, ctx, cmd.poll)

    def commit() -> None:
        poll.results_visible = isinstance(cmd, c.RevealResults)
        fx.now.extend([("poll", poll.id), ("tally", poll.id)])
    return commit


def show(state: PollsState, ctx: Ctx, cmd: c.ShowPollOnScreens, fx: Effects) -> Commit:
    """Put a poll on every site's screens, or on one site's (a room poll: its own only)."""
    site = acting_site(ctx, cmd.site)
    if cmd.poll is not None:
        poll = _get(state, cmd.poll)
        require(poll.state is not PollState.DRAFT, "poll.bad_state", "a draft cannot be shown")
        require(poll.site is None or poll.site == site, "poll.other_site",
                f"poll {poll.id} is {poll.site}'s room poll: shown on {poll.site}'s screens only", poll=poll.id)

    def commit() -> None:
        if site is None:
            state.on_screen, state.on_screen_seq = cmd.poll, ctx.seq
        else:
            state.site_on_screen[site] = Pin(cmd.poll, ctx.seq)
        fx.now.extend([("screen", ""), ("site_screens", "")])
    return commit


def count_hands(state: PollsState, ctx: Ctx, cmd: c.CountHands, fx: Effects) -> Commit:
    """The room's show of hands per answer (choice and rating polls): it replaces the
    site's previous count, and never mixes with the ballots."""
    poll = _get(state, cmd.poll)
    site = required_site(ctx, cmd.site)
    require(poll.site is None or poll.site == site, "poll.other_site", f"poll {poll.id} is not {site}'s", poll=poll.id)
    require(poll.kind in (PollKind.SINGLE, PollKind.MULTIPLE, PollKind.RATING), "hands.kind",
            f"hands are counted per answer: not for a {poll.kind.value} poll", poll=poll.id)
    require(poll.state is not PollState.DRAFT, "poll.bad_state", "a draft has no answers to count")
    size = _size(poll)
    require(len(cmd.counts) == size, "hands.invalid", f"give one count per answer ({size})", answers=size)
    require(all(n >= 0 for n in cmd.counts), "hands.invalid", "a count of hands is 0 or more")
    require(all(n <= ctx.limits.headcount_max for n in cmd.counts), "hands.absurd",
            f"more than {ctx.limits.headcount_max} hands for one answer", limit=ctx.limits.headcount_max)

    def commit() -> None:
        poll.hands[site] = list(cmd.counts)
        fx.now.append(("tally", poll.id))
        fx.result.update(poll=poll.id, site=site, hands=sum(cmd.counts))
    return commit


def _size(poll: Poll) -> int:
    return len(poll.options) if poll.kind is not PollKind.RATING else poll.scale_max - poll.scale_min + 1


def review(state: PollsState, ctx: Ctx, cmd: c.ReviewAnswer, fx: Effects) -> Commit:
    """Let a word or an answer through to the screens, or keep it off (again reversible)."""
    poll = _get_scoped(state, ctx, cmd.poll)
    require(poll.review, "poll.not_reviewed", f"poll {poll.id} shows its answers without review", poll=poll.id)
    if poll.kind is PollKind.WORDCLOUD:
        require(cmd.word is not None and cmd.answer is None, "ballot.invalid", "a word cloud's review names a `word`")
        item = normalise_word(clean(cmd.word or ""))
        known = any(item in bag for bag in poll.words.values())
    else:
        require(cmd.answer is not None and cmd.word is None, "ballot.invalid", "an open answer is named by `answer`")
        item = cmd.answer or ""
        known = any(t[3] == item for t in poll.texts)
    require(known, "poll.no_such_answer", "nobody gave that answer", poll=poll.id)

    def commit() -> None:
        (poll.masked if cmd.shown else poll.shown).discard(item)
        (poll.shown if cmd.shown else poll.masked).add(item)
        fx.now.append(("tally", poll.id))
        fx.result.update(poll=poll.id, item=item, shown=cmd.shown)
    return commit


def _ballot_value(poll: Poll, ctx: Ctx, cmd: c.Vote) -> list[int | str] | int | str:
    """Validate the ballot for the poll's kind; return its canonical value."""
    given = {k for k in ("choices", "rating", "words", "text") if getattr(cmd, k) is not None}
    expected = {PollKind.SINGLE: "choices", PollKind.MULTIPLE: "choices", PollKind.RATING: "rating",
                PollKind.WORDCLOUD: "words", PollKind.TEXT: "text"}[poll.kind]
    require(given == {expected}, "ballot.invalid", f"a {poll.kind.value} poll takes `{expected}` only",
            expected=expected)
    if poll.kind in (PollKind.SINGLE, PollKind.MULTIPLE):
        picks = sorted(set(cmd.choices or []))
        require(len(picks) == len(cmd.choices or []), "ballot.invalid", "a choice is repeated")
        require(1 <= len(picks) <= poll.max_picks, "ballot.invalid", f"pick 1 to {poll.max_picks} options",
                max_picks=poll.max_picks)
        require(all(0 <= i < len(poll.options) for i in picks), "ballot.invalid", "no such option")
        return list[int | str](picks)
    if poll.kind is PollKind.RATING:
        assert cmd.rating is not None
        require(poll.scale_min <= cmd.rating <= poll.scale_max, "ballot.invalid",
                f"rate from {poll.scale_min} to {poll.scale_max}")
        return cmd.rating
    if poll.kind is PollKind.WORDCLOUD:
        raw = [clean(w) for w in cmd.words or []]
        require(all(0 < len(w) <= ctx.limits.word_length for w in raw), "ballot.invalid",
                f"each word is 1 to {ctx.limits.word_length} characters")
        words = list(dict.fromkeys(normalise_word(w) for w in raw))
        require(1 <= len(words) <= poll.max_words, "ballot.invalid", f"give 1 to {poll.max_words} words",
                max_words=poll.max_words)
        return list[int | str](words)
    return checked(cmd.text or "", limit=ctx.limits.text_answer_length, code="ballot.text", what="the answer")


def _count(poll: Poll, pid: str, ballot: Ballot, sign: int, answer_id: str = "") -> None:
    origin, value = ballot.site, ballot.value
    if poll.kind in (PollKind.SINGLE, PollKind.MULTIPLE, PollKind.RATING):
        size = len(poll.options) if poll.kind is not PollKind.RATING else poll.scale_max - poll.scale_min + 1
        row = poll.counts.setdefault(origin, [0] * size)
        for i in (value if isinstance(value, list) else [int(value) - poll.scale_min]):
            row[int(i)] += sign
    elif poll.kind is PollKind.WORDCLOUD:
        bag = poll.words.setdefault(origin, {})
        for w in value:  # type: ignore[union-attr]
            bag[str(w)] = bag.get(str(w), 0) + sign
            if bag[str(w)] == 0:
                del bag[str(w)]
    else:
        if sign > 0:
            poll.texts.append([pid, origin, str(value), answer_id])
        else:
            poll.texts = [t for t in poll.texts if t[0] != pid]


MAX_GRACE_MS = 30_000  # however far behind a viewer says its picture is


def _in_grace(poll: Poll, ctx: Ctx, cmd: c.Vote) -> bool:
    """A closed poll still takes the vote of a viewer whose picture is `delay_ms` behind,
    for that long after it closed: they saw it open later, so they see it close later.
    `delay_ms` is what the hub vouched for (it lowers what the client says, see
    runtime.vouched_delay_ms), bounded here once more."""
    if poll.state is not PollState.CLOSED or poll.closed_at is None or not cmd.delay_ms:
        return False
    return ctx.at - poll.closed_at <= min(max(cmd.delay_ms, 0), MAX_GRACE_MS)


def vote(state: PollsState, ctx: Ctx, cmd: c.Vote, fx: Effects) -> Commit:
    poll = _get(state, cmd.poll)
    # a room poll: answered in its room, or remotely by who follows that site (the only ones who see it)
    require(poll.site is None or ctx.actor.origin in (poll.site, REMOTE), "poll.other_site",
            f"poll {poll.id} is a poll of {poll.site}'s room", poll=poll.id)
    require(poll.state is PollState.OPEN or _in_grace(poll, ctx, cmd), "poll.not_open",
            f"poll {poll.id} is {poll.state.value}: no votes now", poll=poll.id, state=poll.state.value)
    ballot = Ballot(site=ctx.actor.origin, value=_ballot_value(poll, ctx, cmd), category=ctx.actor.category_key)

    def commit() -> None:
        previous = poll.ballots.get(ctx.actor.pid)
        if previous is not None:  # a new ballot replaces the old one
            _count(poll, ctx.actor.pid, previous, -1)
        poll.ballots[ctx.actor.pid] = ballot
        _count(poll, ctx.actor.pid, ballot, +1, ctx.new_id("a"))
        fx.hot.append(("tally", poll.id))
        fx.result.update(poll=poll.id, replaced=previous is not None, ballot=ballot.value,
                         late=poll.state is PollState.CLOSED)
    return commit


def seen_by(poll: Poll, audience: str) -> bool:
    """A room poll is seen in its room, by its followers and coordinators, and by the control room."""
    return poll.site is None or audience in ("mod", f"site:{poll.site}", f"track:{poll.site}")


def render_poll(poll: Poll, audience: str) -> dict[str, Any] | None:
    if (poll.state is PollState.DRAFT and audience not in ("mod", f"site:{poll.site}")) or not seen_by(poll, audience):
        return None
    return {"id": poll.id, "at": poll.at, "question": poll.question, "kind": poll.kind.value,
            "options": poll.options, "max_picks": poll.max_picks, "scale": [poll.scale_min, poll.scale_max],
            "max_words": poll.max_words, "state": poll.state.value, "results_visible": poll.results_visible,
            "session": poll.session, "review": poll.review, "site": poll.site}


def tally(poll: Poll, *, reviewed: bool = False) -> dict[str, Any]:
    """Results overall and per origin (site id or "remote"). `reviewed`: what the
    screens and the public may see of a reviewed poll (only what was let through);
    otherwise everything, with each word's or answer's review state."""
    by_site_total: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for b in poll.ballots.values():
        by_site_total[b.site] = by_site_total.get(b.site, 0) + 1
        by_category[b.category] = by_category.get(b.category, 0) + 1
    out: dict[str, Any] = {"poll": poll.id, "ballots": len(poll.ballots), "ballots_by_site": by_site_total,
                           "ballots_by_category": dict(sorted(by_category.items()))}
    filtering = reviewed and poll.review

    def through(item: str) -> bool:
        return not filtering or item in poll.shown
    if poll.kind is PollKind.WORDCLOUD:
        overall: dict[str, int] = {}
        for bag in poll.words.values():
            for w, n in bag.items():
                overall[w] = overall.get(w, 0) + n
        out["words"] = _top({w: n for w, n in overall.items() if through(w)}, TOP_WORDS)
        out["words_by_site"] = {s: _top({w: n for w, n in bag.items() if through(w)}, TOP_WORDS // 2)
                                for s, bag in poll.words.items()}
        if poll.review and not reviewed:
            out["review"] = _review_states(poll, overall)
    elif poll.kind is PollKind.TEXT:
        latest = [t for t in poll.texts if through(t[3])][-LATEST_TEXTS:]
        out["answers"] = [{"site": t[1], "text": t[2]} for t in latest]
        if poll.review and not reviewed:
            out["answers"] = [{"site": t[1], "text": t[2], "id": t[3], "review": _state_of(poll, t[3])} for t in latest]
    else:
        size = len(poll.options) if poll.kind is not PollKind.RATING else poll.scale_max - poll.scale_min + 1
        total = [0] * size
        for row in poll.counts.values():
            total = [a + b for a, b in zip(total, row)]
        out["counts"] = total
        out["counts_by_site"] = {s: list(row) for s, row in poll.counts.items() if any(row)}
        out["counts_by_category"] = _counts_by_category(poll, size)
        if poll.hands:  # counted in the rooms, apart from the ballots
            out["hands_by_site"] = {s: list(row) for s, row in poll.hands.items()}
            out["hands"] = [sum(row[i] for row in poll.hands.values()) for i in range(size)]
        if poll.kind is PollKind.RATING and poll.ballots:
            out["mean"] = round(sum((poll.scale_min + i) * n for i, n in enumerate(total)) / len(poll.ballots), 2)
    return out


def _state_of(poll: Poll, item: str) -> str:
    return "shown" if item in poll.shown else "masked" if item in poll.masked else "pending"


def _review_states(poll: Poll, overall: dict[str, int]) -> dict[str, str]:
    """Every word given, with where it stands (the control room's review list)."""
    return {w: _state_of(poll, w) for w, _ in sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))}


def _counts_by_category(poll: Poll, size: int) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for b in poll.ballots.values():
        row = rows.setdefault(b.category, [0] * size)
        for i in (b.value if isinstance(b.value, list) else [int(b.value) - poll.scale_min]):
            row[int(i)] += 1
    return dict(sorted(rows.items()))


def render_tally(poll: Poll, audience: str) -> dict[str, Any] | None:
    runs_it = audience == "mod" or (poll.site is not None and audience == f"site:{poll.site}")
    if (poll.state is PollState.DRAFT and not runs_it) or not seen_by(poll, audience):
        return None
    if not poll.results_visible and not runs_it:
        return {"poll": poll.id, "ballots": len(poll.ballots), "hidden": True}  # participation only
    return tally(poll, reviewed=audience != "mod")


def _top(bag: dict[str, int], n: int) -> list[list[Any]]:
    return [[w, k] for w, k in sorted(bag.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]
