"""The one front door every front end uses: ``Answerer.answer(question, now, lang) -> Reply``.

Commands go to ``commands.py``; questions are read once (``understand``), every kind of
question proposes readings, and the planner picks one by the rule in ``answering/scores.py``
or abstains (``answering/planner.py``). The language of the reply is chosen here, once.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.answering import conversation, followups, planner
from bot.core.answering.conversation import Context
from bot.core.answering.kinds.edition import EDITION_INTENTS, edition_reply_draft
from bot.core.answering.kinds.texts import fact_draft
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.commands import Commands, examples
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t, using
from bot.core.lexicon import language_of
from bot.core.model import Event, Fact, Knowledge
from bot.core.pictures import picture_reply, picture_request
from bot.core.reply import Draft, Kind, Reply
from bot.core.shortcuts import bare_command
from bot.core.text import normalise, words
from bot.core.understand import Query, understand

__all__ = ["EDITION_INTENTS", "Answerer", "examples", "reply_language"]


class Answerer:
    """Answers questions from one loaded knowledge base (immutable; swap the whole object)."""

    def __init__(self, knowledge: Knowledge, rng: random.Random | None = None) -> None:
        self.view = View(knowledge, rng)
        self.knowledge = knowledge
        self.rng = self.view.rng
        self.catalog = self.view.catalog
        self.events = self.view.events
        self.editions = self.view.editions
        self.edition_at = self.view.edition_at
        self.name_words = self.view.name_words
        self.event_names = self.view.event_names
        self.commands = Commands(self.view)

    # ----------------------------------------------------------------- the seam

    def answer(
        self,
        question: str,
        now: datetime,
        lang: str | None = None,
        context: Context | None = None,
    ) -> Reply:
        """Answer one question as of ``now`` (timezone-aware; naive means UTC).

        The reply is in Italian when ``lang`` (the user's Telegram language) is Italian or the
        question is asked in Italian; otherwise in English. ``context`` is what the
        conversation was about (the ``context`` of the previous reply, kept by the front end):
        a follow-up ("and in 1956?", "what car did he drive?") is read against it, and the
        reply carries the context for the next question.
        """
        text = " ".join(question.split())
        bare = bare_command(text)  # "help" / "aiuto" work without the slash
        if bare is not None:
            text, lang = bare[0], lang or bare[1]
        lang = conversation_language(text, lang, context)
        with using(reply_language(text, lang, self.name_words)):
            if not text:
                return self._help(t("answers.empty_question"))
            # Maps and charts (/map, /chart, "show me the 2014 route on a map"): a picture.
            if (wish := picture_request(text)) is not None:
                return picture_reply(self, wish, now)
            if text.startswith("/"):
                return self._with_context(self.commands.run(text, now), context, now)
            return self.ask(text, now, context)

    def ask(self, text: str, now: datetime, context: Context | None = None) -> Reply:
        """A question in words, read against the conversation's context when it is a follow-up."""
        query = understand(text, self.catalog)
        read = conversation.read_follow_up(query, context, now)
        # "only the Ferrari ones?" after a list: the previous question and this one, as one
        query = understand(read.narrowed, self.catalog) if read.narrowed else read.query
        draft = planner.plan(query, Ctx(self.view, now))
        if read.used and not draft.title and draft.kind is Kind.ANSWER:
            draft.title = self._label(query)  # how the follow-up was read, so a guess shows
        follow = conversation.context_of(query, draft, self.view.edition_people, now)
        unrelated = draft.topic in ("other-race", "no-match") or draft.topic.startswith("smalltalk")
        if (unrelated or not (query.has_subject or draft.edition)) and context is not None:
            follow = conversation.idle(context)  # small talk, a bare "why?": keep the subject
        reply = followups.with_followups(self.view, draft.finish(), follow)  # issue 11 buttons
        return replace(reply, context=follow.to_dict())

    def _with_context(self, reply: Reply, context: Context | None, now: datetime) -> Reply:
        """A command's reply leaves the edition it showed as the subject ("/edition 1955")."""
        if reply.edition:
            event, _, year = reply.edition.partition("/")
            query = Query(text="", tokens=(), years=(int(year),), events=(event,))
            draft = Draft(0.0, edition=reply.edition, title=reply.title)
            follow = conversation.context_of(query, draft, self.view.edition_people, now)
            return replace(reply, context=follow.to_dict())
        if context is not None:
            return replace(reply, context=conversation.idle(context).to_dict())
        return reply

    def _label(self, query: Query) -> str:
        """'Mille Miglia 1956', 'Stirling Moss': the subject a follow-up was read about."""
        parts = [self.events[e].name for e in query.events[:1] if e in self.events]
        if not parts and query.years:
            parts = [self.events[DEFAULT_EVENT].name] if DEFAULT_EVENT in self.events else []
        parts += [str(y) for y in query.years[:2]]
        if not parts and query.people:
            parts = list(query.people[:2])
        return " ".join(parts)

    def reply_to(self, query: Query, now: datetime) -> Reply:
        """The reply to a question already read (search reads it once for several uses)."""
        return planner.plan(query, Ctx(self.view, now)).finish()

    def readings(self, text: str, now: datetime) -> list[Reading]:
        """Every reading of a question, best first: for golden tests and for curators."""
        return self.readings_of(understand(text, self.catalog), now)

    def readings_of(self, query: Query, now: datetime) -> list[Reading]:
        return planner.readings(query, Ctx(self.view, now))

    def edition_reply(self, event: Event, year: int, aspect: str | None, now: datetime) -> Reply:
        """An edition's card, or one aspect of it (an edition intent such as ``route``)."""
        return edition_reply_draft(Ctx(self.view, now), event, year, aspect).finish()

    def fact_reply(self, fact: Fact) -> Reply:
        """A fact as a reply of its own (for search results)."""
        return fact_draft(self.view, fact).finish()

    def canonical_place(self, town: str) -> str:
        return self.view.canonical_place(town)

    def _help(self, first: str) -> Reply:
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[first, t("answers.help_examples")],
            suggestions=list(examples()),
            topic="help",
        ).finish()


