"""The missed-question loop: what the bot could not answer is counted, for curators to add.

Each store test gets its own state file; the Telegram tests reuse the application fixture of
``tests/test_tg.py`` (a private copy of the real knowledge, no network, a fixed clock).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core import unanswered
from bot.core.index import build_index, state_path
from bot.core.loader import load_knowledge
from bot.core.stats import StatsStore
from bot.core.unanswered import MAX_EXAMPLE, UnansweredStore, question_key, read_top
from tests.test_tg import ADMIN, NOW, USER, app, built_index, message, send  # noqa: F401

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return state_path(tmp_path / "data" / "index.sqlite3")


@pytest.fixture
async def store(path: Path) -> AsyncIterator[UnansweredStore]:
    opened = UnansweredStore(path)
    await opened.open()
    yield opened
    await opened.close()


def rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM unanswered ORDER BY question").fetchall()


# ----------------------------------------------------------------- what is counted


@pytest.mark.parametrize(
    "variant",
    ["Who won in 1812?", "who won in 1812", "  WHO   won in 1812 ?! ", "Who won, in 1812…"],
)
def test_variants_of_one_question_share_a_key(variant: str) -> None:
    assert question_key(variant) == "who won in 1812"


def test_accents_fold_and_commands_or_empty_texts_are_not_questions() -> None:
    assert question_key("Perché si chiama Mille Miglia?") == question_key(
        "perche si chiama mille miglia"
    )
    assert question_key("/edition foo") is None
    assert question_key("  /next tribute") is None
    assert question_key("?!? 🏎️") is None
    assert len(question_key("why " * 500) or "") <= unanswered.MAX_QUESTION


async def test_only_unknown_and_clarify_are_stored(store: UnansweredStore, path: Path) -> None:
    await store.record("Who won in 1955?", "answer", T0)
    await store.record("What is the airspeed of a swallow?", "unknown", T0)
    await store.record("ferrari", "clarify", T0)
    await store.record("/edition foo", "unknown", T0)

    assert [(m.question, m.kind) for m in await store.top(10)] == [
        ("ferrari", "clarify"),
        ("what is the airspeed of a swallow", "unknown"),
    ]
    assert len(rows(path)) == 2


async def test_a_question_answered_since_leaves_the_list(store: UnansweredStore) -> None:
    await store.record("who won in 2031", "unknown", T0)
    await store.record("Who won in 2031?", "answer", T0 + timedelta(days=1))
    assert await store.top(10) == []


async def test_counts_and_first_and_last_seen_use_the_injected_time(
    store: UnansweredStore, path: Path
) -> None:
    rome = timezone(timedelta(hours=1))
    await store.record("Who won in 1812?", "unknown", T0)
    await store.record("who won in 1812", "clarify", datetime(2026, 11, 22, 10, 30, tzinfo=rome))
    await store.record("WHO WON IN 1812", "unknown", T0 + timedelta(hours=1))

    (missed,) = await store.top(10)
    assert missed.count == 3
    assert missed.kind == "unknown"  # of the latest asking
    assert missed.first_seen == T0
    assert missed.last_seen == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)  # never goes back
    assert missed.example == "Who won in 1812?"  # the first wording
    assert missed.line() == "3× unknown, last 2026-11-22: Who won in 1812?"


async def test_most_frequent_first_ties_by_most_recent(store: UnansweredStore) -> None:
    for hours, text in enumerate(["alpha?", "beta?", "beta?", "gamma?", "delta?"]):
        await store.record(text, "unknown", T0 + timedelta(hours=hours))

    assert [m.question for m in await store.top(3)] == ["beta", "delta", "gamma"]
    assert [m.question for m in await store.top(10)] == ["beta", "delta", "gamma", "alpha"]


async def test_no_user_data_only_the_question(store: UnansweredStore, path: Path) -> None:
    long = "Who won the Mille Miglia\n\tin 1812 " + "please " * 100
    await store.record(long, "unknown", T0)

    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(unanswered)")]
    assert columns == [
        "question",
        "kind",
        "count",
        "first_seen",
        "last_seen",
        "example",
        "askers",  # a count of people,
        "sketch",  # and 256 bits from which none of them can be named
    ]
    ((question, _, _, _, _, example, _, _),) = rows(path)
    assert len(example) == MAX_EXAMPLE and example.endswith("…")
    assert example.startswith("Who won the Mille Miglia in 1812 please")  # one line
    assert len(question) <= unanswered.MAX_QUESTION


# ----------------------------------------------------------------- the state file


async def test_the_list_survives_a_restart(path: Path) -> None:
    first = UnansweredStore(path)
    await first.open()
    await first.record("who won the tribute", "unknown", T0)
    await first.close()

    restarted = UnansweredStore(path)
    await restarted.open()
    await restarted.record("Who won the tribute?", "unknown", T0 + timedelta(days=1))
    (missed,) = await restarted.top(10)
    await restarted.close()

    assert (missed.count, missed.first_seen) == (2, T0)
    assert read_top(path, 10) == [missed]


async def test_shares_the_state_file_with_stats_and_survives_an_index_rebuild(
    tmp_path: Path, real_kb: Path
) -> None:
    db = tmp_path / "index.sqlite3"
    stats = StatsStore(state_path(db), T0)
    store = UnansweredStore(state_path(db))
    await stats.open()
    await store.open()
    await stats.record("unknown")
    await store.record("who won the tribute", "unknown", T0)

    knowledge = load_knowledge(real_kb).knowledge
    assert knowledge is not None
    build_index(knowledge, db)
    await store.record("who won the tribute", "unknown", T0)
    await stats.close()
    await store.close()

    assert [m.count for m in read_top(state_path(db), 10)] == [2]
    with sqlite3.connect(state_path(db)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("SELECT count FROM answers").fetchall() == [(1,)]
    assert {"answers", "unanswered"} <= tables


async def test_the_table_is_bounded_and_keeps_the_most_asked(path: Path) -> None:
    store = UnansweredStore(path, max_rows=10)
    await store.open()
    for _ in range(3):
        await store.record("who won the tribute", "unknown", T0)
    for n in range(40):
        await store.record(f"junk {n}", "unknown", T0 + timedelta(minutes=n))
        assert len(rows(path)) <= 10
    top = await store.top(100)
    await store.close()

    assert top[0].question == "who won the tribute"
    assert "junk 39" in {m.question for m in top}  # the newest survive, the oldest go


@pytest.mark.parametrize("state", ["directory", "garbage"])
async def test_an_unusable_state_file_keeps_the_list_in_memory_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, state: str
) -> None:
    path = tmp_path / "index.state.sqlite3"
    if state == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"\x00garbage, not SQLite\xff" * 200)
    before = path.read_bytes() if path.is_file() else None
    store = UnansweredStore(path)

    await store.open()
    await store.record("who won the tribute", "unknown", T0)
    await store.record("Who won the tribute?", "unknown", T0)
    top = await store.top(10)
    await store.close()

    assert [(m.question, m.count) for m in top] == [("who won the tribute", 2)]
    assert not store.persistent
    warnings = [r for r in caplog.records if r.name == "bot.core.unanswered" and r.levelno >= 30]
    assert len(warnings) == 1
    assert (path.read_bytes() if path.is_file() else None) == before  # nothing destroyed


async def test_a_locked_state_file_costs_no_answer(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(unanswered, "BUSY_TIMEOUT", 0.05)
    store = UnansweredStore(path)
    await store.open()
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await store.record("who won the tribute", "unknown", T0)
        await store.record("who won the tribute", "unknown", T0)
    finally:
        blocker.rollback()
        blocker.close()
    top = await store.top(10)
    await store.close()

    assert [m.count for m in top] == [2]  # both kept, in memory from the failure on
    assert "unusable" in caplog.text


def test_read_top_of_a_missing_file_or_one_without_the_table(tmp_path: Path) -> None:
    assert read_top(tmp_path / "nothing.sqlite3", 10) == []
    stats_only = tmp_path / "stats.sqlite3"
    with sqlite3.connect(stats_only) as conn:
        conn.execute("CREATE TABLE answers (kind TEXT PRIMARY KEY, count INTEGER NOT NULL)")
    assert read_top(stats_only, 10) == []


# ----------------------------------------------------------------- console


async def test_cli_prints_the_most_asked_for_curators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "index.sqlite3"
    store = UnansweredStore(state_path(db))
    await store.open()
    for text in ("Who won the tribute?", "who won the tribute", "ferrari"):
        await store.record(text, "clarify" if text == "ferrari" else "unknown", NOW)
    await store.close()

    assert main(["unanswered", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "people  count  kind     last seen   question",
        "     1      2  unknown  2026-11-23  Who won the tribute?",
        "     1      1  clarify  2026-11-23  ferrari",
    ]
    assert main(["unanswered", "--db", str(state_path(db)), "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_cli_says_when_nothing_was_recorded_and_what_it_is_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["unanswered"]) == 0  # DATABASE_PATH from the environment: nothing there
    assert capsys.readouterr().out == "No unanswered questions recorded yet.\n"
    assert main(["unanswered", "--help"]) == 0
    assert "curators" in capsys.readouterr().out
    assert main(["unanswered", "--limit", "0"]) == 2
    broken = tmp_path / "x.state.sqlite3"
    broken.write_bytes(b"not a database" * 100)
    assert main(["unanswered", "--db", str(broken)]) == 1
    assert "cannot read" in capsys.readouterr().err


# ----------------------------------------------------------------- Telegram


@pytest.fixture
async def bot(app: Any) -> AsyncIterator[Any]:  # noqa: F811
    """The test_tg application with the store on its state file, as ``post_init`` opens it."""
    store: UnansweredStore = app.bot_data["state"].unanswered
    await store.open()
    yield app
    await store.close()


async def test_admins_see_the_most_asked_unanswered_questions(bot: Any) -> None:
    for text in ("What is the airspeed of a swallow?", "what is the airspeed of a swallow"):
        await send(bot, message(text))
    await send(bot, message("arrow"))  # two curated facts fit it: the bot asks which
    await send(bot, message("who won in 1955"))

    (sent,) = await send(bot, message("/unanswered", user=ADMIN))

    assert sent.splitlines() == [
        "<b>Most asked, not answered</b>",
        "• 2× unknown, last 2026-11-23: What is the airspeed of a swallow?",
        "• 1× clarify, last 2026-11-23: arrow",
    ]
    assert (await send(bot, message("/unanswered 1", user=ADMIN)))[0].count("•") == 1
    assert (await send(bot, message("/unanswered lots", user=ADMIN)))[0].startswith("Usage")
    path = state_path(bot.bot_data["state"].settings.database_path)
    stored = repr(rows(path))
    assert str(USER) not in stored and "Ada" not in stored  # never who asked


async def test_unanswered_escapes_what_users_typed(bot: Any) -> None:
    await send(bot, message("<b>who</b> & <i>why</i>"))
    (sent,) = await send(bot, message("/unanswered", user=ADMIN))
    assert "&lt;b&gt;who&lt;/b&gt; &amp; &lt;i&gt;why&lt;/i&gt;" in sent


async def test_unanswered_when_nothing_was_missed(bot: Any) -> None:
    assert await send(bot, message("/unanswered", user=ADMIN)) == [
        "No unanswered questions recorded yet."
    ]


async def test_non_admins_are_refused_without_logging_their_text(
    bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        sent = await send(bot, message("/unanswered 7 secret-words", user=USER))
    assert sent == ["Sorry, /unanswered is only for the bot's admins."]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert f"refused /unanswered from user {USER}" in ours
    assert "secret-words" not in ours


async def test_the_ranking_counts_people_not_messages(store: UnansweredStore, path: Path) -> None:
    """150 crafted messages from one user filled the whole /unanswered top 50."""
    for n in range(150):
        await store.record(f"crafted junk number {n}?", "unknown", T0, asker=666)
        await store.record(f"crafted junk number {n}?", "unknown", T0, asker=666)
    for asker in (1, 2, 3):
        await store.record("who won the 1812 race?", "unknown", T0 - timedelta(days=1), asker)
    await store.record("who won in 1813?", "unknown", T0 - timedelta(days=2), asker=4)
    await store.record("who won in 1813?", "unknown", T0 - timedelta(days=2), asker=5)
    top = await store.top(3)
    assert [(m.question, m.askers) for m in top[:2]] == [
        ("who won the 1812 race", 3),
        ("who won in 1813", 2),
    ]
    assert "666" not in repr(rows(path))  # who asked is never stored
    again = UnansweredStore(path)  # the ranking survives a restart
    await again.open()
    assert [m.question for m in (await again.top(2))] == [
        "who won the 1812 race",
        "who won in 1813",
    ]
    await again.close()


async def test_a_state_file_from_before_the_askers_is_upgraded(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE unanswered (question TEXT PRIMARY KEY, kind TEXT NOT NULL, "
            "count INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, "
            "example TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO unanswered VALUES ('old one', 'unknown', 5, ?, ?, 'Old one?')",
            (T0.isoformat(), T0.isoformat()),
        )
    assert [m.question for m in read_top(path, 5)] == ["old one"]  # the console reads it as is
    store = UnansweredStore(path)
    await store.open()
    await store.record("old one?", "unknown", T0, asker=9)
    assert [(m.count, m.askers) for m in await store.top(5)] == [(6, 2)]
    await store.close()
