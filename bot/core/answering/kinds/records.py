"""Operations over the edition records: select, then order, aggregate, compare or answer yes/no.

A composed question is a few typed steps: ``select`` editions (event, era, years, before or
after the war, make or not that make, driver, solo, speed above a threshold, a town on the
route) -> ``order`` (first, last, fastest, slowest, longest, biggest or smallest field) |
``aggregate`` (count, list, most, more than once, both before and after the war) | ``compare``
(two people, two years) | yes/no ("did a Porsche ever win?") -> a field of the result (winner,
car, speed, time, route, field, dates, distance). The reply starts by saying how the question
was read ("Mille Miglia editions 1948-1957 won in a car other than a Ferrari: ..."), so a wrong
reading is visible. Every step records the words it explains.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from bot.core import formatting as fmt
from bot.core.answering import scores
from bot.core.answering.compose import conflict_lines, era_span, sp
from bot.core.answering.kinds.people import person_facts
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.i18n import t
from bot.core.lexicon import lexicon
from bot.core.model import Edition, Era, Event, Status
from bot.core.reply import Draft
from bot.core.understand import OPEN_RANGE_END, OPEN_RANGE_START, Query, clean_name

WAR_END = 1940  # the last speed race before the Second World War
WAR_RESTART = 1947  # the first one after it
ORDERS = ("first", "last", "fastest", "slowest", "longest", "shortest")
# Fields a list or an ordered answer can show, by the intent that asks for them.
PROJECTIONS = ("car", "speed", "time", "route", "field", "dates", "distance", "finishers")
_SIGNALS = frozenset({"count", "most", "list", "biggest", "no_race"})
_OPS = frozenset(
    {
        *ORDERS,
        "more_than_once",
        "consecutive",
        "except",
        "solo",
        "before_war",
        "after_war",
        "compare",
        "above",
        "below",
        "both",
    }
)


@dataclass
class Selection:
    """Which editions a question is about, with the words that said so."""

    event: Event
    eras: tuple[str, ...] = ()
    span: tuple[int, int] | None = None
    years: tuple[int, ...] = ()  # "1930 and 1931": these years only
    make: str | None = None
    other_make: bool = False
    person: str | None = None
    people: tuple[str, ...] = ()  # "Vesco" names two people: either counts
    other_person: bool = False  # "the ones that weren't Vesco"
    solo: bool = False
    above: float | None = None
    below: float | None = None
    place: str | None = None
    days: int | None = None  # editions lasting this many days ("four-day editions")
    days_or_more: bool = False
    uses: set[int] = field(default_factory=set)
    said: list[str] = field(default_factory=list)  # how it was read, for the header

    def header(self) -> str:
        """'Mille Miglia editions in the speed race (1927-1957), 1948-1957, won in a Ferrari'."""
        parts = [t("answers.records.editions", name=self.event.name), *self.said]
        return " ".join(parts)


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    two = _compares(q)  # "who was faster, Moss or Taruffi?"
    if not (
        q.intents & _SIGNALS or q.ops & _OPS or q.year_range or _make_win(q) or _place(q) or two
    ):
        return
    if len(q.years) == 1 and not q.year_range and not (q.ops & {"compare", "both"}):
        return  # one edition: the edition kind reads it
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None:
        return
    for operation in OPERATIONS:
        found = operation(q, ctx, event)
        if found is not None:
            draft, uses = found
            yield Reading(
                f"records:{operation.__name__.strip('_')}",
                draft,
                frozenset(uses) | q.at("event"),
                scores.PRIOR_RECORD,
                strength=len(uses),
            )


def _compares(q: Query) -> bool:
    """Two people and a word that sets them against each other ("or", "faster", "compare")."""
    lex = lexicon()
    against = lex.role("compare_words") | lex.role("faster")
    return len(q.people) >= 2 and bool(against & set(q.tokens) or "compare" in q.ops)


def _make_win(q: Query) -> bool:
    return bool(q.makes and q.intents & {"winner", "count", "most", "list"})


def _place(q: Query) -> bool:
    return bool(q.places and q.intents & {"passes", "route"})


# --------------------------------------------------------------------- selecting


def select(q: Query, v: View, event: Event) -> Selection:
    """The filters a question names, each with the words that named it."""
    sel = Selection(event)
    # "the first Mille Miglia held after the war": "held" and "run" describe the editions.
    sel.uses |= q.words_in(v.lex.role("held_words"))
    eras = set(q.eras)
    if q.ops & {"before_war", "after_war"} and not (q.ops >= {"before_war", "after_war"}):
        eras.add("speed")
        lo, hi = (1927, WAR_END) if "before_war" in q.ops else (WAR_RESTART, 1957)
        sel.span = (lo, hi)
        sel.uses |= q.op_at("before_war", "after_war")
        sel.said.append(
            t("answers.records.before_war" if lo == 1927 else "answers.records.after_war")
        )
    known = {e.id for e in event.eras}
    sel.eras = tuple(e for e in eras if e in known)
    if sel.eras:
        sel.uses |= q.at(*(f"era:{e}" for e in sel.eras))
        sel.said[:0] = [era_span(e) for e in event.eras if e.id in sel.eras]
    if q.year_range:
        sel.span = q.year_range
        sel.uses |= q.at("range")
        sel.said.append(_span_words(q.year_range))
    if len(q.years) >= 2:
        sel.years = q.years
        sel.uses |= q.at("year")
        sel.said.append(fmt.join_words([str(y) for y in q.years]))
    if q.makes:
        sel.make = q.makes[0]
        sel.other_make = "except" in q.ops
        sel.uses |= q.at("make") | q.intent_at("car", "make")
        sel.uses |= q.op_at("except") if sel.other_make else frozenset()
        key = "answers.records.other_make" if sel.other_make else "answers.records.make"
        sel.said.append(t(key, make=sel.make, a_make=fmt.a_car(sel.make)))  # "an Alfa Romeo"
    if q.people and len(q.people) <= 2 and not _compares(q):
        sel.person = q.people[0]
        sel.people = q.people
        sel.other_person = "except" in q.ops and not q.makes
        sel.uses |= q.at("person") | (q.op_at("except") if sel.other_person else frozenset())
        key = "answers.records.other_person" if sel.other_person else "answers.records.person"
        sel.said.append(t(key, person=_surname(q.people)))
    if "solo" in q.ops:
        sel.solo = True
        sel.uses |= q.op_at("solo") | q.intent_at("co_driver")
        sel.said.append(t("answers.records.solo"))
    if q.number is not None and q.ops & {"above", "below"}:
        if "above" in q.ops:
            sel.above = q.number
        else:
            sel.below = q.number
        sel.uses |= q.op_at("above", "below") | q.at("number") | q.intent_at("speed", "distance")
        key = "answers.records.above" if sel.above is not None else "answers.records.below"
        sel.said.append(t(key, n=fmt.number(q.number)))
    days = _days_asked(q, v)
    if days is not None:  # "the first to run over four days", "editions of five days"
        sel.days, at = days
        sel.days_or_more = bool(q.ops & {"above"})
        sel.uses |= at | q.op_at("above") | q.intent_at("dates")
        key = "answers.records.days_or_more" if sel.days_or_more else "answers.records.days"
        sel.said.append(t(key, n=sel.days))
    if q.places and q.intents & {"passes", "route"}:
        sel.place = v.canonical_place(q.places[0])
        sel.uses |= q.at("place") | q.intent_at("passes", "route")
        sel.said.append(t("answers.records.through", place=sel.place))
    return sel


def editions(v: View, sel: Selection, held_only: bool = True) -> list[Edition]:
    """The editions that pass every filter, oldest first."""
    found = []
    for ed in v.editions[sel.event.id]:
        if held_only and ed.status is not Status.HELD:
            continue
        if sel.eras and ed.era not in sel.eras:
            continue
        if sel.span and not sel.span[0] <= ed.year <= sel.span[1]:
            continue
        if sel.years and ed.year not in sel.years:
            continue
        if sel.make and (any(c.make == sel.make for c in ed.winners) == sel.other_make):
            continue
        if sel.make and sel.other_make and not ed.winners:
            continue
        if sel.person and any(_won_by(ed, p) for p in sel.people) == sel.other_person:
            continue
        if sel.solo and not any(_solo(c.co_driver, c.note) for c in ed.winners):
            continue
        speed = speed_of(ed)
        if sel.above is not None and (speed is None or speed <= sel.above):
            continue
        if sel.below is not None and (speed is None or speed >= sel.below):
            continue
        if sel.place and sel.place not in {v.canonical_place(p) for p in ed.route}:
            continue
        if sel.days is not None and not _lasts(ed, sel.days, sel.days_or_more):
            continue
        found.append(ed)
    return found


def _about_a_car(q: Query, v: View) -> bool:
    """Whether a superlative describes a car ("the smallest car"), not a field."""
    size = v.lex.intent_words["biggest"]
    cars = v.lex.role("car_nouns")
    return any(a in size and b in cars for a, b in zip(q.tokens, q.tokens[1:], strict=False))


def _days_asked(q: Query, v: View) -> tuple[int, frozenset[int]] | None:
    """A number of days the question asks editions to last ("four days"), and its words."""
    for i, token in enumerate(q.tokens[1:], start=1):
        if token in v.lex.role("day_words"):
            before = q.tokens[i - 1]
            n = int(before) if before.isdigit() and len(before) < 3 else _WORD_RUNS.get(before)
            if n is not None:
                return n, frozenset({i - 1, i})
    return None


def _lasts(ed: Edition, days: int, or_more: bool) -> bool:
    """Whether an edition ran this many days (start to end, both counted)."""
    if ed.start is None or ed.end is None:
        return False
    length = (ed.end - ed.start).days + 1
    return length >= days if or_more else length == days


def _surname(people: tuple[str, ...]) -> str:
    """'Vesco' for Andrea and Roberto Vesco, the full name for one person."""
    last = {p.split()[-1] for p in people if p.split()}
    return last.pop() if len(people) > 1 and len(last) == 1 else people[0]


def _span_words(span: tuple[int, int]) -> str:
    """'1948-1957', 'since 1951' (after 1950), 'up to 1929' (before 1930)."""
    lo, hi = span
    if hi >= OPEN_RANGE_END:
        return t("answers.records.since", year=lo)
    if lo <= OPEN_RANGE_START:
        return t("answers.records.until", year=hi)
    return f"{lo}-{hi}"


def _won_by(ed: Edition, person: str) -> bool:
    return any(person in {clean_name(c.driver), clean_name(c.co_driver or "")} for c in ed.winners)


def _solo(co_driver: str | None, note: str | None) -> bool:
    return fmt.drove_solo(co_driver, note)


def speed_of(ed: Edition) -> float | None:
    """The winners' average speed in km/h, as a number (None when not known)."""
    found = re.search(r"(\d+(?:[.,]\d+)?)\s*km/h", ed.average_speed or "")
    return float(found.group(1).replace(",", ".")) if found else None  # 157,65 in Italian


