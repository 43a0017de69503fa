"""Every page as its people see it — a projector at 1920x1080, laptops at 1366x768 and 1280x720, a
phone at 390x844 — in French and in English, on a day in full swing: nothing wider than
the screen (no sideways scrolling), axe clean, and a screenshot of each for the team
(test-artifacts/screenshots/page-<page>-<size>-<lang>.png; the README shows the best)."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import (
    SHOTS,
    chromium,
    open_page,
    serious_accessibility_violations,
    set_lang,
    show_pane,
    wait_js,
    wait_online,
)
from .test_screens import EVENT, prepare_the_day

SIZES = [(1920, 1080), (1366, 768), (1280, 720), (390, 844)]
WIDER_THAN_THE_SCREEN = """(() => [...document.querySelectorAll('body *')]
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width && r.right > innerWidth + 1
    && getComputedStyle(el).position !== 'fixed'
    && !el.closest('.table-wrap, .tabbar, .sr-only, .sources, .pane-tabs'); })
  .map((el) => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className).slice(0, 5))()"""


async def test_every_page_at_projector_laptop_and_phone_sizes_in_both_languages(web_hub):
    hub = web_hub
    day = await prepare_the_day(hub)
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with hub.moderator(event=EVENT) as mod:
        await mod.command({"type": "screen.scene", "scene": "poll", "poll": day["poll"]})
        cloud = (await mod.command({"type": "poll.create", "question": "Un mot pour demain ?", "kind": "wordcloud",
                                    "review": True}))["result"]["poll"]
        await mod.command({"type": "poll.open", "poll": cloud})
        for site, word in (("metz", "Confiance"), ("troyes", "Partage"), ("epinal", "Idiot")):
            async with hub.participant(site, event=EVENT) as p:
                await p.command({"type": "poll.vote", "poll": cloud, "words": [word]})
        await mod.command({"type": "poll.review", "poll": cloud, "word": "confiance", "shown": True})
        await mod.command({"type": "poll.review", "poll": cloud, "word": "idiot", "shown": False})
    pages = {
        "viewer": f"{base}/join/reims?code={hub.code('reims')}",
        "site": f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
        "moderate": f"{base}/moderate#token={hub.token(Role.MODERATOR)}",
        "caption": f"{base}/caption#token={hub.token(Role.CAPTIONER)}",
        "report": f"{base}/report#token={hub.token(Role.MODERATOR)}",
        "replay": f"{base}/replay",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        for name, url in pages.items():
            page = await open_page(browser, url)
            if name in ("report", "replay"):  # no live connection on these
                await page.locator("#lang").wait_for()
            else:
                await wait_online(page)
            if name == "moderate":  # each tab and each pane's heading say how much is in it
                for tab, headings in (("Contributions", ["À relire (0)"]),
                                      ("Sondages", ["Sondages créés (2)"]),
                                      ("Questions", ["À modérer (0)", "Publiées (1)",
                                                         "Archive (répondues, écartées) (0)"])):
                    await show_pane(page, tab)
                    for heading in headings:
                        await page.locator("h3", has_text=heading).wait_for()
            if name == "viewer":
                await page.get_by_role("button", name="Plus tard").click()
                await wait_online(page)
                await page.locator("#poll .choice label").first.click()
                await page.locator("#poll button[type=submit]").click()
                await page.locator("#poll .form-status", has_text="Vote enregistré").wait_for()
            for lang in ("fr", "en"):
                await set_lang(page, lang)
                await wait_js(page, f"document.documentElement.lang === '{lang}'")
                for width, height in SIZES:
                    await page.set_viewport_size({"width": width, "height": height})
                    await page.evaluate("window.scrollTo(0, 0)")
                    await wait_js(page, "document.getAnimations().length === 0")
                    assert await page.evaluate(WIDER_THAN_THE_SCREEN) == [], (name, lang, width)
                    if lang == "fr":
                        assert await serious_accessibility_violations(page) == [], (name, width)
                    await page.screenshot(path=str(SHOTS / f"page-{name}-{width}x{height}-{lang}.png"))
            await page.context.close()
