"""The permissions matrix: which role may send which command.

Scoped rules (a coordinator acts only on their own site's questions) are checked
by the feature that owns the data; this table is the first gate, and
docs/permissions.md is generated from it (a test keeps them in step).
"""
from __future__ import annotations

from . import commands as c
from .actors import Role
from .errors import DomainError

V, P, C, M = Role.VIEWER, Role.PARTICIPANT, Role.COORDINATOR, Role.MODERATOR
AUDIENCE = frozenset({V, P, C})   # anybody taking part in the event
STAFF = frozenset({C, M})
MODS = frozenset({M})

MATRIX: dict[type[c.Command], frozenset[Role]] = {
    c.AskQuestion: AUDIENCE,
    c.UpvoteQuestion: AUDIENCE,
    c.WithdrawUpvote: AUDIENCE,
    c.ApproveQuestion: STAFF,      # coordinator: own site's questions only
    c.DismissQuestion: STAFF,      # coordinator: own site's questions only
    c.AnswerQuestion: MODS,
    c.RestoreQuestion: MODS,
    c.HighlightQuestion: STAFF,     # coordinator: own site only
    c.MergeQuestion: MODS,
    c.CreatePoll: STAFF,            # coordinator: own site only
    c.OpenPoll: STAFF,              # coordinator: own site only
    c.ClosePoll: STAFF,             # coordinator: own site only
    c.RevealResults: STAFF,         # coordinator: own site only
    c.HideResults: STAFF,           # coordinator: own site only
    c.ShowPollOnScreens: STAFF,     # coordinator: own site only
    c.ReviewAnswer: STAFF,          # coordinator: own room's polls only
    c.Vote: AUDIENCE,
    c.PostLive: MODS,
    c.Contribute: frozenset({C}),  # attributed to the coordinator's site
    c.SubmitProposal: AUDIENCE,
    c.ApproveContribution: STAFF,  # coordinator: open proposals from their own site only
    c.RejectContribution: STAFF,   # coordinator: open proposals from their own site only
    c.UpvoteProposal: AUDIENCE,
    c.WithdrawProposalUpvote: AUDIENCE,
    c.React: AUDIENCE,
    c.ShowScene: STAFF,             # coordinator: own site only
    c.AddCaption: frozenset({Role.CAPTIONER, M}),
    c.RequestFloor: frozenset({C}),
    c.WithdrawFloor: frozenset({C}),
    c.GrantFloor: MODS,
    c.SetOnAir: MODS,
    c.SetHlsThreshold: MODS,
    c.ClearFloorQueue: MODS,
    c.RecordSession: MODS,
    c.SetCurrentSession: STAFF,     # coordinator: own site only
    c.PublishReport: MODS,
    c.PublishReplay: MODS,
    c.ImportSynthesis: MODS,
    c.RecordHeadcount: STAFF,      # coordinator: own site only
    c.ImportInvitees: MODS,
    c.CheckIn: STAFF,              # coordinator: people expected at their own site only
    c.UndoCheckIn: STAFF,          # coordinator: own site only
    c.WalkIn: STAFF,               # coordinator: own site only
    c.CountHands: STAFF,           # coordinator: own site's room only
    c.StartTimer: STAFF,           # coordinator: own site only
    c.PauseTimer: STAFF,
    c.ResumeTimer: STAFF,
    c.StopTimer: STAFF,
    c.PresenceReport: frozenset({Role.SYSTEM}),
    c.Attended: frozenset({Role.SYSTEM}),
    c.Watched: frozenset({Role.SYSTEM}),
    c.EditLivePost: MODS,
    c.RemoveLivePost: MODS,
    c.RetrySocialPost: MODS,
    c.WithdrawSocialPost: MODS,
    c.ClaimSocialPost: frozenset({Role.SYSTEM}),   # a hub's publisher (hub/social)
    c.SocialPostSent: frozenset({Role.SYSTEM}),
    c.SocialPostFailed: frozenset({Role.SYSTEM}),
    c.SocialPostDeleted: frozenset({Role.SYSTEM}),
    c.SocialReceived: frozenset({Role.SYSTEM}),    # a hub's poller of the hashtag
    c.ShowSocialPost: MODS,
    c.HideSocialPost: MODS,
    c.BlockSocialAccount: MODS,
}


def check_allowed(role: Role, command: c.Command) -> None:
    allowed = MATRIX.get(type(command), frozenset())
    if role not in allowed:
        raise DomainError(
            "auth.forbidden",
            f"a {role.value} may not send {c.command_tag(command)}",
            command=c.command_tag(command),
            role=role.value,
        )


def matrix_markdown() -> str:
    """The table in docs/permissions.md (`python -m hub.domain.permissions` prints it)."""
    lines = ["| command | roles allowed |", "| --- | --- |"]
    for cmd_type, roles in MATRIX.items():
        tag = cmd_type.__struct_config__.tag
        lines.append(f"| `{tag}` | {', '.join(sorted(r.value for r in roles))} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(matrix_markdown())
