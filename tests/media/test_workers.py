"""Media workers (HUB_MEDIA_WORKERS, hub/media/workers.py and worker.py): remote
viewers are served by other processes, each pulling what its viewers watch from
the hub once; the picture is the site's, the program follows the switch, a
viewer's DELETE ends its session, and the hub counts them."""
from __future__ import annotations

import asyncio
import os
import signal

import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from hub.domain.actors import Role

from ..hubserver import EVENT, HubServer
from ..support import until
from .peers import BLUE, RED, Watcher, offer_of, publish_over_whip


async def until_async(fetch, check, timeout: float, what: str) -> None:
    """Poll an async reading until `check` holds (the worker notices a vanished
    viewer when its connection fails, in aiortc's own time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check(await fetch()):
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


class HttpWatcher(Watcher):
    """A remote viewer over the hub's public WHEP endpoint, as the viewer page is."""

    async def watch_over(self, http: httpx.AsyncClient, target: str) -> str:
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        r = await http.post(f"/api/events/{EVENT}/media/{target}/whep", content=await offer_of(self.pc),
                            headers={"Content-Type": "application/sdp"})
        assert r.status_code == 201, r.text
        await self.pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
        return r.headers["Location"]


async def test_viewers_are_served_by_the_workers_and_the_hub_pulls_once_per_worker(tmp_path):
    hub = HubServer(tmp_path / "data", media_workers=2)
    await hub.start()
    pcs: list[RTCPeerConnection] = []
    viewers: list[HttpWatcher] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=30) as http, \
                hub.moderator() as mod:
            pool = hub.runtime.media_workers
            assert pool is not None and len(pool.procs) == 2
            pcs.append(await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy", RED, 440))
            pcs.append(await publish_over_whip(http, hub.token(Role.COORDINATOR, "reims"), EVENT, "reims", BLUE, 660))
            await mod.command({"type": "stage.on_air", "site": "nancy"})
            viewers = [HttpWatcher() for _ in range(4)]  # arriving together: spread all the same
            locations = list(await asyncio.gather(*(v.watch_over(http, target) for v, target in
                                                    zip(viewers, ("nancy", "program", "program", "nancy")))))
            # each worker got two viewers (the least loaded first), and says so in its session ids
            assert sorted(loc.rsplit("/", 1)[1].split(".")[0] for loc in locations) == ["w0", "w0", "w1", "w1"]
            for viewer in viewers:
                await until(lambda v=viewer: v.colour == "red" and v.audio_frames > 10, timeout=30,
                            what="the site's picture and sound through a worker")
            media = hub.runtime.events[EVENT].media
            # the hub itself serves only the workers' pulls: one per worker and target, not one per viewer
            pulls = [s for s in media.sessions.values() if s.role == "watch"]
            assert 2 <= len(pulls) <= 4
            assert media.watching() == len(pulls) + 4
            # the switch reaches the program's viewers through the workers
            await mod.command({"type": "stage.on_air", "site": "reims"})
            for viewer in (viewers[1], viewers[2]):
                await until(lambda v=viewer: v.colour == "blue", timeout=30, what="the program switched")
            assert viewers[0].colour == "red"
            # DELETE ends a worker's session
            gone = await http.delete(locations[0])
            assert gone.status_code == 200
            assert (await http.delete(locations[0])).status_code == 404
            assert media.watching() == len(pulls) + 3
            assert (await pool.watching())[EVENT] == 3
            # a viewer that goes without a DELETE (a closed tab): once its worker sees the
            # connection gone, the hub's count follows
            await viewers[3].close()
            await until_async(lambda: pool.watching(), lambda got: got.get(EVENT) == 2, timeout=60,
                              what="the worker to drop the vanished viewer")
            assert media.watching() == len(pulls) + 2
    finally:
        await asyncio.gather(*(v.close() for v in viewers), *(pc.close() for pc in pcs), return_exceptions=True)
        procs = list(hub.runtime.media_workers.procs) if hub.app and hub.runtime.media_workers else []
        await hub.stop()
    assert all(p.poll() is not None for p in procs), "the hub stops its workers"


async def test_a_worker_refuses_anyone_but_its_hub(tmp_path):
    hub = HubServer(tmp_path / "data", media_workers=1)
    await hub.start()
    try:
        pool = hub.runtime.media_workers
        assert pool is not None
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.post(f"http://127.0.0.1:{pool.ports[0]}/whep/{EVENT}/nancy", content="v=0",
                                headers={"X-Multiplex-Worker-Key": "guessed"})
            assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
        # a relay pull from the hub itself needs the control room's link
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=10) as http:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTransceiver("video", direction="recvonly")
            r = await http.post(f"/api/events/{EVENT}/media/nancy/whep?relay=1", content=await offer_of(pc),
                                headers={"Content-Type": "application/sdp"})
            assert r.status_code in (401, 403)
            await pc.close()
        # a worker that dies: its viewers' offers get a clear, retryable error
        os.kill(pool.procs[0].pid, signal.SIGKILL)
        pool.procs[0].wait()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=10) as http:
            viewer = HttpWatcher()
            viewer.pc.addTransceiver("video", direction="recvonly")
            r = await http.post(f"/api/events/{EVENT}/media/nancy/whep", content=await offer_of(viewer.pc),
                                headers={"Content-Type": "application/sdp"})
            assert r.json()["code"] == "media.worker_down"
            await viewer.pc.close()
    finally:
        await hub.stop()