# --------------------------------------------------------------------- projecting


def projection(q: Query) -> tuple[str, frozenset[int]]:
    """The field a list or an ordered answer shows: the one asked, else the winners.

    A field used as a filter ("above 100 km/h", "in a Ferrari") is not the one asked, and
    "who" asks for the winners.
    """
    if lexicon().role("who") & set(q.tokens):
        return "winner", q.intent_at("winner")
    for intent in PROJECTIONS:
        if intent == "speed" and q.number is not None:
            continue
        if intent in q.intents and not (intent == "car" and q.makes):
            if intent == "field" and "biggest" in q.intents:
                return "field", q.intent_at("field")
            return intent, q.intent_at(intent)
    return "winner", q.intent_at("winner")


def value(ed: Edition, what: str) -> str:
    """One field of an edition as a list shows it."""
    if what == "car":
        cars = [c.car for c in ed.winners if c.car]
        return "; ".join(cars) or t("answers.records.unknown_value")
    if what == "speed":
        return ed.average_speed or t("answers.records.unknown_value")
    if what == "time":
        return ed.winning_time or t("answers.records.unknown_value")
    if what == "route":
        return " - ".join(ed.route) or ed.route_note or t("answers.records.unknown_value")
    if what == "field":
        return (
            t("answers.field.starters", n=ed.starters)
            if ed.starters is not None
            else (t("answers.records.unknown_value"))
        )
    if what == "finishers":
        return (
            t("answers.field.finishers", n=ed.finishers)
            if ed.finishers is not None
            else (t("answers.records.unknown_value"))
        )
    if what == "dates":
        crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
        dates = fmt.edition_dates(ed) or t("answers.records.unknown_value")
        return f"{crews} ({dates})" if crews else dates
    if what == "distance":
        return (
            ed.distance_note
            or (fmt.km(ed.distance_km) if ed.distance_km else "")
            or (t("answers.records.unknown_value"))
        )
    if ed.winners:
        return "; ".join(fmt.crew_text(c) for c in ed.winners)
    return t("answers.range.no_winner", year=ed.year).partition(": ")[2]


