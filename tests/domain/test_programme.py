"""The programme: the control room's current session drives "now / next"; questions
and polls carry the session they were asked in; the calendar's times."""
from hub.domain import commands as c
from hub.domain import programme, views
from hub.domain.commands import PollKind

from .helpers import MOD, REMOTE_VIEWER, World, make_config, participant

SESSIONS = [
    {"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30", "site": "nancy",
     "speakers": ["Rectrice"]},
    {"title": "Atelier Reims", "kind": "workshop", "start": "09:30", "end": "10:00", "site": "reims"},
    {"title": "Retour Nancy", "kind": "experience_report", "start": "09:30", "end": "09:45", "site": "nancy"},
    {"title": "Suite Nancy", "kind": "experience_report", "start": "09:45", "end": "10:00", "site": "nancy"},
    {"title": "Jour 2", "kind": "plenary", "start": "09:00", "end": "10:00", "site": "reims", "day": "2020-10-14"},
]


def world() -> World:
    return World(make_config(programme=SESSIONS, end_date="2020-10-14"))


def test_the_control_room_sets_the_current_session_and_next_follows_it():
    w = world()
    assert views.render(w.state, w.config, ("stage", ""), "public")["current"] is None
    w.ok(MOD, c.SetCurrentSession(session=0))
    stage = views.render(w.state, w.config, ("stage", ""), "public")
    assert stage["current"] == 0 and stage["next"] == 2  # the same site first, once it has ended
    w.ok(MOD, c.SetCurrentSession(session=1))
    assert views.render(w.state, w.config, ("stage", ""), "public")["next"] == 4  # Reims: next day
    w.ok(MOD, c.SetCurrentSession(session=3))
    assert views.render(w.state, w.config, ("stage", ""), "public")["next"] == 4  # nothing more at Nancy
    w.ok(MOD, c.SetCurrentSession(session=4))
    assert views.render(w.state, w.config, ("stage", ""), "public")["next"] is None
    w.ok(MOD, c.SetCurrentSession(session=None))
    assert views.render(w.state, w.config, ("stage", ""), "public")["current"] is None


def test_only_staff_set_the_current_session_and_only_a_real_one():
    w = world()
    assert w.refused(REMOTE_VIEWER, c.SetCurrentSession(session=0)) == "auth.forbidden"
    assert w.refused(participant("nancy"), c.SetCurrentSession(session=0)) == "auth.forbidden"
    assert w.refused(MOD, c.SetCurrentSession(session=5)) == "programme.session"
    w.ok(MOD, c.SetCurrentSession(session=2))
    assert w.refused(MOD, c.SetCurrentSession(session=2)) == "programme.unchanged"


def test_questions_and_polls_carry_the_session_they_were_asked_in():
    w = world()
    before = w.ok(REMOTE_VIEWER, c.AskQuestion(text="Avant le début ?"))["question"]
    w.ok(MOD, c.SetCurrentSession(session=2))
    during = w.ok(participant("nancy"), c.AskQuestion(text="Pendant le retour de Nancy ?"))["question"]
    poll = w.ok(MOD, c.CreatePoll(question="Utile ?", kind=PollKind.SINGLE, options=["oui", "non"]))["poll"]
    w.ok(MOD, c.SetCurrentSession(session=3))
    assert w.state.qna.questions[before].session is None
    assert views.render(w.state, w.config, ("question", during), "mod")["session"] == 2
    assert views.render(w.state, w.config, ("poll", poll), "mod")["session"] == 2


def test_sessions_in_time_order_by_day_then_start():
    config = make_config(programme=list(reversed(SESSIONS)), end_date="2020-10-14")
    titles = [config.programme[i].title for i in programme.in_time_order(config)]
    assert titles == ["Ouverture", "Retour Nancy", "Atelier Reims", "Suite Nancy", "Jour 2"]
