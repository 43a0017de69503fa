"""What the publisher asks of a network, and the two ways a network can say no."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

REASON_LENGTH = 200  # a network's reason, as the régie sees it (and the log keeps it)


class Unavailable(Exception):
    """Down, slow, or "slow down": the same post is tried again later (`retry_in_s`, when the
    network said when)."""

    def __init__(self, reason: str, retry_in_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_in_s = short(reason), retry_in_s


class Refused(Exception):
    """The network will not take this post as it is (too long, a media type it refuses, the
    account's rights): kept with its reason until the régie retries or withdraws it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = short(reason)


def short(text: str) -> str:
    """A network's words, made safe to keep: one line, bounded, printable."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return line[:REASON_LENGTH] or "no reason given"


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str
    ref: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A live post as a network receives it: `key` is the same at every try (the idempotency
    key), `at` the post's time (ms)."""
    key: str
    at: int
    text: str
    hashtag: str | None
    photo: Path | None
    # a thread: the (remote id, ref) of the first post and of the one this answers
    root: tuple[str, str] | None = None
    parent: tuple[str, str] | None = None


@dataclass(frozen=True)
class Found:
    """A public post with the hashtag, as read from a network (not trusted: bounded and cleaned
    by the domain when it is received)."""
    remote_id: str
    at: int
    author: str
    handle: str
    text: str
    url: str


class Network(Protocol):
    name: str

    async def search(self, hashtag: str, cursor: str) -> tuple[list[Found], str]:
        """The public posts with the hashtag after `cursor` ("": the latest), and the next cursor."""

    async def publish(self, post: Outgoing) -> Published: ...

    async def update(self, post: Outgoing, remote_id: str) -> Published:
        """The post as corrected, where `publish` put it."""


    async def delete(self, post: Outgoing, remote_id: str) -> None: ...

    async def close(self) -> None: ...
