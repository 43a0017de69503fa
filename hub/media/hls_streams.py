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

from .hls import HlsPackager, Rendition
from .tracks import ForwardTrack

AUDIENCE_TTL_S = 45.0  # a player silent this long has gone (it reports every 20 s)
MAX_AUDIENCE = 200_000  # distinct players remembered at once: a flood of made-up ids cannot grow it further


class HlsStreams:
    def __init__(self, event: str, renditions: tuple[Rendition, ...],
                 tracks: Callable[[str], tuple[ForwardTrack, ForwardTrack]],
                 drop: Callable[[ForwardTrack], None], *, segment_s: float, window: int, idle_s: float,
                 remuxed: Callable[[str], bool] = lambda target: True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`remuxed(target)`: whether that source may offer its own H.264 (hub/media/hls.py)."""
        self.event, self.renditions = event, renditions
        self.by_name = {r.name: r for r in renditions}
        self._tracks, self._drop, self._remuxed = tracks, drop, remuxed
        self.segment_s, self.window, self.idle_s = segment_s, window, idle_s
        self.clock = clock
        self.packagers: dict[str, HlsPackager] = {}
        self._asked: dict[str, float] = {}
        # player -> (target, rendition, last report, its picture's delay in ms or None)
        self._audience: dict[str, tuple[str, str, float, int | None]] = {}
        self._reaper: asyncio.Task[None] | None = None

    def asked(self, target: str) -> HlsPackager:
        """Somebody asked for `target`'s playlist or segments: its packager, started if need be."""
        self._asked[target] = self.clock()
        packager = self.packagers.get(target)
        if packager is None:
            video, audio = self._tracks(target)
            packager = HlsPackager(f"{self.event}/{target}", video, audio, self.renditions, segment_s=self.segment_s,
                                   window=self.window, remux=self._remuxed(target), on_drop=self._drop)
            self.packagers[target] = packager
            if self._reaper is None:
                self._reaper = asyncio.create_task(self._reap(), name=f"hls-reaper:{self.event}")
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
    def seen(self, player: str, target: str, rendition: str, delay_ms: int | None = None) -> str | None:
        """A player's report: "new" (a viewer to count once), "switched" (watching another
        rendition now), or None. Its delay is clamped to what an HLS player can be behind
        (see delay_bound_ms), never trusted."""
        now = self.clock()
        before = self._audience.get(player)
        if before is None and len(self._audience) >= MAX_AUDIENCE:
            self._forget(now)
            if len(self._audience) >= MAX_AUDIENCE:
                return None
        if delay_ms is not None:
            delay_ms = min(max(delay_ms, 0), self.delay_bound_ms)
        self._audience[player] = (target, rendition, now, delay_ms)
        if before is None:
            return "new"
        return "switched" if before[1] != rendition else None

    @property
    def delay_bound_ms(self) -> int:
        """The most an HLS player can be behind the live moment: its whole playlist window, plus
        two seconds of encoding and fetching. A player that says more is lagging or lying."""
        return int(self.segment_s * self.window * 1000) + 2000

    def watching(self, player: str) -> bool:
        """Whether this participant is an HLS player now (it reported within the last 45 s)."""
        entry = self._audience.get(player)
        return entry is not None and self.clock() - entry[2] <= AUDIENCE_TTL_S

    def delays(self) -> dict[str, int | None]:
        """The HLS audience's delay behind the live moment: median and 95th percentile (ms), and
        how many players said theirs."""
        self._forget(self.clock())
        said = sorted(d for *_, d in self._audience.values() if d is not None)
        if not said:
            return {"players": 0, "median_ms": None, "p95_ms": None}
        return {"players": len(said), "median_ms": said[len(said) // 2],
                "p95_ms": said[min(len(said) - 1, int(len(said) * 0.95))]}

    def _forget(self, now: float) -> None:
        for player in [p for p, (_, _, at, _) in self._audience.items() if now - at > AUDIENCE_TTL_S]:
            del self._audience[player]

    def audience(self) -> dict[str, int]:
        """Players watching now, per rendition."""
        self._forget(self.clock())
        counts: dict[str, int] = {}
        for _, rendition, _, _ in self._audience.values():
            counts[rendition] = counts.get(rendition, 0) + 1
        return counts

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            await asyncio.gather(self._reaper, return_exceptions=True)
            self._reaper = None
        packagers, self.packagers = list(self.packagers.values()), {}
        await asyncio.gather(*(p.stop() for p in packagers), return_exceptions=True)
