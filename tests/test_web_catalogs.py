"""Every string the pages use is in both catalogs, and the catalogs match."""
import json
import re
from pathlib import Path

from hub.domain.commands import CLIENT_COMMAND_TYPES
from hub.domain.event import SessionKind
from hub.http.programme import KIND_LABELS

WEB = Path(__file__).resolve().parents[1] / "web"
NAMESPACES = ("common", "connection", "announce", "index", "join", "viewer", "site", "moderate", "screen", "qna",
              "polls", "feed", "reactions", "stage", "counters", "errors", "programme",
              "proposals", "category", "report", "synthesis", "replay", "shortcuts", "captions")
KEY = re.compile(r"['\"]((?:{})\.[a-z_.]+[a-z_])['\"]".format("|".join(NAMESPACES)))


PLURAL_FORMS = {"zero", "one", "two", "few", "many", "other"}


def flatten(tree, prefix=""):
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "other" in value and set(value) <= PLURAL_FORMS:
            yield path  # a plural: one key, its forms chosen by Intl.PluralRules
        elif isinstance(value, dict):
            yield from flatten(value, path + ".")
        else:
            yield path


def catalog(lang):
    return set(flatten(json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))))


def test_french_and_english_have_the_same_keys():
    assert catalog("fr") ^ catalog("en") == set()


def test_every_key_used_in_the_pages_exists():
    used = set()
    for path in list(WEB.rglob("*.js")) + list(WEB.rglob("*.html")):
        used |= set(KEY.findall(path.read_text(encoding="utf-8")))
    commands = {t.__struct_config__.tag for t in CLIENT_COMMAND_TYPES}
    codes = {"connection.closed"}  # an error code the client makes up (looked up as errors.connection.closed)
    missing = used - commands - codes - catalog("fr")
    assert not missing, f"keys used but not in the catalogs: {sorted(missing)}"
    assert len(used) > 100  # the extraction itself works


def test_templated_keys_exist_for_every_value():
    fr = catalog("fr")
    for family, values in {
        "connection": ["connecting", "online", "offline", "failed"],
        "qna.state": ["highlighted", "pending", "visible", "answered", "dismissed", "merged"],
        "polls.kind": ["single", "multiple", "rating", "wordcloud", "text"],
        "polls.state": ["draft", "open", "closed"],
        "feed.kind": ["live", "experience_report", "proposal", "photo", "quote"],
        "feed.state": ["pending", "published", "rejected"],
        "counters": ["now", "peak", "questions", "votes", "reactions"],
        "media.sending": ["stopped", "connecting", "reconnecting", "waiting", "live", "unknown"],
        "programme.kind": [k.value for k in SessionKind],
        "category": ["non_renseigne", "none"],
    }.items():
        for value in values:
            assert f"{family}.{value}" in fr
    assert {"qna.sort_votes", "qna.sort_time", "polls.view_all", "polls.view_sites"} <= fr


def test_no_page_script_uses_innerhtml():
    for path in WEB.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "innerHTML" not in text.replace("never innerHTML", "") and "insertAdjacentHTML" not in text, path


def test_the_calendar_names_session_kinds_as_the_pages_do():
    for lang in ("fr", "en"):
        kinds = json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))["programme"]["kind"]
        assert kinds == KIND_LABELS[lang]
