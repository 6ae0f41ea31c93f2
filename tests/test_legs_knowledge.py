"""Legs in the knowledge: ``millebot validate`` checks each day against the edition's dates.

Each defect is one text edit of the small knowledge base; the expected ``file:line: where:``
is computed from the edited text, as in test_validate.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.core.model import Knowledge
from tests.test_validate import EDITIONS, Defect, apply, expected_prefix, run_validate, substitute

DATED = "    end: 2026-06-13\n"


def legs(*lines: str) -> str:
    return DATED + "    legs:\n" + "".join(line + "\n" for line in lines)


def leg(day: int, when: str, extra: str = "") -> str:
    return (
        f"      - day: {day}\n        date: {when}\n        to: Rome{extra}\n"
        "        sources: [https://1000miglia.it/en/]"
    )


LEG_DEFECTS = [
    Defect(
        "leg-date-not-its-day",
        EDITIONS,
        substitute(DATED, legs(leg(2, "2026-06-11"))),
        "day: 2",
        "editions[2].legs[0].date",
        "2026-06-11 is not day 2 of the edition (that is 2026-06-10)",
        marker_after="legs:",
    ),
    Defect(
        "leg-day-outside-edition",
        EDITIONS,
        substitute(DATED, legs(leg(6, "2026-06-14"))),
        "day: 6",
        "editions[2].legs[0].day",
        "day 6 is outside the edition's 5 day(s)",
    ),
    Defect(
        "leg-day-twice",
        EDITIONS,
        substitute(
            DATED, legs(leg(1, "2026-06-09"), leg(1, "2026-06-09", "\n        via: [Brescia]"))
        ),
        "day: 1",
        "editions[2].legs[1].day",
        "day 1 has two legs",
        marker_after="to: Rome",
    ),
    Defect(
        "leg-days-out-of-order",
        EDITIONS,
        substitute(DATED, legs(leg(2, "2026-06-10"), leg(1, "2026-06-09"))),
        "day: 1",
        "editions[2].legs[1].day",
        "day 1 comes after day 2",
        marker_after="legs:",
    ),
    Defect(
        "legs-without-edition-dates",
        EDITIONS,
        substitute(
            "    reason: The race was banned after the accident in Bologna in 1938.\n",
            "    reason: The race was banned after the accident in Bologna in 1938.\n"
            "    legs:\n" + leg(1, "1939-04-02") + "\n",
        ),
        "day: 1",
        "editions[1].legs[0].day",
        "legs need the edition's start and end dates",
    ),
    Defect(
        "leg-without-sources",
        EDITIONS,
        substitute(
            DATED,
            DATED + "    legs:\n      - day: 1\n        date: 2026-06-09\n        to: Rome\n",
        ),
        "day: 1",
        "editions[2].legs[0].sources",
        "required field is missing",
        marker_after="legs:",
    ),
    Defect(
        "leg-town-not-in-places",
        EDITIONS,
        substitute(DATED, legs(leg(1, "2026-06-09", "\n        via: [Lumezzane]"))),
        "day: 1",
        "editions[2].legs[0].via[0]",
        "'Lumezzane' is not in places.yaml; add it with lat, lon and source",
    ),
    Defect(
        "leg-overnight-not-in-places",
        EDITIONS,
        substitute(DATED, legs(leg(1, "2026-06-09", "\n        overnight: Padova"))),
        "day: 1",
        "editions[2].legs[0].overnight",
        "'Padova' is not in places.yaml",
    ),
    Defect(
        "event-conflict-unknown-field",
        "events.yaml",
        substitute(
            "    sources:\n      - seed\n",
            "    conflicts:\n      - field: wheer\n        text: Two sources differ.\n"
            "        text_it: Due fonti non concordano.\n"
            "    sources:\n      - seed\n",
        ),
        "field: wheer",
        "events[1].conflicts[0].field",
        "unknown field 'wheer'",
    ),
]


@pytest.mark.parametrize("defect", [pytest.param(d, id=d.id) for d in LEG_DEFECTS])
def test_leg_defect_is_reported_with_file_line_and_field(
    defect: Defect, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = apply(kb_dir, defect)
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    prefix = expected_prefix(defect, line)
    assert [o for o in out if o.startswith(prefix) and defect.what in o], "\n".join(out)
    assert len(out) == 1, "\n".join(out)


def test_valid_legs_are_loaded(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apply(kb_dir, Defect("ok", EDITIONS, substitute(DATED, legs(leg(1, "2026-06-09"))), "", "", ""))
    code, out = run_validate(kb_dir, capsys)
    assert code == 0, "\n".join(out)


# ----------------------------------------------------------------- the real legs


LEGGED = {2014: 4, 2016: 4, 2023: 5, 2024: 5, 2025: 5, 2026: 5}


@pytest.mark.parametrize("year", sorted(LEGGED))
def test_recent_mille_miglia_editions_have_a_sourced_leg_per_day(
    knowledge: Knowledge, year: int
) -> None:
    ed = knowledge.edition("mille-miglia", year)
    assert ed is not None and ed.start is not None
    assert [leg.day for leg in ed.legs] == list(range(1, LEGGED[year] + 1))
    for leg in ed.legs:
        assert leg.date == ed.start + timedelta(days=leg.day - 1)
        assert leg.sources and all(s.startswith("http") for s in leg.sources)
    assert ed.legs[-1].to == "Brescia"


def test_2026_legs_follow_the_announced_lines(knowledge: Knowledge) -> None:
    ed = knowledge.edition("mille-miglia", 2026)
    assert ed is not None
    assert [leg.to for leg in ed.legs] == [
        "Padova",
        "Montecatini Terme",
        "Rome",
        "Rimini",
        "Brescia",
    ]
    assert "Siena" in ed.legs[2].via
    assert ed.legs[0].date == date(2026, 6, 9)
    # The sources do not name the overnight stops of 2026: none is invented.
    assert all(leg.overnight is None for leg in ed.legs)
