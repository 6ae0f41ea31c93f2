"""Slash commands and inline search as a user meets them, against the real knowledge base.

Every expectation that depends on the data (years, counts, which editions have reports) is
computed from the loaded knowledge, so these tests keep meaning the same thing as it grows.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answer import Answerer
from bot.core.commands import COMMANDS
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import catalogue
from bot.core.model import Knowledge, Status
from bot.core.reply import Button, Kind, Reply
from bot.core.search import MAX_HITS, search

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
NO_RACE_YEARS = (1939, 1941, 1942, 1943, 1944, 1945, 1946)
TRIBUTES = (
    "Ferrari Tribute to Mille Miglia",
    "Mercedes-Benz Tribute to Mille Miglia",
    "Mille Miglia North America Tribute",
)
FOLLOW_UP_LABELS = {"Route", "Winners", "Reports", "Card", "Map"}


def ask(answerer: Answerer, text: str) -> Reply:
    return answerer.answer(text, NOW)


def labels(reply: Reply) -> list[str]:
    return [b.label for b in reply.buttons]


def years_in(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"\b\d{4}\b", text)]


def held_years(knowledge: Knowledge, event_id: str) -> list[int]:
    """The years on record for an event, no-race years left out, newest first."""
    return sorted(
        (
            e.year
            for e in knowledge.editions
            if e.event == event_id and e.status is not Status.NO_RACE
        ),
        reverse=True,
    )


# ----------------------------------------------------------------- /start


def test_start_welcomes_with_three_example_questions_that_get_answers(answerer: Answerer) -> None:
    reply = ask(answerer, "/start")
    assert reply.kind is Kind.ANSWER
    assert reply.title == "Welcome to the Mille Miglia bot"
    assert len(reply.buttons) == 3
    assert [b.ask for b in reply.buttons] == list(catalogue("en").words("answers.examples"))
    for button in reply.buttons:
        answered = ask(answerer, button.ask)
        assert answered.kind is Kind.ANSWER, f"{button.ask!r} -> {answered.text}"
    for command in COMMANDS:
        assert f"/{command.name}" in reply.text


@pytest.mark.parametrize(
    ("text", "key", "title", "dates"),
    [
        ("/start ed-2014", "mille-miglia/2014", "Mille Miglia 2014", "15-18 May 2014"),
        (
            "/start ed-2014-california-mille",
            "california-mille/2014",
            "California Mille 2014",
            "27 April - 1 May 2014",
        ),
        ("/start@SomeBot ed-2014", "mille-miglia/2014", "Mille Miglia 2014", "15-18 May 2014"),
        ("/start ED-2014", "mille-miglia/2014", "Mille Miglia 2014", "15-18 May 2014"),
    ],
)
def test_start_deep_link_opens_the_edition_card(
    answerer: Answerer, text: str, key: str, title: str, dates: str
) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.ANSWER
    assert reply.edition == key
    assert reply.title is not None and reply.title.startswith(title), reply.title
    assert f"Dates: {dates}" in reply.lines, reply.text


@pytest.mark.parametrize(
    "text",
    [
        "/start ed-9999-nonsense",
        "/start ed-2014-no-such-event",
        "/start hello",
        "/start@SomeBot",
        "/START",
    ],
)
def test_start_falls_back_to_the_welcome(answerer: Answerer, text: str) -> None:
    assert ask(answerer, text) == ask(answerer, "/start")


# ----------------------------------------------------------------- /help and unknown commands


def test_help_lists_every_command_with_its_description(answerer: Answerer) -> None:
    reply = ask(answerer, "/help")
    assert reply.kind is Kind.ANSWER
    for command in COMMANDS:
        line = next((x for x in reply.lines if x.startswith(f"/{command.name} ")), None)
        assert line is not None, f"/{command.name} missing from /help: {reply.text}"
        assert command.description in line


@pytest.mark.parametrize("text", ["/foo", "/foo bar baz", "/foo@SomeBot"])
def test_unknown_command_is_named_and_the_commands_listed(answerer: Answerer, text: str) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.UNKNOWN
    assert "/foo" in reply.text
    for command in COMMANDS:
        assert f"/{command.name}" in reply.text


# ----------------------------------------------------------------- /edition


def picked_years(answerer: Answerer, asked: str, depth: int = 0) -> list[Button]:
    """The year buttons the picker reaches from ``asked``, opening every period in turn."""
    reply = ask(answerer, asked)
    assert reply.kind is Kind.ANSWER, reply.text
    choices = [b for b in reply.buttons if b.ask.split()[1:2] != []]  # not "‹ All years"
    assert len(choices) <= 12, f"{asked}: {len(choices)} choices at once"
    years: list[Button] = []
    for button in choices:
        if button.in_place:  # a period: the next step of the picker
            assert depth < 3, f"{asked}: more than three steps to a year"
            years += picked_years(answerer, button.ask, depth + 1)
        else:
            years.append(button)
    return years


def test_picking_a_mille_miglia_year_goes_by_era_then_decade(answerer: Answerer) -> None:
    """Issue 14: six pages of twelve years became eras, then decades, then years."""
    top = ask(answerer, "/edition")
    assert [b.label for b in top.buttons] == ["1977-2026", "1958-1961", "1927-1957"]
    assert all(b.in_place for b in top.buttons)
    assert "Speed race: 1927-1938, 1940, 1947-1957" in top.lines
    revival = ask(answerer, top.buttons[0].ask)
    assert [b.label for b in revival.buttons][:2] == ["2020s", "2010s"]
    assert revival.buttons[-1] == Button("‹ All years", "/edition", in_place=True)
    fifties = ask(answerer, "/edition 1950-1959")
    assert "Newest first: 1959, 1958, 1957, 1956, 1955, 1954, 1953, 1952, 1951, 1950." in (
        fifties.lines
    )
    assert not fifties.buttons[0].in_place  # a year's card is posted below the picker
    italian = answerer.answer("/edition 1977-2026", NOW, "it")
    assert [b.label for b in italian.buttons][:2] == ["anni 2020", "anni 2010"]


def test_every_year_the_picker_offers_opens_that_years_card(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    problems = []
    for event in knowledge.events:
        if not held_years(knowledge, event.id):
            continue
        years = picked_years(answerer, f"/edition {event.id}")
        assert [int(b.label) for b in years] == held_years(knowledge, event.id)
        for button in years:
            card = ask(answerer, button.ask)
            key = f"{event.id}/{button.label}"
            if (
                card.kind is not Kind.ANSWER
                or card.edition != key
                or button.label not in (card.title or "")
            ):
                problems.append(f"{button.ask!r} -> {card.kind} {card.edition}: {card.text[:80]}")
            for no_race in NO_RACE_YEARS:
                assert button.label != str(no_race)
    assert not problems, "\n".join(problems)


def test_a_period_without_editions_says_so(answerer: Answerer) -> None:
    reply = ask(answerer, "/edition 1950-1959 ferrari-tribute")
    assert "no edition of the Ferrari Tribute to Mille Miglia in 1950-1959" in reply.text
    assert [b.ask for b in reply.buttons] == ["/edition ferrari-tribute"]


def test_edition_with_an_event_lists_only_that_events_years(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = ask(answerer, "/edition california-mille")
    expected = held_years(knowledge, "california-mille")
    listed = next(line for line in reply.lines if line.startswith("Newest first:"))
    assert years_in(listed) == expected
    assert reply.title is not None and reply.title.startswith("California Mille")
    assert [b.ask for b in reply.buttons] == [f"/edition {y} california-mille" for y in expected]


@pytest.mark.parametrize(
    "text",
    [
        "/edition foo",
        "/edition 2014 2015",
        "/edition route",
        "/edition winners",
        "/edition 2014 xyz",
    ],
)
def test_edition_with_garbage_gives_the_usage(answerer: Answerer, text: str) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.UNKNOWN
    assert reply.text.startswith("Usage: /edition"), reply.text


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("/edition 1941", "There was no race in 1941"),
        ("/edition 2031", "No 2031 Mille Miglia is announced"),
        ("/edition 1900", "did not exist yet in 1900"),
    ],
)
def test_edition_of_a_year_without_a_race(answerer: Answerer, text: str, wording: str) -> None:
    reply = ask(answerer, text)
    assert wording in reply.text
    assert "Winners" not in labels(reply)
    assert not any(line.startswith("Dates:") for line in reply.lines)


def test_every_follow_up_button_answers_about_the_same_edition(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    """Every tab of every edition's card, tapped: each shows the same edition, as a tab."""
    problems: list[str] = []
    tapped = 0
    for ed in knowledge.editions:
        if ed.status is Status.NO_RACE:
            continue
        suffix = "" if ed.event == DEFAULT_EVENT else f" {ed.event}"
        card = ask(answerer, f"/edition {ed.year}{suffix}")
        assert card.edition == ed.key, card.text
        assert all(b.in_place for b in card.buttons if not b.ask.startswith("/map")), card.buttons
        assert [b.label for b in card.buttons if b.active] in ([], ["Card"]), card.buttons
        pending: list[Button] = [b for b in card.buttons if not b.ask.startswith("/map")]
        seen: set[str] = set()
        while pending:
            button = pending.pop()
            if button.ask in seen:
                continue
            seen.add(button.ask)
            tapped += 1
            got = ask(answerer, button.ask)
            if button.label not in FOLLOW_UP_LABELS:
                problems.append(f"{ed.key}: unexpected button {button}")
            if got.kind is not Kind.ANSWER or got.edition != ed.key or str(ed.year) not in got.text:
                problems.append(f"{ed.key}: {button.ask!r} -> {got.kind} {got.edition}")
            pending.extend(got.buttons)
    assert tapped > 100, "the knowledge base should offer many follow-ups"
    assert not problems, "\n".join(problems)


