"""A reading: one interpretation of a question, the words it explains, and its reply."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.core.answering.view import Ctx
from bot.core.reply import Draft
from bot.core.understand import Query


@dataclass(frozen=True)
class Reading:
    """What one kind of question makes of the question.

    ``uses`` are the positions of the question's words this reading accounts for (the entities
    it consumed, its field and operation words, the words a passage shares with the question).
    ``prior`` ranks kinds when two readings explain the same words: records before texts, a
    text written for this very question before records. ``strength`` ranks readings of one kind.
    """

    kind: str
    draft: Draft
    uses: frozenset[int]
    prior: float = 1.0
    strength: float = 0.0
    question: str | None = None  # the question it answers, to offer when two readings tie
    # What a text (or an event's field) is about, to be joined with a record of the same:
    # editions as "event/year", events by their id.
    editions: tuple[str, ...] = ()


Propose = Callable[[Query, Ctx], Iterable[Reading]]
