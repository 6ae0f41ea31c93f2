"""Italian all the way: an Italian reply carries Italian knowledge, not only Italian labels.

Replies come from the front door (``Answerers``), as on Telegram and in the console: an
Italian user (or an Italian question) is answered by an Answerer over the Italian view of the
knowledge, so fact answers, notes, summaries, conflicts, figures and towns are Italian too.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.answerers import Answerers
from bot.core.localise import italian_figures, localised
from bot.core.model import Knowledge
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
    assert "[classifica di regolarità]" in reply.text
    english = answerers.answer("who won in 2014", NOW)
    assert "[regularity classification]" in english.text


def test_a_telegram_language_code_picks_the_italian_knowledge(answerers: Answerers) -> None:
    reply = answerers.answer("who won in 2014", NOW, "it-IT")
    assert "[classifica di regolarità]" in reply.text


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
