"""Every text the knowledge holds, searchable by the words of a question.

Facts, edition notes and incidents, people's summaries, event texts and conflicts, and the
seed page's report summaries are all *passages*: a text to show, the words it can explain, and
what it is about (event, year, people). A question word is explained by a passage that uses the
word, a word of the same synonym group (``lexicon.yaml``), or names the year it is about. So a
new note or fact teaches the bot new words without code.
"""

from __future__ import annotations

import heapq
import math
import re
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz

from bot.core.lexicon import NAME_WORDS, Lexicon
from bot.core.matcher import stem
from bot.core.model import Edition, Fact, Knowledge, Report
from bot.core.text import normalise, words

SAME_WORDING = 88.0  # token-sort similarity that makes two questions of no key word the same
SYNONYM_SHARE = 0.5  # a synonym's rare-word weight, against the word itself
COMMON_POSTINGS = 2000  # a word in more texts than this only credits texts already found
CANDIDATES_KEPT = 400  # texts followed from one word of the question to the next


def _has(sorted_ids: Sequence[int], item: int) -> bool:
    at = bisect_left(sorted_ids, item)
    return at < len(sorted_ids) and sorted_ids[at] == item


# A capitalised name after a word that introduces a place: "in Puglia", "at the Fiorano".
_PLACE_CUE = re.compile(
    r"\b(?:in|at|from|near|through|via|around|a|da|nel|nella|presso)\s+(?:the\s+)?[A-Z][a-z]{2,}"
)
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")  # a year written in a text


class Phrasing(NamedTuple):
    """A fact's question or phrasing, read once: its text, key words, years and words."""

    text: str  # normalised
    keys: tuple[str, ...]  # the words that carry its meaning, sorted (see ``key_words``)
    years: tuple[str, ...]  # sorted; tuples, not sets: a hundred thousand of them stay small
    wh: tuple[str, ...]  # its question words ("where", "why", "chi"), and "yes/no"


# Words of names that carry meaning in a phrasing although they are stop words elsewhere:
# "of the mille miglia" and "of the revival" are different questions (see Lexicon.key_skip).
_NAME_WORDS = NAME_WORDS
# The Mille Miglia's own name: a question that names no event asks about it anyway.
_DEFAULT_NAME = frozenset({"mille", "miglia", "1000"})


def key_words(text: str, lex: Lexicon) -> tuple[str, ...]:
    """The words that carry a normalised text's meaning, sorted: no stop words, filler or
    numbers."""
    skip = lex.key_skip
    found = {stem(p) for w in words(text) for p in _parts(w) if p not in skip and not p.isdigit()}
    if found <= _NAME_WORDS:  # only the race's name: nothing else carries the meaning
        return tuple(sorted(found))
    return tuple(
        sorted(sys.intern(k) for k in found - _DEFAULT_NAME)
    )  # a question naming no event asks about it


def same_question(
    norm: str, years: frozenset[str], phrasing: Phrasing, lex: Lexicon
) -> float | None:
    """How close a normalised question is to a phrasing that asks the same thing, or None.

    The same thing: the same key words (``key_words``), the same years, and no other question
    word ("who founded it" is not "when was it founded"). Token-sort similarity, 0-100, then
    ranks phrasings that pass: "piu veloce" is "la mille miglia piu veloce di sempre".
    """
    if phrasing.years != tuple(sorted(years)) or phrasing.keys != key_words(norm, lex):
        return None
    asked = _question_words(norm, lex)
    if asked and phrasing.wh and not set(asked) & set(phrasing.wh):
        return None
    similarity = float(fuzz.token_sort_ratio(norm, phrasing.text))
    if set(phrasing.keys) <= _NAME_WORDS and similarity < SAME_WORDING:
        return None  # no key word but a name to agree on: only the wording can say so
    return similarity


def _question_words(norm: str, lex: Lexicon) -> tuple[str, ...]:
    """Its question words, and "yes/no" for a question opening with did, was, is..."""
    tokens = words(norm)
    found = {w for w in tokens if w in lex.role("question_words")}
    if tokens and tokens[0] in lex.role("yes_no"):
        found.add("yes/no")
    return tuple(sorted(found))


