"""The event day in a real browser: every role on its own page, one scenario."""
from __future__ import annotations

import asyncio
import re

from hub.domain.actors import Role

from .browser import (
    chromium,
    mirror,
    open_page,
    screenshots,
    serious_accessibility_violations,
    show_pane,
    wait_js,
    wait_online,
)

EVENT = "grand-est-2020"
QUESTION = "Comment accompagner les écoles rurales ?"
XSS = '<img src=x onerror="window.__xss=1">'
POLL = "Faut-il généraliser les tiers-lieux ?"
TWEET = "La table ronde commence à Reims"


def urls(hub, proxy):
    base, via_proxy = f"http://127.0.0.1:{hub.settings.port}", f"http://127.0.0.1:{proxy.port}"
    e = f"/e/{EVENT}"
    return {
        "moderator": f"{base}{e}/moderate#token={hub.token(Role.MODERATOR)}",
        "coord_nancy": f"{base}{e}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
        "coord_strasbourg": f"{base}{e}/site/strasbourg#token={hub.token(Role.COORDINATOR, 'strasbourg')}",
        "viewer_nancy": f"{base}{e}/join/nancy?code={hub.code('nancy')}",
        "viewer_reims": f"{via_proxy}{e}/join/reims?code={hub.code('reims')}",  # its network can be cut
        "viewer_strasbourg": f"{base}{e}",  # picks its site on the page
        "screen_strasbourg": f"{base}{e}/screen/strasbourg#token={hub.token(Role.SCREEN, 'strasbourg')}",
    }


def question(page, list_selector: str, text: str):
    """The list item whose own question text is `text` (not one that merely mentions it)."""
    return page.locator(f"{list_selector} li").filter(has=page.locator(".q-text", has_text=text))


async def vote(page, option: str) -> None:
    await page.locator("#poll legend", has_text=POLL).wait_for()
    await page.locator("#poll label", has_text=re.compile(f"^{option}$")).click()
    await page.locator("#poll button[type=submit]").click()
    await page.locator("#poll .form-status", has_text="Vote enregistré").wait_for()


async def per_site_rows(screen) -> dict[str, dict[str, str]]:
    """{site: {option: "p %"}} as the big screen's table shows it."""
    options = [await th.inner_text() for th in await screen.locator("#screen-poll thead th").all()][1:]
    out = {}
    for row in await screen.locator("#screen-poll tbody tr").all():
        cells = [await td.inner_text() for td in await row.locator("td").all()]
        out[await row.locator("th").inner_text()] = dict(zip(options, cells))
    return out


