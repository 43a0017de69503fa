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
    assert pacer.earliest(100.0) == 100.0 and not pacer.held_back(100.0)   # nothing flushed yet
    pacer.flushed(100.0, 100.001, held=False)
    assert pacer.held_back(100.002)
    assert pacer.earliest(100.002) == pytest.approx(100.021)  # busy: the base interval, from the end
    assert pacer.earliest(105.0) == 105.0 and not pacer.held_back(105.0)   # idle again: at once


def test_a_long_flush_stretches_the_gap_only_when_it_had_to_wait_its_turn():
    pacer = FlushPacer(base_s=0.020, ceiling_s=0.250)
    pacer.flushed(10.0, 10.080, held=False)   # after a quiet spell: a long flush alone is not contention
    assert pacer.gap == pytest.approx(0.020)
    pacer.flushed(10.100, 10.180, held=True)  # changes were waiting: give the loop as long back
    assert pacer.gap == pytest.approx(0.080)
    assert pacer.earliest(10.180) == pytest.approx(10.260)
    pacer.flushed(20.0, 21.0, held=True)      # a one-second flush: the gap stops at the ceiling
    assert pacer.gap == pytest.approx(0.250)


@given(flushes, st.floats(min_value=0, max_value=0.5), st.floats(min_value=0, max_value=2))
def test_the_gap_stays_within_its_bounds_and_contended_fan_out_takes_at_most_half_the_loop(steps, base, extra):
    pacer = FlushPacer(base_s=base, ceiling_s=base + extra)
    now = 0.0
    for took, quiet in steps:
        due = now + quiet
        held = pacer.held_back(due)
        start = pacer.earliest(due)
        assert start >= due and held == (start > due)
        pacer.flushed(start, start + took, held=held)
        now = start + took
        assert base <= pacer.gap <= base + extra
        assert pacer.earliest(now) - now == pytest.approx(pacer.gap, abs=1e-9)
        took = pacer.last_took  # as the clock saw it
        if held and 0 < took <= pacer.ceiling_s:
            assert took / (took + pacer.gap) <= 0.5 + 1e-9  # writing frames: at most half the time


def test_bounds_out_of_order_are_refused():
    with pytest.raises(ValueError):
        FlushPacer(base_s=0.5, ceiling_s=0.1)
    with pytest.raises(ValueError):
        FlushPacer(base_s=-1, ceiling_s=0.1)
    assert FlushPacer(base_s=0, ceiling_s=0).earliest(3.0) == 3.0
    assert FlushPacer(base_s=0, ceiling_s=math.inf).gap == 0
