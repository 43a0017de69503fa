"""HLS benchmark (issue 19): the mass audience through nginx's cache, beside WebRTC.

- audience: one site publishes (a 640x480 VP8 camera replayed over WHIP); 50, then
  5000 HLS players (bench/c/hlsload.c) pull its playlists and segments through nginx,
  configured from the project's own template, for SECONDS each: the hub's CPU
  (encoding included), nginx's, bytes served, nginx's cache hit ratio, stalls;
- encode: the hub's CPU packaging that camera into each rendition alone, and into the
  default ladder, against the same hub with the camera and no HLS; then an H.264 camera,
  whose "source" rendition is a remux (only its sound is encoded);
- webrtc: the hub's CPU per extra WebRTC viewer of the same camera, in the same run;
- latency: glass-to-glass, a camera painting its capture time (bench/media_peers.py
  ClockTrack) to hls.js in Chromium through nginx, which reads the time back from the
  picture: as LL-HLS (the viewer page's settings) and as plain HLS, in the same run.

Hub on core 0; nginx, the players, the publisher and Chromium on core 1.

    python -m bench.hls                          # ~6 minutes
    python -m bench.hls --viewers 50,1000 --seconds 20 --skip latency
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hub.domain.actors import Role
from hub.security import access

from .fanout import free_port, machine, pct, wait_listening
from .media import EVENT, ROOT, SECRET, add_viewers, load_side, measure, start
from .media_peers import BITS, BLOCK, HEIGHT, WIDTH, ClockTrack, ReplayTrack, encode_gop, publish
from .procstat import cpu_seconds

sys.path.insert(0, str(ROOT))
from tests.cluster.topology import Nginx  # the same nginx set-up as the tests

HLSLOAD_SRC = ROOT / "bench" / "c" / "hlsload.c"
SITE = "nancy"
LOAD_CORE = 1


def hlsload_binary() -> str:
    out = Path(tempfile.gettempdir()) / "multiplex-hlsload"
    if not out.exists() or out.stat().st_mtime < HLSLOAD_SRC.stat().st_mtime:
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(out), str(HLSLOAD_SRC)], check=True)
    return str(out)


def family_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (nginx's master and its worker)."""
    total = cpu_seconds(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(c)) for c in children)


class Hub:
    """A hub process with one site publishing, and its address."""

    def __init__(self, data_dir: str, codec: str = "video/VP8", **env: str) -> None:
        self.codec = codec
        self.port = free_port()
        self.proc = start("multiplex", self.port, data_dir, env=env)
        self.base = f"http://127.0.0.1:{self.port}/api/events/{EVENT}/media"
        self.pcs: list = []

    async def publish(self, http: httpx.AsyncClient, track) -> None:  # type: ignore[no-untyped-def]
        await wait_listening(self.port, self.proc)
        token = access.sign(SECRET, EVENT, Role.COORDINATOR, SITE, int(time.time()) + 3600)
        self.pcs.append(await publish(http, self.base, SITE, track, {"Authorization": f"Bearer {token}"}, self.codec))

    async def cpu_over(self, seconds: float) -> float:
        c0, t0 = cpu_seconds(self.proc.pid), time.perf_counter()
        await asyncio.sleep(seconds)
        return (cpu_seconds(self.proc.pid) - c0) / (time.perf_counter() - t0)

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self.pcs), return_exceptions=True)
        self.proc.terminate()
        self.proc.wait(10)


async def until_playlist(http: httpx.AsyncClient, url: str, timeout: float = 60) -> None:
    """Ask for a playlist (which starts the packaging) until it has segments."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = await http.get(url)
        if response.status_code == 200 and "#EXTINF:" in response.text:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"no playlist at {url}")


async def keep_asking(http: httpx.AsyncClient, url: str) -> None:
    """One player's worth of asking, so that the packaging is never idle-stopped."""
    while True:
        await http.get(url)
        await asyncio.sleep(1)


