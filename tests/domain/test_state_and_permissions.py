import re
import typing
from pathlib import Path

from hub.domain import commands as c
from hub.domain.permissions import MATRIX
from hub.domain.state import Entry, EventState, apply, dump_state, fold, load_state

from .helpers import MOD, World, participant

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_every_command_has_a_row_in_the_matrix():
    assert set(MATRIX) == set(typing.get_args(c.AnyCommand))
    # what only a hub writes is not a client's to send
    system = {c.PresenceReport, c.Attended, c.Watched, c.ClaimSocialPost, c.SocialPostSent, c.SocialPostFailed,
              c.SocialPostDeleted, c.SocialReceived}
    assert set(MATRIX) - set(c.CLIENT_COMMAND_TYPES) == system


def test_docs_permissions_table_matches_the_matrix():
    text = DOCS.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|", text, re.M))
    expected = {t.__struct_config__.tag: ", ".join(sorted(r.value for r in roles))
                for t, roles in MATRIX.items()}
    assert {k: v.strip() for k, v in rows.items()} == expected


def test_fold_of_the_log_rebuilds_the_same_state():
    w = World()
    log = []
    for actor, cmd in [(participant("nancy"), c.AskQuestion(text="Q")), (MOD, c.ApproveQuestion(question="q1")),
                       (MOD, c.CreatePoll(question="?", kind=c.PollKind.SINGLE, options=["a", "b"])),
                       (MOD, c.OpenPoll(poll="poll3")), (participant("reims"), c.Vote(poll="poll3", choices=[1]))]:
        w.clock += 1
        entry = Entry(at=w.clock, actor=actor, cmd=cmd)
        log.append((w.state.seq + 1, entry))
        apply(w.state, w.config, w.state.seq + 1, entry)
    assert fold(w.config, log) == w.state
    # snapshot + tail gives the same state too
    head = fold(w.config, log[:2])
    assert fold(w.config, log[2:], load_state(dump_state(head))) == w.state


def test_apply_refuses_a_gap():
    w = World()
    try:
        apply(w.state, w.config, 5, Entry(at=1, actor=MOD, cmd=c.ClearFloorQueue()))
    except ValueError as exc:
        assert "gap" in str(exc)
    else:
        raise AssertionError("a gap must not be applied")


def test_snapshot_of_another_shape_is_ignored():
    import msgspec
    assert load_state(msgspec.msgpack.encode((0, {}))) is None
    assert load_state(dump_state(EventState())) == EventState()
