"""The viewer on a phone: one tab at a time, the program's picture docked in the bottom bar
while reading another tab, a dot where something new arrived, and a banner that says the
connection is lost with when the next try comes (and a button to try at once)."""
from __future__ import annotations

import re

from .browser import PHONE, chromium, open_page, serious_accessibility_violations, set_lang, wait_js, wait_online
from .test_media import nancy_on_air_and_a_phone

EVENT = "grand-est-2020"
TABS = ["Direct", "Questions", "Sondage", "Fil", "Programme"]


async def visible(page, selector: str) -> bool:
    return await page.evaluate(f"(() => {{ const el = document.querySelector('{selector}');"
                               f" return !!el && el.getClientRects().length > 0; }})()")


async def test_the_phone_viewer_reads_one_tab_at_a_time_with_the_picture_in_a_corner(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        _, phone = await nancy_on_air_and_a_phone(browser, hub, mod, base)
        await phone.get_by_role("button", name="Plus tard").click()
        await wait_online(phone)
        await phone.select_option("#watch-mode", "video")  # on a site the sound only, by default
        tabs = phone.get_by_role("tablist", name="Rubriques").get_by_role("tab")
        assert await tabs.all_inner_texts() == TABS
        assert await phone.get_by_role("tab", name="Direct").get_attribute("aria-selected") == "true"
        assert await visible(phone, "#player") and not await visible(phone, "#qna")
        await wait_js(phone, "document.querySelector('.program-video').videoWidth > 0", timeout=20)

        # another tab: its section alone, and the picture keeps playing in a corner
        await phone.get_by_role("tab", name="Questions").click()
        assert await visible(phone, "#qna") and not await visible(phone, "#poll")
        await phone.locator("#player.mini").wait_for()
        box = await phone.locator("#player.mini").bounding_box()
        # docked at the bottom left, in the bar of reactions (test_phone_layout: it covers nothing)
        assert box and box["width"] < PHONE["width"] / 2 and box["x"] < PHONE["width"] / 3, box
        assert box["y"] > PHONE["height"] / 2 and box["y"] + box["height"] <= PHONE["height"], box
        played = "document.querySelector('.program-video').getVideoPlaybackQuality().totalVideoFrames"
        frames = await phone.evaluate(played)
        await wait_js(phone, f"{played} > {frames + 5}", timeout=15)
        assert await serious_accessibility_violations(phone) == []

        # the arrows move along the tabs; a poll that opens meanwhile marks its tab
        await phone.get_by_role("tab", name="Questions").focus()
        await phone.keyboard.press("ArrowRight")
        assert await phone.evaluate("document.activeElement.textContent") == "Sondage"
        assert await visible(phone, "#poll") and not await visible(phone, "#qna")
        await phone.get_by_role("tab", name="Fil").click()
        created = await mod.command({"type": "poll.create", "question": "Un mot ?", "kind": "wordcloud"})
        await mod.command({"type": "poll.open", "poll": created["result"]["poll"]})
        await phone.locator("#tab-poll .tab-dot:not([hidden])").wait_for()
        await phone.get_by_role("tab", name="Sondage").click()
        await phone.locator("#poll legend", has_text="Un mot ?").wait_for()
        assert await phone.locator("#tab-poll .tab-dot").is_hidden()

        # a tap on the small picture brings the Direct tab back
        await phone.get_by_role("tab", name="Questions").click()
        await phone.locator("#player.mini .program-video").click()
        assert await phone.get_by_role("tab", name="Direct").get_attribute("aria-selected") == "true"
        assert not await phone.locator("#player").evaluate("el => el.classList.contains('mini')")

        # English, then a desktop width: no tabs there, every section shows
        await set_lang(phone, "en")
        await wait_js(phone, "document.querySelector('#tab-direct').textContent === 'Live'")
        tabs = phone.get_by_role("tablist", name="Sections").get_by_role("tab")
        assert await tabs.all_inner_texts() == ["Live", "Questions", "Poll", "Feed", "Programme"]
        await phone.set_viewport_size({"width": 1366, "height": 900})
        await wait_js(phone, "document.querySelector('.tabbar').hidden")
        assert await phone.locator("[role=tab]").count() == 0
        for section in ("#player", "#qna", "#poll", "#feed", "#programme"):
            assert await visible(phone, section), section


async def test_a_lost_connection_says_when_it_tries_again_and_can_try_at_once(web_hub, proxy):
    hub = web_hub
    async with chromium() as browser:
        phone = await open_page(browser, f"http://127.0.0.1:{proxy.port}/e/{EVENT}/join/reims?code={hub.code('reims')}",
                                viewport=PHONE)
        await wait_online(phone)
        banner = phone.locator("#offline-banner")
        assert await banner.is_hidden()
        proxy.cut()
        # tries come back off: wait for one that is a few seconds away, then watch it count down
        await wait_js(phone, "window.__mx.nextAttemptAt !== null && window.__mx.nextAttemptAt - Date.now() > 2500",
                      timeout=30)
        await banner.wait_for()
        said = re.compile(r"Connexion perdue — nouvelle tentative dans (\d+) secondes?")
        first = int(said.search(await banner.inner_text()).group(1))
        await wait_js(phone, "(() => { const m = document.querySelector('#offline-banner p').textContent"
                             f".match(/dans (\\d+)/); return m && Number(m[1]) < {first}; }})()", timeout=5)
        proxy.restore()
        await banner.get_by_role("button", name="Réessayer maintenant").click()
        await wait_online(phone)
        assert await banner.is_hidden()
        await phone.locator("#connection", has_text="Reconnecté").wait_for()
