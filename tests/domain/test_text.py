"""Text that users type comes back as they typed it: only dangerous or abusive
invisible characters are removed (docs/protocol.md, "Text")."""
import pytest

from hub.domain.text import clean


@pytest.mark.parametrize("typed", [
    "👩\u200d👩\u200d👧\u200d👦 en famille",          # ZWJ sequence
    "Quel avenir 🫎🪿🩷 ?",                            # emoji newer than older Unicode tables
    "\U000f0001 privé, \U0010fff0 et \U000e0fff",     # private use and unassigned code points
    "col1\tcol2",                                      # tab inside the text
    "می\u200cخواهم",                                   # ZWNJ, as Persian needs it
    "❤\ufe0f et ☺\ufe0e",                              # variation selectors
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # tag sequence (Scotland's flag)
    "ligne 1\nligne 2",
    "שלום\u200f!",                                     # RLM mark
])
def test_typed_text_comes_back_unchanged(typed):
    assert clean(typed) == typed


@pytest.mark.parametrize("typed, shown", [
    ("a\x00b\x1bc\x7fd\x85e", "abcde"),                 # C0 and C1 controls
    ("avant\r\napres", "avant\napres"),
    ("\u202eevil\u202c ok \u2066x\u2069", "evil ok x"),  # bidi overrides and isolates
    ("\ufeffBOM", "BOM"),
    ("lone \ud800 surrogate", "lone  surrogate"),
    ("  \t padded \n ", "padded"),
])
def test_controls_bidi_overrides_and_surrogates_are_dropped(typed, shown):
    assert clean(typed) == shown
