"""The key figures report: its page, its data, and its downloads (CSV per table,
JSON, XLSX, a one-page PDF, the timeline as SVG). The control room's link opens
it; everyone can once the control room publishes it (`report.publish`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain import report
from ..domain.errors import DomainError
from ..reporting import charts, files, pdf, tables
from .auth import event_of, is_moderator

if TYPE_CHECKING:
    from ..port import EventPort

PRIVATE = {"Cache-Control": "no-store"}


def _allowed(request: Request, ev: EventPort) -> None:
    """The control room always; anybody once the report is published."""
    if not ev.state.publishing.report:
        is_moderator(request, ev.config.id, required=True)


def _figures(request: Request) -> tuple[EventPort, dict[str, Any]]:
    ev = event_of(request)
    _allowed(request, ev)
    return ev, report.figures(ev.state, ev.config)


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'})


async def report_json(request: Request) -> Response:
    ev, figures = _figures(request)
    if request.query_params.get("download"):
        import msgspec
        return _download(msgspec.json.encode(figures), "application/json", f"{ev.config.id}-chiffres-cles.json")
    return JSONResponse({**figures, "tables": [{"name": t.name, "title": t.title} for t in tables.tables(figures)]},
                        headers=PRIVATE)


async def report_csv(request: Request) -> Response:
    ev, figures = _figures(request)
    wanted = request.path_params["table"]
    for table in tables.tables(figures):
        if table.name == wanted:
            return _download(files.to_csv(table), "text/csv; charset=utf-8", f"{ev.config.id}-{table.name}.csv")
    raise DomainError("report.no_table", f"no table {wanted}", table=wanted)


async def report_xlsx(request: Request) -> Response:
    ev, figures = _figures(request)
    return _download(files.to_xlsx(tables.tables(figures)),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{ev.config.id}-chiffres-cles.xlsx")


async def report_pdf(request: Request) -> Response:
    ev, figures = _figures(request)
    return _download(pdf.key_figures_pdf(figures), "application/pdf", f"{ev.config.id}-chiffres-cles.pdf")


async def timeline_svg(request: Request) -> Response:
    _, figures = _figures(request)
    lang = request.query_params.get("lang", "fr")
    if lang not in charts.LABELS:
        return JSONResponse({"code": "report.lang", "message": f"lang is one of {', '.join(charts.LABELS)}"},
                            status_code=400)
    return Response(charts.timeline_svg(figures, lang), media_type="image/svg+xml", headers=PRIVATE)


routes = [
    Route("/api/events/{event}/report", report_json),
    Route("/api/events/{event}/report/timeline.svg", timeline_svg),
    Route("/api/events/{event}/report/{table}.csv", report_csv),
    Route("/api/events/{event}/report.xlsx", report_xlsx),
    Route("/api/events/{event}/report.pdf", report_pdf),
]
