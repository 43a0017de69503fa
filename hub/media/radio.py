"""The webradio: the program's sound (the site on air, switching with it) sent to an
Icecast server as Ogg/Opus, for thousands of listeners through Icecast and its relays.

Nothing is re-encoded: the Opus packets the site's browser encoded are put in Ogg
pages by PyAV's muxer and sent with one long HTTP PUT (Icecast 2.4's source
protocol). "Now on air" (site, session, speakers) travels in the stream itself: a
change starts a new chained Ogg stream whose comments carry the new title, which
Icecast shows to listeners and in its status. When nobody is on air, or the site's
sound stops, Opus silence keeps the mount alive (Icecast drops a silent source after
its timeout). When Icecast restarts or the network drops, the radio connects again,
with backoff, by itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import fractions
import io
import logging
import struct
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from typing import Any

import av
import httpx

from .tracks import ForwardTrack

log = logging.getLogger(__name__)

RATE = 48_000
TIME_BASE = fractions.Fraction(1, RATE)
SILENCE = b"\xf8\xff\xfe"  # one 20 ms Opus frame of silence (CELT, fullband)
SILENCE_SAMPLES = 960
GAP_S = 0.1  # no sound for this long: send silence for it
OPUS_HEAD = b"OpusHead" + struct.pack("<BBHIhB", 1, 2, 312, RATE, 0, 0)  # v1, stereo, pre-skip, 48 kHz
BACKOFF_S = (0.5, 1, 2, 4, 8)
# SILK (configs 0-11), Hybrid (12-15), CELT (16-31): one frame's length in 1/10 ms
_FRAME_TENTHS = [100, 200, 400, 600] * 3 + [100, 200] * 2 + [25, 50, 100, 200] * 4


def opus_samples(packet: bytes) -> int:
    """Samples at 48 kHz in one Opus packet, from its TOC byte (RFC 6716, 3.1)."""
    if not packet:
        return 0
    toc = packet[0]
    frames = {0: 1, 1: 2, 2: 2}.get(toc & 3) or (packet[1] & 0x3F if len(packet) > 1 else 0)
    return frames * _FRAME_TENTHS[toc >> 3] * RATE // 10_000


class _Pages(io.RawIOBase):
    """Where the muxer writes Ogg pages; the PUT's body takes them from here."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


class _Chain:
    """One logical Ogg/Opus stream (a "song" for Icecast): its title in its comments."""

    def __init__(self, pages: _Pages, title: str) -> None:
        # A page every 100 ms (the muxer's default is a second) and each page written out
        # at once (the I/O layer would hold 32 kB): listeners hear the switch without delay.
        self.container = av.open(pages, "w", format="ogg",
                                 container_options={"page_duration": "100000", "flush_packets": "1"})
        self.container.metadata["title"] = title
        self.container.metadata["artist"] = "Multiplex"
        self.title = title
        stream = self.container.add_stream("opus", rate=RATE)
        stream.codec_context.layout = "stereo"
        stream.codec_context.extradata = OPUS_HEAD
        stream.time_base = TIME_BASE
        self.stream = stream
        self.pts = 0

    def mux(self, data: bytes) -> None:
        samples = opus_samples(data)
        if samples <= 0:
            return
        packet = av.Packet(data)
        packet.stream = self.stream
        packet.pts = packet.dts = self.pts
        packet.duration = samples
        packet.time_base = TIME_BASE
        self.container.mux(packet)
        self.pts += samples

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.container.close()


def source_url(url: str, event: str) -> tuple[str, tuple[str, str]]:
    """HUB_RADIO_URL (http://source:password@host:port/{event}.ogg) → the mount URL
    without credentials, and the (user, password) to send."""
    parts = urllib.parse.urlsplit(url.replace("{event}", event))
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.path.strip("/"):
        raise ValueError("HUB_RADIO_URL is http(s)://source:password@host:port/mount.ogg")
    user = urllib.parse.unquote(parts.username or "source")
    password = urllib.parse.unquote(parts.password or "")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")), (user, password)


class Radio:
    def __init__(self, url: str, event: str, track: Callable[[], ForwardTrack],
                 drop: Callable[[ForwardTrack], None], *, name: str = "") -> None:
        self.url, self.auth = source_url(url, event)
        self.event = event
        self.name = name
        self._new_track = track    # the program's audio track (follows the site on air)
        self._drop_track = drop
        self.title = ""           # now on air, as the stage says
        self.playing = ""         # the title of the chain on the air now
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self.connections = 0      # successful connections to Icecast, for tests and logs

    def retitle(self, title: str) -> None:
        """Now on air changed: the next packet starts a new chain with this title."""
        self.title = title

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"radio:{self.event}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        failures = 0
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None, write=30)) as client:
            while True:
                track = self._new_track()
                started = time.monotonic()
                try:
                    await self._send(client, track)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Icecast down, restarting, refusing: try again
                    log.warning("%s: radio to %s: %s", self.event, self.url, exc or type(exc).__name__)
                finally:
                    self.connected = False
                    self._drop_track(track)
                failures = 0 if time.monotonic() - started > 30 else failures + 1
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])

    async def _send(self, client: httpx.AsyncClient, track: ForwardTrack) -> None:
        # Header values as UTF-8 bytes: event names are French ("États généraux…")
        name = (self.name or self.event).encode()
        headers: dict[bytes, bytes] = {b"Content-Type": b"audio/ogg", b"Ice-Public": b"0", b"Ice-Name": name,
                                       b"Ice-Description": b"Multiplex"}
        response = await client.put(self.url, content=self._body(track), auth=self.auth, headers=headers)
        raise ConnectionError(f"Icecast ended the stream: HTTP {response.status_code} {response.text[:120]}")

    async def _body(self, track: ForwardTrack) -> AsyncIterator[bytes]:
        pages = _Pages()
        chain = _Chain(pages, self.title)
        self.connected = True
        self.connections += 1
        try:
            while True:
                try:
                    packet = await asyncio.wait_for(track.recv(), GAP_S)
                    frames = [bytes(packet)]
                except TimeoutError:
                    frames = [SILENCE] * round(GAP_S * RATE / SILENCE_SAMPLES)
                if chain.title != self.title:  # a new "song": close this chain, open the next
                    chain.close()
                    chain = _Chain(pages, self.title)
                for data in frames:
                    chain.mux(data)
                out = pages.take()
                if out:
                    yield out
                    self.playing = chain.title  # sent: a listener arriving now hears this title
        finally:
            chain.close()
