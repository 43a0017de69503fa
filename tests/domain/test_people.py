"""People counted as people: the report's rooms, devices and stream viewers are
kept apart, each recounted from the raw entries; hands are summed beside the
ballots; the purge erases the names at the door and keeps every count."""
from __future__ import annotations

import random

from hub.domain import commands as c
from hub.domain import report
from hub.domain.actors import Actor, Role
from hub.domain.commands import PollKind
from hub.domain.redaction import ERASED, redact
from hub.domain.state import Entry, EventState, apply

from .helpers import MOD, coordinator, make_config, participant

SYSTEM = Actor(role=Role.SYSTEM, pid="node:a")
SITES = ("nancy", "reims", "strasbourg")
PROGRAMME = [{"title": f"Retour {s}", "kind": "experience_report", "start": "09:30", "end": "09:45", "site": s}
             for s in SITES]


def day() -> tuple[object, list[Entry]]:
    rng = random.Random(16)
    config = make_config(programme=PROGRAMME,
                         sites=[{"id": s, "name": s.title(), "city": s.title(), "capacity": 60} for s in SITES])
    state, entries, clock = EventState(), [], 1_602_572_400_000

    def do(actor, cmd):
        nonlocal clock
        clock += rng.randint(1000, 30_000)
        entry = Entry(at=clock, actor=actor, cmd=cmd)
        outcome = apply(state, config, state.seq + 1, entry)
        assert outcome.error is None, (cmd, outcome.error)
        entries.append(entry)
        return outcome.effects.result

    for i, s in enumerate(SITES):
        do(coordinator(s), c.SetCurrentSession(session=i))
    do(MOD, c.ImportInvitees(invitees=[c.Invitee(name=f"Invité {n}", site=rng.choice(SITES),
                                                   category=rng.choice(["enseignant", "parent", None]))
                                        for n in range(90)]))
    people = list(state.rooms.people.values())
    for person in rng.sample(people, 55):
        do(coordinator(person.site), c.CheckIn(invitee=person.id))
    for n in range(7):
        do(coordinator(rng.choice(SITES)), c.WalkIn(name=f"Sur place {n}"))
    for s in SITES:
        for _ in range(3):
            do(coordinator(s), c.RecordHeadcount(count=rng.randint(10, 60)))
    devices = [participant(rng.choice(SITES), n) for n in range(40)]
    do(SYSTEM, c.Attended(arrivals=[c.Arrival(person=d.pid, origin=d.origin) for d in devices]))
    do(SYSTEM, c.PresenceReport(node="a", counts={s: sum(d.origin == s for d in devices) for s in SITES},
                                watching=12))
    poll = do(MOD, c.CreatePoll(question="Utile ?", kind=PollKind.SINGLE, options=["oui", "non"]))["poll"]
    do(MOD, c.OpenPoll(poll=poll))
    for d in devices[:25]:
        do(d, c.Vote(poll=poll, choices=[rng.randint(0, 1)]))
    for s in SITES:
        do(coordinator(s), c.CountHands(poll=poll, counts=[rng.randint(0, 20), rng.randint(0, 20)]))
    return config, state, entries


def test_rooms_devices_and_stream_are_kept_apart_and_each_recounted_from_the_entries():
    config, state, entries = day()
    fig = report.figures(state, config)
    # the recount: straight from the entries, sharing nothing with the fold
    site_of: dict[str, str] = {}
    checked: set[str] = set()
    heads: dict[str, list[int]] = {s: [] for s in SITES}
    hands: dict[str, int] = {}
    devices: dict[str, set[str]] = {}
    for seq, e in enumerate(entries, 1):
        cmd = e.cmd
        if isinstance(cmd, c.ImportInvitees):
            for n, row in enumerate(cmd.invitees, 1):
                site_of[f"i{seq}-{n}"] = row.site
        elif isinstance(cmd, c.CheckIn):
            checked.add(cmd.invitee)
        elif isinstance(cmd, c.WalkIn):
            site_of[f"w{seq}"] = e.actor.site
            checked.add(f"w{seq}")
        elif isinstance(cmd, c.RecordHeadcount):
            heads[e.actor.site].append(cmd.count)
        elif isinstance(cmd, c.CountHands):
            hands[e.actor.site] = sum(cmd.counts)
        elif isinstance(cmd, c.Attended):
            for a in cmd.arrivals:
                devices.setdefault(a.origin, set()).add(a.person)
    people = fig["people"]
    for s in SITES:
        row = people["by_site"][s]
        in_site = sum(1 for p in checked if site_of[p] == s)
        assert row["checked_in"] == in_site, s
        assert row["headcount_peak"] == max(heads[s]) and row["headcount_last"] == heads[s][-1]
        assert row["in_room"] == max(max(heads[s]), in_site)
        assert row["devices"] == len(devices.get(s, ()))
        assert row["expected"] == sum(1 for p in site_of.values() if p == s)
    assert people["in_rooms"] == sum(people["by_site"][s]["in_room"] for s in SITES)
    assert fig["stream"]["peak"] == 12  # stream viewers: their own line, never added to the rooms
    by_session = {r["session"]: r for r in people["by_session"]}
    assert {by_session[i]["headcount_peak"] for i in range(3)} == {max(heads[s]) for s in SITES}
    [poll] = fig["polls"]
    assert poll["ballots"] == 25 and poll["hands"] == sum(hands.values())
    assert poll["answers"] == 25 + sum(hands.values())


def test_the_purge_erases_names_at_the_door_and_keeps_every_count():
    config, state, entries = day()
    purged = [redact(e, b"salt") for e in entries]
    again = EventState()
    for seq, e in enumerate(purged, 1):
        assert apply(again, config, seq, e).error is None
    assert report.figures(again, config)["people"] == report.figures(state, config)["people"]
    assert {p.name for p in again.rooms.people.values()} == {ERASED}
    assert not any("Invité" in str(e) or "Sur place" in str(e) for e in purged)
