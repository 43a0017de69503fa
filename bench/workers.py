"""Media workers: does the media plane's cost split across processes, so that a
machine with more cores carries proportionally more viewers?

One picture-and-sound source; the same viewers watched through the hub alone,
through one worker and through two (HUB_MEDIA_WORKERS). The hub and its workers
are all pinned to core 0 here (this machine has two cores, and the viewers need
the other): the figure is CPU per extra viewer *in each process*. If two workers
each spend what one spends per viewer, and the hub's own share does not grow
with the audience, then N workers on N cores carry N times one.

    python -m bench.workers                      # ~3 minutes
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path

from .audio import nancy_publishing
from .fanout import machine
from .media import ROOT, load_side
from .procstat import cpu_seconds


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def cores(pids: list[int], seconds: float) -> list[float]:
    before = [cpu_seconds(p) for p in pids]
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await asyncio.sleep(seconds)
    elapsed = loop.time() - t0
    return [round((cpu_seconds(p) - b) / elapsed, 4) for p, b in zip(pids, before)]


async def run(workers: int, counts: list[int], seconds: float, gop: list[bytes]) -> dict:
    os.environ["HUB_MEDIA_WORKERS"] = str(workers)  # read by the hub at start; its workers inherit core 0
    try:
        async with nancy_publishing(gop) as (proc, more):
            points = []
            for n in counts:
                await more(n)
                worker_pids = children(proc.pid)[:workers] if workers else []
                measured = await cores([proc.pid, *worker_pids], seconds)
                points.append({"viewers": n, "hub_cores": measured[0], "worker_cores": measured[1:]})
                print(f"   {workers} worker(s): {json.dumps(points[-1])}", flush=True)
    finally:
        del os.environ["HUB_MEDIA_WORKERS"]
    first, last = points[0], points[-1]
    extra = max(1, last["viewers"] - first["viewers"])
    out = {"workers": workers, "points": points,
           "hub_core_per_extra_viewer": round((last["hub_cores"] - first["hub_cores"]) / extra, 5)}
    if workers:
        # each worker's share of the viewers: the least loaded gets the next one
        per = [(lc - fc) / (extra / workers) for fc, lc in zip(first["worker_cores"], last["worker_cores"])]
        out["worker_core_per_extra_viewer"] = [round(x, 5) for x in per]
    total = [p["hub_cores"] + sum(p["worker_cores"]) for p in (first, last)]
    out["all_core_per_extra_viewer"] = round((total[1] - total[0]) / extra, 5)
    return out


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", default="2,48")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "workers.json"))
    args = ap.parse_args()
    gop = load_side()
    counts = [int(x) for x in args.viewers.split(",")]
    results = {"machine": machine(), "runs": [await run(w, counts, args.seconds, gop) for w in (0, 1, 2)]}
    for r in results["runs"]:
        print(f"{r['workers']} worker(s): hub {r['hub_core_per_extra_viewer'] * 100:.3f} % per extra viewer, "
              f"workers {[round(x * 100, 3) for x in r.get('worker_core_per_extra_viewer', [])]} %, "
              f"all {r['all_core_per_extra_viewer'] * 100:.3f} %")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
