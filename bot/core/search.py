"""Search as you type (Telegram's inline mode): several short results instead of one answer.

A chat answer commits to the single best reading of a question; a result list can offer the
answer, the edition cards the words name and the closest facts side by side, and let the user
pick what to post. Each hit carries the full ``Reply`` so every front end renders it as usual.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.core.answer import Answerer, reply_language
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t, using
from bot.core.model import Status
from bot.core.reply import Kind, Reply
from bot.core.understand import Query, understand
from bot.core.upcoming import latest, local_today

MAX_HITS = 10
DESCRIPTION = 120


@dataclass(frozen=True)
class Hit:
    """One result: a stable id (at most 64 bytes), a title, a one-line description, the reply."""

    id: str
    title: str
    description: str
    reply: Reply


def search(
    answerer: Answerer, text: str, now: datetime, limit: int = MAX_HITS, lang: str | None = None
) -> list[Hit]:
    """Up to ``limit`` results for ``text``; an empty text gives the next and latest editions."""
    text = " ".join(text.split())
    with using(reply_language(text, lang, answerer.name_words)):
        return _search(answerer, text, now, limit, lang)


def _search(
    answerer: Answerer, text: str, now: datetime, limit: int, lang: str | None
) -> list[Hit]:
    hits: list[Hit] = []
    if not text:
        nxt = answerer.answer("/next", now, lang)
        _add(hits, _hit("next", t("search.next_title"), nxt))
        _add_latest(answerer, hits, now)
        return hits[:limit]
    query = understand(text, answerer.catalog)  # read once: for the answer, cards and facts
    main = (
        answerer.answer(text, now, lang) if text.startswith("/") else answerer.reply_to(query, now)
    )
    if main.kind is Kind.ANSWER:
        _add(hits, _hit("q:" + _digest(text), main.title or _cap(text), main))
    _add_editions(answerer, hits, query, now)
    _add_facts(answerer, hits, query, now)
    return hits[:limit]


def _add_editions(answerer: Answerer, hits: list[Hit], query: Query, now: datetime) -> None:
    for year in query.years[:3]:
        events = query.events or [e.id for e in answerer.knowledge.events]
        for event_id in events:
            ed = answerer.edition_at.get(f"{event_id}/{year}")
            if ed is None or ed.status is Status.NO_RACE:
                continue
            reply = answerer.edition_reply(answerer.events[event_id], year, None, now)
            title = reply.title or ed.key
            if any(h.title == title for h in hits):  # the answer above was one field of it
                title = t("search.full_card", title=title)
            _add(hits, _hit(f"ed:{ed.key}", title, reply))


def _add_facts(answerer: Answerer, hits: list[Hit], query: Query, now: datetime) -> None:
    """The curated facts that read at least half of the question's words, best first."""
    facts = {f.id: f for f in answerer.knowledge.facts}
    for reading in answerer.readings_of(query, now):
        fact = facts.get(reading.draft.topic.removeprefix("fact:"))
        if fact is None or reading.kind != "text:fact":
            continue
        if 2 * len(reading.uses & query.content) < len(query.content):
            continue  # shares a word with the question, not its meaning
        _add(hits, _hit(f"fact:{fact.id}", fact.question, answerer.fact_reply(fact)))


def _add_latest(answerer: Answerer, hits: list[Hit], now: datetime) -> None:
    event = answerer.events.get(DEFAULT_EVENT)
    if event is None:
        return
    last = latest(answerer.editions[event.id], local_today(event, now))
    if last is not None:
        reply = answerer.edition_reply(event, last.year, None, now)
        _add(hits, _hit(f"ed:{last.key}", reply.title or last.key, reply))


def _hit(hit_id: str, title: str, reply: Reply) -> Hit:
    body = [line for line in reply.lines if line]
    description = body[0] if body else ""
    if len(description) > DESCRIPTION:
        description = description[: DESCRIPTION - 1].rstrip() + "…"
    return Hit(hit_id[:64], title, description, reply)


def _add(hits: list[Hit], hit: Hit) -> None:
    """Keep the first of two results that would post the same text."""
    if all(h.id != hit.id and h.reply.text != hit.reply.text for h in hits):
        hits.append(hit)


def _digest(text: str) -> str:
    return hashlib.sha1(text.lower().encode()).hexdigest()[:16]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
