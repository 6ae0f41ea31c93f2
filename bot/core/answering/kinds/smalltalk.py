"""Greetings, thanks and "who are you?": a short reply in the user's language, never a card."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.answering import scores
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx
from bot.core.i18n import current, t
from bot.core.reply import Draft
from bot.core.understand import Query


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    if q.has_subject or len(q.tokens) > 8:
        return
    for name, phrases in ctx.view.lex.smalltalk.items():
        spans = _spans(q.tokens, phrases)
        if spans:
            draft = Draft(0.0, lines=[t(f"answers.smalltalk.{name}")], topic=f"smalltalk:{name}")
            draft.suggestions = list(current().words("answers.examples"))
            yield Reading("smalltalk", draft, frozenset(spans), scores.PRIOR_SMALLTALK)
            return


def _spans(tokens: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> set[int]:
    found: set[int] = set()
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == phrase:
                found.update(range(i, i + n))
    return found
