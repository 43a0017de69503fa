"""The Grand Est morning, in Chromium: every site a stage of its own.

After the multisite opening (a plenary every site follows), Nancy, Strasbourg
and Reims start their parallel 09:30 reports from their own pages; questions
from each room land in that site's session, each site's screen shows its own
highlighted question, a remote viewer follows Reims and asks there, a room poll
in Strasbourg is seen only by Strasbourg and its followers, each site's camera
is recorded per its session and its replay plays that site's colour; at the
door, people are checked in by name and by their badge's QR link, a head count
is typed, and the report's figures are recounted from the raw log entries."""
from __future__ import annotations

import io

import msgspec
import segno

from hub.domain import commands as c
from hub.domain.actors import Role
from hub.domain.state import Entry

from ..support import until
from .browser import (
    chromium,
    open_page,
    screenshots,
    serious_accessibility_violations,
    show_pane,
    take_on_air,
    wait_js,
    wait_online,
)
from .test_media import COLOUR, canvas_camera, go_live

EVENT = "grand-est-2020"
SITES = {"nancy": "#ff0000", "strasbourg": "#00ff00", "reims": "#0000ff"}
COLOURS = {"nancy": "red", "strasbourg": "green", "reims": "blue"}
# The 09:30 reports (programme indexes of tests/events/grand-est-2020.yaml)
REPORTS = {"nancy": (1, "Classes virtuelles en lycée professionnel"), "strasbourg": (6, "Badges numériques en collège"),
           "reims": (10, "Podcasts d'élèves en SEGPA")}


def session_of(hub, site: str) -> int | None:
    track = hub.runtime.events[EVENT].replica.state.stage.tracks.get(site)
    return track.session if track else None


