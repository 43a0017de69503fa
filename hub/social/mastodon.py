"""The event's Mastodon account, through Mastodon.py (blocking: each call runs in a thread)."""
from __future__ import annotations

import asyncio
import mimetypes
import time
from collections.abc import Callable
from typing import Any, TypeVar

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
)

from .networks import Found, Outgoing, Published, Refused, Unavailable
from .text import epoch_ms, html_to_text

T = TypeVar("T")


def _reason(exc: Exception) -> str:
    # Mastodon.py raises ('Mastodon API returned error', status, reason, the server's error text)
    parts = [str(a) for a in exc.args[1:] if a not in (None, "")] if len(exc.args) > 1 else [str(exc)]
    return " ".join(parts)


class MastodonAccount:
    name = "mastodon"

    def __init__(self, base_url: str, token: str, timeout_s: float) -> None:
        self.api = Mastodon(access_token=token, api_base_url=base_url.rstrip("/"), request_timeout=timeout_s,
                            version_check_mode="none", ratelimit_method="throw")

    async def _call(self, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except MastodonRatelimitError:
            reset = getattr(self.api, "ratelimit_reset", None)
            wait = max(float(reset) - time.time(), 1.0) if isinstance(reset, (int, float)) else None
            raise Unavailable("rate limited (429)", wait) from None
        except (MastodonNetworkError, MastodonServerError) as exc:
            raise Unavailable(_reason(exc)) from None
        except MastodonNotFoundError:
            raise
        except MastodonAPIError as exc:  # 4xx: this post, as it is, is not taken (422: too long…)
            raise Refused(_reason(exc)) from None
        except (MastodonError, ValueError, KeyError, TypeError) as exc:  # a malformed answer
            raise Unavailable(f"unexpected answer: {type(exc).__name__}") from None

    @staticmethod
    def _text(post: Outgoing) -> str:
        return post.text + (f" {post.hashtag}" if post.hashtag else "")

    @staticmethod
    def _published(status: Any) -> Published:
        remote_id, url = status["id"], status.get("url") or status.get("uri") or ""
        if not isinstance(remote_id, (str, int)) or not isinstance(url, str):
            raise Unavailable("unexpected answer: no status id")
        return Published(str(remote_id)[:100], url[:200])

    async def publish(self, post: Outgoing) -> Published:
        text = self._text(post)
        media_ids = None
        if post.photo is not None:
            photo = post.photo
            kind = mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
            # an image is processed at once (200); only video and sound come back later (202)
            media = await self._call(lambda: self.api.media_post(str(photo), mime_type=kind))
            media_ids = [media["id"]]
        # The same Idempotency-Key at every try: the server keeps one status for it (an hour).
        reply_to = post.parent[0] if post.parent else None  # a thread: the status this one answers
        status = await self._call(lambda: self.api.status_post(text, media_ids=media_ids, visibility="public",
                                                               in_reply_to_id=reply_to, idempotency_key=post.key))
        return self._published(status)

    async def update(self, post: Outgoing, remote_id: str) -> Published:
        """The status edited in place (its media, thread and replies stay): the same text at a
        second try changes nothing more."""
        text = self._text(post)
        try:
            return self._published(await self._call(lambda: self.api.status_update(remote_id, status=text)))
        except MastodonNotFoundError:
            raise Refused("the status is no longer on Mastodon") from None

    async def delete(self, post: Outgoing, remote_id: str) -> None:
        try:
            await self._call(lambda: self.api.status_delete(remote_id))
        except MastodonNotFoundError:
            return  # gone already: what was asked

    async def search(self, hashtag: str, cursor: str) -> tuple[list[Found], str]:
        """The tag's public timeline, the page right after `cursor` (min_id: nothing skipped)."""
        tag = hashtag.lstrip("#")
        page = await self._call(lambda: self.api.timeline_hashtag(tag, min_id=cursor or None, limit=40))
        found: list[Found] = []
        newest = int(cursor) if cursor.isdigit() else 0
        for status in page if isinstance(page, list) else []:
            try:
                ident, account = str(status["id"]), status["account"] or {}
                found.append(Found(remote_id=ident[:100], at=epoch_ms(status.get("created_at")),
                                   author=str(account.get("display_name") or "")[:200],
                                   handle=str(account.get("acct") or "")[:200],
                                   text=html_to_text(str(status.get("content") or "")),
                                   url=str(status.get("url") or "")[:300]))
                newest = max(newest, int(ident)) if ident.isdigit() else newest
            except (KeyError, TypeError, AttributeError, ValueError):
                continue  # a malformed status is skipped, the others are kept
        return found, str(newest) if newest else cursor

    async def close(self) -> None:
        """Nothing held open between calls."""
