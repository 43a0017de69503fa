"""The shared Q&A: ask, upvote, layered moderation, highlight, merge.

A question records where it was asked: the site's track (the room it was asked
in, or the site a remote viewer follows; None for the program) and that track's
session then. A coordinator moderates their own track's questions; a site's
screens show the question highlighted for that site, or for every site, whichever
was set last (hub/domain/scope.py)."""
from __future__ import annotations

import enum
from typing import Any, Literal

import msgspec

from . import commands as c
from . import upvotes
from .actors import ON_SITE_ROLES, Role
from .context import Commit, Ctx, Effects, Key
from .errors import DomainError, require
from .scope import Pin, acting_site, effective
from .text import checked


class QState(str, enum.Enum):
    PENDING = "pending"
    VISIBLE = "visible"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    MERGED = "merged"


PUBLIC_STATES = frozenset({QState.VISIBLE, QState.ANSWERED})
# Legal moves of the lifecycle; anything else raises question.bad_state.
TRANSITIONS: dict[QState, frozenset[QState]] = {
    QState.PENDING: frozenset({QState.VISIBLE, QState.DISMISSED, QState.MERGED}),
    QState.VISIBLE: frozenset({QState.ANSWERED, QState.DISMISSED, QState.MERGED}),
    QState.ANSWERED: frozenset(),
    QState.DISMISSED: frozenset(),
    QState.MERGED: frozenset(),
}


class Question(msgspec.Struct):
    id: str
    at: int
    text: str
    name: str | None
    author: str
    origin: str
    state: QState
    voters: set[str] = msgspec.field(default_factory=set)
    merged_into: str | None = None
    session: int | None = None  # the programme session under way on its track when it was asked
    dismissed_from: QState | None = None  # where a dismissed question was, for undo
    site: str | None = None  # the track it was asked on (a site), None: the program


class QnaState(msgspec.Struct):
    questions: dict[str, Question] = msgspec.field(default_factory=dict)
    highlighted: str | None = None  # on every site's screens ...
    highlighted_seq: int = 0
    site_highlights: dict[str, Pin] = msgspec.field(default_factory=dict)  # ... or on one site's


def highlight_at(state: QnaState, site: str | None) -> str | None:
    return effective(state.highlighted, state.highlighted_seq, state.site_highlights, site)


def _highlighted_anywhere(state: QnaState, qid: str) -> bool:
    return state.highlighted == qid or any(p.value == qid for p in state.site_highlights.values())


def _get(state: QnaState, qid: str) -> Question:
    q = state.questions.get(qid)
    if q is None:
        raise DomainError("question.not_found", f"no question {qid}", question=qid)
    return q


def _check_move(q: Question, to: QState) -> None:
    if to not in TRANSITIONS[q.state]:
        raise DomainError("question.bad_state", f"question {q.id} is {q.state.value}, cannot become {to.value}",
                          question=q.id, state=q.state.value)


def _check_scope(ctx: Ctx, q: Question) -> None:
    """Layered moderation: a coordinator moderates their own track's questions only."""
    if ctx.actor.role is Role.COORDINATOR and q.site != ctx.actor.site:
        raise DomainError("auth.other_site", f"question {q.id} was asked on {q.site or 'the program'}, "
                          f"not on {ctx.actor.site}'s track", question=q.id)


def _touched(state: QnaState, q: Question, keys: list[Key]) -> None:
    """Mark the question changed, and the highlight too when it shows this question."""
    keys.append(("question", q.id))
    if _highlighted_anywhere(state, q.id):
        keys.append(("highlight", ""))


def _unhighlight_if(state: QnaState, q: Question, fx: Effects) -> None:
    if not _highlighted_anywhere(state, q.id):
        return
    if state.highlighted == q.id:
        state.highlighted = None
    for site in [s for s, pin in state.site_highlights.items() if pin.value == q.id]:
        del state.site_highlights[site]  # that site shows the event-wide one again
    fx.now.extend([("highlight", ""), ("site_screens", "")])


def ask(state: QnaState, ctx: Ctx, cmd: c.AskQuestion, fx: Effects) -> Commit:
    text = checked(cmd.text, limit=ctx.limits.question_length, code="question", what="the question")
    name = checked(cmd.name or "", limit=ctx.limits.name_length, code="name", what="the name", required=False)
    premoderated = ctx.config.settings.qna.premoderated
    if ctx.actor.role in ON_SITE_ROLES and ctx.actor.site:
        site: str | None = ctx.actor.site  # asked in the room: that site's track, whatever is on air
    else:
        site = cmd.track
        if site is not None and not ctx.config.has_site(site):
            raise DomainError("site.not_found", f"no site {site} to ask on", site=site)
    q = Question(id=ctx.new_id("q"), at=ctx.at, text=text, name=name or None, author=ctx.actor.pid,
                 origin=ctx.actor.origin, state=QState.PENDING if premoderated else QState.VISIBLE,
                 session=ctx.session_at(site), site=site)

    def commit() -> None:
        state.questions[q.id] = q
        fx.now.append(("question", q.id))
        fx.result.update(question=q.id, state=q.state.value)
    return commit


