"""Every figure of the report equals a recount from the log: a scripted day is
applied entry by entry, then each figure is counted again from the raw entries
with code that shares nothing with the fold."""
from __future__ import annotations

import random
from collections import Counter, defaultdict

from hub.domain import commands as c
from hub.domain import report
from hub.domain.actors import Actor, Role
from hub.domain.commands import PollKind
from hub.domain.event import DEFAULT_CATEGORIES
from hub.domain.state import Entry

from .helpers import MOD, World, coordinator, make_config

SITES = ("nancy", "reims", "strasbourg")
SYSTEM = Actor(role=Role.SYSTEM, pid="node:a")
THEMES = [{"id": "acces", "title": "Accès"}, {"id": "gouvernance", "title": "Gouvernance"}]


class Day(World):
    """A World that keeps every entry it applied, as the log would."""

    def __init__(self) -> None:
        super().__init__(make_config(themes=THEMES, reactions=["👏", "💡", "❤️"],
                                     settings={"qna": {"premoderated": False},
                                               "contributions": {"premoderated": True}}))
        self.clock = 1_602_568_800_000  # 2020-10-13 08:00 Paris
        self.entries: list[Entry] = []

    def do(self, actor, cmd, cid=None):
        self.clock += random.randint(1_000, 90_000)
        entry = Entry(at=self.clock, actor=actor, cmd=cmd, cid=cid)
        self.entries.append(entry)
        from hub.domain.state import apply
        outcome = apply(self.state, self.config, self.state.seq + 1, entry)
        assert outcome.error is None, outcome.error
        return outcome


def people(n: int) -> list[Actor]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        site = rng.choice([*SITES, None])
        category = rng.choice([*(k.id for k in DEFAULT_CATEGORIES), None])
        role = Role.PARTICIPANT if site else Role.VIEWER
        out.append(Actor(role=role, pid=f"person-{i:04d}", site=site, category=category))
    return out


def scripted_day() -> Day:
    random.seed(20201013)
    day, crowd = Day(), people(120)
    for start in range(0, len(crowd), 25):  # arrivals in batches, some people twice (reconnects)
        batch = crowd[start:start + 25] + random.sample(crowd[:start + 1], min(5, start + 1))
        day.ok(SYSTEM, c.Attended(arrivals=[c.Arrival(person=p.pid, origin=p.origin,
                                                      category=p.category)
                                            for p in batch]))
        day.ok(SYSTEM, c.PresenceReport(node="a", counts=dict(Counter(p.origin for p in batch)),
                                        watching=random.randint(0, 30)))
        day.ok(SYSTEM, c.Watched(watchers=[p.pid for p in random.sample(batch, 8)]))
    asked = []
    for person in random.sample(crowd, 40):
        asked.append(day.ok(person, c.AskQuestion(text=f"Question de {person.pid} ?"))["question"])
    for qid in asked[:12]:
        day.ok(MOD, c.AnswerQuestion(question=qid))
    poll = day.ok(MOD, c.CreatePoll(question="ENT ?", kind=PollKind.SINGLE, options=["oui", "non"]))["poll"]
    day.ok(MOD, c.OpenPoll(poll=poll))
    for person in random.sample(crowd, 70):
        day.ok(person, c.Vote(poll=poll, choices=[random.randint(0, 1)]))
    for person in random.sample(crowd, 10):  # some change their mind: still one ballot each
        day.ok(person, c.Vote(poll=poll, choices=[0]))
    proposals = []
    for person in [p for p in crowd if p.site][:6]:
        pid = day.ok(person, c.SubmitProposal(theme=random.choice(["acces", "gouvernance"]),
                                              title=f"Proposition de {person.pid}"))["post"]
        day.ok(coordinator(person.site), c.ApproveContribution(post=pid))
        proposals.append(pid)
    votes = set()
    for _ in range(150):
        person, pid = random.choice(crowd), random.choice(proposals)
        if (person.pid, pid) in votes:
            day.ok(person, c.WithdrawProposalUpvote(post=pid))
            votes.discard((person.pid, pid))
        else:
            day.ok(person, c.UpvoteProposal(post=pid))
            votes.add((person.pid, pid))
    for _ in range(300):
        day.ok(random.choice(crowd), c.React(emoji=random.choice(["👏", "💡", "❤️"])))
    for i in range(9):
        day.ok(MOD, c.PostLive(text=f"Live {i}"))
    return day


def recount(entries: list[Entry]) -> dict:
    """The figures again, straight from the entries."""
    first_origin: dict[tuple[str, str], str] = {}
    watchers: set[str] = set()
    sessions = 0
    asked, answered_ids, origin_of = Counter(), set(), {}
    ballots: dict[str, dict[str, str]] = defaultdict(dict)
    upvoters: dict[str, dict[str, str]] = defaultdict(dict)
    reactions = Counter()
    live = 0
    for seq, e in enumerate(entries, 1):
        cmd = e.cmd
        if isinstance(cmd, c.Attended):
            for a in cmd.arrivals:
                first_origin.setdefault((a.origin, a.person), a.category or "non_renseigne")
        elif isinstance(cmd, c.Watched):
            sessions += len(cmd.watchers)
            watchers.update(cmd.watchers)
        elif isinstance(cmd, c.AskQuestion):
            asked[e.actor.origin] += 1
            origin_of[f"q{seq}"] = e.actor.origin
        elif isinstance(cmd, c.AnswerQuestion):
            answered_ids.add(cmd.question)
        elif isinstance(cmd, c.Vote):
            ballots[cmd.poll][e.actor.pid] = e.actor.origin
        elif isinstance(cmd, c.UpvoteProposal):
            upvoters[cmd.post][e.actor.pid] = e.actor.origin
        elif isinstance(cmd, c.WithdrawProposalUpvote):
            upvoters[cmd.post].pop(e.actor.pid)
        elif isinstance(cmd, c.React):
            reactions[(cmd.emoji, e.actor.origin)] += 1
        elif isinstance(cmd, c.PostLive):
            live += 1
    return {"present": Counter(origin for origin, _ in first_origin), "categories": Counter(first_origin.values()),
            "watchers": len(watchers), "sessions": sessions, "asked": asked,
            "answered": Counter(origin_of[q] for q in answered_ids),
            "ballots": {p: Counter(by.values()) for p, by in ballots.items()},
            "upvotes": {p: Counter(by.values()) for p, by in upvoters.items()},
            "reactions": reactions, "live": live}


