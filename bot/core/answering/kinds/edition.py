"""One edition: its card, or the fields asked of it ("who won in 1955, in what car?").

Reads a question that names one year (or one edition by its number, "the 33rd edition") and
explains the year, the event and the field words it answers. Asked fields the sources lack are
said, and a reply made only of such lines is ``unknown``, never a confident card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from bot.core import formatting as fmt
from bot.core import tense
from bot.core.answering import scores
from bot.core.answering.compose import (
    attach,
    conflict_lines,
    route_line,
    route_of,
)
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.i18n import t
from bot.core.lexicon import lexicon
from bot.core.model import Crew, Edition, Event, Status
from bot.core.pictures import map_command
from bot.core.reply import Button, Draft, Kind
from bot.core.schema import EDITION_FIELDS
from bot.core.tabs import edition_tabs
from bot.core.text import normalise, words
from bot.core.understand import Query, clean_name

# The fields of an edition a question can ask for, in the order a reply gives them.
EDITION_INTENTS = EDITION_FIELDS


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    """The edition a question names by year, or by number when it gives no year."""
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None:
        return
    named = q.at("event")
    if len(q.years) == 1 and not q.year_range:
        year = q.years[0]
        ed = v.edition_at.get(f"{event.id}/{year}")
        uses = q.at("year") | named
        if ed is None:
            draft = no_edition(v, ctx, event, year)
            yield Reading(
                "edition", draft, uses | q.intent_at(*EDITION_INTENTS), scores.PRIOR_RECORD
            )
            return
        yield from _readings(q, ctx, event, ed, uses)
        return
    if q.ordinal is not None and not q.years and not q.year_range and not q.ops & _AROUND_WAR:
        ed = by_number(v, event, q)  # "the first after the war" is an operation, not an ordinal
        if ed is not None:
            uses = q.at("ordinal", "op:first") | named
            yield from _readings(q, ctx, event, ed, uses)


_AROUND_WAR = frozenset({"after_war", "before_war"})


def _readings(
    q: Query, ctx: Ctx, event: Event, ed: Edition, uses: frozenset[int]
) -> Iterator[Reading]:
    asked = known_crew(q, ed, asked_fields(q))
    draft = edition_draft(ctx, q, event, ed, asked)
    present = [i for i in EDITION_INTENTS if i in q.intents]  # collapsed ones too
    used = uses | q.intent_at(*present) | _crew_words(q, ed) | _fits(ctx.view, q, event, ed)
    used -= place_words(q)
    if {"route", "passes"} & set(asked) or (not asked and (ed.route or ed.route_note)):
        used |= q.intent_at("where")  # the route, or a card showing it, says where
    route = {ctx.view.canonical_place(t) for t in ed.route}
    if "passes" in asked or "route" in asked or set(q.places) <= route:
        used |= q.at("place")  # a town of its route names part of this edition
    if "passes" in asked:  # "go over the Furlo and through Gubbio"
        used |= q.words_in(ctx.view.lex.role("pass_words"))
    if set(asked) & _NUMBERS:
        used |= q.intent_at("count")
    prior = scores.PRIOR_RECORD if asked else scores.PRIOR_CARD
    yield Reading("edition", draft, used, prior, strength=len(asked))


def asked_fields(q: Query) -> list[str]:
    """The edition fields a question asks for, without the words two fields share."""
    asked = [i for i in EDITION_INTENTS if i in q.intents]
    tokens = set(q.tokens)
    lex = lexicon()
    if "car" in asked and not lex.role("car_words") & tokens and (set(asked) - {"car"}):
        asked.remove("car")
    if "finishers" in asked and "field" in asked and not lex.role("starters") & tokens:
        asked.remove("field")
    if "podium" in asked and q.intent_at("podium") <= q.at("ordinal"):
        asked.remove("podium")  # "la seconda edizione" numbers the edition, no second place
    if "podium" in asked and "winner" in asked:
        asked.remove("winner")
    if "podium" in asked and "finishers" in asked and not lex.role("count_words") & tokens:
        asked.remove("finishers")  # "who finished behind Marzotto" asks places, not a count
    if (
        "winner" in asked
        and {"time", "speed"} & set(asked)
        and not lex.role("winner_words") & tokens
    ):
        asked.remove("winner")  # "the winning time" asks for a time, not for the winners
    if "distance" in asked and "time" in asked and not lex.role("distance_words") & tokens:
        asked.remove("distance")  # "how long did it take" asks for a time
    if "distance" in asked and "route" in asked:
        asked.remove("route")  # "how long was the route" asks for its length
    if "passes" in asked and "route" in asked and q.places:
        asked.remove("route")
    if "route" in asked and q.places and q.tokens and q.tokens[0] in lex.role("yes_no"):
        asked[asked.index("route")] = "passes"  # "did the route go through Gubbio?"
    for name in ("finishers", "field"):
        if name in asked and q.intent_at(name) <= place_words(q):
            asked.remove(name)  # "where did it finish?" asks a place, not how many finished
    if lex.role("where_words") & tokens and not {"route", "passes"} & set(asked):
        # "Where was it held?" asks for the route; "held" asks no date unless "when" does.
        if "dates" in asked and not lex.answer_types.keys() & tokens - lex.role("where_words"):
            asked.remove("dates")
        asked.append("route")
    return asked


def place_words(q: Query) -> frozenset[int]:
    """The start and finish words of a "where" question: they ask a place, no count."""
    if "where" not in q.intents:
        return frozenset()
    return q.words_in(lexicon().role("start_finish"))


def missing_fields(ed: Edition, asked: list[str]) -> list[str]:
    """The asked fields an edition's record has no value for."""
    has = {
        "winner": bool(ed.winners),
        "co_driver": any(c.co_driver for c in ed.winners),
        "car": any(c.car for c in ed.winners),
        "dates": bool(ed.start or ed.dates_note),
        "route": bool(ed.route or ed.route_note),
        "passes": bool(ed.route or ed.route_note),
        "field": ed.starters is not None or ed.entries is not None or bool(ed.field_note),
        "finishers": ed.finishers is not None,
        "distance": bool(ed.distance_km or ed.distance_note),
        "time": bool(ed.winning_time),
        "speed": bool(ed.average_speed),
        "number": bool(ed.number),
        "podium": bool(ed.podium),
        "trials": bool(ed.timed_trials),
        "reports": True,
    }
    return [a for a in asked if not has.get(a, True)]


