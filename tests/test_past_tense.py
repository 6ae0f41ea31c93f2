"""Past is past: an edition still recorded as scheduled is told in the past once its dates are
over, in the event's zone; before (and while) it runs it stays "scheduled"."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.answer import Answerer

BEFORE = datetime.fromisoformat("2026-05-01T10:00+02:00")
LAST_DAY = datetime.fromisoformat("2026-06-13T23:00+02:00")
DAY_AFTER = datetime.fromisoformat("2026-06-14T00:30+02:00")
DECEMBER = datetime.fromisoformat("2026-12-01T10:00+01:00")

MM_HELD = "The 2026 Mille Miglia was held 9-13 June 2026; its result is not in my sources yet."


@pytest.mark.parametrize("now", [DAY_AFTER, DECEMBER])
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("when is the 2026 mille miglia?", MM_HELD),
        ("who won the 2026 mille miglia?", MM_HELD),
        ("/edition 2026", "Status: held; its result is not in my sources yet."),
        ("/edition 2020-2029", "2026 (result not in my sources yet)"),  # the year picker
        (
            "/edition 2026 coppa delle alpi",
            "Status: held; its result is not in my sources yet.",
        ),
        (
            "when was the 2026 coppa delle alpi?",
            "The 2026 Coppa delle Alpi was held 12-15 March 2026; its result is not in my "
            "sources yet.",
        ),
    ],
)
def test_an_edition_whose_dates_are_over_is_told_in_the_past(
    answerer: Answerer, now: datetime, question: str, expected: str
) -> None:
    reply = answerer.answer(question, now)
    assert expected in reply.text
    assert "scheduled" not in reply.text.lower()


@pytest.mark.parametrize("now", [BEFORE, LAST_DAY])
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "when is the 2026 mille miglia?",
            "The 2026 Mille Miglia is scheduled for 9-13 June 2026.",
        ),
        ("/edition 2026", "Status: scheduled; no result is in my sources yet."),
        ("/edition 2020-2029", "2026 (scheduled)"),  # the year picker
    ],
)
def test_until_its_last_day_is_over_it_is_scheduled(
    answerer: Answerer, now: datetime, question: str, expected: str
) -> None:
    reply = answerer.answer(question, now)
    assert expected in reply.text
    assert "was held" not in reply.text


def test_italian_past(answerer: Answerer) -> None:
    reply = answerer.answer("quando si è corsa la mille miglia 2026?", DECEMBER)
    assert (
        "La Mille Miglia 2026 si è svolta il 9-13 giugno 2026; il suo risultato non è ancora nelle "
        "mie fonti." in reply.text
    )
    assert "in programma" not in reply.text


def test_about_counts_only_editions_still_ahead_as_scheduled(answerer: Answerer) -> None:
    before = answerer.answer("/about", BEFORE).lines[0]
    after = answerer.answer("/about", DECEMBER).lines[0]
    assert "and 3 scheduled" in before  # the 2026 Mille Miglia, Ferrari Tribute and Green
    assert "and 2 scheduled" in after  # the Ferrari Tribute and Green 2026, without dates
