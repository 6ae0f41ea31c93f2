"""Turn a question into what it names (years, events, people, makes, places) and asks for.

Two steps keep this fast and typo-tolerant: first every word the bot does not know is corrected
to the closest word it does know (``rapidfuzz``, C speed, once per unknown word); then names and
keywords are matched exactly, as token sequences, on the corrected words. The vocabulary is
built from the knowledge base itself, so a new event alias or winner needs no code.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.lexicon import Lexicon, lexicon
from bot.core.model import Knowledge
from bot.core.text import fold, normalise, words

CORRECTIONS_KEPT = 5000  # typo corrections remembered (least recently used forgotten first)
_YEAR = re.compile(r"(?<![\d'])(1[89]\d\d|20\d\d)(?!\d)")
_SHORT_YEAR = re.compile(
    r"(?:'|\b(?:nel|del|dal|al|in|of|since|from)\s)(\d\d)(?![\d.,%])(?!s)(?! ?(?:km|mph|cars|auto|giorni|days))"
)
_DECADE = re.compile(r"\b(1[89]|20)(\d)0 ?'?s\b")
_SHORT_DECADE = re.compile(r"(?:^|\s|')(\d)0 ?'?s\b")
_DECADE_IT = re.compile(r"anni ?'?(\d)0")
# Decades in words: "the fifties", "gli anni Cinquanta".
_DECADE_NAMES = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
    "eighties": 8, "nineties": 9, "venti": 2, "trenta": 3, "quaranta": 4, "cinquanta": 5,
    "sessanta": 6, "settanta": 7, "ottanta": 8, "novanta": 9,
}  # fmt: skip
_DECADE_WORDS = re.compile(r"\b(?:anni|the|in)\s+(" + "|".join(_DECADE_NAMES) + r")\b")
_ORDINAL = re.compile(r"(?<![\d.,])(\d{1,3})(?: ?(?:st|nd|rd|th)|a|o|esima|esimo|°)(?![a-z\d])")


@dataclass(frozen=True)
class Match:
    """A name found in the question: which entity, and which words it covered."""

    kind: str
    key: str
    start: int
    end: int


@dataclass(frozen=True)
class Query:
    """What a question names and asks, read once and never changed afterwards.

    ``marks`` says what each recognised word is, by position in ``tokens`` ("year",
    "event", "person", "make", "place", "ordinal", "intent:winner", "era:speed", "op:except",
    ...); ``content`` holds the positions a reading has to explain. A reading that leaves one of
    them unexplained did not understand the whole question, which is how the bot knows when to
    say it does not know.
    """

    text: str
    tokens: tuple[str, ...]
    content: frozenset[int] = frozenset()
    marks: Mapping[str, frozenset[int]] = field(default_factory=dict)
    years: tuple[int, ...] = ()
    year_range: tuple[int, int] | None = None
    ordinal: int | None = None
    events: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    makes: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    intents: frozenset[str] = frozenset()
    eras: frozenset[str] = frozenset()
    ops: frozenset[str] = frozenset()
    number: float | None = None  # a threshold: "above 100 km/h"
    other_race: bool = False
    # Subjects taken from elsewhere (another part of the question, an earlier turn): they
    # narrow the records like named ones, but explain no word of this text.
    inherited: frozenset[str] = frozenset()

    @property
    def has_subject(self) -> bool:
        """Whether the question names anything the bot could know about."""
        return bool(self.events or self.people or self.makes or self.years or self.year_range)

    def at(self, *keys: str) -> frozenset[int]:
        """The positions of the words marked with any of ``keys`` ("intent:route", "year")."""
        found: set[int] = set()
        for key in keys:
            found |= self.marks.get(key, frozenset())
        return frozenset(found)

    def words_in(self, vocabulary: Collection[str]) -> frozenset[int]:
        """The positions of the content words that belong to a set (a lexicon role): the words
        a reading accounts for by what they are ("held", "where", "di fila")."""
        return frozenset(i for i in self.content if self.tokens[i] in vocabulary)

    def intent_at(self, *intents: str) -> frozenset[int]:
        return self.at(*(f"intent:{i}" for i in intents))

    def op_at(self, *ops: str) -> frozenset[int]:
        return self.at(*(f"op:{o}" for o in ops))

    def subjects(self) -> frozenset[int]:
        """Positions of everything named: years, events, people, makes, places, eras."""
        return self.at("year", "range", "event", "person", "make", "place", "ordinal") | (
            self.at(*(f"era:{e}" for e in self.eras))
        )

    def words_at(self, positions: frozenset[int]) -> list[str]:
        return [self.tokens[i] for i in sorted(positions) if i < len(self.tokens)]

    def with_subject(self, other: Query) -> Query:
        """This question, with the subjects it lacks taken from ``other`` (marked inherited).

        "...and how long did it take?" after "who won in 1955" is about 1955; a part that
        names its own year, event or person keeps it.
        """
        no_year = not self.years and not self.year_range
        wanted: dict[str, Any] = {
            "years": other.years if no_year else (),
            "year_range": other.year_range if no_year and not other.years else None,
            "events": () if self.events else other.events,
            "people": () if self.people or self.makes else other.people,
            "makes": () if self.makes or self.people else other.makes,
            "eras": frozenset() if self.eras else other.eras,
        }
        changes = {k: v for k, v in wanted.items() if v}
        taken = set(changes)
        if not taken:
            return self
        return replace(self, inherited=self.inherited | frozenset(taken), **changes)


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
        self._keywords: list[str] | None = None
        self._names_list: list[str] | None = None
        self._near_names: OrderedDict[str, list[str]] = OrderedDict()

    def learn(self, vocabulary: set[str]) -> None:
        """Add the words of the knowledge's texts (notes, reports), so typos of them correct."""
        self.vocabulary |= vocabulary
        self._vocab_list = sorted(w for w in self.vocabulary if len(w) >= 4 and not w.isdigit())
        self._corrections.clear()

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
        for make in self.lex.makes:
            if make not in self.make_names:
                self.make_names[make] = make
                self._add("make", make, make)
        for alias, make in self.lex.make_aliases.items():
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

    def complete_names(self, tokens: list[str]) -> list[str]:
        """Typos inside names that are words of their own: "mile miglia", "mille miglai".

        A word is replaced by a close word of a name only when that completes a name of two
        or more words with its neighbours, so "mile" alone stays a mile.
        """
        fixed = list(tokens)
        for i, token in enumerate(tokens):
            if token in self.name_words or len(token) < 3 or token.isdigit():
                continue
            for candidate in self._name_candidates(token):
                trial = [*fixed[:i], candidate, *fixed[i + 1 :]]
                if any(m.start <= i < m.end and m.end - m.start >= 2 for m in self.find(trial)):
                    fixed[i] = candidate
                    break
        return fixed

    def _name_candidates(self, token: str) -> list[str]:
        if token not in self._near_names:
            if self._names_list is None:
                self._names_list = sorted(w for w in self.name_words if len(w) >= 3)
            found = process.extract(
                token, self._names_list, scorer=fuzz.ratio, score_cutoff=80, limit=3
            )
            self._near_names[token] = [w for w, _, _ in found]
            if len(self._near_names) > CORRECTIONS_KEPT:
                self._near_names.popitem(last=False)
        return self._near_names[token]

    def retype(self, token: str) -> str:
        """A word nothing explained, corrected towards names and keywords only (or itself).

        Looser than ``correct`` (3-letter words too) because it runs only on leftovers.
        """
        if len(token) < 3 or token.isdigit():
            return token
        if self._keywords is None:
            self._keywords = sorted(self.name_words | self.lex.vocabulary())
        found = process.extractOne(token, self._keywords, scorer=fuzz.ratio, score_cutoff=80)
        # A typo keeps its first letter ("mos", "wat"); "eat" is no "beat", "private" no "pirate".
        return found[0] if found and found[0][:1] == token[:1] else token

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


