"""What is next everywhere: the next known edition of every event, soonest first.

Off season fans ask what comes next across all the events, not only the Mille Miglia:
``/next all`` and "what's next?" (asked without naming an event) list each event once, with
the edition under way, the next one with its dates, one announced without dates, or "not
announced yet" with the latest the sources know. Each event's "today" is in its own zone.
The phrases are the ``whats_next`` list of ``lexicon.yaml``; the texts the ``whatsnext``
catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.lexicon import lexicon_yaml
from bot.core.model import Edition, Event, Knowledge, Status
from bot.core.raceday import has_phrase, question_words
from bot.core.reply import Draft
from bot.core.text import normalise, words
from bot.core.understand import Query
from bot.core.upcoming import latest, local_today, running, upcoming

CONFIDENCE = 97.0  # above /next of the default event (96): the question names no event

# How entries sort: under way, then dated (by start), then announced (by year), then the rest.
_UNDER_WAY, _DATED, _ANNOUNCED, _UNKNOWN = range(4)


@dataclass(frozen=True)
class Entry:
    """One event's line, with the key it sorts by."""

    rank: tuple[int, date, int, int]
    line: str
    sources: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def whats_next_phrases() -> tuple[tuple[str, ...], ...]:
    raw = lexicon_yaml()
    return tuple(tuple(words(normalise(str(p)))) for p in raw["whats_next"])


class WhatsNext:
    """Lists the next edition of every event of one loaded knowledge base."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.events = knowledge.events
        self.editions = {e.id: list(knowledge.editions_of(e.id)) for e in knowledge.events}

    def draft(self, q: Query, event: Event, now: datetime) -> Draft | None:
        """A handler of the answerer: "what's next?" with no event, year or name in it."""
        if q.events or q.years or q.year_range or q.people or q.makes or q.places:
            return None
        if not has_phrase(question_words(q.text), whats_next_phrases()):
            return None
        return self.listing(now)

    def listing(self, now: datetime) -> Draft:
        """``/next all``: every event's next edition, soonest first."""
        entries = sorted(
            (self._entry(order, event, now) for order, event in enumerate(self.events)),
            key=lambda e: e.rank,
        )
        draft = Draft(CONFIDENCE, title=t("whatsnext.title"), topic="next-all")
        draft.lines.extend(e.line for e in entries)
        draft.lines.append(t("whatsnext.hint"))
        for entry in entries:
            if entry.rank[0] in (_UNDER_WAY, _DATED):
                draft.add_sources(entry.sources, limit=3)
        return draft

    def _entry(self, order: int, event: Event, now: datetime) -> Entry:
        today = local_today(event, now)
        editions = self.editions.get(event.id, [])
        current = running(editions, today)
        if current is not None and current.start and current.end:
            line = t(
                "whatsnext.under_way",
                name=event.name,
                year=current.year,
                day=(today - current.start).days + 1,
                total=(current.end - current.start).days + 1,
                dates=fmt.date_range(current.start, current.end),
            )
            return Entry((_UNDER_WAY, current.start, 0, order), line, current.sources)
        nxt = upcoming(editions, today) or self._announced(editions, today)
        if nxt is not None and nxt.start and nxt.end:
            dates = fmt.date_range(nxt.start, nxt.end)
            line = t("whatsnext.dated", name=event.name, year=nxt.year, dates=dates)
            return Entry((_DATED, nxt.start, 0, order), line, nxt.sources)
        if nxt is not None:
            line = t("whatsnext.announced", name=event.name, year=nxt.year)
            return Entry((_ANNOUNCED, date.max, nxt.year, order), line)
        return Entry((_UNKNOWN, date.max, 0, order), self._not_announced(event, editions, today))

    def _announced(self, editions: list[Edition], today: date) -> Edition | None:
        """An edition of this year announced without dates (upcoming() only looks at later
        years for those): it may still be ahead, so it is named rather than "not announced"."""
        return next(
            (
                e
                for e in editions
                if e.status is Status.SCHEDULED and e.start is None and e.year >= today.year
            ),
            None,
        )

    def _not_announced(self, event: Event, editions: list[Edition], today: date) -> str:
        last = latest(editions, today) or (editions[-1] if editions else None)
        if last is None:
            return t("whatsnext.never", name=event.name)
        return t("whatsnext.not_announced", name=event.name, year=last.year)
