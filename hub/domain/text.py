"""Text rules shared by features: trimming, length limits, word normalisation."""
from __future__ import annotations

import unicodedata

from .errors import DomainError


def clean(text: str) -> str:
    """Trim and drop control characters (keeping newlines)."""
    kept = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


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
