"""Every site a stage of its own: a current session per site's track, plenaries
that every site follows, questions and polls filed where they happen, per-site
highlights, scenes and polls on screens; and old logs that still fold the same."""
import json
from pathlib import Path

import msgspec

from hub.domain import commands as c
from hub.domain import views
from hub.domain.actors import Actor, Role
from hub.domain.commands import PollKind
from hub.domain.event import parse_event
from hub.domain.state import Entry, EventState, apply

from .helpers import MOD, REMOTE_VIEWER, World, coordinator, make_config, participant

SESSIONS = [
    {"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30", "site": "nancy"},       # 0
    {"title": "Retour Nancy", "kind": "experience_report", "start": "09:30", "end": "09:45", "site": "nancy"},  # 1
    {"title": "Retour Reims", "kind": "experience_report", "start": "09:30", "end": "09:45", "site": "reims"},  # 2
    {"title": "Retour Strasbourg", "kind": "experience_report", "start": "09:30", "end": "09:45",
     "site": "strasbourg"},                                                                             # 3
    {"title": "Formation hybride", "kind": "experience_report", "start": "09:45", "end": "10:00",
     "site": "strasbourg"},                                                                             # 4
    {"title": "Clôture", "kind": "keynote", "start": "10:00", "end": "10:30", "site": "nancy"},         # 5
]


def world() -> World:
    return World(make_config(programme=SESSIONS))


def tracks(w: World) -> dict:
    return views.render(w.state, w.config, ("stage", ""), "public")["tracks"]


def test_each_site_runs_its_own_session_and_a_plenary_makes_every_site_follow():
    w = world()
    w.ok(MOD, c.SetCurrentSession(session=0))  # the opening, event-wide
    assert {s: t["session"] for s, t in tracks(w).items()} == {"nancy": 0, "reims": 0, "strasbourg": 0}
    w.ok(coordinator("strasbourg"), c.SetCurrentSession(session=3))
    w.ok(MOD, c.SetCurrentSession(session=2, site="reims"))
    w.ok(coordinator("nancy"), c.SetCurrentSession(session=1, site="nancy"))
    assert {s: t["session"] for s, t in tracks(w).items()} == {"nancy": 1, "reims": 2, "strasbourg": 3}
    assert tracks(w)["strasbourg"]["next"] == 4  # the clock's proposal: what this track runs next
    assert tracks(w)["reims"]["next"] == 5        # Reims has nothing more of its own: the closing plenary
    w.ok(MOD, c.SetCurrentSession(session=5))
    assert {t["session"] for t in tracks(w).values()} == {5}


def test_a_coordinator_sets_only_their_own_track_and_only_to_their_sessions():
    w = world()
    assert w.refused(coordinator("nancy"), c.SetCurrentSession(session=2, site="reims")) == "auth.other_site"
    assert w.refused(coordinator("nancy"), c.SetCurrentSession(session=2)) == "programme.other_site"
    assert w.refused(MOD, c.SetCurrentSession(session=3, site="reims")) == "programme.other_site"
    assert w.refused(MOD, c.SetCurrentSession(session=99, site="reims")) == "programme.session"
    assert w.refused(MOD, c.SetCurrentSession(session=2, site="atlantis")) == "site.not_found"
    w.ok(coordinator("reims"), c.SetCurrentSession(session=0))  # a plenary is on every track
    assert w.refused(coordinator("reims"), c.SetCurrentSession(session=0)) == "programme.unchanged"
    assert tracks(w)["nancy"]["session"] is None  # nobody else moved


def test_questions_land_in_the_session_of_the_track_they_were_asked_on():
    w = world()
    w.ok(coordinator("nancy"), c.SetCurrentSession(session=1))
    w.ok(coordinator("strasbourg"), c.SetCurrentSession(session=3))
    w.ok(MOD, c.SetOnAir(site="nancy"))
    in_room = w.ok(participant("strasbourg"), c.AskQuestion(text="Depuis la salle ?"))["question"]
    follower = w.ok(REMOTE_VIEWER, c.AskQuestion(text="Je suis Strasbourg à distance", track="strasbourg"))["question"]
    program = w.ok(REMOTE_VIEWER, c.AskQuestion(text="Je suis le programme"))["question"]
    qs = w.state.qna.questions
    assert (qs[in_room].session, qs[in_room].site) == (3, "strasbourg")  # not Nancy's, though Nancy is on air
    assert (qs[follower].session, qs[follower].site, qs[follower].origin) == (3, "strasbourg", "remote")
    assert (qs[program].session, qs[program].site) == (1, None)  # the program: the on-air site's session
    assert w.refused(REMOTE_VIEWER, c.AskQuestion(text="?", track="atlantis")) == "site.not_found"


