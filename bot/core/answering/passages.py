"""Every text the knowledge holds, searchable by the words of a question.

Facts, edition notes and incidents, people's summaries, event texts and conflicts, and the
seed page's report summaries are all *passages*: a text to show, the words it can explain, and
what it is about (event, year, people). A question word is explained by a passage that uses the
word, a word of the same synonym group (``lexicon.yaml``), or names the year it is about. So a
new note or fact teaches the bot new words without code.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.core.lexicon import Lexicon
from bot.core.matcher import stem
from bot.core.model import Edition, Fact, Knowledge, Report
from bot.core.text import normalise, words

SYNONYM_SHARE = 0.5  # a synonym's rare-word weight, against the word itself
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _parts(token: str) -> list[str]:
    """Words without possessives or elisions, as the question's are read."""
    if token.endswith("'s"):
        return [token[:-2]]
    return [p for p in token.split("'") if p]


@dataclass(frozen=True)
class Passage:
    """One text of the knowledge and what it is about."""

    id: str
    kind: str  # fact, note, person, event, report
    text: str  # what a reply shows
    stems: frozenset[str]
    groups: frozenset[int]
    years: frozenset[int]
    has_number: bool = False
    event: str | None = None
    edition: str | None = None  # event/year
    people: tuple[str, ...] = ()
    fact: Fact | None = None
    report: Report | None = None
    phrasings: tuple[str, ...] = ()  # a fact's question and phrasings, for similarity
    sources: tuple[str, ...] = ()


@dataclass
class Found:
    """A passage with the question positions it explains and its rare-word weight."""

    passage: Passage
    explains: frozenset[int]
    weight: float
    similarity: float = 0.0
    names: frozenset[int] = field(default_factory=frozenset)


class Passages:
    """An inverted index from stems and synonym groups to passages."""

    def __init__(self, knowledge: Knowledge, lex: Lexicon) -> None:
        self.lex = lex
        self.items: list[Passage] = []
        # Passages holding a kind of value: a date or year ("when", "since"), a number.
        self._typed: dict[str, list[int]] = defaultdict(list)
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
            texts += [c.text for c in event.conflicts]
            for n, text in enumerate(t for t in texts if t):
                self._add(
                    f"{event.id}#{n}",
                    "event",
                    text,
                    f"{event.name} {text}",
                    event=event.id,
                    sources=event.sources,
                )
        for rep in knowledge.reports:
            shown = rep.summary
            about = " ".join(
                filter(
                    None,
                    (
                        rep.title,
                        rep.site,
                        rep.author or "",
                        rep.summary,
                        rep.car_pictured or "",
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
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(self.items):
            for key in p.stems:
                self._postings[key].append(i)
            for g in p.groups:
                self._postings[f"#{g}"].append(i)
            for y in p.years:
                self._postings[f"@{y}"].append(i)
        for key, owners in self._typed.items():
            self._postings[key] = owners
        n = max(1, len(self.items))
        self._idf = {k: math.log(1 + n / len(v)) for k, v in self._postings.items()}
        self._max_idf = math.log(1 + n)
        # Every fact question and phrasing, normalised, for "is this question one of them?"
        self._phrasings: list[str] = []
        self._phrasing_owner: list[int] = []
        for i, p in enumerate(self.items):
            for text in p.phrasings:
                self._phrasings.append(normalise(text))
                self._phrasing_owner.append(i)
        self.vocabulary = {w for p in self.items for w in p.stems if len(w) >= 4 and "'" not in w}

    def own_phrasings(self, text: str, cutoff: float) -> list[tuple[Passage, float]]:
        """Facts one of whose phrasings is this question (token-sort similarity >= cutoff)."""
        found = process.extract(
            normalise(text),
            self._phrasings,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=cutoff,
            limit=5,
        )
        best: dict[int, float] = {}
        for _, score, at in found:
            owner = self._phrasing_owner[at]
            best[owner] = max(best.get(owner, 0.0), score)
        return [(self.items[o], s) for o, s in best.items()]

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
    ) -> None:
        tokens = [p for t in words(normalise(about)) for p in _parts(t)]
        stems = frozenset(stem(t) for t in tokens) | frozenset(tokens)
        groups = frozenset(g for t in tokens for g in self.lex.synonyms.get(t, ()))
        mentioned = {int(y) for y in _YEAR.findall(about)}
        number = bool(re.search(r"\d", text))
        self.items.append(
            Passage(
                pid,
                kind,
                text,
                stems,
                groups,
                frozenset(mentioned | set(years)),
                number,
                event,
                edition,
                people,
                fact,
                report,
                phrasings,
                sources,
            )
        )
        index = len(self.items) - 1
        if mentioned or years:
            self._typed["@when"].append(index)
        if number:
            self._typed["@number"].append(index)

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
            keys[i] = [stem(token), token, *(f"#{g}" for g in self.lex.synonyms.get(token, ()))]
            if i in typed:
                keys[i].append(typed[i])
        explains: dict[int, set[int]] = defaultdict(set)
        weight: dict[int, float] = defaultdict(float)
        for i, ks in keys.items():
            best: dict[int, float] = {}
            for k in ks:
                # The word itself counts fully; a synonym or a value of the asked kind, half.
                share = 1.0 if k[0] not in "#@" or k == ks[0] else SYNONYM_SHARE
                for owner in self._postings.get(k, ()):
                    best[owner] = max(best.get(owner, 0.0), self._idf[k] * share)
            for owner, w in best.items():
                explains[owner].add(i)
                weight[owner] += w

        def key(o: int) -> tuple[int, bool, float]:
            return (-len(explains[o]), not (self.items[o].years & prefer), -weight[o])

        ranked = sorted(explains, key=key)[:limit]
        return [Found(self.items[o], frozenset(explains[o]), weight[o]) for o in ranked]
