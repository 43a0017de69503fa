"""The big screen is a projector: every scene the control room can choose fits a fixed
16:9 frame at 1920x1080 and 1280x720, in French and English — nothing scrolls, nothing
is cut off, no text is smaller than 2.5 % of the screen's height, there is no control
on it, and axe finds nothing serious. The program scene's slates are checked by the
colour of their pixels. Screenshots of every scene go to test-artifacts/screenshots."""
from __future__ import annotations

import io
import shutil

from PIL import Image

from hub.domain.actors import Role

from ..hubserver import EVENTS_DIR, HubServer
from .browser import SHOTS, chromium, open_page, serious_accessibility_violations, wait_js, wait_online
from .test_media import COLOUR, canvas_camera, go_live
from .test_translations import TEXTS, event_words, untranslated

EVENT = "grand-est-2020"
SITES = ["nancy", "strasbourg", "reims", "mulhouse", "metz", "troyes", "epinal"]
SIZES = [(1920, 1080), (1366, 768), (1280, 720)]
LONG = ("Comment garantir que les familles éloignées du numérique, en zone rurale comme dans les quartiers, "
        "aient le même accès aux ressources et à l'accompagnement que les autres, et qui le finance ?")

CAPTION = "Nous accueillons maintenant les collègues de Reims pour leur retour d'expérience."
POLL = "Quel usage du numérique vous semble prioritaire ?"
OPTIONS = ["Accès aux équipements", "Formation des enseignants", "Ressources pédagogiques", "Lien avec les familles"]
PROPOSAL = "Proposition {n} : un plan d'équipement et de formation partagé entre les sites de l'académie"
SITE_PROPOSAL = "Un référent numérique dans chaque école"
SITE_PROPOSAL_TEXT = "Nancy propose un enseignant référent, avec une décharge horaire, dans chaque école du réseau."
TWEET = ("Live-tweet {n} : retour d'expérience sur les classes virtuelles, la continuité pédagogique "
         "et le lien aux familles.")

# What a projector must never do, measured in the page: [problem, text, detail].
PROBLEMS = """(() => {
  const frame = document.querySelector('.frame');
  const f = frame.getBoundingClientRect();
  const scene = frame.querySelector('.stage > .scene');
  const s = scene.getBoundingClientRect();
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollHeight > innerHeight || root.scrollWidth > innerWidth)
    out.push(['page scrolls', '', root.scrollHeight]);
  if (scene.scrollHeight > scene.clientHeight + 1 || scene.scrollWidth > scene.clientWidth + 1)
    out.push(['scene overflows', scene.dataset.scene, scene.scrollHeight - scene.clientHeight]);
  const walker = document.createTreeWalker(frame, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('.sr-only, [aria-hidden=true], [hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize);
    const text = node.textContent.trim().slice(0, 40);
    if (size < 0.025 * f.height - 0.05) out.push(['text too small', text, size / f.height]);
    // in a scene, text past the scene's edge is text nobody sees; elsewhere, the frame's
    const box = scene.contains(el) ? s : f;
    const r = el.getBoundingClientRect();
    const outside = r.left < box.left - 1 || r.right > box.right + 1
      || r.top < box.top - 1 || r.bottom > box.bottom + 1;
    if (r.width && outside)
      out.push(['cut off', text, [r.top, r.bottom, box.top, box.bottom]]);
  }
  const controls = [...document.querySelectorAll('button, input, select, textarea, a[href]')]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
  if (controls.length) out.push(['control on screen', controls[0].outerHTML.slice(0, 60), controls.length]);
  return out;
})()"""


