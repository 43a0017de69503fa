"""/metrics after a small scenario: connections per event and role, deliveries,
flushes and the entries they carried, refusals per code, the log's append
latency; behind the control room's link, or on an address of its own."""
from __future__ import annotations

import gc

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hub.client import HubError
from hub.domain.actors import Role

from ..hubserver import EVENT, HubServer, free_port


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_the_metrics_after_a_small_scenario(http, hub):
    mod, viewer, participant = hub.moderator(), hub.viewer(), hub.participant("reims")
    for client in (mod, viewer, participant):
        await client.connect()
    await mod.command({"type": "feed.post", "text": "Bienvenue"})
    await viewer.wait_for(lambda c: len(c.state["posts"]) == 1)
    try:
        await viewer.command({"type": "question.upvote", "question": "q404"})
    except HubError:
        pass
    assert (await http.get("/metrics")).status_code == 401
    assert (await http.get("/metrics", headers={"Authorization": f"Bearer {hub.token(Role.COORDINATOR, 'reims')}"})
            ).status_code == 403
    r = await http.get("/metrics", headers={"Authorization": f"Bearer {hub.token(Role.MODERATOR)}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    got = samples(r.text)
    ev = (("event", EVENT),)
    assert got[("multiplex_connections", (("event", EVENT), ("role", "viewer")))] == 1
    assert got[("multiplex_connections", (("event", EVENT), ("role", "participant")))] == 1
    assert got[("multiplex_connections", (("event", EVENT), ("role", "moderator")))] == 1
    assert got[("multiplex_deliveries_total", ev)] >= 3  # the post, to each of the three
    assert got[("multiplex_entries_flushed_total", ev)] >= got[("multiplex_flushes_total", ev)] >= 1
    assert got[("multiplex_refusals_total", (("code", "question.not_found"),))] == 1
    assert got[("multiplex_refusals_total", (("code", "auth.missing"),))] == 1
    assert got[("multiplex_log_append_seconds_count", ev)] >= 1
    assert got[("multiplex_flush_seconds_count", ev)] == got[("multiplex_flushes_total", ev)]
    gc.collect(0)  # a collection happens while the hub serves: it is timed
    r = await http.get("/metrics", headers={"Authorization": f"Bearer {hub.token(Role.MODERATOR)}"})
    assert samples(r.text)[("multiplex_gc_pause_seconds_count", (("generation", "0"),))] >= 1
    assert got[("multiplex_media_sessions", (("event", EVENT), ("kind", "watch")))] == 0
    assert ("multiplex_replica_lag_entries", ev) in got
    for client in (mod, viewer, participant):
        await client.close()
    timing = hub.runtime.metrics.gc_pauses._callback
    assert timing in gc.callbacks
    await hub.stop()
    assert timing not in gc.callbacks  # a stopped hub leaves the collector as it found it


async def test_the_metrics_on_an_address_of_their_own(tmp_path):
    port = free_port()
    hub = HubServer(tmp_path / "data", metrics_address=f"127.0.0.1:{port}")
    await hub.start()
    try:
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert r.status_code == 200 and "multiplex_up 1.0" in r.text
    finally:
        await hub.stop()
