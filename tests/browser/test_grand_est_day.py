"""A scripted Grand Est day through the pages, then what is told about it: seven
sites, participants who say who they are, proposals under themes, upvotes, a
poll, two programme sessions recorded from Nancy's camera; then the report
(its numbers are what the script did), its CSV, XLSX and PDF, and a published
replay that a visitor seeks in. French and English, axe clean."""
from __future__ import annotations

import asyncio
import io
import re
import subprocess

from openpyxl import load_workbook

from hub.domain.actors import Role

from .browser import (
    chromium,
    open_page,
    screenshots,
    serious_accessibility_violations,
    set_lang,
    show_pane,
    take_on_air,
    wait_js,
    wait_online,
)
from .test_media import canvas_camera, go_live

EVENT = "grand-est-2020"
SITES = ["nancy", "strasbourg", "reims", "mulhouse", "metz", "troyes", "epinal"]
CATEGORIES = ["enseignant", "parent", "eleve", "enseignant", "collectivite", "encadrement", ""]
ACCESS = "Garantir un égal accès au numérique pour tous"
GOVERNANCE = "De nouvelles formes de gouvernance et d'anticipation"


async def until_recorded(hub, frames: int = 30) -> None:
    for _ in range(400):
        recorder = hub.runtime.events[EVENT].media.recorder
        if recorder is not None and recorder.frames >= frames:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("nothing recorded")


