"""Page behaviours in Chromium: language, keyboard-only use, photos, errors in plain words."""
from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from hub.domain.actors import Role

from ..http.test_http import tiny_png
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


def base(hub) -> str:
    return f"http://127.0.0.1:{hub.settings.port}"


async def test_language_switch_is_remembered_and_errors_speak_it(web_hub):
    hub = web_hub
    async with chromium() as browser:
        page = await open_page(browser, f"{base(hub)}/e/grand-est-2020/join/nancy?code={hub.code('nancy')}")
        await wait_online(page)
        assert await page.locator("#h-feed").inner_text() == "Le fil"
        await page.get_by_role("button", name="Envoyer la question").click()
        await page.locator("#qna .form-status", has_text="Écrivez votre question.").wait_for()
        await set_lang(page, "en")
        await page.locator("#h-feed", has_text="The feed").wait_for()
        assert await page.evaluate("document.documentElement.lang") == "en"
        await page.reload()
        await wait_online(page)
        await page.locator("#h-feed", has_text="The feed").wait_for()
        for i in range(4):  # the event allows 3 questions a minute
            await page.fill("#ask-text", f"Question number {i}")
            await page.get_by_role("button", name="Send the question").click()
            await page.wait_for_timeout(150)
        alert = page.get_by_role("alert")
        await alert.first.wait_for()
        assert "Easy! Try again in" in await alert.first.inner_text()
        assert await serious_accessibility_violations(page) == []


async def test_ask_and_upvote_with_the_keyboard_only(web_hub):
    hub = web_hub  # the ECLORE week publishes questions without pre-moderation
    async with chromium() as browser:
        page = await open_page(browser, f"{base(hub)}/e/eclore-2019/join/niort?code={hub.code('niort', 'eclore-2019')}")
        await wait_online(page)

        async def tab_to(predicate: str, limit: int = 60) -> None:
            for _ in range(limit):
                await page.keyboard.press("Tab")
                if await page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
                    return
            raise AssertionError(f"never reached by Tab: {predicate}")

        await tab_to("el.id === 'ask-text'")
        await page.keyboard.type("Peut-on venir avec sa classe ?")
        await page.keyboard.press("Tab")
        await page.keyboard.type("Inès")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Envoyer la question"
        await page.keyboard.press("Enter")
        await page.locator("#questions .q-text", has_text="Peut-on venir avec sa classe ?").wait_for()
        await tab_to("el.classList.contains('upvote')")
        await page.keyboard.press("Space")
        upvote = page.locator("#questions .upvote").first
        await wait_js(page, "document.querySelector('#questions .upvote').getAttribute('aria-pressed') === 'true'")
        # the count comes with the next tally (a few times a second)
        await wait_js(page, "document.querySelector('#questions .upvote').textContent.startsWith('▲ 1')")
        assert (await upvote.inner_text()).startswith("▲ 1")
        # the focus stayed on the button through the update
        assert await page.evaluate("document.activeElement.classList.contains('upvote')")


async def test_coordinator_pushes_a_photo_the_control_room_approves_it(web_hub):
    hub = web_hub
    event = "grand-est-2020"
    async with chromium() as browser:
        coord = await open_page(browser, f"{base(hub)}/e/{event}/site/metz#token={hub.token(Role.COORDINATOR, 'metz')}")
        mod = await open_page(browser, f"{base(hub)}/e/{event}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base(hub)}/e/{event}/join/metz?code={hub.code('metz')}")
        for page in (coord, mod, viewer):
            await wait_online(page)
        assert "#token=" not in coord.url, "the token is taken out of the address bar"
        await coord.select_option("#contrib-kind", "photo")
        # a file that claims to be a PNG but is not: the hub refuses it, in plain words
        await coord.set_input_files("#contrib-photo", files=[{"name": "x.png", "mimeType": "image/png",
                                                              "buffer": b"not really an image"}])
        await coord.fill("#contrib-body", "L'atelier robotique")
        await coord.get_by_role("button", name="Publier la contribution").click()
        await coord.get_by_role("alert").filter(has_text="Envoyez une photo JPEG, PNG ou WebP.").wait_for()
        await coord.set_input_files("#contrib-photo", files=[{"name": "atelier.png", "mimeType": "image/png",
                                                              "buffer": tiny_png()}])
        await coord.fill("#contrib-body", "L'atelier robotique")
        await coord.get_by_role("button", name="Publier la contribution").click()
        await coord.locator("#contribute .form-status", has_text="après validation").wait_for()
        await show_pane(mod, "Contributions")
        pending = mod.locator("#pending-posts li", has_text="L'atelier robotique")
        await pending.get_by_role("button", name="Valider").click()
        img = viewer.locator("#posts img[alt=\"L'atelier robotique\"]")
        await img.wait_for()
        assert (await img.get_attribute("src")).startswith(f"/media/uploads/{event}/")
        await wait_js(viewer, "document.querySelector('#posts img').naturalWidth === 1")