async def prepare_the_day(hub) -> dict:
    """A day in full swing: a long question, a poll voted from every site, proposals, posts."""
    async with hub.moderator(event=EVENT) as mod:
        people = []
        for site in SITES:
            p = hub.participant(site, event=EVENT)
            await p.connect()
            people.append(p)
        asked = await people[2].command({"type": "question.ask", "text": LONG, "name": "Élise"})
        question = asked["result"]["question"]
        await mod.command({"type": "question.approve", "question": question})
        poll = await mod.command({"type": "poll.create", "question": POLL, "kind": "single", "options": OPTIONS})
        poll_id = poll["result"]["poll"]
        await mod.command({"type": "poll.open", "poll": poll_id})
        for i, p in enumerate(people):
            await p.command({"type": "poll.vote", "poll": poll_id, "choices": [i % 4]})
        themes = ["egal-acces", "travailler-ensemble", "enseigner-apprendre", "numerique-responsable", "gouvernance"]
        proposals = []
        for i in range(10):
            filed = await people[i % 7].command({"type": "proposal.submit", "theme": themes[i % 5],
                                                 "title": PROPOSAL.format(n=i + 1)})
            await mod.command({"type": "feed.approve", "post": filed["result"]["post"]})
            proposals.append(filed["result"]["post"])
        for i in range(9):
            await mod.command({"type": "feed.post", "text": TWEET.format(n=i + 1)})
        # the wall's newest: a site's own proposal, filed without a theme, a text under its title
        async with hub.coordinator("nancy", event=EVENT) as nancy:
            filed = await nancy.command({"type": "feed.contribute", "kind": "proposal", "title": SITE_PROPOSAL,
                                         "body": SITE_PROPOSAL_TEXT})
        await mod.command({"type": "feed.approve", "post": filed["result"]["post"]})
        # an order to rank: the site's proposal leads with 4 votes, then proposal 3 with 2
        for n, p in enumerate(people[:4]):
            await p.command({"type": "feed.upvote", "post": filed["result"]["post"]})
            if n < 2:
                await p.command({"type": "feed.upvote", "post": proposals[2]})
        await mod.command({"type": "programme.current", "session": 0})
        for p in people:
            await p.close()
    return {"question": question, "poll": poll_id}


def centre_colour(png: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def near(colour, wanted, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted))


async def test_every_scene_fits_the_projector_in_both_languages(web_hub):
    hub = web_hub
    day = await prepare_the_day(hub)
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    scenes = [("join", {}), ("question", {"question": day["question"]}), ("poll", {"poll": day["poll"], "view": "all"}),
              ("poll-sites", {"poll": day["poll"], "view": "sites"}), ("proposals", {}), ("wall", {}),
              ("program", {}), ("sites", {}), ("pause", {"message": "Reprise à 14 h"})]
    SHOTS.mkdir(parents=True, exist_ok=True)
    # what is not the interface's: the event's words and what people wrote
    data = event_words() | {LONG, "Élise", POLL, *OPTIONS, "Reprise à 14 h", CAPTION,
                            f"127.0.0.1:{hub.settings.port}/e/{EVENT}"}
    data |= {PROPOSAL.format(n=n) for n in range(1, 11)} | {TWEET.format(n=n) for n in range(1, 10)}
    data |= {SITE_PROPOSAL, SITE_PROPOSAL_TEXT}
    captioner = hub.viewer(event=EVENT, token=hub.token(Role.CAPTIONER))
    async with chromium() as browser, hub.moderator(event=EVENT) as mod, captioner:
        for width, height in SIZES:
            for lang in ("fr", "en"):
                url = f"{base}/screen/metz?lang={lang}#token={hub.token(Role.SCREEN, 'metz')}"
                screen = await open_page(browser, url, viewport={"width": width, "height": height})
                await wait_online(screen)
                for name, extra in scenes:
                    scene = name.split("-")[0]
                    # a caption line as the scene comes: every scene must fit with the captions' band too
                    await captioner.command({"type": "caption.line", "text": CAPTION})
                    await mod.command({"type": "screen.scene", "scene": scene, **extra})
                    await screen.locator(".frame .caption-line", has_text=CAPTION).first.wait_for()
                    await wait_js(screen, f"document.querySelector('.stage[data-scene={scene}] > .scene') !== null "
                                          "&& document.getAnimations().length === 0")
                    if name == "join":
                        await wait_js(screen, "document.querySelector('.scene-join .qr').complete "
                                              "&& document.querySelector('.scene-join .qr').naturalWidth > 0")
                    if name == "poll-sites":
                        await wait_js(screen, "document.querySelectorAll('.per-site-table tbody tr').length === 7")
                    if name == "proposals":  # one ranking for every theme, the site's own proposal first
                        ranks = await screen.locator(".leaders .rank").all_inner_texts()
                        assert ranks == [str(n) for n in range(1, len(ranks) + 1)] and len(ranks) >= 3, ranks
                        first = await screen.locator(".leaders li").first.inner_text()
                        assert SITE_PROPOSAL in first and "Nancy" in first, first
                        share = await screen.evaluate(
                            "document.querySelector('.leaders').getBoundingClientRect().height"
                            " / document.querySelector('.stage').getBoundingClientRect().height")
                        assert share > 0.6, share
                    if name == "wall":  # a title reads as the post's headline, above its text
                        sizes = await screen.evaluate("""[...document.querySelectorAll('.wall .post')]
                          .filter((li) => !li.querySelector('.post-title').hidden).map((li) => [
                            parseFloat(getComputedStyle(li.querySelector('.post-title')).fontSize),
                            parseFloat(getComputedStyle(li.querySelector('.post-body')).fontSize)])""")
                        assert sizes and all(title > body for title, body in sizes), sizes
                    problems = await screen.evaluate(PROBLEMS)
                    problems += [["not from the catalog", text, lang]
                                 for text in untranslated(await screen.evaluate(TEXTS), lang, data)]
                    assert problems == [], (width, height, lang, name, problems)
                    if width == 1920:
                        assert await serious_accessibility_violations(screen) == [], (lang, name)
                    await screen.screenshot(path=str(SHOTS / f"screen-{name}-{width}x{height}-{lang}.png"))
                # the words are the language's own
                words = await screen.locator(".frame").inner_text()
                assert ("Pause" in words) if lang == "fr" else ("Break" in words), words
                await screen.context.close()


