"""Fan-out benchmark: N viewers, M updates per second, one event.

Multiplex runs its real path (moderator command -> log -> fan-out -> viewers);
the peers generate the same frames in-process. Server on core 0, load
generator on core 1. Prints, per server: deliveries/s, loss, latency from
commit to receipt (p50/p99/p999), server CPU (cores), memory per connection,
connect time, and the load generator's own CPU (a run where it is saturated is
flagged: its figures are not the server's).

    python -m bench.fanout --viewers 5000 --rate 10 --seconds 15
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from hub.client import LiveClient
from hub.domain.actors import Role
from hub.security import access

from .loadgen import Swarm
from .procstat import cpu_seconds, rss_bytes
from .servers import EVENT, LOAD_CORE, ROOT, SECRET, free_port, start_servers, wait_listening  # noqa: F401


def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def drive_multiplex(port: int, rate: float, seconds: float) -> tuple[LiveClient, int]:
    """The control room posting live updates through the real command path."""
    url = f"ws://127.0.0.1:{port}/live/{EVENT}"
    mod = LiveClient(url, token=access.sign(SECRET, EVENT, Role.MODERATOR, None, int(time.time()) + 3600))
    await mod.connect()
    return mod, 0


def cpu(procs: list[subprocess.Popen]) -> float:
    return sum(cpu_seconds(p.pid) for p in procs)


def rss(procs: list[subprocess.Popen]) -> int:
    return sum(rss_bytes(p.pid) for p in procs)


async def run_one(kind: str, viewers: int, rate: float, seconds: float, warmup: float) -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        servers = await start_servers(kind, data_dir)
        procs = servers.procs
        try:
            await asyncio.sleep(0.5)
            rss_before = rss(procs)
            swarms = [Swarm("127.0.0.1", p, f"/live/{EVENT}") for p in servers.viewer_ports]
            started = time.perf_counter()
            for i, swarm in enumerate(swarms):  # viewers split between the hub processes
                await swarm.connect(viewers // len(swarms) + (i < viewers % len(swarms)))
            connect_s = time.perf_counter() - started
            swarm = swarms[0]
            if len(swarms) > 1:
                swarm = merge(swarms)
            await asyncio.sleep(1.0)
            rss_after = rss(procs)

            if kind.startswith("multiplex"):
                mod, _ = await drive_multiplex(servers.driver_port, rate, seconds)
                loop = asyncio.get_running_loop()

                async def post_for(duration: float) -> int:
                    sent, nxt, end = 0, loop.time(), loop.time() + duration
                    while loop.time() < end:
                        await mod.command({"type": "feed.post", "text": f"Live update n°{sent} from the régie"})
                        sent += 1
                        nxt += 1 / rate
                        await asyncio.sleep(max(0.0, nxt - loop.time()))
                    return sent

                await post_for(warmup)
                swarm.recording = True
                cpu0, help0 = cpu(procs), cpu(servers.helpers)
                t0, self0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
                sent = await post_for(seconds)
            else:
                from websockets.asyncio.client import connect
                ctl = await connect(f"ws://127.0.0.1:{servers.driver_port}/live/{EVENT}")
                await ctl.send(json.dumps({"type": "start", "rate": rate}))
                await asyncio.sleep(warmup)
                swarm.recording = True
                cpu0, help0 = cpu(procs), cpu(servers.helpers)
                t0, self0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
                await asyncio.sleep(seconds)
                sent = round(seconds * rate)
            elapsed = time.perf_counter() - t0
            cpu1, help1, self1 = cpu(procs), cpu(servers.helpers), resource.getrusage(resource.RUSAGE_SELF)
            swarm.recording = False
            if not kind.startswith("multiplex"):
                await ctl.close()
                await asyncio.sleep(0.3)
            # let the last frames land, then check every viewer reached the same seq
            await asyncio.sleep(1.5)
            final = max(v.seq for v in swarm.viewers)
            behind = sum(1 for v in swarm.viewers if v.seq != final)
            gaps = sum(v.gaps for v in swarm.viewers)
            lat = sorted(swarm.latencies)
            expected = sent * viewers
            loadgen_cpu = ((self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)) / elapsed
            result = {
                "server": kind, "viewers": viewers, "rate": rate, "seconds": round(elapsed, 2),
                "deliveries_per_s": round(len(lat) / elapsed),
                "lost_fraction": round(max(0, expected - len(lat)) / expected, 5) if expected else None,
                "viewers_behind_at_end": behind, "seq_regressions": gaps,
                "dropped_connections": swarm.lost_connections,
                "p50_ms": round(pct(lat, 0.50), 1), "p99_ms": round(pct(lat, 0.99), 1),
                "p999_ms": round(pct(lat, 0.999), 1), "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
                "server_cores": round((cpu1 - cpu0) / elapsed, 3),
                "server_cpu_us_per_delivery": round((cpu1 - cpu0) / max(1, len(lat)) * 1e6, 2),
                "kib_per_connection": round((rss_after - rss_before) / viewers / 1024, 1),
                "connect_s": round(connect_s, 2),
                "loadgen_cores": round(loadgen_cpu, 3),
                "loadgen_saturated": loadgen_cpu > 0.9,
                "processes": len(procs),
            }
            if servers.helpers:
                result["redis_cores"] = round((help1 - help0) / elapsed, 3)
            swarm.close()
            if kind.startswith("multiplex"):
                await mod.close()
            return result
        finally:
            servers.stop()


def merge(swarms: list[Swarm]) -> Swarm:
    """One view over several swarms (one per hub process): shared latency samples."""
    merged = swarms[0]
    for other in swarms[1:]:
        for viewer in other.viewers:
            viewer.swarm = merged  # its samples, and the recording switch, are the merged ones
        merged.viewers = merged.viewers + other.viewers
    return merged


def print_table(results: list[dict]) -> None:
    cols = ["server", "viewers", "rate", "deliveries_per_s", "lost_fraction", "p50_ms", "p99_ms", "p999_ms",
            "server_cores", "server_cpu_us_per_delivery", "kib_per_connection", "connect_s", "loadgen_cores"]
    print(" | ".join(cols))
    for r in results:
        print(" | ".join(str(r.get(c)) for c in cols) + ("  (LOAD GENERATOR SATURATED)" if r["loadgen_saturated"]
                                                        else ""))
    base = next((r for r in results if r["server"] == "multiplex"), None)
    if base:
        for r in results:
            if r is not base and r["server_cores"]:
                print(f"ratio server CPU per delivery, {r['server']} / multiplex: "
                      f"{r['server_cpu_us_per_delivery'] / max(base['server_cpu_us_per_delivery'], 1e-9):.2f}")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--servers", default="multiplex,ws-broadcast,starlette-loop")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "fanout.json"))
    args = ap.parse_args()
    os.sched_setaffinity(0, {LOAD_CORE})
    results = []
    for kind in args.servers.split(","):
        print(f"-- {kind}: {args.viewers} viewers x {args.rate:g} updates/s for {args.seconds:g}s", flush=True)
        results.append(await run_one(kind, args.viewers, args.rate, args.seconds, args.warmup))
        print(json.dumps(results[-1]), flush=True)
    print_table(results)
    Path(args.out).write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")
    print(f"written {args.out}")


def machine() -> dict:
    import platform
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "kernel": platform.release(),
            "date": time.strftime("%Y-%m-%d"), "settings": hub_settings()}


def hub_settings() -> str:
    """The hub settings the servers ran with: the benches pass none of their own."""
    given = {k: v for k, v in sorted(os.environ.items()) if k.startswith("HUB_")}
    return ", ".join(f"{k}={v}" for k, v in given.items()) or "defaults"


if __name__ == "__main__":
    import uvloop
    uvloop.run(main())
