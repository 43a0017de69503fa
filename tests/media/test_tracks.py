"""Sources and forwarding tracks without any network: keyframes, switching, drops."""
from __future__ import annotations

import asyncio

from hub.media.source import Source
from hub.media.tracks import ForwardTrack

KEY, DELTA = b"\x10\x02\x00\x9d\x01\x2a\x80\x02\xe0\x01", b"\x11\x00\x00"  # VP8: P bit 0 = keyframe


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def source(site="nancy", clock=None) -> tuple[Source, list[float]]:
    src = Source(site, "video", keyframe_interval=0.5, clock=clock or Clock())
    requests: list[float] = []
    src.request_keyframe = lambda: requests.append(src.clock())
    return src, requests


async def test_keyframe_requests_are_rate_limited_but_never_dropped():
    clock = Clock()
    src, requests = source(clock=clock)
    src.keyframe_wanted()
    src.keyframe_wanted()
    src.keyframe_wanted()
    assert len(requests) == 1
    clock.now += 0.5
    for _ in range(500):  # the deferred one goes out after the interval
        if len(requests) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(requests) == 2


async def test_a_new_track_starts_at_a_keyframe_and_asks_for_one():
    src, requests = source()
    track = ForwardTrack("video")
    track.attach(src)
    assert requests, "joining asks the publisher for a keyframe"
    src.push("VP8", DELTA)
    assert track.queued == 0
    src.push("VP8", KEY)
    src.push("VP8", DELTA)
    assert track.queued == 2
    packet = await track.recv()
    assert bytes(packet) == KEY and packet.time_base.denominator == 90_000


async def test_a_track_that_falls_behind_drops_to_the_next_keyframe_with_bounded_memory():
    src, requests = source()
    slow, fast = ForwardTrack("video", max_queue=5), ForwardTrack("video", max_queue=5)
    slow.attach(src)
    fast.attach(src)
    src.push("VP8", KEY)
    for _ in range(20):
        src.push("VP8", DELTA)
        await fast.recv()
    assert slow.queued <= 5 and slow.dropped >= 5
    src.push("VP8", DELTA)
    assert slow.queued == 0, "after a drop, deltas wait for the next keyframe"
    src.push("VP8", KEY)
    assert slow.queued == 1 and fast.queued == 3  # one left from the loop, then the delta and the key


async def test_switching_keeps_the_old_picture_until_the_new_sources_keyframe():
    a, _ = source("nancy")
    b, b_requests = source("reims")
    track = ForwardTrack("video")
    track.attach(a)
    a.push("VP8", KEY)
    track.switch(b)
    assert b_requests, "the new source is asked for a keyframe at once"
    b.push("VP8", DELTA)          # not yet: a delta of the new source is useless
    a.push("VP8", DELTA)          # the old source goes on meanwhile
    assert track.queued == 2 and track.source is a
    b.push("VP8", KEY)            # now the switch happens
    assert track.source is b and track not in a.subscribers and track.queued == 1
    a.push("VP8", DELTA)
    assert track.queued == 1


async def test_a_thumbnail_forwards_keyframes_only_and_asks_for_the_next_one():
    clock = Clock()
    src, requests = source(clock=clock)
    thumb = ForwardTrack("video", keyframe_every=0.05)
    full = ForwardTrack("video")
    thumb.attach(src)
    full.attach(src)
    asked = len(requests)
    for data in (KEY, DELTA, DELTA, DELTA):
        src.push("VP8", data)
    assert full.queued == 4 and thumb.queued == 1, "the thumbnail keeps the keyframe only"
    clock.now += 1  # past the source's rate limit
    for _ in range(500):  # about keyframe_every later, it asks for the next picture by itself
        if len(requests) > asked:
            break
        await asyncio.sleep(0.01)
    assert len(requests) > asked
    src.push("VP8", KEY)
    assert thumb.queued == 1, "only the newest picture waits"
    thumb.stop()
    full.stop()
    before = len(requests)
    src.push("VP8", KEY)
    await asyncio.sleep(0.1)
    assert len(requests) == before, "a stopped thumbnail asks for nothing more"
