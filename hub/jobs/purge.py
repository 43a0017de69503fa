"""Erasing participants' texts and names from an event's log, keeping its figures
(`multiplex purge EVENT`, or at startup once HUB_RETENTION_DAYS have passed since
the event ended). The log is rewritten entry by entry through
hub/domain/redaction.py; snapshots are dropped, so the next start rebuilds the
state from the purged log. No hub may write to the event meanwhile: the CLI is
for a stopped deployment, and the retention purge runs before a hub serves.
See docs/data-protection.md."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

import msgspec

from ..domain.event import EventConfig
from ..domain.redaction import redact
from ..domain.state import Entry
from ..log import Log

log = logging.getLogger(__name__)
_decode = msgspec.json.Decoder(Entry).decode
_encode = msgspec.json.Encoder().encode


def pseudonym_salt(secret: str, event: str) -> bytes:
    """Stable per event (a second purge finds nothing left to change), and unknown
    without the secret (nobody can map a pseudonym back to a browser's id)."""
    return hmac.new(secret.encode(), f"purge:{event}".encode(), hashlib.sha256).digest()


async def purge(log_: Log, config: EventConfig, secret: str) -> int:
    salt = pseudonym_salt(secret, config.id)

    def transform(seq: int, data: bytes) -> bytes:
        try:
            entry = _decode(data)
        except msgspec.DecodeError:
            return data  # not ours to read: left as it is (and skipped by the fold, as before)
        return _encode(redact(entry, salt))

    changed = await log_.rewrite(config.id, transform)
    log.warning("%s: personal data erased from %d log entries", config.id, changed)
    return changed


def retention_over(config: EventConfig, retention_days: int, today: dt.date) -> bool:
    """Whether an event's data is past keeping: N days after its last day."""
    if retention_days <= 0:
        return False
    return today > (config.end_date or config.date) + dt.timedelta(days=retention_days)