def known_crew(q: Query, ed: Edition, asked: list[str]) -> list[str]:
    """Without "winner" when the question names the winner: "what car did Bracco win with"."""
    if "winner" in asked and len(asked) > 1 and asked_crew(q, ed) is not None:
        return [a for a in asked if a != "winner"]
    return asked


def _fits(v: View, q: Query, event: Event, ed: Edition) -> frozenset[int]:
    """Words that describe this very edition: its era, "the first", "the last", its number."""
    used: frozenset[int] = frozenset()
    if ed.era and ed.era in q.eras:
        used |= q.at(f"era:{ed.era}")
    held = [e for e in v.editions[event.id] if e.status is Status.HELD]
    same_era = [e for e in held if e.era == ed.era] or held
    if q.ordinal is not None and (
        ed.number == q.ordinal or (q.ordinal == 1 and same_era and same_era[0] is ed)
    ):
        used |= q.at("ordinal") | q.op_at("first")
    if "first" in q.ops and same_era and same_era[0] is ed:
        used |= q.op_at("first")
    months = {d.month for d in (ed.start, ed.end) if d}
    used |= {i for i in q.at("month") if v.lex.months.get(q.tokens[i]) in months}
    if "last" in q.ops and same_era and same_era[-1] is ed:
        used |= q.op_at("last") | q.intent_at("latest")
    return used


