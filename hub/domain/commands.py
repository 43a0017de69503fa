"""Everything a client may ask for, as one closed tagged union.

Decoding a command rejects unknown types and unknown or missing fields; limits
that depend on the event (text lengths) are checked when the command is applied.
"""
from __future__ import annotations

import enum
from typing import Annotated, Any, Literal, Union

import msgspec

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# Generous hard caps against abuse; the event's own limits are stricter.
Text = Annotated[str, msgspec.Meta(max_length=8000)]
Short = Annotated[str, msgspec.Meta(max_length=200)]


class Command(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    pass


# --- Q&A -------------------------------------------------------------------
class AskQuestion(Command, tag="question.ask", frozen=True):
    text: Text
    name: Short | None = None  # None or empty: anonymous
    track: Id | None = None    # a remote viewer's: the site whose track they follow (None: the program)


class UpvoteQuestion(Command, tag="question.upvote", frozen=True):
    question: Id


class WithdrawUpvote(Command, tag="question.unvote", frozen=True):
    question: Id


class ApproveQuestion(Command, tag="question.approve", frozen=True):
    question: Id


class DismissQuestion(Command, tag="question.dismiss", frozen=True):
    question: Id


class AnswerQuestion(Command, tag="question.answer", frozen=True):
    question: Id


class RestoreQuestion(Command, tag="question.restore", frozen=True):
    """Undo from the archive: an answered question back to the queue, a dismissed one
    back to where it was (pending or published)."""
    question: Id


class HighlightQuestion(Command, tag="question.highlight", frozen=True):
    question: Id | None  # None clears the highlight
    site: Id | None = None  # one site's screens only (a coordinator: their own); None: every site


class MergeQuestion(Command, tag="question.merge", frozen=True):
    question: Id
    into: Id


# --- Polls -------------------------------------------------------------------
class PollKind(str, enum.Enum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING = "rating"
    WORDCLOUD = "wordcloud"
    TEXT = "text"


class CreatePoll(Command, tag="poll.create", frozen=True):
    question: Text
    kind: PollKind
    options: list[Short] = []
    max_picks: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    scale_min: Annotated[int, msgspec.Meta(ge=0, le=10)] = 1
    scale_max: Annotated[int, msgspec.Meta(ge=1, le=10)] = 5
    max_words: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    results: Literal["live", "hidden"] = "live"
    review: bool = False  # word cloud / open text: each word or answer is let through before screens
    site: Id | None = None  # a room poll: seen and answered in that site's room (and by its followers)


class OpenPoll(Command, tag="poll.open", frozen=True):
    poll: Id


class ClosePoll(Command, tag="poll.close", frozen=True):
    poll: Id


class RevealResults(Command, tag="poll.reveal", frozen=True):
    poll: Id


class HideResults(Command, tag="poll.hide", frozen=True):
    poll: Id


class ShowPollOnScreens(Command, tag="poll.show", frozen=True):
    poll: Id | None  # None: screens show no poll
    site: Id | None = None  # one site's screens only (a coordinator: their own); None: every site


class ReviewAnswer(Command, tag="poll.review", frozen=True):
    """The control room lets an open answer or a word-cloud word reach the screens,
    or keeps it off them (polls created with `review`)."""
    poll: Id
    shown: bool
    word: Short | None = None   # a word cloud's word
    answer: Id | None = None    # an open answer's id (as the control room's tally gives it)


class Vote(Command, tag="poll.vote", frozen=True):
    poll: Id
    choices: list[int] | None = None   # single / multiple: option indexes
    rating: int | None = None          # rating scale
    words: list[Short] | None = None   # word cloud
    text: Text | None = None           # open text
    # How far behind the live moment the voter's picture is (HLS: seconds): a closed poll
    # takes the vote for that long after closing. The hub replaces what the client says
    # by what it can vouch for before the command reaches the log (docs/protocol.md).
    delay_ms: int | None = None


# --- Live feed -----------------------------------------------------------------
class ContributionKind(str, enum.Enum):
    EXPERIENCE_REPORT = "experience_report"
    PROPOSAL = "proposal"
    PHOTO = "photo"
    QUOTE = "quote"


class PostLive(Command, tag="feed.post", frozen=True):
    text: Text
    continues: Id | None = None  # the live post this one follows on from: a thread on the networks
    photo: Short | None = None   # an upload's URL (POST /api/events/<event>/uploads first)


class EditLivePost(Command, tag="feed.edit", frozen=True):
    """The régie corrects a live post: the networks it went to are changed too."""
    post: Id
    text: Text


class RemoveLivePost(Command, tag="feed.remove", frozen=True):
    """The régie takes a live post back: off the feed, and deleted from the networks."""
    post: Id


class Contribute(Command, tag="feed.contribute", frozen=True):
    kind: ContributionKind
    title: Text = ""
    body: Text = ""
    photo: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    author: Short | None = None  # e.g. the speaker of a quote
    theme: Id | None = None      # a proposal's theme, so it is ranked with the others under it


class SubmitProposal(Command, tag="proposal.submit", frozen=True):
    """Anybody taking part files a concrete proposal under one of the event's themes."""
    theme: Id
    title: Text
    body: Text = ""


class ApproveContribution(Command, tag="feed.approve", frozen=True):
    post: Id


class RejectContribution(Command, tag="feed.reject", frozen=True):
    post: Id


class UpvoteProposal(Command, tag="feed.upvote", frozen=True):
    post: Id


class WithdrawProposalUpvote(Command, tag="feed.unvote", frozen=True):
    post: Id


# --- Reactions, stage ------------------------------------------------------------
class React(Command, tag="reaction.send", frozen=True):
    emoji: Annotated[str, msgspec.Meta(max_length=16)]


class ShowScene(Command, tag="screen.scene", frozen=True):
    """What the big screens show (hub/domain/screens.py)."""
    scene: Literal["join", "question", "poll", "proposals", "wall", "program", "sites", "pause"]
    poll: Id | None = None       # the poll scene: put this poll on screens
    question: Id | None = None   # the question scene: highlight this question
    view: Literal["all", "sites"] = "all"
    message: Short | None = None  # the pause slate's line
    site: Id | None = None  # one site's screens only (a coordinator: their own); None: every site


class AddCaption(Command, tag="caption.line", frozen=True):
    """A caption line of the program: typed by the captioner, or from speech recognition."""
    text: Text
    source: Literal["human", "asr"] = "human"


class RequestFloor(Command, tag="stage.request_floor", frozen=True):
    pass


class WithdrawFloor(Command, tag="stage.withdraw_floor", frozen=True):
    pass


class GrantFloor(Command, tag="stage.grant_floor", frozen=True):
    site: Id


class SetOnAir(Command, tag="stage.on_air", frozen=True):
    site: Id | None  # None: nobody on air


class SetHlsThreshold(Command, tag="stage.hls_threshold", frozen=True):
    """The régie's threshold: once WebRTC carries this many remote viewers, new ones start
    on the broadcast (HLS). 0: no threshold; None: back to the hub's HUB_HLS_WEBRTC_LIMIT."""
    viewers: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None


class ClearFloorQueue(Command, tag="stage.clear_floor", frozen=True):
    pass


class SetCurrentSession(Command, tag="programme.current", frozen=True):
    """The session under way. With `site`, on that site's track only (its own
    sessions or a plenary); without, event-wide: every site follows it."""
    session: Annotated[int, msgspec.Meta(ge=0, le=999)] | None  # programme index; None: between sessions
    site: Id | None = None


class PublishReport(Command, tag="report.publish", frozen=True):
    public: bool  # the key figures page open to everyone, or to the control room only


class PublishReplay(Command, tag="replay.publish", frozen=True):
    session: Annotated[int, msgspec.Meta(ge=0, le=999)]  # programme index
    public: bool


class ImportSynthesis(Command, tag="synthesis.import", frozen=True):
    """A national event takes in a region's synthesis (checked signature: hub/security/signing.py)."""
    doc: dict[str, Any]
    key: str          # the region's public key (base64url), pinned at the first import
    signature: str    # base64url Ed25519 signature of the document's canonical JSON


class RecordSession(Command, tag="stage.record", frozen=True):
    session: Annotated[int, msgspec.Meta(ge=0, le=999)] | None  # programme index; None stops recording


# --- People in the rooms, hands, the speaker's timer -------------------------------------
Count = Annotated[int, msgspec.Meta(ge=-(10**9), le=10**9)]  # the domain says what is absurd, with a code


class RecordHeadcount(Command, tag="room.headcount", frozen=True):
    """How many people are in the room now, as the coordinator counted them."""
    count: Count
    site: Id | None = None  # the control room names the site; a coordinator counts their own


class Invitee(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Short
    site: Id
    category: Short | None = None


class ImportInvitees(Command, tag="invitees.import", frozen=True):
    """The list of invited people (from a CSV the HTTP layer parsed and checked)."""
    invitees: Annotated[list[Invitee], msgspec.Meta(max_length=20_000)]
    replace: bool = False  # drop who was imported before and was not checked in


class CheckIn(Command, tag="checkin.person", frozen=True):
    invitee: Id


class UndoCheckIn(Command, tag="checkin.undo", frozen=True):
    invitee: Id


class WalkIn(Command, tag="checkin.walkin", frozen=True):
    """Somebody not on the list, added and checked in at the door."""
    name: Short
    category: Short | None = None
    site: Id | None = None


class CountHands(Command, tag="poll.hands", frozen=True):
    """The room's show of hands per answer, for the people without a phone."""
    poll: Id
    counts: Annotated[list[Count], msgspec.Meta(max_length=50)]
    site: Id | None = None


class StartTimer(Command, tag="timer.start", frozen=True):
    """The speaker's timer on a site's screens: a countdown, or pecha kucha (slides × seconds)."""
    mode: Literal["countdown", "pecha_kucha"] = "countdown"
    seconds: Annotated[int, msgspec.Meta(ge=1, le=36_000)] = 600
    slides: Annotated[int, msgspec.Meta(ge=1, le=200)] = 20
    per_slide: Annotated[int, msgspec.Meta(ge=1, le=600)] = 20
    site: Id | None = None


class PauseTimer(Command, tag="timer.pause", frozen=True):
    site: Id | None = None


class ResumeTimer(Command, tag="timer.resume", frozen=True):
    site: Id | None = None


class StopTimer(Command, tag="timer.stop", frozen=True):
    site: Id | None = None


# --- Issued by the hub itself, never accepted from a client ----------------------
class PresenceReport(Command, tag="presence.report", frozen=True):
    node: Id
    counts: dict[str, int]  # origin (site id or "remote") -> connected now
    publishing: list[str] = []  # sites whose camera this node receives
    watching: int = 0  # video sessions (WHEP) this node serves now


class Arrival(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    person: Id                      # their participant id
    origin: Short                   # a site (joined with its code) or "remote"
    category: Short | None = None


class Attended(Command, tag="attendance.join", frozen=True):
    """People who joined the live channel (written by the hub in batches, once per
    person and process): who came, from where, as what. Counted once per person."""
    arrivals: list[Arrival]


class Watched(Command, tag="attendance.watch", frozen=True):
    """Video sessions opened (WHEP, or an HLS player's first report), by participant id
    (or the session's id when the page gave none); `ways`, in the same order, says how
    each watched: "webrtc", or "hls:<rendition>" (absent in logs written before). An HLS
    player that changes rendition is written again with its new way and counted in
    `continued`: the same session, watched another way."""
    watchers: list[Id]
    ways: list[Short] | None = None
    continued: int = 0


Network = Literal["mastodon", "bluesky"]


class RetrySocialPost(Command, tag="social.retry", frozen=True):
    """The régie sends a live post again to a network that failed or refused it."""
    post: Id
    network: Network


class WithdrawSocialPost(Command, tag="social.withdraw", frozen=True):
    """Not sent yet: never sent. Sent already: deleted from that network."""
    post: Id
    network: Network


class ClaimSocialPost(Command, tag="social.claim", frozen=True):
    """A hub's publisher takes a live post's delivery to a network (publishing it, or deleting
    it once withdrawn) for `lease_ms`: whichever claim the log orders first is the one."""
    post: Id
    network: Network
    holder: Short
    lease_ms: Annotated[int, msgspec.Meta(ge=1_000, le=600_000)] = 30_000


class SocialPostSent(Command, tag="social.sent", frozen=True):
    post: Id
    network: Network
    holder: Short
    remote_id: Short
    url: Short = ""
    ref: Short = ""  # what a reply names besides the id (Bluesky: the record's cid)


class SocialPostFailed(Command, tag="social.failed", frozen=True):
    """`retry_in_ms`: tried again then (the network was down, or said slow down); None: the
    network refused this post (its reason in `reason`), until the régie retries."""
    post: Id
    network: Network
    holder: Short
    reason: Short
    retry_in_ms: Annotated[int, msgspec.Meta(ge=0, le=3_600_000)] | None = None


class SocialPostDeleted(Command, tag="social.deleted", frozen=True):
    post: Id
    network: Network
    holder: Short


class IncomingPost(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A public post with the event's hashtag, as a network's poller read it (hub/social/inbound.py)."""
    remote_id: Short
    at: int
    author: Short = ""
    handle: Short = ""
    text: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    url: Short = ""


class SocialReceived(Command, tag="social.received", frozen=True):
    """What a network's hashtag brought since `cursor` (where the next read starts)."""
    network: Network
    posts: Annotated[list[IncomingPost], msgspec.Meta(max_length=100)]
    cursor: Short = ""


class ShowSocialPost(Command, tag="social.show", frozen=True):
    """The régie lets a network's post onto the wall and the viewers' feed."""
    post: Id


class HideSocialPost(Command, tag="social.hide", frozen=True):
    post: Id


class BlockSocialAccount(Command, tag="social.block", frozen=True):
    """Every post of this account, those here and those to come, stays hidden (still counted)."""
    network: Network
    handle: Short


# Union (not |) for these aliases: msgspec and the type checker read them alike.
ClientCommand = Union[  # noqa: UP007
    AskQuestion, UpvoteQuestion, WithdrawUpvote, ApproveQuestion, DismissQuestion,
    AnswerQuestion, RestoreQuestion, HighlightQuestion, MergeQuestion,
    CreatePoll, OpenPoll, ClosePoll, RevealResults, HideResults, ShowPollOnScreens, ReviewAnswer, Vote,
    PostLive, EditLivePost, RemoveLivePost, Contribute, SubmitProposal, ApproveContribution, RejectContribution,
    UpvoteProposal, WithdrawProposalUpvote,
    React, ShowScene, AddCaption, RequestFloor, WithdrawFloor, GrantFloor, SetOnAir, SetHlsThreshold, ClearFloorQueue,
    RecordSession,
    SetCurrentSession, PublishReport, PublishReplay, ImportSynthesis,
    RecordHeadcount, ImportInvitees, CheckIn, UndoCheckIn, WalkIn, CountHands,
    StartTimer, PauseTimer, ResumeTimer, StopTimer, RetrySocialPost, WithdrawSocialPost,
    ShowSocialPost, HideSocialPost, BlockSocialAccount,
]
AnyCommand = Union[ClientCommand, PresenceReport, Attended, Watched,  # noqa: UP007
                   ClaimSocialPost, SocialPostSent, SocialPostFailed, SocialPostDeleted, SocialReceived]

CLIENT_COMMAND_TYPES: tuple[type[Command], ...] = ClientCommand.__args__  # type: ignore[attr-defined]


def command_tag(cmd: Command) -> str:
    return type(cmd).__struct_config__.tag  # type: ignore[return-value]
