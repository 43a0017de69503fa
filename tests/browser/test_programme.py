"""The programme in the pages: the control room declares the session under way,
viewers and screens show "now / next", questions are filtered by session, and the
programme downloads as a calendar."""
from __future__ import annotations

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


async def test_the_control_room_drives_now_and_next_on_every_page(web_hub):
    hub = web_hub
    async with chromium() as browser:
        mod = await open_page(browser, f"{base(hub)}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base(hub)}/join/reims?code={hub.code('reims')}")
        screen = await open_page(browser, f"{base(hub)}/screen/metz#token={hub.token(Role.SCREEN, 'metz')}")
        for page in (mod, viewer, screen):
            await wait_online(page)
        await viewer.locator("#player .now-next .now", has_text="Pas de séance en cours.").wait_for()
        # a question asked before any session
        await viewer.fill("#ask-text", "Avant l'ouverture ?")
        await viewer.get_by_role("button", name="Envoyer la question").click()

        await show_pane(mod, "Séance")
        await mod.select_option("#current-session", label="09:00 — Ouverture multisite (Nancy)")
        await mod.get_by_role("button", name="Déclarer en cours").click()
        # a plenary: every site follows it; then each site's own track comes next
        for page, after in ((viewer, "Podcasts d'élèves en SEGPA"), (screen, "Données d'apprentissage et éthique")):
            await page.locator(".now-next .now", has_text="Ouverture multisite").wait_for()
            await page.locator(".now-next .next", has_text=after).wait_for()
        now = viewer.locator("#programme .session[aria-current=true]")
        await now.locator("strong", has_text="Ouverture multisite").wait_for()
        assert "Plénière" in await now.inner_text() and "Recteur de région académique" in await now.inner_text()

        await viewer.fill("#ask-text", "Pendant l'ouverture ?")
        await viewer.get_by_role("button", name="Envoyer la question").click()
        pending = mod.locator("#queue-pending .question")
        await wait_js(mod, "document.querySelectorAll('#queue-pending .question').length === 2")
        await mod.select_option("#qna-session", label="09:00 — Ouverture multisite")
        await wait_js(mod, "document.querySelectorAll('#queue-pending .question').length === 1")
        assert await pending.first.locator(".q-text").inner_text() == "Pendant l'ouverture ?"
        await mod.select_option("#qna-session", "none")
        await mod.locator("#queue-pending .q-text", has_text="Avant l'ouverture ?").wait_for()
        assert await serious_accessibility_violations(mod) == []

        # English, and the calendar link follows the language
        await set_lang(viewer, "en")
        await viewer.locator(".now-next dt", has_text="Now").wait_for()
        await viewer.locator("#programme .session[aria-current=true] .meta", has_text="Plenary").wait_for()
        href = await viewer.get_by_role("link", name="Add to my calendar (.ics)").get_attribute("href")
        assert href == f"/e/{EVENT}/programme.ics?lang=en"
        assert await serious_accessibility_violations(viewer) == []
        await screenshots(viewer, "programme-viewer")
