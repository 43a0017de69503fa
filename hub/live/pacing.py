"""When the next update frame may go out: the flush pacing rule, as plain Python.

The fan-out is one callback that writes a frame to every client; while it runs,
nothing else on the loop does (commands are not read, acks are not sent). So the
next flush waits, counted from the *end* of the previous one:

    next flush >= end of last flush + gap
    gap = clamp(took, base, ceiling)   if the last flush took more than half the
                                       time the loop had between it and the one before
          base                         otherwise

- idle channel: the last flush ended long ago, so a change goes out at once;
- busy channel: flushes are `base` apart (HUB_FLUSH_INTERVAL_MS);
- contended (flushes follow each other and take longer than the gaps between
  them): the gap is as long as the flush took, so the loop spends at most about
  half its time writing frames and the other half reading and applying commands;
  each frame then carries every update since the previous one, so coalescing
  grows by itself as the load grows. Once contended it stays so while flushes
  keep coming, whatever a command's own path takes (a slow disk, a loaded CPU);
- a long flush after a quiet spell (a change after a pause, a tally at its tick,
  a post at 10/s to 5000 viewers) does not stretch the next gap: that is not
  contention, and stretching then would only add latency;
- the gap never exceeds `ceiling` (HUB_FLUSH_INTERVAL_MAX_MS), so a huge audience
  is not kept waiting for a frame longer than that plus one flush.

docs/protocol.md ("Flushing") states the same rule; tests/live/test_pacing.py
checks its bounds, tests/live/test_fair_flush.py that acks are not starved.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class FlushPacer:
    base_s: float       # shortest gap between the end of one flush and the start of the next
    ceiling_s: float    # longest gap, however long flushes take
    last_end: float = -math.inf
    last_took: float = 0.0
    contended: bool = False  # the last flush took more than half the loop's time before it

    def __post_init__(self) -> None:
        if not 0 <= self.base_s <= self.ceiling_s:
            raise ValueError(f"flush pacing needs 0 <= base ({self.base_s}) <= ceiling ({self.ceiling_s})")

    @property
    def gap(self) -> float:
        """How long after the last flush ended the next one may start."""
        if not self.contended:
            return self.base_s
        return min(self.ceiling_s, max(self.base_s, self.last_took))

    def earliest(self, now: float) -> float:
        """The earliest time a flush may start, given that something is pending now."""
        return max(now, self.last_end + self.gap)

    def flushed(self, started: float, ended: float) -> None:
        """A flush ran from `started` to `ended` (loop time)."""
        self.last_took = max(0.0, ended - started)
        self.contended = self.last_took > (started - self.last_end) / 2  # never, after a first flush
        self.last_end = ended
