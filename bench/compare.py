"""Before and after a change to the hot path, in one run: the hub of an older
revision (a git worktree of it) and this checkout's, interleaved, same load
generator, same machine state. Writes bench/results/before-after.json, which
BENCHMARKS.md shows.

    python -m bench.compare REV                      # 5000 x 10/s and 2000 x 500/s, twice each
    python -m bench.compare REV --seconds 8
    python -m bench.compare REV --media              # hub CPU per extra picture-and-sound viewer, twice each
                                                     # (bench/results/media-before-after.json)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .servers import ROOT
from .suite import RESULTS, fanout, machine

WORKLOADS = [(5000, 10), (2000, 500)]


def _short(rev: str) -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


async def _fanout_rows(roots: list[tuple[str, Path]], seconds: float) -> list[dict]:
    rows = []
    for viewers, rate in WORKLOADS:
        for _ in range(2):  # interleaved: the machine drifts
            for label, root in roots:
                print(f"-- {label}: {viewers} viewers x {rate}/s", flush=True)
                rows.append({"code": label, **await fanout("multiplex", viewers, rate, seconds, hub_root=root)})
    return rows


async def _media_rows(roots: list[tuple[str, Path]], seconds: float) -> list[dict]:
    from .audio import per_viewer  # WebRTC and encoding only when the media path is compared
    from .media import load_side
    gop = load_side()
    rows = []
    for _ in range(2):
        for label, root in roots:
            print(f"-- {label}: hub CPU per extra picture-and-sound viewer", flush=True)
            r = await per_viewer("picture + sound", [1, 16, 48], seconds, gop, hub_root=root)
            rows.append({"code": label, "core_per_extra_viewer": r["core_per_extra_viewer"],
                         "hub_cores": [p["hub_cores"] for p in r["points"]],
                         "viewers": [p["viewers"] for p in r["points"]]})
    return rows


async def compare(rev: str, seconds: float, media: bool) -> dict:
    commit, here = _short(rev), _short("HEAD")
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before), commit], cwd=ROOT, check=True)
        try:
            roots = [(f"before ({commit})", before), (f"after ({here})", ROOT)]
            rows = await (_media_rows if media else _fanout_rows)(roots, seconds)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)
    note = (f"`python -m bench.compare {commit}{' --media' if media else ''}`: the hub at {commit} and at {here} "
            "(this checkout, uncommitted changes included), interleaved in one run, default settings")
    return {"machine": machine(), "note": note, "results": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rev", help="the revision before the change (a commit, a tag, main~3)")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--media", action="store_true", help="the media path instead of the live channel")
    args = ap.parse_args()
    out = asyncio.run(compare(args.rev, args.seconds, args.media))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "media-before-after.json" if args.media else "before-after.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2) + "\n")
    print(f"written bench/results/{name}")


if __name__ == "__main__":
    sys.exit(main())
