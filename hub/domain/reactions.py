"""Reactions: the event's emoji set, counted per origin."""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import require


class ReactionsState(msgspec.Struct):
    counts: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # emoji -> origin -> n


def react(state: ReactionsState, ctx: Ctx, cmd: c.React, fx: Effects) -> Commit:
    require(cmd.emoji in ctx.config.reactions, "reaction.unknown", "this event does not offer that reaction",
            allowed=list(ctx.config.reactions))

    def commit() -> None:
        by_origin = state.counts.setdefault(cmd.emoji, {})
        by_origin[ctx.actor.origin] = by_origin.get(ctx.actor.origin, 0) + 1
        fx.hot.append(("reactions", ""))
    return commit


def render(state: ReactionsState) -> dict[str, Any]:
    return {"by_site": state.counts, "totals": {e: sum(v.values()) for e, v in state.counts.items()}}