async def audience(counts: list[int], seconds: float, renditions: str, gop: list[bytes]) -> dict:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        hub = Hub(f"{work}/data")
        lb = Nginx(Path(work) / "nginx", [hub.port, hub.port], connections=max(counts) + 1024)
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                await hub.publish(http, ReplayTrack(gop))
                lb.start()
                assert lb.proc is not None
                os.sched_setaffinity(lb.proc.pid, {LOAD_CORE})
                first = renditions.split(",")[0]
                await until_playlist(http, f"http://127.0.0.1:{lb.port}/hls/{EVENT}/{SITE}/{first}/index.m3u8")
                for n in counts:
                    ramp = max(2.0, n / 500)  # 500 players join per second
                    gen = subprocess.Popen(["taskset", "-c", str(LOAD_CORE), hlsload_binary(), "127.0.0.1",
                                            str(lb.port), EVENT, SITE, renditions, str(n), str(seconds), str(ramp)],
                                           stdout=subprocess.PIPE, text=True)
                    assert gen.stdout is not None
                    ready = await asyncio.to_thread(gen.stdout.readline)
                    assert ready.startswith("READY"), ready
                    h0, n0, t0 = cpu_seconds(hub.proc.pid), family_cpu(lb.proc.pid), time.perf_counter()
                    line = await asyncio.to_thread(gen.stdout.readline)
                    elapsed = time.perf_counter() - t0
                    h1, n1 = cpu_seconds(hub.proc.pid), family_cpu(lb.proc.pid)
                    gen.wait(30)
                    row = json.loads(line)
                    row.update(hub_cores=round((h1 - h0) / elapsed, 3), nginx_cores=round((n1 - n0) / elapsed, 3),
                               renditions=renditions)
                    seen = (await http.get(f"http://127.0.0.1:{hub.port}/healthz")).status_code
                    row["hub_healthy_after"] = seen == 200
                    print(f"   {json.dumps(row)}", flush=True)
                    rows.append(row)
                    await asyncio.sleep(50)  # the players' reports expire (45 s) before the next count
        finally:
            lb.stop()
            await hub.close()
    return {"rows": rows}


async def encode_cost(seconds: float, gop: list[bytes], ladders: list[str], codec: str = "video/VP8") -> list[dict]:
    """The hub's CPU with the camera and no HLS, then packaging it into `ladder`; the camera
    in `codec` (an H.264 one makes the "source" rendition a remux)."""
    out = []
    for ladder in ladders:
        with tempfile.TemporaryDirectory() as work:
            hub = Hub(f"{work}/data", codec=codec, HUB_HLS_RENDITIONS=ladder)
            try:
                async with httpx.AsyncClient(timeout=30) as http:
                    await hub.publish(http, ReplayTrack(gop))
                    await asyncio.sleep(3)
                    without = await hub.cpu_over(seconds)
                    first = ladder.split(",")[0]
                    url = f"http://127.0.0.1:{hub.port}/hls/{EVENT}/{SITE}/{first}/index.m3u8"
                    await until_playlist(http, url)
                    asker = asyncio.ensure_future(keep_asking(http, url))
                    await asyncio.sleep(3)
                    with_hls = await hub.cpu_over(seconds)
                    asker.cancel()
                    segment = [line for line in (await http.get(url)).text.splitlines()
                               if line.endswith(".m4s") and not line.startswith("#")][-1]
                    size = len((await http.get(url.rsplit("/", 1)[0] + "/" + segment)).content)
            finally:
                await hub.close()
        row = {"camera": codec.split("/")[1], "renditions": ladder, "hub_cores_camera_only": round(without, 3), "hub_cores_packaging": round(with_hls, 3),
               "encode_cores": round(with_hls - without, 3), "last_segment_bytes_first_rendition": size}
        print(f"   {json.dumps(row)}", flush=True)
        out.append(row)
    return out


