"""The SQLite index: round trip, staleness, self-healing, atomic builds and the state file."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import index
from bot.core.index import (
    SCHEMA_VERSION,
    KnowledgeError,
    build_index,
    open_index,
    read_index,
    read_meta,
    rebuild,
    state_path,
)
from bot.core.loader import digest_of, load_knowledge
from bot.core.model import Crew, Knowledge

TABLES = {
    "events",
    "editions",
    "winners",
    "route_towns",
    "reports",
    "facts",
    "phrasings",
    "people",
    "places",
    "sources",
    "aliases",
    "meta",
}

NEW_EDITION = "  - year: 2027\n    status: scheduled\n    era: revival\n    sources: [seed]\n"


def load(kb: Path) -> Knowledge:
    result = load_knowledge(kb)
    assert result.knowledge is not None, "\n".join(map(str, result.problems))
    return result.knowledge


def assert_same_knowledge(left: Knowledge, right: Knowledge) -> None:
    assert left.events == right.events
    assert left.editions == right.editions
    assert left.reports == right.reports
    assert left.facts == right.facts
    assert left.people == right.people
    assert left.places == right.places
    assert left.digest == right.digest
    assert left.counts == right.counts
    assert left == right


def winner_1931(knowledge: Knowledge) -> Crew:
    edition = knowledge.edition("mille-miglia", 1931)
    assert edition is not None and edition.winners
    return edition.winners[0]


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "millebot.sqlite3"


# ------------------------------------------------------------------ round trip


async def test_round_trip_small_kb(kb_dir: Path, db: Path) -> None:
    knowledge = load(kb_dir)
    build_index(knowledge, db)
    assert_same_knowledge(await read_index(db), knowledge)


async def test_round_trip_real_kb(real_kb: Path, db: Path) -> None:
    knowledge = load(real_kb)
    build_index(knowledge, db)
    assert_same_knowledge(await read_index(db), knowledge)


def test_index_tables_and_rows(kb_dir: Path, db: Path) -> None:
    build_index(load(kb_dir), db)
    tables = {str(r[0]) for r in query(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == TABLES
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(
        db, "SELECT position, driver, co_driver, car, make FROM winners WHERE year = 1931"
    ) == [(0, "Rudolf Caracciola", "Wilhelm Sebastian", "Mercedes-Benz SSKL", "Mercedes-Benz")]
    assert query(db, "SELECT event, year, status FROM editions ORDER BY year") == [
        ("mille-miglia", 1931, "held"),
        ("mille-miglia", 1939, "no-race"),
        ("mille-miglia", 2026, "scheduled"),
    ]
    assert query(db, "SELECT start, end FROM editions WHERE year = 2026") == [
        ("2026-06-09", "2026-06-13")
    ]
    assert query(db, "SELECT town FROM route_towns WHERE year = 1931 ORDER BY position") == [
        ("Brescia",),
        ("Rome",),
        ("Brescia",),
    ]
    # The canonical question counts as an English phrasing.
    assert query(db, "SELECT lang, COUNT(*) FROM phrasings GROUP BY lang ORDER BY lang") == [
        ("en", 3),
        ("it", 1),
    ]
    assert ("place", "Rome") in query(db, "SELECT kind, target FROM aliases WHERE alias = 'roma'")
    assert query(db, "SELECT url FROM sources WHERE item_kind = 'report'") == [("seed",)]


def test_real_index_has_caracciola_1931(real_kb: Path, db: Path) -> None:
    build_index(load(real_kb), db)
    rows = query(
        db,
        "SELECT driver, co_driver, car FROM winners "
        "WHERE event = 'mille-miglia' AND year = 1931 AND position = 0",
    )
    assert rows == [("Rudolf Caracciola", "Wilhelm Sebastian", "Mercedes-Benz SSKL")]


async def test_read_meta(kb_dir: Path, db: Path) -> None:
    assert await read_meta(db) is None
    build_index(load(kb_dir), db)
    assert await read_meta(db) == (SCHEMA_VERSION, digest_of(kb_dir))


# ------------------------------------------------------------------ open_index: when to rebuild


async def test_missing_index_is_built_then_up_to_date(kb_dir: Path, db: Path) -> None:
    assert not db.exists()
    first, status = await open_index(kb_dir, db)
    assert (status.rebuilt, status.reason) == (True, "missing")
    assert db.is_file()
    assert status.counts == first.counts
    assert status.counts["editions"] == 3
    built = db.stat().st_mtime_ns, db.read_bytes()

    second, status = await open_index(kb_dir, db)
    assert (status.rebuilt, status.reason) == (False, "up to date")
    assert (db.stat().st_mtime_ns, db.read_bytes()) == built
    assert_same_knowledge(second, first)


async def test_touching_a_file_without_changing_it_does_not_rebuild(kb_dir: Path, db: Path) -> None:
    await open_index(kb_dir, db)
    path = kb_dir / "people.yaml"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns + 10**9, stat.st_mtime_ns + 10**9))
    _, status = await open_index(kb_dir, db)
    assert not status.rebuilt


async def test_edited_yaml_rebuilds_with_the_new_edition(kb_dir: Path, db: Path) -> None:
    knowledge, _ = await open_index(kb_dir, db)
    assert knowledge.edition("mille-miglia", 2027) is None
    with (kb_dir / "editions" / "mille-miglia.yaml").open("a", encoding="utf-8") as f:
        f.write(NEW_EDITION)

    knowledge, status = await open_index(kb_dir, db)
    assert (status.rebuilt, status.reason) == (True, "knowledge changed")
    assert knowledge.edition("mille-miglia", 2027) is not None
    assert status.counts["editions"] == 4
    reread = await read_index(db)
    assert reread.edition("mille-miglia", 2027) is not None
    assert reread.digest == digest_of(kb_dir)

    _, status = await open_index(kb_dir, db)
    assert not status.rebuilt


async def test_new_file_counts_as_a_change(kb_dir: Path, db: Path) -> None:
    await open_index(kb_dir, db)
    (kb_dir / "editions" / "california-mille.yaml").write_text(
        "event: california-mille\neditions:\n  - year: 2014\n    status: held\n"
        "    sources: [seed]\n",
        encoding="utf-8",
    )
    knowledge, status = await open_index(kb_dir, db)
    assert (status.rebuilt, status.reason) == (True, "knowledge changed")
    assert knowledge.edition("california-mille", 2014) is not None


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1927).randbytes(8192))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _zeroed_middle(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:4096] + bytes(len(data) - 8192) + data[-4096:])


def _damaged_row(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE editions SET body = 'not json' WHERE year = 1939")
    conn.commit()
    conn.close()


def _dropped_table(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE facts")
    conn.commit()
    conn.close()


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "random-bytes": _random_bytes,
    "truncated-half": _truncated,
    "truncated-to-header": _header_only,
    "empty-file": _empty,
    "zeroed-middle": _zeroed_middle,
    "damaged-row": _damaged_row,
    "dropped-table": _dropped_table,
}


@pytest.mark.parametrize("corrupt", list(CORRUPTIONS.values()), ids=list(CORRUPTIONS))
async def test_corrupt_index_is_rebuilt_with_a_warning(
    corrupt: Callable[[Path], None],
    kb_dir: Path,
    db: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good, _ = await open_index(kb_dir, db)
    corrupt(db)
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="bot.core.index")

    knowledge, status = await open_index(kb_dir, db)

    assert status.rebuilt
    assert status.reason.startswith("unreadable")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and all(r.name == "bot.core.index" for r in warnings)
    assert any("rebuil" in r.getMessage() for r in warnings)
    assert_same_knowledge(knowledge, good)
    assert winner_1931(knowledge).driver == "Rudolf Caracciola"
    # The file on disk is whole again.
    assert_same_knowledge(await read_index(db), good)
    _, status = await open_index(kb_dir, db)
    assert not status.rebuilt


async def test_schema_version_mismatch_rebuilds(kb_dir: Path, db: Path) -> None:
    await open_index(kb_dir, db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    assert await read_meta(db) == (99, digest_of(kb_dir))

    knowledge, status = await open_index(kb_dir, db)
    assert status.rebuilt
    assert status.reason == f"schema 99 != {SCHEMA_VERSION}"
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert knowledge.edition("mille-miglia", 1931) is not None


async def test_path_with_uri_characters_is_not_rebuilt_every_time(
    kb_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "bot#1" / "millebot.sqlite3"
    await open_index(kb_dir, db)
    _, status = await open_index(kb_dir, db)
    assert not status.rebuilt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot#1", "knowledge"]


# ------------------------------------------------------------------ atomic builds, broken YAML


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failed_build_leaves_previous_index_and_no_temp_file(
    error: type[BaseException], kb_dir: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(kb_dir, db)
    before = db.read_bytes()
    with (kb_dir / "editions" / "mille-miglia.yaml").open("a", encoding="utf-8") as f:
        f.write(NEW_EDITION)

    def half_write(conn: sqlite3.Connection, knowledge: Knowledge) -> None:
        conn.executescript(index.SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('digest', 'half-written')")
        conn.commit()
        raise error("disk full")

    monkeypatch.setattr(index, "_write", half_write)
    with pytest.raises(error):
        rebuild(kb_dir, db)

    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]

    monkeypatch.undo()
    knowledge = rebuild(kb_dir, db)
    assert knowledge.edition("mille-miglia", 2027) is not None
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


async def test_broken_yaml_without_index_raises(kb_dir: Path, db: Path) -> None:
    (kb_dir / "places.yaml").write_text("places:\n  - name: [Rome\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        await open_index(kb_dir, db)
    assert caught.value.problems
    assert all(str(p).startswith("places.yaml:") for p in caught.value.problems)
    assert "problem(s) in the knowledge base" in str(caught.value)
    assert not db.exists()


async def test_broken_yaml_keeps_the_previous_index(kb_dir: Path, db: Path) -> None:
    await open_index(kb_dir, db)
    before = db.read_bytes()
    path = kb_dir / "editions" / "mille-miglia.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    status: held", "    status: won"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        await open_index(kb_dir, db)
    assert [str(p) for p in caught.value.problems] == [
        "editions/mille-miglia.yaml:5: editions[0].status: "
        "expected one of held, no-race, scheduled, cancelled; got 'won'"
    ]
    assert db.read_bytes() == before
    assert winner_1931(await read_index(db)).driver == "Rudolf Caracciola"


# ------------------------------------------------------------------ the state file


def test_state_path_is_a_sibling(db: Path) -> None:
    state = state_path(db)
    assert state.parent == db.parent
    assert state != db
    assert state.name == "millebot.state.sqlite3"


async def test_state_file_survives_rebuilds(kb_dir: Path, db: Path) -> None:
    state = state_path(db)
    state.parent.mkdir(parents=True)
    conn = sqlite3.connect(state)
    conn.execute("CREATE TABLE unanswered (question TEXT)")
    conn.execute("INSERT INTO unanswered VALUES ('who won in 1999?')")
    conn.commit()
    conn.close()
    before = state.read_bytes(), state.stat().st_mtime_ns

    await open_index(kb_dir, db)  # missing
    rebuild(kb_dir, db)  # forced
    _random_bytes(db)
    await open_index(kb_dir, db)  # corrupt
    with (kb_dir / "editions" / "mille-miglia.yaml").open("a", encoding="utf-8") as f:
        f.write(NEW_EDITION)
    await open_index(kb_dir, db)  # changed
    db.unlink()
    await open_index(kb_dir, db)  # deleted

    assert (state.read_bytes(), state.stat().st_mtime_ns) == before
    assert query(state, "SELECT question FROM unanswered") == [("who won in 1999?",)]
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, state.name])


# ------------------------------------------------------------------ millebot index


def run_index(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["index", *args])
    return code, capsys.readouterr().out.splitlines()


def counts_of(lines: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        key, value = line.split()
        counts[key] = int(value)
    return counts


def test_cli_index_prints_counts(
    kb_dir: Path, db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    code, out = run_index(["--db", str(db)], capsys)
    assert code == 0
    assert out[0] == f"{db}: rebuilt (missing)"
    assert counts_of(out[1:]) == {
        "events": 2,
        "editions": 3,
        "reports": 1,
        "facts": 1,
        "phrasings": 3,
        "people": 1,
        "places": 2,
        "editions:mille-miglia": 3,
    }
    assert db.is_file()

    code, out = run_index(["--db", str(db)], capsys)
    assert code == 0
    assert out[0] == f"{db}: up to date"

    code, out = run_index(["--db", str(db), "--force"], capsys)
    assert code == 0
    assert out[0] == f"{db}: rebuilt"
    assert counts_of(out[1:])["editions"] == 3


def test_cli_index_uses_database_path(
    kb_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "elsewhere" / "index.sqlite3"
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    monkeypatch.setenv("DATABASE_PATH", str(target))
    code, out = run_index([], capsys)
    assert code == 0
    assert out[0] == f"{target}: rebuilt (missing)"
    assert target.is_file()


@pytest.mark.parametrize("force", [False, True], ids=["open", "force"])
def test_cli_index_with_broken_kb_prints_problems(
    force: bool,
    kb_dir: Path,
    db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    path = kb_dir / "places.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    aliases:", "    alias:"), encoding="utf-8"
    )
    code, out = run_index(["--db", str(db), *(["--force"] if force else [])], capsys)
    assert code == 1
    assert out == [
        "places.yaml:4: places[0].alias: unknown key 'alias' (did you mean 'aliases'?); "
        "allowed: name, aliases, lat, lon, source, note, no_coordinates, note_it, name_it"
    ]
    assert not db.exists()


def test_loaded_digest_matches_the_files_so_a_fresh_index_is_not_rebuilt(kb_dir: Path) -> None:
    """The digest comes from the bytes the loader read; it must equal a re-hash of the files."""
    result = load_knowledge(kb_dir)
    assert result.knowledge is not None
    assert result.knowledge.digest == digest_of(kb_dir)
