"""Turn a question into what it names (years, events, people, makes, places) and asks for.

Two steps keep this fast and typo-tolerant: first every word the bot does not know is corrected
to the closest word it does know (``rapidfuzz``, C speed, once per unknown word); then names and
keywords are matched exactly, as token sequences, on the corrected words. The vocabulary is
built from the knowledge base itself, so a new event alias or winner needs no code.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.lexicon import Lexicon, lexicon
from bot.core.model import Knowledge
from bot.core.text import fold, normalise, words

CORRECTIONS_KEPT = 5000  # typo corrections remembered (least recently used forgotten first)
_YEAR = re.compile(r"(?<![\d'])(1[89]\d\d|20\d\d)(?!\d)")
_SHORT_YEAR = re.compile(r"'(\d\d)(?!\d)(?!s)")
_DECADE = re.compile(r"\b(1[89]|20)(\d)0 ?'?s\b")
_SHORT_DECADE = re.compile(r"(?:^|\s|')(\d)0 ?'?s\b")
_DECADE_IT = re.compile(r"anni ?'?(\d)0")
_ORDINAL = re.compile(r"(?<![\d.,])(\d{1,3})(?: ?(?:st|nd|rd|th)|a|o|esima|esimo|°)(?![a-z\d])")
_RANGE_WORDS = ("between", "from", "tra", "fra", "dal")

# Words that users use for makes but that are not how the make is written in the records.
MAKE_ALIASES = {"alfa": "Alfa Romeo", "mercedes": "Mercedes-Benz", "merc": "Mercedes-Benz"}


@dataclass(frozen=True)
class Match:
    """A name found in the question: which entity, and which words it covered."""

    kind: str
    key: str
    start: int
    end: int


@dataclass
class Query:
    """What a question names and asks; the answer planner works from this alone."""

    text: str
    tokens: list[str]
    content: list[str]
    years: list[int] = field(default_factory=list)
    year_range: tuple[int, int] | None = None
    ordinal: int | None = None
    events: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    makes: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    eras: set[str] = field(default_factory=set)
    other_race: bool = False
    today: date | None = None  # in the asked-about event's time zone, set by the answerer
    fact_hits: list[Any] | None = None  # the answerer's fact matches, cached per question

    @property
    def has_subject(self) -> bool:
        """Whether the question names anything the bot could know about."""
        return bool(self.events or self.people or self.makes or self.years or self.year_range)


class Catalog:
    """Names the bot knows, from the knowledge base, arranged for fast matching."""

    def __init__(self, knowledge: Knowledge, lex: Lexicon | None = None) -> None:
        self.lex = lex or lexicon()
        self.phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        self.person_names: dict[str, str] = {}  # key -> display name
        self.person_ids: dict[str, str] = {}  # person id -> key
        self.make_names: dict[str, str] = {}
        self.place_names: dict[str, str] = {}
        # Normalised English/Italian names of the places in places.yaml -> the place's name.
        self.place_key: dict[str, str] = {}
        self._add_events(knowledge)
        self._add_people(knowledge)
        self._add_makes(knowledge)
        self._add_places(knowledge)
        self.name_words: set[str] = set()
        for entries in self.phrases.values():
            for phrase, _, _ in entries:
                self.name_words.update(phrase)
        self.vocabulary = self.lex.vocabulary() | self.name_words
        for fact in knowledge.facts:
            for text in (fact.question, *fact.phrasings):
                self.vocabulary.update(words(normalise(text)))
        self._vocab_list = sorted(w for w in self.vocabulary if len(w) >= 4 and not w.isdigit())
        # Bounded: a flood of distinct junk words must not grow memory until the next reload.
        self._corrections: OrderedDict[str, str] = OrderedDict()

    def _add(self, kind: str, key: str, text: str) -> None:
        tokens = tuple(words(normalise(text)))
        if tokens:
            self.phrases[tokens[0]].append((tokens, kind, key))

    def _add_events(self, knowledge: Knowledge) -> None:
        for event in knowledge.events:
            for alias in (event.name, *event.aliases):
                self._add("event", event.id, alias)

    def _add_people(self, knowledge: Knowledge) -> None:
        names: dict[str, set[str]] = defaultdict(set)
        for ed in knowledge.editions:
            for crew in ed.winners:
                for name in (crew.driver, crew.co_driver):
                    if name:
                        names[clean_name(name)].add(clean_name(name))
        for person in knowledge.people:
            key = clean_name(person.name)
            names[key].update(clean_name(a) for a in person.aliases)
            self.person_ids[person.id] = key
        makes = {
            normalise(crew.make) for ed in knowledge.editions for crew in ed.winners if crew.make
        }
        for key, aliases in names.items():
            self.person_names[key] = key
            self._add("person", key, key)
            parts = key.split()
            if len(parts) >= 2:
                surname = " ".join(p for p in parts[1:] if p)
                last = parts[-1]
                for candidate in {surname, last}:
                    if len(candidate) >= 3 and normalise(candidate) not in makes:
                        self._add("person", key, candidate)
            for alias in aliases - {key}:
                self._add("person", key, alias)

    def _add_makes(self, knowledge: Knowledge) -> None:
        for ed in knowledge.editions:
            for crew in ed.winners:
                if crew.make:
                    self.make_names[crew.make] = crew.make
                    self._add("make", crew.make, crew.make)
        for alias, make in MAKE_ALIASES.items():
            if make in self.make_names:
                self._add("make", make, alias)

    def _add_places(self, knowledge: Knowledge) -> None:
        for place in knowledge.places:
            for alias in (place.name, *place.aliases):
                self._add("place", place.name, alias)
                self.place_key[normalise(alias)] = place.name
            self.place_names[place.name] = place.name
        for ed in knowledge.editions:
            for town in ed.route:
                if normalise(town) not in self.place_key:
                    self.place_key[normalise(town)] = town  # a route town is its own name
                    self.place_names[town] = town
                    self._add("place", town, town)

    def correct(self, token: str) -> str:
        """The closest known word for an unknown one (typos), or the token itself."""
        if token in self.vocabulary or len(token) < 4 or token.isdigit():
            return token
        if token in self._corrections:
            self._corrections.move_to_end(token)
            return self._corrections[token]
        cutoff = 88 if len(token) == 4 else 84
        found = process.extract(
            token, self._vocab_list, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
        )
        # On a tie prefer a word of a name (event, person, place) over a keyword: "mile" is
        # far more often a typo of "Mille" than of "miles" in this bot.
        found.sort(key=lambda m: (-m[1], m[0] not in self.name_words, m[0]))
        fixed = found[0][0] if found else token
        self._corrections[token] = fixed
        if len(self._corrections) > CORRECTIONS_KEPT:
            self._corrections.popitem(last=False)
        return fixed

    def find(self, tokens: list[str]) -> list[Match]:
        """Longest non-overlapping names in the question, left to right."""
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            best: list[tuple[str, str]] = []
            length = 0
            for phrase, kind, key in self.phrases.get(tokens[i], ()):
                n = len(phrase)
                if tuple(tokens[i : i + n]) == phrase:
                    if n > length:
                        best, length = [], n
                    if n == length and (kind, key) not in best:
                        best.append((kind, key))  # "Vesco" names Andrea and Roberto alike
            if best:
                found.extend(Match(kind, key, i, i + length) for kind, key in best)
                i += length
            else:
                i += 1
        return found


def clean_name(name: str) -> str:
    """A person's name without parenthesised remarks: 'Baconin (Mario Umberto) Borzacchini'."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", " ", name)).strip()


