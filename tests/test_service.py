"""Reloading the knowledge base while the bot runs, what a reload reports, and answer stats."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.changes import MAX_NAMED, diff_knowledge
from bot.core.index import state_path
from bot.core.model import Edition, Knowledge, Status
from bot.core.reply import Kind
from bot.core.service import MAX_PROBLEM_LINES, AnswerService, ReloadOutcome
from bot.core.stats import StatsStore

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
EDITIONS = "editions/mille-miglia.yaml"

EDITION_1955 = """\
  - year: 1955
    status: held
    era: speed
    winners:
      - driver: Stirling Moss
        co_driver: Denis Jenkinson
        car: Mercedes-Benz 300 SLR
        make: Mercedes-Benz
    sources:
      - https://en.wikipedia.org/wiki/1955_Mille_Miglia
"""

EDITIONS_1939 = """\
  - year: 1939
    status: no-race
    era: speed
    reason: The race was banned after the accident in Bologna in 1938.
    reason_it: La corsa fu vietata dopo l'incidente di Bologna del 1938.
    sources:
      - https://en.wikipedia.org/wiki/Mille_Miglia
"""


def edit(kb: Path, relative: str, old: str, new: str) -> None:
    """Replace one unique piece of a knowledge file, failing loudly if the fixture moved on."""
    path = kb / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_1955(kb: Path) -> None:
    path = kb / EDITIONS
    path.write_text(path.read_text(encoding="utf-8") + EDITION_1955, encoding="utf-8")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "index.sqlite3"


@pytest.fixture
async def service(kb_dir: Path, db_path: Path) -> AnswerService:
    started = AnswerService(kb_dir, db_path)
    await started.start()
    return started


# ------------------------------------------------------------------ reload: what changed


async def test_reload_reports_an_added_edition_and_answers_about_it(
    service: AnswerService, kb_dir: Path
) -> None:
    assert service.answer("who won in 1955", NOW).kind is Kind.UNKNOWN
    add_1955(kb_dir)

    outcome = await service.reload()

    assert outcome.ok
    assert outcome.diff is not None
    assert outcome.diff.editions.added == ("mille-miglia/1955",)
    assert outcome.counts["editions"] == 4
    lines = outcome.summary_lines()
    assert lines[0].startswith("Reloaded the knowledge base in ")
    assert lines[0].endswith(" s: 4 editions, 1 fact, 1 report.")
    assert lines[1:] == ["Editions: 1 added (mille-miglia/1955)"]
    reply = service.answer("who won in 1955", NOW)
    assert reply.kind is Kind.ANSWER
    assert "Stirling Moss" in reply.text


async def test_reload_reports_changed_and_removed_items(
    service: AnswerService, kb_dir: Path
) -> None:
    edit(kb_dir, EDITIONS, "    finishers: 59\n", "    finishers: 60\n")
    edit(kb_dir, EDITIONS, EDITIONS_1939, "")
    edit(kb_dir, "facts/origins.yaml", "later called the four musketeers", "the musketeers")

    outcome = await service.reload()

    assert outcome.ok and outcome.diff is not None
    assert outcome.diff.editions.changed == ("mille-miglia/1931",)
    assert outcome.diff.editions.removed == ("mille-miglia/1939",)
    assert outcome.diff.facts.changed == ("founders",)
    assert outcome.summary_lines()[1:] == [
        "Editions: 1 changed (mille-miglia/1931), 1 removed (mille-miglia/1939)",
        "Facts: 1 changed (founders)",
    ]
    assert "60 of 99 starters finished" in service.answer("how many finished in 1931", NOW).text


async def test_moving_items_between_lines_and_files_is_not_a_change(
    service: AnswerService, kb_dir: Path
) -> None:
    for relative in (EDITIONS, "events.yaml", "reports.yaml", "people.yaml"):
        path = kb_dir / relative
        path.write_text("# moved down\n\n\n" + path.read_text(encoding="utf-8"), "utf-8")
    origins = kb_dir / "facts" / "origins.yaml"
    origins.rename(kb_dir / "facts" / "history.yaml")

    outcome = await service.reload()

    assert outcome.ok and outcome.diff is not None
    assert outcome.diff.is_empty
    assert service.answerer.knowledge.facts[0].file == "facts/history.yaml"
    assert outcome.summary_lines()[1:] == [
        "No changes to editions, facts, reports, events, people or places."
    ]


def test_a_mass_edit_names_a_few_keys_per_line_and_counts_the_rest() -> None:
    def edition(year: int) -> Edition:
        return Edition(event="mille-miglia", year=year, status=Status.HELD)

    old = Knowledge(editions=(edition(1900), edition(1901), edition(1902)))
    new = Knowledge(editions=(edition(1902), *(edition(y) for y in range(2000, 2030))))

    diff = diff_knowledge(old, new)

    assert len(diff.editions.added) == 30 and diff.editions.removed == (
        "mille-miglia/1900",
        "mille-miglia/1901",
    )
    (line,) = diff.summary_lines()
    assert line.startswith("Editions: 30 added (mille-miglia/2000, ")
    assert "and 24 more), 2 removed (mille-miglia/1900, mille-miglia/1901)" in line
    assert line.count("mille-miglia/") == MAX_NAMED


# ------------------------------------------------------------------ reload: failures


async def test_broken_yaml_keeps_the_previous_knowledge_and_the_index_file(
    service: AnswerService, kb_dir: Path, db_path: Path
) -> None:
    before = (db_path.read_bytes(), db_path.stat().st_mtime_ns)
    add_1955(kb_dir)
    text = (kb_dir / EDITIONS).read_text(encoding="utf-8")
    line = text.splitlines().index("    starters: 99") + 1
    edit(kb_dir, EDITIONS, "    starters: 99\n", "    starters: many\n")

    outcome = await service.reload()

    assert not outcome.ok
    assert outcome.problems == (
        f"{EDITIONS}:{line}: editions[0].starters: expected a whole number, got text 'many'",
    )
    assert outcome.summary_lines() == [
        "The knowledge base has 1 problem; I kept serving the previous version.",
        *outcome.problems,
    ]
    assert service.answer("who won in 1931", NOW).kind is Kind.ANSWER
    assert service.answer("who won in 1955", NOW).kind is Kind.UNKNOWN
    assert (db_path.read_bytes(), db_path.stat().st_mtime_ns) == before


async def test_an_index_that_cannot_be_written_keeps_the_previous_knowledge(
    service: AnswerService, kb_dir: Path, db_path: Path
) -> None:
    add_1955(kb_dir)
    db_path.unlink()
    db_path.mkdir()  # the rename into place now fails

    outcome = await service.reload()

    assert not outcome.ok and outcome.reason is not None
    assert "IsADirectoryError" in outcome.reason and "\n" not in outcome.reason
    (line,) = outcome.summary_lines()
    assert line.startswith("The reload failed (IsADirectoryError")
    assert line.endswith("; I kept serving the previous version.")
    assert service.answer("who won in 1955", NOW).kind is Kind.UNKNOWN
    assert [p.name for p in db_path.parent.iterdir()] == [db_path.name]  # no temp file left


def test_a_long_problem_list_fits_one_chat_message() -> None:
    many = tuple(f"{EDITIONS}:{n}: editions[{n}].car: {'x' * 400}" for n in range(100))

    lines = ReloadOutcome(ok=False, seconds=0.1, problems=many).summary_lines()

    assert lines[0] == "The knowledge base has 100 problems; I kept serving the previous version."
    assert 1 < len(lines) <= MAX_PROBLEM_LINES + 2
    assert lines[-1] == f"and {100 - (len(lines) - 2)} more"
    assert len("\n".join(lines)) < 4096
    few = ReloadOutcome(ok=False, seconds=0.1, problems=many[:30]).summary_lines()
    assert few[-1] == f"and {30 - (len(few) - 2)} more"


def test_twenty_short_problems_are_listed_then_counted() -> None:
    many = tuple(f"{EDITIONS}:{n}: editions[{n}].car: bad" for n in range(25))

    lines = ReloadOutcome(ok=False, seconds=0.1, problems=many).summary_lines()

    assert lines[1:] == [*many[:MAX_PROBLEM_LINES], f"and {25 - MAX_PROBLEM_LINES} more"]


# ------------------------------------------------------------------ reload: concurrency


async def test_answers_keep_flowing_while_a_reload_runs(
    service: AnswerService, kb_dir: Path
) -> None:
    held = service.answerer
    add_1955(kb_dir)

    reloading = asyncio.create_task(service.reload())
    await asyncio.sleep(0)  # the reload is now waiting for its worker thread
    assert not reloading.done()
    during = service.answer("who won in 1931", NOW)
    outcome = await reloading

    assert during.kind is Kind.ANSWER and outcome.ok
    assert service.answer("who won in 1955", NOW).kind is Kind.ANSWER
    assert held.answer("who won in 1955", NOW).kind is Kind.UNKNOWN  # in-flight readers unharmed


async def test_concurrent_reloads_run_one_after_the_other(
    service: AnswerService, kb_dir: Path
) -> None:
    add_1955(kb_dir)

    first, second = await asyncio.gather(service.reload(), service.reload())

    assert first.ok and second.ok
    assert first.diff is not None and first.diff.editions.added == ("mille-miglia/1955",)
    assert second.diff is not None and second.diff.is_empty  # it saw the first one's result


async def test_reload_logs_the_outcome(
    service: AnswerService, kb_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.service")
    add_1955(kb_dir)
    await service.reload()
    edit(kb_dir, EDITIONS, "    starters: 99\n", "    starters: many\n")
    await service.reload()

    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Editions: 1 added (mille-miglia/1955)" in m for m in infos)
    assert any("editions[0].starters" in m for m in warnings)


# ------------------------------------------------------------------ stats


STARTED = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


async def record(store: StatsStore, **kinds: int) -> None:
    for kind, times in kinds.items():
        for _ in range(times):
            await store.record(kind)


async def test_stats_since_start_and_in_total_across_a_restart(tmp_path: Path) -> None:
    path = state_path(tmp_path / "data" / "index.sqlite3")
    first = StatsStore(path, STARTED)
    await first.open()
    await record(first, answer=9, clarify=2, unknown=1)
    assert (await first.snapshot()).summary_lines() == [
        "Since start (2026-11-23 20:00 UTC): 12 questions: 75% answered, 17% clarify, 8% unknown.",
        "In total: 12 questions: 75% answered, 17% clarify, 8% unknown.",
    ]
    await first.close()

    restarted = StatsStore(path, STARTED + timedelta(days=1))
    await restarted.open()
    await record(restarted, unknown=4)
    snapshot = await restarted.snapshot()
    await restarted.close()

    assert snapshot.since_start == {"unknown": 4}
    assert snapshot.total == {"answer": 9, "clarify": 2, "unknown": 5}
    assert snapshot.summary_lines() == [
        "Since start (2026-11-24 20:00 UTC): 4 questions: 0% answered, 0% clarify, 100% unknown.",
        "In total: 16 questions: 56% answered, 12% clarify, 31% unknown.",
    ]


async def test_stats_before_any_question(tmp_path: Path) -> None:
    store = StatsStore(tmp_path / "state.sqlite3", datetime(2026, 11, 23, 21, 30))
    await store.open()
    lines = (await store.snapshot()).summary_lines()
    await store.close()

    assert lines == [
        "Since start (2026-11-23 21:30 UTC): no questions yet.",
        "In total: no questions yet.",
    ]


async def test_stats_show_the_start_in_utc(tmp_path: Path) -> None:
    rome = timezone(timedelta(hours=1))
    store = StatsStore(tmp_path / "state.sqlite3", datetime(2026, 11, 23, 21, 0, tzinfo=rome))
    await store.record("answer")

    (since, _) = (await store.snapshot()).summary_lines()

    assert (
        since
        == "Since start (2026-11-23 20:00 UTC): 1 question: 100% answered, 0% clarify, 0% unknown."
    )


@pytest.mark.parametrize("state", ["directory", "garbage"])
async def test_an_unusable_stats_file_counts_in_memory_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, state: str
) -> None:
    path = tmp_path / "index.state.sqlite3"
    if state == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"\x00garbage, not SQLite\xff" * 200)
    before = path.read_bytes() if path.is_file() else None
    store = StatsStore(path, STARTED)

    await store.open()
    await record(store, answer=3, unknown=1)
    snapshot = await store.snapshot()
    await store.close()

    assert snapshot.since_start == snapshot.total == {"answer": 3, "unknown": 1}
    assert snapshot.summary_lines()[1].startswith("In total (kept in memory: state file unusable):")
    warnings = [r for r in caplog.records if r.name == "bot.core.stats" and r.levelno >= 30]
    assert len(warnings) == 1
    assert (path.read_bytes() if path.is_file() else None) == before  # nothing destroyed


async def test_stats_survive_an_index_rebuild(
    service: AnswerService, kb_dir: Path, db_path: Path
) -> None:
    store = StatsStore(state_path(db_path), STARTED)
    await store.open()
    await store.record(service.answer("who won in 1931", NOW).kind.value)
    add_1955(kb_dir)
    assert (await service.reload()).ok
    await store.close()

    reopened = StatsStore(state_path(db_path), STARTED)
    await reopened.open()
    total = (await reopened.snapshot()).total
    await reopened.close()

    assert total == {"answer": 1}


async def test_a_locked_stats_file_never_stalls_an_answer_and_loses_no_count(
    tmp_path: Path,
) -> None:
    import sqlite3 as sql
    import time as clock

    from bot.core.stats import StatsStore

    path = tmp_path / "state.sqlite3"
    store = StatsStore(path, datetime(2026, 11, 23, tzinfo=UTC))
    await store.open()
    await store.record("answer")
    holder = sql.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a backup or another process holds the file
    started = clock.perf_counter()
    await store.record("unknown")
    await store.record("answer")
    assert clock.perf_counter() - started < 2.0
    holder.execute("COMMIT")
    holder.close()
    await store.record("clarify")  # the file is free again: pending counts are written
    await store.close()
    again = StatsStore(path, datetime(2026, 11, 24, tzinfo=UTC))
    await again.open()
    assert (await again.snapshot()).total == {"answer": 2, "unknown": 1, "clarify": 1}
    await again.close()


# ------------------------------------------------------------------ the index file misbehaves

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize("damage", ["delete", "corrupt"])
async def test_an_index_damaged_while_running_costs_no_answer_and_reload_rebuilds_it(
    service: AnswerService, db_path: Path, damage: str
) -> None:
    before = service.answer("who won in 1931", NOW).text
    if damage == "delete":
        db_path.unlink()
    else:
        db_path.write_bytes(b"not a database at all" * 100)
    assert service.answer("who won in 1931", NOW).text == before  # knowledge is in memory
    outcome = await service.reload()
    assert outcome.ok
    restarted = AnswerService(service.knowledge_dir, db_path)
    status = await restarted.start()
    assert not status.rebuilt  # the reload left a good index behind
    assert restarted.answer("who won in 1931", NOW).text == before


async def test_an_index_locked_at_start_is_rebuilt_beside_the_lock(
    kb_dir: Path, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3 as sql

    first = AnswerService(kb_dir, db_path)
    await first.start()
    expected = first.answer("who won in 1931", NOW).text
    holder = sql.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            second = AnswerService(kb_dir, db_path)
            await second.start()
        assert second.answer("who won in 1931", NOW).text == expected
        assert "rebuilding from the YAML" in caplog.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