async def test_every_poll_kind_is_built_voted_and_shown_through_the_pages(web_hub):
    hub = web_hub
    event = "grand-est-2020"
    async with chromium() as browser:
        mod = await open_page(browser, f"{base(hub)}/e/{event}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base(hub)}/e/{event}/join/troyes?code={hub.code('troyes')}")
        token = hub.token(Role.SCREEN, "troyes")
        screen = await open_page(browser, f"{base(hub)}/e/{event}/screen/troyes#token={token}")
        for page in (mod, viewer, screen):
            await wait_online(page)
        cases = [
            ("single", "Une seule réponse ?", {"#poll-options": "Oui\nNon"}, "label:Non", "Non1 (100 %)"),
            ("multiple", "Plusieurs réponses ?", {"#poll-options": "Lire\nÉcrire\nCompter", "#poll-max-picks": "2"},
             "label:Lire|Compter", "Compter1 (100 %)"),
            ("rating", "Votre note ?", {"#poll-scale-max": "5"}, "label:4", "41 (100 %)"),
            ("wordcloud", "Un mot pour la journée ?", {"#poll-max-words": "2"}, "words:Élan|Partage", "elan"),
            ("text", "Une idée ?", {}, "text:Des ateliers le mercredi", "Des ateliers le mercredi"),
        ]
        for kind, question, fields, answer, shown in cases:
            await show_pane(mod, "Sondages")
            await mod.fill("#poll-question", question)
            await mod.select_option("#poll-kind", kind)
            for selector, value in fields.items():
                await mod.fill(selector, value)
            await mod.get_by_role("button", name="Créer le sondage").click()
            card = mod.locator("#poll-list article", has_text=question)
            await card.get_by_role("button", name="Ouvrir").click()
            await card.get_by_role("button", name="Afficher sur les écrans").click()
            await viewer.locator("#poll legend", has_text=question).wait_for()
            how, _, what = answer.partition(":")
            if how == "label":
                for option in what.split("|"):
                    await viewer.locator("#poll .choice label", has_text=option).first.click()
                if kind == "multiple":  # two ticked under « Jusqu'à 2 choix »: the third cannot be
                    third = viewer.locator("#poll .choice input").nth(1)
                    assert await third.is_disabled()
                    await viewer.locator("#poll .choice label", has_text="Compter").click()  # untick one
                    assert not await third.is_disabled()
                    await viewer.locator("#poll .choice label", has_text="Compter").click()
                    assert await third.is_disabled()
            elif how == "words":
                for i, word in enumerate(what.split("|")):
                    await viewer.get_by_label(f"Mot {i + 1}").fill(word)
            else:
                await viewer.get_by_label("Votre réponse").fill(what)
            await viewer.locator("#poll button[type=submit]").click()
            await viewer.locator("#poll .form-status", has_text="Vote enregistré").wait_for()
            # the form is drawn again from the ballot the hub holds: the vote taken, and « Modifier »
            await viewer.locator("#poll button[type=submit]", has_text="Modifier mon vote").wait_for()
            assert await viewer.locator("#poll .form-status").inner_text() == "Vote enregistré."
            if how == "label":
                for option in what.split("|"):
                    assert await viewer.locator("#poll .choice", has_text=option).first.locator("input").is_checked()
            if kind in ("wordcloud", "text"):  # reviewed first (the builder's default): nothing reaches the screens
                waiting = "2 en attente" if kind == "wordcloud" else "1 en attente"  # two words, one answer
                await card.locator(".review summary", has_text=waiting).wait_for()
                assert shown not in (await screen.locator("#screen-poll").inner_text())
                item = card.locator(".review-list li", has_text=shown if kind == "text" else "elan")
                await item.get_by_role("button", name="Afficher", exact=True).click()
            await screen.locator("#screen-poll .screen-poll-question", has_text=question).wait_for()
            results = screen.locator("#screen-poll .results")
            await results.filter(has_text="1 votant").wait_for()
            text = (await results.inner_text()).replace("\n", "")
            assert shown in text, (kind, text)
        # Closing the last poll marks it « clos » on the phone and on the screen (the others closed
        # first: an open poll comes before a closed one on the phones)
        async with hub.moderator(event=event) as operator:
            for poll in [p for p in hub.runtime.events[event].state.polls.polls.values()
                         if p.question != question and p.state.value == "open"]:
                await operator.command({"type": "poll.close", "poll": poll.id})
        await card.get_by_role("button", name="Fermer").click()
        await viewer.locator("#poll h3 .badge-closed", has_text="clos").wait_for()
        await screen.locator("#screen-poll .screen-poll-question .badge-closed", has_text="clos").wait_for()
        assert await serious_accessibility_violations(screen) == []


FAILURES = {  # what each failure page says, in both languages: what happened, then what to do
    "link.incomplete": (("Lien incomplet", "demandez-en un nouveau au coordinateur de votre site"),
                        ("Incomplete link", "ask your site's coordinator for a new one")),
    "auth.expired": (("Lien expiré", "Demandez un nouveau lien au coordinateur de votre site"),
                     ("Link expired", "Ask your site's coordinator (or the control room) for a new link")),
    "auth.invalid": (("Lien non valable", "Demandez un nouveau lien"),
                     ("Link not valid", "Ask your site's coordinator")),
    "event.unknown": (("Événement introuvable", "la liste de l'accueil"),
                      ("Event not found", "the home page")),
}


