"""The régie sees each live post on each network: the link once published, the network's
reason when it refused, and retries or withdraws it (FR and EN); a viewer gets the links only."""
from __future__ import annotations

from hub.domain.actors import Role

from ..http.test_http import tiny_png
from ..hubserver import EVENT
from ..social.conftest import hub_on_standins
from ..social.standins import StandIns
from .browser import (
    PHONE,
    chromium,
    open_page,
    screenshots,
    serious_accessibility_violations,
    set_lang,
    show_pane,
    wait_online,
)
from .test_hls import REMOTE

LONG = "Retour d'expérience de Mulhouse : la classe inversée <b>en 4e</b>, un an après"


async def test_the_regie_sees_each_network_and_retries_or_withdraws(tmp_path):
    standins = StandIns()
    standins.start()
    standins.bluesky_limit = 40  # this post is too long for it: refused, with its reason
    hub = hub_on_standins(tmp_path, standins)
    await hub.start()
    mod = hub.moderator()
    await mod.connect()
    try:
        async with chromium() as browser:
            base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
            errors: list[str] = []
            regie = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}", errors=errors)
            viewer = await open_page(browser, base, errors=errors, init_script=REMOTE)  # a remote viewer
            await wait_online(regie)
            await wait_online(viewer)
            await show_pane(regie, "Live-tweets")
            await regie.locator("#tweet-text").fill(LONG)
            await regie.locator("#tweet").get_by_role("button", name="Publier", exact=True).click()
            mastodon = regie.locator("#posts .social-state[data-network=mastodon]")
            bluesky = regie.locator("#posts .social-state[data-network=bluesky]")
            await mastodon.and_(regie.locator("[data-state=sent]")).wait_for(timeout=60_000)
            await bluesky.and_(regie.locator("[data-state=refused]")).wait_for(timeout=60_000)
            assert "Mastodon : publié" in await mastodon.text_content()
            await regie.locator("#social-health [data-network=mastodon][data-health=ok]",
                                has_text="Mastodon : en ligne").wait_for(timeout=30_000)
            link = mastodon.get_by_role("link", name="voir sur Mastodon (nouvel onglet)")
            assert (await link.get_attribute("href")).startswith(f"{standins.url}/@multiplex/")
            text = await bluesky.text_content()
            assert "Bluesky : refusé" in text and "must not be longer than 40 graphemes" in text, text
            # the text went out as text: the régie shows it as text too
            assert await regie.locator("#posts .post-body b").count() == 0
            for lang in ("fr", "en"):
                await set_lang(regie, lang)
                assert await serious_accessibility_violations(regie) == []
                await screenshots(regie, f"regie-social-{lang}")
            await set_lang(regie, "fr")

            # retried once the network takes longer posts
            standins.bluesky_limit = 300
            await bluesky.get_by_role("button", name="Réessayer sur Bluesky").click()
            await bluesky.and_(regie.locator("[data-state=sent]")).wait_for(timeout=60_000)
            assert len(standins.bluesky.posts) == 1
            # a thread: the next live-tweet follows on from this one, on both networks
            await regie.locator("#tweet-text").fill("Suite : les élèves présentent leur projet")
            await regie.get_by_label("Suite du live-tweet précédent (un fil sur les réseaux)").check()
            await regie.locator("#tweet-photo").set_input_files(
                files=[{"name": "salle.png", "mimeType": "image/png", "buffer": tiny_png()}])
            await regie.locator("#tweet").get_by_role("button", name="Publier", exact=True).click()
            await regie.locator("#posts .post", has_text="les élèves présentent").locator(
                ".social-state[data-network=mastodon][data-state=sent]").wait_for(timeout=60_000)
            [first_toot] = [p for p in standins.mastodon.posts.values() if p["reply_to"] is None]
            [reply] = [p for p in standins.mastodon.posts.values() if p["reply_to"]]
            assert reply["reply_to"] == first_toot["id"] and [m["type"] for m in reply["media"]] == ["image"]
            assert await regie.locator("#posts .post", has_text="les élèves").locator("img").count() == 1
            head = regie.locator("#posts .post", has_text="les élèves").locator(".post-head")
            assert "suite" in await head.text_content()
            assert not await regie.get_by_label("Suite du live-tweet précédent (un fil sur les réseaux)").is_checked()
            # the viewer sees where it was published, not how it went
            await viewer.locator(".social-state[data-network=bluesky] a").first.wait_for(timeout=60_000)
            assert await viewer.get_by_role("button", name="Retirer de Bluesky").count() == 0
            # withdrawn from Mastodon (it asks first: a deletion cannot be undone)
            regie.once("dialog", lambda dialog: dialog.accept())
            withdrawn = regie.locator("#posts .post", has_text="classe inversée").locator(
                ".social-state[data-network=mastodon]")
            await withdrawn.get_by_role("button", name="Retirer de Mastodon").click()
            await withdrawn.and_(regie.locator("[data-state=deleted]")).wait_for(timeout=60_000)
            assert list(standins.mastodon.deleted) == [first_toot["id"]]

            # corrected: the composer takes the post's text, and the networks change it in place
            thread = regie.locator("#posts .post", has_text="les élèves présentent")
            await thread.get_by_role("button", name="Modifier le live-tweet « Suite : les élèves présentent").click()
            assert await regie.locator("#tweet-text").input_value() == "Suite : les élèves présentent leur projet"
            assert await regie.locator("#tweet-text").evaluate("el => el === document.activeElement")
            assert not await regie.locator("#tweet-photo").is_visible()  # a correction: the text only
            for lang in ("en", "fr"):
                await set_lang(regie, lang)
                assert await serious_accessibility_violations(regie) == []
                await screenshots(regie, f"regie-correction-{lang}")
            await regie.locator("#tweet-text").fill("Suite : les élèves de 4e présentent leur projet")
            await regie.get_by_role("button", name="Enregistrer la correction").click()
            corrected = regie.locator("#posts .post", has_text="les élèves de 4e présentent")
            await corrected.locator(".post-head", has_text="modifié").wait_for(timeout=30_000)
            await corrected.locator(".social-state[data-network=mastodon][data-state=sent]").wait_for(timeout=60_000)
            assert reply["text"] == "Suite : les élèves de 4e présentent leur projet #EGNum" and reply["edits"] == 1
            await regie.get_by_role("button", name="Publier", exact=True).wait_for()  # back to a new post
            await viewer.locator(".post", has_text="les élèves de 4e présentent").wait_for(timeout=30_000)

            # taken back (it asks first): off the viewer's feed, deleted from both networks
            regie.once("dialog", lambda dialog: dialog.accept())
            await corrected.get_by_role("button", name="Supprimer le live-tweet « Suite : les élèves de 4e").click()
            await viewer.locator(".post", has_text="les élèves de 4e").wait_for(state="detached", timeout=30_000)
            await regie.locator("#posts .post", has_text="les élèves de 4e").wait_for(state="detached", timeout=60_000)
            assert reply["id"] in standins.mastodon.deleted and len(standins.bluesky.deleted) == 1
            assert errors == []
    finally:
        await mod.close()
        await hub.stop()
        standins.stop()


