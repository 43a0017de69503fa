"""The synthesis as a document: HTML (printable, served by the hub) and PDF."""
from __future__ import annotations

import html
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .pdf import fonts

CATEGORY = {"eleve": "élèves", "parent": "parents", "enseignant": "enseignants", "encadrement": "encadrement",
            "collectivite": "collectivités", "autre": "autres", "non_renseigne": "non renseigné"}


def _breakdown(counts: dict[str, int], names: dict[str, str]) -> str:
    parts = [f"{names.get(k, k)} {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]
    return " · ".join(parts) or "—"


def _sites(doc: dict[str, Any]) -> dict[str, str]:
    return {**doc["event"]["sites"], "remote": "À distance"}


def by_theme(doc: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    out = []
    for theme in doc["themes"] or [{"id": None, "title": "Propositions"}]:
        ranked = [p for p in doc["proposals"] if p["theme"] == theme["id"] or not doc["themes"]]
        if ranked:
            out.append((theme["title"], sorted(ranked, key=lambda p: (-p["votes"], p["id"]))))
    return out


def to_html(doc: dict[str, Any], links: dict[str, str]) -> str:
    e, f, sites = doc["event"], doc["figures"], _sites(doc)
    esc = html.escape
    parts = [f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f'<title>Synthèse — {esc(e["title"])}</title><link rel="stylesheet" href="/static/css/app.css"></head>'
             f'<body class="page-synthesis"><main id="main" class="report">',
             f'<h1>Synthèse — {esc(e["title"])}</h1>',
             f'<p class="muted">{esc(e["region"])} · {esc(e["date"])} · version {doc["seq"]}</p>',
             '<p>' + " · ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in links.items()) + '</p>',
             '<h2>En chiffres</h2><ul class="big-figures">']
    for n, label in ((f["attendance"]["present_on_sites"], "présents sur les sites"),
                     (f["attendance"]["remote"], "à distance"), (f["questions"]["asked"], "questions"),
                     (f["ballots"], "votes"), (len(doc["proposals"]), "propositions")):
        parts.append(f"<li><strong>{n}</strong><span>{label}</span></li>")
    parts.append("</ul><h2>Propositions, par thème</h2>")
    for title, ranked in by_theme(doc):
        parts.append(f"<section><h3>{esc(title)}</h3><ol class='ranked'>")
        for p in ranked:
            parts.append(f"<li><p class='proposal-title'>{esc(p['title'])}</p>"
                         f"<p class='q-meta'>{p['votes']} soutiens — proposée à {esc(p['site'])} — "
                         f"par site : {esc(_breakdown(p['votes_by_site'], sites))} — "
                         f"par catégorie : {esc(_breakdown(p['votes_by_category'], CATEGORY))}</p></li>")
        parts.append("</ol></section>")
    parts.append("<h2>Questions auxquelles il a été répondu</h2><ul>")
    for q in doc["questions_answered"]:
        parts.append(f"<li>{esc(q['text'])} <span class='q-meta'>({esc(sites.get(q['origin'], q['origin']))}, "
                     f"{q['votes']} soutiens)</span></li>")
    parts.append("</ul><h2>Résultats des sondages</h2>")
    for p in doc["polls"]:
        parts.append(f"<section><h3>{esc(p['question'])}</h3><p class='q-meta'>{p['ballots']} votes</p>")
        if p.get("counts") and p["options"]:
            parts.append("<ul>" + "".join(f"<li>{esc(o)} : {n}</li>" for o, n in zip(p["options"], p["counts"]))
                         + "</ul>")
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)


def to_pdf(doc: dict[str, Any]) -> bytes:
    regular, bold = fonts()
    title = ParagraphStyle("t", fontName=bold, fontSize=16, leading=20)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4)
    h3 = ParagraphStyle("h3", fontName=bold, fontSize=10.5, leading=13, spaceBefore=6)
    body = ParagraphStyle("b", fontName=regular, fontSize=9.5, leading=12)
    meta = ParagraphStyle("m", fontName=regular, fontSize=8, leading=10, leftIndent=10)
    e, sites = doc["event"], _sites(doc)
    story: list[Any] = [Paragraph(f"Synthèse — {escape(e['title'])}", title),
                        Paragraph(f"{escape(e['region'])} · {e['date']} · version {doc['seq']}", body), Spacer(1, 6),
                        Paragraph("Propositions, par thème", h2)]
    for theme, ranked in by_theme(doc):
        story.append(Paragraph(escape(theme), h3))
        for i, p in enumerate(ranked, 1):
            story.append(Paragraph(f"{i}. {escape(p['title'])} — <b>{p['votes']} soutiens</b>", body))
            story.append(Paragraph(f"proposée à {escape(p['site'])} · par site : "
                                   f"{escape(_breakdown(p['votes_by_site'], sites))} · par catégorie : "
                                   f"{escape(_breakdown(p['votes_by_category'], CATEGORY))}", meta))
    story.append(Paragraph("Questions auxquelles il a été répondu", h2))
    for q in doc["questions_answered"]:
        story.append(Paragraph(f"{escape(q['text'])} ({escape(sites.get(q['origin'], q['origin']))})", body))
    story.append(Paragraph("Résultats des sondages", h2))
    for p in doc["polls"]:
        counts = ", ".join(f"{escape(o)} : {n}" for o, n in zip(p["options"], p.get("counts") or []))
        tail = f" — {counts}" if counts else ""
        story.append(Paragraph(f"{escape(p['question'])} — {p['ballots']} votes{tail}", body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.6 * cm,
                      bottomMargin=1.6 * cm, title=f"Synthèse — {e['title']}", author="Multiplex").build(story)
    return out.getvalue()
