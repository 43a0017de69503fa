"""The phone in one hand: a header of one row (≤ 64 px) with the language and the site
under « Menu », and the small picture docked in the bottom bar so that it never lies over
a control, a poll's percentages or a badge, in every tab, in French and in English."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import PHONE, SHOTS, chromium, open_page, serious_accessibility_violations, set_lang, wait_js
from .test_media import nancy_on_air_and_a_phone
from .test_screens import EVENT, SITES, prepare_the_day

TABS = {"fr": ["Questions", "Sondage", "Fil", "Programme"], "en": ["Questions", "Poll", "Feed", "Programme"]}
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (390, 844)]

# Every control, result and badge of the tab on show must be itself at its centre and at
# four points around it (elementFromPoint), wherever the page is scrolled to, whenever it is
# in the band between the tab bar and the bottom bar: nothing but those two bars may lie
# over it. And when the browser scrolls to a control (a focused field), to the bottom of
# the screen or to its top, the bars leave it clear (scroll-padding). Returns what was
# covered, and by what.
COVERED = """(() => {
  const out = [];
  const things = [...document.querySelectorAll('.tab-current :is(button, input, select, textarea, a[href], .badge, '
    + '.results li, .result, .count)')]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 2 && r.height > 2
      && getComputedStyle(el).visibility !== 'hidden' && !el.closest('#player'); });
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const top = () => document.querySelector('.tabbar').getBoundingClientRect().bottom;
  const bottom = () => document.querySelector('#dock').getBoundingClientRect().top;
  const check = (el, when) => {
    const r = el.getClientRects()[0];  // a link wrapped on two lines: its first line
    const [x, y, w, h] = [r.left + r.width / 2, r.top + r.height / 2, r.width / 4, r.height / 4];
    for (const [px, py] of [[x, y], [x, y - h], [x, y + h], [x - w, y], [x + w, y]]) {  // not the rounded corners
      const hit = document.elementFromPoint(px, py);
      const itsLabel = el.labels && [...el.labels].some((l) => l.contains(hit));
      if (!hit || (!el.contains(hit) && !itsLabel)) {
        out.push([name(el), when, hit ? name(hit) : 'off screen']);
        return;
      }
    }
  };
  const end = document.scrollingElement.scrollHeight;
  for (let at = 0; at <= end; at += 60) {
    window.scrollTo({ top: at, behavior: 'instant' });
    for (const el of things) {
      const r = el.getBoundingClientRect();
      if (r.top >= top() && r.bottom <= bottom()) check(el, `at ${at}`);
    }
  }
  for (const el of things) {
    for (const block of ['end', 'start']) {
      el.scrollIntoView({ block, behavior: 'instant' });
      check(el, block);
    }
  }
  return { checked: things.length, covered: out.slice(0, 8) };
})()"""


async def header_height(page) -> float:
    return await page.evaluate("document.querySelector('#top').getBoundingClientRect().height")


async def test_the_phone_header_is_one_row_and_the_small_picture_covers_nothing(web_hub):
    hub = web_hub
    await prepare_the_day(hub)
    async with hub.moderator(event=EVENT) as mod:
        for site in SITES[:6]:  # enough that the Questions tab scrolls under the bottom bar
            async with hub.participant(site, event=EVENT) as someone:
                asked = await someone.command({"type": "question.ask", "text": f"Une question de {site} ?"})
            await mod.command({"type": "question.approve", "question": asked["result"]["question"]})
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        _, phone = await nancy_on_air_and_a_phone(browser, hub, mod, base)
        await phone.get_by_role("button", name="Plus tard").click()
        await phone.select_option("#watch-mode", "video")  # on a site the sound only, by default
        await wait_js(phone, "document.querySelector('.program-video').videoWidth > 0", timeout=30)
        # something to vote on, to support and to read in every tab
        await phone.get_by_role("tab", name="Sondage").click()
        await phone.locator("#poll .choice label").first.click()
        await phone.locator("#poll button[type=submit]").click()
        await phone.locator("#poll .form-status", has_text="Vote enregistré").wait_for()

        # the header: one row; the site and the language are under « Menu »
        assert await header_height(phone) <= 64
        menu = phone.get_by_role("button", name="Menu")
        assert await menu.get_attribute("aria-expanded") == "false"
        assert await phone.locator("#lang").is_hidden()
        assert await phone.get_by_role("button", name="Changer de site").is_hidden()
        assert await phone.locator("#connection").is_visible()  # the connection stays in sight, as a dot
        # …and in words for a screen reader
        assert await phone.get_by_role("status").filter(has_text="Connecté").count() == 1
        await menu.click()
        assert await menu.get_attribute("aria-expanded") == "true"
        await phone.locator("#top-menu", has_text="Vous : Reims").wait_for()
        assert await phone.get_by_role("button", name="Changer de site").is_visible()
        assert await serious_accessibility_violations(phone) == []
        await phone.keyboard.press("Escape")  # closes, and the focus is back on the button
        assert await menu.get_attribute("aria-expanded") == "false"
        assert await phone.evaluate("document.activeElement.id") == "top-menu-button"
        await menu.click()
        await phone.mouse.click(4, 700)  # a tap elsewhere (the page's margin) closes it too
        assert await phone.locator("#lang").is_hidden()

        for lang in ("fr", "en"):
            await set_lang(phone, lang)
            await wait_js(phone, f"document.documentElement.lang === '{lang}'")
            assert await header_height(phone) <= 64, lang
            for tab in TABS[lang]:
                await phone.get_by_role("tab", name=tab).click()
                mini = phone.locator("#player.mini")
                await mini.wait_for()
                box = await mini.bounding_box()
                assert box and box["y"] + box["height"] <= PHONE["height"] and box["width"] >= 120, (tab, box)
                found = await phone.evaluate(COVERED)
                assert found["checked"] > 0 and found["covered"] == [], (lang, tab, found)
                # at the end of the tab nothing is under the bottom bar, the small picture included
                await phone.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
                overlaps = await phone.evaluate("""(() => {
                  const dock = document.querySelector('#dock').getBoundingClientRect();
                  const mini = document.querySelector('#player.mini').getBoundingClientRect();
                  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1
                    && a.bottom <= b.bottom + 1;
                  return { mini_in_dock: inside(mini, dock), under: [...document.querySelectorAll('.tab-current *')]
                    .map((el) => el.getBoundingClientRect())
                    .filter((r) => r.width && r.height && r.bottom > dock.top + 1 && r.top < dock.bottom).length };
                })()""")
                assert overlaps == {"mini_in_dock": True, "under": 0}, (lang, tab, overlaps)
                if tab in ("Sondage", "Poll", "Questions"):
                    await phone.evaluate("window.scrollTo(0, 0)")
                    await phone.screenshot(path=str(SHOTS / f"phone-{tab.lower()}-{lang}.png"))
            assert await serious_accessibility_violations(phone) == [], lang

        # the header is one row at every size, on every page with a header
        pages = {
            "viewer": phone,
            "site": await open_page(browser, f"{base}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}"),
            "moderate": await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}"),
            "caption": await open_page(browser, f"{base}/caption#token={hub.token(Role.CAPTIONER)}"),
            "report": await open_page(browser, f"{base}/report#token={hub.token(Role.MODERATOR)}"),
        }
        for name, page in pages.items():
            await page.locator("#top-menu-button").wait_for(state="attached")
            for lang in ("fr", "en"):
                for width, height in SIZES:
                    await page.set_viewport_size({"width": width, "height": height})
                    await set_lang(page, lang)
                    await wait_js(page, f"document.documentElement.lang === '{lang}'")
                    assert await header_height(page) <= 64, (name, lang, width)
                    phone_size = width < 700
                    assert await page.locator("#top-menu-button").is_visible() == phone_size, (name, width)
