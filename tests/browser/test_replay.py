"""Replays in the pages: the control room publishes a recorded session, and anybody
watches it and seeks in it (the hub serves byte ranges)."""
from __future__ import annotations

from hub.domain.actors import Role

from ..http.test_replays import webm
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
NAME = "01-ouverture-multisite-20201013-090000.webm"


async def test_the_control_room_publishes_a_replay_and_a_viewer_seeks_in_it(web_hub):
    hub = web_hub
    webm(hub.settings.data_dir / "recordings" / EVENT / NAME, seconds=6)
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        await wait_online(mod)
        await show_pane(mod, "Séance")
        replays = mod.locator("#replay-list li", has_text="Ouverture multisite")
        await replays.get_by_role("button", name="Publier le replay").click()
        await replays.get_by_role("button", name="Retirer le replay").wait_for()

        page = await open_page(browser, f"{base}/replay")
        await page.locator("h2", has_text="Ouverture multisite").wait_for()
        await wait_js(page, "document.querySelector('video.replay-video').readyState >= 1", timeout=15)
        duration = await page.evaluate("document.querySelector('video.replay-video').duration")
        assert 5 <= duration <= 7
        await page.evaluate("""new Promise((done) => { const v = document.querySelector('video.replay-video');
            v.addEventListener('seeked', done, { once: true }); v.currentTime = 4; })""")
        assert await page.evaluate("document.querySelector('video.replay-video').currentTime") >= 3.9
        assert await serious_accessibility_violations(page) == []
        await screenshots(page, "replay")
        await set_lang(page, "en")
        await page.locator("h1", has_text="Replays").wait_for()
        # the day as the reader says it, never ISO
        await page.locator(".replay-where", has_text="Tuesday, October 13, 2020").wait_for()
        await set_lang(page, "fr")
        await page.locator(".replay-where", has_text="mardi 13 octobre 2020").wait_for()
        assert "2020-10-13" not in await page.locator("#main").inner_text()
