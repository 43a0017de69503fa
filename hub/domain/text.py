"""Text rules shared by features: trimming, length limits, word normalisation."""
from __future__ import annotations

import unicodedata

from .errors import DomainError

# What `clean` removes, and only that: text comes back as it was typed. Kept on
# purpose: tabs and newlines, ZWJ/ZWNJ (emoji sequences, Persian, Indic scripts),
# variation selectors and tag characters (emoji presentation, subdivision flags),
# LRM/RLM marks, private-use and unassigned code points (emoji newer than this
# Python's Unicode tables must not vanish).
_KEPT_CONTROLS = frozenset("\n\t")
# Bidi embeddings, overrides and isolates can make the rest of a page read in
# another order ("Trojan Source"); the interlinear annotation marks and the BOM
# hide text. None of them is needed to write any language in a one-line answer.
_DROPPED_FORMAT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb")


def _kept(ch: str) -> bool:
    if ch in _KEPT_CONTROLS:
        return True
    category = unicodedata.category(ch)
    # Cc: C0/C1 controls (NUL, ESC, CR…); Cs: lone surrogates, which no encoder accepts.
    return category not in ("Cc", "Cs") and ch not in _DROPPED_FORMAT


def clean(text: str) -> str:
    """Trim, and drop control characters, lone surrogates and bidi overrides."""
    return "".join(ch for ch in text if _kept(ch)).strip()


def checked(text: str, *, limit: int, code: str, what: str, required: bool = True) -> str:
    value = clean(text)
    if required and not value:
        raise DomainError(f"{code}.empty", f"{what} is empty")
    if len(value) > limit:
        raise DomainError(f"{code}.too_long", f"{what} is longer than {limit} characters",
                          limit=limit, length=len(value))
    return value


def normalise_word(word: str) -> str:
    """Word-cloud key: case and accents folded, inner spaces collapsed ("Élève " -> "eleve")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())
