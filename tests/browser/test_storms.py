"""Pages hold during storms: an update redraws only the sections whose keys changed,
and what changes often (reaction counts, vote counts) changes in place. So taps
during a reaction storm all reach the hub, an open select keeps its place and its
value through a vote storm, and focus and scroll stay where the user left them."""
from __future__ import annotations

import asyncio
import contextlib

import msgspec

from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.state import Entry

from .browser import chromium, open_page, show_pane, wait_js, wait_online

EVENT = "storm-2026"
TAP_MS = 120  # a finger's tap lasts about a tenth of a second: longer than a tally tick here


@contextlib.asynccontextmanager
async def storm(hub, make, per_second: int = 2000, people: int = 2000):
    """Commands from many people, sent straight to the service as fast as asked (the
    hub's own path from the log on: apply, fan-out, ticks), until the block ends."""
    service = hub.runtime.events[EVENT].service
    sent = {"n": 0}

    async def run() -> None:
        i = 0
        while True:
            batch = [service.submit(Actor(role=Role.VIEWER, pid=f"storm-{(i + k) % people:05d}"), make(i + k))
                     for k in range(per_second // 10)]
            i += len(batch)
            results = await asyncio.gather(*batch, return_exceptions=True)
            sent["n"] += sum(not isinstance(r, Exception) for r in results)
            await asyncio.sleep(0.1)
    task = asyncio.create_task(run())
    try:
        await asyncio.sleep(0)
        yield sent
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def entries_from(hub, pid: str, kind: type) -> int:
    records = await hub.runtime.log.read(EVENT, 0, 1_000_000)
    entries = (msgspec.json.decode(data, type=Entry) for _, data in records)
    return sum(1 for e in entries if e.actor.pid == pid and isinstance(e.cmd, kind))


async def test_twenty_taps_during_a_reaction_storm_all_reach_the_hub(web_hub):
    hub = web_hub
    async with chromium() as browser:
        page = await open_page(browser, f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}/join/nancy?code="
                               f"{hub.code('nancy', EVENT)}")
        await page.get_by_role("button", name="Plus tard").click()
        await wait_online(page)
        pid = await page.evaluate("window.__mx.pid")
        button = page.locator("#reactions .reaction", has_text="👏")
        async with storm(hub, lambda i: c.React(emoji="💡")) as sent:
            await wait_js(page, "Number([...document.querySelectorAll('#reactions .reaction')].find((b) => "
                                "b.textContent.includes('💡')).querySelector('.reaction-count').textContent) > 200",
                          timeout=60)
            marker = await button.evaluate("b => (b.__tapped = 'same button', b.__tapped)")
            for _ in range(20):
                await button.click(delay=TAP_MS)
            assert await button.evaluate("b => b.__tapped") == marker  # never rebuilt under the finger
        for _ in range(600):  # the taps' commands are answered (condition, bounded)
            if await entries_from(hub, pid, c.React) == 20:
                break
            await asyncio.sleep(0.1)
        assert await entries_from(hub, pid, c.React) == 20
        print(f"storm: {sent['n']} reactions accepted while tapping")


async def test_an_open_select_and_focus_and_scroll_hold_through_a_vote_storm(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with hub.moderator(event=EVENT) as mod_client, hub.viewer(event=EVENT) as asker:
        poll = (await mod_client.command({"type": "poll.create", "question": "Tempête ?", "kind": "single",
                                          "options": ["oui", "non"]}))["result"]["poll"]
        await mod_client.command({"type": "poll.open", "poll": poll})
        questions = [(await asker.command({"type": "question.ask", "text": f"Question numéro {i} de la tempête ?"})
                      )["result"]["question"] for i in range(12)]  # enough that the queue scrolls
    async with chromium() as browser:
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR, event=EVENT)}",
                              viewport={"width": 1366, "height": 700})
        await wait_online(mod)
        await mod.locator("#queue-visible .question").nth(11).wait_for()
        await show_pane(mod, "Séance")
        record = mod.locator("#record-session")
        await record.select_option("1")  # chosen, not yet recorded: the operator is about to press the button
        await record.evaluate("el => { el.__mark = 'kept'; }")
        await record.focus()
        # every pane that scrolls inside itself at desk widths, scrolled half-way down
        scrolled = await mod.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#main .pane')]
            .filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)
                            && el.scrollHeight > el.clientHeight + 20)
            .map((el, i) => { el.id = el.id || `pane-${i}`; el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
                              return [el.id, el.scrollTop]; }))""")
        assert len(scrolled) >= 2 and all(top > 0 for top in scrolled.values()), scrolled
        async with storm(hub, lambda i: c.Vote(poll=poll, choices=[i % 2])):
            await wait_js(mod, f"(window.__mx.state.tallies['{poll}'] || {{}}).ballots > 500", timeout=60)
            await wait_js(mod, f"(window.__mx.state.tallies['{poll}'] || {{}}).ballots > 1500", timeout=60)
        assert await record.evaluate("el => el.__mark") == "kept"  # the same element: a list open on it stays open
        assert await record.input_value() == "1"
        assert await mod.evaluate("document.activeElement && document.activeElement.id") == "record-session"
        assert await mod.evaluate("(ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id)"
                                  ".scrollTop]))", list(scrolled)) == scrolled
        # focus on a control in a list pane stays on it while its counts move
        answered = mod.locator("#queue-visible .question").first.get_by_role("button", name="Répondue")
        await answered.focus()
        await answered.evaluate("el => { el.__mark = 'kept'; }")
        async with storm(hub, lambda i: c.UpvoteQuestion(question=questions[i % 12]), people=1000):
            await wait_js(mod, "Object.values(window.__mx.state.questions).reduce((n, q) => n + q.votes, 0) > 500",
                          timeout=60)
        assert await mod.evaluate("document.activeElement && document.activeElement.__mark") == "kept"
