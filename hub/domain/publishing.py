"""What the control room makes public after (or during) the day: the key figures
report, and the replay of each recorded programme session."""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import require


class PublishingState(msgspec.Struct):
    report: bool = False
    replays: list[int] = msgspec.field(default_factory=list)  # programme sessions whose replay is public


def publish_report(state: PublishingState, ctx: Ctx, cmd: c.PublishReport, fx: Effects) -> Commit:
    require(cmd.public != state.report, "report.unchanged", "the report already is so")

    def commit() -> None:
        state.report = cmd.public
        fx.now.append(("publishing", ""))
        fx.result["public"] = cmd.public
    return commit


def publish_replay(state: PublishingState, ctx: Ctx, cmd: c.PublishReplay, fx: Effects) -> Commit:
    require(cmd.session < len(ctx.config.programme), "replay.session",
            f"the programme has no session {cmd.session}", session=cmd.session)
    require((cmd.session in state.replays) != cmd.public, "replay.unchanged", "the replay already is so")

    def commit() -> None:
        state.replays = sorted({*state.replays, cmd.session} if cmd.public else set(state.replays) - {cmd.session})
        fx.now.append(("publishing", ""))
        fx.result.update(session=cmd.session, public=cmd.public)
    return commit


def render(state: PublishingState) -> dict[str, Any]:
    return {"report": state.report, "replays": list(state.replays)}