def test_cards_offer_reports_and_winners_only_when_there_are_some(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    with_reports = {r.edition_key for r in knowledge.reports}
    problems = []
    for ed in knowledge.editions:
        if ed.status is Status.NO_RACE:
            continue
        card = answerer.edition_reply(answerer.events[ed.event], ed.year, None, NOW)
        offered = labels(card)
        if "Reports" in offered and ed.key not in with_reports:
            problems.append(f"{ed.key}: Reports button without reports")
        if "Winners" in offered and not ed.winners:
            problems.append(f"{ed.key}: Winners button without winners")
        if ed.status is Status.HELD and ed.key in with_reports and "Reports" not in offered:
            problems.append(f"{ed.key}: has reports but no Reports button")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "asked", "full"),
    [
        ("/edition 1955 winners", "Winners", "/edition 1955"),
        ("/edition 2014 route", "Route", "/edition 2014"),
        ("/edition 2014 reports", "Reports", "/edition 2014"),
        ("/edition 2014 california-mille route", "Route", "/edition 2014 california-mille"),
    ],
)
def test_an_aspect_is_the_active_tab_beside_the_card(
    answerer: Answerer, text: str, asked: str, full: str
) -> None:
    """The card's tabs stay in one place and the view shown is marked ("• Route")."""
    reply = ask(answerer, text)
    assert reply.kind is Kind.ANSWER
    assert Button("Card", full, in_place=True) in reply.buttons
    assert [b.shown for b in reply.buttons if b.active] == [f"• {asked}"]
    assert all(b.in_place for b in reply.buttons if not b.ask.startswith("/map"))  # Map: a photo