def nonzero(d: dict) -> dict:
    return {k: v for k, v in d.items() if v}


def test_every_figure_equals_a_recount_from_the_log():
    day = scripted_day()
    fig, again = report.figures(day.state, day.config), recount(day.entries)
    assert nonzero(fig["attendance"]["by_site"]) == dict(again["present"])
    assert fig["attendance"]["remote"] == again["present"]["remote"]
    assert fig["attendance"]["present_on_sites"] == sum(n for o, n in again["present"].items() if o != "remote")
    assert fig["attendance"]["by_category"] == dict(sorted(again["categories"].items()))
    assert fig["stream"]["watchers"] == again["watchers"] and fig["stream"]["sessions"] == again["sessions"]
    assert nonzero(fig["questions"]["asked_by_site"]) == dict(again["asked"])
    assert nonzero(fig["questions"]["answered_by_site"]) == dict(again["answered"])
    assert fig["questions"]["answered"] == 12 and fig["questions"]["asked"] == 40
    (poll,) = fig["polls"]
    assert nonzero(poll["ballots_by_site"]) == dict(again["ballots"][poll["id"]])
    assert poll["ballots"] == sum(again["ballots"][poll["id"]].values())
    for proposal in fig["proposals"]:
        assert nonzero(proposal["votes_by_site"]) == dict(again["upvotes"].get(proposal["id"], {}))
    reactions = again["reactions"]
    assert fig["reactions"]["total"] == 300 == sum(reactions.values())
    for emoji, by_site in fig["reactions"]["by_kind_and_site"].items():
        assert nonzero(by_site) == {o: n for (e, o), n in reactions.items() if e == emoji}
    assert fig["live_posts"] == again["live"] == 9
    series = fig["timeline"]["series"]
    assert sum(series["questions"]) == 40 and sum(series["reactions"]) == 300
    assert sum(series["arrivals"]) == sum(again["present"].values())
    assert sum(series["ballots"]) == 80  # every ballot cast, changed minds included


def test_peaks_say_when_and_where():
    day = scripted_day()
    fig = report.figures(day.state, day.config)
    assert fig["peak"]["total"] == day.state.presence.peak > 0 and fig["peak"]["at"] is not None
    for site, n in fig["peak"]["by_site"].items():
        if n:
            assert fig["peak"]["by_site_at"][site] >= day.entries[0].at
    assert fig["stream"]["peak"] >= 0


def test_a_category_said_after_joining_is_counted_and_the_person_once():
    day = Day()
    day.ok(SYSTEM, c.Attended(arrivals=[c.Arrival(person="p-1", origin="nancy")]))
    day.ok(SYSTEM, c.Attended(arrivals=[c.Arrival(person="p-1", origin="nancy", category="parent")]))
    day.ok(SYSTEM, c.Attended(arrivals=[c.Arrival(person="p-1", origin="nancy", category="eleve")]))  # first said wins
    fig = report.figures(day.state, day.config)
    assert fig["attendance"]["by_site"]["nancy"] == 1 and fig["attendance"]["by_category"] == {"parent": 1}
    assert sum(fig["timeline"]["series"]["arrivals"]) == 1


def test_stream_viewers_are_counted_per_way_of_watching_and_a_rendition_change_is_no_new_session():
    day = World(make_config())
    day.ok(SYSTEM, c.Watched(watchers=["p-1", "p-2"], ways=["webrtc", "hls:720p"]))
    day.ok(SYSTEM, c.Watched(watchers=["p-2", "p-3"], ways=["hls:360p", "hls:360p"], continued=1))
    day.ok(SYSTEM, c.Watched(watchers=["p-1"], ways=["webrtc"]))  # a WebRTC reconnect: a session, not a viewer
    day.ok(SYSTEM, c.Watched(watchers=["p-4"]))                    # a log written before ways
    stream = report.figures(day.state, day.config)["stream"]
    assert stream["watchers"] == 4 and stream["sessions"] == 5
    assert stream["by_way"] == {"hls:360p": 2, "hls:720p": 1, "webrtc": 1}
    # What a broken writer could put in the log is refused and changes nothing.
    assert day.refused(SYSTEM, c.Watched(watchers=["p-5"], ways=[])) == "watch.ways"
    assert day.refused(SYSTEM, c.Watched(watchers=["p-5"], ways=["webrtc"], continued=2)) == "watch.continued"
    assert day.refused(SYSTEM, c.Watched(watchers=["p-5"], ways=["webrtc"], continued=-1)) == "watch.continued"
    assert report.figures(day.state, day.config)["stream"]["watchers"] == 4
    # A log cannot make the ways grow without bound.
    day.ok(SYSTEM, c.Watched(watchers=[f"q-{i}" for i in range(40)], ways=[f"hls:r{i}" for i in range(40)]))
    assert len(report.figures(day.state, day.config)["stream"]["by_way"]) == 16
