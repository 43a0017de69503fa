"""The control room: an archive of answered and dismissed questions with undo, and
keyboard shortcuts for the frequent actions."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import chromium, open_page, serious_accessibility_violations, set_lang, show_pane, wait_js, wait_online

EVENT = "grand-est-2020"


async def test_undo_from_the_archive_and_keyboard_shortcuts(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base}/join/reims?code={hub.code('reims')}")
        for page in (mod, viewer):
            await wait_online(page)
        for text in ("Première ?", "Deuxième ?"):
            await viewer.fill("#ask-text", text)
            await viewer.get_by_role("button", name="Envoyer la question").click()
            await mod.locator("#queue-pending .q-text", has_text=text).wait_for()

        await mod.locator("body").click(position={"x": 5, "y": 5})  # nothing focused: shortcuts apply
        await mod.keyboard.press("a")  # publishes the oldest pending question
        await mod.locator("#queue-visible .q-text", has_text="Première ?").wait_for()
        await mod.keyboard.press("h")
        await wait_js(mod, "window.__mx.state.highlight && window.__mx.state.highlight.text === 'Première ?'")
        await mod.keyboard.press("c")
        await wait_js(mod, "window.__mx.state.highlight === null")
        await mod.keyboard.press("2")
        await wait_js(mod, "window.__mx.state.stage.on_air === 'strasbourg'")
        await mod.keyboard.press("0")
        await wait_js(mod, "window.__mx.state.stage.on_air === null")
        await show_pane(mod, "Live-tweets")
        await mod.fill("#tweet-text", "ahd")  # typing is not a shortcut
        await show_pane(mod, "Questions")
        assert await mod.locator("#queue-pending .q-text", has_text="Deuxième ?").count() == 1

        # answered, then not answered after all; dismissed, then restored
        first = mod.locator("#queue-visible .question", has_text="Première ?")
        await first.get_by_role("button", name="Répondue").click()
        archived = mod.locator("#queue-archive .question", has_text="Première ?")
        await archived.get_by_role("button", name="Pas encore répondue").click()
        await mod.locator("#queue-visible .q-text", has_text="Première ?").wait_for()
        second = mod.locator("#queue-pending .question", has_text="Deuxième ?")
        await second.get_by_role("button", name="Écarter").click()
        dismissed = mod.locator("#queue-archive .question", has_text="Deuxième ?")
        await dismissed.get_by_role("button", name="Rétablir").click()
        await mod.locator("#queue-pending .q-text", has_text="Deuxième ?").wait_for()
        await mod.get_by_text("Raccourcis clavier").click()
        await mod.locator(".shortcuts dd", has_text="Couper l'antenne").wait_for()
        assert await serious_accessibility_violations(mod) == []


async def test_a_prepared_poll_is_launched_in_one_click(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base}/join/metz?code={hub.code('metz')}")
        for page in (mod, viewer):
            await wait_online(page)
        assert await viewer.evaluate("window.__mx.welcome.prepared_polls") is None  # no spoiler
        assert "aidé vos élèves" not in await viewer.evaluate("JSON.stringify(window.__mx.welcome)")
        await show_pane(mod, "Sondages")
        prepared = mod.locator("#prepared-polls li", has_text="pendant le confinement")
        await prepared.get_by_role("button", name="Lancer").click()
        await viewer.locator("#poll legend", has_text="Le numérique a-t-il aidé vos élèves").wait_for()
        await viewer.locator("#poll label", has_text="Beaucoup").wait_for()
        await prepared.filter(has_text="lancé").wait_for()


async def test_a_vote_storm_leaves_a_focused_control_focused_and_in_place(web_hub):
    """2000 ballots arrive while the control room's keyboard focus is on a poll's button."""
    import asyncio

    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    operator = hub.moderator()
    await operator.connect()
    poll = (await operator.command({"type": "poll.create", "question": "Tempête ?", "kind": "single",
                                    "options": ["oui", "non"]}))["result"]["poll"]
    await operator.command({"type": "poll.open", "poll": poll})
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        await wait_online(mod)
        await show_pane(mod, "Sondages")
        close = mod.locator(f'#poll-list [data-action="polls.close-{poll}"]')
        await close.focus()
        before = await close.bounding_box()
        sites = ["nancy", "reims", "metz", "troyes"]
        voters = [hub.participant(sites[i % 4]) for i in range(2000)]

        async def vote(client, choice):
            await client.connect()
            await client.command({"type": "poll.vote", "poll": poll, "choices": [choice]})
            await client.close()

        for i in range(0, len(voters), 250):
            await asyncio.gather(*(vote(c, n % 2) for n, c in enumerate(voters[i:i + 250])))
        await wait_js(mod, f"window.__mx.state.tallies['{poll}'].ballots === 2000", timeout=30)
        focused = await mod.evaluate("document.activeElement && document.activeElement.dataset.action")
        assert focused == f"polls.close-{poll}"
        after = await close.bounding_box()
        assert abs(after["y"] - before["y"]) < 1 and abs(after["x"] - before["x"]) < 1
    await operator.close()


async def test_what_phones_see_what_screens_show_and_what_is_open_is_one_state_in_the_regie(web_hub):
    """Opening a poll reaches the phones even while a closed one is on the screens; the régie
    says what phones and screens show, and warns (with the fix one click away) when they
    disagree or when several polls are open."""
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with hub.moderator(event=EVENT) as cmd:
        first = (await cmd.command({"type": "poll.create", "question": "Premier sondage ?", "kind": "single",
                                    "options": ["Oui", "Non"]}))["result"]["poll"]
        await cmd.command({"type": "poll.open", "poll": first})
        await cmd.command({"type": "screen.scene", "scene": "poll", "poll": first})
        await cmd.command({"type": "poll.close", "poll": first})
        second = (await cmd.command({"type": "poll.create", "question": "Deuxième sondage ?", "kind": "single",
                                     "options": ["Oui", "Non"]}))["result"]["poll"]
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}",
                              viewport={"width": 1920, "height": 1080})
        phone = await open_page(browser, f"{base}/join/reims?code={hub.code('reims')}",
                                viewport={"width": 390, "height": 844})
        for page in (mod, phone):
            await wait_online(page)
        await show_pane(mod, "Sondages")
        status = mod.locator("#poll-status")
        await status.locator("[data-status=phones]", has_text="Premier sondage ? » — fermé").wait_for()
        await phone.get_by_role("button", name="Plus tard").click()  # the category, asked once
        await phone.get_by_role("tab", name="Sondage").click()
        await mod.locator(".poll-card", has_text="Deuxième sondage ?").get_by_role("button", name="Ouvrir").click()
        # the phone votes on the new poll, though the closed one is still on the screens
        await phone.locator("#poll legend", has_text="Deuxième sondage ?").wait_for()
        await status.locator("[data-status=phones]", has_text="Deuxième sondage ? » — ouvert · 0 vote").wait_for()
        await status.locator("[data-status=screens]", has_text="Premier sondage ? » — fermé").wait_for()
        mismatch = status.locator("[data-warning=mismatch]")
        await mismatch.wait_for()
        await phone.locator("#poll .choice label").first.click()
        await phone.locator("#poll button[type=submit]").click()
        await status.locator("[data-status=phones]", has_text="1 vote").wait_for()
        await mismatch.get_by_role("button", name="Montrer aux écrans le sondage des téléphones").click()
        await status.locator("[data-status=screens]", has_text="Deuxième sondage ?").wait_for()
        await mismatch.wait_for(state="detached")
        # a third poll opened alongside: the régie says the phones show one of them only
        async with hub.moderator(event=EVENT) as cmd:
            third = (await cmd.command({"type": "poll.create", "question": "Troisième sondage ?", "kind": "single",
                                        "options": ["Oui", "Non"]}))["result"]["poll"]
            await cmd.command({"type": "poll.open", "poll": third})
        many = status.locator("[data-warning=many-open]")
        await many.locator("text=2 sondages ouverts : les téléphones ne montrent que « Deuxième sondage ? »").wait_for()
        await mod.locator(".poll-card", has_text="Deuxième sondage ?").locator(".q-meta",
                                                                               has_text="sur les téléphones").wait_for()
        assert await serious_accessibility_violations(mod) == []
        await set_lang(mod, "en")
        await many.locator("text=2 polls are open: the phones show only “Deuxième sondage ?”").wait_for()
        await status.locator("[data-status=phones]", has_text="— open · 1 vote").wait_for()
        await many.get_by_role("button", name="Close the others").click()
        await many.wait_for(state="detached")
        await wait_js(mod, f"window.__mx.state.polls['{third}'].state === 'closed'"
                           f" && window.__mx.state.polls['{second}'].state === 'open'")
        await status.locator("[data-status=open]", has_text="Deuxième sondage ?").wait_for()