MAX_PHRASE = 8  # longer keyword phrases are matched by _has_phrase


class _Grams:
    """Membership of word sequences in the question; exact for phrases of any length."""

    def __init__(self, tokens: list[str], longest: int) -> None:
        self.tokens = tokens
        self.longest = longest
        self.seen = {
            tuple(tokens[i : i + n])
            for n in range(1, longest + 1)
            for i in range(len(tokens) - n + 1)
        }

    def __contains__(self, phrase: object) -> bool:
        if not isinstance(phrase, tuple):
            return False
        if len(phrase) > self.longest:
            return _has_phrase(self.tokens, phrase)
        return phrase in self.seen


def _has_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def _years(folded: str) -> tuple[list[int], tuple[int, int] | None]:
    years = [int(y) for y in _YEAR.findall(folded)]
    for short in _SHORT_YEAR.findall(folded):
        n = int(short)
        years.append(1900 + n if n >= 27 else 2000 + n)
    span: tuple[int, int] | None = None
    decade = _DECADE.search(folded)
    short = _SHORT_DECADE.search(folded) or _DECADE_IT.search(folded)
    if decade:
        start = int(decade.group(1)) * 100 + int(decade.group(2)) * 10
        span = (start, start + 9)
        years = [y for y in years if not span[0] <= y <= span[1]]
    elif short and not years:
        digit = int(short.group(1))
        start = (1900 if digit >= 2 else 2000) + digit * 10
        span = (start, start + 9)
    if (len(years) == 2 and any(w in folded.split() for w in _RANGE_WORDS)) or (
        len(years) == 2 and re.search(r"\d{4} ?(?:-|to|and|e|a) ?'?\d{2,4}", folded)
    ):
        span = (min(years), max(years))
        years = []
    return list(dict.fromkeys(years)), span


def understand(question: str, catalog: Catalog) -> Query:
    """Read a question: entities by exact match on typo-corrected words, intents by keyword."""
    lex = catalog.lex
    folded = fold(question)
    raw_tokens = words(normalise(question))
    tokens = [catalog.correct(_strip_possessive(t)) for t in raw_tokens]
    years, span = _years(folded)
    query = Query(text=question, tokens=tokens, content=[], years=years, year_range=span)
    ordinal = _ORDINAL.search(folded)
    if ordinal and int(ordinal.group(1)) not in years:
        query.ordinal = int(ordinal.group(1))
    matches = catalog.find(tokens)
    used: set[int] = set()
    for m in matches:
        target = {
            "event": query.events,
            "person": query.people,
            "make": query.makes,
            "place": query.places,
        }[m.kind]
        if m.key not in target:
            target.append(m.key)
        used.update(range(m.start, m.end))
    free = [t for i, t in enumerate(tokens) if i not in used]
    if query.ordinal is None:
        for t in free:
            if t in lex.ordinals:
                query.ordinal = lex.ordinals[t]
                break
    query.content = [t for t in free if t not in lex.stopwords and not t.isdigit()]
    token_set = set(tokens)
    for intent, ws in lex.intent_words.items():
        if token_set & ws:
            query.intents.add(intent)
    # Every word sequence of the question, once: a few hundred keyword phrases are then set
    # lookups instead of scans of the question (the largest cost of understanding before).
    grams = _Grams(tokens, MAX_PHRASE)
    for intent, phrases in lex.intent_phrases.items():
        if any(p in grams for p in phrases):
            query.intents.add(intent)
    query.eras = {era for era, phrases in lex.eras.items() if any(p in grams for p in phrases)}
    query.other_race = any(p in grams for p in lex.other_races)
    return query


def _strip_possessive(token: str) -> str:
    return token[:-2] if token.endswith("'s") else token.replace("'", "")