async def test_a_grand_est_day_then_its_report_and_replay(recording_hub):
    hub = recording_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        camera = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                 init_script=canvas_camera("#ff0000"))
        for page in (mod, camera):
            await wait_online(page)
        await go_live(camera)
        await take_on_air(mod, "Nancy")

        # seven participants, one per site, joined by QR code; six say who they are
        people = []
        for site, category in zip(SITES, CATEGORIES):
            page = await open_page(browser, f"{base}/join/{site}?code={hub.code(site)}")
            await wait_online(page)
            if category:
                await page.select_option("#join-category", category)
                await page.get_by_role("button", name="Valider").click()
            else:
                await page.get_by_role("button", name="Plus tard").click()
            await wait_online(page)
            people.append(page)

        # the opening: declared under way and recorded
        await show_pane(mod, "Séance")
        await mod.select_option("#current-session", label="09:00 — Ouverture multisite (Nancy)")
        await mod.get_by_role("button", name="Déclarer en cours").click()
        await mod.select_option("#record-session", "0")
        await mod.get_by_role("button", name="Enregistrer", exact=True).click()
        await until_recorded(hub)
        # the captioner types what the rector says: it will be on the replay
        async with hub.viewer(event=EVENT, token=hub.token(Role.CAPTIONER, event=EVENT)) as captioner:
            await captioner.command({"type": "caption.line", "text": "Bienvenue à cette journée régionale."})
        await until_recorded(hub, frames=hub.runtime.events[EVENT].media.recorder.frames + 20)

        # proposals under themes, validated, upvoted from every site
        for page, theme, title in ((people[0], ACCESS, "Un ordinateur par élève en REP"),
                                   (people[2], ACCESS, "Des tiers-lieux numériques ouverts le soir"),
                                   (people[4], GOVERNANCE, "Un conseil numérique des élèves")):
            await page.select_option("#proposal-theme", label=theme)
            await page.fill("#proposal-title", title)
            await page.get_by_role("button", name="Envoyer la proposition").click()
            await page.locator("#proposals .form-status", has_text="Proposition envoyée").wait_for()
        await show_pane(mod, "Contributions")
        for _ in range(3):
            await mod.locator("#pending-posts .post").first.get_by_role("button", name="Valider").click()
            await asyncio.sleep(0)
        await wait_js(mod, "Object.values(window.__mx.state.posts).filter(p => p.state === 'published').length === 3")
        for page in people:
            item = page.locator("#ranking .ranked li", has_text="Un ordinateur par élève en REP")
            await item.get_by_role("button", name="soutenir cette proposition").click()
            await wait_js(page, "(window.__mx.me.proposals_upvoted || []).length === 1")

        # the second session: a poll, everybody votes; it is recorded too
        await mod.select_option("#current-session", label="09:30 — Classes virtuelles en lycée professionnel (Nancy)")
        await mod.get_by_role("button", name="Déclarer en cours").click()
        await mod.select_option("#record-session", "1")
        await mod.get_by_role("button", name="Enregistrer", exact=True).click()
        await show_pane(mod, "Sondages")
        await mod.fill("#poll-question", "Le numérique a-t-il aidé vos élèves ?")
        await mod.fill("#poll-options", "Oui\nNon")
        await mod.get_by_role("button", name="Créer le sondage").click()
        question = "Le numérique a-t-il aidé vos élèves ?"
        await mod.locator("#poll-list article", has_text=question).get_by_role("button", name="Ouvrir").click()
        for i, page in enumerate(people):
            await page.locator("#poll legend", has_text=question).wait_for()
            await page.locator("#poll label", has_text=re.compile("^Oui$" if i % 3 else "^Non$")).click()
            await page.locator("#poll button[type=submit]").click()
            await wait_js(page, "Object.keys(window.__mx.me.ballots || {}).length === 1")
        await until_recorded(hub)
        await mod.get_by_role("button", name="Arrêter l'enregistrement").click()
        await mod.locator(".record .muted", has_text="Pas d'enregistrement").wait_for()
        folder = hub.settings.data_dir / "recordings" / EVENT
        for _ in range(100):
            if len(list(folder.glob("0[12]-*.webm"))) == 2 and hub.runtime.events[EVENT].media.recorder is None:
                break
            await asyncio.sleep(0.05)
        assert sorted(p.name[:2] for p in folder.glob("*.webm")) == ["01", "02"]

        state = hub.runtime.events[EVENT].replica.state
        for _ in range(200):  # arrivals reach the log in batches
            if sum(len(p) for p in state.attendance.people.values()) == 7:
                break
            await asyncio.sleep(0.05)

        # the report: what the script did
        await show_pane(mod, "Avant/après")
        async with mod.context.expect_page() as opened:
            await mod.get_by_role("link", name="Ouvrir le rapport").click()
        report = await opened.value
        figure = lambda key: report.locator(f"#big-figures [data-figure={key}] strong")  # noqa: E731
        await figure("present_on_sites").filter(has_text="7").wait_for()
        assert await figure("remote").inner_text() == "0"
        assert await figure("ballots").inner_text() == "7"
        assert await figure("proposals").inner_text() == "3"
        for site in ("Nancy — Rectorat", "Épinal — Collège Jules Ferry"):
            assert await report.locator("#table-sites tbody tr", has_text=site).locator("td").first.inner_text() == "1"
        categories = {await row.locator("th").inner_text(): await row.locator("td").inner_text()
                      for row in await report.locator("#table-categories tbody tr").all()}
        assert categories == {"Collectivité": "1", "Personnel d'encadrement": "1", "Enseignant·e": "2",
                              "Non renseigné": "1", "Parent": "1", "Élève": "1"}
        proposals = report.locator("#table-proposals tbody tr", has_text="Un ordinateur par élève en REP")
        assert await proposals.locator("td").first.inner_text() == "7"
        async with report.expect_download() as got:
            await report.get_by_role("button", name="CSV : Votes par sondage et par site").click()
        rows = open(await (await got.value).path(), encoding="utf-8-sig").read().splitlines()
        assert rows[1].split(";")[2:11] == ["7", "1", "1", "1", "1", "1", "1", "1", "0"]
        assert rows[1].split(";")[11:13] == ["0", "7"]  # no show of hands: the answers are the ballots
        async with report.expect_download() as got:
            await report.get_by_role("button", name="Classeur XLSX").click()
        book = load_workbook(io.BytesIO(open(await (await got.value).path(), "rb").read()))
        key = {row[0]: row[1] for row in book["chiffres_cles"].iter_rows(min_row=2, values_only=True)}
        assert key["Présents sur les sites"] == 7 and key["Soutiens aux propositions"] == 7
        async with report.expect_download() as got:
            await report.get_by_role("button", name="Résumé PDF (1 page)").click()
        text = subprocess.run(["pdftotext", "-layout", await (await got.value).path(), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Les chiffres clés" in text and "Un ordinateur par élève en REP" in text
        assert await serious_accessibility_violations(report) == []
        await screenshots(report, "grand-est-day-report")
        await set_lang(report, "en")
        await report.locator("h1", has_text="Key figures").wait_for()
        assert await serious_accessibility_violations(report) == []
        await screenshots(report, "grand-est-day-report-en")

        # the opening's replay, published, watched and sought in
        await show_pane(mod, "Séance")
        opening = mod.locator("#replay-list li", has_text="Ouverture multisite")
        await opening.get_by_role("button", name="Publier le replay").click()
        await opening.get_by_role("button", name="Retirer le replay").wait_for()
        replay = await open_page(browser, f"{base}/replay")
        await replay.locator("h2", has_text="Ouverture multisite").wait_for()
        assert await replay.locator("h2", has_text="Classes virtuelles").count() == 0
        await wait_js(replay, "document.querySelector('video.replay-video').readyState >= 1", timeout=15)
        await replay.evaluate("""new Promise((done) => { const v = document.querySelector('video.replay-video');
            v.addEventListener('seeked', done, { once: true }); v.currentTime = 1; })""")
        assert await replay.evaluate("document.querySelector('video.replay-video').currentTime") >= 0.9
        # its captions: a WebVTT track the browser loaded, with the captioner's line
        await wait_js(replay, "(() => { const t = document.querySelector('video.replay-video').textTracks[0];"
                              " if (!t) return false; t.mode = 'hidden'; return !!t.cues && t.cues.length > 0; })()",
                      timeout=15)
        assert await replay.evaluate("document.querySelector('video.replay-video').textTracks[0].cues[0].text") == \
            "Bienvenue à cette journée régionale."
        assert await serious_accessibility_violations(replay) == []
        await screenshots(replay, "grand-est-day-replay")