def conversation_language(text: str, lang: str | None, context: Context | None) -> str | None:
    """The user's language, or the conversation's when a short follow-up does not say."""
    if lang or context is None or not context.lang:
        return lang
    tokens = [part for word in words(normalise(text)) for part in word.split("'") if part]
    return context.lang if language_of(tokens) is None else lang


def reply_language(text: str, lang: str | None, names: Sequence[tuple[str, ...]] = ()) -> str:
    """Italian for Italian-speaking users and for questions asked in Italian; else English.

    ``names`` are the words of names (events, their aliases and ids) that say nothing of the
    asker's language: "Coppa delle Alpi" is the same name in an English question.
    """
    if lang and lang.lower().startswith("it"):
        return "it"
    if text.startswith("/"):
        text = text.partition(" ")[2]
    # "l'anno" is "l" and "anno": an Italian elision hides the word that says the language
    tokens = [part for word in words(normalise(text)) for part in word.split("'") if part]
    if language_of(tokens) != "it":  # names hold no English marker words: nothing to undo
        return "en"
    return "it" if language_of(_without_names(tokens, names)) == "it" else "en"


def _without_names(tokens: list[str], names: Sequence[tuple[str, ...]]) -> list[str]:
    """The tokens outside every occurrence of a name (longest names first)."""
    kept: list[str] = []
    i = 0
    starting = set(tokens)
    names = [n for n in names if n[0] in starting]  # the few names that could occur here
    while i < len(tokens):
        name = next((n for n in names if tuple(tokens[i : i + len(n)]) == n), None)
        if name:
            i += len(name)
        else:
            kept.append(tokens[i])
            i += 1
    return kept
