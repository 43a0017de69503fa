"""Media benchmark: hub CPU per extra viewer, Multiplex (forwarding, no decode, no
encode) against aiortc's default MediaRelay (decode, then encode per viewer) in
the same run; 4 sources x 60 viewers at full frame rate; glass-to-glass latency.

Hub on core 0, publishers and viewers on core 1, WebRTC on 127.0.0.1 only.

    python -m bench.media                       # ~3 minutes
    python -m bench.media --viewers 1,8,16 --relay-viewers 1,2 --seconds 5
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hub.domain.actors import Role
from hub.media.ice import restrict_host_addresses
from hub.security import access
from hub.settings import Settings

from .fanout import free_port, machine, pct, wait_listening
from .media_peers import ClockTrack, CountingViewer, LatencyViewer, ReplayTrack, encode_gop, publish
from .procstat import cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789"
EVENT = "grand-est-2020"
SITES = ["nancy", "reims", "strasbourg", "metz"]
LOOPBACK = {"HUB_MEDIA_HOST_ADDRESSES": "127.0.0.1", "HUB_MEDIA_REMOTE_NETWORKS": "127.0.0.0/8"}


def start(kind: str, port: int, data_dir: str, hub_root: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`hub_root`: the checkout whose hub runs (bench/compare.py runs an older one beside this);
    `env`: settings of the hub's own (HUB_...)."""
    env = {**os.environ, **LOOPBACK, "HUB_SECRET": SECRET, "HUB_DATA_DIR": data_dir, "HUB_PORT": str(port),
           "HUB_LOG_LEVEL": "warning", **(env or {})}
    cmd = [sys.executable, "-m", "hub.cli", "serve"] if kind == "multiplex" else \
        [sys.executable, "-m", "bench.peers.media_relay", str(port)]
    return subprocess.Popen(["taskset", "-c", "0", *cmd], cwd=hub_root if kind == "multiplex" else ROOT, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


async def measure(proc: subprocess.Popen, viewers: list, seconds: float) -> dict:
    frames0 = [v.frames for v in viewers]
    cpu0, self0, t0 = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - t0
    cpu1, self1 = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
    fps = [(v.frames - f) / elapsed for v, f in zip(viewers, frames0)]
    loadgen = ((self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)) / elapsed
    return {"viewers": len(viewers), "hub_cores": round((cpu1 - cpu0) / elapsed, 3),
            "fps_mean": round(statistics.fmean(fps), 1) if fps else None, "fps_min": round(min(fps), 1) if fps else None,
            "loadgen_cores": round(loadgen, 3), "loadgen_saturated": loadgen > 0.9}


async def add_viewers(http, base: str, target: str, viewers: list, n: int, make=CountingViewer) -> None:
    """Viewers (`make()`, watched over WHEP) up to `n`, eight at a time."""
    while len(viewers) < n:
        batch = min(8, n - len(viewers))
        viewers += await asyncio.gather(*(make().watch(http, base, target) for _ in range(batch)))


async def cost_per_viewer(kind: str, counts: list[int], seconds: float, gop: list[bytes]) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = start(kind, port, data_dir)
        pcs: list = []
        viewers: list = []
        try:
            await wait_listening(port, proc)
            base = f"http://127.0.0.1:{port}/api/events/{EVENT}/media"
            token = access.sign(SECRET, EVENT, Role.COORDINATOR, "nancy", int(time.time()) + 3600)
            async with httpx.AsyncClient(timeout=30) as http:
                pcs.append(await publish(http, base, "nancy", ReplayTrack(gop), {"Authorization": f"Bearer {token}"}))
                await asyncio.sleep(2)
                points = []
                for n in counts:
                    await add_viewers(http, base, "nancy", viewers, n)
                    await asyncio.sleep(3)  # connections settle, keyframes flow
                    points.append(await measure(proc, viewers, seconds))
                    print(f"   {kind:>10} {json.dumps(points[-1])}", flush=True)
            first, last = points[0], points[-1]
            per_viewer = (last["hub_cores"] - first["hub_cores"]) / max(1, last["viewers"] - first["viewers"])
            return {"server": kind, "points": points, "core_per_extra_viewer": round(per_viewer, 4)}
        finally:
            await asyncio.gather(*(v.pc.close() for v in viewers), *(p.close() for p in pcs), return_exceptions=True)
            proc.terminate()
            proc.wait(10)


async def many_sources(viewers_total: int, seconds: float, gop: list[bytes]) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = start("multiplex", port, data_dir)
        pcs, viewers = [], []
        try:
            await wait_listening(port, proc)
            base = f"http://127.0.0.1:{port}/api/events/{EVENT}/media"
            async with httpx.AsyncClient(timeout=30) as http:
                for site in SITES:
                    token = access.sign(SECRET, EVENT, Role.COORDINATOR, site, int(time.time()) + 3600)
                    pcs.append(await publish(http, base, site, ReplayTrack(gop), {"Authorization": f"Bearer {token}"}))
                per_site = viewers_total // len(SITES)
                for site in SITES:
                    site_viewers: list = []
                    await add_viewers(http, base, site, site_viewers, per_site)
                    viewers += site_viewers
                await asyncio.sleep(4)
                result = await measure(proc, viewers, seconds)
            result.update(sources=len(SITES), full_frame_rate=result["fps_min"] >= 27)
            return result
        finally:
            await asyncio.gather(*(v.pc.close() for v in viewers), *(p.close() for p in pcs), return_exceptions=True)
            proc.terminate()
            proc.wait(10)


async def latency(kind: str, seconds: float) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = start(kind, port, data_dir)
        pcs = []
        try:
            await wait_listening(port, proc)
            base = f"http://127.0.0.1:{port}/api/events/{EVENT}/media"
            token = access.sign(SECRET, EVENT, Role.COORDINATOR, "troyes", int(time.time()) + 3600)
            async with httpx.AsyncClient(timeout=30) as http:
                pcs.append(await publish(http, base, "troyes", ClockTrack(), {"Authorization": f"Bearer {token}"}))
                await asyncio.sleep(1)
                viewer = await LatencyViewer().watch(http, base, "troyes")
                pcs.append(viewer.pc)
                await asyncio.sleep(3)
                viewer.recording = True
                await asyncio.sleep(seconds)
                viewer.recording = False
            samples = sorted(viewer.samples)
            return {"server": kind, "frames": len(samples), "p50_ms": round(pct(samples, 0.5), 1),
                    "p95_ms": round(pct(samples, 0.95), 1), "max_ms": round(samples[-1], 1) if samples else None}
        finally:
            await asyncio.gather(*(p.close() for p in pcs), return_exceptions=True)
            proc.terminate()
            proc.wait(10)


def load_side() -> list[bytes]:
    """This process becomes the load side: pinned to core 1 (the hub runs on core 0),
    WebRTC on 127.0.0.1 only; returns the encoded pictures its publishers replay."""
    os.sched_setaffinity(0, {1})
    restrict_host_addresses(Settings(media_host_addresses="127.0.0.1"))
    return encode_gop()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", default="1,16,32,60")
    ap.add_argument("--relay-viewers", default="1,2,4,8")
    ap.add_argument("--sources-viewers", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "media.json"))
    args = ap.parse_args()
    gop = load_side()
    results: dict = {"machine": machine()}
    print("-- CPU per extra viewer, one 640x480@30 source (~1 Mbit/s)", flush=True)
    results["multiplex"] = await cost_per_viewer("multiplex", [int(x) for x in args.viewers.split(",")], args.seconds, gop)
    results["media_relay"] = await cost_per_viewer("relay", [int(x) for x in args.relay_viewers.split(",")], args.seconds, gop)
    print(f"-- {len(SITES)} sources x {args.sources_viewers} viewers", flush=True)
    results["many_sources"] = await many_sources(args.sources_viewers, args.seconds, gop)
    print(f"   {json.dumps(results['many_sources'])}", flush=True)
    print("-- glass-to-glass (capture time painted in the picture, read back after decoding)", flush=True)
    results["latency"] = [await latency("multiplex", args.seconds), await latency("relay", args.seconds)]
    for row in results["latency"]:
        print(f"   {json.dumps(row)}", flush=True)
    m, r = results["multiplex"]["core_per_extra_viewer"], results["media_relay"]["core_per_extra_viewer"]
    print(f"\ncore per extra viewer: multiplex {m * 100:.2f} %, MediaRelay {r * 100:.2f} %  (ratio {r / max(m, 1e-6):.0f}x)")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