def test_a_coordinator_moderates_their_own_track_including_its_remote_followers():
    w = world()
    mine = w.ok(REMOTE_VIEWER, c.AskQuestion(text="Pour Reims", track="reims"))["question"]
    other = w.ok(participant("nancy"), c.AskQuestion(text="Pour Nancy"))["question"]
    assert views.render(w.state, w.config, ("question", mine), "site:reims") is not None  # pending, seen at Reims
    assert views.render(w.state, w.config, ("question", mine), "site:nancy") is None
    w.ok(coordinator("reims"), c.ApproveQuestion(question=mine))
    assert w.refused(coordinator("reims"), c.ApproveQuestion(question=other)) == "auth.other_site"
    assert w.refused(coordinator("reims"), c.HighlightQuestion(question=mine, site="nancy")) == "auth.other_site"


def test_each_sites_screens_show_their_own_highlight_until_the_control_room_takes_them_all():
    w = world()
    ids = []
    for site in ("nancy", "reims"):
        qid = w.ok(participant(site), c.AskQuestion(text=f"Question de {site}"))["question"]
        w.ok(coordinator(site), c.ApproveQuestion(question=qid))
        w.ok(coordinator(site), c.HighlightQuestion(question=qid))
        ids.append(qid)

    def shown(audience: str):
        q = views.render(w.state, w.config, ("highlight", ""), audience)
        return q and q["id"]
    assert (shown("track:nancy"), shown("track:reims"), shown("track:strasbourg")) == (ids[0], ids[1], None)
    w.ok(MOD, c.HighlightQuestion(question=ids[1]))  # for all
    assert shown("track:nancy") == shown("track:strasbourg") == shown("public") == ids[1]
    w.ok(MOD, c.HighlightQuestion(question=ids[0], site="nancy"))  # per site, from the régie
    assert (shown("track:nancy"), shown("track:reims")) == (ids[0], ids[1])
    w.ok(MOD, c.AnswerQuestion(question=ids[0]))  # answered: off Nancy's screens, back to the event-wide one
    assert shown("track:nancy") == ids[1]
    overview = views.render(w.state, w.config, ("site_screens", ""), "mod")
    assert overview["reims"]["question"] == ids[1]


def test_a_room_poll_is_seen_run_and_answered_only_in_its_room():
    w = world()
    w.ok(coordinator("strasbourg"), c.SetCurrentSession(session=3))
    pid = w.ok(coordinator("strasbourg"), c.CreatePoll(question="Badges ?", kind=PollKind.SINGLE,
                                                        options=["oui", "non"]))["poll"]
    assert w.state.polls.polls[pid].site == "strasbourg" and w.state.polls.polls[pid].session == 3
    assert views.render(w.state, w.config, ("poll", pid), "site:strasbourg") is not None  # its draft, at its desk
    w.ok(coordinator("strasbourg"), c.OpenPoll(poll=pid))
    for audience, seen in (("track:strasbourg", True), ("site:strasbourg", True), ("mod", True),
                           ("public", False), ("track:reims", False), ("site:reims", False)):
        assert (views.render(w.state, w.config, ("poll", pid), audience) is not None) is seen, audience
        assert (views.render(w.state, w.config, ("tally", pid), audience) is not None) is seen, audience
    w.ok(participant("strasbourg"), c.Vote(poll=pid, choices=[0]))
    w.ok(REMOTE_VIEWER, c.Vote(poll=pid, choices=[1]))  # a follower
    assert w.refused(participant("reims"), c.Vote(poll=pid, choices=[0])) == "poll.other_site"
    assert w.refused(coordinator("reims"), c.ClosePoll(poll=pid)) == "auth.other_site"
    assert w.refused(coordinator("strasbourg"), c.ShowPollOnScreens(poll=pid, site="reims")) == "auth.other_site"
    assert w.refused(MOD, c.ShowPollOnScreens(poll=pid)) == "poll.other_site"  # not on every screen
    w.ok(coordinator("strasbourg"), c.ShowScene(scene="poll", poll=pid))
    assert views.render(w.state, w.config, ("screen", ""), "track:strasbourg") == pid
    assert views.render(w.state, w.config, ("scene", ""), "track:strasbourg")["scene"] == "poll"
    assert views.render(w.state, w.config, ("scene", ""), "track:reims")["scene"] == "join"
    event_poll = w.ok(MOD, c.CreatePoll(question="Tous ?", kind=PollKind.SINGLE, options=["a", "b"]))["poll"]
    assert w.refused(coordinator("strasbourg"), c.OpenPoll(poll=event_poll)) == "auth.other_site"
    w.ok(MOD, c.OpenPoll(poll=event_poll))
    w.ok(MOD, c.ShowScene(scene="poll", poll=event_poll))  # the régie puts a whole-event poll on: everywhere
    assert views.render(w.state, w.config, ("screen", ""), "track:strasbourg") == event_poll


