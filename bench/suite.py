"""The benchmark suite: Multiplex through its real path against the peers a user
would pick, in the same run. Server on core 0, load generator (C, compiled here)
on core 1; all traffic on 127.0.0.1. Results: bench/results/<workload>.json.

    python -m bench.suite viewers      # 2000 / 5000 / 10000 viewers x 10 updates/s
    python -m bench.suite rate         # 5000 viewers, 1 to 200 updates/s
    python -m bench.suite saturation   # deliveries per second at saturation
    python -m bench.suite stalled      # 5 % of viewers stop reading
    python -m bench.suite join         # 5000 viewers connecting in a few seconds
    python -m bench.suite twoproc      # two processes: Redis Streams vs Socket.IO's Redis adapter
    python -m bench.suite votes        # vote storm (bench/storms.py)
    python -m bench.suite reconnect    # reconnect storm with resume (bench/storms.py)
    python -m bench.suite events       # 50 events x 100 viewers + a 5000-viewer plenary (bench/storms.py)
    python -m bench.suite all          # everything, then BENCHMARKS.md and its plots
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

from .fanout import hub_settings
from .procstat import cpu_seconds, rss_bytes
from .servers import LOAD_CORE, PROTOCOL, ROOT, Servers, driver_for, start_servers

RESULTS = ROOT / "bench" / "results"
LOADGEN_SRC = ROOT / "bench" / "c" / "loadgen.c"
PEERS = ["multiplex", "socketio", "node-ws", "ws-broadcast", "starlette-loop", "python-socketio"]


def loadgen_binary() -> str:
    """Compiled at bench time with the system's C compiler."""
    out = Path(tempfile.gettempdir()) / "multiplex-loadgen"
    if not out.exists() or out.stat().st_mtime < LOADGEN_SRC.stat().st_mtime:
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(out), str(LOADGEN_SRC)], check=True)
    return str(out)