# --------------------------------------------------------------------- operations

Found = tuple[Draft, set[int]] | None


def _no_race(q: Query, ctx: Ctx, event: Event) -> Found:
    """Years without a race: 'which years was it not run between 1927 and 1957?'."""
    if "no_race" not in q.intents:
        return None
    v = ctx.view
    sel = select(q, v, event)
    gaps = [
        e
        for e in v.editions[event.id]
        if e.status in (Status.NO_RACE, Status.CANCELLED)
        and (not sel.span or sel.span[0] <= e.year <= sel.span[1])
    ]
    if not gaps:
        return None
    draft = Draft(0.0, topic="no-race-years")
    draft.lines.append(
        t("answers.no_race_years", name=event.name, years=fmt.year_list([e.year for e in gaps]))
    )
    by_reason: dict[str, list[int]] = defaultdict(list)
    for ed in gaps:
        by_reason[ed.reason or ""].append(ed.year)
    for reason, years in by_reason.items():
        if reason:
            draft.lines.append(f"{fmt.year_list(years)}: {reason}")
    draft.add_sources(gaps[0].sources)
    return draft, set(sel.uses | q.intent_at("no_race", "list", "dates"))


def _both_wars(q: Query, ctx: Ctx, event: Event) -> Found:
    """Who won both before and after the war."""
    if not (q.ops >= {"before_war", "after_war"}):
        return None
    v = ctx.view
    before = Selection(event, eras=("speed",), span=(1927, WAR_END))
    after = Selection(event, eras=("speed",), span=(WAR_RESTART, 1957))
    first = _winners_by_name(editions(v, before))
    second = _winners_by_name(editions(v, after))
    both = [n for n in first if n in second]
    draft = Draft(0.0, topic="records")
    if both:
        listed = "; ".join(
            f"{n} ({', '.join(str(e.year) for e in first[n] + second[n])})" for n in both
        )
        draft.lines.append(t("answers.records.both_wars", listed=listed))
    else:
        draft.lines.append(t("answers.records.both_wars_none"))
    uses = set(q.op_at("before_war", "after_war", "both", "ever") | q.intent_at("winner"))
    return draft, uses


