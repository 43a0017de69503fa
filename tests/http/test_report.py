"""The key figures report over HTTP: who may read it, and its files (CSV, XLSX, a
one-page PDF whose text shows the figures, the timeline as SVG)."""
from __future__ import annotations

import asyncio
import io
import shutil
import subprocess

import httpx
import pytest
from openpyxl import load_workbook

from hub.domain.actors import Role

from ..browser.browser import SHOTS
from ..hubserver import EVENT, HubServer


@pytest.fixture
async def day(tmp_path):
    """A hub where a few things happened: people came, asked, voted, reacted."""
    hub = HubServer(tmp_path / "data", attendance_interval_ms=20)
    await hub.start()
    mod = hub.moderator()
    people = [hub.participant(site, category=cat) for site, cat in
              (("nancy", "enseignant"), ("nancy", "parent"), ("reims", None), ("metz", "eleve"))] + [hub.viewer()]
    await asyncio.gather(mod.connect(), *(p.connect() for p in people))
    poll = (await mod.command({"type": "poll.create", "question": "Utile ?", "kind": "single",
                               "options": ["oui", "non"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    for i, person in enumerate(people):
        await person.command({"type": "poll.vote", "poll": poll, "choices": [i % 2]})
        await person.command({"type": "reaction.send", "emoji": "👏"})
    await people[0].command({"type": "question.ask", "text": "Et les familles ?"})
    for i in range(3):
        await mod.command({"type": "feed.post", "text": f"Live {i}"})
    state = hub.runtime.events[EVENT].replica.state
    for _ in range(500):
        if sum(len(p) for p in state.attendance.people.values()) == 5:
            break
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as http:
        yield hub, http, mod
    await asyncio.gather(mod.close(), *(p.close() for p in people))
    await hub.stop()


def bearer(hub, role, site=None):
    return {"Authorization": f"Bearer {hub.token(role, site)}"}


async def test_the_report_is_the_control_rooms_until_published(day):
    hub, http, mod = day
    assert (await http.get(f"/api/events/{EVENT}/report")).json()["code"] == "auth.missing"
    r = await http.get(f"/api/events/{EVENT}/report", headers=bearer(hub, Role.COORDINATOR, "nancy"))
    assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
    figures = (await http.get(f"/api/events/{EVENT}/report", headers=bearer(hub, Role.MODERATOR))).json()
    assert figures["attendance"]["by_site"]["nancy"] == 2 and figures["attendance"]["remote"] == 1
    assert figures["attendance"]["by_category"] == {"eleve": 1, "enseignant": 1, "non_renseigne": 2, "parent": 1}
    assert figures["polls"][0]["ballots"] == 5 and figures["live_posts"] == 3 and figures["reactions"]["total"] == 5
    assert r.headers.get("cache-control") != "public"
    await mod.command({"type": "report.publish", "public": True})
    public = await http.get(f"/api/events/{EVENT}/report")
    assert public.status_code == 200 and public.json()["questions"]["asked"] == 1
    await mod.command({"type": "report.publish", "public": False})
    assert (await http.get(f"/api/events/{EVENT}/report")).status_code == 401


async def test_csv_xlsx_and_json_hold_the_figures(day):
    hub, http, _ = day
    auth = bearer(hub, Role.MODERATOR)
    csv = await http.get(f"/api/events/{EVENT}/report/presence_par_site.csv", headers=auth)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "site;présents (distincts);pic simultané;heure du pic"
    assert lines[1].startswith("Nancy — Rectorat;2;")
    assert (await http.get(f"/api/events/{EVENT}/report/nope.csv", headers=auth)).status_code == 404
    book = load_workbook(io.BytesIO((await http.get(f"/api/events/{EVENT}/report.xlsx", headers=auth)).content))
    assert "chiffres_cles" in book.sheetnames and "activite_par_heure" in book.sheetnames
    key = {row[0]: row[1] for row in book["chiffres_cles"].iter_rows(min_row=2, values_only=True)}
    assert key["Présents sur les sites"] == 4 and key["Participants à distance"] == 1 and key["Live-tweets"] == 3
    download = await http.get(f"/api/events/{EVENT}/report", params={"download": 1}, headers=auth)
    assert download.headers["content-disposition"].endswith('-chiffres-cles.json"')
    assert download.json()["reactions"]["by_kind"] == {"👏": 5}
    svg = await http.get(f"/api/events/{EVENT}/report/timeline.svg", headers=auth)
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    # one panel per metric, each with its name and total, in the page's language
    text = svg.content.decode()
    assert "Réactions" in text and "Questions" in text and "en tout" in text
    english = await http.get(f"/api/events/{EVENT}/report/timeline.svg", params={"lang": "en"}, headers=auth)
    assert "Reactions" in english.text and "in all" in english.text and "Réactions" not in english.text
    refused = await http.get(f"/api/events/{EVENT}/report/timeline.svg", params={"lang": "de"}, headers=auth)
    assert refused.status_code == 400 and refused.json()["code"] == "report.lang"


async def test_the_one_page_pdf_shows_the_figures(day, tmp_path):
    hub, http, _ = day
    r = await http.get(f"/api/events/{EVENT}/report.pdf", headers=bearer(hub, Role.MODERATOR))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    path = tmp_path / "chiffres.pdf"
    path.write_bytes(r.content)
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("poppler-utils is missing: `make test` installs it")
    assert "Pages:           1" in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert "Les chiffres clés" in words and "présents sur les" in words and "live-tweets" in words
    # the two rows of big figures, each above its label
    rows = [line.split() for line in text.splitlines() if line.strip() and line.split()[0].isdigit()
            and all(w.isdigit() for w in line.split())]
    assert rows[0][0] == "4" and rows[0][1] == "1" and rows[0][4] == "1"  # on sites, remote, questions asked
    assert rows[1][1] == "5" and rows[1][3] == "3" and rows[1][4] == "5"  # ballots, live-tweets, reactions
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(SHOTS / "report-pdf")], check=True)
    assert (SHOTS / "report-pdf.png").stat().st_size > 10_000