def test_hands_counted_in_the_room_are_kept_apart_from_the_ballots():
    w = world()
    pid = w.ok(MOD, c.CreatePoll(question="Utile ?", kind=PollKind.SINGLE, options=["oui", "non"]))["poll"]
    assert w.refused(coordinator("reims"), c.CountHands(poll=pid, counts=[1, 2])) == "poll.bad_state"  # a draft
    w.ok(MOD, c.OpenPoll(poll=pid))
    w.ok(participant("reims"), c.Vote(poll=pid, choices=[0]))
    w.ok(coordinator("reims"), c.CountHands(poll=pid, counts=[12, 3]))
    w.ok(coordinator("reims"), c.CountHands(poll=pid, counts=[14, 3]))  # corrected: replaces
    tally = views.render(w.state, w.config, ("tally", pid), "public")
    assert tally["counts"] == [1, 0] and tally["ballots"] == 1
    assert tally["hands_by_site"] == {"reims": [14, 3]} and tally["hands"] == [14, 3]
    assert w.refused(coordinator("reims"), c.CountHands(poll=pid, counts=[1])) == "hands.invalid"
    assert w.refused(coordinator("reims"), c.CountHands(poll=pid, counts=[-1, 0])) == "hands.invalid"
    assert w.refused(coordinator("reims"), c.CountHands(poll=pid, counts=[10**6, 0])) == "hands.absurd"
    assert w.refused(coordinator("reims"), c.CountHands(poll=pid, counts=[1, 1], site="nancy")) == "auth.other_site"
    assert w.refused(MOD, c.CountHands(poll=pid, counts=[1, 1])) == "site.required"
    cloud = w.ok(MOD, c.CreatePoll(question="Un mot", kind=PollKind.WORDCLOUD))["poll"]
    w.ok(MOD, c.OpenPoll(poll=cloud))
    assert w.refused(coordinator("reims"), c.CountHands(poll=cloud, counts=[])) == "hands.kind"


def test_the_speaker_timer_counts_down_pauses_and_runs_pecha_kucha():
    from hub.domain import timers
    w = world()
    w.ok(coordinator("nancy"), c.StartTimer(mode="pecha_kucha"))
    timer = w.state.timers.sites["nancy"]
    start = timer.started_at
    assert timer.duration_ms == 400_000 and timers.slide_at(timer, start + 45_000) == 3
    w.ok(coordinator("nancy"), c.PauseTimer())
    assert w.refused(coordinator("nancy"), c.PauseTimer()) == "timer.paused"
    left = timers.remaining_ms(timer, w.clock + 999_000)  # paused: time does not run
    w.ok(coordinator("nancy"), c.ResumeTimer())
    assert timers.remaining_ms(timer, w.clock) == left == 400_000 - 1000
    assert w.refused(coordinator("reims"), c.StopTimer(site="nancy")) == "auth.other_site"
    assert w.refused(coordinator("reims"), c.StopTimer()) == "timer.none"
    w.ok(coordinator("nancy"), c.StopTimer())
    w.ok(MOD, c.StartTimer(seconds=900, site="reims"))
    assert views.render(w.state, w.config, ("timers", ""), "public")["reims"]["duration_ms"] == 900_000
    assert w.refused(MOD, c.StartTimer(seconds=60)) == "site.required"


def test_head_counts_are_kept_with_their_time_and_absurd_ones_refused():
    sites = [{"id": s, "name": s.title(), "city": s.title(), "capacity": 120} for s in ("nancy", "reims", "strasbourg")]
    w = World(make_config(programme=SESSIONS, sites=sites))
    w.ok(coordinator("nancy"), c.SetCurrentSession(session=1))
    w.ok(coordinator("nancy"), c.RecordHeadcount(count=80))
    w.ok(coordinator("nancy"), c.RecordHeadcount(count=95))
    counts = w.state.rooms.headcounts["nancy"]
    assert [(h.count, h.session) for h in counts] == [(80, 1), (95, 1)] and counts[0].at < counts[1].at
    assert views.render(w.state, w.config, ("rooms", ""), "public")["nancy"]["headcount"] == 95
    assert w.refused(coordinator("nancy"), c.RecordHeadcount(count=-3)) == "headcount.invalid"
    assert w.refused(coordinator("nancy"), c.RecordHeadcount(count=10**8)) == "headcount.absurd"
    assert w.refused(MOD, c.RecordHeadcount(count=3)) == "site.required"
    assert w.refused(participant("nancy"), c.RecordHeadcount(count=3)) == "auth.forbidden"


