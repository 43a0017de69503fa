"""Photos pushed by site coordinators: checked by content (not by name or the
browser's word), bounded in size, stored under their hash, served as images only."""
from __future__ import annotations

import hashlib
import re

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..domain.actors import Role
from ..domain.errors import DomainError
from .auth import event_of, grant_from, runtime_of

# Magic numbers of the accepted formats; SVG (scriptable) and the rest are refused.
SIGNATURES = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def sniff(head: bytes) -> str | None:
    """The file extension for these bytes, or None when not an accepted image."""
    for magic, ext, _ in SIGNATURES:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


async def upload(request: Request) -> JSONResponse:
    event = event_of(request).config.id
    grant = grant_from(request, event)
    if grant.role not in (Role.COORDINATOR, Role.MODERATOR):
        raise DomainError("auth.forbidden", "only site coordinators and moderators upload photos")
    limit = request.app.state.settings.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise DomainError("upload.too_large", f"photos are limited to {limit // 1_048_576} MB", limit=limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise DomainError("upload.too_large", f"photos are limited to {limit // 1_048_576} MB", limit=limit)
    ext = sniff(bytes(body[:16]))
    if ext is None:
        raise DomainError("upload.type", "send a JPEG, PNG or WebP photo")
    name = f"{hashlib.sha256(body).hexdigest()[:32]}.{ext}"
    folder = request.app.state.settings.uploads_dir(event)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(body)
        tmp.replace(path)
    return JSONResponse({"url": f"/media/uploads/{event}/{name}", "bytes": len(body)}, status_code=201)


async def serve_upload(request: Request) -> Response:
    event, name = request.path_params["event"], request.path_params["name"]
    if event not in runtime_of(request).events or not NAME.match(name):
        return JSONResponse({"code": "upload.not_found", "message": "no such photo"}, status_code=404)
    path = request.app.state.settings.uploads_dir(event) / name
    if not path.is_file():
        return JSONResponse({"code": "upload.not_found", "message": "no such photo"}, status_code=404)
    return FileResponse(path, media_type=TYPES[name.rsplit(".", 1)[1]],
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


routes = [
    Route("/api/events/{event}/uploads", upload, methods=["POST"]),
    Route("/media/uploads/{event}/{name}", serve_upload),
]
