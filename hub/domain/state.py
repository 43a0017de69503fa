"""The event state and `apply`: the only way state changes.

State is the fold of the log: `apply(state, config, seq, entry)` for every entry
in order. `check` runs the same rules without changing anything, so the service
refuses a bad command before it reaches the log; `apply` still decides, because
two processes may append commands that conflict (a vote racing a close).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from . import (
    attendance,
    captions,
    feed,
    imports,
    polls,
    presence,
    publishing,
    qna,
    reactions,
    rooms,
    screens,
    social,
    stage,
    timeline,
    timers,
)
from . import commands as c
from .actors import Actor
from .context import Commit, Ctx, Effects
from .errors import DomainError
from .event import EventConfig
from .permissions import check_allowed

RECENT_COMMANDS_PER_PARTICIPANT = 64
STATE_VERSION = 12  # bump when the shape changes: old snapshots are then ignored


class Entry(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One log record: who asked for what, when, with the client's command id."""

    at: int
    actor: Actor
    cmd: c.AnyCommand
    cid: str | None = None


class EventState(msgspec.Struct):
    seq: int = 0
    qna: qna.QnaState = msgspec.field(default_factory=qna.QnaState)
    polls: polls.PollsState = msgspec.field(default_factory=polls.PollsState)
    feed: feed.FeedState = msgspec.field(default_factory=feed.FeedState)
    reactions: reactions.ReactionsState = msgspec.field(default_factory=reactions.ReactionsState)
    stage: stage.StageState = msgspec.field(default_factory=stage.StageState)
    screens: screens.ScreensState = msgspec.field(default_factory=screens.ScreensState)
    captions: captions.CaptionsState = msgspec.field(default_factory=captions.CaptionsState)
    presence: presence.PresenceState = msgspec.field(default_factory=presence.PresenceState)
    attendance: attendance.AttendanceState = msgspec.field(default_factory=attendance.AttendanceState)
    timeline: timeline.TimelineState = msgspec.field(default_factory=timeline.TimelineState)
    publishing: publishing.PublishingState = msgspec.field(default_factory=publishing.PublishingState)
    imports: imports.ImportsState = msgspec.field(default_factory=imports.ImportsState)
    rooms: rooms.RoomsState = msgspec.field(default_factory=rooms.RoomsState)
    timers: timers.TimersState = msgspec.field(default_factory=timers.TimersState)
    # participant -> {client command id -> seq}: makes a retried command a no-op
    recent: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    seq: int
    effects: Effects | None = None
    error: DomainError | None = None
    duplicate_of: int | None = None  # a retry of a command already applied at that seq
    pid: str = ""  # who sent it: what is "theirs" changed (views.mine_changes)

    @property
    def ok(self) -> bool:
        return self.error is None


Handler = Callable[[Any, Ctx, Any, Effects], Commit]

