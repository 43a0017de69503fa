"""Live captions through the pages: a captioner types in one browser; a viewer (under
the picture) and a big screen show the line; a viewer that lost its connection finds
the lines it missed in the transcript; a long line goes out by itself at a space.
The delay from Enter to the line on the viewer's page is measured and printed."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import PHONE, SHOTS, chromium, open_page, serious_accessibility_violations, wait_js, wait_online

EVENT = "grand-est-2020"
SEEN_AT = """(() => { window.__seen = {}; new MutationObserver(() => {
  for (const el of document.querySelectorAll('.caption-line')) window.__seen[el.textContent] ??= Date.now();
}).observe(document.body, { childList: true, subtree: true, characterData: true }); })()"""


async def test_a_captioners_lines_reach_viewers_and_screens_and_are_not_lost_on_reconnect(web_hub, proxy):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        captioner = await open_page(browser, f"{base}/caption#token={hub.token(Role.CAPTIONER)}")
        viewer = await open_page(browser, f"{base}/join/reims?code={hub.code('reims')}", viewport=PHONE)
        screen = await open_page(browser, f"{base}/screen/metz#token={hub.token(Role.SCREEN, 'metz')}",
                                 viewport={"width": 1280, "height": 720})
        away = await open_page(browser, f"http://127.0.0.1:{proxy.port}/e/{EVENT}/join/troyes?code={hub.code('troyes')}")
        for page in (captioner, viewer, screen, away):
            await wait_online(page)
        for page in (viewer, away):
            await page.get_by_role("button", name="Plus tard").click()
            await wait_online(page)
        await viewer.evaluate(SEEN_AT)
        await captioner.evaluate("document.querySelector('#caption-input').addEventListener('keydown', (e) => {"
                                 " if (e.key === 'Enter') window.__sentAt = Date.now(); }, true)")
        field = captioner.get_by_label("Ligne de sous-titre")
        assert await captioner.evaluate("document.activeElement.id") == "caption-input"  # type at once
        await field.type("Bonjour à toutes et à tous")
        await field.press("Enter")
        for page in (viewer, screen, away):
            await page.locator(".captions .caption-line", has_text="Bonjour à toutes et à tous").wait_for()
        delay = await viewer.evaluate("window.__seen['Bonjour à toutes et à tous']") - \
            await captioner.evaluate("window.__sentAt")
        print(f"caption delay, Enter to the viewer's page: {delay} ms")
        assert await field.input_value() == ""  # ready for the next line
        SHOTS.mkdir(parents=True, exist_ok=True)
        await viewer.screenshot(path=str(SHOTS / "viewer-captions-390x844-fr.png"))
        await screen.screenshot(path=str(SHOTS / "screen-captions-1280x720-fr.png"))
        await captioner.locator("#sent-lines li[data-state=ok]", has_text="Bonjour").wait_for()
        # the screen shows it over its scene, text large enough for the back of the room
        size = await screen.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.frame .caption-line')).fontSize)"
            " / document.querySelector('.frame').getBoundingClientRect().height")
        assert size >= 0.025, size

        # a viewer loses its connection; two lines go by; it comes back and finds them
        proxy.cut()
        await away.locator("#connection[data-status=offline]").wait_for()
        for line in ("Première ligne pendant la coupure", "Deuxième ligne pendant la coupure"):
            await field.type(line)
            await field.press("Enter")
        await viewer.locator(".caption-line", has_text="Deuxième ligne").wait_for()
        proxy.restore()
        # back now (its next try may already have come: then there is no banner to press)
        await away.evaluate("window.__mx.status === 'offline' && window.__mx.retryNow()")
        await wait_js(away, "window.__mx.status === 'online'", timeout=20)
        transcript = away.locator(".transcript")
        await transcript.locator("summary", has_text="Transcription (3 lignes)").wait_for()
        await transcript.locator("summary").click()
        assert await transcript.locator("li").all_inner_texts() == [
            "Bonjour à toutes et à tous", "Première ligne pendant la coupure", "Deuxième ligne pendant la coupure"]

        # a long line goes out by itself at a space, the rest stays to be typed on
        long = ("Le numérique éducatif ne se résume pas aux équipements : il faut former, accompagner, "
                "et associer les familles")
        await field.type(long)
        await viewer.locator(".caption-line", has_text="Le numérique éducatif ne se résume pas").wait_for()
        rest = await field.input_value()
        assert rest and long.endswith(rest) and len(rest) < len(long)
        assert await serious_accessibility_violations(captioner) == []
        assert await serious_accessibility_violations(viewer) == []