def test_an_aspect_answers_that_aspect_only(answerer: Answerer) -> None:
    reply = ask(answerer, "/edition 1955 winners")
    assert "was won by Stirling Moss and Denis Jenkinson" in reply.text
    assert not any(line.startswith(("Dates:", "Route:", "Field:")) for line in reply.lines)


# ----------------------------------------------------------------- events named in commands


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("/editions festa", "La Festa Mille Miglia"),
        ("/editions FESTA", "La Festa Mille Miglia"),
        ("/editions la-festa-mille-miglia", "La Festa Mille Miglia"),
        ("/next california", "California Mille"),
        ("/next CALIFORNIA", "California Mille"),
        ("/edition 2013 ferrari-tribute", "Ferrari Tribute to Mille Miglia 2013"),
        ("/EDITION 2013 FERRARI-TRIBUTE", "Ferrari Tribute to Mille Miglia 2013"),
        ("/edition 2014 California Mille", "California Mille 2014"),
    ],
)
def test_commands_resolve_event_names_ids_and_parts(
    answerer: Answerer, text: str, name: str
) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.ANSWER, reply.text
    headline = reply.title or reply.lines[0]  # /next has no title: its first line says it
    assert name in headline, reply.text


def test_command_names_and_event_ids_are_case_insensitive(answerer: Answerer) -> None:
    assert ask(answerer, "/EDITION 2013 FERRARI-TRIBUTE") == ask(
        answerer, "/edition 2013 ferrari-tribute"
    )
    assert ask(answerer, "/Editions Festa") == ask(answerer, "/editions festa")


