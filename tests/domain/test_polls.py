import pytest

from hub.domain import commands as c
from hub.domain import views
from hub.domain.commands import PollKind

from .helpers import MOD, REMOTE_VIEWER, World, participant


def make_poll(w: World, kind=PollKind.SINGLE, open_=True, **kw) -> str:
    if kind in (PollKind.SINGLE, PollKind.MULTIPLE) and "options" not in kw:
        kw["options"] = ["Oui", "Non", "Sans avis"]
    pid = w.ok(MOD, c.CreatePoll(question="Votre avis ?", kind=kind, **kw))["poll"]
    if open_:
        w.ok(MOD, c.OpenPoll(poll=pid))
    return pid


def tally(w: World, pid: str, audience="mod"):
    return views.render(w.state, w.config, ("tally", pid), audience)


def test_single_choice_tallies_overall_and_per_site():
    w = World()
    pid = make_poll(w)
    w.ok(participant("nancy", 1), c.Vote(poll=pid, choices=[0]))
    w.ok(participant("nancy", 2), c.Vote(poll=pid, choices=[1]))
    w.ok(participant("reims", 1), c.Vote(poll=pid, choices=[0]))
    w.ok(REMOTE_VIEWER, c.Vote(poll=pid, choices=[2]))
    t = tally(w, pid)
    assert t["counts"] == [2, 1, 1]
    assert t["counts_by_site"] == {"nancy": [1, 1, 0], "reims": [1, 0, 0], "remote": [0, 0, 1]}
    assert t["ballots"] == 4


def test_new_ballot_replaces_old_one():
    w = World()
    pid = make_poll(w)
    voter = participant("nancy")
    w.ok(voter, c.Vote(poll=pid, choices=[0]))
    assert w.ok(voter, c.Vote(poll=pid, choices=[1]))["replaced"] is True
    assert tally(w, pid)["counts"] == [0, 1, 0]


def test_closed_and_draft_polls_take_no_votes():
    w = World()
    draft = make_poll(w, open_=False)
    assert w.refused(REMOTE_VIEWER, c.Vote(poll=draft, choices=[0])) == "poll.not_open"
    pid = make_poll(w)
    w.ok(MOD, c.ClosePoll(poll=pid))
    assert w.refused(REMOTE_VIEWER, c.Vote(poll=pid, choices=[0])) == "poll.not_open"
    assert w.refused(MOD, c.ClosePoll(poll=pid)) == "poll.bad_state"
    assert w.refused(REMOTE_VIEWER, c.OpenPoll(poll=pid)) == "auth.forbidden"


def test_a_closed_poll_takes_a_late_viewers_vote_for_as_long_as_their_picture_is_behind():
    w = World()  # every command is one second after the previous one (helpers.World)
    pid = make_poll(w)
    w.ok(MOD, c.ClosePoll(poll=pid))
    # One second after closing: a picture 5 s behind still shows the poll open; 0.5 s does not.
    assert w.ok(REMOTE_VIEWER, c.Vote(poll=pid, choices=[0], delay_ms=5000))["late"] is True
    assert w.refused(participant("nancy"), c.Vote(poll=pid, choices=[1], delay_ms=500)) == "poll.not_open"
    assert w.refused(participant("nancy"), c.Vote(poll=pid, choices=[1], delay_ms=-5000)) == "poll.not_open"
    assert tally(w, pid)["counts"] == [1, 0, 0]
    # Bounded whatever the command says: at most 30 s after closing.
    w.clock += 40_000
    assert w.refused(participant("reims"), c.Vote(poll=pid, choices=[1], delay_ms=3_600_000)) == "poll.not_open"
    # Reopened then closed again: the grace counts from the last close.
    w.ok(MOD, c.OpenPoll(poll=pid))
    assert w.ok(participant("reims"), c.Vote(poll=pid, choices=[1], delay_ms=9000))["late"] is False
    w.ok(MOD, c.ClosePoll(poll=pid))
    assert w.ok(participant("metz"), c.Vote(poll=pid, choices=[2], delay_ms=2000))["late"] is True


def test_multiple_choice_respects_max_picks():
    w = World()
    pid = make_poll(w, PollKind.MULTIPLE, max_picks=2)
    w.ok(REMOTE_VIEWER, c.Vote(poll=pid, choices=[0, 2]))
    assert w.refused(participant("reims"), c.Vote(poll=pid, choices=[0, 1, 2])) == "ballot.invalid"
    assert w.refused(participant("reims"), c.Vote(poll=pid, choices=[1, 1])) == "ballot.invalid"
    assert w.refused(participant("reims"), c.Vote(poll=pid, choices=[7])) == "ballot.invalid"
    assert tally(w, pid)["counts"] == [1, 0, 1]


def test_rating_scale_histogram_and_mean():
    w = World()
    pid = make_poll(w, PollKind.RATING, scale_min=1, scale_max=5)
    for i, r in enumerate([5, 4, 4]):
        w.ok(participant("nancy", i), c.Vote(poll=pid, rating=r))
    assert w.refused(REMOTE_VIEWER, c.Vote(poll=pid, rating=6)) == "ballot.invalid"
    assert w.refused(REMOTE_VIEWER, c.Vote(poll=pid, choices=[1])) == "ballot.invalid"
    t = tally(w, pid)
    assert t["counts"] == [0, 0, 0, 2, 1] and t["mean"] == 4.33


