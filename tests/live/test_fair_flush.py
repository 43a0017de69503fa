"""Intake and fan-out share the loop fairly (hub/live/pacing.py): while the fan-out
is saturated (every flush takes longer than the flush interval), commands are
still read, applied and acknowledged. Checked by the order of events (flushes
and acks), never by how long anything took."""
from __future__ import annotations

import asyncio
import time

from hub.domain.views import PUBLIC

from ..hubserver import EVENT, HubServer
from ..support import until

# Each flush takes about this long: far above the 20 ms interval, and long enough that
# the gap it earns (as long again) holds a command's whole path even on a machine
# loaded 15 deep (a command then takes tens of ms of wall time, not hundreds).
FLUSH_COST_S = 0.5
VIEWERS = 600


class CostlyViewer:
    """A viewer attached straight to the channel whose every write costs the loop
    time, so that a flush to all of them saturates the fan-out."""

    audience, origin, counted = PUBLIC, "remote", False
    paused, behind_since = False, None

    def __init__(self, n: int) -> None:
        self.pid, self.seq, self.frames = f"costly-{n:04d}", 0, 0

    def write(self, frame: bytes) -> None:
        self.frames += 1
        until = time.perf_counter() + FLUSH_COST_S / VIEWERS
        while time.perf_counter() < until:
            pass

    def writer(self):
        return self.write

    def close(self, code, reason) -> None:
        pass

    def keepalive(self, now: float) -> None:
        pass


async def test_acks_keep_coming_while_the_fan_out_is_saturated(tmp_path):
    hub = HubServer(tmp_path / "data", flush_interval_ms=20, flush_interval_max_ms=2000)
    await hub.start()
    channel = hub.runtime.events[EVENT].channel
    order: list[str] = []
    spans: list[tuple[float, float, float]] = []   # (gap the pacer asked, start, end) of each flush
    loop = asyncio.get_running_loop()
    real_flush = channel.flush

    def recorded_flush() -> None:
        asked, start = channel.pacer.gap, loop.time()
        order.append("flush")
        real_flush()
        spans.append((asked, start, channel.pacer.last_end))  # the end the pacer counts from

    channel.flush = recorded_flush  # type: ignore[method-assign]
    viewers = [CostlyViewer(i) for i in range(VIEWERS)]
    for v in viewers:
        channel.attach(v, None)
    feeder, probe = hub.moderator(), hub.moderator()
    await asyncio.gather(feeder.connect(), probe.connect())
    stop = asyncio.Event()

    async def feed() -> None:  # keeps a change pending at every flush
        n = 0
        while not stop.is_set():
            n += 1
            await feeder.command({"type": "feed.post", "text": f"feeder {n}"}, timeout=300)

    feeding = asyncio.create_task(feed())
    try:
        await probe.wait_for(lambda c: c.seq >= 3, timeout=120)  # the feeder's posts flow
        # measured once the pacer has seen the contention (its first long flush alone is not)
        await until(lambda: order.count("flush") >= 3 and channel.pacer.contended, timeout=120,
                    what="a contended fan-out")
        i = 0
        while i < 8 or order.count("flush") < 8:  # commands all through several saturated flushes
            i += 1
            order.append("send")
            await probe.command({"type": "feed.post", "text": f"probe {i}"}, timeout=300)
            order.append("ack")
    finally:
        stop.set()
        await feeding
    saturated = [s for s in spans if s[2] - s[1] > 0.020]
    assert len(saturated) >= 4, "the fan-out should have been saturated"
    # Each command is acknowledged in the gaps the pacer leaves, not after a queue of
    # back-to-back flushes (which is what timing the gap from a flush's start gave:
    # two flushes per command, every command). Most commands see no flush at all
    # between their send and their ack, and many are acked per flush.
    text = " ".join(order[order.index("send"):])
    between = sorted(part.count("flush") for part in text.split("send")[1:])
    assert between[len(between) // 2] == 0, between
    assert text.count("ack") >= 4 * text.count("flush"), (text.count("ack"), text.count("flush"))
    # The rule itself: a flush starts no sooner than the gap asked after the previous
    # one ended (timers may fire a clock tick early), and that gap is within its bounds.
    for (_, _, prev_end), (asked, start, _) in zip(spans, spans[1:]):
        assert 0.020 <= asked <= channel.pacer.ceiling_s
        assert start - prev_end >= asked - 0.002, (start - prev_end, asked)
    assert all(v.frames >= 4 for v in viewers)
    await asyncio.gather(feeder.close(), probe.close())
    await hub.stop()