def test_a_partial_name_that_fits_one_event_for_the_command_needs_no_question(
    answerer: Answerer,
) -> None:
    # Only the Mercedes-Benz Tribute ran in 2014; only the Ferrari Tribute has reports.
    assert ask(answerer, "/edition 2014 tribute").edition == "mercedes-benz-tribute/2014"
    reports = ask(answerer, "/reports tribute")
    assert reports.kind is Kind.ANSWER and "Ferrari Tribute" in reports.text


@pytest.mark.parametrize("text", ["/next tribute", "/editions tribute"])
def test_an_ambiguous_event_asks_which_one(answerer: Answerer, text: str) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.CLARIFY
    assert set(labels(reply)) == set(TRIBUTES)
    for button in reply.buttons:
        assert button.ask.startswith(text.rsplit(" ", 1)[0] + " ")  # the rest of the command kept
        picked = ask(answerer, button.ask)
        assert picked.kind is not Kind.CLARIFY, picked.text
        assert button.label in picked.text, picked.text
    next_ferrari = ask(answerer, "/next ferrari-tribute")
    assert next_ferrari.kind is Kind.ANSWER
    assert "Ferrari Tribute to Mille Miglia" in next_ferrari.text


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("/next xyz", "Usage: /next"),
        ("/editions xyz", "Usage: /editions"),
        ("/reports xyz", "Usage: /reports"),
        ("/reports 2014 2015", "Usage: /reports"),
    ],
)
def test_garbage_event_gives_the_usage(answerer: Answerer, text: str, usage: str) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.UNKNOWN
    assert reply.text.startswith(usage), reply.text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("/edition 2013 1000 Millas Sport", "1000-millas-sport/2013"),
        ("/edition 2022 1000 Miglia Green", "1000-miglia-green/2022"),
        ("/edition 1955 1000 Miglia", "mille-miglia/1955"),
    ],
)
def test_event_names_starting_with_1000_work_in_edition(
    answerer: Answerer, text: str, key: str
) -> None:
    reply = ask(answerer, text)
    assert reply.kind is Kind.ANSWER, reply.text
    assert reply.edition == key


