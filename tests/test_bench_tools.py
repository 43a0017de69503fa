"""The benchmark tooling works: the C load generator builds with the system's
compiler and counts exactly what a real hub delivers (no timing asserted here)."""
from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from bench.suite import LOADGEN_SRC


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler")
async def test_c_load_generator_counts_every_update_a_hub_sends(hub, tmp_path):
    binary = tmp_path / "loadgen"
    subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-o", str(binary), str(LOADGEN_SRC)], check=True)
    proc = subprocess.Popen([str(binary), "127.0.0.1", str(hub.settings.port), "/live/grand-est-2020", "mx", "40", "2",
                             "10", "1000"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = await asyncio.to_thread(proc.stdout.readline)
    assert ready.strip() == "READY 40"
    mod = hub.moderator()
    await mod.connect()
    proc.stdin.write("GO\n")
    proc.stdin.flush()
    for i in range(5):
        await mod.command({"type": "feed.post", "text": f"n°{i}"})
    import json
    result = json.loads(await asyncio.to_thread(proc.stdout.readline))
    assert result["connected"] == 40 and result["stalled"] == 4  # 10 % stop reading
    assert result["samples"] == 36 * 5 and result["regressions"] == 0 and result["min_per_viewer"] == 5
    await mod.close()


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler")
async def test_c_load_generator_stops_when_the_bench_that_started_it_is_gone(hub, tmp_path):
    """Its stdin closed before GO (the bench failed): it ends, instead of spinning a core forever."""
    binary = tmp_path / "loadgen"
    subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-o", str(binary), str(LOADGEN_SRC)], check=True)
    proc = subprocess.Popen([str(binary), "127.0.0.1", str(hub.settings.port), "/live/grand-est-2020", "mx", "5", "2",
                             "0", "1000"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "READY 5"
    proc.stdin.close()
    assert await asyncio.to_thread(proc.wait, 60) == 3
