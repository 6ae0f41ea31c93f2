"""Which event a few words name, for every command that takes one (/edition, /calendar, ...).

One resolver, so that "festa", "califronia mille", "california-mille" and "1000 Miglia" mean
the same event in every command, and "tribute" asks the same question everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.core.model import Event, Knowledge
from bot.core.text import normalise, words
from bot.core.understand import Catalog, understand

DEFAULT_EVENT = "mille-miglia"
CUTOFF = 85.0  # WRatio: a part of an event's name scores 90; unrelated words stay under 60


class EventNames:
    """The events' ids, names and aliases, arranged for resolving what a user typed."""

    def __init__(self, knowledge: Knowledge, catalog: Catalog | None = None) -> None:
        self.events = knowledge.events
        self.by_id = {e.id: e for e in knowledge.events}
        self.catalog = catalog
        self.aliases = {alias: e.id for e in knowledge.events for alias in (e.name, *e.aliases)}
        self._name_words = {
            e.id: [set(words(normalise(n))) for n in (e.name, e.id, *e.aliases)]
            for e in knowledge.events
        }

    def resolve(self, text: str, fits: Callable[[Event], bool] | None = None) -> list[Event]:
        """The events ``text`` names: one when clear, several to choose from, none if no match.

        No text means the Mille Miglia. ``fits`` narrows several candidates to those that make
        sense for the rest of the command (an edition in the year asked, some reports).
        """
        wanted = " ".join(text.split())
        if not wanted:
            return [self.by_id[DEFAULT_EVENT]] if DEFAULT_EVENT in self.by_id else []
        if wanted.lower() in self.by_id:
            return [self.by_id[wanted.lower()]]
        candidates = self._named(wanted)
        if len(candidates) > 1 and fits is not None:
            candidates = [e for e in candidates if fits(e)] or candidates
        return candidates

    def _named(self, text: str) -> list[Event]:
        asked = set(words(normalise(text)))
        having = [
            e for e in self.events if asked and any(asked <= n for n in self._name_words[e.id])
        ]
        if len(having) == 1:  # the words of one event's name: "festa", "mille miglia festa"
            return having
        if self.catalog is not None:  # names and aliases, typos corrected ("1000 miglia")
            query = understand(text, self.catalog)
            if query.events and not query.years:
                return [self.by_id[query.events[0]]]
        return self._by_part(text)

    def _by_part(self, text: str) -> list[Event]:
        """A part of a name, with typos ("califronia"); ties are all returned, to ask which."""
        hits = process.extract(
            text,
            list(self.aliases),
            scorer=fuzz.WRatio,
            processor=default_process,
            score_cutoff=CUTOFF,
            limit=20,
        )
        if not hits:
            return []
        top = max(score for _, score, _ in hits)
        ids = {self.aliases[alias] for alias, score, _ in hits if score == top}
        return [e for e in self.events if e.id in ids]
