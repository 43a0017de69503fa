"""How long Python's cyclic garbage collector stops the hub, for the metrics.

While a collection runs nothing else does: no frame is written, no command read.
With tens of thousands of connections a full collection walks every live object,
so its pause shows in the live channel's tail latency; `multiplex_gc_pause_seconds`
lets an operator see it (docs/deployment.md) rather than guess.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any


class GcPauses:
    def __init__(self, observe: Callable[[int, float], None]) -> None:
        self.observe = observe  # (generation, seconds)
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.observe(int(info.get("generation", -1)), time.perf_counter() - self._started)

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        """Several runtimes may live in one process (the tests): each removes its own."""
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)
