"""Open proposals through the pages: a participant (who said they are a teacher)
files one under a theme, their site's coordinator validates it, a remote parent's
goes through the control room, people upvote across sites, and the ranking per
theme shows on phones and on the big screen."""
from __future__ import annotations

from hub.domain.actors import Role

from .browser import (
    SHOTS,
    chromium,
    open_page,
    screenshots,
    serious_accessibility_violations,
    show_pane,
    wait_js,
    wait_online,
)

EVENT = "grand-est-2020"


def base(hub) -> str:
    return f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"


async def file_proposal(page, theme: str, title: str) -> None:
    await page.select_option("#proposal-theme", label=theme)
    await page.fill("#proposal-title", title)
    await page.get_by_role("button", name="Envoyer la proposition").click()
    await page.locator("#proposals .form-status", has_text="Proposition envoyée").wait_for()


async def test_proposals_are_filed_validated_upvoted_and_ranked(web_hub):
    hub = web_hub
    async with chromium() as browser:
        teacher = await open_page(browser, f"{base(hub)}/join/reims?code={hub.code('reims')}")
        await wait_online(teacher)
        # joined by QR code: the category is asked beside the page, once
        await teacher.select_option("#join-category", "enseignant")
        await teacher.get_by_role("button", name="Valider").click()
        await wait_online(teacher)
        assert await teacher.locator(".ask-category").count() == 0
        await wait_js(teacher, "window.__mx.welcome && window.__mx.category === 'enseignant'")

        parent = await open_page(browser, f"{base(hub)}")
        await parent.get_by_label("À distance (en ligne)").check()
        await parent.select_option("#join-category", "parent")
        await parent.get_by_role("button", name="Rejoindre").click()
        await wait_online(parent)

        reims = await open_page(browser, f"{base(hub)}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}")
        mod = await open_page(browser, f"{base(hub)}/moderate#token={hub.token(Role.MODERATOR)}")
        screen = await open_page(browser, f"{base(hub)}/screen/metz#token={hub.token(Role.SCREEN, 'metz')}")
        for page in (reims, mod, screen):
            await wait_online(page)

        access = "Garantir un égal accès au numérique pour tous"
        await file_proposal(teacher, access, "Un ordinateur par élève en REP")
        await teacher.locator("#proposals .mine li", has_text="en attente de validation").wait_for()
        await file_proposal(parent, access, "Des ateliers numériques pour les parents")

        # Reims validates its own participant's proposal; the remote one is the control room's
        await reims.locator("#site-proposals .post-title", has_text="Un ordinateur par élève en REP").wait_for()
        assert await reims.locator("#site-proposals .post-title", has_text="ateliers numériques").count() == 0
        await reims.locator("#site-proposals .post").get_by_role("button", name="Valider").click()
        await show_pane(mod, "Contributions")
        remote = mod.locator("#pending-posts .post", has_text="Des ateliers numériques pour les parents")
        await remote.get_by_role("button", name="Valider").click()

        await teacher.locator("#proposals .mine li", has_text="publiée").wait_for()
        ranked = parent.locator("#ranking .ranked li", has_text="Un ordinateur par élève en REP")
        await ranked.wait_for()
        await ranked.get_by_role("button", name="soutenir cette proposition").click()
        await wait_js(parent, "document.querySelector('#ranking .ranked li').textContent.includes('Un ordinateur')")
        first = parent.locator("#ranking .ranked li").first
        await first.locator(".q-meta", has_text="À distance 1").wait_for()
        # the régie puts the ranking on the big screens
        scenes = mod.get_by_role("group", name="Scène des grands écrans")
        await scenes.get_by_role("button", name="Propositions").click()
        await screen.locator(".screen-ranking .ranked li", has_text="Un ordinateur par élève en REP").wait_for()
        await screen.locator(".screen-ranking .leader-votes", has_text="1 soutien").first.wait_for()
        # a site's own proposals, from its contribution form: under the theme it names, or « Autres propositions »
        own = (("Un tiers-lieu numérique par bassin", access), ("Une charte du droit à la déconnexion", None))
        for title, theme in own:
            await reims.select_option("#contrib-kind", "proposal")
            if theme:
                await reims.select_option("#contrib-theme", label=theme)
            await reims.fill("#contrib-title", title)
            await reims.fill("#contrib-body", "Proposé par le site de Reims.")
            await reims.get_by_role("button", name="Publier la contribution").click()
            await reims.locator(".contribution .form-status", has_text="après validation").wait_for()
            await mod.locator("#pending-posts .post", has_text=title).get_by_role("button", name="Valider").click()
        themed = parent.locator("#ranking section.theme", has=parent.locator("h3", has_text=access))
        await themed.locator(".ranked li", has_text="Un tiers-lieu numérique par bassin").wait_for()
        other = parent.locator("#ranking section.theme", has=parent.locator("h3", has_text="Autres propositions"))
        await other.locator(".ranked li", has_text="Une charte du droit à la déconnexion").wait_for()
        await screen.locator(".leaders li", has_text="Une charte du droit à la déconnexion").wait_for()
        assert "Reims · Garantir" in await screen.locator(".leaders li", has_text="Un tiers-lieu").inner_text()
        # and the breakdown by category is in the mirror of every client
        post = await parent.evaluate(
            "Object.values(window.__mx.state.posts).find(p => p.title.startsWith('Un ordinateur'))")
        assert post["votes_by_category"] == {"parent": 1} and post["category"] == "enseignant"
        for page in (teacher, parent, reims, screen):
            assert await serious_accessibility_violations(page) == []
        await screenshots(parent, "proposals-viewer")
        await parent.set_viewport_size({"width": 390, "height": 844})
        await parent.get_by_role("tab", name="Sondage").click()  # on a phone, proposals are voted in that tab
        await parent.locator("#proposals").screenshot(path=str(SHOTS / "proposals-section-phone.png"))
        await screenshots(screen, "proposals-screen")
