"""The control room publishes the report and each replay; a national event keeps the
newest synthesis per region, refuses replays and other keys, counts nothing twice."""
from hub.domain import commands as c
from hub.domain import views
from hub.domain.imports import FORMAT, VERSION

from .helpers import MOD, REMOTE_VIEWER, World, coordinator, make_config

PROGRAMME = [{"title": "Ouverture", "kind": "plenary", "start": "09:00", "end": "09:30", "site": "nancy"},
             {"title": "Atelier", "kind": "workshop", "start": "09:30", "end": "10:00", "site": "reims"}]


def test_report_and_replays_are_published_by_the_control_room_only():
    w = World(make_config(programme=PROGRAMME))
    assert w.refused(coordinator("nancy"), c.PublishReport(public=True)) == "auth.forbidden"
    assert w.refused(MOD, c.PublishReport(public=False)) == "report.unchanged"
    w.ok(MOD, c.PublishReport(public=True))
    w.ok(MOD, c.PublishReplay(session=1, public=True))
    assert w.refused(MOD, c.PublishReplay(session=1, public=True)) == "replay.unchanged"
    assert w.refused(MOD, c.PublishReplay(session=7, public=True)) == "replay.session"
    assert w.refused(REMOTE_VIEWER, c.PublishReplay(session=0, public=True)) == "auth.forbidden"
    assert views.render(w.state, w.config, ("publishing", ""), "public") == {"report": True, "replays": [1]}
    w.ok(MOD, c.PublishReplay(session=1, public=False))
    assert views.render(w.state, w.config, ("publishing", ""), "public")["replays"] == []


def synthesis(source: str, seq: int, votes: int) -> dict:
    return {"format": FORMAT, "version": VERSION, "seq": seq,
            "event": {"id": source, "title": source, "region": source.title(), "date": "2020-10-13", "sites": {}},
            "themes": [], "questions_answered": [], "polls": [],
            "proposals": [{"id": "p1", "title": "Idée", "theme": None, "origin": "x", "site": "X", "votes": votes,
                           "votes_by_site": {}, "votes_by_category": {}}],
            "figures": {"attendance": {"present_on_sites": 10, "remote": 2}, "questions": {"asked": 3, "answered": 1},
                        "ballots": 4, "reactions": 5}}


def test_a_national_event_keeps_the_newest_synthesis_per_region():
    w = World()
    w.ok(MOD, c.ImportSynthesis(doc=synthesis("normandie", 10, 4), key="K", signature="s"))
    w.ok(MOD, c.ImportSynthesis(doc=synthesis("bretagne", 3, 2), key="L", signature="s"))
    assert w.refused(MOD, c.ImportSynthesis(doc=synthesis("normandie", 10, 4), key="K", signature="s")) \
        == "import.unchanged"
    assert w.refused(MOD, c.ImportSynthesis(doc=synthesis("normandie", 9, 3), key="K", signature="s")) \
        == "import.replayed"
    assert w.refused(MOD, c.ImportSynthesis(doc=synthesis("normandie", 11, 5), key="X", signature="s")) \
        == "import.key"
    assert w.refused(MOD, c.ImportSynthesis(doc={**synthesis("x", 1, 1), "version": 99}, key="K", signature="s")) \
        == "import.format"
    assert w.refused(MOD, c.ImportSynthesis(doc=synthesis("test-day", 1, 1), key="K", signature="s")) == "import.self"
    w.ok(MOD, c.ImportSynthesis(doc=synthesis("normandie", 12, 6), key="K", signature="s"))
    regions = {r["source"]: r for r in views.render(w.state, w.config, ("imports", ""), "public")["regions"]}
    assert regions["normandie"]["seq"] == 12 and regions["normandie"]["proposal_votes"] == 6
    assert sum(r["present_on_sites"] for r in regions.values()) == 20  # two regions, each counted once
