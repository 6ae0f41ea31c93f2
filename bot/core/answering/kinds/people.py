"""People: how many times someone won, with which crews and cars, and who they were."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from bot.core import formatting as fmt
from bot.core.answering import scores
from bot.core.answering.compose import attach
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.i18n import t
from bot.core.model import Edition, Event
from bot.core.reply import Draft
from bot.core.understand import Query


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    if not q.people or q.years:
        return
    v = ctx.view
    event = v.event_of(q.events[0] if q.events else None)
    if event is None:
        return
    names = q.at("person") | q.at("event")
    if q.intents & {"count", "most", "winner"}:
        draft = count_wins(v, q, event)
        uses = (
            names | q.intent_at("count", "most", "winner", "list", "make", "car") | q.op_at("ever")
        )
        uses |= q.at(*(f"era:{e}" for e in q.eras))
        yield Reading("people:wins", draft, uses, scores.PRIOR_RECORD, strength=1)
    if q.intents & {"co_driver", "car"}:
        draft = crews(v, q, event)
        if draft.lines:
            uses = names | q.intent_at("co_driver", "car", "winner")
            yield Reading("people:crews", draft, uses, scores.PRIOR_RECORD, strength=1)
    card = person_card(v, q)
    if card is not None:
        uses = q.at("person") | q.intent_at("who_is", "what_is", "history")
        yield Reading("people:card", card, uses, scores.PRIOR_CARD)


def wins_of(v: View, name: str, event: Event, q: Query) -> list[tuple[Edition, str]]:
    return sorted(
        (
            (ed, role)
            for ed, role in v.wins.get(name, ())
            if ed.event == event.id and (not q.eras or ed.era in q.eras)
        ),
        key=lambda w: w[0].year,
    )


def count_wins(v: View, q: Query, event: Event) -> Draft:
    draft = Draft(0.0, topic="count-wins")
    for name in q.people:
        here = event
        wins = wins_of(v, name, event, q)
        if not wins and not q.events:  # no event named: the one they did win
            here, wins = _elsewhere(v, name, q) or (event, wins)
        the_event = fmt.the_event(here)
        if not wins:
            draft.lines.append(t("answers.never_won", person=name, event=the_event))
            continue
        years = ", ".join(
            t("answers.as_co_driver", year=ed.year) if role == "co-driver" else f"{ed.year}"
            for ed, role in wins
        )
        draft.lines.append(
            t(
                "answers.won_times",
                person=name,
                event=the_event,
                times=fmt.times(len(wins)),
                years=years,
            )
        )
        for ed, _ in wins:
            draft.add_sources(ed.sources, limit=2)
        if q.intents & {"car", "make"} or len(wins) <= 2:
            draft.lines.extend(
                f"{ed.year}: {fmt.crew_text(c)}." for ed, _ in wins for c in ed.winners
            )
    person_facts(v, draft, q, topics=("records",))
    return draft


def _elsewhere(v: View, name: str, q: Query) -> tuple[Event, list[tuple[Edition, str]]] | None:
    """The event someone won most often, when it is not the one asked about by default:
    "what did Daniel Erejomovich win?" is the 1000 Millas Sport."""
    best: tuple[Event, list[tuple[Edition, str]]] | None = None
    for other in v.events.values():
        wins = wins_of(v, name, other, q)
        if wins and (best is None or len(wins) > len(best[1])):
            best = (other, wins)
    return best


def crews(v: View, q: Query, event: Event) -> Draft:
    draft = Draft(0.0, topic="person-crews")
    for name in q.people:
        for ed, _ in wins_of(v, name, event, q):
            for crew in ed.winners:
                draft.lines.append(f"{ed.year}: {fmt.crew_text(crew)}.")
            attach(v, draft, ed)
    return draft


def person_card(v: View, q: Query) -> Draft | None:
    name = q.people[0]
    person = v.people.get(name)
    draft = Draft(0.0, title=name, topic="person")
    if person:
        draft.lines.append(person.summary)
        draft.add_sources(person.sources, limit=1)
    by_event: dict[str, list[Edition]] = defaultdict(list)
    for ed, _ in sorted(v.wins.get(name, ()), key=lambda w: w[0].year):
        by_event[ed.event].append(ed)
    for event_id, eds in list(by_event.items())[:4]:  # a card stays short
        ev = v.events[event_id]
        listed = "; ".join(
            f"{ed.year}" + (f" ({ed.winners[0].car})" if ed.winners[0].car else "") for ed in eds
        )
        draft.lines.append(
            t("answers.card_won", event=fmt.the_event(ev), times=fmt.times(len(eds)), listed=listed)
        )
        for ed in eds:
            draft.reports.extend(v.reports.get(ed.key, []))
            draft.add_sources(ed.sources, limit=2)
    if not draft.lines:
        return None
    return draft


def person_facts(
    v: View, draft: Draft, q: Query, topics: tuple[str, ...] | None, limit: int = 2
) -> None:
    ids = {pid for pid, key in v.catalog.person_ids.items() if key in q.people}
    added = 0
    for fact in v.knowledge.facts:
        if added >= limit:
            return
        wanted = ids & set(fact.people) and (topics is None or fact.topic in topics)
        if wanted and fact.answer not in draft.lines:
            draft.lines.append(fact.answer)
            draft.add_sources(fact.sources, limit=3)
            added += 1
