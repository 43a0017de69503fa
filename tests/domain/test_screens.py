from hub.domain import commands as c
from hub.domain import views

from .helpers import MOD, World, coordinator, participant


def scene(w: World) -> dict:
    return views.render(w.state, w.config, ("scene", ""), "public")


def test_screens_start_on_the_join_scene_and_follow_the_control_room():
    w = World()
    assert scene(w)["scene"] == "join"
    w.ok(MOD, c.ShowScene(scene="wall"))
    assert scene(w)["scene"] == "wall"
    w.ok(MOD, c.ShowScene(scene="pause", message="Reprise à 14 h"))
    assert scene(w) == {"scene": "pause", "view": "all", "message": "Reprise à 14 h", "since": w.clock, "site": None}
    w.ok(MOD, c.ShowScene(scene="program"))
    assert scene(w)["message"] == ""  # a message belongs to the pause it was given with


def test_the_poll_scene_puts_the_poll_on_screens_in_the_same_entry():
    w = World()
    pid = w.ok(MOD, c.CreatePoll(question="?", kind=c.PollKind.SINGLE, options=["a", "b"]))["poll"]
    seq = w.state.seq
    assert w.refused(MOD, c.ShowScene(scene="poll", poll=pid)) == "poll.bad_state"  # a draft
    assert scene(w)["scene"] == "join" and w.state.polls.on_screen is None
    w.ok(MOD, c.OpenPoll(poll=pid))
    outcome = w.do(MOD, c.ShowScene(scene="poll", poll=pid, view="sites"))
    assert outcome.effects is not None
    assert set(outcome.effects.now) == {("screen", ""), ("scene", ""), ("site_screens", "")}
    assert w.state.polls.on_screen == pid and scene(w)["view"] == "sites"
    assert w.state.seq == seq + 3


def test_the_question_scene_highlights_the_question():
    w = World()
    qid = w.ok(participant("nancy"), c.AskQuestion(text="Et les moyens ?"))["question"]
    assert w.refused(MOD, c.ShowScene(scene="question", question=qid)) == "question.not_highlightable"  # pending
    w.ok(MOD, c.ApproveQuestion(question=qid))
    w.ok(MOD, c.ShowScene(scene="question", question=qid))
    assert w.state.qna.highlighted == qid and scene(w)["scene"] == "question"


def test_a_scene_is_chosen_by_staff_only_and_checked():
    w = World()
    assert w.refused(coordinator("nancy"), c.ShowScene(scene="wall", site="reims")) == "auth.other_site"
    assert w.refused(participant("nancy"), c.ShowScene(scene="wall")) == "auth.forbidden"
    assert w.refused(MOD, c.ShowScene(scene="wall", poll="poll1")) == "scene.invalid"
    assert w.refused(MOD, c.ShowScene(scene="pause", message="x" * 5000)) == "scene.message.too_long"
    assert scene(w)["scene"] == "join"