async def test_the_program_scene_shows_a_slate_off_air_and_while_waiting_for_a_site(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        screen = await open_page(browser, f"{base}/screen/reims#token={hub.token(Role.SCREEN, 'reims')}",
                                 viewport={"width": 1280, "height": 720})
        await wait_online(screen)
        await mod.command({"type": "screen.scene", "scene": "program"})
        await screen.locator(".scene-program .slate[data-slate=off-air]", has_text="Hors antenne").wait_for()
        await wait_js(screen, "document.getAnimations().length === 0")
        assert near(centre_colour(await screen.screenshot()), (0x14, 0x21, 0x3D)), "the off-air slate's navy"
        await mod.command({"type": "stage.on_air", "site": "nancy"})  # nothing comes from Nancy
        await screen.locator(".scene-program .slate[data-slate=waiting]", has_text="En attente de Nancy").wait_for()
        assert near(centre_colour(await screen.screenshot()), (0x3D, 0x2A, 0x00)), "the waiting slate's amber"
        assert await screen.evaluate(PROBLEMS) == []


# The projector's answers from the hub come 3 s late: time to see what it shows meanwhile.
SLOW_ANSWERS = """(() => {
  const set = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (...args) {
    return new Promise((resolve) => setTimeout(resolve, 3000)).then(() => set.apply(this, args));
  };
})();"""


async def test_the_program_and_sites_scenes_show_a_slate_until_the_picture_comes(web_hub):
    """Chosen, the program and the sites' cameras take a moment to connect: the room sees
    the site's name on the event's navy and « L'image arrive… », never a black frame nor a
    frame left from before, and then the picture."""
    hub = web_hub
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        await wait_online(nancy)
        await go_live(nancy)
        await mod.command({"type": "stage.on_air", "site": "nancy"})
        for lang, coming in (("fr", "L'image arrive…"), ("en", "The picture is on its way…")):
            url = f"{base}/screen/reims?lang={lang}#token={hub.token(Role.SCREEN, 'reims')}"
            screen = await open_page(browser, url, viewport={"width": 1280, "height": 720}, init_script=SLOW_ANSWERS)
            await wait_online(screen)
            for round_ in (1, 2):  # the second time, no frame kept from the first
                await mod.command({"type": "screen.scene", "scene": "program"})
                slate = screen.locator(".scene-program .slate[data-slate=loading]")
                await slate.filter(has_text="Nancy — Rectorat").filter(has_text=coming).wait_for()
                await wait_js(screen, "document.getAnimations().length === 0")
                if await slate.is_visible():  # (a loaded machine may have taken the 3 s already)
                    shot = await screen.screenshot(path=str(SHOTS / f"screen-program-loading-{lang}.png"))
                    assert near(centre_colour(shot), (0x14, 0x21, 0x3D)), (lang, round_)
                await slate.wait_for(state="hidden", timeout=30_000)
                assert await screen.evaluate(f"({COLOUR})()") == "red", (lang, round_)
                assert await screen.evaluate(PROBLEMS) == []

                await mod.command({"type": "screen.scene", "scene": "sites"})
                tile = screen.locator(".scene-sites .tile", has_text="Nancy")
                await tile.locator(".tile-slate", has_text=coming).wait_for()
                await tile.locator(".tile-slate").wait_for(state="hidden", timeout=30_000)
                assert await screen.evaluate(f"({COLOUR})('.scene-sites video')") == "red", (lang, round_)
                await screen.screenshot(path=str(SHOTS / f"screen-sites-{lang}.png"))
                assert await screen.evaluate(PROBLEMS) == []
            await screen.context.close()


async def test_a_projector_that_loses_the_hub_keeps_its_scene_and_shows_only_a_discreet_mark(web_hub, proxy):
    hub = web_hub
    async with chromium() as browser:
        screen = await open_page(browser, f"http://127.0.0.1:{proxy.port}/e/{EVENT}/screen/metz"
                                          f"#token={hub.token(Role.SCREEN, 'metz')}",
                                 viewport={"width": 1920, "height": 1080})
        await wait_online(screen)
        scene = screen.locator("#main .scene")
        await scene.wait_for()
        before = await scene.inner_text()
        banner = screen.locator("#offline-banner")
        proxy.cut()
        await banner.wait_for(timeout=30_000)
        assert (await banner.inner_text()).strip() == "reconnexion…"
        said = screen.get_by_text("Connexion perdue")
        for i in range(await said.count()):  # nothing red for the room (a screen reader may still hear it)
            if not await said.nth(i).evaluate("el => !!el.closest('.sr-only')"):
                assert not await said.nth(i).is_visible(), await said.nth(i).evaluate("el => el.outerHTML")
        box = await banner.bounding_box()
        assert box is not None and box["height"] < 0.05 * 1080 and box["width"] < 0.25 * 1920, box
        assert box["x"] > 1920 / 2 and box["y"] > 1080 / 2, box  # in a corner, off the scene's text
        assert await scene.inner_text() == before  # the last good scene stays
        proxy.restore()
        await wait_online(screen)
        assert await banner.is_hidden()


async def test_a_projector_speaks_its_rooms_language_unless_its_link_says_otherwise(tmp_path):
    """Nobody picks a language on a projector: it speaks the site's language, else the
    event's (config/events), and `?lang=` in its link wins over both."""
    events = tmp_path / "events"
    events.mkdir()
    for path in EVENTS_DIR.glob("*.yaml"):
        shutil.copy(path, events)
    storm = events / "storm-2026.yaml"
    storm.write_text(storm.read_text(encoding="utf-8").replace("title:", "language: en\ntitle:", 1).replace(
        '{id: reims, name: "Reims", city: Reims}', '{id: reims, name: "Reims", city: Reims, language: fr}'),
        encoding="utf-8")
    hub = HubServer(tmp_path / "data", events_dir=events)
    await hub.start()
    try:
        base = f"http://127.0.0.1:{hub.settings.port}/e/storm-2026/screen"
        async with chromium() as browser:
            for where, query, said in (("nancy", "", "Join in!"), ("reims", "", "Participez !"),
                                       ("nancy", "?lang=fr", "Participez !"), ("reims", "?lang=en", "Join in!")):
                token = hub.token(Role.SCREEN, where, event="storm-2026")
                screen = await open_page(browser, f"{base}/{where}{query}#token={token}",
                                         viewport={"width": 1280, "height": 720})
                await wait_online(screen)
                await screen.locator(".scene-join h1", has_text=said).wait_for()
                lang = "en" if said == "Join in!" else "fr"
                assert await screen.evaluate("document.documentElement.lang") == lang, (where, query)
                await screen.context.close()
    finally:
        await hub.stop()
