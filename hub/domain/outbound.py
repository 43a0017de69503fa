"""Where a live post stands on one social network (hub/domain/social.py decides it)."""
from __future__ import annotations

import enum

import msgspec


class Delivery(str, enum.Enum):
    # With a remote_id, a delivery is on the network already: queued, sending, failed or refused
    # then mean the post's correction (hub/domain/social.edit_live), not a first publication.
    QUEUED = "queued"          # not claimed yet (the default of every live post)
    SENDING = "sending"        # claimed: a publisher is sending it
    SENT = "sent"
    FAILED = "failed"          # the network was unreachable or said slow down: tried again at retry_at
    REFUSED = "refused"        # the network said no (its reason kept): until the régie retries
    WITHDRAWN = "withdrawn"    # the régie withdrew it before it was sent
    DELETING = "deleting"      # withdrawn after it was sent: a publisher deletes it
    DELETED = "deleted"


class Outbound(msgspec.Struct):
    """A live post on one network."""
    state: Delivery = Delivery.QUEUED
    attempts: int = 0
    holder: str | None = None      # the publisher holding the claim
    until: int = 0                 # the claim's end (ms)
    retry_at: int | None = None
    remote_id: str | None = None
    ref: str | None = None         # Bluesky: the record's cid, which a reply names with its uri
    url: str | None = None
    reason: str | None = None      # why it failed, in the network's words
    stale: bool = False            # corrected while being sent: sent again once its answer is in
