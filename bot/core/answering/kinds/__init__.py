"""The kinds of question the bot answers: one module each, registered in this one table.

A kind proposes readings of a question (``propose(query, ctx)``); it never decides alone that
its reading wins: the planner ranks every reading by the rule in ``answering/scores.py``. To
add a kind of question, write a module with ``propose`` and add it here.
"""

from __future__ import annotations

from bot.core.answering.kinds import (
    edition,
    event,
    people,
    raceday,
    records,
    smalltalk,
    texts,
    upcoming,
)
from bot.core.answering.readings import Propose

KINDS: dict[str, Propose] = {
    "smalltalk": smalltalk.propose,  # hi, thanks, who are you
    "raceday": raceday.propose,  # today's leg, a town's day, what is next everywhere
    "upcoming": upcoming.propose,  # the next edition, the latest one
    "edition": edition.propose,  # one edition: its card or the fields asked
    "records": records.propose,  # operations over the records: filter, order, count, compare
    "people": people.propose,  # someone's wins, crews and card
    "event": event.propose,  # an event as a whole: what, where, since, who, which cars
    "texts": texts.propose,  # facts, notes, people's and events' texts, reports, by their words
}
