import copy

from hub.domain import commands as c
from hub.domain import qna, views

from .helpers import MOD, REMOTE_VIEWER, World, coordinator, make_config, participant


def ask(w: World, actor=None, text="Comment former les enseignants ?") -> str:
    return w.ok(actor or participant("nancy"), c.AskQuestion(text=text))["question"]


def test_premoderated_question_is_pending_and_hidden_from_public():
    w = World()
    qid = ask(w)
    assert w.state.qna.questions[qid].state is qna.QState.PENDING
    assert views.render(w.state, w.config, ("question", qid), "public") is None
    assert views.render(w.state, w.config, ("question", qid), "mod")["state"] == "pending"
    assert views.render(w.state, w.config, ("question", qid), "site:nancy")["origin"] == "nancy"
    assert views.render(w.state, w.config, ("question", qid), "site:reims") is None


def test_open_qna_question_is_visible_at_once():
    w = World(make_config(settings={"qna": {"premoderated": False}}))
    qid = ask(w, REMOTE_VIEWER)
    assert views.render(w.state, w.config, ("question", qid), "public")["origin"] == "remote"


def test_coordinator_approves_own_site_question_but_not_another_sites():
    w = World()
    qid = ask(w)
    assert w.refused(coordinator("reims"), c.ApproveQuestion(question=qid)) == "auth.other_site"
    w.ok(coordinator("nancy"), c.ApproveQuestion(question=qid))
    assert w.state.qna.questions[qid].state is qna.QState.VISIBLE


def test_coordinator_cannot_moderate_remote_questions_moderator_can():
    w = World()
    qid = ask(w, REMOTE_VIEWER)
    assert w.refused(coordinator("nancy"), c.DismissQuestion(question=qid)) == "auth.other_site"
    w.ok(MOD, c.DismissQuestion(question=qid))


def test_viewer_cannot_approve():
    w = World()
    qid = ask(w)
    assert w.refused(participant("nancy", 2), c.ApproveQuestion(question=qid)) == "auth.forbidden"


def test_upvote_once_and_withdraw():
    w = World()
    qid = ask(w)
    w.ok(MOD, c.ApproveQuestion(question=qid))
    voter = participant("reims")
    assert w.ok(voter, c.UpvoteQuestion(question=qid))["votes"] == 1
    assert w.refused(voter, c.UpvoteQuestion(question=qid)) == "question.already_upvoted"
    assert w.ok(voter, c.WithdrawUpvote(question=qid))["votes"] == 0
    assert w.refused(voter, c.WithdrawUpvote(question=qid)) == "question.not_upvoted"


def test_pending_question_cannot_be_upvoted():
    w = World()
    qid = ask(w)
    assert w.refused(REMOTE_VIEWER, c.UpvoteQuestion(question=qid)) == "question.not_votable"


def test_text_limits_and_empty_text():
    w = World()
    limit = w.config.settings.limits.question_length
    assert w.refused(REMOTE_VIEWER, c.AskQuestion(text="x" * (limit + 1))) == "question.too_long"
    assert w.refused(REMOTE_VIEWER, c.AskQuestion(text="   \n ")) == "question.empty"
    assert w.refused(REMOTE_VIEWER, c.AskQuestion(text="ok?", name="n" * 100)) == "name.too_long"


def test_highlight_one_at_a_time_and_cleared_when_answered():
    w = World()
    q1, q2 = ask(w), ask(w, text="Et les familles ?")
    assert w.refused(MOD, c.HighlightQuestion(question=q1)) == "question.not_highlightable"
    for q in (q1, q2):
        w.ok(MOD, c.ApproveQuestion(question=q))
    w.ok(MOD, c.HighlightQuestion(question=q1))
    w.ok(MOD, c.HighlightQuestion(question=q2))
    assert w.state.qna.highlighted == q2
    w.ok(MOD, c.AnswerQuestion(question=q2))
    assert w.state.qna.highlighted is None
    assert w.refused(MOD, c.ApproveQuestion(question=q2)) == "question.bad_state"


def test_upvoting_the_highlighted_question_refreshes_the_highlight():
    w = World()
    qid = ask(w)
    w.ok(MOD, c.ApproveQuestion(question=qid))
    w.ok(MOD, c.HighlightQuestion(question=qid))
    outcome = w.do(participant("reims"), c.UpvoteQuestion(question=qid))
    assert ("highlight", "") in outcome.effects.hot
    assert views.render(w.state, w.config, ("highlight", ""), "public")["votes"] == 1


def test_merge_keeps_votes_and_counts_the_asker():
    w = World()
    q1, q2 = ask(w, participant("nancy", 1)), ask(w, participant("reims", 1), text="Même question")
    for q in (q1, q2):
        w.ok(MOD, c.ApproveQuestion(question=q))
    w.ok(participant("strasbourg"), c.UpvoteQuestion(question=q2))
    w.ok(participant("reims", 2), c.UpvoteQuestion(question=q1))
    result = w.ok(MOD, c.MergeQuestion(question=q2, into=q1))
    assert result["votes"] == 3  # reims-p2, strasbourg-p1 and reims-p1 (the asker of q2)
    assert views.render(w.state, w.config, ("question", q2), "public") is None
    assert w.refused(MOD, c.MergeQuestion(question=q1, into=q1)) == "question.merge_self"


def test_ordering_by_votes_then_time():
    w = World()
    ids = [ask(w, text=f"Q{i}") for i in range(3)]
    for q in ids:
        w.ok(MOD, c.ApproveQuestion(question=q))
    w.ok(participant("reims"), c.UpvoteQuestion(question=ids[2]))
    assert [q.id for q in qna.ordered(w.state.qna, "votes")] == [ids[2], ids[0], ids[1]]
    assert [q.id for q in qna.ordered(w.state.qna, "time")] == [ids[2], ids[1], ids[0]]


def test_refused_command_changes_nothing_but_seq():
    w = World()
    ask(w)
    before = copy.deepcopy(w.state)
    w.refused(REMOTE_VIEWER, c.ApproveQuestion(question="q1"))
    before.seq += 1
    assert w.state == before


def test_retried_command_id_applies_once():
    w = World()
    w.ok(REMOTE_VIEWER, c.AskQuestion(text="une fois"), cid="c-1")
    again = w.do(REMOTE_VIEWER, c.AskQuestion(text="une fois"), cid="c-1")
    assert again.duplicate_of == 1 and len(w.state.qna.questions) == 1


def test_the_archive_undoes_an_answer_and_a_dismissal():
    w = World()
    asked = w.ok(participant("nancy"), c.AskQuestion(text="Et les familles ?"))["question"]
    w.ok(MOD, c.ApproveQuestion(question=asked))
    w.ok(MOD, c.AnswerQuestion(question=asked))
    assert w.ok(MOD, c.RestoreQuestion(question=asked))["state"] == "visible"  # un-answered
    w.ok(MOD, c.DismissQuestion(question=asked))
    assert w.ok(MOD, c.RestoreQuestion(question=asked))["state"] == "visible"  # back where it was
    pending = w.ok(participant("reims"), c.AskQuestion(text="Et le réseau ?"))["question"]
    w.ok(coordinator("reims"), c.DismissQuestion(question=pending))
    assert w.ok(MOD, c.RestoreQuestion(question=pending))["state"] == "pending"
    assert w.refused(MOD, c.RestoreQuestion(question=pending)) == "question.bad_state"
    assert w.refused(coordinator("reims"), c.RestoreQuestion(question=pending)) == "auth.forbidden"