_OPEN_RANGE = re.compile(
    r"\b(after|since|from|before|until|up to|dopo il|dopo|dal|prima del|prima|fino al) "
    r"(?:the |il |l )?(1[89]\d\d|20\d\d)\b"
)
OPEN_RANGE_START = 1900  # an open range starts here: "before 1930" is up to 1929
OPEN_RANGE_END = 2100  # and ends here: "after 1950" is 1951 onwards


def _open_range(folded: str) -> tuple[int, int] | None:
    """'after 1950' -> 1951 onwards, 'since 1950' -> 1950 onwards, 'before 1950' -> up to 1949."""
    found = _OPEN_RANGE.search(folded)
    if not found:
        return None
    word, year = found.group(1), int(found.group(2))
    if word in ("before", "prima del", "prima"):
        return (OPEN_RANGE_START, year - 1)
    if word in ("until", "up to", "fino al"):
        return (OPEN_RANGE_START, year)
    if word in ("after", "dopo il", "dopo"):
        return (year + 1, OPEN_RANGE_END)
    return (year, OPEN_RANGE_END)


# "two years after 2005", "due anni dopo il 2005": one year, counted from another.
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "un": 1, "uno": 1,
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "dieci": 10,
}  # fmt: skip
_COUNTED_YEAR = re.compile(
    r"\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r") (?:years?|anni|anno) "
    r"(after|later than|before|dopo|prima)(?: (?:il|del|the))? ((?:19|20)\d\d)\b"
)