def _compare_people(q: Query, ctx: Ctx, event: Event) -> Found:
    """'Who was faster, Moss or Taruffi?', 'who has more wins, Vesco or Cane?'."""
    if not _compares(q):
        return None
    v = ctx.view
    draft = Draft(0.0, topic="records")
    uses = set(q.at("person") | q.op_at("compare"))
    faster = v.lex.role("faster")
    if q.intents & {"speed"} or faster & set(q.tokens):
        best: list[tuple[float, str, int]] = []
        for name in q.people:
            speeds = [
                (speed_of(ed), ed.year) for ed, _ in v.wins.get(name, ()) if ed.event == event.id
            ]
            known = [(s, y) for s, y in speeds if s is not None]
            if known:
                s, y = max(known)
                best.append((s, name, y))
                draft.lines.append(
                    t("answers.records.person_speed", person=name, speed=fmt.number(s, 2), year=y)
                )
            else:
                draft.lines.append(t("answers.records.person_no_speed", person=name))
        if len(best) >= 2:
            top = max(best)
            draft.lines.insert(0, t("answers.records.faster", person=top[1]))
        uses |= q.intent_at("speed") | {i for i, tok in enumerate(q.tokens) if tok in faster}
        return draft, uses
    counts = []
    for name in q.people:
        wins = sorted(ed.year for ed, _ in v.wins.get(name, ()) if ed.event == event.id)
        counts.append((len(wins), name, wins))
        draft.lines.append(
            t(
                "answers.won_times",
                person=name,
                event=fmt.the_event(event),
                times=fmt.times(len(wins)),
                years=", ".join(map(str, wins)),
            )
            if wins
            else t("answers.never_won", person=name, event=fmt.the_event(event))
        )
    counts.sort(key=lambda c: -c[0])
    person_facts(v, draft, q, topics=("records",))
    if any(ed.era == "revival" for n in q.people for ed, _ in v.wins.get(n, ())):
        draft.lines.append(_revival_gap(v, event))
    if counts[0][0] > counts[1][0]:
        draft.lines.insert(
            0,
            t("answers.records.more_wins", person=counts[0][1], n=counts[0][0], other=counts[1][0]),
        )
    elif counts[0][0] == counts[1][0]:
        draft.lines.insert(0, t("answers.records.tie", n=counts[0][0]))
    uses |= q.intent_at("winner", "count", "most")
    return draft, uses


