"""An event's HLS: one packager per source that someone watches over HLS (the
program, or a site's camera), started by its first request and stopped once nobody
has asked for it for a while, so that an event nobody watches over HLS encodes
nothing. And the HLS audience, which the hub cannot see in its requests (a cache
answers most of them): each player says it is watching, about every 20 seconds.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from .hls import HlsPackager, Rendition
from .tracks import ForwardTrack

AUDIENCE_TTL_S = 45.0  # a player silent this long has gone (it reports every 20 s)
MAX_AUDIENCE = 200_000  # distinct players remembered at once: a flood of made-up ids cannot grow it further


class HlsStreams:
    def __init__(self, folder: Path, renditions: tuple[Rendition, ...],
                 tracks: Callable[[str], tuple[ForwardTrack, ForwardTrack]],
                 drop: Callable[[ForwardTrack], None], *, segment_s: float, window: int, idle_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folder, self.renditions = folder, renditions
        self.by_name = {r.name: r for r in renditions}
        self._tracks, self._drop = tracks, drop
        self.segment_s, self.window, self.idle_s = segment_s, window, idle_s
        self.clock = clock
        self.packagers: dict[str, HlsPackager] = {}
        self._asked: dict[str, float] = {}
        self._audience: dict[str, tuple[str, str, float]] = {}  # player -> (target, rendition, last report)
        self._reaper: asyncio.Task[None] | None = None

    def asked(self, target: str) -> HlsPackager:
        """Somebody asked for `target`'s playlist or segments: its packager, started if need be."""
        self._asked[target] = self.clock()
        packager = self.packagers.get(target)
        if packager is None:
            video, audio = self._tracks(target)
            packager = HlsPackager(self.folder / target, video, audio, self.renditions, segment_s=self.segment_s,
                                   window=self.window, on_drop=self._drop)
            self.packagers[target] = packager
            if self._reaper is None:
                self._reaper = asyncio.create_task(self._reap(), name=f"hls-reaper:{self.folder.name}")
        return packager

    async def _reap(self) -> None:
        while self.packagers:
            await asyncio.sleep(min(self.idle_s, 5.0))
            now = self.clock()
            for target in [t for t, at in self._asked.items() if now - at > self.idle_s]:
                del self._asked[target]
                packager = self.packagers.pop(target, None)
                if packager is not None:
                    await packager.stop()
        self._reaper = None

    # -- the HLS audience ------------------------------------------------------------------
    def seen(self, player: str, target: str, rendition: str) -> bool:
        """A player's report; True when it is new (a viewer to count once)."""
        now = self.clock()
        new = player not in self._audience
        if new and len(self._audience) >= MAX_AUDIENCE:
            self._forget(now)
            if len(self._audience) >= MAX_AUDIENCE:
                return False
        self._audience[player] = (target, rendition, now)
        return new

    def _forget(self, now: float) -> None:
        for player in [p for p, (_, _, at) in self._audience.items() if now - at > AUDIENCE_TTL_S]:
            del self._audience[player]

    def audience(self) -> dict[str, int]:
        """Players watching now, per rendition."""
        self._forget(self.clock())
        counts: dict[str, int] = {}
        for _, rendition, _ in self._audience.values():
            counts[rendition] = counts.get(rendition, 0) + 1
        return counts

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            await asyncio.gather(self._reaper, return_exceptions=True)
            self._reaper = None
        packagers, self.packagers = list(self.packagers.values()), {}
        await asyncio.gather(*(p.stop() for p in packagers), return_exceptions=True)
