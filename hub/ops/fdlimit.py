"""Every live connection is a file descriptor: the hub raises its soft limit to the
hard one at start (a soft limit of 1024 would cap an event at about a thousand
viewers while the machine allows many more), and says both, in its log and in
/healthz, so an operator knows where the ceiling is."""
from __future__ import annotations

import logging
import resource

log = logging.getLogger(__name__)


def raise_to_hard() -> dict[str, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # a container may refuse: say so, keep going
            log.warning("file descriptors: the soft limit stays at %d (%s)", soft, exc)
    log.info("file descriptors: soft limit %d, hard limit %d (each live connection takes one)", soft, hard)
    return {"soft": soft, "hard": hard}
