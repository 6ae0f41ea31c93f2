"""The intent keyword sets (``lexicon.yaml``), loaded once and shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.core.text import normalise, words

# Words of event names that are stop words in questions but tell two phrasings apart.
NAME_WORDS = frozenset({"mille", "miglia", "1000", "millas", "festa", "california"})


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
    # Words that frame a question without asking anything: never need explaining.
    filler: frozenset[str] = frozenset()
    # word -> the numbers of the synonym groups it belongs to (a word may sit in several).
    synonyms: dict[str, frozenset[int]] = field(default_factory=dict)
    # Operations over the records (first, except, solo, ...) and small talk, as phrases.
    operations: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    smalltalk: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # Words that ask for a kind of value (a year, a number): word -> "when" or "number".
    answer_types: dict[str, str] = field(default_factory=dict)
    months: dict[str, int] = field(default_factory=dict)
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    make_aliases: dict[str, str] = field(default_factory=dict)
    makes: tuple[str, ...] = ()
    # Phrases that say nothing although their words would ("in the first place"): unread.
    idioms: tuple[tuple[str, ...], ...] = ()

    def without_idioms(self, tokens: list[str]) -> list[str]:
        """The tokens with every idiom's words blanked: positions stay, meaning goes.

        "Why did Brescia want a race in the first place?" asks nothing about a first edition,
        and nothing about a place.
        """
        out = list(tokens)
        for i in range(len(out)):
            for idiom in self.idioms:
                if tuple(out[i : i + len(idiom)]) == idiom:
                    out[i : i + len(idiom)] = [""] * len(idiom)
        return out

    @cached_property
    def phrase_index(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Every phrase -> what it marks ("intent:winner", "op:first", "era:speed", ...).

        Built once, so reading a question looks up its few word sequences instead of testing
        every phrase of the lexicon against it.
        """
        index: dict[tuple[str, ...], list[str]] = {}
        groups = [
            *((f"intent:{k}", v) for k, v in self.intent_phrases.items()),
            *((f"era:{k}", v) for k, v in self.eras.items()),
            *((f"op:{k}", v) for k, v in self.operations.items()),
            ("other_race", self.other_races),
        ]
        for key, phrases in groups:
            for phrase in phrases:
                index.setdefault(phrase, []).append(key)
        return {phrase: tuple(keys) for phrase, keys in index.items()}

    @cached_property
    def longest_phrase(self) -> int:
        return max((len(p) for p in self.phrase_index), default=1)

    def phrase_spans(self, tokens: list[str]) -> dict[str, tuple[set[int], set[int]]]:
        """For each mark, the positions its phrases cover: (all of them, those of 2+ words)."""
        found: dict[str, tuple[set[int], set[int]]] = {}
        index = self.phrase_index
        for i in range(len(tokens)):
            for n in range(1, min(self.longest_phrase, len(tokens) - i) + 1):
                keys = index.get(tuple(tokens[i : i + n]))
                if not keys:
                    continue
                for key in keys:
                    every, longer = found.setdefault(key, (set(), set()))
                    every.update(range(i, i + n))
                    if n > 1:
                        longer.update(range(i, i + n))
        return found

    @cached_property
    def key_skip(self) -> frozenset[str]:
        """Words that carry no meaning in a fact's phrasing: stop words and filler, but not
        names or era words ("today" is not "in 1955", "the revival" not "the mille miglia")."""
        eras = {p[0] for phrases in self.eras.values() for p in phrases if len(p) == 1}
        # An operation's word is meaning too: "who won solo?" is not "who won the most?".
        ops = {p[0] for phrases in self.operations.values() for p in phrases if len(p) == 1}
        return frozenset((self.stopwords | self.filler) - NAME_WORDS - eras - ops)

    def role(self, name: str) -> frozenset[str]:
        """A named word set of ``roles:`` in lexicon.yaml (KeyError for a typo in code)."""
        return self.roles[name]

    def vocabulary(self) -> set[str]:
        """Every word the lexicon knows, for spelling correction."""
        vocab: set[str] = set(self.stopwords) | set(self.ordinals)
        for ws in self.language_words.values():
            vocab |= ws
        for ws in self.intent_words.values():
            vocab |= ws
        vocab |= self.filler | set(self.synonyms)
        for ws in self.roles.values():  # "cost" is a word of its own, not a typo of "coast"
            vocab |= ws
        groups = (*self.operations.values(), *self.smalltalk.values())
        for phrases in (
            *self.intent_phrases.values(),
            self.other_races,
            *self.eras.values(),
            *groups,
        ):
            for phrase in phrases:
                vocab.update(phrase)
        return vocab


def _phrases(items: list[Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(normalise(str(p)))) for p in items if words(normalise(str(p))))


class _WordLoader(yaml.SafeLoader):
    """YAML 1.1 reads on, off, yes and no as booleans; in a list of words they are words."""


_WordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@lru_cache(maxsize=1)
def lexicon_yaml() -> dict[str, Any]:
    """The lexicon file as data, every word a string ("on" stays "on", not True)."""
    text = resources.files("bot.core").joinpath("lexicon.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=_WordLoader)
    return data


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = lexicon_yaml()
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
        filler=frozenset(w for s in raw.get("filler", []) for w in words(normalise(str(s)))),
        synonyms=_synonyms(raw.get("synonyms", [])),
        operations={k: _phrases(v) for k, v in raw.get("operations", {}).items()},
        smalltalk={k: _phrases(v) for k, v in raw.get("smalltalk", {}).items()},
        months={normalise(str(k)): int(v) for k, v in raw.get("months", {}).items()},
        roles={
            name: frozenset(normalise(str(w)) for w in ws)
            for section in ("roles", "followup_roles")
            for name, ws in raw.get(section, {}).items()
        },
        make_aliases={normalise(str(k)): str(v) for k, v in raw.get("make_aliases", {}).items()},
        makes=tuple(str(m) for m in raw.get("makes", [])),
        idioms=_phrases(raw.get("idioms", [])),
        answer_types={
            normalise(str(w)): kind for kind, ws in raw.get("answer_types", {}).items() for w in ws
        },
    )


def _synonyms(groups: list[list[Any]]) -> dict[str, frozenset[int]]:
    """Each single word of a group -> the groups it is in (phrases stay out: words match)."""
    found: dict[str, set[int]] = {}
    for number, group in enumerate(groups):
        for item in group:
            tokens = words(normalise(str(item)))
            if len(tokens) == 1:
                found.setdefault(tokens[0], set()).add(number)
    return {w: frozenset(ids) for w, ids in found.items()}


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
