"""Italian all the way: an Italian reply carries Italian knowledge, not only Italian labels.

Replies come from the front door (``Answerers``), as on Telegram and in the console: an
Italian user (or an Italian question) is answered by an Answerer over the Italian view of the
knowledge, so fact answers, notes, summaries, conflicts, figures and towns are Italian too.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.answerers import Answerers
from bot.core.i18n import using
from bot.core.localise import italian_figures, localised
from bot.core.model import Knowledge
from bot.core.reminders import reminder_text, reminders_for
from bot.core.reply import Kind, Reply

NOW = datetime(2026, 3, 1, 10, tzinfo=UTC)

# English words that a sentence of the knowledge can hardly do without, and that no Italian
# sentence uses. Names and titles are left to the reports and sources, which are not checked.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|was|were|with|which|from|won|after|only|not|is|are|his|their|held|this|"
    r"that|race|first|winners?|sources?|starters|finishers|about|classification)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def answerers(knowledge: Knowledge) -> Answerers:
    return Answerers(knowledge, rng=random.Random(7))


def ask_it(answerers: Answerers, question: str) -> Reply:
    reply = answerers.answer(question, NOW, "it")
    assert reply.lang == "it"
    return reply


def english_sentences(reply: Reply) -> list[str]:
    """The lines of a reply (its title and paragraphs, not report titles) that read English."""
    lines = [reply.title or "", *reply.lines]
    return [line for line in lines if ENGLISH_WORDS.search(line)]


# One question per kind of reply, each touching knowledge text that used to stay English.
KINDS = {
    "card": "/edition 1955",
    "card with conflicts and podium": "/edition 1938",
    "card of a sister event": "/edition 2014 california-mille",
    "field answer with a winners' note": "chi ha vinto nel 2014",
    "field answer with a conflict": "velocità media 1955",
    "route": "percorso 1954",
    "fact": "dov'è il museo della mille miglia",
    "fact with a conflict": "perché si chiama mille miglia",
    "list": "chi ha vinto dal 1950 al 1957",
    "no race": "perché non si è corsa nel 1939",
    "unknown": "chi ha vinto la mille miglia 2026",
    "event summary": "cos'è la 1000 millas sport",
    "person": "chi è Nuvolari",
    "conflict": "quanti partecipanti nel 2013",
    "records": "chi ha vinto più volte",
    "next": "/next",
}


@pytest.mark.parametrize("question", KINDS.values(), ids=KINDS.keys())
def test_italian_reply_holds_no_english_sentence(answerers: Answerers, question: str) -> None:
    reply = ask_it(answerers, question)
    assert reply.lines, question
    assert english_sentences(reply) == []


def test_the_check_catches_english_content(answerers: Answerers) -> None:
    """The English reply to the same card trips the check: it cannot pass by looking away."""
    reply = answerers.answer("/edition 1955", NOW, "en")
    assert english_sentences(reply)


def test_an_italian_question_gets_italian_content_without_a_language(
    answerers: Answerers,
) -> None:
    reply = answerers.answer("chi ha vinto nel 2014", NOW)
    assert "(1928; classifica di regolarità)" in reply.text
    english = answerers.answer("who won in 2014", NOW)
    assert "(1928; regularity classification)" in english.text


def test_a_telegram_language_code_picks_the_italian_knowledge(answerers: Answerers) -> None:
    reply = answerers.answer("who won in 2014", NOW, "it-IT")
    assert "(1928; classifica di regolarità)" in reply.text


def test_italian_numbers_use_italian_separators(answerers: Answerers) -> None:
    distance = ask_it(answerers, "quanti km è lunga la mille miglia 1955").text
    assert "1.597 km" in distance and "1,597" not in distance
    speed = ask_it(answerers, "velocità media 1955").text
    assert "157,65 km/h" in speed and "157.65" not in speed
    assert "157.65 km/h" in answerers.answer("average speed 1955", NOW, "en").text


def test_italian_replies_name_towns_in_italian(answerers: Answerers) -> None:
    card = ask_it(answerers, "/edition 2014").text
    assert "Brescia - Padova - Roma - Siena" in card
    assert not re.search(r"\b(Rome|Padua)\b", card)
    english = answerers.answer("/edition 2014", NOW, "en").text
    assert "Brescia - Padova - Rome - Siena" in english  # the route as the sources spell it


def test_an_english_town_name_still_finds_the_italian_route(answerers: Answerers) -> None:
    reply = ask_it(answerers, "passa da Rome la mille miglia 2014?")
    assert reply.kind is Kind.ANSWER
    assert "Roma è sul percorso" in reply.text


def test_a_car_description_is_italian(answerers: Answerers) -> None:
    card = ask_it(answerers, "/edition 1940").text
    assert "coupé aerodinamica carrozzata Touring" in card
    assert "aerodynamic" not in card


def test_clarify_suggestions_are_italian_questions_that_are_answered(
    answerers: Answerers,
) -> None:
    """A suggested fact question is the Italian one, and asking it lands on that fact."""
    italian = answerers.by_lang["it"].knowledge
    for fact in italian.facts:
        assert fact.question in fact.phrasings_it
    museum = next(f for f in italian.facts if f.id == "museo-mille-miglia")
    assert ask_it(answerers, museum.question).topic == "fact:museo-mille-miglia"


# What each Italian phrasing of the brief must bring back (the record's answer, the fact
# written for the question, or both).
BRIEF_PHRASINGS = {
    "museo": "2004",
    "dov'è il museo della mille miglia": "Sant'Eufemia",
    "freccia rossa": "Freccia Rossa",
    "cos'è la freccia rossa": "logo",
    "più veloce": "157,65",
    "qual è il tempo più veloce": "10h 07m 48s",
    "chi ha vinto più volte la rievocazione": "Giuliano Cane",
    "quale marca ha vinto più volte": "Alfa Romeo (11)",
    "anni senza corsa": "1941-1946",
    "edizione con più partenti": "534 partenti",
}


@pytest.mark.parametrize("question", BRIEF_PHRASINGS)
def test_italian_phrasings_are_understood(answerers: Answerers, question: str) -> None:
    reply = ask_it(answerers, question)
    assert reply.kind is Kind.ANSWER and BRIEF_PHRASINGS[question] in reply.text, reply.text


def test_who_won_most_often_answers_with_the_drivers(answerers: Answerers) -> None:
    reply = ask_it(answerers, "chi ha vinto più volte")
    assert reply.topic == "most-wins"
    assert "Clemente Biondetti (4)" in reply.text


@pytest.mark.parametrize(
    ("english", "italian"),
    [
        ("1,597 km", "1.597 km"),
        ("157.65 km/h (1000 Miglia)", "157,65 km/h (1000 Miglia)"),
        ("1,621.27 km", "1.621,27 km"),
        ("21h48m04.5s", "21h48m04,5s"),
        ("1927", "1927"),
        ("10h 07m 48s", "10h 07m 48s"),
        ("1927-1957", "1927-1957"),
    ],
)
def test_italian_figures(english: str, italian: str) -> None:
    assert italian_figures(english) == italian


def test_the_english_view_is_the_knowledge_itself(knowledge: Knowledge) -> None:
    assert localised(knowledge, "en") is knowledge


def test_every_italian_text_differs_from_the_view_only_where_written(
    knowledge: Knowledge,
) -> None:
    """The Italian view changes texts, towns and figures, never ids, years or counts."""
    italian = localised(knowledge, "it")
    assert [e.key for e in italian.editions] == [e.key for e in knowledge.editions]
    assert [f.id for f in italian.facts] == [f.id for f in knowledge.facts]
    assert italian.counts == knowledge.counts
    english_1931 = next(e for e in knowledge.editions if e.key == "mille-miglia/1931")
    italian_1931 = next(e for e in italian.editions if e.key == "mille-miglia/1931")
    assert italian_1931.starters == english_1931.starters
    assert italian_1931.average_speed == "101,147 km/h (it.wikipedia)"


# ----------------------------------------------------------------- validate


def run_validate(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["validate", str(directory)])
    return code, capsys.readouterr().out.splitlines()


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == text)


@pytest.mark.parametrize(
    ("relative", "removed", "key_line", "where"),
    [
        (
            "facts/origins.yaml",
            "    answer_it: Quattro bresciani, poi chiamati i quattro moschettieri.",
            "answer: Four men from Brescia, later called the four musketeers.",
            "facts[0].answer_it",
        ),
        (
            "events.yaml",
            "    summary_it: La Mille Miglia è una manifestazione stradale da Brescia a Roma "
            "e ritorno.",
            "summary: The Mille Miglia is a road event from Brescia to Rome and back.",
            "events[0].summary_it",
        ),
        (
            "editions/mille-miglia.yaml",
            "        text_it: 11-12 aprile (it.wikipedia) contro 12-13 aprile 1931 "
            "(Mercedes-Benz).",
            "text: 11-12 April (it.wikipedia) vs 12-13 April 1931 (Mercedes-Benz).",
            "editions[0].conflicts[0].text_it",
        ),
        (
            "people.yaml",
            "    role_it: cofondatore della Mille Miglia",
            "role: co-founder of the Mille Miglia",
            "people[0].role_it",
        ),
        (
            "reports.yaml",
            "    summary_it: Rudolf Caracciola vince la Mille Miglia 1931 su Mercedes-Benz SSKL.",
            "summary: Rudolf Caracciola wins the 1931 Mille Miglia in a Mercedes-Benz SSKL.",
            "reports[0].summary_it",
        ),
    ],
)
def test_validate_reports_a_missing_italian_text(
    kb_dir: Path,
    capsys: pytest.CaptureFixture[str],
    relative: str,
    removed: str,
    key_line: str,
    where: str,
) -> None:
    path = kb_dir / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(removed + "\n") == 1
    path.write_text(text.replace(removed + "\n", ""), encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    line = line_of(path, key_line)
    assert out[:1] == [
        f"{relative}:{line}: {where}: missing Italian version: add "
        + (f"{where.rsplit('.', 1)[1]} beside {where.rsplit('.', 1)[1].removesuffix('_it')}")
    ]


def test_validate_reports_an_italian_list_of_another_length(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb_dir / "editions" / "mille-miglia.yaml"
    text = path.read_text(encoding="utf-8")
    notes = (
        "    notes:\n      - First non-Italian winner.\n      - Gold medal from the King.\n"
        "    notes_it:\n      - Primo vincitore non italiano.\n"
    )
    path.write_text(text.replace("    route:\n", notes + "    route:\n", 1), encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    line = line_of(path, "notes_it:")
    assert out[:1] == [
        f"editions/mille-miglia.yaml:{line}: editions[0].notes_it: "
        "1 Italian item(s) for 2 in notes: one per item"
    ]


def test_the_real_knowledge_has_every_italian_text(
    real_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_validate(real_kb, capsys)
    assert code == 0, "\n".join(out)


def test_inline_search_for_an_italian_user_shows_italian_cards(answerers: Answerers) -> None:
    from bot.core.search import search

    hits = search(answerers.answerer_for("1955", "it"), "1955", NOW, lang="it")
    card = next(h for h in hits if h.reply.edition == "mille-miglia/1955")
    assert "1.597 km" in card.reply.text
    assert "Moss e Jenkinson corsero con il numero di gara 722" in card.reply.text


def test_the_italian_calendar_names_italian_towns(answerers: Answerers) -> None:
    from bot.core.calendar import calendar_for

    knowledge = answerers.answerer_for("", "it").knowledge
    ics = calendar_for(knowledge, "", NOW, "it").ics.decode("utf-8").replace("\r\n ", "")
    assert "Roma" in ics
    assert not re.search(r"\bRome\b", ics)


# Texts the answering core shows that once had no Italian version (issue 14): a report's
# summary and car pictured, a leg's note, a crew's note, a place's note under a map.
@pytest.mark.parametrize(
    ("relative", "removed", "key_line", "where"),
    [
        (
            "reports.yaml",
            "    car_pictured_it: Alfa Romeo G1 del 1921",
            "car_pictured: 1921 Alfa Romeo G1",
            "reports[2].car_pictured_it",
        ),
        (
            "editions/mille-miglia-revival.yaml",
            "        note_it: Il primo arrivo di tappa a Torino.",
            "note: The first stage finish in Turin.",
            "editions[33].legs[0].note_it",
        ),
        (
            "editions/mille-miglia-speed.yaml",
            "        note_it: numero di gara 722 (partenza alle 7:22)",
            "note: race number 722 (start time 7:22 a.m.)",
            "editions[28].winners[0].note_it",
        ),
        (
            "places.yaml",
            "    note_it: Middleburg, Virginia (la base della Warm Up USA).",
            'note: "Middleburg, Virginia (Warm Up USA\'s base)."',
            "places[51].note_it",
        ),
    ],
)
def test_validate_asks_for_every_text_a_reply_shows(
    real_kb: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    relative: str,
    removed: str,
    key_line: str,
    where: str,
) -> None:
    kb = Path(shutil.copytree(real_kb, tmp_path / "knowledge"))
    path = kb / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(removed + "\n") == 1
    path.write_text(text.replace(removed + "\n", ""), encoding="utf-8")
    code, out = run_validate(kb, capsys)
    assert code == 1
    field = where.rsplit(".", 1)[1]
    assert out[:1] == [
        f"{relative}:{line_of(path, key_line)}: {where}: missing Italian version: add "
        f"{field} beside {field.removesuffix('_it')}"
    ]


def test_every_report_reads_italian_in_the_italian_view(knowledge: Knowledge) -> None:
    italian = localised(knowledge, "it")
    for english, translated in zip(knowledge.reports, italian.reports, strict=True):
        assert translated.summary != english.summary, english.id
        assert not ENGLISH_WORDS.search(translated.summary), translated.summary
        if english.car_pictured and " of " in english.car_pictured:
            assert " of " not in (translated.car_pictured or ""), english.id


@pytest.mark.parametrize(
    ("question", "italian", "english"),
    [
        ("chi è lo sponsor?", "principale sponsor automobilistico", "signed on"),
        (
            "che auto è nella galleria fotografica della mille miglia 2014?",
            "Auto in foto: HW Alta 2000 Sport del 1951.",
            "Picture gallery",
        ),
    ],
)
def test_a_report_is_said_in_italian(
    answerers: Answerers, question: str, italian: str, english: str
) -> None:
    text = ask_it(answerers, question).text
    assert italian in text
    assert english not in text


def test_a_race_day_leg_is_italian_towns_and_note(answerers: Answerers) -> None:
    reply = answerers.answer("dove sono oggi?", datetime(2024, 6, 11, 8, tzinfo=UTC), "it")
    assert reply.lines[0].endswith("da Brescia a Torino.")
    assert "Il primo arrivo di tappa a Torino." in reply.lines
    assert "Turin" not in reply.text


def test_an_italian_daily_reminder_names_the_legs_towns_in_italian(
    knowledge: Knowledge,
) -> None:
    italian = localised(knowledge, "it")
    event = next(e for e in italian.events if e.id == "mille-miglia")
    ed = italian.edition("mille-miglia", 2014)
    assert ed is not None
    day2 = next(
        r for r in reminders_for(ed, event, datetime(2014, 5, 1, tzinfo=UTC)) if r.day_index == 2
    )
    with using("it"):
        text = reminder_text(day2, ed, event)
    assert text.splitlines()[1] == "La tappa di oggi: da Abano a Roma. Sosta per la notte: Roma."


def test_an_italian_map_draws_the_towns_with_italian_names(answerers: Answerers) -> None:
    """The Italian view once rebuilt Roma, Padova, Mantova without their coordinates: the
    Italian map of 2026 left them out, and its notes stayed English."""
    english = answerers.answer("/map 2026", NOW, "en")
    italian = ask_it(answerers, "/map 2026")
    assert italian.picture is not None
    left_out = next(line for line in italian.lines if line.startswith("Non sulla mappa"))
    assert left_out.endswith(": Passo del Cavallo, Furlo.")
    assert any(line.endswith(": Passo del Cavallo, Furlo.") for line in english.lines)
    assert "Disegnata a Pietrasanta: la Versilia è una zona costiera, non una città." in (
        italian.lines
    )
    assert "Drawn at" not in italian.text
