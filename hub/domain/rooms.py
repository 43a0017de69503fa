"""People in the rooms, counted as people: the coordinator's head counts, the
invited list and who was checked in at the door (walk-ins added on the spot).

Devices connected (presence) and stream viewers (attendance) count browsers;
this counts bodies in seats, so the report can keep the three apart.
"""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import DomainError, require
from .scope import acting_site, required_site
from .text import checked


class Headcount(msgspec.Struct, array_like=True):
    at: int
    count: int
    session: int | None  # the site's session when it was counted


class Person(msgspec.Struct):
    id: str
    name: str
    site: str
    category: str | None = None
    walk_in: bool = False
    checked_in: int | None = None   # when
    session: int | None = None      # the site's session at check-in


class RoomsState(msgspec.Struct):
    headcounts: dict[str, list[Headcount]] = msgspec.field(default_factory=dict)  # site -> counts, in order
    people: dict[str, Person] = msgspec.field(default_factory=dict)



def record_headcount(state: RoomsState, ctx: Ctx, cmd: c.RecordHeadcount, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    require(cmd.count >= 0, "headcount.invalid", "a head count is 0 or more", count=cmd.count)
    limit = ctx.limits.headcount_max
    require(cmd.count <= limit, "headcount.absurd", f"{cmd.count} people in one room: more than {limit}",
            count=cmd.count, limit=limit)
    count = Headcount(ctx.at, cmd.count, ctx.session_at(site))

    def commit() -> None:
        state.headcounts.setdefault(site, []).append(count)
        fx.now.append(("rooms", ""))
        fx.result.update(site=site, count=cmd.count)
    return commit


def _category(ctx: Ctx, category: str | None, where: str) -> str | None:
    if category is None or category == "":
        return None
    if not ctx.config.has_category(category):
        raise DomainError("category.unknown", f"{where}: this event has no category {category!r}",
                          categories=[k.id for k in ctx.config.categories])
    return category


def import_invitees(state: RoomsState, ctx: Ctx, cmd: c.ImportInvitees, fx: Effects) -> Commit:
    """Take in the invited list (the CSV's rows, checked line by line by the HTTP layer).
    The rules are checked again here, so a list that slips past is still refused whole."""
    keep = {pid: p for pid, p in state.people.items() if not cmd.replace or p.checked_in is not None or p.walk_in}
    per_site: dict[str, int] = {}
    for p in keep.values():
        per_site[p.site] = per_site.get(p.site, 0) + 1
    new: list[Person] = []
    for n, row in enumerate(cmd.invitees):
        where = f"invitee {n + 1}"
        name = checked(row.name, limit=ctx.limits.name_length * 2, code="invitee.name", what=f"{where}'s name")
        if not ctx.config.has_site(row.site):
            raise DomainError("site.not_found", f"{where}: no site {row.site}", site=row.site, row=n + 1)
        new.append(Person(id=f"i{ctx.seq}-{n + 1}", name=name, site=row.site,
                          category=_category(ctx, row.category, where)))
        per_site[row.site] = per_site.get(row.site, 0) + 1
    require(len(keep) + len(new) <= ctx.limits.invitees_max, "invitees.too_many",
            f"more than {ctx.limits.invitees_max} people", limit=ctx.limits.invitees_max)
    for site in ctx.config.sites:
        if site.capacity is not None and per_site.get(site.id, 0) > site.capacity:
            raise DomainError("invitees.over_capacity", f"{site.name}: {per_site[site.id]} people for "
                              f"{site.capacity} seats", site=site.id, capacity=site.capacity)

    dropped = [pid for pid in state.people if pid not in keep]

    def commit() -> None:
        state.people = keep | {p.id: p for p in new}
        fx.now.extend(("person", pid) for pid in [*dropped, *(p.id for p in new)])
        fx.now.append(("rooms", ""))
        fx.result.update(imported=len(new), kept=len(keep))
    return commit


def _person(state: RoomsState, ctx: Ctx, pid: str) -> Person:
    person = state.people.get(pid)
    if person is None:
        raise DomainError("invitee.not_found", f"nobody {pid} on the list", invitee=pid)
    acting = acting_site(ctx, person.site)
    require(acting == person.site, "auth.other_site", f"{person.name} is expected at {person.site}", invitee=pid)
    return person


def check_in(state: RoomsState, ctx: Ctx, cmd: c.CheckIn, fx: Effects) -> Commit:
    person = _person(state, ctx, cmd.invitee)
    require(person.checked_in is None, "checkin.already", f"{person.name} is already checked in",
            invitee=person.id, at=person.checked_in)
    return _mark(state, ctx, fx, person, ctx.at)


def undo_check_in(state: RoomsState, ctx: Ctx, cmd: c.UndoCheckIn, fx: Effects) -> Commit:
    person = _person(state, ctx, cmd.invitee)
    require(person.checked_in is not None, "checkin.not_checked_in", f"{person.name} is not checked in",
            invitee=person.id)
    require(not person.walk_in, "checkin.walk_in", "a walk-in was added at the door: nothing to undo",
            invitee=person.id)
    return _mark(state, ctx, fx, person, None)


def _mark(state: RoomsState, ctx: Ctx, fx: Effects, person: Person, at: int | None) -> Commit:
    def commit() -> None:
        person.checked_in = at
        person.session = ctx.session_at(person.site) if at is not None else None
        fx.now.extend([("person", person.id), ("rooms", "")])
        fx.result.update(invitee=person.id, checked_in=at)
    return commit


def walk_in(state: RoomsState, ctx: Ctx, cmd: c.WalkIn, fx: Effects) -> Commit:
    site = required_site(ctx, cmd.site)
    name = checked(cmd.name, limit=ctx.limits.name_length * 2, code="invitee.name", what="the name")
    require(len(state.people) < ctx.limits.invitees_max, "invitees.too_many",
            f"more than {ctx.limits.invitees_max} people", limit=ctx.limits.invitees_max)
    person = Person(id=f"w{ctx.seq}", name=name, site=site, category=_category(ctx, cmd.category, "the walk-in"),
                    walk_in=True)

    def commit() -> None:
        state.people[person.id] = person
        _mark(state, ctx, fx, person, ctx.at)()
    return commit


def latest_headcount(state: RoomsState, site: str) -> Headcount | None:
    counts = state.headcounts.get(site)
    return counts[-1] if counts else None


def checked_in_by_site(state: RoomsState) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in state.people.values():
        if p.checked_in is not None:
            out[p.site] = out.get(p.site, 0) + 1
    return out


def render(state: RoomsState, config: Any) -> dict[str, Any]:
    """Per site: the latest head count, how many are expected and checked in (public figures)."""
    expected: dict[str, int] = {}
    for p in state.people.values():
        expected[p.site] = expected.get(p.site, 0) + 1
    checked_in = checked_in_by_site(state)
    out = {}
    for s in config.sites:
        last = latest_headcount(state, s.id)
        out[s.id] = {"headcount": last.count if last else None, "headcount_at": last.at if last else None,
                     "expected": expected.get(s.id, 0), "checked_in": checked_in.get(s.id, 0),
                     "capacity": s.capacity}
    return out


def render_person(person: Person, audience: str) -> dict[str, Any] | None:
    """Names are for the door only: the control room and the person's site's coordinators."""
    if audience not in ("mod", f"site:{person.site}"):
        return None
    return {"id": person.id, "name": person.name, "site": person.site, "category": person.category,
            "walk_in": person.walk_in, "checked_in": person.checked_in}
