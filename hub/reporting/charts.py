"""Charts drawn on the server (reportlab's graphics): the same drawing goes into
the PDF and, as SVG, into the report page. No JavaScript chart library, no CDN."""
from __future__ import annotations

from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from .tables import local_time

# Colour-blind-safe (Okabe–Ito), with AA contrast on white for the legend's text.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LABELS = {"arrivals": "Arrivées", "questions": "Questions", "ballots": "Votes", "reactions": "Réactions",
          "upvotes": "Soutiens", "proposals": "Propositions", "live_posts": "Live-tweets"}


def timeline_drawing(figures: dict[str, Any], width: float = 520, height: float = 220) -> Drawing:
    timeline = figures["timeline"]
    drawing = Drawing(width, height)
    if not timeline["hours"]:
        drawing.add(String(10, height / 2, "Pas encore d'activité.", fontSize=11))
        return drawing
    metrics = list(timeline["series"])
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, int(width - 170), int(height - 60)
    chart.data = [timeline["series"][m] for m in metrics]
    chart.categoryAxis.categoryNames = [local_time(figures, h)[-5:-3] + " h" for h in timeline["hours"]]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.barSpacing, chart.groupSpacing = 1, 6
    for i, _ in enumerate(metrics):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = int(width - 115), int(height - 20)
    legend.fontSize, legend.alignment, legend.columnMaximum = 9, "right", len(metrics)
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), LABELS.get(m, m))
                             for i, m in enumerate(metrics)]
    drawing.add(legend)
    return drawing


def timeline_svg(figures: dict[str, Any]) -> bytes:
    svg: str = renderSVG.drawToString(timeline_drawing(figures))
    return svg.encode("utf-8")
