"""The régie as a TV control room, at the desk sizes it is used at (1920x1080, 1366x768,
1280x720), in French and English: the page never scrolls (each pane scrolls inside
itself), a preview monitor beside the program monitor, thumbnails at least 240 px wide
with their tally light, and the flow of the day in tabs with counts. A click previews;
« Prendre l'antenne » takes. Screenshots: test-artifacts/screenshots/regie-*.png."""
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
from .test_media import COLOUR, canvas_camera, go_live
from .test_screens import EVENT, prepare_the_day

SIZES = [(1920, 1080), (1366, 768), (1280, 720)]
# What an operator would miss: the page scrolling, a pane's content cut without a scrollbar.
LAYOUT = """(() => {
  const root = document.scrollingElement;
  const out = [];
  if (root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1)
    out.push(['page scrolls', root.scrollHeight, root.scrollWidth]);
  for (const el of document.querySelectorAll('.regie-switcher, .regie-deck, .regie-work')) {
    const r = el.getBoundingClientRect();
    if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1) out.push(['below the fold', el.className, r.bottom]);
  }
  return out;
})()"""
TILES = """[...document.querySelectorAll('.sources .site-tile')].map((b) => [b.dataset.site,
  Math.round(b.getBoundingClientRect().width), b.dataset.tally])"""


async def test_the_regie_is_a_control_room_that_never_scrolls_in_both_languages(web_hub):
    hub = web_hub
    await prepare_the_day(hub)
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        reims = await open_page(browser, f"{base}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}",
                                init_script=canvas_camera("#0000ff"))
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}",
                              viewport={"width": 1920, "height": 1080})
        for page in (nancy, reims, mod):
            await wait_online(page)
        for page in (nancy, reims):
            await go_live(page)
        sources = mod.get_by_role("group", name="Sites : choisir l'aperçu")
        take = mod.get_by_role("button", name="Prendre l'antenne")
        assert await take.is_disabled()  # nothing in preview yet
        # a click previews, and only previews
        await sources.get_by_role("button", name="Nancy").click()
        await wait_js(mod, f"({COLOUR})('.monitor-preview video') === 'red'", timeout=30)
        assert await mod.evaluate("window.__mx.state.stage.on_air") is None
        await mod.locator(".site-tile[data-site=nancy][data-tally=preview]").wait_for()
        await take.click()
        await wait_js(mod, "window.__mx.state.stage.on_air === 'nancy'")
        await wait_js(mod, f"({COLOUR})('.monitor-program video') === 'red'", timeout=30)
        await mod.locator(".site-tile[data-site=nancy][data-tally=program]").wait_for()
        # Reims into the preview; the take swaps: Nancy is back in the preview, one take away
        await sources.get_by_role("button", name="Reims").click()
        await wait_js(mod, f"({COLOUR})('.monitor-preview video') === 'blue'", timeout=30)
        await take.click()
        await wait_js(mod, f"({COLOUR})('.monitor-program video') === 'blue'", timeout=30)
        await mod.locator(".site-tile[data-site=nancy][data-tally=preview]").wait_for()
        await mod.locator(".site-tile[data-site=reims][data-tally=program] .tally", has_text="ANTENNE").wait_for()
        # the tabs say what waits in them
        await mod.locator("#tab-queue .count", has_text="(0)").wait_for()
        await mod.locator("#tab-polls .count", has_text="(1)").wait_for()
        await mod.locator("#tab-tweets .count", has_text="(9)").wait_for()
        await show_pane(mod, "Sondages")
        await mod.locator("#poll-status").wait_for()
        await show_pane(mod, "Questions")
        async with hub.participant("metz", event=EVENT) as person:
            await person.command({"type": "question.ask", "text": "Et les zones blanches ?"})
        await mod.locator("#tab-queue .count", has_text="(1)").wait_for()
        for lang in ("fr", "en"):
            await set_lang(mod, lang)
            await wait_js(mod, f"document.documentElement.lang === '{lang}'")
            for width, height in SIZES:
                await mod.set_viewport_size({"width": width, "height": height})
                await wait_js(mod, "document.getAnimations().length === 0")
                assert await mod.evaluate(LAYOUT) == [], (lang, width)
                tiles = await mod.evaluate(TILES)
                assert len(tiles) == 7 and all(w >= 240 for _, w, _ in tiles), tiles
                assert {t[0]: t[2] for t in tiles if t[2]} == {"reims": "program", "nancy": "preview"}, tiles
                for monitor in ("preview", "program"):  # big enough to judge a picture
                    size = await mod.locator(f".monitor-{monitor} video").bounding_box()
                    assert size and size["width"] >= 240, (monitor, width, size)
                if width == 1920:
                    assert await serious_accessibility_violations(mod) == [], lang
                await mod.screenshot(path=str(SHOTS / f"regie-{width}x{height}-{lang}.png"))
        # the words are the language's own
        assert await mod.get_by_role("button", name="Take on air").count() == 1
        await mod.get_by_role("tab", name="Polls").wait_for()
