"""The event's Bluesky account, through the atproto SDK (its async client).

Bluesky has no idempotency key; a post's record key does the same job: it is derived from
the live post (a TID made of its time and id), so a try after a crash finds the record the
first try wrote (`getRecord`) instead of writing a second one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from atproto import AsyncClient, AsyncRequest, client_utils, models
from atproto_client import exceptions as at
from atproto_core.exceptions import AtProtocolError

from .networks import Found, Outgoing, Published, Refused, Unavailable
from .text import epoch_ms

POST = "app.bsky.feed.post"
# A post's createdAt is its author's clock, and searchPosts files a post under the earlier of
# that and the time the network saw it: a post can turn up "in the past". Each read goes back
# this far before the newest post read so far; what was read already is skipped by the domain.
LOOKBACK_MS = 10 * 60_000
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def iso(ms: int) -> str:
    """An atproto datetime: UTC, to the millisecond, with its Z."""
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_key(post: Outgoing) -> str:
    """A TID (13 base32-sortable characters): the post's time in µs, and a clock id from its key."""
    clock = int.from_bytes(hashlib.sha256(post.key.encode()).digest()[:2], "big") % 1024
    value = ((post.at * 1000) << 10 | clock) & ((1 << 63) - 1)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def _retry_in(exc: at.RequestErrorBase) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
    try:
        return max(float(reset) - dt.datetime.now(dt.UTC).timestamp(), 1.0) if reset else None
    except ValueError:
        return None


class BlueskyAccount:
    name = "bluesky"

    def __init__(self, base_url: str, handle: str, password: str, timeout_s: float) -> None:
        self.client = AsyncClient(base_url.rstrip("/"), request=AsyncRequest(timeout=timeout_s))
        self.handle, self._password = handle, password
        self._did: str | None = None

    async def _call(self, work: Any) -> Any:
        """`work`: a coroutine function; the SDK's errors made into ours."""
        try:
            if self._did is None:
                await self.client.login(self.handle, self._password, fetch_bsky_profile=False)
                self._did = self.client._session.did if self.client._session else None
                if not self._did:
                    raise Unavailable("the login gave no account")
            return await work()
        except at.RateLimitExceededError as exc:
            raise Unavailable("rate limited (429)", _retry_in(exc)) from None
        except at.UnauthorizedError as exc:
            self._did = None  # logged in again at the next try
            raise Refused(f"the account was refused: {exc}") from None
        except at.BadRequestError as exc:
            raise Refused(str(exc)) from None
        except at.NetworkError as exc:
            raise Unavailable(str(exc) or "unreachable") from None
        except at.RequestException as exc:
            raise Unavailable(str(exc)) from None
        except (AtProtocolError, ValueError, KeyError, TypeError) as exc:  # a malformed answer
            raise Unavailable(f"unexpected answer: {type(exc).__name__}") from None

    async def _existing(self, rkey: str) -> Any:
        try:
            return await self.client.com.atproto.repo.get_record(models.ComAtprotoRepoGetRecord.Params(
                repo=self._did, collection=POST, rkey=rkey))
        except at.BadRequestError as exc:  # RecordNotFound: the first try wrote nothing
            if exc.response is not None and "RecordNotFound" in str(exc):
                return None
            raise

    async def _record(self, post: Outgoing) -> Any:
        text = client_utils.TextBuilder().text(post.text)
        if post.hashtag:
            text.text(" ").tag(post.hashtag, post.hashtag.lstrip("#"))
        reply = None
        if post.root and post.parent:  # a thread: the first post and the one this answers
            ref = models.ComAtprotoRepoStrongRef.Main
            reply = models.AppBskyFeedPost.ReplyRef(root=ref(uri=post.root[0], cid=post.root[1]),
                                                    parent=ref(uri=post.parent[0], cid=post.parent[1]))
        embed = None
        if post.photo is not None:
            blob = (await self.client.upload_blob(post.photo.read_bytes())).blob
            embed = models.AppBskyEmbedImages.Main(images=[models.AppBskyEmbedImages.Image(alt="", image=blob)])
        return models.AppBskyFeedPost.Record(text=text.build_text(), facets=text.build_facets() or None, embed=embed,
                                             reply=reply, created_at=iso(post.at))

    def _published(self, rkey: str, uri: Any, cid: Any) -> Published:
        if not isinstance(uri, str) or not uri.startswith("at://") or not isinstance(cid, str):
            raise Unavailable("unexpected answer: no record")
        return Published(uri[:200], f"https://bsky.app/profile/{self.handle}/post/{rkey}"[:200], cid[:200])

    async def publish(self, post: Outgoing) -> Published:
        rkey = record_key(post)

        async def work() -> Any:
            found = await self._existing(rkey)
            if found is not None:
                return found.uri, found.cid or ""
            made = await self.client.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
                repo=self._did, collection=POST, rkey=rkey, record=await self._record(post)))
            return made.uri, made.cid

        return self._published(rkey, *await self._call(work))

    async def update(self, post: Outgoing, remote_id: str) -> Published:
        """The same record (its key, its time, its thread), with the corrected text: putRecord
        writes it whole, so a second try writes the same thing."""
        rkey = record_key(post)

        async def work() -> Any:
            made = await self.client.com.atproto.repo.put_record(models.ComAtprotoRepoPutRecord.Data(
                repo=self._did, collection=POST, rkey=rkey, record=await self._record(post)))
            return made.uri, made.cid

        return self._published(rkey, *await self._call(work))

    async def delete(self, post: Outgoing, remote_id: str) -> None:
        rkey = record_key(post)

        async def work() -> None:
            await self.client.com.atproto.repo.delete_record(models.ComAtprotoRepoDeleteRecord.Data(
                repo=self._did, collection=POST, rkey=rkey))
        await self._call(work)

    async def search(self, hashtag: str, cursor: str) -> tuple[list[Found], str]:
        """searchPosts for the tag, the latest first, from a little before the newest post read.

        The cursor is that post's time in ms (text: the log keeps cursors as text)."""
        newest = int(cursor) if cursor.isdigit() else 0
        since = iso(newest - LOOKBACK_MS) if newest > LOOKBACK_MS else None

        async def work() -> Any:
            return await self.client.app.bsky.feed.search_posts(models.AppBskyFeedSearchPosts.Params(
                q=hashtag, tag=[hashtag.lstrip("#")], sort="latest", since=since, limit=50))
        answer = await self._call(work)
        found: list[Found] = []
        for view in getattr(answer, "posts", None) or []:
            try:
                record, author = view.record, view.author
                at = epoch_ms(getattr(record, "created_at", "") or "")
                rkey = str(view.uri).rsplit("/", 1)[-1]
                found.append(Found(remote_id=str(view.uri)[:200], at=at,
                                   author=str(author.display_name or "")[:200], handle=str(author.handle)[:200],
                                   text=str(getattr(record, "text", "") or "")[:3000],
                                   url=f"https://bsky.app/profile/{author.handle}/post/{rkey}"[:300]))
                # a clock far ahead must not push the window past everyone else's posts
                newest = max(newest, min(at, self._now_ms() + LOOKBACK_MS))
            except (AttributeError, TypeError, ValueError):
                continue
        return found, str(newest) if newest else cursor

    @staticmethod
    def _now_ms() -> int:
        return int(dt.datetime.now(dt.UTC).timestamp() * 1000)

    async def close(self) -> None:
        """The SDK's HTTP client is closed with the process."""
