"""The sign-language interpreter's picture: published from the accessibility desk (the
captioner's link), shown small over the program whichever site is on air — on the
viewer's player and on the big screen's program scene — and switchable off."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import chromium, open_page, serious_accessibility_violations, wait_js, wait_online
from .test_media import COLOUR, canvas_camera, go_live

EVENT = "grand-est-2020"


async def test_the_interpreter_stays_over_the_program_whichever_site_is_on_air(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        reims = await open_page(browser, f"{base}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}",
                                init_script=canvas_camera("#0000ff"))
        desk = await open_page(browser, f"{base}/caption#token={hub.token(Role.CAPTIONER)}",
                               init_script=canvas_camera("#00ff00"))
        for page in (nancy, reims, desk):
            await wait_online(page)
            await go_live(page)
        await mod.command({"type": "stage.on_air", "site": "nancy"})
        viewer = await open_page(browser, f"{base}")
        await viewer.get_by_label("À distance").check()
        await viewer.get_by_role("button", name="Rejoindre").click()
        await wait_online(viewer)
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=20)
        await wait_js(viewer, f"({COLOUR})('.pip video') === 'green'", timeout=20)
        assert await viewer.evaluate("window.__mxInterpreter.pc.getTransceivers().map(t => t.receiver.track.kind)") \
            == ["video"]  # the interpreter's picture only: the sound is the program's
        screen = await open_page(browser, f"{base}/screen/metz#token={hub.token(Role.SCREEN, 'metz')}",
                                 viewport={"width": 1280, "height": 720})
        await wait_online(screen)
        await mod.command({"type": "screen.scene", "scene": "program"})
        await wait_js(screen, f"({COLOUR})('.frame .pip video') === 'green'", timeout=20)

        await mod.command({"type": "stage.on_air", "site": "reims"})  # another site: the interpreter stays
        await wait_js(viewer, f"({COLOUR})() === 'blue'", timeout=20)
        assert await viewer.evaluate(f"({COLOUR})('.pip video')") == "green"
        await wait_js(screen, f"({COLOUR})('.frame .program-video') === 'blue'", timeout=20)
        assert await screen.evaluate(f"({COLOUR})('.frame .pip video')") == "green"
        assert await serious_accessibility_violations(viewer) == []

        toggle = viewer.get_by_role("button", name="Interprète LSF")
        assert await toggle.get_attribute("aria-pressed") == "true"
        await toggle.click()
        await wait_js(viewer, "document.querySelector('.pip').hidden && window.__mxInterpreter.pc === null")
        # the desk stops: the picture goes from every page
        await desk.get_by_role("button", name="Arrêter la diffusion").click()
        await wait_js(screen, "document.querySelector('.frame .pip').hidden", timeout=15)
