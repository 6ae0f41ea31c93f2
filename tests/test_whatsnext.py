"""What is next everywhere: /next all and "what's next?" list every event's next edition."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.answer import Answerer
from bot.core.model import Knowledge

JANUARY = datetime.fromisoformat("2026-01-10T10:00+01:00")
DURING = datetime.fromisoformat("2026-06-11T10:00+02:00")
DECEMBER = datetime.fromisoformat("2026-12-01T10:00+01:00")


def test_next_all_lists_dated_editions_soonest_first_then_the_rest(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = answerer.answer("/next all", JANUARY)
    assert reply.title == "What is next, event by event (soonest first):"
    assert list(reply.lines[:5]) == [
        "Coppa delle Alpi 2026: 12-15 March 2026.",
        "1000 Miglia Experience 2026: 9-12 April 2026.",
        "Mille Miglia 2026: 9-13 June 2026.",
        "Ferrari Tribute to Mille Miglia 2026: announced; dates not announced yet.",
        "1000 Miglia Green 2026: announced; dates not announced yet.",
    ]
    assert "California Mille: next edition not announced yet (latest in my sources: 2018)." in (
        reply.lines
    )
    # every event once, plus the hint
    assert len(reply.lines) == len(knowledge.events) + 1
    for event in knowledge.events:
        assert sum(line.startswith(f"{event.name}") for line in reply.lines) >= 1
    assert reply.sources


def test_next_all_with_no_dates_announced_says_so_for_every_event(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = answerer.answer("/next all", DECEMBER)
    listed = list(reply.lines[:-1])
    assert len(listed) == len(knowledge.events)
    # No dates anywhere: editions announced without dates first, then the rest.
    assert listed[:2] == [
        "Ferrari Tribute to Mille Miglia 2026: announced; dates not announced yet.",
        "1000 Miglia Green 2026: announced; dates not announced yet.",
    ]
    assert all(
        line.endswith("not announced yet.") or "not announced yet (" in line for line in listed
    )
    assert "Mille Miglia: next edition not announced yet (latest in my sources: 2026)." in listed
    assert (
        "Aspettando la Mille Miglia: next edition not announced yet (no edition in my sources)."
        in listed
    )
    assert not reply.sources


def test_next_all_shows_the_edition_under_way_first(answerer: Answerer) -> None:
    reply = answerer.answer("/next all", DURING)
    assert reply.lines[0] == "Mille Miglia 2026: under way now, day 3 of 5 (9-13 June 2026)."


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("what's next?", "Coppa delle Alpi 2026: 12-15 March 2026."),
        ("what is coming up?", "Coppa delle Alpi 2026: 12-15 March 2026."),
        ("cosa c'è dopo?", "Coppa delle Alpi 2026: 12-15 marzo 2026."),
        ("/next tutti", "Coppa delle Alpi 2026: 12-15 marzo 2026."),
    ],
)
def test_whats_next_without_an_event_lists_every_event(
    answerer: Answerer, question: str, first: str
) -> None:
    reply = answerer.answer(question, JANUARY, lang="it" if "tutti" in question else None)
    assert reply.topic == "next-all"
    assert reply.lines[0] == first


@pytest.mark.parametrize(
    "question", ["/next", "when is the next one", "what's next for the California Mille?"]
)
def test_next_of_one_event_is_unchanged(answerer: Answerer, question: str) -> None:
    reply = answerer.answer(question, JANUARY)
    assert reply.topic != "next-all"