async def webrtc_cost(counts: list[int], seconds: float, gop: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory() as work:
        hub = Hub(f"{work}/data")
        viewers: list = []
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                await hub.publish(http, ReplayTrack(gop))
                await asyncio.sleep(2)
                points = []
                for n in counts:
                    await add_viewers(http, hub.base, SITE, viewers, n)
                    await asyncio.sleep(3)
                    points.append(await measure(hub.proc, viewers, seconds))
                    print(f"   webrtc {json.dumps(points[-1])}", flush=True)
        finally:
            await asyncio.gather(*(v.pc.close() for v in viewers), return_exceptions=True)
            await hub.close()
    first, last = points[0], points[-1]
    return {"points": points,
            "core_per_extra_viewer": round((last["hub_cores"] - first["hub_cores"]) / (last["viewers"] - first["viewers"]), 4)}


# In Chromium: play the playlist with hls.js (as the viewer page does, or as a player without
# LL-HLS would) and read the capture time painted in each picture shown; resolves to the
# glass-to-glass delays in ms.
READ_CLOCK = """async ([url, seconds, bits, block, width, height, config]) => {
  const { default: Hls } = await import('/static/vendor/hls.mjs');
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true;
  document.body.append(video);
  const hls = new Hls({ enableWorker: false, ...config });
  hls.loadSource(url); hls.attachMedia(video);
  await new Promise((ok) => video.addEventListener('playing', ok, { once: true }) || video.play().catch(() => {}));
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const samples = [];
  const started = performance.now();
  await new Promise((done) => {
    const read = () => {
      const vw = video.videoWidth, vh = video.videoHeight;
      if (vw) {
        canvas.width = vw; canvas.height = vh;
        ctx.drawImage(video, 0, 0);
        const scale = Math.min(vw / width, vh / height);
        const ox = (vw - width * scale) / 2, oy = (vh - height * scale) / 2;
        let stamp = 0;
        for (let bit = 0; bit < bits; bit++) {
          const x = Math.round(ox + (bit * block + block / 2) * scale), y = Math.round(oy + (block / 2) * scale);
          stamp = stamp * 2 + (ctx.getImageData(x, y, 1, 1).data[0] > 128 ? 1 : 0);
        }
        const delay = Date.now() - stamp;
        if (delay > 0 && delay < 60000) samples.push(delay);
      }
      if (performance.now() - started > seconds * 1000) done(); else video.requestVideoFrameCallback(read);
    };
    video.requestVideoFrameCallback(read);
  });
  hls.destroy();
  return samples;
}"""


# hls.js as the viewer page configures it (web/features/hls.js), and as plain HLS: whole
# segments only, three from the live edge (what a player that ignores the parts does)
PLAYERS = {
    "LL-HLS": {"lowLatencyMode": True, "maxLiveSyncPlaybackRate": 1.1},
    "HLS": {"lowLatencyMode": False, "liveSyncDurationCount": 3},
}


async def latency(seconds: float) -> dict:
    """Each way of playing in turn, on the same camera and hub, through nginx's cache."""
    from playwright.async_api import async_playwright

    results = {}
    with tempfile.TemporaryDirectory() as work:
        hub = Hub(f"{work}/data", HUB_HLS_RENDITIONS="720p")
        lb = Nginx(Path(work) / "nginx", [hub.port, hub.port])
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                await hub.publish(http, ClockTrack())
                lb.start()
                url = f"http://127.0.0.1:{lb.port}/hls/{EVENT}/{SITE}/720p/index.m3u8"
                await until_playlist(http, url)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = await browser.new_page()
                await page.goto(f"http://127.0.0.1:{lb.port}/e/{EVENT}")
                for mode, config in PLAYERS.items():
                    samples = sorted(await page.evaluate(READ_CLOCK, [url, seconds, BITS, BLOCK, WIDTH, HEIGHT,
                                                                      config]))
                    results[mode] = {"player": config, "pictures": len(samples),
                                     "p50_ms": round(pct(samples, 0.5)), "p95_ms": round(pct(samples, 0.95)),
                                     "max_ms": round(samples[-1]) if samples else None}
                    print(f"   {mode}: {json.dumps(results[mode])}", flush=True)
                await browser.close()
        finally:
            lb.stop()
            await hub.close()
    return {"through": "nginx (config/nginx/multiplex.conf.template)", "segments_s": 1.0, "parts_s": 0.2,
            "modes": results}


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", default="50,5000")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--renditions", default="360p", help="the players' renditions, given in turn")
    ap.add_argument("--webrtc-viewers", default="1,16,32")
    ap.add_argument("--skip", default="", help="comma-separated: audience, encode, webrtc, latency")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "hls.json"))
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    gop = load_side()
    results: dict = {"machine": machine()}
    if "audience" not in skip:
        print(f"-- HLS players through nginx, {args.seconds:.0f} s each", flush=True)
        results["audience"] = await audience([int(x) for x in args.viewers.split(",")], args.seconds,
                                             args.renditions, gop)
    if "encode" not in skip:
        print("-- the cost of each rendition's encode (one 640x480 camera)", flush=True)
        results["encode"] = await encode_cost(10.0, gop, ["720p", "360p", "audio", "720p,360p,audio"])
        print("-- the same with an H.264 camera: remuxed (source), and the ladder decoded from H.264", flush=True)
        results["encode"] += await encode_cost(10.0, encode_gop(codec="libx264"),
                                               ["source", "720p", "source,720p,360p,audio"], "video/H264")
    if "webrtc" not in skip:
        print("-- beside it: the hub's CPU per WebRTC viewer of the same camera", flush=True)
        results["webrtc"] = await webrtc_cost([int(x) for x in args.webrtc_viewers.split(",")], 8.0, gop)
    if "latency" not in skip:
        print("-- glass-to-glass: a camera painting its clock, hls.js in Chromium reading it", flush=True)
        results["latency"] = await latency(30.0)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
