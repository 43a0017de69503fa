"""The one interface the hub needs of whatever carries the cameras, and the choice
of engine by configuration (HUB_MEDIA_ENGINE).

- "embedded": this process answers WHIP/WHEP with aiortc and forwards encoded
  frames (hub/media/sessions.py); the program and its recording are made here.
- "mediamtx": MediaMTX carries the media; the hub reads which sites are live from
  its control API and switches MediaMTX's own recording (hub/media/mediamtx.py).

Either way the domain decides (who is on air, which session is recorded) and the
engine only follows; the engine reports which sites are publishing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..domain.event import EventConfig
from ..settings import Settings


class MediaEngine(Protocol):
    recording: int | None  # the programme session being recorded, as the engine last applied it
    # recordings this engine closed: (file, its time zero, its end), ms since the epoch;
    # the runtime writes each one's captions (WebVTT) beside it
    finished: list[tuple[Path, int, int]]

    def live_sites(self) -> list[str]:
        """Sites whose camera is publishing now."""
        ...

    def watching(self) -> int:
        """Video sessions open now (viewers of any site or of the program)."""
        ...

    def set_on_air(self, site: str | None) -> None: ...

    async def record(self, session: int | None) -> None:
        """Record the program as programme session `session` from now on, or stop (None)."""

    async def record_tracks(self, sessions: dict[str, int | None]) -> None:
        """Record each site's camera as its track's session (None: not recording that site)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def open_engine(config: EventConfig, settings: Settings) -> MediaEngine:
    if settings.media_engine == "embedded":
        from .sessions import EventMedia
        return EventMedia(config, settings)
    if settings.media_engine == "mediamtx":
        from .mediamtx import MediamtxEngine
        return MediamtxEngine(config, settings)
    raise ValueError(f"unknown media engine {settings.media_engine!r}: embedded or mediamtx")
