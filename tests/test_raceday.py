"""Race days: /today and "where are they today?" on a clock before, during and after an edition.

The clock is injected; "today" is the calendar day in the event's own zone. The Mille Miglia
2026 has a sourced leg for each of its five days; the 1000 Millas Sport 2025 has dates but no
legs nor route, and the reply must say so instead of guessing.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.answer import Answerer
from bot.core.i18n import using
from bot.core.model import Knowledge
from bot.core.raceday import MAX_PHRASE, raceday_words
from bot.core.reminders import due_reminders, reminder_text, reminders_for
from bot.core.reply import Kind
from bot.core.whatsnext import whats_next_phrases

NO_LIVE = "I have no live timing or standings"
ROME = "+02:00"

# day, local date, the leg's line (its end), what tonight's line says
MM_2026_DAYS = [
    (
        1,
        "2026-06-09",
        "Tuesday 9 June 2026 (Europe/Rome): from Brescia via Lumezzane, Passo del "
        "Cavallo, Garda, Vicenza to Padova.",
        "today's leg ends in Padova.",
    ),
    (
        2,
        "2026-06-10",
        "Wednesday 10 June 2026 (Europe/Rome): from Padova via Ferrara, Modena, "
        "Reggio Emilia, Abetone to Montecatini Terme.",
        "today's leg ends in Montecatini Terme.",
    ),
    (
        3,
        "2026-06-11",
        "Thursday 11 June 2026 (Europe/Rome): via Versilia/Pietrasanta, Siena, "
        "Bolsena/Vico to Rome.",
        "today's leg ends in Rome.",
    ),
    (
        4,
        "2026-06-12",
        "Friday 12 June 2026 (Europe/Rome): via Assisi, Gubbio, Furlo to Rimini.",
        "today's leg ends in Rimini.",
    ),
    (
        5,
        "2026-06-13",
        "Saturday 13 June 2026 (Europe/Rome): via Cervia, Comacchio, Ferrara, Mantova to Brescia.",
        "Today is the last day: the finish is in Brescia.",
    ),
]


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


@pytest.mark.parametrize(("day", "local", "leg", "tonight"), MM_2026_DAYS)
@pytest.mark.parametrize("question", ["/today", "where are they today?", "where are they now"])
def test_each_day_of_the_mille_miglia_gives_that_days_leg(
    answerer: Answerer, question: str, day: int, local: str, leg: str, tonight: str
) -> None:
    reply = answerer.answer(question, at(f"{local}T10:00{ROME}"))
    assert reply.kind is Kind.ANSWER
    assert reply.lines[0] == f"Day {day} of 5 of the 2026 Mille Miglia, {leg}"
    assert tonight in reply.lines[1]
    assert reply.lines[-1].startswith(NO_LIVE)
    assert reply.sources[0].startswith("https://it.swap.it/")


@pytest.mark.parametrize(("day", "local", "leg", "tonight"), MM_2026_DAYS)
def test_where_they_sleep_tonight_leads_with_the_stop(
    answerer: Answerer, day: int, local: str, leg: str, tonight: str
) -> None:
    reply = answerer.answer("where do they sleep tonight?", at(f"{local}T21:00{ROME}"))
    assert tonight in reply.lines[0]
    if day < 5:  # the sources name where each day ends, not where the crews sleep
        assert reply.lines[0].startswith("My sources do not name tonight's stop")
    assert reply.lines[1].startswith(f"Day {day} of 5")


def test_today_is_the_day_in_the_events_zone_not_utc(answerer: Answerer) -> None:
    # 23:30 UTC on 10 June is 01:30 on 11 June in Brescia: day 3.
    reply = answerer.answer("/today", at("2026-06-10T23:30+00:00"))
    assert reply.lines[0].startswith("Day 3 of 5 of the 2026 Mille Miglia")


@pytest.mark.parametrize(
    ("moment", "first", "second"),
    [
        (
            "2026-05-01T09:00+02:00",
            "The 2026 Mille Miglia is not under way today: it runs 9-13 June 2026, starting in "
            "39 days.",
            "Day 1, Tuesday 9 June 2026: from Brescia via Lumezzane",
        ),
        (
            "2026-06-08T23:59+02:00",
            "The 2026 Mille Miglia is not under way today: it starts tomorrow (9-13 June 2026).",
            "Day 1, Tuesday 9 June 2026",
        ),
        (
            "2026-06-14T00:01+02:00",
            "Today there is no Mille Miglia under way; the latest, the 2026 Mille Miglia, was "
            "held 9-13 June 2026.",
            NO_LIVE,
        ),
        (
            "2026-12-01T12:00+01:00",
            "Today there is no Mille Miglia under way; the latest, the 2026 Mille Miglia, was "
            "held 9-13 June 2026.",
            NO_LIVE,
        ),
    ],
)
def test_before_and_after_the_edition_today_says_it_is_not_under_way(
    answerer: Answerer, moment: str, first: str, second: str
) -> None:
    reply = answerer.answer("where are they today?", at(moment))
    assert reply.lines[0] == first
    assert reply.lines[1].startswith(second)
    assert reply.lines[-1].startswith(NO_LIVE)


def test_a_named_overnight_stop_is_given(answerer: Answerer) -> None:
    reply = answerer.answer("where do they stop tonight?", at("2014-05-16T18:00+02:00"))
    assert reply.lines[0] == "Tonight's stop: Rome."
    assert reply.lines[1].startswith("Day 2 of 4 of the 2014 Mille Miglia")
    assert "quillandpad.com" in reply.sources[0]


def test_italian_today(answerer: Answerer) -> None:
    reply = answerer.answer("dove sono oggi?", at("2026-06-10T10:00+02:00"))
    assert reply.lines[0].startswith(
        "Giorno 2 di 5 della Mille Miglia 2026, mercoledì 10 giugno 2026 (Europe/Rome): da Padova"
    )
    assert reply.lines[-1].startswith("Non ho tempi in diretta né classifiche")


def test_standings_are_not_invented(answerer: Answerer) -> None:
    reply = answerer.answer("who is leading?", at("2026-06-11T15:00+02:00"))
    assert reply.lines[-1].startswith(NO_LIVE)
    assert reply.lines[0].startswith("Day 3 of 5")


# ----------------------------------------------------------------- which day a town is on


@pytest.mark.parametrize(
    ("question", "moment", "lines"),
    [
        (
            "when do they reach Rome?",
            "2026-06-01T10:00+02:00",
            [
                "Rome: day 3 of the 2026 Mille Miglia, Thursday 11 June 2026: via "
                "Versilia/Pietrasanta, Siena, Bolsena/Vico to Rome."
            ],
        ),
        (
            "what day is Siena?",
            "2026-06-10T10:00+02:00",
            [
                "Siena: day 3 of the 2026 Mille Miglia, Thursday 11 June 2026: via "
                "Versilia/Pietrasanta, Siena, Bolsena/Vico to Rome.",
                NO_LIVE,
            ],
        ),
        (
            "quando arrivano a Roma?",
            "2026-06-01T10:00+02:00",
            [
                "Rome: giorno 3 della Mille Miglia 2026, giovedì 11 giugno 2026: via "
                "Versilia/Pietrasanta, Siena, Bolsena/Vico a Rome."
            ],
        ),
        (
            "what day is Ferrara?",
            "2026-06-01T10:00+02:00",
            [
                "Ferrara: day 2 of the 2026 Mille Miglia, Wednesday 10 June 2026",
                "Ferrara: day 5 of the 2026 Mille Miglia, Saturday 13 June 2026",
            ],
        ),
        (
            "when do they reach Naples?",
            "2026-06-01T10:00+02:00",
            ["Naples is not on the route of the 2026 Mille Miglia in my sources."],
        ),
        (
            "when did they reach Bologna in 2014?",
            "2026-12-01T10:00+01:00",
            [
                "Bologna: day 3 of the 2014 Mille Miglia, Saturday 17 May 2014: from Rome to "
                "Bologna.",
                "Bologna: day 4",
                "Bologna is the overnight stop of day 3.",
            ],
        ),
        (
            "what day was Siena in 2014?",
            "2026-12-01T10:00+01:00",
            [
                "Siena is on the route of the 2014 Mille Miglia, but my sources do not say on "
                "which day."
            ],
        ),
        (
            "what day was Rome in 2021?",
            "2026-12-01T10:00+01:00",
            [
                "My sources do not give the day-by-day legs of the 2021 Mille Miglia; the whole "
                "route: Brescia - Viareggio - Rome - Bologna - Brescia."
            ],
        ),
    ],
)
def test_which_day_a_town_is_on(
    answerer: Answerer, question: str, moment: str, lines: list[str]
) -> None:
    reply = answerer.answer(question, at(moment))
    text = reply.text
    for line in lines:
        assert line in text, text
    assert reply.topic == "raceday-place"


# ----------------------------------------------------------------- a sister event without legs

MILLAS_DAYS = [(1, "2025-11-26"), (2, "2025-11-27"), (3, "2025-11-28"), (4, "2025-11-29")]


@pytest.mark.parametrize(("day", "local"), MILLAS_DAYS)
def test_a_sister_event_without_legs_says_so_each_day(
    answerer: Answerer, day: int, local: str
) -> None:
    reply = answerer.answer("/today 1000 millas", at(f"{local}T12:00-03:00"))
    assert reply.lines[0].startswith(f"Day {day} of 4 of the 2025 1000 Millas Sport")
    assert reply.lines[1] == (
        "My sources give neither the day-by-day legs nor the route of the 2025 1000 Millas Sport."
    )
    assert reply.kind is Kind.UNKNOWN
    assert reply.lines[-1].startswith(NO_LIVE)


@pytest.mark.parametrize(
    ("moment", "first"),
    [
        # 02:00 UTC on 26 November is still 25 November in Buenos Aires.
        (
            "2025-11-26T02:00+00:00",
            "The 2025 1000 Millas Sport is not under way today: it "
            "starts tomorrow (26-29 November 2025).",
        ),
        (
            "2025-12-05T12:00-03:00",
            "Today there is no 1000 Millas Sport under way; the latest, "
            "the 2025 1000 Millas Sport, was held 26-29 November 2025.",
        ),
    ],
)
def test_a_sister_event_before_and_after(answerer: Answerer, moment: str, first: str) -> None:
    reply = answerer.answer("/today 1000 Millas Sport", at(moment))
    assert reply.lines[0] == first


def test_today_asks_which_event_when_a_word_fits_two(answerer: Answerer) -> None:
    reply = answerer.answer("/today tribute", at("2026-06-10T10:00+02:00"))
    assert reply.kind is Kind.CLARIFY
    assert {b.ask for b in reply.buttons} >= {"/today ferrari-tribute"}


def test_today_with_garbage_gives_the_usage(answerer: Answerer) -> None:
    reply = answerer.answer("/today xyzzy plugh", at("2026-06-10T10:00+02:00"))
    assert reply.kind is Kind.UNKNOWN
    assert reply.lines[0].startswith("Usage: /today [event]")


@pytest.mark.parametrize(
    "question", ["who won in 1955?", "what day did the 1955 race start?", "what is the route?"]
)
def test_other_questions_are_not_race_day_questions(answerer: Answerer, question: str) -> None:
    reply = answerer.answer(question, at("2026-06-10T10:00+02:00"))
    assert not reply.topic.startswith("raceday")


# ----------------------------------------------------------------- daily reminders


def test_daily_reminders_name_the_days_leg(knowledge: Knowledge) -> None:
    event = next(e for e in knowledge.events if e.id == "mille-miglia")
    ed = knowledge.edition("mille-miglia", 2026)
    assert ed is not None
    days = [r for r in due_reminders(knowledge, "mille-miglia", at("2026-06-01T00:00+02:00"))]
    texts = {r.day_index: reminder_text(r, ed, event) for r in days if r.kind == "day"}
    assert texts[3].splitlines() == [
        "Day 3 of 5 of the Mille Miglia 2026 today, Thursday 11 June 2026 (Europe/Rome).",
        "Today's leg: via Versilia/Pietrasanta, Siena, Bolsena/Vico to Rome.",
    ]
    with using("it"):
        italian = reminder_text(next(r for r in days if r.day_index == 1), ed, event)
    assert "La tappa di oggi: da Brescia via Lumezzane" in italian


def test_a_daily_reminder_names_a_sourced_overnight_stop(knowledge: Knowledge) -> None:
    event = next(e for e in knowledge.events if e.id == "mille-miglia")
    ed = knowledge.edition("mille-miglia", 2014)
    assert ed is not None
    reminder = next(
        r for r in reminders_for(ed, event, at("2014-05-01T00:00+02:00")) if r.day_index == 2
    )
    assert reminder_text(reminder, ed, event).splitlines()[1] == (
        "Today's leg: from Abano to Rome. Tonight's stop: Rome."
    )


def test_a_day_without_a_leg_keeps_the_whole_route(knowledge: Knowledge) -> None:
    event = next(e for e in knowledge.events if e.id == "mille-miglia")
    ed = knowledge.edition("mille-miglia", 2021)
    assert ed is not None and not ed.legs
    reminder = next(
        r for r in reminders_for(ed, event, at("2021-06-01T00:00+02:00")) if r.kind == "day"
    )
    assert "my sources do not split it into daily stages" in reminder_text(reminder, ed, event)


# ----------------------------------------------------------------- one day by its number


@pytest.mark.parametrize(
    ("question", "lines"),
    [
        (
            "Where was the first in-race lunch stop planned on the first day of the 2026 edition?",
            [
                "Day 1 of the 2026 Mille Miglia, Tuesday 9 June 2026: from Brescia via Lumezzane, "
                "Passo del Cavallo, Garda, Vicenza to Padova.",
                "Lumezzane is the first in-race lunch stop.",
            ],
        ),
        (
            "the last day of the 2024 mille miglia",
            [
                "Day 5 of the 2024 Mille Miglia, Saturday 15 "
                "June 2024: from San Lazzaro di Savena to Brescia."
            ],
        ),
        (
            "la terza tappa del 2014?",
            [
                "Giorno 3 della Mille Miglia 2014, sabato 17 maggio 2014: da Rome a Bologna.",
                "Sosta per la notte: Bologna.",
            ],
        ),
    ],
)
def test_a_day_asked_by_its_number(answerer: Answerer, question: str, lines: list[str]) -> None:
    reply = answerer.answer(question, at("2026-11-23T12:00+00:00"))
    assert list(reply.lines[: len(lines)]) == lines


def test_a_day_of_an_edition_without_legs_is_left_to_other_answers(answerer: Answerer) -> None:
    reply = answerer.answer(
        "what happened on the first day of the 1955 race?", at("2026-11-23T12:00+00:00")
    )
    assert not reply.topic.startswith("raceday")


@pytest.mark.parametrize(
    "question",
    [
        "Who organises today's 1000 Miglia?",
        "Chi organizza oggi la 1000 Miglia?",
        "Which cars are allowed to enter today's 1000 Miglia?",
    ],
)
def test_today_meaning_nowadays_is_not_a_race_day_question(
    answerer: Answerer, question: str
) -> None:
    reply = answerer.answer(question, at("2026-06-10T10:00+02:00"))
    assert not reply.topic.startswith("raceday")


def test_asking_for_live_coverage_is_unknown_but_says_what_it_knows(answerer: Answerer) -> None:
    reply = answerer.answer(
        "which tv channel shows the mille miglia live", at("2026-06-10T10:00+02:00")
    )
    assert reply.kind is Kind.UNKNOWN
    assert reply.lines[-1].startswith(NO_LIVE)


def test_every_race_day_phrase_fits_the_grams_looked_up() -> None:
    words = raceday_words()
    phrases = [*words.today, *words.tonight, *words.place_day, *words.live, *whats_next_phrases()]
    assert max(len(p) for p in phrases) <= MAX_PHRASE