def _crew_words(q: Query, ed: Edition) -> frozenset[int]:
    """A person or make the question names who is in this edition's winning crew."""
    names = {clean_name(n) for c in ed.winners for n in (c.driver, c.co_driver) if n}
    makes = {c.make for c in ed.winners if c.make}
    used: frozenset[int] = frozenset()
    if q.people and set(q.people) & names:
        used |= q.at("person")
    if q.makes and set(q.makes) & makes:
        used |= q.at("make")
        # The model written after the make ("the OM 665 that won") names the same car.
        car_words = {w for c in ed.winners if c.car for w in words(normalise(c.car))}
        used |= {i for i in q.content if q.tokens[i] in car_words and q.tokens[i].isdigit()}
    return used


def by_number(v: View, event: Event, q: Query) -> Edition | None:
    """The edition a question names by its number ("the 33rd edition", "the first one")."""
    eds = [e for e in v.editions[event.id] if e.status is not Status.NO_RACE]
    if not eds or q.ordinal is None:
        return None
    eras = q.eras
    if q.ordinal == 1 and not any(e.number == 1 for e in eds if not eras or e.era in eras):
        return min(eds, key=lambda e: e.year)
    numbered = [e for e in eds if e.number == q.ordinal and (not eras or e.era in eras)]
    if not numbered:
        return None
    speed_first = sorted(numbered, key=lambda e: (e.era != "speed", e.year))
    return speed_first[0] if q.ordinal <= 24 else max(numbered, key=lambda e: e.year)


def edition_reply_draft(ctx: Ctx, event: Event, year: int, aspect: str | None) -> Draft:
    """An edition's card or one aspect of it, for commands and buttons (no words to read)."""
    ed = ctx.view.edition_at.get(f"{event.id}/{year}")
    if ed is None:
        return no_edition(ctx.view, ctx, event, year)
    q = Query(text="", tokens=(), years=(year,), events=(event.id,))
    draft = edition_draft(ctx, q, event, ed, [aspect] if aspect else [])
    ctx.view.event_conflicts.add_to(draft, q)
    return draft


def no_edition(v: View, ctx: Ctx, event: Event, year: int) -> Draft:
    """A year the knowledge has no edition for: before the event, not announced, or unknown."""
    years = [e.year for e in v.editions[event.id]]
    draft = Draft(0.0, Kind.UNKNOWN, topic="no-edition")
    today = ctx.today(event)
    era = next(
        (
            e
            for e in event.eras
            if e.start_year <= year <= (e.end_year or today.year) and e.annual_from
        ),
        None,
    )
    began = [int(y) for y in re.findall(r"\b\d{4}\b", event.since)]
    if years and year < min(years) and began and year < began[0]:
        draft.lines.append(
            t(
                "answers.not_yet_existing",
                event=fmt.the_event(event, "event_cap"),
                year=year,
                since=event.since,
            )
        )
        draft.kind = Kind.ANSWER
    elif years and year < min(years):  # "since: not stated": no claim that it did not exist
        draft.lines.append(
            t("answers.none_before", event=fmt.the_event(event, "event_cap"), first=min(years))
        )
    elif year > today.year or (
        years and year > max(years) and not (era and year >= (era.annual_from or year + 1))
    ):  # a yearly event's past year is a gap in the sources, not "not announced"
        draft.lines.append(t("answers.not_announced_year", year=year, name=event.name))
        for fact in v.knowledge.facts:
            if fact.topic == "upcoming" and event.id in fact.events and str(year) in fact.answer:
                draft.lines.append(fact.answer)
                draft.add_sources(fact.sources, limit=2)
    elif era and era.annual_from is not None and year >= era.annual_from:
        draft.lines.append(
            t(
                "answers.annual_no_details",
                event=fmt.the_event(event, "event_cap"),
                annual_from=era.annual_from,
                year=year,
            )
        )
    else:
        draft.lines.append(t("answers.no_record", name=event.name, year=year))
    draft.add_sources(event.sources, limit=1)
    return draft