async def test_a_hashtag_post_approved_by_the_regie_reaches_the_wall_and_the_phone_and_is_counted(tmp_path):
    standins = StandIns()
    standins.start()
    hub = hub_on_standins(tmp_path, standins, social_poll_s=0.2)
    await hub.start()
    mod = hub.moderator()
    await mod.connect()
    try:
        async with chromium() as browser:
            base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
            errors: list[str] = []
            regie = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}", errors=errors)
            screen = await open_page(browser, f"{base}/screen/reims#token={hub.token(Role.SCREEN, 'reims')}",
                                     viewport={"width": 1920, "height": 1080}, errors=errors)
            phone = await open_page(browser, f"{base}/join/reims?code={hub.code('reims')}", viewport=PHONE,
                                    errors=errors)
            for page in (regie, screen, phone):
                await wait_online(page)
            await mod.command({"type": "screen.scene", "scene": "wall"})
            standins.someone_posts("mastodon", "", html="<p>Quelle belle journée à Reims <b>#EGNum</b></p>",
                                   handle="claire@mastodon.example", author="Claire")
            await show_pane(regie, "Contributions")
            pending = regie.locator("#pending-posts .post[data-kind=social]")
            await pending.wait_for(timeout=60_000)
            assert "Mastodon · Claire · @claire@mastodon.example" in await pending.locator(".post-head").text_content()
            assert await screen.locator(".wall .post[data-kind=social]").count() == 0  # not before the régie
            await pending.get_by_role("button", name="Afficher ce message de claire@mastodon.example").click()

            on_wall = screen.locator(".wall .post[data-kind=social][data-network=mastodon]")
            await on_wall.wait_for(timeout=30_000)
            assert "Quelle belle journée à Reims #EGNum" in await on_wall.text_content()
            assert "Mastodon" in await on_wall.locator(".post-head").text_content()
            await phone.get_by_role("tab", name="Fil").click()
            on_phone = phone.locator(".post[data-kind=social]")
            await on_phone.wait_for(timeout=30_000)
            assert "Claire" in await on_phone.locator(".post-head").text_content()
            assert await on_phone.locator("b").count() == 0  # its HTML is not rendered
            for name, page in (("wall", screen), ("phone", phone)):
                assert await serious_accessibility_violations(page) == []
                await screenshots(page, f"social-{name}-fr")

            await mod.command({"type": "report.publish", "public": True})
            report = await open_page(browser, f"{base}/report", errors=errors)
            await report.locator("#big-figures [data-figure=social] strong", has_text="1").wait_for(timeout=30_000)
            await report.locator("#table-social tbody tr").first.wait_for()
            assert errors == []
    finally:
        await mod.close()
        await hub.stop()
        standins.stop()
