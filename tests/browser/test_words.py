"""What the pages say, as people read it: a wrong site code says so (never
"Chargement…" forever), success messages go away, a refusal is said once, waits
are in whole seconds, and plurals agree in French and in English."""
from __future__ import annotations

import re

from hub.domain.actors import Role

from .browser import chromium, open_page, set_lang, wait_js, wait_online

EVENT = "grand-est-2020"


def base(hub) -> str:
    return f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"


async def test_a_wrong_site_code_says_so_and_offers_to_try_again(web_hub):
    async with chromium() as browser:
        page = await open_page(browser, f"{base(web_hub)}/join/nancy?code=WRONG1")
        # (said twice at most: the refusal's toast, and the site picker that offers to try again)
        await page.locator(".pick").get_by_role("alert").filter(has_text="Ce code de site n'est pas le bon").wait_for(
            timeout=20_000)
        assert await page.locator("#main", has_text="Chargement").count() == 0
        await page.get_by_role("button", name="Rejoindre").wait_for()
        # the header names the event, the refusal is said once, and the site tried stays chosen
        # with its code field open and focused: trying again is typing the code
        assert "Chargement" not in await page.locator("#top .event-title").inner_text()
        assert await page.get_by_text("Ce code de site n'est pas le bon").count() == 1
        assert await page.locator("#pick-nancy").is_checked()
        assert await page.evaluate("document.activeElement.id") == "site-code"
        assert await page.locator("#site-code").get_attribute("aria-invalid") == "true"


async def test_success_fades_a_refusal_is_said_once_in_whole_seconds(web_hub):
    hub = web_hub
    async with chromium() as browser:
        page = await open_page(browser, f"{base(hub)}/join/reims?code={hub.code('reims')}")
        await wait_online(page)
        await page.fill("#ask-text", "Une première question ?")
        await page.get_by_role("button", name="Envoyer la question").click()
        status = page.locator("#qna .form-status")
        await status.filter(has_text="Question envoyée").wait_for()
        await wait_js(page, "document.querySelector('#qna .form-status').textContent === ''", timeout=10)
        for i in range(2):  # 3 questions a minute: these two go through...
            await page.fill("#ask-text", f"Encore une {i} ?")
            await page.get_by_role("button", name="Envoyer la question").click()
            await wait_js(page, "document.querySelector('#ask-text').value === ''")  # sent and acknowledged
        await page.fill("#ask-text", "Une de trop ?")  # ...this one is refused, twice, with one toast
        await page.get_by_role("button", name="Envoyer la question").click()
        toast = page.locator("#toasts .toast")
        await toast.first.wait_for()
        await page.get_by_role("button", name="Envoyer la question").click()
        await wait_js(page, "!document.querySelector('#qna button[type=submit]').disabled")
        texts = [await t.inner_text() for t in await toast.all()]
        assert len(texts) == len(set(texts))
        assert re.fullmatch(r"Doucement ! Réessayez dans \d+ s\.", texts[0]), texts[0]


async def test_plurals_agree_in_both_languages(web_hub):
    hub = web_hub
    async with chromium() as browser:
        mod = await open_page(browser, f"{base(hub)}/moderate#token={hub.token(Role.MODERATOR)}")
        page = await open_page(browser, f"{base(hub)}/join/metz?code={hub.code('metz')}")
        for p in (mod, page):
            await wait_online(p)
        await page.fill("#ask-text", "Combien ?")
        await page.get_by_role("button", name="Envoyer la question").click()
        await mod.locator("#queue-pending .question").get_by_role("button", name="Publier").click()
        await page.locator("#questions .upvote").first.wait_for()
        await page.locator("#questions .upvote").first.click()
        await page.locator("#questions .upvote .sr-only", has_text="soutien — soutenir").wait_for()
        await mod.locator("#queue-visible .votes", has_text=re.compile(r"^1 soutien$")).wait_for()
        await set_lang(mod, "en")
        await mod.locator("#queue-visible .votes", has_text=re.compile(r"^1 upvote$")).wait_for()


async def test_my_questions_say_where_they_stand(web_hub):
    hub = web_hub
    async with chromium() as browser:
        page = await open_page(browser, f"{base(hub)}/join/nancy?code={hub.code('nancy')}")
        mod = await open_page(browser, f"{base(hub)}/moderate#token={hub.token(Role.MODERATOR)}")
        for p in (page, mod):
            await wait_online(p)
        await page.fill("#ask-text", "Et les familles éloignées ?")
        await page.get_by_role("button", name="Envoyer la question").click()
        mine = page.locator("#my-questions li", has_text="Et les familles éloignées ?")
        await mine.filter(has_text="en attente de modération").wait_for()
        await mod.locator("#queue-pending .question").get_by_role("button", name="Publier").click()
        await mine.filter(has_text="publiée").wait_for()
        await mod.locator("#queue-visible .question").get_by_role("button", name="Répondue").click()
        await mine.filter(has_text="répondue").wait_for()
        await page.reload()  # what I asked comes back with the snapshot
        await wait_online(page)
        await page.locator("#my-questions li", has_text="répondue").wait_for()
