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