def invitees_world() -> World:
    sites = [{"id": s, "name": s.title(), "city": s.title(), "capacity": 3} for s in ("nancy", "reims")]
    return World(make_config(sites=sites))


def test_invitees_are_checked_in_once_at_their_own_site_and_walk_ins_added():
    w = invitees_world()
    w.ok(MOD, c.ImportInvitees(invitees=[c.Invitee(name="Ada Lovelace", site="nancy", category="enseignant"),
                                          c.Invitee(name="Émile Zola", site="reims")]))
    ada, emile = sorted(w.state.rooms.people)
    assert w.refused(coordinator("reims"), c.CheckIn(invitee=ada)) == "auth.other_site"
    w.ok(coordinator("nancy"), c.CheckIn(invitee=ada))
    assert w.refused(coordinator("nancy"), c.CheckIn(invitee=ada)) == "checkin.already"
    assert w.refused(coordinator("nancy"), c.CheckIn(invitee="i404-1")) == "invitee.not_found"
    w.ok(coordinator("nancy"), c.WalkIn(name="Sans Badge", category="parent"))
    assert w.refused(coordinator("nancy"), c.WalkIn(name="X", category="astronaute")) == "category.unknown"
    rooms = views.render(w.state, w.config, ("rooms", ""), "public")
    assert (rooms["nancy"]["expected"], rooms["nancy"]["checked_in"], rooms["reims"]["checked_in"]) == (2, 2, 0)
    assert views.render(w.state, w.config, ("person", ada), "site:nancy")["name"] == "Ada Lovelace"
    assert views.render(w.state, w.config, ("person", ada), "site:reims") is None  # names stay at the door
    assert views.render(w.state, w.config, ("person", ada), "public") is None
    w.ok(coordinator("nancy"), c.UndoCheckIn(invitee=ada))
    assert w.refused(coordinator("nancy"), c.UndoCheckIn(invitee=ada)) == "checkin.not_checked_in"
    assert emile


def test_an_import_over_a_sites_capacity_or_of_an_unknown_site_writes_nothing():
    w = invitees_world()
    four = [c.Invitee(name=f"P{i}", site="nancy") for i in range(4)]
    assert w.refused(MOD, c.ImportInvitees(invitees=four)) == "invitees.over_capacity"
    assert w.refused(MOD, c.ImportInvitees(invitees=[c.Invitee(name="P", site="lyon")])) == "site.not_found"
    assert w.refused(coordinator("nancy"), c.ImportInvitees(invitees=four[:1])) == "auth.forbidden"
    assert w.state.rooms.people == {}
    w.ok(MOD, c.ImportInvitees(invitees=four[:2]))
    first = sorted(w.state.rooms.people)[0]
    w.ok(coordinator("nancy"), c.CheckIn(invitee=first))
    w.ok(MOD, c.ImportInvitees(invitees=four[2:], replace=True))  # a new list keeps who is already in
    assert first in w.state.rooms.people and len(w.state.rooms.people) == 3


FIXTURE = Path(__file__).parent / "fixtures" / "log-before-tracks.json"


def _same(old, new, where="") -> None:
    """What the old code showed is still shown, equal; new fields may be added beside it."""
    if isinstance(old, dict):
        assert isinstance(new, dict), where
        for key, value in old.items():
            assert key in new, f"{where}.{key} is gone"
            _same(value, new[key], f"{where}.{key}")
    else:
        assert old == new, f"{where}: {old!r} became {new!r}"


def test_a_log_recorded_before_tracks_folds_to_what_it_showed_then():
    """tests/domain/fixtures/log-before-tracks.json: entries written by the code before
    this change (an event-wide current session, questions, a poll, scenes), with
    the snapshots each audience got from it then."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    config = parse_event(recorded["config"])
    state = EventState()
    for seq, raw in enumerate(recorded["entries"], start=1):
        outcome = apply(state, config, seq, msgspec.convert(raw, Entry))
        assert outcome.error is None, (raw, outcome.error)
    for audience, seen in recorded["seen"].items():
        _same(seen, views.snapshot(state, config, audience), audience)
    assert Actor(role=Role.VIEWER, pid="x" * 8)  # actors of old entries decode as before