def upvote(state: QnaState, ctx: Ctx, cmd: c.UpvoteQuestion | c.WithdrawUpvote, fx: Effects) -> Commit:
    q = _get(state, cmd.question)
    require(q.state in PUBLIC_STATES, "question.not_votable", f"question {q.id} cannot be voted on", question=q.id)
    adding = isinstance(cmd, c.UpvoteQuestion)
    upvotes.check_toggle(q.voters, ctx.actor.pid, adding, code="question", what="question")

    def commit() -> None:
        fx.result.update(question=q.id, votes=upvotes.toggle(q.voters, ctx.actor.pid, adding))
        _touched(state, q, fx.hot)
    return commit


def moderate(state: QnaState, ctx: Ctx, cmd: c.Command, fx: Effects) -> Commit:
    assert isinstance(cmd, (c.ApproveQuestion, c.DismissQuestion, c.AnswerQuestion))
    q = _get(state, cmd.question)
    _check_scope(ctx, q)
    target = {c.ApproveQuestion: QState.VISIBLE, c.DismissQuestion: QState.DISMISSED,
              c.AnswerQuestion: QState.ANSWERED}[type(cmd)]
    _check_move(q, target)

    def commit() -> None:
        if target is QState.DISMISSED:
            q.dismissed_from = q.state
        q.state = target
        if target is not QState.VISIBLE:
            _unhighlight_if(state, q, fx)
        fx.now.append(("question", q.id))
        fx.result.update(question=q.id, state=q.state.value)
    return commit


def restore(state: QnaState, ctx: Ctx, cmd: c.RestoreQuestion, fx: Effects) -> Commit:
    """The archive's undo: answered -> published again; dismissed -> where it was."""
    q = _get(state, cmd.question)
    if q.state is QState.ANSWERED:
        target = QState.VISIBLE
    elif q.state is QState.DISMISSED:
        target = q.dismissed_from or QState.PENDING
    else:
        raise DomainError("question.bad_state", f"question {q.id} is {q.state.value}: nothing to undo",
                          question=q.id, state=q.state.value)

    def commit() -> None:
        q.state, q.dismissed_from = target, None
        fx.now.append(("question", q.id))
        fx.result.update(question=q.id, state=q.state.value)
    return commit


def highlight(state: QnaState, ctx: Ctx, cmd: c.HighlightQuestion, fx: Effects) -> Commit:
    site = acting_site(ctx, cmd.site)
    if cmd.question is not None:
        q = _get(state, cmd.question)
        _check_scope(ctx, q)
        require(q.state is QState.VISIBLE, "question.not_highlightable",
                f"only a visible, unanswered question can be highlighted ({q.id} is {q.state.value})", question=q.id)

    def commit() -> None:
        if site is None:
            state.highlighted, state.highlighted_seq = cmd.question, ctx.seq
        else:
            state.site_highlights[site] = Pin(cmd.question, ctx.seq)
        fx.now.extend([("highlight", ""), ("site_screens", "")])
    return commit


def merge(state: QnaState, ctx: Ctx, cmd: c.MergeQuestion, fx: Effects) -> Commit:
    """Fold a duplicate into another question: its voters (and asker) now count there."""
    src, dst = _get(state, cmd.question), _get(state, cmd.into)
    require(src.id != dst.id, "question.merge_self", "a question cannot be merged into itself")
    require(dst.state in PUBLIC_STATES or dst.state is QState.PENDING, "question.bad_state",
            f"question {dst.id} is {dst.state.value}", question=dst.id)
    _check_move(src, QState.MERGED)

    def commit() -> None:
        src.state, src.merged_into = QState.MERGED, dst.id
        dst.voters |= src.voters
        if src.author != dst.author:
            dst.voters.add(src.author)  # asking the same thing counts as wanting it answered
        _unhighlight_if(state, src, fx)
        fx.now.append(("question", src.id))
        _touched(state, dst, fx.now)
        fx.result.update(question=dst.id, votes=len(dst.voters))
    return commit


def visible_to(q: Question, audience: str) -> bool:
    if q.state in PUBLIC_STATES:
        return True
    return audience == "mod" or (q.site is not None and audience == f"site:{q.site}")


def render(q: Question, audience: str) -> dict[str, Any] | None:
    if not visible_to(q, audience):
        return None
    out: dict[str, Any] = {"id": q.id, "at": q.at, "text": q.text, "name": q.name, "origin": q.origin,
                           "state": q.state.value, "votes": len(q.voters), "session": q.session, "site": q.site}
    if q.merged_into:
        out["merged_into"] = q.merged_into
    return out


def ordered(state: QnaState, by: Literal["votes", "time"] = "votes",
            states: frozenset[QState] = PUBLIC_STATES) -> list[Question]:
    """Questions in display order: most votes first (older first on ties), or newest first."""
    chosen = [q for q in state.questions.values() if q.state in states]
    if by == "votes":
        return sorted(chosen, key=lambda q: (-len(q.voters), q.at, q.id))
    return sorted(chosen, key=lambda q: (-q.at, q.id))
