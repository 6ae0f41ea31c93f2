"""Lookups over one loaded knowledge base, built once so no question pays for them."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.answering.passages import Passages
from bot.core.eventconflicts import EventConflicts
from bot.core.events import DEFAULT_EVENT, EventNames
from bot.core.model import Edition, Event, Knowledge, Person, Report
from bot.core.pictures import drawable_editions
from bot.core.raceday import RaceDay, raceday_vocabulary
from bot.core.text import normalise, words
from bot.core.understand import Catalog, clean_name
from bot.core.upcoming import local_today
from bot.core.whatsnext import WhatsNext


class View:
    """Everything the kinds of question look up, keyed the way they look it up."""

    def __init__(self, knowledge: Knowledge, rng: random.Random | None = None) -> None:
        self.knowledge = knowledge
        self.rng = rng or random.Random()
        self.catalog = Catalog(knowledge)
        self.lex = self.catalog.lex
        self.events = {e.id: e for e in knowledge.events}
        self.editions: dict[str, list[Edition]] = defaultdict(list)
        for ed in sorted(knowledge.editions, key=lambda e: e.year):
            self.editions[ed.event].append(ed)
        self.edition_at = {ed.key: ed for ed in knowledge.editions}
        self.reports: dict[str, list[Report]] = defaultdict(list)
        for rep in knowledge.reports:
            self.reports[rep.edition_key].append(rep)
        self.report_by_id = {r.id: r for r in knowledge.reports}
        self.people: dict[str, Person] = {
            self.catalog.person_ids[p.id]: p for p in knowledge.people
        }
        # Who an edition's answer is about ("he" after "who won in 1955?"): its winning crew.
        self.edition_people: dict[str, tuple[str, ...]] = {
            ed.key: tuple(clean_name(n) for c in ed.winners for n in (c.driver, c.co_driver) if n)
            for ed in knowledge.editions
        }
        self.wins: dict[str, list[tuple[Edition, str]]] = defaultdict(list)
        for ed in self.knowledge.editions:  # who won what, computed once
            for crew in ed.winners:
                self.wins[clean_name(crew.driver)].append((ed, "driver"))
                if crew.co_driver:
                    self.wins[clean_name(crew.co_driver)].append((ed, "co-driver"))
        # Event names in a question say nothing of its language ("Coppa delle Alpi").
        self.name_words = sorted(
            {
                tuple(words(normalise(name)))
                for e in knowledge.events
                for name in (e.name, e.id, *e.aliases)
                if words(normalise(name))
            },
            key=len,
            reverse=True,
        )
        self.event_names = EventNames(knowledge, self.catalog)
        self.passages = Passages(knowledge, self.lex)
        # The editions whose route a map can show (their cards get a Map button).
        self.drawable = drawable_editions(knowledge)
        self.raceday = RaceDay(knowledge, self.canonical_place, self.event_names)
        self.whats_next = WhatsNext(knowledge)
        self.event_conflicts = EventConflicts(knowledge)
        self.catalog.learn(self.passages.take_vocabulary() | raceday_vocabulary())

    def canonical_place(self, town: str) -> str:
        return self.catalog.place_key.get(normalise(town), town)

    def event_of(self, event_id: str | None) -> Event | None:
        return self.events.get(event_id or DEFAULT_EVENT)


@dataclass
class Ctx:
    """One question's circumstances: the knowledge view and the injected clock."""

    view: View
    now: datetime
    _today: dict[str, date] = field(default_factory=dict)

    def today(self, event: Event) -> date:
        """Today in the event's own time zone (cached: several kinds ask)."""
        if event.id not in self._today:
            self._today[event.id] = local_today(event, self.now)
        return self._today[event.id]
