"""A CPU hog for the contention workload: burns one core until its deadline (or
until killed), so the server and the load generator share their cores with it.

    python -m bench.hog SECONDS
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator


def burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        for _ in range(10_000):
            x = (x * 1103515245 + 12345) & 0xFFFFFFFF


@contextlib.contextmanager
def hogs(seconds: float, cores: list[int] | None = None) -> Iterator[list[subprocess.Popen]]:
    """One burner per core (pinned), bounded by `seconds`, killed on the way out."""
    cores = list(range(os.cpu_count() or 1)) if cores is None else cores
    procs = [subprocess.Popen(["taskset", "-c", str(core), sys.executable, "-m", "bench.hog", str(seconds)])
             for core in cores]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    burn(float(sys.argv[1]))