async def test_three_sites_run_their_0930_reports_side_by_side(recording_hub):
    hub = recording_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    state = hub.runtime.events[EVENT].replica.state
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        coords = {s: await open_page(browser, f"{base}/site/{s}#token={hub.token(Role.COORDINATOR, s)}",
                                     init_script=canvas_camera(colour)) for s, colour in SITES.items()}
        screens = {s: await open_page(browser, f"{base}/screen/{s}#token={hub.token(Role.SCREEN, s)}",
                                      viewport={"width": 1920, "height": 1080}) for s in SITES}
        rooms = {s: await open_page(browser, f"{base}/join/{s}?code={hub.code(s)}") for s in SITES}
        follower = await open_page(browser, base)  # remote, no site
        for page in [mod, *coords.values(), *screens.values()]:
            await wait_online(page)
        for page in rooms.values():
            await page.get_by_role("button", name="Plus tard").click()
            await wait_online(page)
        await follower.get_by_label("À distance (en ligne)").check()
        await follower.get_by_role("button", name="Rejoindre").click()
        await wait_online(follower)
        for page in coords.values():
            await go_live(page)

        # 09:00 — the multisite opening is a plenary: declared once, every site follows it
        await show_pane(mod, "Séance")
        await mod.select_option("#current-session", label="09:00 — Ouverture multisite (Nancy)")
        await mod.get_by_role("button", name="Déclarer en cours").click()
        await until(lambda: {session_of(hub, s) for s in SITES} == {0}, what="every site in the opening")
        for page in screens.values():
            await page.locator(".ticker .now", has_text="Ouverture multisite").wait_for()

        # 09:30 — each coordinator starts their own report: the programme's clock proposes it
        for site, page in coords.items():
            index, title = REPORTS[site]
            proposal = page.locator("#track .proposal", has_text=title)
            await proposal.wait_for()
            assert "commencer ?" in await proposal.inner_text()
            await proposal.get_by_role("button", name="Commencer").click()
            await page.locator("#track .track-now", has_text=title).wait_for()
        await until(lambda: {s: session_of(hub, s) for s in SITES} == {s: REPORTS[s][0] for s in SITES},
                    what="three reports side by side")
        for site, page in screens.items():  # each room's screen says its own session
            await page.locator(".ticker .now", has_text=REPORTS[site][1]).wait_for()
        await take_on_air(mod, "Nancy")

        # questions from each room land in that site's session, whatever is on air
        for site, page in rooms.items():
            await page.fill("#ask-text", f"Une question depuis la salle de {site} ?")
            await page.get_by_role("button", name="Envoyer la question").click()
            await page.locator("#qna .form-status", has_text="après modération").wait_for()
        await until(lambda: len(state.qna.questions) == 3, what="three questions")
        for q in state.qna.questions.values():
            site = q.text.split()[-2]
            assert (q.site, q.session) == (site, REPORTS[site][0]), q

        # each coordinator publishes their room's question and puts it on their own screens
        for site, page in coords.items():
            text = f"Une question depuis la salle de {site} ?"
            item = page.locator("#pending-questions li", has_text=text)
            await item.get_by_role("button", name="Publier").click()
            listed = page.locator("#site-questions-list li", has_text=text)
            await listed.get_by_role("button", name="Sur nos écrans").click()
        for site, page in screens.items():
            await page.locator(".screen-highlight .highlight-text", has_text=f"salle de {site} ?").wait_for()
        assert await screens["nancy"].locator(".screen-highlight", has_text="salle de reims").count() == 0
        await show_pane(mod, "Sites")
        await mod.locator("#tracks-board").wait_for()
        assert await mod.locator("#tracks-board .track-card").count() == 7

        # a remote viewer follows Reims, sees Reims' session, asks there
        await follower.select_option("#follow-track", "reims")
        await wait_js(follower, "window.__mx.welcome && window.__mx.welcome.follow === 'reims' && !!window.__mx.state")
        await follower.locator("#following", has_text="Reims").wait_for()
        await follower.locator("#player .now-next .now", has_text=REPORTS["reims"][1]).wait_for()
        await follower.fill("#ask-text", "Question à distance pour Reims")
        await follower.get_by_role("button", name="Envoyer la question").click()
        await coords["reims"].locator("#pending-questions li", has_text="Question à distance pour Reims").wait_for()
        asked = next(q for q in state.qna.questions.values() if q.text == "Question à distance pour Reims")
        assert (asked.site, asked.origin, asked.session) == ("reims", "remote", REPORTS["reims"][0])
        assert await coords["nancy"].locator("#pending-questions li", has_text="pour Reims").count() == 0

        # a room poll in Strasbourg: seen in Strasbourg's room and by Strasbourg's followers only
        stras = coords["strasbourg"]
        await stras.fill("#poll-question", "Badges : les élèves en veulent-ils ?")
        await stras.fill("#poll-options", "Oui\nNon")
        await stras.get_by_role("button", name="Créer le sondage").click()
        card = stras.locator("#room-polls article", has_text="Badges : les élèves")
        await card.get_by_role("button", name="Ouvrir").click()
        await rooms["strasbourg"].locator("#poll legend", has_text="Badges : les élèves").wait_for()
        await wait_js(rooms["nancy"], "Object.values(window.__mx.state.polls).length === 0")
        assert await rooms["nancy"].locator("#poll legend", has_text="Badges").count() == 0
        assert await follower.evaluate("Object.keys(window.__mx.state.polls).length") == 0  # Reims' follower
        await rooms["strasbourg"].locator("#poll label", has_text="Oui").click()
        await rooms["strasbourg"].locator("#poll button[type=submit]").click()
        await wait_js(rooms["strasbourg"], "Object.keys(window.__mx.me.ballots || {}).length === 1")
        await follower.select_option("#follow-track", "strasbourg")
        await follower.locator("#poll legend", has_text="Badges : les élèves").wait_for()
        # the room's hands, for the people without a phone: kept apart from the ballots
        hands = card.locator("form.hands")
        await hands.get_by_label("Oui").fill("18")
        await hands.get_by_label("Non").fill("4")
        await hands.get_by_role("button", name="Enregistrer les mains levées").click()
        poll = next(iter(state.polls.polls.values()))
        await until(lambda: poll.hands == {"strasbourg": [18, 4]}, what="hands recorded")
        assert len(poll.ballots) == 1
        # the speaker's timer on Nancy's screens: pecha kucha, slide by slide
        await coords["nancy"].get_by_role("button", name="Pecha kucha (20 × 20 s)").click()
        await screens["nancy"].locator(".timer-big .timer-detail", has_text="Diapositive 1 / 20").wait_for()
        assert await screens["reims"].locator(".timer-big").is_hidden()

        await screenshots(mod, "morning-regie-tracks")
        await mod.locator("#tracks").screenshot(path=str(_shot("morning-regie-tracks-board")))
        await screenshots(coords["strasbourg"], "morning-site-page")
        await coords["strasbourg"].screenshot(path=str(_shot("morning-site-page-top")))  # what it sees first
        await screens["nancy"].screenshot(path=str(_shot("morning-site-screen")))
        for page in (mod, coords["strasbourg"], follower):
            assert await serious_accessibility_violations(page) == []

        # 09:45 — each report ends: each site's camera was recorded as its own session
        for page in coords.values():
            await page.get_by_role("button", name="Terminer la séance").click()
        media = hub.runtime.events[EVENT].media
        await until(lambda: {p.parent.name for p in media.track_files} >= set(SITES), timeout=90,
                    what="each site's recording closed")
        await show_pane(mod, "Séance")
        for _, title in REPORTS.values():
            await mod.locator("#replay-list li", has_text=title).get_by_role(
                "button", name="Publier le replay").click()
        await until(lambda: set(state.publishing.replays) >= {i for i, _ in REPORTS.values()}, what="published")
        replay = await open_page(browser, f"{base}/replay")
        for site, (index, _) in REPORTS.items():
            section = replay.locator(f"section.replay[data-session='{index}']")
            await section.locator(".replay-where", has_text={"nancy": "Nancy", "strasbourg": "Strasbourg",
                                                               "reims": "Reims"}[site]).wait_for()
            video = f"section.replay[data-session='{index}'] video.replay-video"
            await wait_js(replay, f"document.querySelector(\"{video}\").readyState >= 2", timeout=30)
            await replay.evaluate(f"""new Promise((done) => {{ const v = document.querySelector("{video}");
                v.addEventListener('seeked', done, {{ once: true }}); v.currentTime = 0.5; }})""")
            assert await replay.evaluate(f"({COLOUR})(\"{video}\")") == COLOURS[site], site
        assert await serious_accessibility_violations(replay) == []
        await screenshots(replay, "morning-replays")


