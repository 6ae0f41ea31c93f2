"""The real knowledge base: what it must contain, checked against the seed page where possible."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from bot.core.model import Knowledge, Status

# The seed page lives beside the checkout, in ../shared/seed (it is not ours to commit).
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"

# The 15 news reports of the seed page, as knowledge/reports.yaml spells them (en dash "–").
SEED_TITLES = (
    "Mille Miglia 2015 Information",
    "Mille Miglia 2014 – Picture Gallery",
    "Mille Miglia 2014 – Report and Photos",
    "California Mille 2014 – Report and Photos",
    "BMW Classic at 1000 Millas Sport 2013",
    "Mille Miglia 2014 Taking Shape",
    "La Festa Mille Miglia 2013 – Report and Photos",
    "Ferrari Tribute to Mille Miglia 2013 – Report and Photos",
    "BMW 328 Featured at 2013 Mille Miglia",
    "Blower Bentley Team Car Featured at 2013 Mille Miglia",
    "Mille Miglia 2013 – Photo Gallery",
    "Mille Miglia 2013 – Report and Photos",
    "Mille Miglia 2013 – Results and Pictures",
    "Mille Miglia Concorso 2013 – Report and Photos",
    "Mille Miglia Partners with Mercedes-Benz",
)

SPEED_RACE_YEARS = (*range(1927, 1939), 1940, *range(1947, 1958))
NO_RACE_YEARS = (1939, *range(1941, 1947))


def normalise_dashes(text: str) -> str:
    return re.sub(r"\s*[\u2010-\u2015-]\s*", " - ", text)


def seed_lines() -> set[str]:
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        missing = f"no seed page in {SEED_DIR} (the checkout's ../shared/seed)"
        if os.environ.get("CI"):  # CI must check the titles, not quietly skip them
            pytest.fail(missing)
        pytest.skip(missing)
    return {
        normalise_dashes(line.strip())
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }


def test_seed_titles_are_unique_and_fifteen() -> None:
    assert len(set(SEED_TITLES)) == 15


@pytest.mark.parametrize("title", SEED_TITLES)
def test_seed_title_is_a_line_of_the_seed_page(title: str) -> None:
    assert normalise_dashes(title) in seed_lines()


def test_every_seed_report_is_present(knowledge: Knowledge) -> None:
    titles = [r.title for r in knowledge.reports]
    assert sorted(titles) == sorted(SEED_TITLES)


def test_every_report_names_an_existing_edition(knowledge: Knowledge) -> None:
    for report in knowledge.reports:
        assert knowledge.edition(report.event, report.year) is not None, report.id


def test_speed_race_has_24_editions(knowledge: Knowledge) -> None:
    assert len(SPEED_RACE_YEARS) == 24
    held = [e.year for e in knowledge.editions_of("mille-miglia") if e.era == "speed" and e.winners]
    assert held == list(SPEED_RACE_YEARS)


@pytest.mark.parametrize("year", SPEED_RACE_YEARS)
def test_speed_race_edition_was_held_with_a_winner(knowledge: Knowledge, year: int) -> None:
    edition = knowledge.edition("mille-miglia", year)
    assert edition is not None
    assert edition.status is Status.HELD
    assert edition.winners and edition.winners[0].driver
    assert edition.sources


@pytest.mark.parametrize("year", NO_RACE_YEARS)
def test_year_without_race_is_recorded_with_a_reason(knowledge: Knowledge, year: int) -> None:
    edition = knowledge.edition("mille-miglia", year)
    assert edition is not None
    assert edition.status is Status.NO_RACE
    assert edition.reason and edition.reason.strip()
    assert not edition.winners


def test_2026_is_scheduled_for_9_to_13_june(knowledge: Knowledge) -> None:
    edition = knowledge.edition("mille-miglia", 2026)
    assert edition is not None
    assert edition.status is Status.SCHEDULED
    assert edition.start is not None and edition.start.isoformat() == "2026-06-09"
    assert edition.end is not None and edition.end.isoformat() == "2026-06-13"
    assert not edition.winners


def test_every_item_has_a_source(knowledge: Knowledge) -> None:
    missing = (
        [f"event {e.id}" for e in knowledge.events if not e.sources]
        + [f"edition {e.key}" for e in knowledge.editions if not e.sources]
        + [f"report {r.id}" for r in knowledge.reports if not r.sources]
        + [f"fact {f.id}" for f in knowledge.facts if not f.sources]
        + [f"person {p.id}" for p in knowledge.people if not p.sources]
    )
    assert missing == []


def test_at_least_40_facts(knowledge: Knowledge) -> None:
    assert len(knowledge.facts) >= 40


def test_every_fact_has_three_phrasings_in_both_languages(knowledge: Knowledge) -> None:
    short = [f.id for f in knowledge.facts if len(f.phrasings) < 3]
    no_italian = [f.id for f in knowledge.facts if not f.phrasings_it]
    no_english = [f.id for f in knowledge.facts if not f.phrasings_en]
    assert (short, no_italian, no_english) == ([], [], [])


def test_ids_are_unique(knowledge: Knowledge) -> None:
    for kind in ("events", "reports", "facts", "people"):
        ids = [item.id for item in getattr(knowledge, kind)]
        assert len(ids) == len(set(ids)), kind


def test_rome_is_roma(knowledge: Knowledge) -> None:
    rome = next(p for p in knowledge.places if p.name == "Rome")
    assert "Roma" in rome.aliases


def test_the_seed_page_is_found_beside_the_checkout() -> None:
    checkout = Path(__file__).resolve().parents[1]
    assert checkout.parent / "shared" / "seed" == SEED_DIR


def test_without_the_seed_page_ci_fails_and_a_laptop_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SEED_DIR", tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no seed page"):
        seed_lines()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no seed page"):
        seed_lines()
