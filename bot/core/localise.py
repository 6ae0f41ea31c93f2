"""The knowledge as an Italian reader sees it: the same model, its texts in Italian.

Editors write an Italian version beside each text a reply shows (``summary_it:`` beside
``summary:``, see knowledge/README.md). Rather than teach every handler to pick a language,
``localised`` builds, once per load, a second ``Knowledge`` of the same frozen dataclasses in
which those texts, the towns (Roma, not Rome) and the figures (157,65 km/h) are Italian. An
``Answerer`` over that view answers Italian users without knowing it is doing so.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.core.model import (
    Conflict,
    Crew,
    Edition,
    Era,
    Event,
    Fact,
    Knowledge,
    Leg,
    Person,
    Place,
    Report,
)

# "1,597" and "157.65" (never a bare year such as 1927): a figure with separators.
_FIGURE = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\d.,])\d+\.\d+(?![\d.])"
)


def italian_figures(text: str) -> str:
    """'1,597 km' -> '1.597 km', '157.65 km/h' -> '157,65 km/h'; years and times stay as they are."""
    return _FIGURE.sub(lambda m: m[0].translate(_SWAP), text)


_SWAP = str.maketrans({",": ".", ".": ","})


def localised(knowledge: Knowledge, lang: str) -> Knowledge:
    """``knowledge`` with its texts in ``lang`` (only Italian differs from the English files)."""
    if lang != "it":
        return knowledge
    towns = {p.name: _italian_name(p) for p in knowledge.places}
    return replace(
        knowledge,
        events=tuple(_event(e) for e in knowledge.events),
        editions=tuple(_edition(ed, towns) for ed in knowledge.editions),
        facts=tuple(_fact(f) for f in knowledge.facts),
        people=tuple(_person(p) for p in knowledge.people),
        reports=tuple(replace(r, **_texts(r)) for r in knowledge.reports),
        places=tuple(_place(p) for p in knowledge.places),
    )


def _texts(
    item: Event | Edition | Crew | Fact | Person | Report | Conflict | Era | Place | Leg,
) -> dict[str, Any]:
    return dict(item.italian)


def _conflicts(conflicts: tuple[Conflict, ...]) -> tuple[Conflict, ...]:
    return tuple(replace(c, **_texts(c)) for c in conflicts)


def _event(event: Event) -> Event:
    texts = _texts(event)
    texts.setdefault("since", italian_figures(event.since))
    eras = tuple(replace(era, **_texts(era)) for era in event.eras)
    return replace(event, **texts, eras=eras, conflicts=_conflicts(event.conflicts))


def _edition(ed: Edition, towns: dict[str, str]) -> Edition:
    texts = _texts(ed)
    for figure in ("winning_time", "average_speed"):
        value = getattr(ed, figure)
        if value is not None and figure not in texts:
            texts[figure] = italian_figures(value)
    return replace(
        ed,
        **texts,
        winners=tuple(replace(crew, **_texts(crew)) for crew in ed.winners),
        route=tuple(towns.get(town, town) for town in ed.route),
        legs=tuple(_leg(leg, towns) for leg in ed.legs),
        conflicts=_conflicts(ed.conflicts),
    )


def _leg(leg: Leg, towns: dict[str, str]) -> Leg:
    """A day of the route with its note in Italian and its towns by their Italian names."""

    def town(name: str | None) -> str | None:
        return towns.get(name, name) if name else name

    return replace(
        leg,
        **_texts(leg),
        to=town(leg.to) or leg.to,
        start=town(leg.start),
        via=tuple(towns.get(v, v) for v in leg.via),
        overnight=town(leg.overnight),
    )


def _fact(fact: Fact) -> Fact:
    texts = _texts(fact)
    question = texts.get("question", fact.question)
    # The Italian question is offered as a suggestion ("did you mean ..."): it must match.
    phrasings = fact.phrasings_it
    if isinstance(question, str) and question not in phrasings:
        phrasings = (*phrasings, question)
    return replace(fact, **texts, phrasings_it=phrasings, conflicts=_conflicts(fact.conflicts))


def _person(person: Person) -> Person:
    return replace(person, **_texts(person))


def _italian_name(place: Place) -> str:
    name = _texts(place).get("name", place.name)
    return name if isinstance(name, str) else place.name


def _place(place: Place) -> Place:
    """Roma named first, Rome kept as another name so an English spelling still matches; its
    note (said under a map) in Italian, and its coordinates kept, so Italian maps draw it."""
    texts = _texts(place)
    name = _italian_name(place)
    if name != place.name:
        texts["name"] = name
        texts["aliases"] = (place.name, *(a for a in place.aliases if a != name))
    return replace(place, **texts)