class LoadGen:
    """One C load generator process per target port, pinned to the load core."""

    def __init__(self, port: int, mode: str, path: str, conns: int, seconds: float, stall_pct: int = 0,
                 connect_rate: float = 2500, follow: list[str] | None = None, sources: int = 0,
                 first_source: int = 2) -> None:
        # sources > 0: connect from that many loopback addresses (127.0.0.<first_source>...)
        self.proc = subprocess.Popen(["taskset", "-c", str(LOAD_CORE), loadgen_binary(), "127.0.0.1", str(port), path,
                                      mode, str(conns), str(seconds), str(stall_pct), str(connect_rate),
                                      ",".join(follow or []), str(sources), str(first_source)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    async def ready(self) -> int:
        line = await asyncio.to_thread(self.proc.stdout.readline)  # type: ignore[union-attr]
        if not line.startswith("READY"):
            raise RuntimeError(f"load generator: {line!r}")
        return int(line.split()[1])

    def go(self) -> None:
        self.proc.stdin.write("GO\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    async def result(self) -> dict:
        line = await asyncio.to_thread(self.proc.stdout.readline)  # type: ignore[union-attr]
        self.proc.wait(10)
        return json.loads(line)


def combine(parts: list[dict]) -> dict:
    """Results of several load generators (one per server process) as one: counts add
    up, percentiles are taken from the worst part (a conservative reading)."""
    if len(parts) == 1:
        return parts[0]
    out = dict(parts[0])
    for key in ("connected", "failed", "stalled", "open_at_end", "samples", "messages", "regressions", "closed"):
        out[key] = sum(p[key] for p in parts)
    for key in ("p50_ms", "p99_ms", "p999_ms", "max_ms", "connect_p50_ms", "connect_p99_ms", "connect_max_ms",
                "connect_all_s"):
        out[key] = max(p[key] for p in parts)
    out["min_per_viewer"] = min(p["min_per_viewer"] for p in parts)
    out["loadgen_cores"] = sum(p["loadgen_cores"] for p in parts)
    return out


async def fanout(kind: str, viewers: int, rate: float, seconds: float = 8.0, warmup: float = 2.0,
                 stall_pct: int = 0, connect_rate: float = 2500, follow: list[str] | None = None,
                 gens_per_port: int = 1, sources: int = 0, hub_root: Path = ROOT) -> dict:
    """`gens_per_port` load generators per server port (each process has its own file
    descriptor limit), each connecting from `sources` loopback addresses of its own."""
    mode, path = PROTOCOL[kind]
    with tempfile.TemporaryDirectory() as data_dir:
        servers: Servers = await start_servers(kind, data_dir, hub_root=hub_root)
        try:
            await asyncio.sleep(0.3)
            rss0 = sum(rss_bytes(p.pid) for p in servers.procs)
            ports = [port for port in servers.viewer_ports for _ in range(gens_per_port)]
            share = [viewers // len(ports) + (i < viewers % len(ports)) for i in range(len(ports))]
            gens = [LoadGen(port, mode, path, n, seconds, stall_pct, connect_rate / len(share), follow,
                            sources, 2 + i * sources)
                    for i, (port, n) in enumerate(zip(ports, share))]
            connected = sum([await g.ready() for g in gens])
            await asyncio.sleep(1.0)
            rss1 = sum(rss_bytes(p.pid) for p in servers.procs)
            driver = driver_for(servers)
            await driver.start(rate)
            driving_since = time.perf_counter()
            await asyncio.sleep(warmup)
            cpu0 = sum(cpu_seconds(p.pid) for p in servers.procs)
            helpers0 = sum(cpu_seconds(p.pid) for p in servers.helpers)
            t0 = time.perf_counter()
            for g in gens:
                g.go()
            parts = [await g.result() for g in gens]
            elapsed = time.perf_counter() - t0
            cpu1 = sum(cpu_seconds(p.pid) for p in servers.procs)
            helpers1 = sum(cpu_seconds(p.pid) for p in servers.helpers)
            published = await driver.stop()
            published_per_s = published / (time.perf_counter() - driving_since)
            lg = combine(parts)
            receiving = max(1, lg["connected"] - lg["stalled"])
            expected = rate * seconds * receiving
            result = {
                "server": kind, "viewers": viewers, "rate": rate, "published_per_s": round(published_per_s, 1),
                "tracks": len(follow) if follow else 1,
                "stalled_pct": stall_pct,
                "connected": connected, "deliveries_per_s": round(lg["samples"] / elapsed),
                "lost_fraction": round(max(0.0, 1 - lg["samples"] / expected), 4) if expected else None,
                "p50_ms": lg["p50_ms"], "p99_ms": lg["p99_ms"], "p999_ms": lg["p999_ms"],
                "server_cores": round((cpu1 - cpu0) / elapsed, 3),
                "server_cpu_us_per_delivery": round((cpu1 - cpu0) / max(1, lg["samples"]) * 1e6, 2),
                "kib_per_connection": round((rss1 - rss0) / max(1, connected) / 1024, 1),
                "connect_p50_ms": lg["connect_p50_ms"], "connect_p99_ms": lg["connect_p99_ms"],
                "connect_all_s": lg["connect_all_s"], "regressions": lg["regressions"], "closed": lg["closed"],
                "loadgen_cores": lg["loadgen_cores"], "loadgen_saturated": lg["loadgen_cores"] > 0.9 * len(gens),
            }
            if servers.helpers:
                result["redis_cores"] = round((helpers1 - helpers0) / elapsed, 3)
            print(f"   {json.dumps(result)}", flush=True)
            return result
        finally:
            servers.stop()


def save(name: str, results) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")


def machine() -> dict:
    import platform
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "kernel": platform.release(),
            "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
            "date": time.strftime("%Y-%m-%d"), "settings": hub_settings()}



async def w_viewers(args) -> list[dict]:
    out = []
    for n in (2000, 5000, 10000):
        for kind in PEERS:
            print(f"-- {kind}: {n} viewers x 10/s", flush=True)
            out.append(await fanout(kind, n, 10, args.seconds))
    return out


async def w_rate(args) -> list[dict]:
    out = []
    for rate in (1, 10, 50, 100, 200):
        for kind in ("multiplex", "socketio", "node-ws", "ws-broadcast"):
            print(f"-- {kind}: 5000 viewers x {rate}/s", flush=True)
            out.append(await fanout(kind, 5000, rate, args.seconds))
    return out


async def w_saturation(args) -> list[dict]:
    out = []
    for kind in ("multiplex", "node-ws-batch", "socketio", "node-ws", "ws-broadcast"):
        print(f"-- {kind}: 2000 viewers x 500/s (saturation)", flush=True)
        out.append(await fanout(kind, 2000, 500, args.seconds))
    return out


async def w_stalled(args) -> list[dict]:
    out = []
    for kind in ("multiplex", "socketio", "ws-broadcast"):
        for pct in (0, 5):
            print(f"-- {kind}: 5000 viewers x 10/s, {pct} % stalled", flush=True)
            out.append(await fanout(kind, 5000, 10, args.seconds, stall_pct=pct))
    return out


async def w_join(args) -> list[dict]:
    out = []
    for kind in ("multiplex", "socketio", "node-ws"):
        print(f"-- {kind}: 5000 viewers joining at 2500/s", flush=True)
        out.append(await fanout(kind, 5000, 1, 3.0, connect_rate=2500))
    return out


# The Grand Est day's seven sites: viewers following each site's track are seven audiences.
SEVEN_TRACKS = ["nancy", "strasbourg", "reims", "mulhouse", "metz", "troyes", "epinal"]


async def w_tracks(args) -> list[dict]:
    """5000 viewers x 10 updates/s following one track (the program) or spread over the
    seven sites' tracks, in the same run: a frame is rendered once per audience, so the
    cost per delivery should barely move (issue 16: within 1.2x)."""
    out = []
    for follow in (None, SEVEN_TRACKS, None, SEVEN_TRACKS):  # twice each, interleaved: the machine drifts
        print(f"-- multiplex: 5000 viewers x 10/s on {len(follow) if follow else 1} track(s)", flush=True)
        out.append(await fanout("multiplex", 5000, 10, args.seconds, follow=follow))
    one = [r["server_cpu_us_per_delivery"] for r in out if r["tracks"] == 1]
    seven = [r["server_cpu_us_per_delivery"] for r in out if r["tracks"] == 7]
    print(f"   cost per delivery, 7 tracks / 1 track: {min(seven) / min(one):.2f} (best of two each)", flush=True)
    return out


async def w_contention(args) -> list[dict]:
    """5000 viewers x 10/s while a CPU hog runs on each core (bench/hog.py): the server
    and the load generator get about half a core each. Twice each, interleaved."""
    from .hog import hogs
    out = []
    for kind in ("multiplex", "node-ws", "socketio", "multiplex", "node-ws", "socketio"):
        print(f"-- {kind}: 5000 viewers x 10/s, a CPU hog on every core", flush=True)
        with hogs(seconds=120):
            result = await fanout(kind, 5000, 10, args.seconds)
        out.append({**result, "contention": "one hog per core"})
    return out


def hub_fd_limit() -> int:
    """The file descriptors a hub process may hold here (it raises its soft limit to the hard one)."""
    import resource
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


async def w_big(args) -> list[dict]:
    """One process, 50 000 viewers x 1 update/s, asked; clients spread over loopback
    addresses (past one address's port range) and several load generators (each its
    own descriptor limit). Where the machine caps it (the hub's hard descriptor
    limit), it runs as many as fit and says so."""
    asked = 50_000
    fit = hub_fd_limit() - 200  # the hub's own files, listening socket, log, spare
    viewers = min(asked, fit)
    gens = max(1, -(-viewers // 10_000))
    out = []
    for kind in ("multiplex", "node-ws"):
        print(f"-- {kind}: {viewers} viewers x 1/s (asked {asked}; hub descriptor limit {hub_fd_limit()})", flush=True)
        result = await fanout(kind, viewers, 1, args.seconds, connect_rate=2500, gens_per_port=gens, sources=4)
        out.append({**result, "asked": asked, "fd_limit": hub_fd_limit(),
                    "capped_by": None if viewers == asked else "the hub's hard file-descriptor limit (ulimit -Hn)"})
    return out


async def w_twoproc(args) -> list[dict]:
    out = []
    for kind in ("multiplex", "multiplex-2p", "socketio", "socketio-2p"):
        print(f"-- {kind}: 5000 viewers x 10/s", flush=True)
        out.append(await fanout(kind, 5000, 10, args.seconds))
    return out


async def main() -> None:
    from . import storms
    workloads = {"viewers": w_viewers, "rate": w_rate, "saturation": w_saturation, "stalled": w_stalled,
                 "join": w_join, "twoproc": w_twoproc, "votes": storms.w_votes, "reconnect": storms.w_reconnect,
                 "events": storms.w_events, "tracks": w_tracks, "contention": w_contention, "big": w_big}
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", help=f"one of {', '.join([*workloads, 'all', 'report'])}, or several with commas")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--no-report", action="store_true", help="all: leave BENCHMARKS.md to `bench.suite report`")
    args = ap.parse_args()
    if args.workload == "all":
        names = list(workloads)
    elif args.workload == "report":
        names = []
    else:
        names = args.workload.split(",")
    for name in names:
        save(name, await workloads[name](args))
    if args.workload == "report" or (args.workload == "all" and not args.no_report):
        from .report import write_report
        write_report()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
