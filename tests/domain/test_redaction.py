"""Erasing what participants wrote and who they were keeps every figure: the purged
log folds to the same report, with no text and no participant id left."""
from hub.domain import commands as c
from hub.domain import report, views
from hub.domain.redaction import ERASED, redact
from hub.domain.state import Entry, EventState, apply

from .helpers import MOD, World, participant
from .test_report import scripted_day


def fold(config, entries):
    state = EventState()
    for seq, entry in enumerate(entries, 1):
        outcome = apply(state, config, seq, entry)
        assert outcome.error is None, (seq, outcome.error)
    return state


def test_the_purged_log_folds_to_the_same_figures_without_texts_or_ids():
    day = scripted_day()
    purged = [redact(e, b"salt") for e in day.entries]
    state = fold(day.config, purged)
    before, after = report.figures(day.state, day.config), report.figures(state, day.config)
    for section in ("attendance", "peak", "stream", "questions", "polls", "live_posts", "reactions", "timeline"):
        assert after[section] == before[section], section
    assert [p["votes"] for p in after["proposals"]] == [p["votes"] for p in before["proposals"]]
    assert all(p["title"] == ERASED for p in after["proposals"])
    assert all(q.text == ERASED and q.name is None for q in state.qna.questions.values())
    people = {e.actor.pid for e in purged if e.actor.role.value in ("viewer", "participant")}
    assert people and all(pid.startswith("anon-") for pid in people)
    assert not any("person-" in str(e) for e in purged)
    assert [redact(e, b"salt") for e in purged] == purged, "a second purge changes nothing"



def test_a_reviewed_word_cloud_keeps_its_review_after_the_purge():
    w = World()
    script = [(MOD, c.CreatePoll(question="?", kind=c.PollKind.WORDCLOUD, review=True)),
              (MOD, c.OpenPoll(poll="poll1")),
              (participant("nancy"), c.Vote(poll="poll1", words=["Élève", "Moyens"])),
              (participant("reims"), c.Vote(poll="poll1", words=["eleve"])),
              (MOD, c.ReviewAnswer(poll="poll1", word="ÉLÈVE", shown=True))]
    entries = [Entry(at=i, actor=actor, cmd=cmd) for i, (actor, cmd) in enumerate(script, 1)]
    public = views.render(fold(w.config, [redact(e, b"salt") for e in entries]), w.config, ("tally", "poll1"), "public")
    assert [n for _, n in public["words"]] == [2]  # the word let through, still counted twice
    assert public["words"][0][0].startswith("[efface]")
