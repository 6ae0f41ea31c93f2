"""The intent keyword sets (``lexicon.yaml``), loaded once and shared."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.core.text import normalise, words


@dataclass(frozen=True)
class Lexicon:
    """Keyword sets by intent; phrases are token tuples so they can be matched in sequence."""

    intent_words: dict[str, frozenset[str]]
    intent_phrases: dict[str, tuple[tuple[str, ...], ...]]
    other_races: tuple[tuple[str, ...], ...]
    eras: dict[str, tuple[tuple[str, ...], ...]]
    stopwords: frozenset[str]
    ordinals: dict[str, int]
    language_words: dict[str, frozenset[str]]

    def vocabulary(self) -> set[str]:
        """Every word the lexicon knows, for spelling correction."""
        vocab: set[str] = set(self.stopwords) | set(self.ordinals)
        for ws in self.language_words.values():
            vocab |= ws
        for ws in self.intent_words.values():
            vocab |= ws
        for phrases in (*self.intent_phrases.values(), self.other_races, *self.eras.values()):
            for phrase in phrases:
                vocab.update(phrase)
        return vocab


def _phrases(items: list[Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(normalise(str(p)))) for p in items if words(normalise(str(p))))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = yaml.safe_load(resources.files("bot.core").joinpath("lexicon.yaml").read_text("utf-8"))
    intents = raw["intents"]
    # A multi-word entry under "words" is a phrase: "piu grande" must not make "piu" a keyword.
    single: dict[str, list[str]] = {}
    multi: dict[str, list[str]] = {}
    for name, spec in intents.items():
        entries = [str(w) for w in spec.get("words", [])]
        single[name] = [w for w in entries if len(words(normalise(w))) == 1]
        multi[name] = [w for w in entries if len(words(normalise(w))) > 1]
    return Lexicon(
        intent_words={name: frozenset(normalise(w) for w in single[name]) for name in intents},
        intent_phrases={
            name: _phrases(list(spec.get("phrases", [])) + multi[name])
            for name, spec in intents.items()
        },
        other_races=_phrases(raw["other_races"]),
        eras={name: _phrases(items) for name, items in raw["eras"].items()},
        stopwords=frozenset(w for s in raw["stopwords"] for w in words(normalise(str(s)))),
        ordinals={normalise(k): int(v) for k, v in raw["ordinals"].items()},
        language_words={
            lang: frozenset(normalise(str(w)) for w in items)
            for lang, items in raw["language"].items()
        },
    )


def language_of(tokens: list[str]) -> str | None:
    """``it`` or ``en`` when the words say which language a question is in; None if unsure."""
    marks = lexicon().language_words
    italian = sum(1 for t in tokens if t in marks["it"])
    english = sum(1 for t in tokens if t in marks["en"])
    if italian > english:
        return "it"
    if english > italian:
        return "en"
    return None
