"""The pages, one per role, and the static ES modules they load. No build step:
the files in web/ are served as they are, behind a strict Content-Security-Policy."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..settings import VENDOR_DIR, WEB_DIR
from .auth import runtime_of

WEB = WEB_DIR
HLS_JS = "hls.js/dist/hls.light.min.mjs"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self' ws: wss:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


# One shell for every page: only the module it loads (and a body class) differ.
SHELL = (WEB / "page.html").read_text(encoding="utf-8")


def shell(name: str, *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    html = SHELL.replace("__PAGE__", name)
    if error is not None:  # a code from this file, never from the request
        html = html.replace(f'<body class="page-{name}">', f'<body class="page-{name}" data-error="{error}">')
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-cache"})


def _page(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        if request.path_params.get("event") not in runtime_of(request).events:
            # a page of its own, in the reader's language (web/pages/error.js)
            return shell("error", error="event.unknown", status_code=404)
        return shell(name)
    return page


async def index(request: Request) -> Response:
    return shell("index")


async def hls_js(request: Request) -> Response:
    """hls.js (npm, installed by `make run`), which plays HLS where the browser cannot by itself."""
    path = VENDOR_DIR / HLS_JS
    if not path.is_file():
        return JSONResponse({"code": "page.vendor_missing", "message": "hls.js is not installed (npm ci)"},
                            status_code=404)
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


routes = [
    Route("/", index),
    Route("/e/{event}", _page("viewer")),
    Route("/e/{event}/join/{site}", _page("viewer")),
    Route("/e/{event}/site/{site}", _page("site")),
    Route("/e/{event}/moderate", _page("moderate")),
    Route("/e/{event}/screen/{site}", _page("screen")),
    Route("/e/{event}/report", _page("report")),
    Route("/e/{event}/replay", _page("replay")),
    Route("/e/{event}/caption", _page("caption")),
    Route("/e/{event}/checkin/{invitee}", _page("checkin")),
    Route("/static/vendor/hls.mjs", hls_js),
    Mount("/static", StaticFiles(directory=WEB), name="static"),
]


SECURITY_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer", "x-frame-options": "DENY"}
_RAW_HEADERS = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class SecurityHeaders:
    """Pure ASGI middleware: CSP and friends on every HTTP response."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += _RAW_HEADERS
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
