"""What the big screens show: one scene at a time, chosen by the control room.

A projector is not a web page: it shows one thing, large, that the back of the
room can read. The control room sets the scene of every site's screens; a site's
coordinator (or the control room) can set one site's own, which holds until
the next event-wide choice (hub/domain/scope.py: the last one set wins). The
content of a scene (which poll, which question) comes from the poll on screens
and the highlighted question, so choosing a scene can set those in the same entry.
"""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import msgspec

from . import commands as c
from . import polls, qna
from .context import Commit, Ctx, Effects
from .errors import require
from .scope import acting_site
from .text import checked

if TYPE_CHECKING:
    from .state import EventState


class Scene(str, enum.Enum):
    JOIN = "join"            # big QR code, join code, site name, hashtag
    QUESTION = "question"    # the highlighted question
    POLL = "poll"            # the poll on screens, all sites or per site
    PROPOSALS = "proposals"  # the proposals' ranking (a national event: the regions)
    WALL = "wall"            # the live feed
    PROGRAM = "program"      # the program video, full screen
    SITES = "sites"          # every site's camera, side by side
    PAUSE = "pause"          # a break: what comes next


class SiteScene(msgspec.Struct):
    scene: Scene
    view: str
    message: str
    since: int
    seq: int


class ScreensState(msgspec.Struct):
    scene: Scene = Scene.JOIN
    view: str = "all"        # poll results: "all" sites together, or "sites" side by side
    message: str = ""        # the pause slate's line ("Reprise à 14 h")
    since: int | None = None
    seq: int = 0             # when the event-wide scene was set
    sites: dict[str, SiteScene] = msgspec.field(default_factory=dict)  # a site's own scene


def show(state: EventState, ctx: Ctx, cmd: c.ShowScene, fx: Effects) -> Commit:
    scene = Scene(cmd.scene)
    require(cmd.poll is None or scene is Scene.POLL, "scene.invalid", "`poll` goes with the poll scene")
    require(cmd.question is None or scene is Scene.QUESTION, "scene.invalid",
            "`question` goes with the question scene")
    site = acting_site(ctx, cmd.site)
    message = ""
    if cmd.message:
        message = checked(cmd.message, limit=ctx.limits.option_length, code="scene.message",
                              what="the pause message")
    # Reuse the rules of the poll on screens and of the highlight: same checks, same keys.
    also: Commit | None = None
    if cmd.poll is not None:
        also = polls.show(state.polls, ctx, c.ShowPollOnScreens(poll=cmd.poll, site=site), fx)
    if cmd.question is not None:
        also = qna.highlight(state.qna, ctx, c.HighlightQuestion(question=cmd.question, site=site), fx)

    def commit() -> None:
        if also is not None:
            also()
        screens = state.screens
        if site is None:
            screens.scene, screens.view, screens.message, screens.since = scene, cmd.view, message, ctx.at
            screens.seq = ctx.seq
        else:
            screens.sites[site] = SiteScene(scene, cmd.view, message, ctx.at, ctx.seq)
        fx.now.extend([("scene", ""), ("site_screens", "")])
        fx.result["scene"] = scene.value
    return commit


def render(state: ScreensState, site: str | None = None) -> dict[str, Any]:
    """The scene a site's screens show (None: the event-wide one)."""
    own = state.sites.get(site) if site is not None else None
    if own is not None and own.seq > state.seq:
        return {"scene": own.scene.value, "view": own.view, "message": own.message, "since": own.since, "site": site}
    return {"scene": state.scene.value, "view": state.view, "message": state.message, "since": state.since,
            "site": None}