def _parts(token: str) -> list[str]:
    """Words without possessives or elisions, as the question's are read."""
    if token.endswith("'s"):
        return [token[:-2]]
    return [p for p in token.split("'") if p]


@dataclass(frozen=True, slots=True)
class Passage:
    """One text of the knowledge and what it is about."""

    id: str
    kind: str  # fact, note, person, event, report
    text: str  # what a reply shows
    years: tuple[int, ...]  # the years it is about or mentions
    event: str | None = None
    edition: str | None = None  # event/year
    people: tuple[str, ...] = ()
    fact: Fact | None = None
    report: Report | None = None
    phrasings: tuple[Phrasing, ...] = ()  # a fact's question and phrasings, read once
    sources: tuple[str, ...] = ()
    conflict: bool = False  # a disagreement between sources: said as "Sources differ: ..."


@dataclass
class Found:
    """A passage with the question positions it explains and its rare-word weight."""

    passage: Passage
    explains: frozenset[int]
    weight: float


class Passages:
    """An inverted index from stems and synonym groups to passages."""

    def __init__(self, knowledge: Knowledge, lex: Lexicon) -> None:
        self.lex = lex
        self.items: list[Passage] = []
        # word, stem, "#synonym group", "@year", "@when" (holds a year), "@number" -> passages,
        # in ascending order (so membership is a bisection).
        self._postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        # A fact phrasing's key words -> (passage, phrasing): "is this question a phrasing?"
        self._by_keys: dict[tuple[str, ...], list[tuple[int, Phrasing]]] = defaultdict(list)
        self.vocabulary: set[str] = set()
        self._rare_stems = {stem(w) for w in lex.role("unknowable")}
        # Place names, so "where" is explained by a text that names a place.
        self._places = {
            w
            for place in knowledge.places
            for name in (place.name, *place.aliases)
            for w in words(normalise(name))
            if len(w) > 3
        }

        for fact in knowledge.facts:
            self._fact(fact)
        for ed in knowledge.editions:
            self._edition(ed)
        for person in knowledge.people:
            about = " ".join((person.name, *person.aliases, person.role, person.summary))
            self._add(
                person.id,
                "person",
                person.summary,
                about,
                people=(person.id,),
                sources=person.sources,
            )
        for event in knowledge.events:
            texts = [event.summary, event.format or "", event.eligibility or "", *event.notes]
            texts += [f"{event.where}. Since {event.since}.", event.organiser or ""]
            texts += [f"{era.name}: {era.summary}" for era in event.eras]
            for n, text in enumerate(t for t in texts if t):
                self._add(
                    f"{event.id}#{n}",
                    "event",
                    text,
                    f"{event.name} {text}",
                    event=event.id,
                    sources=event.sources,
                )
            for n, c in enumerate(event.conflicts):
                self._add(
                    f"{event.id}!{n}",
                    "event",
                    c.text,
                    f"{event.name} {c.text}",
                    event=event.id,
                    sources=event.sources,
                    conflict=True,
                )
        for rep in knowledge.reports:
            shown = rep.summary
            about = " ".join(
                filter(
                    None,
                    (
                        rep.title,
                        rep.site,
                        f"written by {rep.author} author" if rep.author else "",
                        rep.summary,
                        f"car pictured {rep.car_pictured}" if rep.car_pictured else "",
                        rep.photos_by or "",
                        "report article news page photos",
                    ),
                )
            )
            self._add(
                rep.id,
                "report",
                shown,
                about,
                event=rep.event,
                edition=rep.edition_key,
                years=(rep.year,),
                report=rep,
                sources=rep.sources,
            )
        n = max(1, len(self.items))
        self._idf = {k: math.log(1 + n / len(v)) for k, v in self._postings.items()}
        self._max_idf = math.log(1 + n)

    def own_phrasings(self, text: str, years: frozenset[str]) -> list[Passage]:
        """Facts one of whose phrasings is this question (``same_question``): a dictionary
        look-up by key words, however many facts there are."""
        norm = normalise(text)
        found: dict[int, Passage] = {}
        for owner, phrasing in self._by_keys.get(key_words(norm, self.lex), ()):
            if same_question(norm, years, phrasing, self.lex) is not None:
                found[owner] = self.items[owner]
        return list(found.values())

    def _both(self, first: list[str], second: list[str]) -> set[int] | None:
        """Texts holding a word of both lists, when the first list's texts are too many to
        follow one by one; None when they are few (then all of them are followed)."""
        if sum(len(self._postings.get(k, ())) for k in first) <= COMMON_POSTINGS:
            return None
        one: set[int] = set()
        for k in first:
            one.update(self._postings.get(k, ()))
        two: set[int] = set()
        for k in second:
            two.update(self._postings.get(k, ()))
        return one & two

    def take_vocabulary(self) -> set[str]:
        """The words of every text, handed over once (to the spelling corrector) and not
        kept twice: at 100 times the knowledge the set alone is about ten megabytes."""
        words_seen, self.vocabulary = self.vocabulary, set()
        return words_seen

    def frequency(self, token: str) -> int:
        """How many passages use a word (a common word is no distinctive part of a question)."""
        return len(self._postings.get(stem(token), ())) or len(self._postings.get(token, ()))

    # ----------------------------------------------------------------- building

    def _fact(self, fact: Fact) -> None:
        about = " ".join((fact.question, *fact.phrasings, fact.answer))
        self._add(
            fact.id,
            "fact",
            fact.answer,
            about,
            event=fact.events[0] if fact.events else None,
            years=tuple(int(k.split("/")[1]) for k in fact.editions),
            people=fact.people,
            fact=fact,
            phrasings=(fact.question, *fact.phrasings),
            sources=fact.sources,
        )

    def _edition(self, ed: Edition) -> None:
        texts: list[str] = [*ed.notes, *ed.podium]
        texts += [
            t
            for t in (
                ed.route_note,
                ed.dates_note,
                ed.winners_note,
                ed.field_note,
                ed.number_note,
                ed.distance_note,
                ed.reason,
            )
            if t
        ]
        texts += [c.text for c in ed.conflicts if not c.field]
        texts += [c.note for c in ed.winners if c.note and len(c.note) > 12]
        for n, text in enumerate(texts):
            self._add(
                f"{ed.key}#{n}",
                "note",
                text,
                text,
                event=ed.event,
                edition=ed.key,
                years=(ed.year,),
                sources=ed.sources,
            )

    def _add(
        self,
        pid: str,
        kind: str,
        text: str,
        about: str,
        *,
        event: str | None = None,
        edition: str | None = None,
        years: Iterable[int] = (),
        people: tuple[str, ...] = (),
        fact: Fact | None = None,
        report: Report | None = None,
        phrasings: tuple[str, ...] = (),
        sources: tuple[str, ...] = (),
        conflict: bool = False,
    ) -> None:
        tokens = [p for t in words(normalise(about)) for p in _parts(t)]
        mentioned = {int(y) for y in YEAR.findall(about)}
        number = bool(re.search(r"\d", text))
        read = tuple(self._phrasing(p) for p in phrasings)
        index = len(self.items)
        self.items.append(
            Passage(
                pid,
                kind,
                text,
                tuple(sorted(mentioned | set(years))),
                event,
                edition,
                people,
                fact,
                report,
                read,
                sources,
                conflict,
            )
        )
        keys = {stem(t) for t in tokens} | set(tokens)
        # What the knowledge rarely holds (an age, a price) is explained only by a text that
        # shows the word itself, not by a phrasing that uses it otherwise ("the old race").
        shown = {stem(t) for t in words(normalise(text))} & self._rare_stems
        keys |= {f"!{t}" for t in shown}
        self.vocabulary.update(w for w in keys if len(w) >= 4 and "'" not in w)
        keys |= {f"#{g}" for t in tokens for g in self.lex.synonyms.get(t, ())}
        keys |= {f"@{y}" for y in mentioned | set(years)}
        if mentioned or years:
            keys.add("@when")
        if number:
            keys.add("@number")
        if _PLACE_CUE.search(text) or self._places & set(tokens):
            keys.add("@place")
        for key in keys:
            self._postings[sys.intern(key)].append(index)
        for phrasing in read:
            self._by_keys[phrasing.keys].append((index, phrasing))

    def _phrasing(self, text: str) -> Phrasing:
        norm = normalise(text)
        keys = key_words(norm, self.lex)
        return Phrasing(
            norm,
            keys,
            tuple(sorted(set(YEAR.findall(norm)))),
            _question_words(norm, self.lex),
        )

    # ----------------------------------------------------------------- searching

    def search(
        self,
        tokens: tuple[str, ...],
        positions: frozenset[int],
        years: dict[int, int],
        typed: dict[int, str] | None = None,
        limit: int = 8,
        prefer: frozenset[int] = frozenset(),
    ) -> list[Found]:
        """Passages that explain the most of ``positions``, then about ``prefer`` years, best first.

        ``years`` maps a position holding a year to that year, so "1957" is explained by the
        notes of the 1957 edition and by texts that mention 1957.
        """
        keys: dict[int, list[str]] = {}
        typed = typed or {}
        for i in positions:
            if i in years:
                keys[i] = [f"@{years[i]}"]
                continue
            token = tokens[i]
            if token in self.lex.role("unknowable"):  # "how old": only a text saying "old"
                keys[i] = [f"!{stem(token)}"]
                continue
            keys[i] = [stem(token), token, *(f"#{g}" for g in self.lex.synonyms.get(token, ()))]
            if i in typed:
                keys[i].append(typed[i])
        explains: dict[int, set[int]] = defaultdict(set)
        weight: dict[int, float] = defaultdict(float)
        # Rare words first: their passages are the candidates. A common word ("won", a year
        # shared by hundreds of notes) then only credits candidates already found, by
        # bisection, so its cost does not grow with the knowledge.
        order = sorted(keys, key=lambda i: min(len(self._postings.get(k, ())) for k in keys[i]))
        # When even the rarest word is common (a year at a hundred times the knowledge), start
        # from the texts that have both of the two rarest: the rest cannot lead.
        allowed = self._both(keys[order[0]], keys[order[1]]) if len(order) > 1 else None
        for i in order:
            ks = keys[i]
            best: dict[int, float] = {}
            for k in ks:
                # The word itself counts fully; a synonym or a value of the asked kind, half.
                share = 1.0 if k[0] not in "#@" or k == ks[0] else SYNONYM_SHARE
                owners: Sequence[int] = self._postings.get(k, ())
                w = self._idf.get(k, 0.0) * share
                if len(owners) > COMMON_POSTINGS and explains:
                    hits: Sequence[int] = [o for o in explains if _has(owners, o)]
                elif len(owners) > COMMON_POSTINGS and allowed:
                    hits = [o for o in allowed if _has(owners, o)]
                else:
                    hits = owners
                for owner in hits:
                    if w > best.get(owner, 0.0):
                        best[owner] = w
            for owner, w in best.items():
                explains[owner].add(i)
                weight[owner] += w
            if len(explains) > 2 * CANDIDATES_KEPT:  # keep the best; the rest cannot catch up
                kept = heapq.nsmallest(
                    CANDIDATES_KEPT, explains, key=lambda o: (-len(explains[o]), -weight[o])
                )
                explains = defaultdict(set, {o: explains[o] for o in kept})

        def key(o: int) -> tuple[int, bool, float]:
            return (-len(explains[o]), prefer.isdisjoint(self.items[o].years), -weight[o])

        ranked = heapq.nsmallest(limit, explains, key=key)
        return [Found(self.items[o], frozenset(explains[o]), weight[o]) for o in ranked]
