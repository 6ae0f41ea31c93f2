"""The next edition, the latest one, and "who won the California Mille?" (its latest winners).

Depends on the injected clock only: "next" is in the event's own time zone, and an edition is
next until it has finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from bot.core import formatting as fmt
from bot.core.answering import scores
from bot.core.answering.compose import attach, route_line
from bot.core.answering.kinds.edition import asked_fields, edition_draft
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.i18n import t
from bot.core.model import Event, Fact, Status
from bot.core.reply import Draft, Kind
from bot.core.understand import Query
from bot.core.upcoming import (
    countdown_line,
    latest,
    latest_line,
    running,
    under_way_line,
    upcoming,
)


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None or q.years or q.year_range:
        return
    named = q.at("event")
    tokens = set(q.tokens)
    asks_when = (
        "dates" in q.intents
        and q.ordinal is None
        and bool(v.lex.role("when_aux") & tokens)
        and not (v.lex.role("past_aux") & tokens or "since" in q.intents)
    )
    if "next" in q.intents or asks_when:
        uses = named | q.intent_at("next", "dates")
        yield Reading("next", next_draft(ctx, event), uses, scores.PRIOR_RECORD)
    if "latest" in q.intents and "next" not in q.intents:
        last = latest(v.editions[event.id], ctx.today(event))
        if last is not None:
            asked = asked_fields(q)
            draft = edition_draft(ctx, q, event, last, asked)
            uses = named | q.intent_at("latest", *asked) | q.op_at("last")
            yield Reading("latest", draft, uses, scores.PRIOR_RECORD, strength=len(asked))


def next_draft(ctx: Ctx, event: Event) -> Draft:
    """Under way, the countdown to the next edition, or honestly not announced yet."""
    v = ctx.view
    editions = v.editions[event.id]
    today = ctx.today(event)
    draft = Draft(0.0, topic="next")
    current = running(editions, today)
    if current:
        draft.lines.append(under_way_line(event, current, today))
        route_line(draft, current)
        attach(v, draft, current)
        return draft
    nxt = upcoming(editions, today)
    if nxt and nxt.start and nxt.end:
        draft.lines.append(countdown_line(event, nxt, today))
        route_line(draft, nxt)
        attach(v, draft, nxt)
        return draft
    if nxt:
        draft.lines.append(
            t("answers.next.announced", edition=fmt.the_edition(event, nxt, "edition_cap"))
        )
        attach(v, draft, nxt)
        return draft
    draft.lines.append(t("answers.next.not_announced", name=event.name))
    season = season_line(ctx, event, recent=RECENT_EDITIONS)
    if season is not None:  # "when is it held?": at least when it usually is
        draft.lines.append(season)
    last = latest(editions, today)
    after = max(today.year, last.year if last else 0)
    for fact in upcoming_facts(v, event, after):
        draft.lines.append(fact.answer)
        draft.add_sources(fact.sources, limit=1)
    if last:
        draft.lines.append(latest_line(event, last))
        attach(v, draft, last, sources=False)
    return draft


RECENT_EDITIONS = 6  # the editions whose months say when the next one may be


def season_line(ctx: Ctx, event: Event, recent: int | None = None) -> str | None:
    """In which months its dated editions were held, counted from the records, or None.

    "When is La Festa held?" has no date of its own: the records say every dated edition was
    in October, and which years those were.
    """
    by_month: dict[int, list[int]] = {}
    today = ctx.today(event)
    dated = [
        e
        for e in ctx.view.editions[event.id]
        if e.start
        and (e.status is Status.HELD or (e.status is Status.SCHEDULED and e.start < today))
    ]
    for ed in dated[-recent:] if recent else dated:
        assert ed.start is not None
        by_month.setdefault(ed.start.month, []).append(ed.year)
    if not by_month:
        return None
    months = sorted(by_month, key=lambda m: (-len(by_month[m]), m))
    parts = [
        t("answers.season.month", month=fmt.month(m), years=fmt.year_list(by_month[m]))
        for m in months
    ]
    key = "answers.season.recent" if recent and len(dated) > recent else "answers.season.held"
    return t(key, event=fmt.the_event(event, "of_event"), months="; ".join(parts))


def upcoming_facts(v: View, event: Event, after: int) -> list[Fact]:
    """Curated facts about the event's future (the centenary) dated after ``after``."""
    return [
        f
        for f in v.knowledge.facts
        if f.topic == "upcoming"
        and event.id in f.events
        and any(str(y) in f.answer for y in range(after + 1, after + 4))
    ]


def latest_winners(ctx: Ctx, q: Query, event: Event, today: date) -> Draft:
    """'Who won the California Mille?': its latest known winners, or honestly none."""
    v = ctx.view
    known = [e for e in v.editions[event.id] if e.winners]
    if not known:
        draft = Draft(0.0, Kind.UNKNOWN, topic="no-winners")
        draft.lines.append(t("answers.no_winners", of_event=fmt.the_event(event, "of_event")))
        draft.lines.append(event.summary)
        draft.add_sources(event.sources, limit=1)
        return draft
    ed = max(known, key=lambda e: e.year)
    draft = edition_draft(ctx, q, event, ed, ["winner"])
    years = ", ".join(str(e.year) for e in known[-6:])
    draft.lines.append(t("answers.other_years", years=years))
    return draft