def edition_draft(c: Ctx, q: Query, event: Event, ed: Edition, asked: list[str]) -> Draft:
    """The card, or the asked fields with what is missing said (then ``unknown``)."""
    draft = Draft(0.0, title=fmt.edition_title(event, ed), edition=ed.key, topic="edition")
    if ed.status is Status.NO_RACE:
        draft.title = None
        draft.lines.append(
            t(
                "answers.no_race",
                year=ed.year,
                no_event=fmt.the_event(event, "no_event"),
                reason=ed.reason,
            )
        )
        draft.add_sources(ed.sources)
        draft.topic = "no-race"
        return draft
    if ed.status is Status.CANCELLED:
        draft.lines.append(
            t(
                "answers.cancelled",
                edition=fmt.the_edition(event, ed, "edition_cap"),
                reason=ed.reason,
            )
        )
        draft.add_sources(ed.sources)
        return draft
    v = c.view
    if not asked:
        card(v, draft, event, ed, c.today(event))
    else:
        missing: list[str] = []
        for intent in asked:
            edition_field(c, draft, q, event, ed, intent, missing)
        if missing and (not draft.lines or 2 * len(missing) >= len(asked)):
            draft.kind = Kind.UNKNOWN  # the asked field is not known: say what is
            if not draft.lines:
                draft.lines.extend(known_summary(event, ed, c.today(event)))
        draft.lines.extend(missing)
    attach(v, draft, ed)
    # The edition's views as tabs that switch the message in place (bot/core/tabs.py).
    draft.buttons = edition_tabs(event, ed, asked, bool(v.reports.get(ed.key)), draft.topic)
    if ed.key in v.drawable:  # a picture of the route
        draft.buttons.append(Button(t("pictures.button"), map_command(event, ed.year)))
    return draft


def known_summary(event: Event, ed: Edition, today: date | None) -> list[str]:
    if tense.is_past_scheduled(ed, today):  # past is past: "was held 9-13 June 2026"
        return [tense.summary(event, ed)]
    edition = fmt.the_edition(event, ed, "edition_cap")
    if ed.status is Status.SCHEDULED:
        when = fmt.when(ed) or t("answers.dates_unknown")
        return [t("answers.scheduled_for", edition=edition, when=when)]
    dates = fmt.edition_dates(ed)
    if ed.winners:
        crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
        return [t("answers.edition.won_by", edition=edition, dates="", crews=crews, note="")]
    if dates:
        return [t("answers.took_place_on", edition=edition, when=dates)]
    return [t("answers.took_place", edition=edition)]


def card(v: View, draft: Draft, event: Event, ed: Edition, today: date | None) -> None:
    when = fmt.edition_dates(ed)
    if when:
        draft.lines.append(t("answers.labels.dates", value=when))
    if ed.status is Status.SCHEDULED:
        draft.lines.append(tense.status_line(ed, today))
    for crew in ed.winners:
        key = "answers.labels.winners" if crew.co_driver else "answers.labels.winner"
        draft.lines.append(t(key, value=fmt.crew_text(crew)))
    field = field_text(ed)
    if field:
        draft.lines.append(t("answers.labels.field", value=field))
    if ed.distance_note or ed.distance_km:
        distance = ed.distance_note or fmt.km(ed.distance_km or 0)
        draft.lines.append(t("answers.labels.distance", value=distance))
    route_line(draft, ed)
    if ed.winning_time:
        draft.lines.append(t("answers.labels.winning_time", value=ed.winning_time))
    draft.lines.extend(ed.notes[:2])


def field_text(ed: Edition) -> str | None:
    parts = []
    if ed.starters is not None:
        parts.append(t("answers.field.starters", n=ed.starters))
    if ed.finishers is not None:
        parts.append(t("answers.field.finishers", n=ed.finishers))
    if ed.entries is not None and ed.starters is None:
        parts.append(t("answers.field.entries", n=ed.entries))
    if ed.applications is not None:
        parts.append(t("answers.field.applications", n=ed.applications))
    text = t("answers.join.separator").join(parts)
    if ed.field_note and _adds_numbers(ed.field_note, text):
        note = ed.field_note
        text = t("answers.field.with_note", text=text, note=note) if text else note
    return text or None