# command type -> (part of the state it works on, handler); WHOLE: a handler that
# spans parts (it reuses their handlers, so their rules stay in one place)
WHOLE = "*"
HANDLERS: dict[type[c.Command], tuple[str, Handler]] = {
    c.AskQuestion: ("qna", qna.ask),
    c.UpvoteQuestion: ("qna", qna.upvote),
    c.WithdrawUpvote: ("qna", qna.upvote),
    c.ApproveQuestion: ("qna", qna.moderate),
    c.DismissQuestion: ("qna", qna.moderate),
    c.AnswerQuestion: ("qna", qna.moderate),
    c.RestoreQuestion: ("qna", qna.restore),
    c.HighlightQuestion: ("qna", qna.highlight),
    c.MergeQuestion: ("qna", qna.merge),
    c.CreatePoll: ("polls", polls.create),
    c.OpenPoll: ("polls", polls.transition),
    c.ClosePoll: ("polls", polls.transition),
    c.RevealResults: ("polls", polls.set_results_visible),
    c.HideResults: ("polls", polls.set_results_visible),
    c.ShowPollOnScreens: ("polls", polls.show),
    c.ReviewAnswer: ("polls", polls.review),
    c.Vote: ("polls", polls.vote),
    c.PostLive: ("feed", feed.post_live),
    c.Contribute: ("feed", feed.contribute),
    c.SubmitProposal: ("feed", feed.submit_proposal),
    c.ApproveContribution: ("feed", feed.moderate),
    c.RejectContribution: ("feed", feed.moderate),
    c.UpvoteProposal: ("feed", feed.upvote),
    c.WithdrawProposalUpvote: ("feed", feed.upvote),
    c.React: ("reactions", reactions.react),
    c.ShowScene: (WHOLE, screens.show),
    c.AddCaption: (WHOLE, captions.add),
    c.RequestFloor: ("stage", stage.request_floor),
    c.WithdrawFloor: ("stage", stage.withdraw_floor),
    c.GrantFloor: ("stage", stage.grant_floor),
    c.SetOnAir: ("stage", stage.set_on_air),
    c.SetHlsThreshold: ("stage", stage.set_hls_threshold),
    c.ClearFloorQueue: ("stage", stage.clear_floor),
    c.RecordSession: ("stage", stage.record),
    c.SetCurrentSession: ("stage", stage.set_current),
    c.ClaimSocialPost: ("feed", social.claim),
    c.SocialPostSent: ("feed", social.sent),
    c.SocialPostFailed: ("feed", social.failed),
    c.SocialPostDeleted: ("feed", social.deleted),
    c.RetrySocialPost: ("feed", social.retry),
    c.SocialReceived: ("feed", social.receive),
    c.ShowSocialPost: ("feed", social.show),
    c.HideSocialPost: ("feed", social.show),
    c.BlockSocialAccount: ("feed", social.block),
    c.WithdrawSocialPost: ("feed", social.withdraw),
    c.EditLivePost: ("feed", social.edit_live),
    c.RemoveLivePost: ("feed", social.remove_live),
    c.PublishReport: ("publishing", publishing.publish_report),
    c.PublishReplay: ("publishing", publishing.publish_replay),
    c.ImportSynthesis: ("imports", imports.import_synthesis),
    c.PresenceReport: ("presence", presence.report),
    c.RecordHeadcount: ("rooms", rooms.record_headcount),
    c.ImportInvitees: ("rooms", rooms.import_invitees),
    c.CheckIn: ("rooms", rooms.check_in),
    c.UndoCheckIn: ("rooms", rooms.undo_check_in),
    c.WalkIn: ("rooms", rooms.walk_in),
    c.CountHands: ("polls", polls.count_hands),
    c.StartTimer: ("timers", timers.start),
    c.PauseTimer: ("timers", timers.pause),
    c.ResumeTimer: ("timers", timers.resume),
    c.StopTimer: ("timers", timers.stop),
    c.Attended: ("attendance", attendance.join),
    c.Watched: ("attendance", attendance.watch),
}


def applied_seq(state: EventState, actor: Actor, cid: str | None) -> int | None:
    """The seq at which this participant's command `cid` was applied, if it was."""
    return state.recent.get(actor.pid, {}).get(cid) if cid else None


def _plan(state: EventState, config: EventConfig, seq: int, entry: Entry, fx: Effects) -> Commit:
    check_allowed(entry.actor.role, entry.cmd)
    part, handler = HANDLERS[type(entry.cmd)]
    ctx = Ctx(seq=seq, at=entry.at, actor=entry.actor, config=config,
              session_at=lambda site: stage.track_session(state.stage, site))
    return handler(state if part == WHOLE else getattr(state, part), ctx, entry.cmd, fx)


def check(state: EventState, config: EventConfig, entry: Entry) -> None:
    """Raise the DomainError `apply` would give this entry now; change nothing."""
    _plan(state, config, state.seq + 1, entry, Effects())


def apply(state: EventState, config: EventConfig, seq: int, entry: Entry) -> Outcome:
    if seq != state.seq + 1:
        raise ValueError(f"log gap: state is at {state.seq}, entry is {seq}")
    state.seq = seq
    prior = applied_seq(state, entry.actor, entry.cid)
    if prior is not None:
        return Outcome(seq, duplicate_of=prior)
    fx = Effects()
    try:
        commit = _plan(state, config, seq, entry, fx)
    except DomainError as exc:
        return Outcome(seq, error=exc, pid=entry.actor.pid)
    commit()
    # An arrival counts the first time only (a reconnect, a restart write it again).
    timeline.record(state.timeline, entry.cmd, entry.at, fx.result.get("counted", 1))
    if entry.cid:
        recent = state.recent.setdefault(entry.actor.pid, {})
        recent[entry.cid] = seq
        if len(recent) > RECENT_COMMANDS_PER_PARTICIPANT:
            del recent[next(iter(recent))]
    return Outcome(seq, effects=fx, pid=entry.actor.pid)


def fold(config: EventConfig, entries: list[tuple[int, Entry]], state: EventState | None = None) -> EventState:
    state = state or EventState()
    for seq, entry in entries:
        apply(state, config, seq, entry)
    return state


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(EventState)


def dump_state(state: EventState) -> bytes:
    return _encoder.encode((STATE_VERSION, state))


def load_state(blob: bytes) -> EventState | None:
    """The state in a snapshot, or None when the snapshot is of an older shape."""
    version, raw = msgspec.msgpack.decode(blob, type=tuple[int, msgspec.Raw])
    return _decoder.decode(raw) if version == STATE_VERSION else None
