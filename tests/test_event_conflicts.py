"""Event-level conflicts reach the replies that show the value they concern.

Every conflict recorded on an event in the real knowledge must have a question here whose reply
carries it, so a new event conflict without one fails the completeness test.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.answer import Answerer
from bot.core.model import Knowledge

NOW = datetime.fromisoformat("2026-12-01T10:00+01:00")

# (event id, start of the conflict's text) -> questions whose replies must carry it
REACHES: dict[tuple[str, str], list[str]] = {
    ("1000-millas-sport", "Move to Patagonia"): [
        "when did the 1000 millas sport move to patagonia?",
        "where is the 1000 millas sport?",
    ],
    ("1000-millas-sport", "Eligible cars built"): [
        "what cars can enter the 1000 millas sport?",
        "which cars are eligible for the mil millas?",
    ],
    ("1000-millas-sport", "Tonconogy's tally"): [
        "who won the 2018 1000 millas sport?",
        "/edition 2018 1000-millas-sport",
    ],
    ("mercedes-benz-tribute", "Mercedes-Benz.com says"): ["what is the mercedes-benz tribute?"],
    ("la-festa-mille-miglia", "Route length"): [
        "how long is la festa mille miglia?",
        "what is la festa mille miglia?",
    ],
    ("la-festa-mille-miglia", "Start year"): ["when did la festa mille miglia start?"],
    ("mille-miglia", "Who founded it"): ["who founded the mille miglia?"],
    ("mille-miglia", 'Why "miles"'): ["why is it called mille miglia?"],
    ("mille-miglia", "Total historic editions"): ["how many editions of the mille miglia?"],
    ("mille-miglia", "Post-1957 rally-format"): ["how many editions of the mille miglia?"],
    ("mille-miglia", "Revival numbering and cadence"): [
        "how many revival editions of the mille miglia?"
    ],
    ("california-mille", "2014 dates"): ["/edition 2014 california-mille"],
    ("california-mille", "Start day"): ["what is the california mille?"],
    ("california-mille", '"Recognised by the Mille Miglia organisation"'): [
        "what is the california mille?"
    ],
    ("ferrari-tribute", "Sports Car Digest's report says nearly 115"): [
        "/edition 2013 ferrari-tribute",
        "who won the 2013 ferrari tribute?",
    ],
    ("warm-up-usa", "Warm Up USA first edition"): ["when did the warm up usa start?"],
    ("north-america-tribute", "2011 dates"): ["/edition 2011 north-america-tribute"],
}


def _cases() -> list[object]:
    return [
        pytest.param(event, start, q, id=f"{event}:{start[:20]}:{q}")
        for (event, start), questions in REACHES.items()
        for q in questions
    ]


def test_every_event_conflict_has_a_question_here(knowledge: Knowledge) -> None:
    recorded = {(e.id, c.text) for e in knowledge.events for c in e.conflicts}
    covered = {
        (event, text)
        for event, text in recorded
        for (e, start) in REACHES
        if e == event and text.startswith(start)
    }
    assert covered == recorded, recorded - covered


@pytest.mark.parametrize(("event", "start", "question"), _cases())
def test_event_conflict_reaches_the_reply(
    answerer: Answerer, knowledge: Knowledge, event: str, start: str, question: str
) -> None:
    assert any(
        c.text.startswith(start) for e in knowledge.events if e.id == event for c in e.conflicts
    )
    reply = answerer.answer(question, NOW)
    # The event's own words, or a fact's restatement of the same disagreement (founders, miles)
    assert any(line.startswith(f"Sources differ: {start}") for line in reply.lines), reply.text


def test_a_conflict_is_said_once_even_when_an_edition_restates_it(answerer: Answerer) -> None:
    reply = answerer.answer("when was the 2011 north america tribute?", NOW)
    assert sum(line.startswith("Sources differ:") for line in reply.lines) == 1


def test_no_conflict_where_its_value_is_not_shown(answerer: Answerer) -> None:
    for question in ("who won in 1957", "what is the mille miglia?", "where is la festa?"):
        reply = answerer.answer(question, NOW)
        assert not any(line.startswith("Sources differ:") for line in reply.lines), question


def test_in_italian(answerer: Answerer) -> None:
    reply = answerer.answer("quali auto possono partecipare alla 1000 millas sport?", NOW)
    assert any(line.startswith("Le fonti non concordano: Eligible cars") for line in reply.lines)