def _groups(q: Query, ctx: Ctx, event: Event) -> Found:
    """Most wins, more than once: editions grouped by driver or by make."""
    more_than_once = "more_than_once" in q.ops
    v = ctx.view
    how_many_makes = {"count", "make"} <= q.intents and not q.makes and not q.people
    if how_many_makes:  # "how many different makes won?": the makes, counted
        return _makes_counted(q, ctx, event)
    if not (more_than_once or ("most" in q.intents and not q.people and not q.makes)):
        return None
    by_make = bool(q.intents & {"make"}) or ("car" in q.intents and not q.intents & {"winner"})
    if q.makes and not v.lex.role("people_words") & set(q.tokens):
        return None  # "did Lancia win more than once?" counts Lancia's wins (_filtered)
    uses = set(q.intent_at("most", "winner", "make", "car", "count") | q.op_at("more_than_once"))
    draft = Draft(0.0, topic="most-makes" if by_make else "most-wins")
    for sel in _per_era(q, v, event):
        counts = _counts(editions(v, sel), by_make)
        if not counts:
            continue
        uses |= sel.uses
        ranked = counts.most_common()
        if more_than_once:
            top = [(n, c) for n, c in ranked if c > 1]
            key = "answers.records.more_than_once"
        else:
            floor = ranked[min(2, len(ranked) - 1)][1]
            top = [(n, c) for n, c in ranked if c >= max(floor, 2)][:8] or ranked[:3]
            key = "answers.most_makes" if by_make else "answers.most_winners"
        listed = ", ".join(f"{name} ({n})" for name, n in top) or t("answers.records.nobody")
        era = " ".join(sel.said)
        draft.lines.append(t(key, era=sp(era), listed=listed))
        if sel.eras == ("revival",):
            draft.lines.append(_revival_gap(v, event))
    return (draft, uses) if draft.lines else None


def _makes_counted(q: Query, ctx: Ctx, event: Event) -> Found:
    """How many different makes won, per era, each with its wins."""
    v = ctx.view
    uses = set(q.intent_at("count", "make", "winner", "most"))
    uses |= q.words_in(v.lex.role("distinct_words"))
    draft = Draft(0.0, topic="most-makes")
    for sel in _per_era(q, v, event):
        counts = _counts(editions(v, sel), by_make=True)
        if not counts:
            continue
        uses |= sel.uses
        listed = ", ".join(f"{name} ({n})" for name, n in counts.most_common())
        era = " ".join(sel.said)
        draft.lines.append(
            t("answers.records.makes_counted", era=sp(era), n=len(counts), listed=listed)
        )
    return (draft, uses) if draft.lines else None


