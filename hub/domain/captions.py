"""Live captions of the program: lines typed by a human captioner (vélotypie) or
written by a speech recogniser, both as log entries like the rest — so they resume,
replicate and fold — and kept for the day, so each recorded session gets its WebVTT.

Clients get a window of the latest lines (enough for a phone that lost the network
a minute, without sending the whole day to every new viewer).
"""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .text import checked

if TYPE_CHECKING:
    from .state import EventState

WINDOW = 50  # lines sent to clients


class CaptionSource(str, enum.Enum):
    HUMAN = "human"  # a captioner typing
    ASR = "asr"      # a speech recogniser (hub/captions/worker.py)


class CaptionLine(msgspec.Struct, array_like=True, frozen=True):
    id: str
    at: int        # ms since the epoch, when the hub wrote it
    text: str
    source: str
    site: str | None  # the site on air when it was said


class CaptionsState(msgspec.Struct):
    lines: list[CaptionLine] = msgspec.field(default_factory=list)


def add(state: EventState, ctx: Ctx, cmd: c.AddCaption, fx: Effects) -> Commit:
    # one line on screen: inner line breaks and runs of spaces become one space
    text = " ".join(checked(cmd.text, limit=ctx.limits.caption_length, code="caption.text",
                            what="a caption line").split())
    line = CaptionLine(id=ctx.new_id("cap"), at=ctx.at, text=text, source=cmd.source, site=state.stage.on_air)

    def commit() -> None:
        state.captions.lines.append(line)
        fx.now.append(("captions", ""))
        fx.result["caption"] = line.id
    return commit


def render(state: CaptionsState) -> list[dict[str, Any]]:
    return [{"id": x.id, "at": x.at, "text": x.text, "source": x.source, "site": x.site} for x in state.lines[-WINDOW:]]


def between(state: CaptionsState, start: int, end: int) -> list[CaptionLine]:
    """The lines written while a recording ran (ms since the epoch, start inclusive)."""
    return [x for x in state.lines if start <= x.at < end]


def webvtt(lines: list[CaptionLine], start: int, end: int, *, hold_ms: int = 4000) -> str:
    """A WebVTT file for a recording that started at `start` (ms since the epoch): each
    line shows from its time until the next line, at most `hold_ms`, never past `end`."""
    def stamp(ms: int) -> str:
        ms = max(0, ms)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
    out = ["WEBVTT", ""]
    for i, line in enumerate(lines):
        begin = line.at - start
        until = min(line.at + hold_ms, lines[i + 1].at if i + 1 < len(lines) else end, end) - start
        if until <= begin:
            until = begin + 1
        # a cue's text may not hold "-->" nor blank lines (WebVTT); the text is one line already
        out += [line.id, f"{stamp(begin)} --> {stamp(until)}", line.text.replace("-->", "→"), ""]
    return "\n".join(out)