def _counted_year(folded: str) -> int | None:
    """The year "two years after 2005" names, or None."""
    found = _COUNTED_YEAR.search(folded)
    if found is None:
        return None
    n = int(found.group(1)) if found.group(1).isdigit() else _NUMBER_WORDS[found.group(1)]
    before = found.group(2) in ("before", "prima")
    return int(found.group(3)) + (-n if before else n)


def _years(folded: str) -> tuple[list[int], tuple[int, int] | None]:
    counted = _counted_year(folded)
    if counted is not None:
        return [counted], None
    years = [int(y) for y in _YEAR.findall(folded)]
    for short in _SHORT_YEAR.findall(folded):
        n = int(short)
        years.append(1900 + n if n >= 27 else 2000 + n)
    span: tuple[int, int] | None = None
    decade = _DECADE.search(folded)
    short = _SHORT_DECADE.search(folded) or _DECADE_IT.search(folded)
    named = _DECADE_WORDS.search(folded)
    if named and not decade and not short and not years:
        start = 1900 + _DECADE_NAMES[named.group(1)] * 10
        span = (start, start + 9)
    if decade:
        start = int(decade.group(1)) * 100 + int(decade.group(2)) * 10
        span = (start, start + 9)
        years = [y for y in years if not span[0] <= y <= span[1]]
    elif short and not years:
        digit = int(short.group(1))
        start = (1900 if digit >= 2 else 2000) + digit * 10
        span = (start, start + 9)
    if (len(years) == 2 and lexicon().role("range_words") & set(folded.split())) or (
        len(years) == 2 and re.search(r"\d{4} ?(?:-|to|a|al) ?'?\d{2,4}", folded)
    ):
        span = (min(years), max(years))
        years = []
    if span is None and len(years) == 1:
        opened = _open_range(folded)
        if opened is not None:
            span, years = opened, []
    return list(dict.fromkeys(years)), span


