"""DomainError -> JSON response with its stable code and an HTTP status."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..domain.errors import DomainError
from .pages import SECURITY_HEADERS

STATUS = {"auth.missing": 401, "auth.invalid": 401, "auth.expired": 401, "auth.forbidden": 403,
          "auth.other_site": 403, "event.not_found": 404, "site.not_found": 404,
          "upload.too_large": 413, "report.no_table": 404, "upload.type": 415, "media.content_type": 415,
          "media.external": 409, "media.codec": 422, "hls.rendition": 404,
          "replay.not_found": 404, "invitee.not_found": 404, "csv.too_large": 413,
          "import.signature": 422, "import.format": 422, "import.key": 422,
          "import.replayed": 409, "import.unchanged": 409, "import.fetch": 502, "import.too_large": 413}


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        runtime.metrics.refused(exc.code)
    return JSONResponse(exc.as_dict(), status_code=STATUS.get(exc.code, 400))


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: a stable code, and the same security headers as every other answer
    (this handler runs outside the middleware that adds them)."""
    return JSONResponse({"code": "internal", "message": "the hub failed on this request"}, status_code=500,
                        headers=SECURITY_HEADERS)
