"""Two hub processes on one Redis behind nginx: one event, one order, any entry point."""
from __future__ import annotations

import asyncio

import httpx

from .topology import EVENT


async def test_a_change_made_on_one_hub_reaches_clients_of_the_other_in_the_same_order(cluster):
    one, two = cluster.hubs
    mod_one = cluster.moderator(one.url)
    viewers_two = [cluster.viewer(two.url) for _ in range(3)]
    viewer_lb = cluster.participant("reims")  # through nginx, to either
    await asyncio.gather(mod_one.connect(), viewer_lb.connect(), *(v.connect() for v in viewers_two))
    for i in range(20):
        await mod_one.command({"type": "feed.post", "text": f"Depuis hub-1, n°{i}"})
    mod_two = cluster.moderator(two.url)
    await mod_two.connect()
    await mod_two.command({"type": "feed.post", "text": "Depuis hub-2"})
    final = max(c.seq for c in (mod_one, mod_two))
    for client in (mod_one, mod_two, viewer_lb, *viewers_two):
        await client.wait_for(lambda c: c.seq is not None and c.seq >= final and len(c.state["posts"]) == 21)
        assert not client.gaps_or_overlaps()
    assert mod_one.state == mod_two.state
    assert all(v.state == viewers_two[0].state for v in (viewer_lb, *viewers_two))
    async with httpx.AsyncClient() as http:
        seqs = [(await http.get(f"http://127.0.0.1:{h.port}/healthz")).json()["events"][EVENT] for h in cluster.hubs]
        via_lb = await http.get(f"http://127.0.0.1:{cluster.lb.port}/healthz")
    assert seqs[0] == seqs[1] and via_lb.status_code == 200
    await asyncio.gather(mod_one.close(), mod_two.close(), viewer_lb.close(), *(v.close() for v in viewers_two))


async def test_pages_and_uploads_work_through_the_load_balancer(cluster):
    from hub.domain.actors import Role

    from ..http.test_http import tiny_png
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{cluster.lb.port}") as http:
        page = await http.get(f"/e/{EVENT}")
        assert page.status_code == 200 and "content-security-policy" in page.headers
        r = await http.post(f"/api/events/{EVENT}/uploads", content=tiny_png(),
                            headers={"Authorization": f"Bearer {cluster.token(Role.COORDINATOR, 'metz')}"})
        assert r.status_code == 201
        # served by both hubs: they share the data volume
        for hub in cluster.hubs:
            got = await http.get(f"http://127.0.0.1:{hub.port}{r.json()['url']}")
            assert got.status_code == 200 and got.content == tiny_png()


async def test_captions_typed_on_one_hub_reach_the_other_and_a_reconnecting_viewer_gets_what_it_missed(cluster):
    """Caption lines are log entries like the rest: over Redis to the other hub's viewers,
    in order, and a viewer that was away gets the lines it missed when it resumes."""
    from hub.domain.actors import Role
    one, two = cluster.hubs
    captioner = cluster.viewer(one.url, token=cluster.token(Role.CAPTIONER))
    viewer = cluster.viewer(two.url)
    await asyncio.gather(captioner.connect(), viewer.connect())
    await captioner.command({"type": "caption.line", "text": "Bonjour depuis Nancy"})
    await viewer.wait_for(lambda c: [x["text"] for x in c.state.get("captions", [])] == ["Bonjour depuis Nancy"])
    import copy
    held, seq = copy.deepcopy(viewer.state), viewer.seq
    await viewer.close()  # the phone leaves; what it holds stays, as a page's mirror does
    for text in ("Pendant la coupure, 1", "Pendant la coupure, 2"):
        await captioner.command({"type": "caption.line", "text": text})
    back = cluster.viewer(two.url, pid=viewer.pid)
    back.state, back.seq = held, seq  # hello with resume: the update from seq + 1, not a snapshot
    await back.connect()
    await back.wait_for(lambda c: [x["text"] for x in c.state.get("captions", [])] == [
        "Bonjour depuis Nancy", "Pendant la coupure, 1", "Pendant la coupure, 2"], timeout=20)
    assert not back.gaps_or_overlaps() and back.ranges and back.ranges[0][0] == seq + 1
    await asyncio.gather(captioner.close(), back.close())