def _counts(eds: list[Edition], by_make: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ed in eds:
        # An ordered dict, not a set: ties keep the order of the records.
        names: dict[str, None] = {}
        for crew in ed.winners:
            if by_make and crew.make:
                names[crew.make] = None
            elif not by_make:
                names.update(
                    dict.fromkeys(clean_name(n) for n in (crew.driver, crew.co_driver) if n)
                )
        counts.update(names.keys())
    return counts


def _ordered(q: Query, ctx: Ctx, event: Event) -> Found:
    """First, last, fastest, slowest, longest, shortest, biggest or smallest field."""
    order = next((o for o in ORDERS if o in q.ops), None)
    biggest = "biggest" in q.intents
    if order is None and not biggest:
        return None
    if biggest and _about_a_car(q, ctx.view):
        return None  # "the smallest car ever": a car, not the smallest field
    if order in ("first", "last") and not (
        q.makes
        or q.people
        or q.eras
        or q.year_range
        or q.ops & {"before_war", "after_war", "solo", "above", "below", "except"}
    ):
        return None  # "the first Mille Miglia": the edition kind reads it by number
    v = ctx.view
    what, shown = projection(q)
    draft = Draft(0.0, topic="records")
    uses: set[int] = set(shown)
    # "Did Nuvolari win the very first Mille Miglia?" orders every edition, then asks whether
    # he won the one it picks; "when did Nuvolari first win?" orders his wins.
    asks_if = bool(q.tokens) and q.tokens[0] in v.lex.role("yes_no")
    checked = list(q.people) if asks_if and order in ("first", "last") else []
    among = replace(q, people=()) if checked else q
    sels = (
        _per_era(among, v, event)
        if biggest or order in ("fastest", "slowest", "longest", "shortest")
        else [select(among, v, event)]
    )
    if order in ("first", "last") and any(sel.days is not None for sel in sels):
        return None  # "the first four-day edition": a curated note says which, not the dates
    for sel in sels:
        eds = editions(v, sel)
        if biggest:
            smallest = bool(v.lex.role("smaller") & set(q.tokens))
            eds = [e for e in eds if e.starters is not None]
            if not eds:
                continue
            pick = (min if smallest else max)(eds, key=lambda e: e.starters or 0)
            key = "answers.smallest_field" if smallest else "answers.biggest_field"
            draft.lines.append(t(key, era=sp(" ".join(sel.said)), year=pick.year, n=pick.starters))
            conflict_lines(draft, pick, ("starters",))
            draft.add_sources(pick.sources, limit=2)
            uses |= sel.uses | q.intent_at("biggest", "field", "most")
            continue
        assert order is not None
        pick_one = _ORDER_PICK[order]
        candidates = [e for e in eds if _ORDER_VALUE[order](e) is not None]
        if not candidates:
            continue
        pick = pick_one(candidates, key=lambda e: _ORDER_VALUE[order](e) or 0.0)
        draft.lines.append(
            t(
                "answers.records.ordered",
                order=t(f"answers.records.order.{order}"),
                set=sel.header(),
                year=pick.year,
                value=value(pick, what),
            )
        )
        if order in ("fastest", "slowest") and what != "speed":
            draft.lines.append(
                t(
                    "answers.edition.average_speed",
                    of_edition=fmt.the_edition(event, pick, "of_edition"),
                    speed=pick.average_speed,
                )
            )
        draft.add_sources(pick.sources, limit=2)
        draft.edition = pick.key if len(sels) == 1 else None  # "who won it?" asks about it
        if checked:
            won = any(_won_by(pick, p) for p in checked)
            draft.lines.insert(0, t("answers.records.answer_yes" if won else "answers.records.no"))
            uses |= q.at("person")
        uses |= sel.uses | q.op_at(order) | q.at("ordinal") | q.intent_at("winner")
        if order in ("fastest", "slowest"):
            uses |= q.intent_at("speed")
        if order in ("longest", "shortest"):
            uses |= q.intent_at("distance")
    return (draft, uses) if draft.lines else None


_ORDER_PICK: dict[str, Callable[..., Edition]] = {
    "first": min,
    "last": max,
    "fastest": max,
    "slowest": min,
    "longest": max,
    "shortest": min,
}
_ORDER_VALUE: dict[str, Callable[[Edition], float | None]] = {
    "first": lambda e: float(e.year),
    "last": lambda e: float(e.year),
    "fastest": speed_of,
    "slowest": speed_of,
    "longest": lambda e: e.distance_km,
    "shortest": lambda e: e.distance_km,
}


def _filtered(q: Query, ctx: Ctx, event: Event) -> Found:
    """List, count or yes/no over the editions the filters select."""
    v = ctx.view
    sel = select(q, v, event)
    if not sel.uses and not q.intents & {"count", "list"}:
        return None
    if sel.person and not (q.ops & {"except", "solo", "above", "below"} or sel.span or sel.place):
        return None  # one person's wins: the people kind reads it
    # "Did Lancia win more than once?": the make's wins counted, yes when more than one.
    often = bool("more_than_once" in q.ops and sel.make and not sel.other_make)
    often = often and not v.lex.role("people_words") & set(q.tokens)
    counting = "count" in q.intents or often
    if "count" in q.intents and q.intents & {"distance", "speed", "time"} and not sel.uses:
        return None  # "how many km is it?" measures, it counts no editions
    asks_if = (bool(q.tokens) and q.tokens[0] in v.lex.role("yes_no")) or "ever" in q.ops
    yes_no = asks_if and not counting
    what, shown = projection(q)
    uses = set(sel.uses | shown | q.intent_at("winner", "count", "list"))
    if what == "winner" and "winner" in q.intents:
        uses |= q.intent_at("make")  # "which makes won": the list names each winner's car
    uses |= q.op_at("ever", "only", "compare")
    if often:
        uses |= q.op_at("more_than_once")
    total = 0
    whole = sel.eras or sel.span or sel.years or not _splits(event)
    sels = [sel] if whole else _per_era(q, v, event, base=sel)
    draft = Draft(0.0, topic="records")
    plain = not (sel.make or sel.person or sel.solo or sel.place or yes_no or counting)
    said_yes = False
    for part in sels:
        eds = editions(v, part, held_only=not plain)
        if what == "winner" and not plain:
            eds = [e for e in eds if e.winners]
        header = part.header()
        head = fmt.capital(header)  # at the start of a sentence
        if not eds:
            if len(sels) == 1 or (sel.make or sel.person):
                draft.lines.append(t("answers.records.none", set=header))
            continue
        years = ", ".join(str(e.year) for e in eds)
        said_yes = said_yes or any(e.winners for e in eds)
        total += len(eds)
        if yes_no:
            draft.lines.append(t("answers.records.yes", set=head, n=len(eds), years=years))
        elif counting and sel.make and not sel.other_make:
            draft.lines.append(
                t(
                    "answers.make_won",
                    make=sel.make,
                    event=fmt.the_event(event),
                    era=sp(" ".join(part.said[:-1] if part.said else [])),
                    times=fmt.times(len(eds)),
                    years=years,
                )
            )
        elif counting:
            draft.lines.append(t("answers.records.count", set=head, n=len(eds), years=years))
        else:
            held = [e for e in eds if e.status is Status.HELD]
            draft.lines.append(t("answers.records.list", set=head, n=len(held)))
            if "compare" in q.ops and what == "speed" and len(held) == 2:
                draft.lines.append(_faster_year(held))
            draft.lines.extend(_list_line(e, what) for e in eds)
        if part.eras == ("revival",) and what == "winner":
            draft.lines.append(_revival_gap(v, event))
    if not draft.lines:
        return None
    if yes_no:
        draft.lines.insert(0, t("answers.records.answer_yes" if said_yes else "answers.records.no"))
    elif often and asks_if:
        draft.lines.insert(
            0, t("answers.records.answer_yes" if total > 1 else "answers.records.no")
        )
    return draft, uses


def _faster_year(pair: list[Edition]) -> str:
    """'The 1931 winners were faster: 101.147 against 100.450 km/h.'"""
    known = [(speed_of(e), e) for e in pair]
    if any(s is None for s, _ in known):
        return ""
    (fast, ed), (slow, _) = sorted(known, key=lambda k: -(k[0] or 0.0))
    return t(
        "answers.records.faster_year",
        year=ed.year,
        fast=fmt.number(fast or 0.0, 3),
        slow=fmt.number(slow or 0.0, 3),
    )


def _list_line(ed: Edition, what: str) -> str:
    if ed.status is Status.NO_RACE:
        return t("answers.range.no_race", year=ed.year)
    if what == "winner" and not ed.winners:
        return t("answers.range.no_winner", year=ed.year)
    return t("answers.range.winner", year=ed.year, crews=value(ed, what))


def _splits(event: Event) -> bool:
    ids = {e.id for e in event.eras}
    return {"speed", "revival"} <= ids


def _consecutive(q: Query, ctx: Ctx, event: Event) -> Found:
    """Who won editions in a row ("three years in a row", "back to back", "di fila").

    Runs are of consecutive held editions, so 1938 and 1947 are not a run (1940 lies
    between); "three in a row" asks for runs of three or more, otherwise two will do.
    """
    if "consecutive" not in q.ops:
        return None
    v = ctx.view
    by_make = bool(q.makes or q.intents & {"make"}) and not v.lex.role("people_words") & set(
        q.tokens
    )
    at_least, number_at = _run_length(q)
    uses = set(q.op_at("consecutive") | q.intent_at("winner", "make", "count", "most") | number_at)
    draft = Draft(0.0, topic="records:consecutive")
    found_any = False
    for sel in _per_era(q, v, event):
        uses |= sel.uses
        # Runs over every edition, then those of the person or make asked about: Biondetti's
        # own wins alone would make 1938 and 1947 look consecutive.
        every = replace(sel, person=None, people=(), make=None, other_make=False)
        runs = _runs(editions(v, every), by_make, at_least)
        if sel.people:
            runs = [r for r in runs if r[0] in {clean_name(p) for p in sel.people}]
        if sel.make and not sel.other_make:
            runs = [r for r in runs if r[0] == sel.make]
        found_any = found_any or bool(runs)
        listed = "; ".join(
            t("answers.records.run", name=name, years=f"{run[0]}-{run[-1]}", n=len(run))
            for name, run in runs
        )
        draft.lines.append(
            t("answers.records.consecutive", era=sp(" ".join(sel.said)), listed=listed)
            if runs
            else t(
                "answers.records.consecutive",
                era=sp(" ".join(sel.said)),
                listed=t("answers.records.nobody"),
            )
        )
    if q.tokens and q.tokens[0] in v.lex.role("yes_no"):
        draft.lines.insert(
            0, t("answers.records.answer_yes" if found_any else "answers.records.no")
        )
    return draft, uses


def _run_length(q: Query) -> tuple[int, frozenset[int]]:
    """The run a question asks for ("three years in a row": 3) and where it says so."""
    numbers = lexicon().role("run_numbers")
    for i, token in enumerate(q.tokens):
        n = int(token) if token.isdigit() and len(token) == 1 else _WORD_RUNS.get(token)
        if n is not None and token in numbers | set("23456789"):
            return n, frozenset({i})
    return 2, frozenset()


_WORD_RUNS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "due": 2, "tre": 3, "quattro": 4,
    "cinque": 5, "sei": 6,
}  # fmt: skip


