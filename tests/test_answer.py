"""What a user notices about answers: right facts, honest silence, clear wording."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.answer import Answerer
from bot.core.reply import Kind

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def ask(answerer: Answerer, question: str, now: datetime = NOW) -> tuple[Kind, str]:
    reply = answerer.answer(question, now)
    return reply.kind, reply.text


ANSWER, UNKNOWN, CLARIFY = Kind.ANSWER, Kind.UNKNOWN, Kind.CLARIFY

# (question, kind, every one of these must appear, none of these may appear)
CASES: list[tuple[str, Kind, list[str], list[str]]] = [
    # winner / co-driver / car, years written many ways
    ("who won in '51", ANSWER, ["Villoresi", "Cassani", "Ferrari 340 America"], []),
    ("the 1955 race winner", ANSWER, ["Moss", "Jenkinson"], []),
    ("winner 1936", ANSWER, ["Brivio"], []),
    ("who drove with Moss in 1955", ANSWER, ["Jenkinson"], []),
    ("what car won in 1940", ANSWER, ["BMW 328"], []),
    ("who won the 2019 Mille Miglia", ANSWER, ["Moceri", "Bonetti"], []),
    ("who came second in 1955", ANSWER, ["Fangio"], []),
    # dates, route, passes through, field, finishers, distance, time, speed, number
    ("when was the 1953 race", ANSWER, ["25-26 April 1953"], []),
    ("what was the route of the 2016 edition", ANSWER, ["Rimini", "Parma"], []),
    ("did the 2014 mille miglia go through Pisa", ANSWER, ["Yes", "Pisa"], []),
    ("does it pass through Roma in 2021", ANSWER, ["Yes", "Rome"], []),
    ("does the 2021 edition pass through Pisa", ANSWER, ["not among"], []),
    ("how many cars took part in 2021", ANSWER, ["375"], []),
    ("how many finished in 1927", ANSWER, ["55", "77"], []),
    ("how long was the 1940 race", ANSWER, ["1,486"], []),
    ("what was the winning time in 1957", ANSWER, ["10h 27m 47s"], []),
    ("average speed 1938", ANSWER, ["135.391"], []),
    ("which edition was 2022", ANSWER, ["40th"], []),
    ("when was the 33rd edition", ANSWER, ["2015", "14-17 May 2015"], []),
    # Italian and typos
    ("chi ha vinto nel 1933", ANSWER, ["Nuvolari"], []),
    ("quando si è corsa la mille miglia 2016", ANSWER, ["19-22 maggio 2016"], []),
    ("percorso 2022", ANSWER, ["Parma"], []),
    # only question words: the event itself, never a fact picked by "what" and "race"
    ("what is the race", ANSWER, ["thousand miles"], ["organised by"]),
    ("who is", UNKNOWN, ["Sorry, I don't know"], []),
    ("quanto era lunga la mille miglia del 1940", ANSWER, ["km"], ["Vincitori"]),
    ("who won the milla miglia 1949", ANSWER, ["Biondetti"], []),
    ("1000 miglia 1952 winnner", ANSWER, ["Bracco"], []),
    ("who won the califronia mille", UNKNOWN, ["no winners", "California Mille"], []),
    # computed
    ("how many times did Biondetti win", ANSWER, ["4 times", "1938", "1949"], []),
    ("how many times did Vesco win", ANSWER, ["Andrea Vesco", "8 times", "Roberto Vesco"], []),
    ("how many times did Ferrari win the original race", ANSWER, ["8 times"], []),
    ("which years was there no race", ANSWER, ["1939", "1941-1946"], []),
    ("how many editions of the mille miglia have there been", ANSWER, ["24 editions"], []),
    ("which year had the biggest field", ANSWER, ["1955", "534"], []),
    ("who won in the 1930s", ANSWER, ["1930:", "1938:", "no race"], []),
    ("most successful make in the mille miglia", ANSWER, ["Alfa Romeo", "11"], []),
    # people, events, facts
    ("who was Tazio Nuvolari", ANSWER, ["1930", "1933"], []),
    ("who was the Silver Fox", ANSWER, ["Taruffi"], []),
    ("tell me about Giuliano Cane", ANSWER, ["10"], []),
    ("what is the California Mille", ANSWER, ["Northern California"], []),
    ("what is the Ferrari Tribute", ANSWER, ["Ferraris built after 1957"], []),
    ("who won the first warm up usa", ANSWER, ["Houghtaling"], []),
    ("why is it called the mille miglia", ANSWER, ["miles"], []),
    ("who founded the mille miglia", ANSWER, ["Castagneto", "Canestrini"], []),
    ("what is the red arrow", ANSWER, ["Freccia Rossa"], []),
    ("where does the mille miglia start", ANSWER, ["Viale Venezia"], []),
    ("which cars can enter the mille miglia", ANSWER, ["1957"], []),
    ("how many spectators died in 1957", ANSWER, ["nine spectators"], []),
    ("who wrote the la festa mille miglia report", ANSWER, ["Len Clarke"], []),
    ("photos of the 2014 mille miglia", ANSWER, ["Picture Gallery"], []),
    # honesty: subject known, field missing
    ("who won in 1987", UNKNOWN, ["1987", "no record"], []),
    ("who won the 2026 mille miglia", UNKNOWN, ["9-13 June 2026", "result"], ["won by"]),
    ("who won the 1958 mille miglia", UNKNOWN, ["winner"], ["won by"]),
    ("what was the winning time in 2019", UNKNOWN, ["regularity"], []),
    ("who won the 1984 mille miglia", UNKNOWN, ["winner"], ["won by"]),
    # honesty: no race that year
    ("who won the 1943 mille miglia", ANSWER, ["no race", "Second World War"], ["Biondetti"]),
    ("who won in 1939", ANSWER, ["no race", "1938"], []),
    ("who won the 1000 millas sport in 2020", ANSWER, ["cancelled"], []),
    ("who won the mille miglia in 1920", ANSWER, ["did not exist yet"], []),
    # honesty: other races and off-topic
    ("who won le mans in 1955", UNKNOWN, ["other races"], ["Moss"]),
    ("who won the targa florio in 1931", UNKNOWN, [], ["Caracciola"]),
    ("who won the 1982 world cup", UNKNOWN, [], ["Italy"]),
    ("carrera panamericana 1954 winner", UNKNOWN, [], ["Maglioli"]),
    ("what's the weather in Brescia tomorrow", UNKNOWN, [], []),
    ("best recipe for risotto", UNKNOWN, [], []),
    ("how much is a ticket", UNKNOWN, [], []),
    ("hello there", ANSWER, ["Hello"], ["Mille Miglia 1955"]),
    ("asdfghjkl", UNKNOWN, [], []),
    ("", UNKNOWN, [], []),
]


@pytest.mark.parametrize(
    ("question", "kind", "must", "never"), CASES, ids=[c[0] or "empty" for c in CASES]
)
def test_answers(
    answerer: Answerer, question: str, kind: Kind, must: list[str], never: list[str]
) -> None:
    got_kind, text = ask(answerer, question)
    assert got_kind == kind, text
    for term in must:
        assert term.lower() in text.lower(), f"{term!r} missing from: {text}"
    for term in never:
        assert term.lower() not in text.lower(), f"{term!r} should not be in: {text}"


def test_conflicting_sources_are_mentioned(answerer: Answerer) -> None:
    _, text = ask(answerer, "what was the average speed in 1955")
    assert "157.65 km/h" in text
    assert "Sources differ" in text and "98.53 mph" in text


def test_answers_link_reports_and_sources(answerer: Answerer) -> None:
    reply = answerer.answer("who won in 2013", NOW)
    assert "Tonconogy" in reply.text
    titles = [r.title for r in reply.reports]
    assert "Mille Miglia 2013 – Results and Pictures" in titles
    assert next(r for r in reply.reports if "Results" in r.title).author == "Julien Mahiels"
    assert reply.sources and all(s.startswith(("http", "Sports Car Digest")) for s in reply.sources)


def test_verified_report_links_carry_their_url(answerer: Answerer) -> None:
    reply = answerer.answer("what is the 1000 millas sport", NOW)
    assert any(r.url == "https://sportscardigest.com/?p=57779" for r in reply.reports)


def test_suggestions_are_at_most_three(answerer: Answerer) -> None:
    reply = answerer.answer("qwertyuiop", NOW)
    assert reply.kind is Kind.UNKNOWN
    assert 0 < len(reply.suggestions) <= 3


# /next as the clock moves through the 2026 edition (9-13 June 2026, Europe/Rome).
@pytest.mark.parametrize(
    ("now", "must"),
    [
        (datetime(2026, 5, 1, 10, tzinfo=UTC), ["9-13 June 2026", "in 39 days", "44th"]),
        (datetime(2026, 6, 8, 10, tzinfo=UTC), ["tomorrow"]),
        # 23:30 UTC on 8 June is already 9 June in Brescia: day 1.
        (datetime(2026, 6, 8, 23, 30, tzinfo=UTC), ["under way", "day 1 of 5"]),
        (datetime(2026, 6, 11, 9, tzinfo=UTC), ["under way", "day 3 of 5"]),
        (datetime(2026, 6, 13, 21, 59, tzinfo=UTC), ["day 5 of 5"]),
        (datetime(2026, 11, 23, 12, tzinfo=UTC), ["not been announced", "2027", "9-13 June 2026"]),
    ],
    ids=["weeks-before", "day-before", "rome-midnight", "during", "last-day", "after"],
)
def test_next_follows_the_clock(answerer: Answerer, now: datetime, must: list[str]) -> None:
    kind, text = ask(answerer, "/next", now)
    assert kind is Kind.ANSWER
    for term in must:
        assert term in text, text


def test_next_for_a_sister_event(answerer: Answerer) -> None:
    kind, text = ask(answerer, "when is the next 1000 millas sport")
    assert kind is Kind.ANSWER
    assert "not been announced" in text and "2025" in text


def test_next_in_italian(answerer: Answerer) -> None:
    _, text = ask(answerer, "quando è la prossima mille miglia", datetime(2026, 5, 1, tzinfo=UTC))
    assert "9-13 giugno 2026" in text


def test_edition_command(answerer: Answerer) -> None:
    reply = answerer.answer("/edition 2014", NOW)
    assert reply.kind is Kind.ANSWER and reply.edition == "mille-miglia/2014"
    assert "Mozzi" in reply.text and "15-18 May 2014" in reply.text


def test_every_reply_fits_a_telegram_message(answerer: Answerer) -> None:
    for question in ("who won in the 1950s", "reports on the mille miglia", "who won in the 2010s"):
        assert len(answerer.answer(question, NOW).text) < 4096


def test_ties_in_records_keep_the_order_of_the_records() -> None:
    """The ranking must not depend on Python's hash seed: ties follow the years."""
    code = (
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from bot.core.answer import Answerer\n"
        "from bot.core.loader import load_knowledge\n"
        "k = load_knowledge(Path('knowledge')).knowledge\n"
        "print(Answerer(k).answer('chi ha vinto più volte la mille miglia di velocità',"
        " datetime(2026, 11, 23, tzinfo=UTC)).text.splitlines()[0])\n"
    )
    root = KNOWLEDGE.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1
    line = outputs.pop()
    assert line.index("Campari") < line.index("Nuvolari") < line.index("Marzotto")
