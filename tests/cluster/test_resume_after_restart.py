"""A client that resumes after a crash restart, or onto a freshly started second hub,
gets exactly what it missed: an update with every change, never an empty one."""
from __future__ import annotations

import asyncio
import json
import time

import httpx
from websockets.asyncio.client import connect

from hub.client import LiveClient
from hub.domain.actors import Role
from hub.security import access

from ..support import RedisServer
from .topology import EVENT, SECRET, HubProcess, wait_healthy

QUIET = {"HUB_PRESENCE_INTERVAL_MS": "3600000", "HUB_ATTENDANCE_INTERVAL_MS": "0"}  # the seqs are the test's own


async def seq_of_a_new_viewer(url: str) -> int:
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "hello", "pid": "resuming-viewer-1"}))
        assert json.loads(await ws.recv())["type"] == "welcome"
        snapshot = json.loads(await ws.recv())
        return int(snapshot["seq"])


async def resume(url: str, seq: int) -> dict:
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "hello", "pid": "resuming-viewer-1", "resume": seq}))
        assert json.loads(await ws.recv())["type"] == "welcome"
        return json.loads(await ws.recv())


async def post(url: str, token: str, texts: list[str]) -> int:
    async with LiveClient(url, token=token) as mod:
        for text in texts:
            last = (await mod.command({"type": "feed.post", "text": text}))["seq"]
    return last


def posts_in(update: dict) -> list[str]:
    return [value["body"] for kind, _, value in update["changes"] if kind == "post" and value]


def moderator_token() -> str:
    return access.sign(SECRET, EVENT, Role.MODERATOR, None, int(time.time()) + 3600)


async def test_resume_after_a_crash_restart_gets_what_was_missed(tmp_path):
    hub = HubProcess("solo", f"sqlite:{tmp_path / 'log.db'}", tmp_path / "data", tmp_path, **QUIET)
    hub.start()
    try:
        wait_healthy([hub])
        token = moderator_token()
        await post(hub.url, token, ["Avant"])
        held = await seq_of_a_new_viewer(hub.url)
        texts = [f"Pendant la coupure {i}" for i in range(5)]
        last = await post(hub.url, token, texts)
        hub.kill()  # SIGKILL: no final snapshot, nothing flushed on the way out
        hub.start()
        wait_healthy([hub])
        update = await resume(hub.url, held)
        assert update["type"] == "update" and update["from"] == held + 1 and update["seq"] == last
        assert sorted(posts_in(update)) == sorted(texts)
    finally:
        hub.stop()


async def test_resume_onto_a_freshly_started_second_hub_gets_what_was_missed(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    env = {**QUIET, "HUB_SNAPSHOT_EVERY": "3"}
    first = HubProcess("hub-1", redis.url, tmp_path / "data", tmp_path, **env)
    second = HubProcess("hub-2", redis.url, tmp_path / "data", tmp_path, **env)
    try:
        first.start()
        wait_healthy([first])
        token = moderator_token()
        await post(first.url, token, ["Un", "Deux", "Trois"])  # hub-1 saves a snapshot at 3
        await _wait_snapshot(first.port)
        held = await seq_of_a_new_viewer(first.url)
        texts = ["Quatre", "Cinq"]
        last = await post(first.url, token, texts)
        second.start()  # starts from the snapshot, replays what came after
        wait_healthy([second])
        update = await resume(second.url, held)
        assert update["type"] == "update" and update["from"] == held + 1 and update["seq"] == last
        assert sorted(posts_in(update)) == sorted(texts)
    finally:
        first.stop()
        second.stop()
        redis.stop()


async def _wait_snapshot(port: int) -> None:
    """The snapshot is saved in the background; the health endpoint says when."""
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            r = await http.get(f"http://127.0.0.1:{port}/healthz")
            if r.json()["snapshots"][EVENT] >= 3:
                return
            await asyncio.sleep(0.05)
    raise TimeoutError("no snapshot saved")
