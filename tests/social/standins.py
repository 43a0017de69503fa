"""Stand-ins for a Mastodon server and a Bluesky PDS: the documented subset of their APIs that
the hub's clients (Mastodon.py, the atproto SDK) call, served on loopback by the tests.

They are stand-ins, not the networks (docs/social.md): they check what those APIs document
(the bearer token, Mastodon's Idempotency-Key, a 500-character status, a 300-grapheme Bluesky
post, the record key of createRecord) and count what they received.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..support import free_port

MASTODON_TOKEN = "standin-mastodon-token"
BLUESKY_HANDLE, BLUESKY_PASSWORD = "multiplex.standin.test", "standin-app-password"
BLUESKY_DID = "did:plc:standinmultiplex000000"


@dataclass
class Received:
    """What one network took, and how it was asked."""
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)   # remote id -> post
    requests: list[dict[str, Any]] = field(default_factory=list)      # every write asked, in order
    deleted: list[str] = field(default_factory=list)


def _jwt(exp: int) -> str:
    def part(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': BLUESKY_DID, 'exp': exp})}.c2ln"


class StandIns:
    """Both networks on one port; `fail(network, status, times)` makes the next writes fail, and
    `hook` runs on each write before it is kept ("before") and after it is kept, before the answer
    goes back ("after"; "edited" for a correction): where the exactly-once tests kill the hub."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mastodon, self.bluesky = Received(), Received()
        self._keys: dict[str, str] = {}        # Idempotency-Key -> status id
        self._media: dict[str, dict[str, Any]] = {}
        self.public_mastodon: list[dict[str, Any]] = []
        self.public_bluesky: list[dict[str, Any]] = []
        self._public_count = 0
        self.garbage = 0  # the next tag timeline answers that are malformed
        self._failures: dict[str, list[int]] = {"mastodon": [], "bluesky": []}
        self.bluesky_limit = 300  # graphemes (counted as characters here)
        # True from the hook: the request is dropped (the hub died before it was sent)
        self.hook: Callable[[str, str], bool] = lambda network, stage: False
        self.lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {"HUB_MASTODON_URL": self.url, "HUB_MASTODON_TOKEN": MASTODON_TOKEN, "HUB_BLUESKY_URL": self.url,
                "HUB_BLUESKY_HANDLE": BLUESKY_HANDLE, "HUB_BLUESKY_PASSWORD": BLUESKY_PASSWORD}

    def fail(self, network: str, status: int, times: int = 1) -> None:
        with self.lock:
            self._failures[network] += [status] * times

    def _failure(self, network: str) -> Response | None:
        with self.lock:
            if not self._failures[network]:
                return None
            status = self._failures[network].pop(0)
        if status == 429:
            reset = str(int(time.time()) + 1)
            headers = {"X-RateLimit-Reset": reset, "RateLimit-Reset": reset, "Retry-After": "1"}
            return JSONResponse({"error": "RateLimitExceeded", "message": "Too many requests"}, 429, headers=headers)
        return JSONResponse({"error": "InternalServerError", "message": "stand-in failure"}, status)

    # -- Mastodon: POST /api/v1/statuses, DELETE /api/v1/statuses/:id, POST /api/v2/media ------------
    def _mastodon_auth(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {MASTODON_TOKEN}":
            return JSONResponse({"error": "The access token is invalid"}, 401)
        return None

    async def statuses(self, request: Request) -> Response:
        refused = self._mastodon_auth(request) or self._failure("mastodon")
        if refused is not None:
            return refused
        form = await _params(request)
        key = request.headers.get("idempotency-key")
        text = str(form.get("status", ""))
        self.mastodon.requests.append({"key": key, "text": text})
        if len(text) > 500:
            return JSONResponse({"error": "Validation failed: Text character limit of 500 exceeded"}, 422)
        if self.hook("mastodon", "before"):
            return Response(status_code=500)
        with self.lock:
            known = self._keys.get(key) if key else None
            if known is None:
                known = str(100000 + len(self.mastodon.posts))
                media = form.get("media_ids[]") or form.get("media_ids") or []
                media = media if isinstance(media, list) else [media]
                self.mastodon.posts[known] = {"id": known, "text": text, "key": key,
                                              "reply_to": form.get("in_reply_to_id"),
                                              "media": [self._media[m] for m in media if m in self._media]}
                if key:
                    self._keys[key] = known
        self.hook("mastodon", "after")
        return JSONResponse(_status(self.url, self.mastodon.posts[known]))

    async def status_update(self, request: Request) -> Response:
        """PUT /api/v1/statuses/:id: the status's text changed in place (its media kept when
        media_ids is not sent, as Mastodon does); each edit counted."""
        refused = self._mastodon_auth(request) or self._failure("mastodon")
        if refused is not None:
            return refused
        form = await _params(request)
        text = str(form.get("status", ""))
        self.mastodon.requests.append({"edit": request.path_params["id"], "text": text})
        if len(text) > 500:
            return JSONResponse({"error": "Validation failed: Text character limit of 500 exceeded"}, 422)
        with self.lock:
            found = self.mastodon.posts.get(request.path_params["id"])
            if found is None:
                return JSONResponse({"error": "Record not found"}, 404)
            found["text"] = text
            found["edits"] = found.get("edits", 0) + 1
        self.hook("mastodon", "edited")
        return JSONResponse(_status(self.url, found))

    async def status_delete(self, request: Request) -> Response:
        refused = self._mastodon_auth(request) or self._failure("mastodon")
        if refused is not None:
            return refused
        found = self.mastodon.posts.pop(request.path_params["id"], None)
        if found is None:
            return JSONResponse({"error": "Record not found"}, 404)
        self.mastodon.deleted.append(found["id"])
        return JSONResponse(_status(self.url, found))

    async def media(self, request: Request) -> Response:
        refused = self._mastodon_auth(request)
        if refused is not None:
            return refused
        form = await request.form()
        upload = form.get("file")
        kind = getattr(upload, "content_type", "") or ""
        if not kind.startswith("image/"):
            return JSONResponse({"error": "Validation failed: File content type is invalid"}, 422)
        ident = str(len(self._media) + 1)
        self._media[ident] = {"id": ident, "type": "image", "size": len(await upload.read())}  # type: ignore[union-attr]
        return JSONResponse({**self._media[ident], "url": f"{self.url}/media/{ident}", "preview_url": None,
                             "remote_url": None, "description": None, "blurhash": None, "meta": {}})

    # -- Bluesky: createSession, refreshSession, getRecord, createRecord, deleteRecord, uploadBlob --
    def _session(self) -> dict[str, Any]:
        return {"accessJwt": _jwt(int(time.time()) + 7200), "refreshJwt": _jwt(int(time.time()) + 86400),
                "handle": BLUESKY_HANDLE, "did": BLUESKY_DID, "active": True}

    async def create_session(self, request: Request) -> Response:
        body = await request.json()
        if body.get("identifier") != BLUESKY_HANDLE or body.get("password") != BLUESKY_PASSWORD:
            return JSONResponse({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401)
        return JSONResponse(self._session())

    async def refresh_session(self, request: Request) -> Response:
        return JSONResponse(self._session())

    def _bluesky_auth(self, request: Request) -> Response | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"error": "AuthenticationRequired", "message": "Authentication Required"}, 401)
        return None

    async def get_record(self, request: Request) -> Response:
        q = request.query_params
        uri = f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}"
        found = self.bluesky.posts.get(uri)
        if found is None:
            return JSONResponse({"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}, 400)
        return JSONResponse({"uri": uri, "cid": found["cid"], "value": found["record"]})

    async def create_record(self, request: Request) -> Response:
        refused = self._bluesky_auth(request) or self._failure("bluesky")
        if refused is not None:
            return refused
        body = await request.json()
        record = body.get("record", {})
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey') or secrets.token_hex(6)}"
        self.bluesky.requests.append({"uri": uri, "text": record.get("text", "")})
        if (too_long := self._bluesky_too_long(record)) is not None:
            return too_long
        if self.hook("bluesky", "before"):
            return Response(status_code=500)
        with self.lock:
            if uri in self.bluesky.posts:
                return JSONResponse({"error": "InvalidRequest", "message": "Record already exists"}, 400)
            self.bluesky.posts[uri] = {"cid": "bafy" + secrets.token_hex(8), "record": record}
        self.hook("bluesky", "after")
        return JSONResponse({"uri": uri, "cid": self.bluesky.posts[uri]["cid"]})

    def _bluesky_too_long(self, record: dict[str, Any]) -> Response | None:
        if len(record.get("text", "")) > self.bluesky_limit:
            return JSONResponse({"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: "
                                 f"Record/text must not be longer than {self.bluesky_limit} graphemes"}, 400)
        return None

    async def put_record(self, request: Request) -> Response:
        """com.atproto.repo.putRecord: the record written whole under its key (a new cid)."""
        refused = self._bluesky_auth(request) or self._failure("bluesky")
        if refused is not None:
            return refused
        body = await request.json()
        record = body.get("record", {})
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}"
        self.bluesky.requests.append({"uri": uri, "text": record.get("text", ""), "put": True})
        if (too_long := self._bluesky_too_long(record)) is not None:
            return too_long
        with self.lock:
            old = self.bluesky.posts.get(uri)
            edits = old.get("edits", 0) + 1 if old is not None else 0  # a put where nothing was: a creation
            self.bluesky.posts[uri] = {"cid": "bafy" + secrets.token_hex(8), "record": record, "edits": edits}
        self.hook("bluesky", "edited")
        return JSONResponse({"uri": uri, "cid": self.bluesky.posts[uri]["cid"]})

    async def delete_record(self, request: Request) -> Response:
        refused = self._bluesky_auth(request) or self._failure("bluesky")
        if refused is not None:
            return refused
        body = await request.json()
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}"
        if self.bluesky.posts.pop(uri, None) is not None:
            self.bluesky.deleted.append(uri)
        return JSONResponse({})

    async def upload_blob(self, request: Request) -> Response:
        data = await request.body()
        return JSONResponse({"blob": {"$type": "blob", "ref": {"$link": "bafkrei" + secrets.token_hex(8)},
                                      "mimeType": request.headers.get("content-type", "image/jpeg"),
                                      "size": len(data)}})

    async def instance(self, request: Request) -> Response:
        """/api/v1/instance and /api/v2/instance: Mastodon.py reads the server's version there."""
        return JSONResponse({"uri": "127.0.0.1", "domain": "127.0.0.1", "title": "Stand-in", "version": "4.3.0",
                             "api_versions": {"mastodon": 2}, "configuration": {}})

    # -- the hashtag: others' public posts (and the event's own, as the networks show them) ----
    def someone_posts(self, network: str, text: str, *, handle: str, author: str = "", html: str | None = None,
                      url: str | None = None, ago_s: float = 0.0) -> str:
        """A public post by someone else, now (or dated `ago_s` earlier: its author's clock is
        late); `html`: Mastodon's content as sent (else the text)."""
        now_ms = int((time.time() - ago_s) * 1000)  # one reading of the clock: its second and its ms agree
        at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms // 1000)) + f".{now_ms % 1000:03d}Z"
        with self.lock:
            self._public_count += 1
            n = self._public_count
            if network == "mastodon":
                ident = str(900000 + n)
                content = html if html is not None else f"<p>{text}</p>"
                self.public_mastodon.append(_status(self.url, {"id": ident, "text": text}) | {
                    "content": content, "created_at": at, "tags": _tags(content),
                    "url": url if url is not None else f"{self.url}/@{handle}/{ident}",
                    "account": {"id": str(n), "username": handle.split("@")[0], "acct": handle,
                                "display_name": author, "url": f"{self.url}/@{handle}"}})
                return ident
            uri = f"at://did:plc:someone{n:04d}/app.bsky.feed.post/3k{n:011d}"
            self.public_bluesky.append({"uri": uri, "cid": f"bafyreipublic{n:04d}", "indexedAt": at,
                                        "author": {"did": f"did:plc:someone{n:04d}", "handle": handle,
                                                   "displayName": author},
                                        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at}})
            return uri

    async def tag_timeline(self, request: Request) -> Response:
        if self.garbage:  # a malformed answer: the poller must survive it
            self.garbage -= 1
            return Response(b'{"id": [[[[' + b"\xff\xfe" * 100, media_type="application/json")
        tag = request.path_params["tag"].lower()
        after = int(request.query_params.get("min_id") or 0)
        own = [_status(self.url, p) for p in self.mastodon.posts.values()]
        found = [s for s in [*self.public_mastodon, *own]
                 if any(t["name"] == tag for t in s["tags"]) and int(s["id"]) > after]
        found.sort(key=lambda s: int(s["id"]), reverse=True)
        limit = int(request.query_params.get("limit") or 20)
        return JSONResponse(found[-limit:] if after else found[:limit])

    async def search_posts(self, request: Request) -> Response:
        refused = self._bluesky_auth(request)
        if refused is not None:
            return refused
        q = request.query_params.get("q", "").lower()
        since = request.query_params.get("since") or ""
        own = [{"uri": uri, "cid": p["cid"], "indexedAt": p["record"].get("createdAt", ""),
                "author": {"did": BLUESKY_DID, "handle": BLUESKY_HANDLE}, "record": p["record"]}
               for uri, p in self.bluesky.posts.items()]
        found = [v for v in [*self.public_bluesky, *own]
                 if q in str(v["record"].get("text", "")).lower() and v["record"].get("createdAt", "") >= since]
        found.sort(key=lambda v: v["record"].get("createdAt", ""), reverse=True)
        return JSONResponse({"posts": found[:int(request.query_params.get("limit") or 25)]})

    # -- the server ---------------------------------------------------------------------
    def app(self) -> Starlette:
        x = "/xrpc/"
        return Starlette(routes=[
            Route("/api/v1/statuses", self.statuses, methods=["POST"]),
            Route("/api/v1/statuses/{id}", self.status_delete, methods=["DELETE"]),
            Route("/api/v1/statuses/{id}", self.status_update, methods=["PUT"]),
            Route("/api/v2/media", self.media, methods=["POST"]),
            Route("/api/v1/instance", self.instance),
            Route("/api/v2/instance", self.instance),
            Route("/api/v1/timelines/tag/{tag}", self.tag_timeline),
            Route(x + "app.bsky.feed.searchPosts", self.search_posts),
            Route(x + "com.atproto.server.createSession", self.create_session, methods=["POST"]),
            Route(x + "com.atproto.server.refreshSession", self.refresh_session, methods=["POST"]),
            Route(x + "com.atproto.repo.getRecord", self.get_record),
            Route(x + "com.atproto.repo.createRecord", self.create_record, methods=["POST"]),
            Route(x + "com.atproto.repo.deleteRecord", self.delete_record, methods=["POST"]),
            Route(x + "com.atproto.repo.putRecord", self.put_record, methods=["POST"]),
            Route(x + "com.atproto.repo.uploadBlob", self.upload_blob, methods=["POST"]),
        ])

    def start(self) -> None:
        self._server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, name="social-standins", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the stand-ins did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        return body if isinstance(body, dict) else {}
    form = await request.form()
    out: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name in out:
            out[name] = [*([out[name]] if not isinstance(out[name], list) else out[name]), value]
        else:
            out[name] = [value] if name.endswith("[]") else value
    return out


def _tags(html: str) -> list[dict[str, str]]:
    """The hashtags of a status, as Mastodon lists them (its tag timeline reads these)."""
    words = re.sub(r"<[^>]*>", "", html)
    return [{"name": t.lower(), "url": ""} for t in re.findall(r"#(\w+)", words)]


def _status(base: str, post: dict[str, Any]) -> dict[str, Any]:
    return {"id": post["id"], "uri": f"{base}/users/multiplex/statuses/{post['id']}",
            "url": f"{base}/@multiplex/{post['id']}", "content": f"<p>{post['text']}</p>",
            "created_at": "2026-12-07T10:00:00.000Z", "visibility": "public", "sensitive": False,
            "spoiler_text": "", "media_attachments": post.get("media", []), "mentions": [],
            "tags": _tags(str(post.get("text", ""))),
            "emojis": [], "reblogs_count": 0, "favourites_count": 0, "replies_count": 0,
            "account": {"id": "1", "username": "multiplex", "acct": "multiplex", "display_name": "Multiplex",
                        "url": f"{base}/@multiplex"}}
