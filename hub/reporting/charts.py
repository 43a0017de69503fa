"""Charts drawn on the server (reportlab's graphics): the same drawing goes into
the PDF and, as SVG, into the report page. No JavaScript chart library, no CDN."""
from __future__ import annotations

from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from .tables import local_time

# Colour-blind-safe (Okabe–Ito), with AA contrast on white for the panels' titles.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6A00", "#1F6F9A", "#000000"]
LABELS = {
    "fr": {"arrivals": "Arrivées", "questions": "Questions", "ballots": "Votes", "reactions": "Réactions",
           "upvotes": "Soutiens", "proposals": "Propositions", "live_posts": "Live-tweets"},
    "en": {"arrivals": "Arrivals", "questions": "Questions", "ballots": "Ballots", "reactions": "Reactions",
           "upvotes": "Upvotes", "proposals": "Proposals", "live_posts": "Live-tweets"},
}
WORDS = {"fr": {"none": "Pas encore d'activité.", "total": "{n} en tout", "hour": "{h} h"},
         "en": {"none": "No activity yet.", "total": "{n} in all", "hour": "{h}:00"}}


def timeline_drawing(figures: dict[str, Any], width: float = 960, height: float | None = None, *,
                     lang: str = "fr", columns: int = 3, font: float = 16) -> Drawing:
    """One small chart per metric, each on its own axis: reactions run to hundreds an
    hour and questions to tens, and on one shared axis the questions would not show.
    The hours are the event's local time; every panel says its metric and its total."""
    words = WORDS.get(lang, WORDS["fr"])
    labels = LABELS.get(lang, LABELS["fr"])
    timeline = figures["timeline"]
    metrics = list(timeline["series"])
    rows = max(1, -(-len(metrics) // columns))
    panel_w = width / columns
    panel_h = (height / rows) if height else font * 15
    drawing = Drawing(width, panel_h * rows)
    if not timeline["hours"] or not metrics:
        drawing.add(String(10, drawing.height / 2, words["none"], fontSize=font))
        return drawing
    hours = [words["hour"].format(h=int(local_time(figures, h)[-5:-3])) for h in timeline["hours"]]
    step = max(1, -(-len(hours) // 8))  # at most 8 hour labels under a panel: they never overlap
    for i, metric in enumerate(metrics):
        values = timeline["series"][metric]
        x0 = (i % columns) * panel_w
        y0 = drawing.height - (i // columns + 1) * panel_h
        colour = colors.HexColor(PALETTE[i % len(PALETTE)])
        drawing.add(String(x0 + font * 3.2, y0 + panel_h - font * 1.3, labels.get(metric, metric),
                           fontSize=font * 1.1, fontName="Helvetica", fillColor=colour))
        drawing.add(String(x0 + panel_w - font, y0 + panel_h - font * 1.3, words["total"].format(n=sum(values)),
                           fontSize=font * 0.9, textAnchor="end", fillColor=colors.HexColor("#333333")))
        chart = VerticalBarChart()
        # reportlab's stubs say int; its drawing takes points as any number (rounded here)
        chart.x, chart.y = round(x0 + font * 3.2), round(y0 + font * 2.2)
        chart.width, chart.height = round(panel_w - font * 4.4), round(panel_h - font * 4.6)
        chart.data = [values]
        chart.bars[0].fillColor, chart.bars[0].strokeColor = colour, None
        chart.barSpacing, chart.groupSpacing = 0, max(1, round(chart.width / max(1, len(values)) * 0.2))
        chart.categoryAxis.categoryNames = [hour if n % step == 0 else "" for n, hour in enumerate(hours)]
        chart.categoryAxis.labels.fontSize = font * 0.85
        chart.categoryAxis.labels.dy = -font * 0.3
        chart.categoryAxis.strokeColor = colors.HexColor("#555555")
        chart.valueAxis.valueMin = 0
        top = max(values) if values else 0
        chart.valueAxis.valueMax = max(4, top)
        chart.valueAxis.valueStep = max(1, -(-max(4, top) // 4))  # whole numbers, four steps
        chart.valueAxis.labels.fontSize = font * 0.85
        chart.valueAxis.labelTextFormat = "%d"
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
        chart.valueAxis.strokeColor = colors.HexColor("#555555")
        drawing.add(chart)
    return drawing


def timeline_svg(figures: dict[str, Any], lang: str = "fr") -> bytes:
    svg: str = renderSVG.drawToString(timeline_drawing(figures, lang=lang))
    return svg.encode("utf-8")