def test_edition_with_only_a_1000_event_name_lists_its_years(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = ask(answerer, "/edition 1000 Millas Sport")
    assert [int(b.label) for b in reply.buttons] == held_years(knowledge, "1000-millas-sport")


def test_reports_for_a_1000_event(answerer: Answerer) -> None:
    reply = ask(answerer, "/reports 2013 1000 Millas Sport")
    assert reply.kind is Kind.ANSWER, reply.text
    assert any("1000 Millas Sport" in r.title for r in reply.reports)


# ----------------------------------------------------------------- /editions


def test_editions_overview_has_a_line_and_a_button_per_event(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = ask(answerer, "/editions")
    assert reply.kind is Kind.ANSWER
    event_lines = [line for line in reply.lines if line.startswith("- ")]
    assert len(event_lines) == len(knowledge.events)
    for line, event in zip(event_lines, knowledge.events, strict=True):
        assert line.startswith(f"- {event.name}:"), line
        years = held_years(knowledge, event.id)
        if years:
            assert f"{len(years)} edition" in line and str(years[0]) in line, line
    assert list(reply.buttons) == [Button(e.name, f"/editions {e.id}") for e in knowledge.events]
    for button in reply.buttons:
        assert button.label in ask(answerer, button.ask).text


def test_editions_of_the_mille_miglia_by_era(answerer: Answerer, knowledge: Knowledge) -> None:
    reply = ask(answerer, "/editions mille miglia")
    assert reply.kind is Kind.ANSWER
    speed = next(line for line in reply.lines if line.startswith("Speed race"))
    assert "(1927-1957)" in speed
    assert speed.endswith("no race in 1939, 1941-1946"), speed
    speed_held = [
        e
        for e in knowledge.editions
        if e.event == DEFAULT_EVENT and e.era == "speed" and e.status is not Status.NO_RACE
    ]
    assert f"{len(speed_held)} on record" in speed


# ----------------------------------------------------------------- /reports


def test_reports_lists_every_report_newest_first(answerer: Answerer, knowledge: Knowledge) -> None:
    reply = ask(answerer, "/reports")
    assert reply.kind is Kind.ANSWER
    year_of = {r.title: r.year for r in knowledge.reports}
    assert len(knowledge.reports) > 5  # otherwise a cap of 5 would go unnoticed
    assert len(reply.reports) == len(knowledge.reports)
    years = [year_of[r.title] for r in reply.reports]
    assert years == sorted(years, reverse=True)
    assert f"{len(knowledge.reports)} reports, newest first." in reply.lines


def test_reports_of_one_year(answerer: Answerer, knowledge: Knowledge) -> None:
    reply = ask(answerer, "/reports 2014")
    expected = {r.title for r in knowledge.reports if r.year == 2014}
    assert expected
    assert {r.title for r in reply.reports} == expected
    assert len(reply.reports) == len(expected)


def test_reports_of_a_year_without_any_names_the_years_that_have_some(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    reply = ask(answerer, "/reports 1999")
    assert reply.kind is Kind.UNKNOWN
    assert not reply.reports
    years = sorted({r.year for r in knowledge.reports}, reverse=True)
    for year in years:
        assert str(year) in reply.text
    assert [b.ask for b in reply.buttons] == [f"/reports {y}" for y in years]


# ----------------------------------------------------------------- /fact


def test_fact_is_deterministic_with_a_seeded_rng(knowledge: Knowledge) -> None:
    first = Answerer(knowledge, rng=random.Random(42))
    second = Answerer(knowledge, rng=random.Random(42))
    assert [ask(first, "/fact") for _ in range(5)] == [ask(second, "/fact") for _ in range(5)]


def test_fact_never_picks_a_time_bound_fact_and_names_its_source(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    topic_of = {f.id: f.topic for f in knowledge.facts}
    assert "upcoming" in topic_of.values()  # otherwise the test cannot fail
    drawn = set()
    for _ in range(400):
        reply = ask(answerer, "/fact")
        assert reply.kind is Kind.ANSWER
        fact_id = reply.topic.removeprefix("fact:")
        assert topic_of[fact_id] != "upcoming", reply.text
        assert reply.sources, reply.text
        assert reply.buttons == (Button("Another fact", "/fact"),)
        drawn.add(fact_id)
    assert len(drawn) > 10  # random, not always the same fact


# ----------------------------------------------------------------- /about


def test_about_counts_what_the_knowledge_holds(answerer: Answerer, knowledge: Knowledge) -> None:
    text = ask(answerer, "/about").text
    held = [e for e in knowledge.editions if e.status is Status.HELD]
    assert f"{len(knowledge.events)} events" in text
    assert f"{len(held)} editions held" in text
    assert f"{len(knowledge.facts)} facts" in text
    assert f"{len(knowledge.reports)} linked news reports" in text
    today = NOW.date()
    newest = max(
        e.year
        for e in knowledge.editions
        if e.event == DEFAULT_EVENT and e.winners and (e.end or e.start or today) <= today
    )
    assert f"Newest result I have: the {newest} Mille Miglia." in text


# ----------------------------------------------------------------- inline search


def test_search_with_no_text_starts_with_the_next_edition(answerer: Answerer) -> None:
    for text in ("", "   "):
        hits = search(answerer, text, NOW)
        assert hits and hits[0].id == "next"
        assert hits[0].reply == ask(answerer, "/next")


def test_search_for_a_year_puts_its_card_first(answerer: Answerer) -> None:
    hits = search(answerer, "1955", NOW)
    assert hits[0].reply.edition == "mille-miglia/1955"
    assert hits[0].reply.title is not None and "1955" in hits[0].reply.title


def test_search_offers_the_cards_of_every_event_that_year(answerer: Answerer) -> None:
    hits = search(answerer, "who won in 2014", NOW)
    events = {h.reply.edition.split("/")[0] for h in hits if h.reply.edition}
    assert {"mille-miglia", "california-mille"} <= events
    assert len(events) >= 3
    assert all(h.reply.edition.endswith("/2014") for h in hits if h.reply.edition)


@pytest.mark.parametrize(
    "text",
    ["", "who won in 2014", "1955", "mille miglia", "nuvolari 1933 1947", "ä" * 300, "2014 " * 40],
)
def test_search_hits_are_few_unique_and_short_ided(answerer: Answerer, text: str) -> None:
    hits = search(answerer, text, NOW)
    assert len(hits) <= MAX_HITS
    ids = [h.id for h in hits]
    assert len(set(ids)) == len(ids)
    assert all(0 < len(i.encode()) <= 64 for i in ids)
    texts = [h.reply.text for h in hits]
    assert len(set(texts)) == len(texts)


def test_search_for_nonsense_finds_nothing(answerer: Answerer) -> None:
    assert search(answerer, "xyzzy", NOW) == []


def test_search_survives_a_typo_in_a_name(answerer: Answerer) -> None:
    hits = search(answerer, "caraciola", NOW)
    assert hits and "Caracciola" in hits[0].reply.text


# ----------------------------------------------------------------- robustness

COMMAND_NAMES = [c.name for c in COMMANDS] + ["start"]
ARG_WORDS = (
    "2014",
    "1941",
    "0000",
    "ed-2014",
    "ed-2014-california-mille",
    "route",
    "winners",
    "reports",
    "tribute",
    "california",
    "1000",
    "festa",
    "@SomeBot",
)
arguments = st.one_of(
    st.text(),
    st.text(alphabet=" \t\n\u00a0\u3000", max_size=200),
    st.text(min_size=200, max_size=600),
    st.lists(st.one_of(st.sampled_from(ARG_WORDS), st.text(max_size=8)), max_size=8).map(" ".join),
)


@settings(
    max_examples=200,
    deadline=None,
    # The autouse env fixture is function-scoped; the answerer it would matter to is immutable.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(COMMAND_NAMES),
    separator=st.sampled_from(["", " ", "   ", "@SomeBot ", "\n"]),
    rest=arguments,
)
def test_commands_never_raise(answerer: Answerer, name: str, separator: str, rest: str) -> None:
    reply = answerer.answer(f"/{name}{separator}{rest}", NOW)
    assert isinstance(reply, Reply)
    assert reply.text.strip()
