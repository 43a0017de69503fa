"""Driving Debian's Chromium with Playwright for Python (no browser download),
plus the accessibility check (axe-core from npm) and screenshots."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
# Offline, loopback only: no background traffic to hosts this machine cannot reach.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-features=Translate,MediaRouter,WebRtcHideLocalIpsWithMdns", "--disable-renderer-backgrounding",
        # WebRTC on loopback, cameras without a prompt, video that plays by itself
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def require_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium")
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` runs npm ci")


def _parent_of(pid: str) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state; comm may hold spaces


def our_browsers() -> list[Path]:
    """The Chromium processes this test process started (through Playwright's driver):
    descendants of ours only, never another test's or anybody else's browser."""
    parents = {pid: _parent_of(pid) for pid in (e.name for e in Path("/proc").iterdir()) if pid.isdigit()}
    ours, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {int(pid) for pid, parent in parents.items() if parent in frontier} - ours
        ours |= frontier
    found = []
    for pid in ours:
        try:
            if (Path(f"/proc/{pid}/comm")).read_text().strip() in ("chromium", "chrome"):
                found.append(Path(f"/proc/{pid}"))
        except OSError:
            pass  # it just ended
    return found


async def keep_browsers_niced(stop: asyncio.Event) -> None:
    """Keep the Chromium processes this test started at a lower CPU priority than the hub.

    The browsers stand for people on other machines; on this 2-core machine, at
    equal priority, pages that encode and decode video starve the hub's process
    for 100-250 ms at a time (measured: its thread got 2-8 ms of CPU in such gaps),
    which no event's hub lives through. `nice` at launch does not stick (Chromium
    spawns its renderers at priority 0 again, and raises some threads itself) and
    nice is per thread, so every thread of our browsers is kept at 10 while they run."""
    while not stop.is_set():
        for entry in our_browsers():
            try:
                for task in (entry / "task").iterdir():  # nice is per thread on Linux
                    tid = int(task.name)
                    if os.getpriority(os.PRIO_PROCESS, tid) != 10:  # Chromium raises some itself
                        os.setpriority(os.PRIO_PROCESS, tid, 10)
            except OSError:
                pass  # the process or thread just ended
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except TimeoutError:
            pass


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator:
    from playwright.async_api import async_playwright
    require_browser()
    stop = asyncio.Event()
    renicer = asyncio.create_task(keep_browsers_niced(stop))
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # The hub runs on this thread's event loop: favour it (set after the launch,
            # so the browser does not inherit it).
            hub_thread = threading.get_native_id()
            try:
                os.setpriority(os.PRIO_PROCESS, hub_thread, -5)
                favoured = True
            except PermissionError:  # not root: the browsers are still niced to 10 below us
                favoured = False
            try:
                yield browser
            finally:
                if favoured:
                    os.setpriority(os.PRIO_PROCESS, hub_thread, 0)
                await browser.close()
    finally:
        stop.set()
        await renicer


async def open_page(browser, url: str, *, viewport=DESKTOP, errors: list | None = None, init_script: str = ""):
    """A page in its own context (its own localStorage: its own participant id)."""
    context = await browser.new_context(viewport=viewport, locale="fr-FR")
    if init_script:
        await context.add_init_script(init_script)
    page = await context.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
        # Console errors include every Content-Security-Policy refusal.
        page.on("console", lambda msg: errors.append(f"{url}: console: {msg.text}") if msg.type == "error" else None)
        # the console does not say which resource failed: this does
        page.on("response", lambda r: errors.append(f"{url}: response: {r.request.method} {r.url} {r.status}")
                if r.status >= 400 else None)
    await page.goto(url)
    return page


async def wait_js(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JS expression is true. Polled from here through the devtools protocol:
    Playwright's in-page polling needs eval, which the pages' CSP rightly refuses."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.evaluate(expression):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"still false after {timeout}s: {expression}")
        await asyncio.sleep(0.05)


async def wait_online(page) -> None:
    await wait_js(page, "!!(window.__mx && window.__mx.status === 'online' && window.__mx.state !== null)")


async def serious_accessibility_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now."""
    # Evaluated through the devtools protocol, so the page's CSP does not block it.
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found = await page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


async def screenshots(page, name: str) -> None:
    """Save the page at desktop and phone sizes (full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        await page.evaluate("window.scrollTo(0, 0)")  # sticky headers stay at the top of the picture
        await page.wait_for_timeout(150)
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(original)


async def mirror(page) -> dict:
    return json.loads(await page.evaluate("JSON.stringify(window.__mx.state)"))


def keep_env() -> dict:
    return dict(os.environ)


async def take_on_air(page, site: str) -> None:
    """The régie puts a site on air as an operator does: the site's thumbnail into the
    preview, then « Prendre l'antenne »."""
    await page.get_by_role("group", name="Sites : choisir l'aperçu").get_by_role("button", name=site).click()
    await page.get_by_role("button", name="Prendre l'antenne").click()


async def show_pane(page, name: str) -> None:
    """Bring one of the régie's tabbed panes to the front, by its tab's name."""
    await page.get_by_role("tab", name=name).click()


async def set_lang(page, lang: str) -> None:
    """Choose the page's language as its user does: on a phone the language is under
    « Menu » (opened first, closed after); on a desk it is in the header."""
    if await page.locator("#lang").is_hidden() and await page.locator("#top-menu-button").is_visible():
        await page.locator("#top-menu-button").click()
        await page.select_option("#lang", lang)
        await page.keyboard.press("Escape")
    else:
        await page.select_option("#lang", lang)
