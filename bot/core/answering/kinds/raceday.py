"""Race days and the whole calendar: today's leg, a town's day, what is next everywhere.

The reading itself is ``bot/core/raceday.py`` and ``bot/core/whatsnext.py``, which recognise
their own phrases ("where are they today?", "what's next?"). A race-day reading accounts for
the words of those phrases, the event, towns, years and day numbers; "how does the Mille
Miglia work today?" keeps "work" unexplained, so a fact written for it answers instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.answering import scores
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx
from bot.core.matcher import stem
from bot.core.raceday import has_phrase, question_words, raceday_vocabulary, raceday_words
from bot.core.reply import Draft
from bot.core.text import normalise, words
from bot.core.understand import Query
from bot.core.upcoming import running

# What a race-day question may also ask besides its own phrases ("where are they today?").
_ALSO = ("route", "passes", "where", "dates", "next", "latest", "finishers", "field")


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None:
        return
    draft = v.raceday.draft(q, event, ctx.now)
    if draft is not None:
        own = {i for i, token in enumerate(q.tokens) if token in raceday_vocabulary()}
        uses = frozenset(own) | q.at("event", "place", "year", "ordinal") | q.intent_at(*_ALSO)
        uses |= _shared(q, draft)
        # While an edition runs "today" is its race day; off season "la Mille Miglia oggi" more
        # likely means nowadays, and a fact written for that question answers first.
        under_way = running(v.editions[event.id], ctx.today(event)) is not None
        strong = under_way or _has_phrase_of_words(q)
        prior = scores.PRIOR_TODAY if strong else scores.PRIOR_CALENDAR
        yield Reading("raceday", draft, uses, prior)
    listing = v.whats_next.draft(q, event, ctx.now)
    if listing is not None:
        yield Reading("next-all", listing, q.content, scores.PRIOR_TODAY)


def _has_phrase_of_words(q: Query) -> bool:
    """A race-day phrase of two words or more ("where are they today", "when do they reach")."""
    found = raceday_words()
    phrases = (*found.today, *found.tonight, *found.place_day)
    return has_phrase(question_words(q.text), (p for p in phrases if len(p) > 1))


def _shared(q: Query, draft: Draft) -> frozenset[int]:
    """Question words the reply itself says ("the lunch stop" in a leg's note)."""
    said = {stem(w) for line in draft.lines for w in words(normalise(line))}
    return frozenset(i for i in q.content if stem(q.tokens[i]) in said)