def edition_field(
    c: Ctx, draft: Draft, q: Query, event: Event, ed: Edition, intent: str, missing: list[str]
) -> None:
    """One asked field of an edition, or a 'my sources don't give ...' line in ``missing``."""
    of_edition = fmt.the_edition(event, ed, "of_edition")

    def lack(what: str) -> None:
        missing.append(
            t("answers.missing.line", what=t(f"answers.missing.{what}"), of_edition=of_edition)
        )

    FIELDS.get(intent, _nothing)(c, draft, q, event, ed, lack, missing)


Lack = Callable[[str], None]


def _nothing(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    return None


def _winner(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if ed.winners:
        when = fmt.edition_dates(ed)
        dates = t("answers.edition.won_dates", dates=when) if when else ""
        crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
        note = t("answers.edition.winners_note", note=ed.winners_note) if ed.winners_note else ""
        edition = fmt.the_edition(e, ed, "edition_cap")
        d.lines.append(
            t("answers.edition.won_by", edition=edition, dates=dates, crews=crews, note=note)
        )
        conflict_lines(d, ed, ("winners", "co_driver", "car"))
    elif ed.status is Status.SCHEDULED:
        lack("result")
    else:
        lack("winner")


def _car(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if not ed.winners:
        _winner(c, d, q, e, ed, lack, m)
        return
    cars = [c for c in ed.winners if c.car]
    asked = asked_crew(q, ed)
    if asked is None and q.people and "people" not in q.inherited:
        _non_winner(d, q, e, ed, m)
    elif cars:
        crew = asked or cars[0]
        d.lines.append(
            t(
                "answers.edition.winning_car",
                of_edition=fmt.the_edition(e, ed, "of_edition"),
                car=fmt.a_car(crew.car or ""),
                names=fmt.crew_names(crew),
            )
        )
        conflict_lines(d, ed, ("car",))
        if _model_asked(q) and crew.car in (crew.make, None):
            lack("winning_model")  # "which Ferrari model": the record names the make only
    else:
        lack("winning_car")


def _model_asked(q: Query) -> bool:
    """Whether the question asks which model ("which Ferrari model", "quale modello")."""
    return bool(lexicon().role("model_words") & set(q.tokens))


def _dates(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    when = fmt.when(ed)
    if not when:
        lack("dates")
        return
    last_day = ed.end or ed.start
    held = ed.status is Status.HELD
    key = "answers.edition.ran" if held else "answers.edition.is_scheduled"
    if not held and last_day is not None and last_day < c.today(e):
        key = "answers.edition.was_scheduled"
    if tense.is_past_scheduled(ed, c.today(e)):
        d.lines.append(tense.summary(e, ed))
    else:
        d.lines.append(t(key, edition=fmt.the_edition(e, ed, "edition_cap"), when=when))
    if ed.start and ed.end and lexicon().role("duration") & set(q.tokens):
        d.lines.append(t("answers.edition.days", n=(ed.end - ed.start).days + 1))
    conflict_lines(d, ed, ("dates", "start", "end"))


def _route(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if not (ed.route or ed.route_note):
        lack("route")
        return
    if ed.route:
        d.lines.append(route_of(e, ed))
    if ed.route_note and ed.route_note not in (ed.distance_note or ""):  # said once, below
        # a note alone ("route diverted through Mantua") reads as the route: labelled so
        d.lines.append(
            ed.route_note if ed.route else t("answers.labels.route", value=ed.route_note)
        )
    if ed.distance_note or ed.distance_km:
        distance = ed.distance_note or fmt.km(ed.distance_km or 0)
        d.lines.append(t("answers.edition.distance_line", value=distance))
    conflict_lines(d, ed, ("route", "route_note"))


def _passes(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if not q.places:
        _route(c, d, q, e, ed, lack, m)
        return
    route = {c.view.canonical_place(t) for t in ed.route}
    blob = " ".join(filter(None, (ed.route_note, ed.distance_note, *ed.notes)))
    text_blob = normalise(blob)
    of_edition = fmt.the_edition(e, ed, "of_edition")
    on_route = [c.view.canonical_place(p) for p in q.places]
    on_route = [name for name in on_route if name in route]
    if on_route:  # the route once, however many of its towns were asked about
        key = "answers.edition.passes" if len(on_route) == 1 else "answers.edition.passes_many"
        d.lines.append(
            t(
                key,
                place=fmt.join_words(on_route),
                of_edition=of_edition,
                route=" - ".join(ed.route),
            )
        )
    for place in q.places:
        name = c.view.canonical_place(place)
        aliases = [a for a, p in c.view.catalog.place_key.items() if p == name] or [
            normalise(place)
        ]
        if name in route:
            continue
        elif any(f" {a} " in f" {text_blob} " for a in aliases):
            d.lines.append(
                t("answers.edition.mentioned", place=name, edition=fmt.the_edition(e, ed))
            )
        elif ed.route:
            d.lines.append(
                t(
                    "answers.edition.not_on_route",
                    place=name,
                    edition=fmt.the_edition(e, ed),
                    route=" - ".join(ed.route),
                )
            )
            if ed.route_note and ed.route_note not in d.lines:
                d.lines.append(ed.route_note)  # "9 laps of a closed triangle": why not there
        else:
            lack("route")


def _field(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    text = field_text(ed)
    if text:
        of_edition = fmt.the_edition(e, ed, "of_edition")
        d.lines.append(t("answers.edition.field", of_edition=of_edition, text=text))
        conflict_lines(d, ed, ("starters", "entries", "applications", "field"))
    else:
        lack("field_size")


def _finishers(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if ed.finishers is None:
        lack("finishers")
        return
    of = t("answers.edition.of_starters", starters=ed.starters) if ed.starters is not None else ""
    d.lines.append(
        t(
            "answers.edition.finished",
            n=ed.finishers,
            of_starters=of,
            edition=fmt.the_edition(e, ed),
        )
    )
    conflict_lines(d, ed, ("finishers",))


def _distance(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if not (ed.distance_note or ed.distance_km):
        lack("distance")
        return
    text = ed.distance_note or fmt.km(ed.distance_km or 0)
    d.lines.append(
        t("answers.edition.distance", of_edition=fmt.the_edition(e, ed, "of_edition"), text=text)
    )
    conflict_lines(d, ed, ("distance_km", "distance_note"))


def _time(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    _timed(d, e, ed, lack, m, "winning_time", "time", ed.winning_time)


def _speed(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    _timed(d, e, ed, lack, m, "average_speed", "speed", ed.average_speed)


def _timed(
    d: Draft,
    e: Event,
    ed: Edition,
    lack: Lack,
    m: list[str],
    field: str,
    name: str,
    value: str | None,
) -> None:
    """The winning time or average speed, with its disagreements; a revival edition has
    none by its nature (a regularity rally is decided on penalty points), which is said."""
    if value:
        of_edition = fmt.the_edition(e, ed, "of_edition")
        d.lines.append(t(f"answers.edition.{field}", of_edition=of_edition, **{name: value}))
        conflict_lines(d, ed, (field,))
    elif ed.era == "revival":
        m.append(t(f"answers.edition.no_{field}", edition=fmt.the_edition(e, ed, "edition_cap")))
    else:
        lack(field)


def _number(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if not ed.number:
        lack("edition_number")
        return
    era = t("answers.edition.number_revival") if ed.era == "revival" else ""
    note = t("answers.edition.number_note", note=ed.number_note) if ed.number_note else ""
    d.lines.append(
        t(
            "answers.edition.number",
            edition=fmt.the_edition(e, ed, "edition_cap"),
            ordinal=fmt.ordinal(ed.number),
            era=era,
            note=note,
        )
    )
    conflict_lines(d, ed, ("number",))


def _trials(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if ed.timed_trials:
        d.lines.append(
            t(
                "answers.edition.trials",
                edition=fmt.the_edition(e, ed, "edition_cap"),
                n=ed.timed_trials,
            )
        )
    else:
        lack("timed_trials")


def _podium(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    if ed.podium:
        d.lines.append(
            t(
                "answers.edition.podium",
                of_edition=fmt.the_edition(e, ed, "of_edition"),
                podium="; ".join(ed.podium),
            )
        )
    else:
        lack("podium")


def _reports(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    reps = c.view.reports.get(ed.key, [])
    on_edition = fmt.the_edition(e, ed, "on_edition")
    if not reps:  # the reports block lists them: no second list in the lines
        m.append(t("answers.edition.no_reports", on_edition=on_edition))
    elif len(reps) <= REPORTS_SUMMARISED:  # "what does the news page say?": what they say
        d.lines.extend(rep.summary for rep in reps if rep.summary not in d.lines)


REPORTS_SUMMARISED = 2  # an edition with this many reports or fewer gets their summaries


def _co_driver(c: Ctx, d: Draft, q: Query, e: Event, ed: Edition, lack: Lack, m: list[str]) -> None:
    crew = asked_crew(q, ed) or (ed.winners[0] if ed.winners else None)
    if crew is None:
        lack("winning_crew")
        return
    named = () if "people" in q.inherited else q.people  # "and the co-driver?" names nobody
    asked_names = {clean_name(n) for n in named}
    if crew.co_driver and clean_name(crew.co_driver) in asked_names:
        d.lines.append(
            t(
                "answers.edition.drove_with",
                year=ed.year,
                co_driver=crew.co_driver,
                driver=crew.driver,
            )
        )
    elif crew.co_driver:
        car = t("answers.edition.co_driver_car", car=crew.car) if crew.car else ""
        d.lines.append(
            t(
                "answers.edition.co_driver",
                driver=crew.driver,
                year=ed.year,
                co_driver=crew.co_driver,
                car=car,
            )
        )
    elif fmt.drove_solo(crew.co_driver, crew.note):
        d.lines.append(t("answers.edition.drove_alone", driver=crew.driver, year=ed.year))
    else:
        lack("co_driver")
        return
    conflict_lines(d, ed, ("co_driver", "winners"))


FIELDS: dict[str, Callable[[Ctx, Draft, Query, Event, Edition, Lack, list[str]], None]] = {
    "winner": _winner,
    "co_driver": _co_driver,
    "car": _car,
    "dates": _dates,
    "route": _route,
    "passes": _passes,
    "field": _field,
    "finishers": _finishers,
    "distance": _distance,
    "time": _time,
    "speed": _speed,
    "number": _number,
    "trials": _trials,
    "podium": _podium,
    "reports": _reports,
}


def asked_crew(q: Query, ed: Edition) -> Crew | None:
    asked = {clean_name(n) for n in q.people}
    for crew in ed.winners:
        names = {clean_name(crew.driver), clean_name(crew.co_driver or "")}
        if asked & names:
            return crew
    return None


def _non_winner(d: Draft, q: Query, e: Event, ed: Edition, missing: list[str]) -> None:
    surnames = [p.split()[-1].lower() for p in q.people]
    edition_cap = fmt.the_edition(e, ed, "edition_cap")
    for line in (*ed.podium, *ed.notes):
        if any(s in line.lower() for s in surnames):
            d.lines.append(t("answers.edition.note", edition=edition_cap, line=line))
            return
    missing.append(
        t(
            "answers.edition.not_a_winner",
            person=q.people[0],
            of_edition=fmt.the_edition(e, ed, "of_edition"),
        )
    )


def _adds_numbers(note: str, shown: str) -> bool:
    """Whether a source's wording holds figures that the figures shown do not."""
    digits = set(re.findall(r"\d[\d,.]*", note.replace(",", "")))
    return not shown or bool(digits - set(re.findall(r"\d+", shown)))


_NUMBERS = frozenset({"field", "finishers", "distance", "trials", "number", "speed", "time"})
