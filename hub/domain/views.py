"""What each audience sees of the state, rendered as plain data.

Audiences: "public" (remote viewers who follow the program), "track:<id>" (a
site's room: its participants and screens, and the remote viewers who follow that
site: public plus the room's polls and the site's own highlight, poll and scene),
"site:<id>" (a site's coordinators: the track plus their track's pending items and
the names at their door) and "mod" (the control room: everything).
A key renders to None when the audience may not see it (it is removed on the client).
"""
from __future__ import annotations

from typing import Any

from . import (
    captions,
    feed,
    imports,
    polls,
    presence,
    publishing,
    qna,
    reactions,
    rooms,
    screens,
    social,
    stage,
    timers,
)
from .context import Key
from .event import EventConfig
from .state import EventState

PUBLIC = "public"
MOD = "mod"


def site_audience(site: str) -> str:
    return f"site:{site}"


def track_audience(site: str) -> str:
    return f"track:{site}"


def site_of(audience: str) -> str | None:
    """The site whose screens, highlight and room polls an audience sees, if any."""
    kind, _, site = audience.partition(":")
    return site if kind in ("site", "track") and site else None


# Keys whose value lives in a collection on the client; the others are single values.
COLLECTIONS = {"question": "questions", "poll": "polls", "tally": "tallies", "post": "posts", "person": "people"}
# Every change key an update may carry: a page section watches some of them (web/lib/app.js)
SINGLES = ("highlight", "screen", "scene", "captions", "stage", "reactions", "presence", "publishing", "imports",
           "site_screens", "rooms", "timers")
KEYS = (*COLLECTIONS, *SINGLES)
# What one participant holds as theirs ("me"), and the change keys that update it.
ME_KEYS = ("upvoted", "proposals_upvoted", "ballot", "question", "proposal")


def render(state: EventState, config: EventConfig, key: Key, audience: str) -> Any:
    kind, ident = key
    if kind == "question":
        q = state.qna.questions.get(ident)
        return qna.render(q, audience) if q else None
    if kind == "poll":
        p = state.polls.polls.get(ident)
        return polls.render_poll(p, audience) if p else None
    if kind == "tally":
        p = state.polls.polls.get(ident)
        return polls.render_tally(p, audience) if p else None
    if kind == "post":
        post = state.feed.posts.get(ident)
        shown = feed.render(post, audience, config.hashtag) if post else None
        if post is not None and shown is not None and post.kind == feed.LIVE and config.social:
            shown["social"] = social.render(post, config.social, staff=audience == "mod")
        return shown
    if kind == "highlight":  # what this audience's screens show
        hid = qna.highlight_at(state.qna, site_of(audience))
        return qna.render(state.qna.questions[hid], audience) if hid else None
    if kind == "screen":
        return polls.on_screen_at(state.polls, site_of(audience))
    if kind == "site_screens":  # per site, what each site's screens show (the control room's overview)
        return {s.id: {"question": qna.highlight_at(state.qna, s.id), "poll": polls.on_screen_at(state.polls, s.id),
                       "scene": screens.render(state.screens, s.id)["scene"]} for s in config.sites}
    if kind == "captions":
        return captions.render(state.captions)
    if kind == "scene":
        return screens.render(state.screens, site_of(audience))
    if kind == "rooms":
        return rooms.render(state.rooms, config)
    if kind == "person":
        person = state.rooms.people.get(ident)
        return rooms.render_person(person, audience) if person else None
    if kind == "timers":
        return timers.render(state.timers)
    if kind == "stage":
        return stage.render(state.stage, config)
    if kind == "reactions":
        return reactions.render(state.reactions)
    if kind == "presence":
        return presence.render(state.presence)
    if kind == "publishing":
        return publishing.render(state.publishing)
    if kind == "imports":
        return imports.render(state.imports)
    raise KeyError(kind)


def all_keys(state: EventState) -> list[Key]:
    keys: list[Key] = [("question", q) for q in state.qna.questions]
    keys += [("poll", p) for p in state.polls.polls] + [("tally", p) for p in state.polls.polls]
    keys += [("post", p) for p in state.feed.posts]
    keys += [("person", p) for p in state.rooms.people]
    keys += [(kind, "") for kind in SINGLES]
    return keys


def snapshot(state: EventState, config: EventConfig, audience: str) -> dict[str, Any]:
    """The whole state as one audience sees it."""
    out: dict[str, Any] = {name: {} for name in COLLECTIONS.values()}
    for key in all_keys(state):
        value = render(state, config, key, audience)
        if key[0] in COLLECTIONS:
            if value is not None:
                out[COLLECTIONS[key[0]]][key[1]] = value
        else:
            out[key[0]] = value
    return out


def mine(state: EventState, pid: str) -> dict[str, Any]:
    """What one participant did: their upvotes and ballots (shown as 'you voted')."""
    return {
        "upvoted": sorted(q.id for q in state.qna.questions.values() if pid in q.voters),
        "proposals_upvoted": sorted(p.id for p in state.feed.posts.values() if pid in p.voters),
        "ballots": {p.id: p.ballots[pid].value for p in state.polls.polls.values() if pid in p.ballots},
        # what I asked, with where it stands (pending ones are seen by nobody else)
        "questions": [_my_question(q) for q in sorted(state.qna.questions.values(), key=lambda q: q.at)
                      if q.author == pid],
        "proposals": [_my_proposal(p) for p in state.feed.posts.values() if p.filed_by == pid],
    }


def _my_question(q: qna.Question) -> dict[str, Any]:
    return {"id": q.id, "text": q.text, "state": q.state.value}


def _my_proposal(p: feed.Post) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "theme": p.theme, "state": p.state.value}


def mine_changes(state: EventState, pid: str, keys: list[Key]) -> dict[str, list[list[Any]]]:
    """What an applied entry changed of what is "theirs", per participant: the one who
    sent it (their ballot, their upvote) and the authors of what it touched (a question
    of theirs approved, a proposal of theirs rejected). Each change is [key, id, value]
    over `mine`'s shape; O(1) per key, so a vote storm stays cheap."""
    out: dict[str, list[list[Any]]] = {}

    def add(who: str | None, change: list[Any]) -> None:
        if who:
            out.setdefault(who, []).append(change)
    for kind, ident in keys:
        if kind == "tally" and (poll := state.polls.polls.get(ident)) is not None:
            ballot = poll.ballots.get(pid)
            add(pid, ["ballot", ident, ballot.value if ballot is not None else None])
        elif kind == "question" and (q := state.qna.questions.get(ident)) is not None:
            add(pid, ["upvoted", ident, pid in q.voters])
            add(q.author, ["question", ident, _my_question(q)])
        elif kind == "post" and (post := state.feed.posts.get(ident)) is not None:
            add(pid, ["proposals_upvoted", ident, pid in post.voters])
            if post.filed_by:
                add(post.filed_by, ["proposal", ident, _my_proposal(post)])
    return out
