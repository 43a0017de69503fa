"""`multiplex purge` and HUB_RETENTION_DAYS: after the event, participants' texts
and names leave the log (and its snapshots), the figures stay, and the hub starts
and serves the purged event as before."""
from __future__ import annotations

import asyncio
import subprocess
import sys

import msgspec
import pytest

from hub.domain import report
from hub.log import open_log

from ..hubserver import EVENT, EVENTS_DIR, SECRET, HubServer

ROOT = EVENTS_DIR.parents[1]


async def a_day(hub: HubServer) -> dict:
    person, mod = hub.participant("reims", pid="claire-browser-0001", category="parent"), hub.moderator()
    await asyncio.gather(person.connect(), mod.connect())
    ask = await person.command({"type": "question.ask", "text": "Mon enfant est DYS, quelles ressources ?",
                                "name": "Claire Martin"})
    await mod.command({"type": "question.approve", "question": ask["result"]["question"]})
    filed = await person.command({"type": "proposal.submit", "theme": "egal-acces", "title": "Des ressources adaptées"})
    await mod.command({"type": "feed.approve", "post": filed["result"]["post"]})
    await person.command({"type": "feed.upvote", "post": filed["result"]["post"]})
    await person.command({"type": "reaction.send", "emoji": "👏"})
    await asyncio.gather(person.close(), mod.close())
    ev = hub.runtime.events[EVENT]
    await ev.replica.snapshot()  # a snapshot with the texts in it, which the purge must drop
    return report.figures(ev.replica.state, ev.config)


async def raw_log(url: str) -> bytes:
    log = open_log(url)
    await log.open()
    try:
        return b"\n".join(d for _, d in await log.read(EVENT, 0, limit=10_000)) + (
            (await log.load_snapshot(EVENT) or (0, b""))[1])
    finally:
        await log.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_purge_erases_texts_and_names_and_keeps_the_figures(tmp_path, request, backend):
    overrides = {"log_url": request.getfixturevalue("redis_server").url} if backend == "redis" else {}
    hub = HubServer(tmp_path / "data", **overrides)
    await hub.start()
    before = await a_day(hub)
    await hub.stop()
    url = hub.settings.effective_log_url
    assert b"Claire Martin" in await raw_log(url)
    env = {"PATH": "/usr/bin:/bin", "HUB_SECRET": SECRET, "HUB_DATA_DIR": str(hub.settings.data_dir),
           "HUB_LOG_URL": url, "HUB_EVENTS_DIR": str(EVENTS_DIR)}
    done = subprocess.run([sys.executable, "-m", "hub.cli", "purge", EVENT, "--yes"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    raw = await raw_log(url)
    for secret in (b"Claire Martin", b"DYS", b"ressources adapt", b"claire-browser-0001"):
        assert secret not in raw
    await hub.start()
    try:
        ev = hub.runtime.events[EVENT]
        after = report.figures(ev.replica.state, ev.config)
        for section in ("attendance", "questions", "reactions", "live_posts", "polls"):
            assert after[section] == before[section]
        assert [p["votes"] for p in after["proposals"]] == [p["votes"] for p in before["proposals"]] == [1]
        viewer = hub.viewer()
        await viewer.connect()
        assert [q["text"] for q in viewer.state["questions"].values()] == ["[effacé]"]
        await viewer.close()
    finally:
        await hub.stop()


async def test_a_hub_purges_an_event_past_its_retention_when_it_starts(tmp_path):
    hub = HubServer(tmp_path / "data")
    await hub.start()
    await a_day(hub)  # the Grand Est day was in 2020: long past any retention
    await hub.stop()
    hub.with_settings(retention_days=30)
    await hub.start()
    try:
        state = hub.runtime.events[EVENT].replica.state
        assert all(q.text == "[effacé]" and q.name is None for q in state.qna.questions.values())
        assert "[effacé]" in msgspec.json.encode(report.figures(state, hub.runtime.events[EVENT].config)).decode()
    finally:
        await hub.stop()
    assert b"Claire Martin" not in await raw_log(hub.settings.effective_log_url)