def test_word_cloud_normalises_case_and_accents():
    w = World()
    pid = make_poll(w, PollKind.WORDCLOUD, max_words=3)
    w.ok(participant("nancy", 1), c.Vote(poll=pid, words=["Élève", "Numérique"]))
    w.ok(participant("reims", 1), c.Vote(poll=pid, words=["eleve ", "ÉLÈVE"]))  # one word once
    t = tally(w, pid)
    assert t["words"] == [["eleve", 2], ["numerique", 1]]
    assert t["words_by_site"]["reims"] == [["eleve", 1]]
    assert w.refused(REMOTE_VIEWER, c.Vote(poll=pid, words=["a", "b", "c", "d"])) == "ballot.invalid"


def test_open_text_answers():
    w = World()
    pid = make_poll(w, PollKind.TEXT)
    w.ok(participant("nancy"), c.Vote(poll=pid, text="Plus de temps"))
    w.ok(participant("nancy"), c.Vote(poll=pid, text="Plus de formation"))
    assert tally(w, pid)["answers"] == [{"site": "nancy", "text": "Plus de formation"}]


def test_hidden_results_until_revealed():
    w = World()
    pid = make_poll(w, results="hidden")
    w.ok(REMOTE_VIEWER, c.Vote(poll=pid, choices=[1]))
    assert tally(w, pid, "public") == {"poll": pid, "ballots": 1, "hidden": True}
    assert tally(w, pid, "mod")["counts"] == [0, 1, 0]
    w.ok(MOD, c.RevealResults(poll=pid))
    assert tally(w, pid, "public")["counts"] == [0, 1, 0]


def test_draft_poll_is_for_moderators_only():
    w = World()
    pid = make_poll(w, open_=False)
    assert views.render(w.state, w.config, ("poll", pid), "public") is None
    assert views.render(w.state, w.config, ("poll", pid), "mod")["state"] == "draft"
    assert w.refused(MOD, c.ShowPollOnScreens(poll=pid)) == "poll.bad_state"


@pytest.mark.parametrize("options", [["seul"], ["a", "a"], [f"o{i}" for i in range(13)]])
def test_bad_choice_options_are_refused(options):
    w = World()
    assert w.refused(MOD, c.CreatePoll(question="?", kind=PollKind.SINGLE, options=options)) == "poll.options"


def test_reviewed_word_cloud_reaches_the_public_only_word_by_word():
    w = World()
    pid = make_poll(w, PollKind.WORDCLOUD, max_words=3, review=True)
    w.ok(participant("nancy", 1), c.Vote(poll=pid, words=["Élève", "Idiot"]))
    w.ok(participant("reims", 1), c.Vote(poll=pid, words=["eleve"]))
    assert tally(w, pid, "public")["words"] == []  # nothing let through yet
    assert tally(w, pid)["review"] == {"eleve": "pending", "idiot": "pending"}
    w.ok(MOD, c.ReviewAnswer(poll=pid, word="ÉLÈVE", shown=True))  # any spelling of the word
    w.ok(MOD, c.ReviewAnswer(poll=pid, word="idiot", shown=False))
    public = tally(w, pid, "public")
    assert public["words"] == [["eleve", 2]] and "review" not in public
    assert public["words_by_site"] == {"nancy": [["eleve", 1]], "reims": [["eleve", 1]]}
    assert tally(w, pid)["review"] == {"eleve": "shown", "idiot": "masked"}
    assert tally(w, pid)["words"] == [["eleve", 2], ["idiot", 1]]  # the régie sees everything
    w.ok(MOD, c.ReviewAnswer(poll=pid, word="eleve", shown=False))  # changed its mind
    assert tally(w, pid, "public")["words"] == []
    assert w.refused(MOD, c.ReviewAnswer(poll=pid, word="absent", shown=True)) == "poll.no_such_answer"
    assert w.refused(MOD, c.ReviewAnswer(poll=pid, answer="a3", shown=True)) == "ballot.invalid"
    assert w.refused(participant("nancy", 1), c.ReviewAnswer(poll=pid, word="eleve", shown=True)) == "auth.forbidden"


def test_reviewed_open_answers_and_a_changed_answer_waits_again():
    w = World()
    pid = make_poll(w, PollKind.TEXT, review=True)
    w.ok(participant("nancy"), c.Vote(poll=pid, text="Plus de temps"))
    w.ok(participant("reims"), c.Vote(poll=pid, text="<b>Des moyens</b>"))
    answers = tally(w, pid)["answers"]
    assert [(a["text"], a["review"]) for a in answers] == [("Plus de temps", "pending"),
                                                           ("<b>Des moyens</b>", "pending")]
    w.ok(MOD, c.ReviewAnswer(poll=pid, answer=answers[0]["id"], shown=True))
    assert tally(w, pid, "public")["answers"] == [{"site": "nancy", "text": "Plus de temps"}]
    w.ok(participant("nancy"), c.Vote(poll=pid, text="Plus de formation"))  # a new answer: reviewed again
    assert tally(w, pid, "public")["answers"] == []
    assert w.refused(MOD, c.ReviewAnswer(poll=pid, answer=answers[0]["id"], shown=True)) == "poll.no_such_answer"


def test_review_is_for_free_answers_of_polls_that_ask_for_it():
    w = World()
    choice = make_poll(w, review=True)  # a choice poll has nothing to review
    assert views.render(w.state, w.config, ("poll", choice), "mod")["review"] is False
    assert w.refused(MOD, c.ReviewAnswer(poll=choice, answer="a1", shown=True)) == "poll.not_reviewed"
    cloud = make_poll(w, PollKind.WORDCLOUD)
    w.ok(participant("nancy"), c.Vote(poll=cloud, words=["ok"]))
    assert tally(w, cloud, "public")["words"] == [["ok", 1]]  # without review: straight to the screens
    assert w.refused(MOD, c.ReviewAnswer(poll=cloud, word="ok", shown=False)) == "poll.not_reviewed"
