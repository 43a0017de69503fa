"""A client that stops reading never slows the others: it is skipped, then caught
up (or sent a fresh snapshot) when it reads again, or cut off if it stays stuck."""
from __future__ import annotations

import asyncio
import socket

from hub.client import LiveClient
from hub.live.codes import CloseCode

from ..hubserver import HubServer


def tiny_buffer_socket(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills after a few frames
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


class StallableClient(LiveClient):
    """A LiveClient whose socket can stop being read, as a frozen phone would."""

    def __init__(self, hub: HubServer) -> None:
        super().__init__(hub.url(), reconnect=False,
                         socket_factory=lambda: tiny_buffer_socket(hub.settings.port))

    def stall(self) -> None:
        assert self.ws is not None
        self.ws.transport.pause_reading()

    def unstall(self) -> None:
        assert self.ws is not None
        self.ws.transport.resume_reading()


def small_outbox(tmp_path, **kw) -> HubServer:
    return HubServer(tmp_path / "data", outbox_high_water=8_192, socket_send_buffer=8_192, **kw)


async def flood(mod: LiveClient, n: int) -> None:
    for i in range(n):
        await mod.command({"type": "feed.post", "text": f"Post {i} " + "x" * 200})


async def test_stalled_client_is_skipped_others_get_everything_then_it_catches_up(tmp_path):
    hub = small_outbox(tmp_path)
    await hub.start()
    mod, healthy = hub.moderator(), hub.viewer()
    slow = StallableClient(hub)
    await asyncio.gather(mod.connect(), healthy.connect(), slow.connect())
    slow.stall()
    await flood(mod, 150)
    await healthy.wait_for(lambda c: c.seq == hub.seq())
    assert len(healthy.state["posts"]) == 150 and not healthy.gaps_or_overlaps()
    channel = hub.runtime.events["grand-est-2020"].channel
    assert channel.stats["skipped"] > 0, "the stalled client should have been skipped"
    slow.unstall()
    await slow.wait_for(lambda c: c.seq == hub.seq(), timeout=10)
    assert slow.state["posts"] == healthy.state["posts"]
    assert not slow.gaps_or_overlaps()
    await asyncio.gather(mod.close(), healthy.close(), slow.close())
    await hub.stop()


async def test_client_stuck_longer_than_the_grace_is_disconnected(tmp_path):
    hub = small_outbox(tmp_path, slow_client_grace_s=0.5)
    await hub.start()
    mod, healthy = hub.moderator(), hub.viewer()
    slow = StallableClient(hub)
    await asyncio.gather(mod.connect(), healthy.connect(), slow.connect())
    slow.stall()
    await flood(mod, 150)
    channel = hub.runtime.events["grand-est-2020"].channel
    for _ in range(100):
        if channel.stats["dropped_slow"]:
            break
        await asyncio.sleep(0.05)
    assert channel.stats["dropped_slow"] == 1
    slow.unstall()
    await slow.wait_for(lambda c: c.close_code is not None, timeout=10)
    assert slow.close_code == CloseCode.TOO_SLOW
    assert channel.connected == 2
    await healthy.wait_for(lambda c: c.seq == hub.seq())
    await asyncio.gather(mod.close(), healthy.close())
    await hub.stop()


async def test_client_too_far_behind_gets_a_fresh_snapshot(tmp_path):
    hub = small_outbox(tmp_path, resume_window=20)
    await hub.start()
    mod, slow = hub.moderator(), StallableClient(hub)
    await asyncio.gather(mod.connect(), slow.connect())
    slow.stall()
    await flood(mod, 120)
    slow.unstall()
    await slow.wait_for(lambda c: c.seq == hub.seq(), timeout=10)
    assert slow.resyncs >= 1
    assert len(slow.state["posts"]) == 120
    await asyncio.gather(mod.close(), slow.close())
    await hub.stop()
