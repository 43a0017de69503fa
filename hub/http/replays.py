"""Replays: each recorded programme session, once the control room publishes it,
with its video (served with HTTP Range, so players can seek), its questions and
its poll results. Recordings are the embedded engine's WebM files, one or more
per session (a session recorded twice, or across a restart, has several).

A session's replay shows the site it belongs to, never whatever happened to be on
air: a site's session plays that site's own camera (recordings/<event>/<site>/),
a plenary plays the program (recordings/<event>/, captions beside it), or its
site's camera when the program was not recorded."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..domain import polls, qna
from ..domain.errors import DomainError
from ..domain.event import EventConfig
from ..domain.views import PUBLIC
from .auth import event_of, is_moderator

if TYPE_CHECKING:
    from ..port import EventPort

NAME = r"(\d{2})-[a-z0-9-]{1,60}-\d{8}-\d{6}"  # session number, title, start (recorder.file_name)
FILE = re.compile(NAME + r"\.webm")
CAPTIONS = re.compile(NAME + r"\.vtt")  # a recording's captions, beside it
MEDIA_TYPES = {".webm": "video/webm", ".vtt": "text/vtt; charset=utf-8"}


def recordings(folder: Path, prefix: str = "") -> dict[int, list[str]]:
    """Programme index -> its recording files (as `prefix` + name), oldest first."""
    found: dict[int, list[str]] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            match = FILE.fullmatch(path.name)
            if match and path.is_file() and path.stat().st_size > 0:
                found.setdefault(int(match.group(1)) - 1, []).append(prefix + path.name)
    return found


def replay_files(config: EventConfig, folder: Path) -> dict[int, tuple[list[str], list[str]]]:
    """Programme index -> (what its replay plays, the program's files of it when those
    are not what it plays): the rule of this module's docstring."""
    program = recordings(folder)
    cameras = {s.id: recordings(folder / s.id, f"{s.id}/") for s in config.sites}
    out: dict[int, tuple[list[str], list[str]]] = {}
    for index, session in enumerate(config.programme):
        own = cameras.get(session.site, {}).get(index, [])
        aired = program.get(index, [])
        if session.everywhere and aired:
            out[index] = (aired, [])
        elif own or aired:
            out[index] = (own, aired)
    return out


def _session(ev: EventPort, index: int, files: list[str], published: bool, folder: Path) -> dict[str, Any]:
    state, session = ev.state, ev.config.programme[index]
    questions = [qna.render(q, PUBLIC) for q in state.qna.questions.values() if q.session == index]
    results = [{"poll": polls.render_poll(p, PUBLIC), "tally": polls.render_tally(p, PUBLIC)}
               for p in state.polls.polls.values() if p.session == index and p.state is not polls.PollState.DRAFT]
    return {"session": index, "title": session.title, "kind": session.kind.value, "site": session.site,
            "room": session.room, "plenary": session.everywhere,
            "day": (session.day or ev.config.date).isoformat(), "start": session.start, "end": session.end,
            "speakers": session.speakers, "published": published,
            "videos": [f"/media/recordings/{ev.config.id}/{name}" for name in files],
            # per video, its captions (WebVTT) when the recording had any written beside it
            "captions": [f"/media/recordings/{ev.config.id}/{Path(name).with_suffix('.vtt').as_posix()}"
                         if (folder / Path(name).with_suffix(".vtt")).is_file() else None for name in files],
            "questions": sorted((q for q in questions if q), key=lambda q: -q["votes"]), "polls": results}


async def list_replays(request: Request) -> Response:
    """Published replays; with the control room's link, every recorded session."""
    ev = event_of(request)
    everything = is_moderator(request, ev.config.id)
    published = set(ev.state.publishing.replays)
    folder = request.app.state.settings.data_dir / "recordings" / ev.config.id
    items = []
    for i, (plays, aired) in sorted(replay_files(ev.config, folder).items()):
        if not (everything or (i in published and plays)):
            continue
        item = _session(ev, i, plays, i in published, folder)
        if everything and aired:  # the program while this site's session ran: for the control room only
            item["program_videos"] = [f"/media/recordings/{ev.config.id}/{name}" for name in aired]
        items.append(item)
    return JSONResponse({"event": ev.config.id, "replays": items}, headers={"Cache-Control": "no-cache"})


async def recording_file(request: Request) -> Response:
    ev, name = event_of(request), request.path_params["name"]
    site = request.path_params.get("site")
    match = FILE.fullmatch(name) or CAPTIONS.fullmatch(name)
    if match is None or (site is not None and not ev.config.has_site(site)):
        raise DomainError("replay.not_found", "no such recording")
    if int(match.group(1)) - 1 not in ev.state.publishing.replays and not is_moderator(request, ev.config.id):
        raise DomainError("replay.not_found", "no such recording")  # unpublished: as if absent
    folder = request.app.state.settings.data_dir / "recordings" / ev.config.id
    path = (folder / site if site is not None else folder) / name
    if not path.is_file():
        raise DomainError("replay.not_found", "no such recording")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])  # answers Range requests (206)


routes = [
    Route("/api/events/{event}/replays", list_replays),
    Route("/media/recordings/{event}/{name}", recording_file),
    Route("/media/recordings/{event}/{site}/{name}", recording_file),
]