def _runs(eds: list[Edition], by_make: bool, at_least: int) -> list[tuple[str, list[int]]]:
    """Names that won consecutive editions, with the years of each run, longest first."""
    found: list[tuple[str, list[int]]] = []
    current: dict[str, list[int]] = {}
    for ed in eds:
        names: set[str] = set()
        for crew in ed.winners:
            if by_make:
                names.update([crew.make] if crew.make else [])
            else:
                names.update(clean_name(n) for n in (crew.driver, crew.co_driver) if n)
        for name in list(current):
            if name not in names:
                run = current.pop(name)
                if len(run) >= at_least:
                    found.append((name, run))
        for name in names:
            current.setdefault(name, []).append(ed.year)
    found.extend((n, run) for n, run in current.items() if len(run) >= at_least)
    found.sort(key=lambda item: (-len(item[1]), item[1][0]))
    return found


def _per_era(q: Query, v: View, event: Event, base: Selection | None = None) -> list[Selection]:
    """The selection, one per era when it names several ("in the speed race and in the
    revival"), or when it names none (the speed race and the revival apart)."""
    sel = base or select(q, v, event)
    if len(sel.eras) > 1:
        named = [e for e in event.eras if e.id in sel.eras]
        spans = {era_span(e) for e in named}
        rest = [s for s in sel.said if s not in spans]
        return [_era_part(sel, e, rest) for e in named]
    if sel.eras or sel.span or sel.years or not _splits(event):
        return [sel]
    return [_era_part(sel, e, sel.said) for e in event.eras if e.id in ("speed", "revival")]


