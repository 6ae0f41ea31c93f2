"""Text normalisation shared by the index and the question, so both sides compare alike."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_PUNCT = re.compile(r"[^\w\s'-]")


def fold(text: str) -> str:
    """Casefold, strip accents, unify quotes and dashes, collapse white space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_QUOTES).casefold()).strip()


def normalise(text: str) -> str:
    """``fold`` plus punctuation turned into spaces: the form used for matching."""
    folded = fold(text)
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).strip()


def words(text: str) -> list[str]:
    """The words of an already normalised text (apostrophe contractions kept whole)."""
    return _WORD.findall(text)


MAX_ECHO = 64
"""Characters of a user's own words quoted back in a reply ("I don't know the event ..."):
enough to recognise them, and a 4,000-character argument can never push a reply over
Telegram's 4096."""


def echoed(words: str, limit: int = MAX_ECHO) -> str:
    """A user's words as quoted back: one line, at most ``limit`` characters."""
    flat = " ".join(words.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
