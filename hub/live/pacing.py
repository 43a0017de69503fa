"""When the next update frame may go out: the flush pacing rule, as plain Python.

The fan-out is one callback that writes a frame to every client; while it runs,
nothing else on the loop does (commands are not read, acks are not sent). So the
next flush waits, counted from the *end* of the previous one:

    next flush >= end of last flush + gap
    gap = clamp(took, base, ceiling)   if the last flush was held back by this rule
          base                         otherwise

- idle channel: the last flush ended long ago, so a change goes out at once;
- busy channel: flushes are `base` apart (HUB_FLUSH_INTERVAL_MS);
- contended (changes keep coming while flushes take longer than `base`, so each
  flush had to wait for its turn): the gap is as long as the flush took, so the
  loop spends at most about half its time writing frames and the other half
  reading and applying commands; each frame then carries every update since the
  previous one, so coalescing grows by itself as the load grows;
- a flush that was not held back (the change came after a quiet spell, or was a
  tally waiting for its tick) does not stretch the next gap: a long flush alone
  is not contention, and stretching then would only add latency;
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
    contended: bool = False  # the last flush was held back by this rule

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

    def held_back(self, due: float) -> bool:
        """Whether a flush due at `due` (a change now, or a tally at its tick) must wait."""
        return self.last_end + self.gap > due

    def flushed(self, started: float, ended: float, *, held: bool) -> None:
        """A flush ran from `started` to `ended` (loop time); `held`: it had to wait
        for its turn (held_back was true when it was scheduled)."""
        self.last_took = max(0.0, ended - started)
        self.last_end = ended
        self.contended = held
