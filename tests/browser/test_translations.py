"""Every word a page shows comes from the catalogs (or is the event's or people's
own text): in English, no French is left behind, and nothing is hard-coded."""
from __future__ import annotations

import json
import re
from pathlib import Path

from hub.domain.actors import Role
from hub.event_files import load_event_file

from ..hubserver import EVENTS_DIR
from .browser import chromium, open_page, set_lang, wait_js, wait_online

WEB = Path(__file__).resolve().parents[2] / "web"
EVENT = "grand-est-2020"
# Not words: numbers, times, dates, codes, symbols, emoji, separators.
NOT_WORDS = re.compile(r"^[\W\d_]*$|^\d{1,2}:\d{2}(–\d{1,2}:\d{2})?$|^\d{4}-\d{2}-\d{2}.*$|^[A-Z0-9]{6}$"
                       r"|^\w$|^\d–\d$")  # …and keyboard keys (the shortcuts' help)
BRAND = {"Multiplex", "Français", "English"}  # the product's name; each language named in itself


def templates(lang: str) -> list[re.Pattern[str]]:
    out = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            parts = re.split(r"\{\w+\}", node)
            out.append(re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$", re.S))
    walk(json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8")))
    return out


def event_words() -> set[str]:
    words: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            words.add(node)
    config = load_event_file(EVENTS_DIR / f"{EVENT}.yaml")
    walk(config.public_view())
    words |= {poll.question for poll in config.polls} | {o for poll in config.polls for o in poll.options}
    return words


TEXTS = """(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, option:not(:checked), [hidden]')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], img[alt]')) {
    for (const attr of ['aria-label', 'placeholder', 'alt']) {
      const value = el.getAttribute(attr);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  return out;
})()"""


def untranslated(texts: list[str], lang: str, data: set[str]) -> list[str]:
    """Texts that are neither the catalog's (placeholders filled with anything) nor
    data: the event's own words and what people typed are taken out first."""
    allowed = templates(lang)
    longest_first = sorted((d for d in data if len(d) > 1), key=len, reverse=True)
    bad = []
    for text in texts:
        if text in BRAND or NOT_WORDS.match(text) or any(t.match(text) for t in allowed):
            continue
        rest = text
        for d in longest_first:
            rest = rest.replace(d, "§")  # data: stands for a placeholder's value
        for piece in (p.strip(" :,.()") for p in re.split(r" · |\n", rest)):
            if piece and piece.strip("§ —:") and not NOT_WORDS.match(piece) and piece not in BRAND \
                    and not any(t.match(piece) for t in allowed):
                bad.append(text)
                break
    return sorted(set(bad))


async def test_every_word_shown_comes_from_the_catalog_of_the_language(web_hub):
    """English then French, on every page: a text from the other language, or one in
    no catalog at all, fails."""
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    people_text = {"How do we train teachers?", "A tablet per pupil"}
    # the event's words, what people typed, the fake media devices' names, the join address
    data = event_words() | people_text | {"Fake Default Audio Input", "fake_device_0", "Fake Default Video Input",
                                          f"127.0.0.1:{hub.settings.port}/e/{EVENT}"}
    live_pages = {
        "viewer": f"{base}/join/reims?code={hub.code('reims')}",
        "site": f"{base}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}",
        "moderate": f"{base}/moderate#token={hub.token(Role.MODERATOR)}",
        "screen": f"{base}/screen/reims#token={hub.token(Role.SCREEN, 'reims')}",
        "caption": f"{base}/caption#token={hub.token(Role.CAPTIONER)}",
    }
    static_pages = {"report": f"{base}/report#token={hub.token(Role.MODERATOR)}", "replay": f"{base}/replay"}
    ready = {"en": {"live": "Connected", "report": "Key figures", "replay": "No replay published yet."},
             "fr": {"live": "Connecté", "report": "Les chiffres clés", "replay": "Aucun replay publié"}}
    async with chromium() as browser:
        first = await open_page(browser, live_pages["viewer"])
        await wait_online(first)
        await first.fill("#ask-text", "How do we train teachers?")
        await first.get_by_role("button", name="Envoyer la question").click()
        await first.select_option("#proposal-theme", index=0)
        await first.fill("#proposal-title", "A tablet per pupil")
        await first.get_by_role("button", name="Envoyer la proposition").click()
        opened = {"viewer": first}
        for name, url in {**live_pages, **static_pages}.items():
            if name not in opened:
                opened[name] = await open_page(browser, url)
            if name in live_pages:
                await wait_online(opened[name])
        found: dict[str, list[str]] = {}
        for lang in ("en", "fr"):
            for name, page in opened.items():
                if name == "screen":  # a projector has no language menu: its link says the language
                    await page.goto(f"{base}/screen/reims?lang={lang}")  # the token stays in this tab
                    await wait_online(page)
                else:
                    await set_lang(page, lang)
                if name == "screen":
                    pass
                elif name in live_pages:
                    await page.locator("#connection", has_text=ready[lang]["live"]).wait_for()
                else:
                    await page.locator("#main", has_text=ready[lang][name]).wait_for()
                await wait_js(page, f"document.documentElement.lang === '{lang}'")
                bad = untranslated(await page.evaluate(TEXTS), lang, data)
                if bad:
                    found[f"{name} ({lang})"] = bad
        assert found == {}
