"""An event as a whole: what it is, where, since when, who runs it, which cars, its reports."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core import formatting as fmt
from bot.core.answering import scores
from bot.core.answering.compose import era_words, report_line
from bot.core.answering.kinds.upcoming import latest_winners, season_line
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx
from bot.core.i18n import t
from bot.core.model import Era, Event, Status
from bot.core.reply import Draft, Kind
from bot.core.text import normalise, words
from bot.core.understand import Query

# The event's own fields, by the intent that asks for them.
_FIELDS = ("where", "since", "organiser", "eligibility")
_PER_EDITION = ("organiser", "eligibility")


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    if q.year_range or q.people or q.makes:
        return
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None:
        return
    named = q.at("event") | q.at(*(f"era:{e.id}" for e in event.eras)) | _its_places(q, event)
    asked = [f for f in _FIELDS if f in q.intents]
    if q.years:
        # The event's organiser, base and rules hold for each of its editions.
        ed = v.edition_at.get(f"{event.id}/{q.years[0]}") if len(q.years) == 1 else None
        # Where an edition ran, when its record has no route: where the event is held.
        routeless = ed is not None and not (ed.route or ed.route_note)
        per_edition = (*_PER_EDITION, "where") if routeless else _PER_EDITION
        asked = [f for f in asked if f in per_edition] if ed is not None else []
        if asked:
            draft = fields(ctx, q, event, asked)
            uses = named | q.at("year") | q.intent_at(*asked)
            strength = len(asked)
            if "where" in asked:  # the edition's record has no route: the event's place answers
                place = v.lex.role("start_finish") | v.lex.role("held_words")
                uses |= q.words_in(place)
                strength += 1
            yield Reading("event:field", draft, uses, scores.PRIOR_RECORD, strength=strength)
        return
    began = v.lex.role("began") & set(q.tokens)
    first = q.ordinal == 1 or "first" in q.ops or bool(began)
    if "dates" in q.intents and "next" not in q.intents and "since" not in asked and first:
        asked.append("since")
    if q.tokens and q.tokens[0] in v.lex.role("who") and "since" in asked:
        asked.remove("since")  # "who founded it?" asks for people, not a year
    season = _season_words(q, ctx)
    if season and "next" not in q.intents and "since" not in asked:
        draft = season_draft(ctx, event)
        uses = named | season | q.intent_at("dates")
        yield Reading("event:season", draft, uses, scores.PRIOR_RECORD, strength=len(season))
    if asked:
        draft = fields(ctx, q, event, asked)
        uses = named | q.intent_at(*asked, "dates") | q.op_at("first") | q.at("ordinal")
        if "eligibility" in asked:
            uses |= q.intent_at("car", "field")  # "which cars take part"
        if "where" in asked:  # "where does it finish?": the place says where it starts and ends
            uses |= q.words_in(v.lex.role("start_finish"))
        yield Reading(
            "event:field", draft, uses, scores.PRIOR_RECORD, len(asked), editions=(event.id,)
        )
    if "winner" in q.intents and not q.ordinal and not q.intents & {"count", "most", "list"}:
        draft = latest_winners(ctx, q, event, ctx.today(event))
        uses = named | q.intent_at("winner") | q.op_at("last")
        yield Reading("event:winners", draft, uses, scores.PRIOR_CARD)
    if "reports" in q.intents:
        reps = [r for r in v.knowledge.reports if r.event == event.id]
        if reps:
            title = t("answers.reports_title", on_event=fmt.the_event(event, "on_event"))
            draft = Draft(0.0, title=title, topic="reports")
            draft.lines.extend("- " + report_line(rep) for rep in reps)
            draft.reports.extend(reps)
            yield Reading("event:reports", draft, named | q.intent_at("reports"), scores.PRIOR_CARD)
    if q.events or q.intents & {"what_is", "history"}:
        uses = named | q.intent_at("what_is", "where")
        # Named by a nickname ("the red arrow"): a text about the nickname says more.
        prior = scores.PRIOR_CARD if _by_name(q, event) else scores.PRIOR_NICKNAME
        yield Reading("event:card", summary(ctx, event), uses, prior)


def _one_era(q: Query, event: Event) -> Era | None:
    """The one era of the event the question names ("the revival"), if it names one."""
    named = [e for e in event.eras if e.id in q.eras]
    return named[0] if len(named) == 1 else None


def _its_places(q: Query, event: Event) -> frozenset[int]:
    """Names of where the event is held, as the question adds them: "La Festa ... Japan"."""
    proper = {normalise(w) for w in event.where.replace("(", " ").split() if w[:1].isupper()}
    return q.words_in(proper)


def _season_words(q: Query, ctx: Ctx) -> frozenset[int]:
    """The words asking in which month or season an event is held ("what month", "di solito")."""
    return q.words_in(ctx.view.lex.role("season"))


def season_draft(ctx: Ctx, event: Event) -> Draft:
    """The months its dated editions were held in, counted from the records."""
    draft = Draft(0.0, title=event.name, topic="event:season")
    line = season_line(ctx, event)
    if line is None:
        draft.kind = Kind.UNKNOWN
        draft.lines.append(t("answers.season.none", event=fmt.the_event(event, "event_cap")))
        draft.lines.append(event.summary)
        return draft
    draft.lines.append(line)
    draft.add_sources(event.sources, limit=2)
    return draft


def _by_name(q: Query, event: Event) -> bool:
    """Whether the question names the event by (a word of) its name or id, or not at all."""
    named = {q.tokens[i] for i in q.at("event")}
    own = set(words(normalise(f"{event.name} {event.id.replace('-', ' ')}")))
    return not named or bool(named & own)


def fields(ctx: Ctx, q: Query, event: Event, asked: list[str]) -> Draft:
    v = ctx.view
    draft = Draft(0.0, title=event.name, topic="event")
    if "where" in asked:
        draft.lines.append(t("answers.labels.where", value=event.where))
        if q.intents & {"since", "route"} or v.lex.role("start_finish") & set(q.tokens):
            draft.lines.extend(_sentences_with(event, v.lex.role("start_finish")))
    era = _one_era(q, event)
    if "since" in asked and era is not None:  # "when did the revival start?": its own start
        draft.lines.append(
            t("answers.era_began", era=fmt.capital(era_words(era)), year=era.start_year)
        )
        draft.lines.append(era.summary)
        asked = [a for a in asked if a != "since"]
    if "since" in asked:
        first = min(
            (e for e in v.editions[event.id] if e.status is Status.HELD),
            key=lambda e: e.year,
            default=None,
        )
        draft.lines.append(
            t("answers.began", event=fmt.the_event(event, "event_cap"), since=event.since)
        )
        for c in event.conflicts:
            if c.field == "since":
                draft.lines.append(t("answers.labels.sources_differ", text=c.text))
        if first and str(first.year) not in event.since:
            draft.lines.append(t("answers.earliest", year=first.year))
    if "organiser" in asked and event.organiser:
        draft.lines.append(t("answers.labels.organiser", value=event.organiser))
    if "eligibility" in asked and event.eligibility:
        draft.lines.append(t("answers.labels.eligible", value=event.eligibility))
    elif "eligibility" in asked and event.format:  # no rules given: what it is for, in its words
        draft.lines.append(event.format)
    if not draft.lines:  # the sources do not give what was asked: say what they do give
        draft.kind = Kind.UNKNOWN
        draft.lines.append(t("answers.missing.event", event=fmt.the_event(event, "event_cap")))
        draft.lines.append(event.summary)
    draft.add_sources(event.sources, limit=2)
    return draft


def summary(ctx: Ctx, event: Event) -> Draft:
    draft = Draft(0.0, title=event.name, topic="event")
    draft.lines.append(event.summary)
    draft.lines.append(t("answers.labels.where_since", where=event.where, since=event.since))
    if event.format:
        draft.lines.append(event.format)
    draft.add_sources(event.sources, limit=2)
    draft.reports.extend(r for r in ctx.view.knowledge.reports if r.event == event.id)
    return draft


def _sentences_with(event: Event, keys: frozenset[str]) -> list[str]:
    found = []
    for text in (event.format or "", *event.notes):
        for sentence in text.replace("; ", ". ").split(". "):
            if any(k in sentence.lower() for k in keys) and sentence not in found:
                found.append(sentence.strip().rstrip(".") + ".")
    return found[:2]