def understand(question: str, catalog: Catalog) -> Query:
    """Read a question: entities by exact match on typo-corrected words, intents by keyword.

    Every recognised word is marked with what it is, so the planner can tell which words of the
    question a reading explains and which it leaves over.
    """
    lex = catalog.lex
    folded = fold(question)
    raw_tokens = [part for t in words(normalise(question)) for part in _split_elision(t)]
    tokens = lex.without_idioms(catalog.complete_names([catalog.correct(t) for t in raw_tokens]))
    marks: dict[str, set[int]] = defaultdict(set)
    years, span = _years(folded)
    _mark_years(tokens, years, span, marks)
    counted = _COUNTED_YEAR.search(folded)
    if counted is not None and years:  # "two years after 2005": its words name 2007
        said = set(counted.group(0).split()) - lex.stopwords | {counted.group(3)}
        marks["year"].update(i for i, t in enumerate(tokens) if t in said)
    ordinal: int | None = None
    found = _ORDINAL.search(folded)
    if found and int(found.group(1)) not in years:
        ordinal = int(found.group(1))
        marks["ordinal"].update(i for i, t in enumerate(tokens) if t.startswith(found.group(1)))
    named: dict[str, list[str]] = {"event": [], "person": [], "make": [], "place": []}
    used: set[int] = set()
    for m in catalog.find(tokens):
        if m.key not in named[m.kind]:
            named[m.kind].append(m.key)
        marks[m.kind].update(range(m.start, m.end))
        used.update(range(m.start, m.end))
    free = [i for i in range(len(tokens)) if i not in used]
    if ordinal is None:
        for i in free:
            if tokens[i] in lex.ordinals:
                ordinal = lex.ordinals[tokens[i]]
                marks["ordinal"].add(i)
                break
    spans = lex.phrase_spans(tokens)
    intents: set[str] = set()
    for intent, ws in lex.intent_words.items():
        hits = {i for i in free if tokens[i] in ws}
        if hits:
            intents.add(intent)
            marks[f"intent:{intent}"] |= hits
    phrased: dict[str, set[int]] = {}
    for key, (every, longer) in spans.items():
        marks[key] |= every
        if key.startswith("intent:"):
            intents.add(key.removeprefix("intent:"))
            if longer:
                phrased[key.removeprefix("intent:")] = longer
    _phrase_beats_word(intents, marks, phrased)
    eras = {k.removeprefix("era:") for k in spans if k.startswith("era:")}
    _yield_to_eras(intents, marks, eras)
    _subordinate_when(tokens, intents, marks)
    ops = {k.removeprefix("op:") for k in spans if k.startswith("op:")}
    other = spans.get("other_race", (set(), set()))[0]
    number = _threshold(folded) if ops & {"above", "below"} else None
    if number is not None:
        at = [i for i, t in enumerate(tokens) if _is_number(t, number)]
        units = [
            j
            for i in at
            for j in (i + 1, i + 2)
            if j < len(tokens) and tokens[j] in lex.role("units")
        ]
        marks["number"].update(at + units)
    marks["month"].update(i for i, t in enumerate(tokens) if t in lex.months)
    skip = lex.stopwords | lex.filler
    content = {
        i
        for i, t in enumerate(tokens)
        if (t not in skip and len(t) > 1 and not t.isdigit())
        or (t.isdigit() and len(t) >= 2)
        or i in marks.get("year", ())
        or i in marks.get("range", ())
    }
    # The words of a field's phrase ("who ran", "take place") are what the question asks: a
    # reading that ignores them did not understand it, even when each word alone is filler.
    for intent, covered in phrased.items():
        if intent in _ASKING and f"intent:{intent}" in marks:
            content |= {i for i in covered if tokens[i] not in lex.stopwords}
    # "Where" asks for a place: a reading that gives none (the dates of the edition) did not
    # answer it, so the word must be explained like any other.
    content |= {i for i, t in enumerate(tokens) if t in lex.role("where_words")}
    if span:
        content -= {i for i, t in enumerate(tokens) if t in lex.role("range_words")}
    content -= marks.get("number", set()) | marks.get("event", set()) & _digits(tokens)
    return Query(
        text=question,
        tokens=tuple(tokens),
        content=frozenset(content),
        marks={k: frozenset(v) for k, v in marks.items()},
        years=tuple(years),
        year_range=span,
        ordinal=ordinal,
        events=tuple(named["event"]),
        people=tuple(named["person"]),
        makes=tuple(named["make"]),
        places=tuple(named["place"]),
        intents=frozenset(intents),
        eras=frozenset(eras),
        ops=frozenset(ops),
        number=number,
        other_race=bool(other),
    )


