"""Replays: each recorded programme session, once the control room publishes it,
with its video (served with HTTP Range, so players can seek), its questions and
its poll results. Recordings are the embedded engine's WebM files, one or more
per session (a session recorded twice, or across a restart, has several)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..domain import polls, qna
from ..domain.errors import DomainError
from ..domain.views import PUBLIC
from .auth import event_of, is_moderator

if TYPE_CHECKING:
    from ..runtime import EventRuntime

NAME = r"(\d{2})-[a-z0-9-]{1,60}-\d{8}-\d{6}"  # session number, title, start (recorder.file_name)
FILE = re.compile(NAME + r"\.webm")
CAPTIONS = re.compile(NAME + r"\.vtt")  # a recording's captions, beside it
MEDIA_TYPES = {".webm": "video/webm", ".vtt": "text/vtt; charset=utf-8"}


def recordings(folder: Path) -> dict[int, list[str]]:
    """Programme index -> its recording files, oldest first."""
    found: dict[int, list[str]] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            match = FILE.fullmatch(path.name)
            if match and path.stat().st_size > 0:
                found.setdefault(int(match.group(1)) - 1, []).append(path.name)
    return found


def _session(ev: EventRuntime, index: int, files: list[str], published: bool, folder: Path) -> dict[str, Any]:
    state, session = ev.replica.state, ev.config.programme[index]
    questions = [qna.render(q, PUBLIC) for q in state.qna.questions.values() if q.session == index]
    results = [{"poll": polls.render_poll(p, PUBLIC), "tally": polls.render_tally(p, PUBLIC)}
               for p in state.polls.polls.values() if p.session == index and p.state is not polls.PollState.DRAFT]
    return {"session": index, "title": session.title, "kind": session.kind.value, "site": session.site,
            "day": (session.day or ev.config.date).isoformat(), "start": session.start, "end": session.end,
            "speakers": session.speakers, "published": published,
            "videos": [f"/media/recordings/{ev.config.id}/{name}" for name in files],
            # per video, its captions (WebVTT) when the recording had any written beside it
            "captions": [f"/media/recordings/{ev.config.id}/{Path(name).with_suffix('.vtt').name}"
                         if (folder / Path(name).with_suffix(".vtt").name).is_file() else None for name in files],
            "questions": sorted((q for q in questions if q), key=lambda q: -q["votes"]), "polls": results}


async def list_replays(request: Request) -> Response:
    """Published replays; with the control room's link, every recorded session."""
    ev = event_of(request)
    everything = is_moderator(request, ev.config.id)
    published = set(ev.replica.state.publishing.replays)
    folder = request.app.state.settings.data_dir / "recordings" / ev.config.id
    found = recordings(folder)
    items = [_session(ev, i, files, i in published, folder) for i, files in sorted(found.items())
             if i < len(ev.config.programme) and (everything or i in published)]
    return JSONResponse({"event": ev.config.id, "replays": items}, headers={"Cache-Control": "no-cache"})


async def recording_file(request: Request) -> Response:
    ev, name = event_of(request), request.path_params["name"]
    match = FILE.fullmatch(name) or CAPTIONS.fullmatch(name)
    if match is None:
        raise DomainError("replay.not_found", "no such recording")
    if int(match.group(1)) - 1 not in ev.replica.state.publishing.replays and not is_moderator(request, ev.config.id):
        raise DomainError("replay.not_found", "no such recording")  # unpublished: as if absent
    path = request.app.state.settings.data_dir / "recordings" / ev.config.id / name
    if not path.is_file():
        raise DomainError("replay.not_found", "no such recording")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])  # answers Range requests (206)


routes = [
    Route("/api/events/{event}/replays", list_replays),
    Route("/media/recordings/{event}/{name}", recording_file),
]
