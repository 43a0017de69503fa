"""The synthesis a region sends up: signed JSON (its link is read-only), an HTML
document that shows participants' text as text, and a PDF."""
from __future__ import annotations

import subprocess

import httpx
import pytest

from hub.domain.actors import Role
from hub.security import signing

from ..browser.browser import SHOTS
from ..hubserver import EVENT, SECRET


@pytest.fixture
async def http(hub):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as client:
        yield client


async def test_the_synthesis_is_signed_and_read_only_with_its_link(http, hub, tmp_path):
    person, mod = hub.participant("reims", category="parent"), hub.moderator()
    await person.connect()
    await mod.connect()
    ack = await person.command({"type": "proposal.submit", "theme": "gouvernance",
                                "title": "<script>alert(1)</script> Un conseil des élèves"})
    await mod.command({"type": "feed.approve", "post": ack["result"]["post"]})
    await person.command({"type": "feed.upvote", "post": ack["result"]["post"]})

    assert (await http.get(f"/api/events/{EVENT}/synthesis.json")).status_code == 401
    coordinator = {"Authorization": f"Bearer {hub.token(Role.COORDINATOR, 'reims')}"}
    assert (await http.get(f"/api/events/{EVENT}/synthesis.json", headers=coordinator)).status_code == 403
    assert (await http.get(f"/api/events/{EVENT}/synthesis.json", params={"token": "guessed"})).status_code == 401
    token = signing.export_token(SECRET, EVENT)
    r = await http.get(f"/api/events/{EVENT}/synthesis.json", params={"token": token})
    envelope = signing.verify(r.content)
    doc = envelope.synthesis
    assert envelope.key == signing.public_key(SECRET) and doc["event"]["region"] == "Grand Est"
    (proposal,) = doc["proposals"]
    assert proposal["theme_title"].startswith("De nouvelles formes de gouvernance")
    assert proposal["votes_by_site"]["reims"] == 1 and proposal["votes_by_category"] == {"parent": 1}

    page = await http.get(f"/e/{EVENT}/synthesis", params={"token": token})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Un conseil des élèves" in page.text and "<script>" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    pdf = await http.get(f"/api/events/{EVENT}/synthesis.pdf", params={"token": token})
    (tmp_path / "s.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Un conseil des élèves" in text and "1 soutiens" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-singlefile", str(tmp_path / "s.pdf"),
                    str(SHOTS / "synthesis-pdf")], check=True)
    await person.close()
    await mod.close()