def _phrase_beats_word(
    intents: set[str], marks: dict[str, set[int]], phrased: dict[str, set[int]]
) -> None:
    """A word inside another intent's phrase is that phrase's: "finished second" is podium."""
    if not phrased:
        return
    for intent in list(intents):
        key = f"intent:{intent}"
        if intent in phrased:
            continue  # it has a phrase of its own
        others = set().union(*(v for k, v in phrased.items() if k != intent))
        if marks[key] and marks[key] <= others:
            intents.discard(intent)
            del marks[key]


def _yield_to_eras(intents: set[str], marks: dict[str, set[int]], eras: set[str]) -> None:
    """ "Speed race", "di velocita" name an era: their words ask for no field."""
    spans = {i for e in eras for i in marks.get(f"era:{e}", ())}
    for intent in list(intents):
        key = f"intent:{intent}"
        marks[key] -= spans
        if not marks[key]:
            intents.discard(intent)
            del marks[key]


def _subordinate_when(tokens: list[str], intents: set[str], marks: dict[str, set[int]]) -> None:
    """ "What was Bracco's speed when he won?": a "when" inside a question asks no date."""
    at = marks.get("intent:dates")
    if not at:
        return
    inner = {i for i in at if tokens[i] in lexicon().role("subordinate_when") and i > 0}
    at -= inner
    if not at:
        intents.discard("dates")
        del marks["intent:dates"]


def _mark_years(
    tokens: list[str], years: list[int], span: tuple[int, int] | None, marks: dict[str, set[int]]
) -> None:
    wanted = {str(y) for y in years} | {str(y)[2:] for y in years}
    ranged = {str(y) for y in span} | {str(y)[2:] for y in span} if span else set()
    for i, token in enumerate(tokens):
        bare = token.rstrip("s").lstrip("'")
        if bare in wanted:
            marks["year"].add(i)
        elif (
            bare in ranged
            or (span and token in _DECADE_NAMES)
            or (span and _DECADE_TOKEN.fullmatch(token))
            or (span and _YEAR.fullmatch(token))
        ):
            marks["range"].add(i)


# Intents whose phrases ask for a field (not the frame of a question: "what is", "how many").
_ASKING = frozenset(
    {
        "age",
        "organiser",
        "eligibility",
        "co_driver",
        "podium",
        "finishers",
        "field",
        "time",
        "route",
        "passes",
        "dates",
        "reports",
        "winner",
        "car",
        "speed",
        "distance",
    }
)
_DECADE_TOKEN = re.compile(r"(?:1[89]|20)?\d0s")
_THRESHOLD = re.compile(
    r"(?:above|over|more than|faster than|beyond|oltre|sopra|piu di|below|under|less than|slower than|sotto|meno di) (\d+(?:[.,]\d+)?)"
)


def _digits(tokens: list[str]) -> set[int]:
    return {i for i, t in enumerate(tokens) if t.isdigit()}


def _threshold(folded: str) -> float | None:
    found = _THRESHOLD.search(folded)
    return float(found.group(1).replace(",", ".")) if found else None


def _is_number(token: str, number: float) -> bool:
    try:
        return float(token) == number
    except ValueError:
        return False


def _split_elision(token: str) -> list[str]:
    """ "Moss's" -> moss; Italian "nell'incidente" -> nell, incidente (two words)."""
    if token.endswith("'s"):
        return [token[:-2]]
    return [part for part in token.split("'") if part]
