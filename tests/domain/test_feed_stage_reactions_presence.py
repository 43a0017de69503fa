from hub.domain import commands as c
from hub.domain import views
from hub.domain.actors import Actor, Role
from hub.domain.commands import ContributionKind
from hub.domain.presence import REPORT_TTL_MS

from .helpers import MOD, REMOTE_VIEWER, World, coordinator, make_config, participant

SYSTEM = Actor(role=Role.SYSTEM, pid="hub")


def test_live_post_shows_hashtag_and_leaves_room_for_it():
    w = World()
    pid = w.ok(MOD, c.PostLive(text="Ouverture par la rectrice"))["post"]
    assert views.render(w.state, w.config, ("post", pid), "public")["hashtag"] == "#EGNum"
    room = w.config.settings.limits.post_length - len("#EGNum") - 1
    w.ok(MOD, c.PostLive(text="x" * room))
    assert w.refused(MOD, c.PostLive(text="x" * (room + 1))) == "post.too_long"
    assert w.refused(coordinator("nancy"), c.PostLive(text="hi")) == "auth.forbidden"


def test_contribution_attributed_to_site_and_premoderated():
    w = World()
    pid = w.ok(coordinator("reims"), c.Contribute(kind=ContributionKind.PROPOSAL, title="Tiers-lieux",
                                                  body="Ouvrir les CDI le soir"))["post"]
    assert views.render(w.state, w.config, ("post", pid), "public") is None
    assert views.render(w.state, w.config, ("post", pid), "site:reims")["origin"] == "reims"
    assert w.refused(participant("nancy"), c.UpvoteProposal(post=pid)) == "post.not_votable"
    w.ok(MOD, c.ApproveContribution(post=pid))
    assert w.ok(participant("nancy"), c.UpvoteProposal(post=pid))["votes"] == 1
    assert w.refused(participant("nancy"), c.UpvoteProposal(post=pid)) == "post.already_upvoted"
    assert w.refused(MOD, c.RejectContribution(post=pid)) == "post.bad_state"


def test_only_proposals_are_votable_and_photos_need_an_upload():
    w = World(make_config(settings={"contributions": {"premoderated": False}}))
    quote = w.ok(coordinator("nancy"), c.Contribute(kind=ContributionKind.QUOTE, body="« Oser »"))["post"]
    assert w.refused(REMOTE_VIEWER, c.UpvoteProposal(post=quote)) == "post.not_votable"
    assert w.refused(coordinator("nancy"), c.Contribute(kind=ContributionKind.PHOTO)) == "contribution.photo"
    assert w.refused(coordinator("nancy"), c.Contribute(kind=ContributionKind.PHOTO,
                                                        photo="https://evil.example/x.png")) == "contribution.photo"


def test_reactions_counted_per_site_and_restricted_to_the_set():
    w = World()
    w.ok(participant("nancy"), c.React(emoji="👏"))
    w.ok(participant("nancy", 2), c.React(emoji="👏"))
    w.ok(REMOTE_VIEWER, c.React(emoji="👏"))
    assert w.refused(REMOTE_VIEWER, c.React(emoji="💩")) == "reaction.unknown"
    r = views.render(w.state, w.config, ("reactions", ""), "public")
    assert r["by_site"]["👏"] == {"nancy": 2, "remote": 1} and r["totals"]["👏"] == 3


def test_floor_queue_grant_and_on_air():
    w = World()
    w.ok(coordinator("reims"), c.RequestFloor())
    w.ok(coordinator("nancy"), c.RequestFloor())
    assert w.refused(coordinator("nancy"), c.RequestFloor()) == "floor.already_requested"
    assert w.refused(MOD, c.GrantFloor(site="strasbourg")) == "floor.not_requested"
    w.ok(MOD, c.GrantFloor(site="nancy"))
    stage = views.render(w.state, w.config, ("stage", ""), "public")
    assert stage["on_air"] == "nancy" and stage["floor_queue"] == ["reims"]
    assert w.refused(coordinator("nancy"), c.RequestFloor()) == "floor.already_on_air"
    w.ok(MOD, c.SetOnAir(site="reims"))
    assert w.state.stage.floor_queue == []
    assert w.refused(MOD, c.SetOnAir(site="paris")) == "site.not_found"
    assert w.refused(coordinator("nancy"), c.SetOnAir(site="nancy")) == "auth.forbidden"


def test_presence_sums_nodes_keeps_peak_and_forgets_dead_nodes():
    w = World()
    w.ok(SYSTEM, c.PresenceReport(node="a", counts={"nancy": 10, "remote": 5}))
    w.ok(SYSTEM, c.PresenceReport(node="b", counts={"nancy": 2}))
    p = views.render(w.state, w.config, ("presence", ""), "public")
    assert p["now"] == {"nancy": 12, "remote": 5} and p["peak"] == 17
    w.ok(SYSTEM, c.PresenceReport(node="a", counts={"nancy": 1}))
    assert views.render(w.state, w.config, ("presence", ""), "public")["total"] == 3
    w.clock += REPORT_TTL_MS
    w.ok(SYSTEM, c.PresenceReport(node="b", counts={"nancy": 2}))  # node a went silent
    p = views.render(w.state, w.config, ("presence", ""), "public")
    assert p["total"] == 2 and p["peak"] == 17 and p["peak_by_site"]["nancy"] == 12
    assert w.refused(MOD, c.PresenceReport(node="x", counts={})) == "auth.forbidden"


def test_snapshot_for_mod_includes_pending_and_mine_lists_ballots():
    w = World()
    w.ok(participant("nancy"), c.AskQuestion(text="?"))
    assert len(views.snapshot(w.state, w.config, "mod")["questions"]) == 1
    assert views.snapshot(w.state, w.config, "public")["questions"] == {}
    assert [q["id"] for q in views.mine(w.state, participant("nancy").pid)["questions"]] == ["q1"]


def test_recording_one_programme_session_at_a_time():
    w = World(make_config(programme=[
        {"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30", "site": "nancy"},
        {"title": "Table ronde", "kind": "round_table", "start": "10:00", "end": "11:00", "site": "reims"}]))
    assert w.refused(MOD, c.RecordSession(session=2)) == "recording.session"
    assert w.refused(coordinator("nancy"), c.RecordSession(session=0)) == "auth.forbidden"
    w.ok(MOD, c.RecordSession(session=0))
    assert w.refused(MOD, c.RecordSession(session=0)) == "recording.unchanged"
    w.ok(MOD, c.RecordSession(session=1))
    stage = views.render(w.state, w.config, ("stage", ""), "public")
    assert stage["recording"] == 1 and stage["recording_since"] == w.clock
    w.ok(MOD, c.RecordSession(session=None))
    assert w.state.stage.recording is None


def test_a_live_post_that_has_the_hashtag_is_not_given_it_twice():
    w = World()
    pid = w.ok(MOD, c.PostLive(text="Ouverture des #egnum à Nancy"))["post"]
    shown = views.render(w.state, w.config, ("post", pid), "public")
    assert "hashtag" not in shown and shown["body"] == "Ouverture des #egnum à Nancy"
    room = w.config.settings.limits.post_length
    w.ok(MOD, c.PostLive(text="#EGNum " + "x" * (room - 7)))  # the whole length: nothing is appended
    other = w.ok(MOD, c.PostLive(text="Le #EGNumérique n'est pas le nôtre"))["post"]
    assert views.render(w.state, w.config, ("post", other), "public")["hashtag"] == "#EGNum"
