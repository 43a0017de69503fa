"""The caption worker: listens to the program (WHEP, audio only, like a viewer who
chose "son seul"), decodes and resamples it to what the engine wants, and sends each
finished utterance as a caption line (`caption.line`, source "asr") with the
captioner's role — so recognised lines are log entries like typed ones.

It runs in its own process: recognition is CPU-heavy and must never slow the hub.
When the hub or the program goes away, it connects again by itself."""
from __future__ import annotations

import asyncio
import logging
import time

import av
import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from ..client import LiveClient
from ..domain.actors import Role
from ..security import access
from .engine import AsrEngine

log = logging.getLogger(__name__)
BACKOFF_S = (1, 2, 4, 8)


class CaptionWorker:
    def __init__(self, base_url: str, event: str, secret: str, engine: AsrEngine) -> None:
        self.base_url = base_url.rstrip("/")
        self.event = event
        self.engine = engine
        self.token = access.sign(secret, event, Role.CAPTIONER, None, int(time.time()) + 30 * 86_400)
        self.heard = 0  # audio frames decoded

    async def run(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the hub restarting, the network: listen again
                log.warning("asr %s: %s", self.event, exc or type(exc).__name__)
            failures = 0 if time.monotonic() - started > 30 else failures + 1
            await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])

    async def _listen_once(self) -> None:
        live_url = self.base_url.replace("http", "ws", 1) + f"/live/{self.event}"
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("audio", direction="recvonly")
        track_ready: asyncio.Future[object] = asyncio.get_running_loop().create_future()

        @pc.on("track")
        def got(track: object) -> None:
            if not track_ready.done():
                track_ready.set_result(track)
        async with LiveClient(live_url, token=self.token) as client, httpx.AsyncClient(timeout=20) as http:
            try:
                await pc.setLocalDescription(await pc.createOffer())
                r = await http.post(f"{self.base_url}/api/events/{self.event}/media/program/whep",
                                    content=pc.localDescription.sdp, headers={"Content-Type": "application/sdp"})
                r.raise_for_status()
                await pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
                track = await asyncio.wait_for(track_ready, 20)
                await self._transcribe(track, client)
            finally:
                await pc.close()

    async def _transcribe(self, track: object, client: LiveClient) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=self.engine.sample_rate)
        while True:
            try:
                frame = await track.recv()  # type: ignore[attr-defined]
            except MediaStreamError:
                for text in self.engine.flush():
                    await self._send(client, text)
                raise ConnectionError("the program's sound ended") from None
            self.heard += 1
            for chunk in resampler.resample(frame):
                for text in self.engine.accept(bytes(chunk.planes[0])[: chunk.samples * 2]):
                    await self._send(client, text)

    async def _send(self, client: LiveClient, text: str) -> None:
        await client.command({"type": "caption.line", "text": text, "source": "asr"})
