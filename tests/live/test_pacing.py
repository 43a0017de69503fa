"""The flush pacing rule (hub/live/pacing.py), as plain Python: the gap after a
flush stays within its bounds, stretches only under contention, and then keeps
fan-out to at most half the loop."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.live.pacing import FlushPacer

# (how long a flush takes, how long after the previous one ended the next change comes)
flushes = st.lists(st.tuples(st.floats(min_value=0, max_value=5, allow_nan=False),
                             st.floats(min_value=0, max_value=1, allow_nan=False)), min_size=1, max_size=40)


def test_an_idle_channel_flushes_at_once_then_no_sooner_than_the_base_interval():
    pacer = FlushPacer(base_s=0.020, ceiling_s=0.250)
    assert pacer.earliest(100.0) == 100.0                 # nothing flushed yet
    pacer.flushed(100.0, 100.001)
    assert pacer.earliest(100.002) == pytest.approx(100.021)  # busy: the base interval, from the end
    assert pacer.earliest(105.0) == 105.0                 # idle again: at once


def test_a_long_flush_stretches_the_gap_only_when_flushes_take_most_of_the_loop():
    pacer = FlushPacer(base_s=0.020, ceiling_s=0.250)
    pacer.flushed(10.0, 10.030)      # the first flush, after nothing: not contention
    assert pacer.gap == pytest.approx(0.020) and not pacer.contended
    pacer.flushed(10.100, 10.130)    # 30 ms after 70 ms of loop (5000 viewers at 10/s): not contention
    assert pacer.gap == pytest.approx(0.020) and not pacer.contended
    pacer.flushed(10.150, 10.230)    # 80 ms after a 20 ms gap: give the loop as long back
    assert pacer.contended and pacer.gap == pytest.approx(0.080)
    assert pacer.earliest(10.230) == pytest.approx(10.310)
    pacer.flushed(10.310, 10.390)    # and so on while flushes follow each other: it stays contended
    assert pacer.contended and pacer.gap == pytest.approx(0.080)
    pacer.flushed(20.0, 21.0)        # a one-second flush after a quiet spell: not contention
    assert not pacer.contended
    pacer.flushed(21.02, 22.02)      # right after it: contended, and the gap stops at the ceiling
    assert pacer.gap == pytest.approx(0.250)


@given(flushes, st.floats(min_value=0, max_value=0.5), st.floats(min_value=0, max_value=2))
def test_the_gap_stays_within_its_bounds_and_contended_fan_out_takes_at_most_half_the_loop(steps, base, extra):
    pacer = FlushPacer(base_s=base, ceiling_s=base + extra)
    now = 0.0
    for took, quiet in steps:
        start = pacer.earliest(now + quiet)
        assert start >= now + quiet
        pacer.flushed(start, start + took)
        now = start + took
        assert base <= pacer.gap <= base + extra
        assert pacer.earliest(now) - now == pytest.approx(pacer.gap, abs=1e-9)
        took = pacer.last_took  # as the clock saw it
        if pacer.contended and 0 < took <= pacer.ceiling_s:
            assert took / (took + pacer.gap) <= 0.5 + 1e-9  # writing frames: at most half the time


@given(st.lists(st.floats(min_value=0.001, max_value=5, allow_nan=False), min_size=2, max_size=40),
       st.floats(min_value=0, max_value=0.5), st.floats(min_value=0, max_value=2))
def test_under_constant_demand_every_flush_leaves_the_loop_as_long_for_the_rest(tooks, base, extra):
    """Changes always waiting (a saturated fan-out), however slow each command's own
    path is: from the second flush on, the time the loop has around each flush (the
    gap before it and the gap after it) is at least as long as the flush took, up to
    the ceiling. So commands are read and acked between flushes, never starved."""
    pacer = FlushPacer(base_s=base, ceiling_s=base + extra)
    now = 0.0
    for n, took in enumerate(tooks):
        start = pacer.earliest(now)
        before = start - now
        pacer.flushed(start, start + took)
        now = start + took
        took = pacer.last_took
        if n:
            assert before + pacer.gap >= min(took, pacer.ceiling_s) - 1e-9


def test_bounds_out_of_order_are_refused():
    with pytest.raises(ValueError):
        FlushPacer(base_s=0.5, ceiling_s=0.1)
    with pytest.raises(ValueError):
        FlushPacer(base_s=-1, ceiling_s=0.1)
    assert FlushPacer(base_s=0, ceiling_s=0).earliest(3.0) == 3.0
    assert FlushPacer(base_s=0, ceiling_s=math.inf).gap == 0