def _era_part(sel: Selection, era: Era, said: list[str]) -> Selection:
    return Selection(
        **{**sel.__dict__, "eras": (era.id,), "said": [era_span(era), *said], "uses": set(sel.uses)}
    )


def _winners_by_name(eds: list[Edition]) -> dict[str, list[Edition]]:
    found: dict[str, list[Edition]] = defaultdict(list)
    for ed in eds:
        for crew in ed.winners:
            for name in (crew.driver, crew.co_driver):
                if name and ed not in found[clean_name(name)]:
                    found[clean_name(name)].append(ed)
    return found


def _revival_gap(v: View, event: Event) -> str:
    revival = [e for e in v.editions[event.id] if e.era == "revival" and e.status is Status.HELD]
    unknown = sum(1 for e in revival if not e.winners)
    return t("answers.revival_gap_note", known=len(revival) - unknown)


def _count_editions(q: Query, ctx: Ctx, event: Event) -> Found:
    """'How many editions have there been?' per era, with the latest's number."""
    tokens = set(q.tokens)
    if "count" not in q.intents or q.makes or q.people or "winner" in q.intents:
        return None
    if not (
        {"edition", "editions", "races", "edizioni", "times", "years"} & tokens
        or "list" in q.intents
    ):
        return None
    v = ctx.view
    draft = Draft(0.0, topic="count-editions")
    uses = set(q.intent_at("count", "list", "dates"))
    for sel in _per_era(q, v, event):
        eds = editions(v, sel)
        if not eds:
            continue
        uses |= sel.uses
        era = " ".join(sel.said)
        numbered = max((e for e in eds if e.number), key=lambda e: e.year, default=None)
        # The latest's number says how many there were in all, not in a span of years.
        spanned = sel.span is not None or bool(sel.years)
        if numbered and numbered.number and numbered.number > len(eds) and not spanned:
            draft.lines.append(
                t(
                    "answers.count_numbered",
                    name=event.name,
                    era=sp(era),
                    year=numbered.year,
                    ordinal=fmt.ordinal(numbered.number),
                    n=len(eds),
                )
            )
        else:
            draft.lines.append(
                t(
                    "answers.count_editions",
                    name=event.name,
                    era=sp(era),
                    n=len(eds),
                    first=eds[0].year,
                    last=eds[-1].year,
                )
            )
    return (draft, uses) if draft.lines else None


OPERATIONS: tuple[Callable[[Query, Ctx, Event], Found], ...] = (
    _no_race,
    _consecutive,
    _both_wars,
    _compare_people,
    _groups,
    _ordered,
    _count_editions,
    _filtered,
)
