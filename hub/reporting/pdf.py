"""« Les chiffres clés »: a one-page PDF summary of the day (reportlab)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape  # Paragraph text is markup: people's text is escaped

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .charts import timeline_drawing

# DejaVu covers what participants type beyond Latin-1 (when the system has it);
# otherwise reportlab's built-in Helvetica.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def fonts() -> tuple[str, str]:
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVu", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(bold)))
        return "DejaVu", "DejaVu-Bold"
    return "Helvetica", "Helvetica-Bold"


def key_figures_pdf(f: dict[str, Any]) -> bytes:
    regular, bold = fonts()
    title = ParagraphStyle("t", fontName=bold, fontSize=16, leading=20, spaceAfter=4)
    sub = ParagraphStyle("s", fontName=regular, fontSize=10, leading=13, textColor=colors.HexColor("#4a5568"))
    head = ParagraphStyle("h", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("p", fontName=regular, fontSize=9, leading=11)
    att, q = f["attendance"], f["questions"]
    big = [
        (att["present_on_sites"], "présents sur les sites"), (att["remote"], "participants à distance"),
        (f["peak"]["total"], "connexions simultanées au pic"), (f["stream"]["watchers"], "spectateurs de la vidéo"),
        (q["asked"], "questions posées"), (q["answered"], "questions répondues"),
        (sum(p["ballots"] for p in f["polls"]), "votes aux sondages"), (len(f["proposals"]), "propositions"),
        (f["live_posts"], "live-tweets"), (f["reactions"]["total"], "réactions"),
        (f["social"]["total"], "sur les réseaux"),
    ]
    cells = [[Paragraph(f'<font name="{bold}" size="20">{n}</font><br/>{label}', small) for n, label in big[i:i + 5]]
             for i in range(0, len(big), 5)]
    grid = Table(cells, colWidths=[3.4 * cm] * 5)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                              ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#cbd2de"))]))
    sites = [[Paragraph(escape(name), small), att["by_site"][sid], f["peak"]["by_site"].get(sid, 0),
              q["asked_by_site"][sid]] for sid, name in f["event"]["sites"].items()]
    sites.append([Paragraph("À distance", small), att["remote"], f["peak"]["by_site"].get("remote", 0),
                  q["asked_by_site"]["remote"]])
    by_site = Table([["Site", "Présents", "Pic", "Questions"], *sites],
                    colWidths=[7.5 * cm, 2.5 * cm, 2.5 * cm, 2.5 * cm])
    by_site.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), bold, 9), ("FONT", (0, 1), (-1, -1), regular, 9),
                                 ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                                 ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                                 ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f9")])]))
    story: list[Any] = [
        Paragraph("Les chiffres clés", title),
        Paragraph(f'{escape(f["event"]["title"])} — {f["event"]["date"]}', sub), Spacer(1, 8), grid,
        Paragraph("Par site", head), by_site,
        Paragraph("Activité par heure", head), timeline_drawing(f, width=17 * cm, height=5.2 * cm, columns=4, font=6),
    ]
    if f["proposals"]:
        story.append(Paragraph("Propositions les plus soutenues", head))
        for p in f["proposals"][:5]:
            story.append(Paragraph(f'{p["votes"]} soutiens — {escape(p["title"])}', small))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.6 * cm,
                      bottomMargin=1.4 * cm, title=f"Les chiffres clés — {f['event']['title']}",
                      author="Multiplex").build(story)
    return out.getvalue()
