"""The key figures report in the pages: the control room opens it (numbers as the
script made them), downloads its files, publishes it; then anybody reads it, in
French and in English, and it is accessible."""
from __future__ import annotations

import asyncio
import io

from openpyxl import load_workbook

from hub.domain.actors import Role

from .browser import (
    chromium,
    open_page,
    screenshots,
    serious_accessibility_violations,
    set_lang,
    show_pane,
    wait_js,
    wait_online,
)

EVENT = "grand-est-2020"


def base(hub) -> str:
    return f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"


async def test_report_opened_downloaded_published_and_read(recording_hub):
    hub = recording_hub
    async with chromium() as browser:
        mod = await open_page(browser, f"{base(hub)}/moderate#token={hub.token(Role.MODERATOR)}")
        people = [await open_page(browser, f"{base(hub)}/join/{site}?code={hub.code(site)}")
                  for site in ("nancy", "nancy", "strasbourg")]
        for page in (mod, *people):
            await wait_online(page)
        for page in people:
            await page.get_by_role("button", name="👏").click()
        await people[0].fill("#ask-text", "Et les familles ?")
        await people[0].get_by_role("button", name="Envoyer la question").click()
        await mod.locator("#queue-pending .q-text", has_text="Et les familles ?").wait_for()
        state = hub.runtime.events[EVENT].replica.state
        for _ in range(500):  # arrivals are written in batches
            if sum(len(p) for p in state.attendance.people.values()) == 3 and state.reactions.counts:
                break
            await asyncio.sleep(0.02)

        # a remote player of the broadcast says it watches (360p): counted by way of watching
        await people[0].evaluate("""fetch('/api/events/grand-est-2020/hls/watching', {method: 'POST',
            headers: {'content-type': 'application/json'},
            body: JSON.stringify({pid: 'viewer-hls-0001', target: 'program', rendition: '360p'})})""")
        for _ in range(500):
            if state.attendance.ways:
                break
            await asyncio.sleep(0.02)

        # the control room opens the report from its page
        await show_pane(mod, "Avant/après")
        async with mod.context.expect_page() as opened:
            await mod.get_by_role("link", name="Ouvrir le rapport").click()
        report = await opened.value
        await report.locator("#big-figures [data-figure=present_on_sites] strong", has_text="3").wait_for()
        assert await report.locator("#big-figures [data-figure=reactions] strong").inner_text() == "3"
        assert await report.locator("#big-figures [data-figure=asked] strong").inner_text() == "1"
        nancy = report.locator("#table-sites tbody tr", has_text="Nancy — Rectorat")
        assert (await nancy.locator("td").first.inner_text()) == "2"
        await report.locator("#table-timeline tbody tr").first.wait_for()
        way = report.locator("#table-ways tbody tr", has_text="Diffusion 360p")
        assert (await way.locator("td").first.inner_text()) == "1"
        await wait_js(report, "document.querySelector('img.chart').naturalWidth > 0")
        # the chart is drawn at the page's width (960 px here), not a 520 px stamp with 8 px labels
        assert await report.evaluate("document.querySelector('img.chart').getBoundingClientRect().width") >= 900
        # what the video's viewers are, said in the page: not the rooms' screens nor the régie
        definitions = report.locator("#definitions")
        await definitions.locator("dt", has_text="spectateurs de la vidéo").wait_for()
        said = await definitions.inner_text()
        assert "Les grands écrans des salles, la régie et ses moniteurs ne comptent pas" in said
        async with report.expect_download() as got:
            await report.get_by_role("button", name="Classeur XLSX").click()
        book = load_workbook(io.BytesIO(open(await (await got.value).path(), "rb").read()))
        key = {row[0]: row[1] for row in book["chiffres_cles"].iter_rows(min_row=2, values_only=True)}
        assert key["Présents sur les sites"] == 3 and key["Réactions"] == 3
        assert ("Diffusion 360p", 1) in list(book["video_par_mode"].iter_rows(min_row=2, values_only=True))
        async with report.expect_download() as got:
            await report.get_by_role("button", name="Résumé PDF (1 page)").click()
        assert open(await (await got.value).path(), "rb").read(4) == b"%PDF"
        async with report.expect_download() as got:
            await report.get_by_role("button", name="CSV : Questions par site").click()
        csv = open(await (await got.value).path(), encoding="utf-8-sig").read()
        assert "Nancy — Rectorat;1;0" in csv
        assert await serious_accessibility_violations(report) == []
        await screenshots(report, "report-control-room")

        # not public yet; then published by the control room
        visitor = await open_page(browser, f"{base(hub)}/report")
        await visitor.get_by_role("alert").filter(has_text="pas encore publié").wait_for()
        await mod.get_by_role("button", name="Publier le rapport").click()
        await mod.locator("#report", has_text="Ce rapport est public.").wait_for()
        await visitor.reload()
        await visitor.locator("#big-figures [data-figure=present_on_sites] strong", has_text="3").wait_for()
        await set_lang(visitor, "en")
        await visitor.locator("h1", has_text="Key figures").wait_for()
        await visitor.locator("#big-figures", has_text="present on the sites").wait_for()
        await visitor.locator("#definitions dt", has_text="video viewers").wait_for()
        await wait_js(visitor, "document.querySelector('img.chart').naturalWidth > 0")
        assert await serious_accessibility_violations(visitor) == []
        await screenshots(visitor, "report-public-en")