async def test_people_are_checked_in_at_the_door_counted_and_reported(recording_hub):
    hub = recording_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    ev = hub.runtime.events[EVENT]
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                viewport={"width": 390, "height": 844})  # the coordinator's phone
        for page in (mod, nancy):
            await wait_online(page)
        # the invited list, from the régie: a bad file first (nothing imported), then a good one
        bad = "nom;site;catégorie\nAda Lovelace;nancy;Enseignant·e\n;nancy;\nBob;lyon;\n".encode()
        await show_pane(mod, "Avant/après")
        await mod.set_input_files("#invitees-file", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": bad}])
        await mod.get_by_role("button", name="Importer la liste").click()
        await mod.locator("#invitees-report li", has_text="Ligne 3, colonne name").wait_for()
        await mod.locator("#invitees-report li", has_text="Ligne 4, colonne site").wait_for()
        assert ev.replica.state.rooms.people == {}
        good = ("nom;site;catégorie\nAda Lovelace;nancy;Enseignant·e\nMarie Curie;Nancy;\n"
                "Émile Zola;reims;parent\n").encode()
        await mod.set_input_files("#invitees-file", files=[{"name": "b.csv", "mimeType": "text/csv", "buffer": good}])
        await mod.get_by_role("button", name="Importer la liste").click()
        await mod.locator("#invitees-report", has_text="3 personnes importées").wait_for()

        # by name, from the coordinator's phone
        await nancy.fill("#checkin-search", "ada")
        person = nancy.locator("#checkin-list li", has_text="Ada Lovelace")
        await person.get_by_role("button", name="Enregistrer l'arrivée").click()
        await nancy.locator("#checkin-list li[data-state=in]", has_text="Ada Lovelace").wait_for()
        assert await nancy.locator("#checkin-list li", has_text="Émile Zola").count() == 0  # Reims' guest
        # by the badge's QR code: it holds the check-in link, which this phone's camera opens
        marie = next(p for p in ev.replica.state.rooms.people.values() if p.name == "Marie Curie")
        badge = await nancy.evaluate(f"""fetch('/api/events/{EVENT}/badges/{marie.id}.svg',
            {{ headers: {{ Authorization: 'Bearer {hub.token(Role.COORDINATOR, "nancy")}' }} }}).then(r => r.text())""")
        link = f"{hub.settings.effective_public_url}/e/{EVENT}/checkin/{marie.id}"
        expected = io.BytesIO()
        segno.make(link, error="m").save(expected, kind="svg", scale=8, border=2)
        assert badge == expected.getvalue().decode()  # the QR code says exactly that link
        door = await nancy.context.new_page()  # what the camera app opens, in the same phone
        await door.goto(f"{base}/checkin/{marie.id}")
        await door.locator("#checkin-result[data-result=ok]", has_text="Marie Curie").wait_for()
        await door.goto(f"{base}/checkin/{marie.id}")  # scanned twice: said, not counted twice
        await door.locator("#checkin-result[data-result=already]").wait_for()
        stranger = await open_page(browser, f"{base}/checkin/{marie.id}")  # a phone that is not the coordinator's
        await stranger.locator("#checkin-result[data-result=no]", has_text="n'enregistre pas").wait_for()
        # a walk-in, then the head count, corrected during the day
        await nancy.fill("#walkin-name", "Sans Badge")
        await nancy.get_by_role("button", name="Ajouter et enregistrer").click()
        for count in ("40", "42"):
            await nancy.fill("#headcount", count)
            await nancy.get_by_role("button", name="Enregistrer", exact=True).click()
            await nancy.locator("#headcount-form .form-status", has_text=f"{count} personnes").wait_for()
        await nancy.locator("#room-nancy [data-figure=headcount]", has_text="42").wait_for()
        await nancy.fill("#headcount", "-3")
        await nancy.get_by_role("button", name="Enregistrer", exact=True).click()
        await nancy.locator("#headcount-form .form-status", has_text="0 ou plus").wait_for()
        assert [h.count for h in ev.replica.state.rooms.headcounts["nancy"]] == [40, 42]  # nothing written
        assert await serious_accessibility_violations(nancy) == []
        await screenshots(nancy, "morning-door")
        await nancy.get_by_role("link", name="À l'entrée").click()  # the phone jumps to the door
        await nancy.locator("#door").screenshot(path=str(_shot("morning-door-section")))

        # the report: people in the room apart from devices and stream viewers, recounted from the raw log
        records = await ev.replica.log.read(EVENT, 0, 10_000)
        entries = [msgspec.json.decode(data, type=Entry) for _, data in records]
        checked, heads, walk_ins = set(), [], 0
        for e in entries:
            if isinstance(e.cmd, c.CheckIn):
                checked.add(e.cmd.invitee)
            elif isinstance(e.cmd, c.WalkIn):
                walk_ins += 1
            elif isinstance(e.cmd, c.RecordHeadcount):
                heads.append(e.cmd.count)
        report = await nancy.evaluate(f"""fetch('/api/events/{EVENT}/report',
            {{ headers: {{ Authorization: 'Bearer {hub.token(Role.MODERATOR)}' }} }}).then(r => r.json())""")
        row = report["people"]["by_site"]["nancy"]
        assert row["checked_in"] == len(checked) + walk_ins == 3
        assert (row["headcount_last"], row["headcount_peak"]) == (heads[-1], max(heads)) == (42, 42)
        assert row["in_room"] == 42 and row["expected"] == 3 and row["walk_ins"] == 1
        assert report["people"]["by_site"]["reims"]["checked_in"] == 0
        page = await open_page(browser, f"{base}/report#token={hub.token(Role.MODERATOR)}")
        await page.locator("#table-people tr", has_text="Nancy").filter(has_text="3 / 3").wait_for()


def _shot(name: str):
    from .browser import SHOTS
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"
