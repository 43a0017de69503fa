"""Before and after a change to the hot path, in one run: the hub of an older
revision (a git worktree of it) and this checkout's, interleaved, same load
generator, same machine state. Writes bench/results/before-after.json, which
BENCHMARKS.md shows.

    python -m bench.compare REV                      # 5000 x 10/s and 2000 x 500/s, twice each
    python -m bench.compare REV --seconds 8
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


async def compare(rev: str, seconds: float) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    here = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before), commit], cwd=ROOT, check=True)
        try:
            rows = []
            for viewers, rate in WORKLOADS:
                for _ in range(2):  # interleaved: the machine drifts
                    for label, root in ((f"before ({commit})", before), (f"after ({here})", ROOT)):
                        print(f"-- {label}: {viewers} viewers x {rate}/s", flush=True)
                        rows.append({"code": label, **await fanout("multiplex", viewers, rate, seconds,
                                                                   hub_root=root)})
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)
    note = (f"`python -m bench.compare {commit}`: the hub at {commit} and at {here} (this checkout, uncommitted "
            "changes included), interleaved in one run, default settings")
    return {"machine": machine(), "note": note, "results": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rev", help="the revision before the change (a commit, a tag, main~3)")
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    out = asyncio.run(compare(args.rev, args.seconds))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "before-after.json").write_text(json.dumps(out, indent=2) + "\n")
    print("written bench/results/before-after.json")


if __name__ == "__main__":
    sys.exit(main())
