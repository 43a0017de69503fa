"""Sound-only benchmark: hub CPU per extra viewer watching picture and sound, against
sound only ("son seul": WHEP with the audio transceiver alone), and per webradio
stream (Ogg/Opus to a local icecast2), all in the same run on the same hub build.

Hub on core 0, publisher and viewers on core 1, WebRTC and Icecast on 127.0.0.1.

    python -m bench.audio                    # ~2 minutes (icecast2 needed: make test installs it)
    python -m bench.audio --viewers 1,32 --seconds 5
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from hub.domain.actors import Role
from hub.media.tap import tap_receiver
from hub.security import access

from .fanout import free_port, machine, wait_listening
from .media import EVENT, ROOT, SECRET, add_viewers, load_side, start
from .media_peers import CountingViewer, ReplayTrack, exchange, vp8_only
from .procstat import cpu_seconds


class SoundViewer:
    """Sound only: one audio transceiver, its encoded frames counted, nothing decoded."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames = 0

    def _count(self, codec: str, data: bytes) -> None:
        self.frames += 1

    async def watch(self, http, base: str, target: str) -> "SoundViewer":
        transceiver = self.pc.addTransceiver("audio", direction="recvonly")
        tap_receiver(transceiver.receiver, self._count)
        await exchange(http, f"{base}/{target}/whep", self.pc, {})
        return self


class BothViewer(CountingViewer):
    """Picture and sound, as a browser in "image et son" watches."""

    async def watch(self, http, base: str, target: str) -> "BothViewer":
        audio = self.pc.addTransceiver("audio", direction="recvonly")
        tap_receiver(audio.receiver, lambda codec, data: None)
        return await super().watch(http, base, target)  # type: ignore[return-value]


async def publish_with_sound(http, base: str, site: str, gop: list[bytes]) -> RTCPeerConnection:
    token = access.sign(SECRET, EVENT, Role.COORDINATOR, site, int(time.time()) + 3600)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver(ReplayTrack(gop), direction="sendonly")
    pc.addTransceiver(AudioStreamTrack(), direction="sendonly")  # Opus, encoded here (core 1)
    vp8_only(pc)
    await exchange(http, f"{base}/{site}/whip", pc, {"Authorization": f"Bearer {token}"})
    return pc


async def hub_cores(pid: int, seconds: float) -> float:
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)


@contextlib.asynccontextmanager
async def nancy_publishing(gop: list[bytes], hub_root: Path = ROOT) -> AsyncIterator[tuple]:
    """A hub (pinned to core 0) with Nancy publishing picture and sound: yields the hub's
    process and `more(n, make)`, which brings its viewers up to `n` and lets them settle."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = start("multiplex", port, data_dir, hub_root)
        viewers: list = []
        pcs: list = []
        try:
            await wait_listening(port, proc)
            base = f"http://127.0.0.1:{port}/api/events/{EVENT}/media"
            async with httpx.AsyncClient(timeout=30) as http:
                pcs.append(await publish_with_sound(http, base, "nancy", gop))
                await asyncio.sleep(2)

                async def more(n: int, make=BothViewer) -> list:
                    await add_viewers(http, base, "nancy", viewers, n, make=make)
                    await asyncio.sleep(3)
                    return viewers
                yield proc, more
        finally:
            await asyncio.gather(*(v.pc.close() for v in viewers), *(p.close() for p in pcs), return_exceptions=True)
            proc.terminate()
            proc.wait(20)


async def per_viewer(kind: str, counts: list[int], seconds: float, gop: list[bytes], hub_root: Path = ROOT) -> dict:
    async with nancy_publishing(gop, hub_root) as (proc, more):
        points = []
        for n in counts:
            viewers = await more(n, SoundViewer if kind == "sound only" else BothViewer)
            cores = await hub_cores(proc.pid, seconds)
            points.append({"viewers": n, "hub_cores": round(cores, 3),
                           "frames_per_viewer_so_far": round(sum(v.frames for v in viewers) / len(viewers))})
            print(f"   {kind:>15} {json.dumps(points[-1])}", flush=True)
    first, last = points[0], points[-1]
    per = (last["hub_cores"] - first["hub_cores"]) / max(1, last["viewers"] - first["viewers"])
    return {"kind": kind, "points": points, "core_per_extra_viewer": round(per, 5)}


async def per_radio_stream(seconds: float, gop: list[bytes]) -> dict:
    """The same hub and publisher with the radio off, then on for every event (one
    stream each, the demo event's site on air): the difference per stream."""
    from tests.support import IcecastServer  # the same private icecast2 the tests use
    if shutil.which("icecast2") is None:
        return {"skipped": "icecast2 is not installed (make test installs it)"}
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        icecast = IcecastServer(Path(tmp) / "icecast")
        icecast.start()
        try:
            for label, radio in (("off", ""), ("on", icecast.source_url())):
                port = free_port()
                os.environ["HUB_RADIO_URL"] = radio
                proc = start("multiplex", port, str(Path(tmp) / f"data-{label}"))
                del os.environ["HUB_RADIO_URL"]
                pcs: list = []
                try:
                    await wait_listening(port, proc)
                    base = f"http://127.0.0.1:{port}/api/events/{EVENT}/media"
                    async with httpx.AsyncClient(timeout=30) as http:
                        pcs.append(await publish_with_sound(http, base, "nancy", gop))
                        mod = access.sign(SECRET, EVENT, Role.MODERATOR, None, int(time.time()) + 3600)
                        from hub.client import LiveClient
                        async with LiveClient(f"ws://127.0.0.1:{port}/live/{EVENT}", token=mod) as client:
                            await client.command({"type": "stage.on_air", "site": "nancy"})
                            await asyncio.sleep(3)
                            out[label] = round(await hub_cores(proc.pid, seconds), 4)
                    print(f"   radio {label:>3}: hub {out[label]} cores", flush=True)
                finally:
                    await asyncio.gather(*(p.close() for p in pcs), return_exceptions=True)
                    proc.terminate()
                    proc.wait(10)
        finally:
            icecast.stop()
            icecast.remove_logs()
    streams = len(list((ROOT / "config" / "events").glob("*.yaml")))  # one stream per event
    return {**out, "streams": streams, "core_per_stream": round((out["on"] - out["off"]) / streams, 5)}


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", default="1,16,48")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "audio.json"))
    args = ap.parse_args()
    gop = load_side()
    counts = [int(x) for x in args.viewers.split(",")]
    results: dict = {"machine": machine()}
    print("-- CPU per extra viewer: picture and sound, then sound only (one 640x480@30 + Opus source)", flush=True)
    results["picture_and_sound"] = await per_viewer("picture + sound", counts, args.seconds, gop)
    results["sound_only"] = await per_viewer("sound only", counts, args.seconds, gop)
    print("-- CPU per webradio stream (Ogg/Opus to icecast2, no re-encoding)", flush=True)
    results["radio"] = await per_radio_stream(args.seconds, gop)
    both, sound = results["picture_and_sound"]["core_per_extra_viewer"], results["sound_only"]["core_per_extra_viewer"]
    print(f"\ncore per extra viewer: picture + sound {both * 100:.3f} %, sound only {sound * 100:.3f} %;"
          f" per radio stream {results['radio'].get('core_per_stream', 0) * 100:.3f} %")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