async def test_a_link_that_cannot_work_gets_a_styled_page_that_says_what_to_do_in_both_languages(web_hub):
    hub = web_hub
    site = f"{base(hub)}/e/grand-est-2020"
    forged = hub.token(Role.SCREEN, "metz")[:-4] + "AAAA"  # a link copied wrongly, or signed with a rotated secret
    cases = [(f"{site}/{path}", "link.incomplete") for path in ("moderate", "site/nancy", "screen/metz", "caption")]
    past = 1_600_000_000  # September 2020
    cases += [(f"{site}/screen/metz#token={hub.token(Role.SCREEN, 'metz', expires=past)}", "auth.expired"),
              (f"{site}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy', expires=past)}", "auth.expired"),
              (f"{site}/screen/metz#token={forged}", "auth.invalid"),
              (f"{base(hub)}/e/no-such-event", "event.unknown"),
              (f"{base(hub)}/e/no-such-event/moderate", "event.unknown")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        for url, code in cases:
            for viewport in ({"width": 1366, "height": 768}, {"width": 390, "height": 844}):
                page = await open_page(browser, url, viewport=viewport)
                for lang, (title, advice) in zip(("fr", "en"), FAILURES[code]):
                    if lang == "en" and await page.locator("#lang").is_visible():
                        await set_lang(page, "en")
                    elif lang == "en":  # a projector has no header: its language comes with its link
                        await page.goto(url.split("#")[0] + "?lang=en")
                    card = page.locator(f".failure[data-failure='{code}']")
                    await card.locator("h1", has_text=title).wait_for()
                    await card.locator(".failure-do", has_text=advice).wait_for()
                    assert await page.get_by_role("alert").count() == 1, "said once"
                    assert "Chargement" not in await page.locator("#top").inner_text()
                    assert await card.get_by_role("link", name=re.compile("accueil|home page")).count() == 1
                    # styled: the card has its border and the page's font, not a bare paragraph
                    style = await card.evaluate("(el) => [getComputedStyle(el).borderLeftWidth, "
                                                "getComputedStyle(el).fontFamily]")
                    assert style[0] != "0px" and "serif" != style[1], style
                    if viewport["width"] == 390:
                        assert await page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
                    assert await serious_accessibility_violations(page) == [], (code, lang)
                    await page.screenshot(path=str(SHOTS / f"failure-{code}-{viewport['width']}-{lang}.png"))
                assert "token" not in await page.evaluate("location.href"), "the key does not stay in the address"
                await page.context.close()
        # a staff page without a token makes no connection attempt
        page = await open_page(browser, f"{site}/moderate")
        await page.locator(".failure").wait_for()
        assert await page.evaluate("window.__mx === undefined"), "no connection attempt without a token"


async def test_only_the_browsers_this_test_started_are_reniced():
    """A Chromium that is not ours (another test run, a person's browser) keeps its priority."""
    import signal
    import subprocess

    from .browser import CHROMIUM, chromium, our_browsers
    # Started through a shell that exits at once: the browser is then nobody's child of ours.
    launched = subprocess.run(["sh", "-c", f"{CHROMIUM} --headless --no-sandbox --disable-gpu --no-first-run "
                               "--disable-background-networking --user-data-dir=/tmp/mx-stranger-profile "
                               "about:blank >/dev/null 2>&1 & echo $!"], capture_output=True, text=True, check=True)
    stranger = int(launched.stdout)
    try:
        async with chromium():
            browsers = our_browsers()
            assert browsers and all(int(p.name) != stranger for p in browsers)
            for _ in range(50):
                if all(os.getpriority(os.PRIO_PROCESS, int(p.name)) == 10 for p in our_browsers()):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("our browsers were not reniced")
            threads = [int(t.name) for t in Path(f"/proc/{stranger}/task").iterdir()]
            assert threads and all(os.getpriority(os.PRIO_PROCESS, t) != 10 for t in threads)
    finally:
        os.kill(stranger, signal.SIGKILL)


async def test_a_silently_dead_connection_shows_as_lost_within_10_seconds_then_comes_back(web_hub, proxy):
    """No close, no error: the network just stops. The page's heartbeat notices."""
    hub = web_hub
    async with chromium() as browser:
        page = await open_page(browser, f"http://127.0.0.1:{proxy.port}/e/grand-est-2020/join/reims"
                                        f"?code={hub.code('reims')}")
        await wait_online(page)
        proxy.freeze()
        # lost within 10 s by design (2 s heartbeat, 7 s deadline); 12 s of slack for a loaded machine
        await page.locator("#connection[data-status=offline]").wait_for(timeout=12_000)
        await page.locator("#connection", has_text="Reconnecté").wait_for(timeout=15_000)
        await wait_js(page, f"window.__mx.seq === {hub.seq()}")