async def test_an_event_day_across_every_role(web_hub, proxy):
    hub, errors = web_hub, []
    async with chromium() as browser:
        u = urls(hub, proxy)
        pages = {name: await open_page(browser, url, errors=errors) for name, url in u.items()}
        mod, screen = pages["moderator"], pages["screen_strasbourg"]
        v_nancy, v_reims, v_stras = pages["viewer_nancy"], pages["viewer_reims"], pages["viewer_strasbourg"]
        c_nancy, c_stras = pages["coord_nancy"], pages["coord_strasbourg"]

        # A viewer without a QR link picks the site and types the code shown in the room.
        await v_stras.get_by_label("Strasbourg — INSPÉ").check()
        await v_stras.get_by_label("Code du site").fill(hub.code("strasbourg").lower())
        await v_stras.get_by_role("button", name="Rejoindre").click()
        for page in pages.values():
            await wait_online(page)
        assert await v_stras.evaluate("window.__mx.welcome.origin") == "strasbourg"
        assert await v_nancy.evaluate("window.__mx.welcome.origin") == "nancy"
        # on a site, the sound only by default (the room has the picture); this one wants both
        assert await v_nancy.locator("#watch-mode").input_value() == "audio"
        await v_nancy.select_option("#watch-mode", "video")

        # --- Q&A: asked at Nancy, approved by Nancy's coordinator, highlighted, on Strasbourg's screen
        await v_nancy.fill("#ask-text", QUESTION)
        await v_nancy.fill("#ask-name", "Claire")
        await v_nancy.get_by_role("button", name="Envoyer la question").click()
        await v_nancy.locator("#qna .form-status", has_text="après modération").wait_for()
        await v_nancy.fill("#ask-text", XSS)
        await v_nancy.get_by_role("button", name="Envoyer la question").click()
        await question(c_nancy, "#pending-questions", QUESTION).get_by_role("button", name="Publier").click()
        await question(c_nancy, "#pending-questions", XSS).get_by_role("button", name="Publier").click()
        assert await question(c_stras, "#pending-questions", QUESTION).count() == 0
        await question(mod, "#queue-visible", QUESTION).get_by_role("button", name="Mettre en avant").click()
        await screen.locator(".screen-highlight", has_text=QUESTION).wait_for()
        assert "Claire" in await screen.locator(".screen-highlight figcaption").inner_text()
        assert "0 soutien" in await screen.locator(".screen-highlight figcaption").inner_text()
        # user text stays text
        await question(v_reims, "#questions", XSS).wait_for()
        for page in (v_nancy, v_reims, v_stras, mod, c_nancy):
            assert await page.locator("#questions img, #queue-visible img, #pending-questions img").count() == 0
            assert await page.evaluate("window.__xss") is None

        # --- A poll with hidden results, voted from three sites, revealed, per site on the screen
        await show_pane(mod, "Sondages")
        await mod.fill("#poll-question", POLL)
        await mod.fill("#poll-options", "Oui\nNon\nÀ voir")
        await mod.check("#poll-hidden")
        await mod.get_by_role("button", name="Créer le sondage").click()
        card = mod.locator("#poll-list article", has_text=POLL)
        await card.get_by_role("button", name="Ouvrir").click()
        await card.get_by_role("button", name="Afficher sur les écrans").click()
        await asyncio.gather(vote(v_nancy, "Oui"), vote(v_reims, "Non"), vote(v_stras, "Oui"))
        await screen.locator("#screen-poll", has_text="3 votants — résultats dévoilés plus tard").wait_for()
        await card.get_by_role("button", name="Dévoiler").click()
        await screen.locator("#screen-poll .bar-row").first.wait_for()
        # the screen has no controls: the régie chooses how its results read there
        assert await screen.get_by_role("button").count() == 0
        await mod.get_by_role("group", name="Résultats sur les écrans").get_by_role("button", name="Par site").click()
        await screen.locator("#screen-poll tbody tr").nth(2).wait_for()
        rows = await per_site_rows(screen)
        assert rows == {
            "Nancy": {"Oui": "100 %", "Non": "0 %", "À voir": "0 %"},
            "Strasbourg": {"Oui": "100 %", "Non": "0 %", "À voir": "0 %"},
            "Reims": {"Oui": "0 %", "Non": "100 %", "À voir": "0 %"},
        }
        nancy_bars = screen.locator("#screen-poll tr[data-site=nancy] .cell-bar")
        widths = await nancy_bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
        assert widths[0] > 50 and widths[1] == widths[2] == 0, widths

        # --- A live-tweet reaches every page, with the event's hashtag
        await show_pane(mod, "Live-tweets")
        await mod.fill("#tweet-text", TWEET)
        await mod.locator(".composer button[type=submit]").click()
        await mod.get_by_role("group", name="Scène des grands écrans").get_by_role("button", name="Le mur").click()
        for page, feed in ((v_nancy, "#posts"), (v_reims, "#posts"), (v_stras, "#posts"), (c_nancy, "#site-posts"),
                           (c_stras, "#site-posts"), (mod, "#posts"), (screen, "#wall")):
            await page.locator(feed, has_text=f"{TWEET} #EGNum").wait_for()

        # --- Reims's viewer loses its network while things happen, then catches up exactly
        await mod.get_by_role("group", name="Scène des grands écrans").get_by_role("button", name="Question").click()
        proxy.cut()
        await v_reims.locator("#connection[data-status=offline]").wait_for()
        await mod.fill("#tweet-text", "Pendant la coupure")
        await mod.locator(".composer button[type=submit]").click()
        await mod.get_by_role("group", name="Sites : choisir l'aperçu").get_by_role("button", name="Reims").click()
        await mod.locator(".monitor-preview", has_text="Pas de signal de Reims").wait_for()
        take = mod.get_by_role("button", name="Prendre l'antenne")
        await take.click()  # Reims sends no picture: the régie is warned, a second take confirms
        await mod.locator(".switcher [role=status]", has_text="Pas de signal de Reims").wait_for()
        await take.click()
        await v_nancy.locator("#player .slate[data-slate=waiting]", has_text="En attente de Reims — Canopé").wait_for()
        support = re.compile("soutenir cette question")
        await question(v_nancy, "#questions", QUESTION).get_by_role("button", name=support).click()
        await c_nancy.get_by_role("button", name="Demander la parole").click()
        await v_nancy.locator("#player", has_text="À l'antenne : Reims").wait_for()
        await screen.locator(".screen-highlight figcaption", has_text="1 soutien").wait_for()
        # everybody else saw all of it by now; the cut viewer saw none of it
        assert await v_reims.locator("#posts", has_text="Pendant la coupure").count() == 0
        proxy.restore()
        await v_reims.locator("#connection", has_text="Reconnecté").wait_for(timeout=15000)
        await v_reims.locator("#posts", has_text="Pendant la coupure").wait_for()
        await wait_js(v_reims, f"window.__mx.seq === {hub.seq()}")
        await wait_js(v_nancy, f"window.__mx.seq === {hub.seq()}")
        assert await mirror(v_reims) == await mirror(v_nancy)
        await v_reims.locator("#player", has_text="À l'antenne : Reims").wait_for()

        # --- Accessibility: no serious or critical finding on any page; screenshots of each
        for name, page in pages.items():
            found = await serious_accessibility_violations(page)
            assert found == [], f"{name}: {found}"
            await screenshots(page, name)
        # Reconnect attempts while the network was cut are expected; nothing else is.
        unexpected = [e for e in errors if not (e.startswith(u["viewer_reims"]) and "WebSocket connection to" in e)]
        assert unexpected == []
