"""Yearly sister events: a year the knowledge does not hold is a gap in the sources, never a
year "with no race" nor one "not announced yet" when it is already past."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.answer import Answerer
from bot.core.model import Knowledge
from bot.core.reply import Kind

NOW = datetime.fromisoformat("2026-12-01T10:00+01:00")

ANNUAL = {
    "california-mille": 1991,
    "1000-millas-sport": 1989,
    "la-festa-mille-miglia": 1997,
    "ferrari-tribute": 2010,
    "1000-miglia-green": 2019,
}


@pytest.mark.parametrize(("event_id", "since"), sorted(ANNUAL.items()))
def test_yearly_events_have_an_era_with_its_first_year(
    knowledge: Knowledge, event_id: str, since: int
) -> None:
    event = next(e for e in knowledge.events if e.id == event_id)
    assert [(era.id, era.annual_from) for era in event.eras] == [("annual", since)]
    assert all(ed.era == "annual" for ed in knowledge.editions_of(event_id))


@pytest.mark.parametrize(
    ("question", "name", "since", "year"),
    [
        ("who won the california mille in 2005?", "The California Mille", 1991, 2005),
        ("california mille 2022", "The California Mille", 1991, 2022),
        ("1000 millas sport 2010", "The 1000 Millas Sport", 1989, 2010),
        ("la festa mille miglia 2005", "La Festa Mille Miglia", 1997, 2005),
        ("who won the ferrari tribute in 2015?", "The Ferrari Tribute to Mille Miglia", 2010, 2015),
        ("1000 miglia green 2021", "The 1000 Miglia Green", 2019, 2021),
    ],
)
def test_a_missing_year_of_a_yearly_event_is_no_record_not_no_event(
    answerer: Answerer, question: str, name: str, since: int, year: int
) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is Kind.UNKNOWN
    assert reply.lines[0] == (
        f"{name} has run every year since {since}, but my sources have no record of the {year} "
        "edition; that does not mean it did not take place."
    )
    assert "no race" not in reply.text and "not announced" not in reply.text


def test_in_italian(answerer: Answerer) -> None:
    reply = answerer.answer("chi ha vinto la california mille nel 2005?", NOW)
    assert reply.lines[0] == (
        "La California Mille si corre ogni anno dal 1991, ma le mie fonti non hanno notizia "
        "dell'edizione 2005; questo non vuol dire che non si sia corsa."
    )


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("1000 miglia green 2018", "The 1000 Miglia Green did not exist yet in 2018"),
        ("california mille 2027", "No 2027 California Mille is announced in my sources yet."),
    ],
)
def test_before_the_first_year_and_after_today_are_still_told_apart(
    answerer: Answerer, question: str, line: str
) -> None:
    assert answerer.answer(question, NOW).lines[0].startswith(line)
