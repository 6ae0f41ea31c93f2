"""The conversation store: per (chat, user) and per answer message, bounded, surviving a restart,
and never costing an answer when the state file misbehaves."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.core.contextstore import ContextStore
from bot.core.index import state_path

GROUP = -100
ALICE, BOB = 1, 2


def ctx(year: int) -> dict[str, object]:
    return {"events": ["mille-miglia"], "years": [year], "intents": ["winner"], "at": "x"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return state_path(tmp_path / "data" / "index.sqlite3")


async def test_each_user_of_a_group_has_their_own_and_each_answer_its_own(path: Path) -> None:
    store = ContextStore(path)
    await store.open()
    await store.keep(GROUP, ALICE, ctx(1955), [10])
    await store.keep(GROUP, BOB, ctx(1933), [11])
    await store.keep(GROUP, ALICE, ctx(1956), [12, 13])
    await store.close()

    assert store.of_user(GROUP, ALICE) == ctx(1956)
    assert store.of_user(GROUP, BOB) == ctx(1933)
    assert store.of_user(7, ALICE) is None  # another chat: nothing
    assert store.of_answer(GROUP, 10) == ctx(1955)  # the older answer keeps its own
    assert store.of_answer(GROUP, 13) == ctx(1956)


async def test_a_reply_without_context_leaves_the_conversation_where_it_was(path: Path) -> None:
    store = ContextStore(path)
    await store.open()
    await store.keep(GROUP, ALICE, ctx(1955), [10])
    await store.keep(GROUP, ALICE, None, [11])
    await store.close()
    restarted = ContextStore(path)
    await restarted.open()
    await restarted.close()

    assert store.of_user(GROUP, ALICE) == ctx(1955)  # "/help" in between: still 1955
    assert store.of_answer(GROUP, 11) is None  # nothing to resume from the help text
    assert restarted.of_user(GROUP, ALICE) == ctx(1955)
    assert restarted.of_answer(GROUP, 10) == ctx(1955)


async def test_contexts_survive_a_restart_as_plain_json(path: Path) -> None:
    first = ContextStore(path)
    await first.open()
    await first.keep(GROUP, ALICE, ctx(1955), [10])
    await first.close()

    restarted = ContextStore(path)
    await restarted.open()
    await restarted.close()

    assert restarted.of_user(GROUP, ALICE) == ctx(1955)
    assert restarted.of_answer(GROUP, 10) == ctx(1955)
    with sqlite3.connect(path) as conn:
        texts = [row[0] for row in conn.execute("SELECT context FROM contexts")]
    assert [json.loads(text) for text in texts] == [ctx(1955), ctx(1955)]  # JSON, not pickle


async def test_the_store_is_bounded_oldest_evicted_in_memory_and_on_disk(path: Path) -> None:
    store = ContextStore(path, max_rows=20)
    await store.open()
    for n in range(40):
        await store.keep(GROUP, n, ctx(1927 + n), [1000 + n])
    await store.close()
    restarted = ContextStore(path, max_rows=20)
    await restarted.open()
    await restarted.close()

    assert len(store) <= 20
    assert store.of_user(GROUP, 39) == ctx(1966)  # the newest stays
    assert store.of_user(GROUP, 0) is None  # the oldest went
    assert store.of_answer(GROUP, 1000) is None
    with sqlite3.connect(path) as conn:
        (rows,) = conn.execute("SELECT count(*) FROM contexts").fetchone()
    assert rows <= 20
    assert restarted.of_user(GROUP, 39) == ctx(1966)
    assert restarted.of_user(GROUP, 0) is None


async def test_a_lowered_bound_is_applied_at_start(path: Path) -> None:
    store = ContextStore(path)
    await store.open()
    for n in range(30):
        await store.keep(GROUP, n, ctx(1927 + n))
    await store.close()
    smaller = ContextStore(path, max_rows=10)
    await smaller.open()
    await smaller.close()

    assert len(smaller) == 10
    assert smaller.of_user(GROUP, 29) == ctx(1956)
    assert smaller.of_user(GROUP, 19) is None


@pytest.mark.parametrize("state", ["garbage", "directory"])
async def test_a_broken_state_file_keeps_contexts_for_this_run_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, state: str
) -> None:
    path = tmp_path / "index.state.sqlite3"
    if state == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"\x00garbage, not SQLite\xff" * 200)
    before = path.read_bytes() if path.is_file() else None
    store = ContextStore(path)
    with caplog.at_level(logging.WARNING):
        await store.open()
        await store.keep(GROUP, ALICE, ctx(1955), [10])
        await store.keep(GROUP, ALICE, ctx(1956), [11])
    await store.close()

    assert store.of_user(GROUP, ALICE) == ctx(1956)  # the conversation goes on in memory
    assert store.of_answer(GROUP, 10) == ctx(1955)
    assert not store.persistent
    warnings = [r for r in caplog.records if r.name == "bot.core.contextstore"]
    assert len(warnings) == 1
    assert (path.read_bytes() if path.is_file() else None) == before  # nothing destroyed


async def test_a_locked_state_file_delays_the_write_not_the_answer(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = ContextStore(path, write_every=0)  # every keep tries the file
    monkeypatch.setattr(store, "timeout", 0.05)
    await store.open()
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await store.keep(GROUP, ALICE, ctx(1955), [10])
        assert store.of_user(GROUP, ALICE) == ctx(1955)  # readers see memory at once
    finally:
        blocker.rollback()
        blocker.close()
    await store.keep(GROUP, BOB, ctx(1933), [11])  # the file is free again: all written
    await store.close()
    restarted = ContextStore(path)
    await restarted.open()
    await restarted.close()

    assert restarted.of_user(GROUP, ALICE) == ctx(1955)
    assert restarted.of_user(GROUP, BOB) == ctx(1933)
    assert store.persistent
    assert "locked" in caplog.text


async def test_writes_are_batched_and_a_clean_stop_writes_everything(path: Path) -> None:
    store = ContextStore(path, write_every=3600)  # nothing written between open and close
    await store.open()
    for year in range(1950, 1958):
        await store.keep(GROUP, ALICE, ctx(year), [year])
    with sqlite3.connect(path) as conn:
        (before_close,) = conn.execute("SELECT count(*) FROM contexts").fetchone()
    await store.close()
    restarted = ContextStore(path)
    await restarted.open()
    await restarted.close()

    assert before_close == 0  # one write for many answers...
    assert restarted.of_user(GROUP, ALICE) == ctx(1957)  # ...and none lost on a clean stop
    assert restarted.of_answer(GROUP, 1950) == ctx(1950)


async def test_a_hand_edited_row_is_no_context(path: Path) -> None:
    store = ContextStore(path)
    await store.open()
    await store.keep(GROUP, ALICE, ctx(1955))
    await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE contexts SET context = 'not json'")
    restarted = ContextStore(path)
    await restarted.open()
    await restarted.close()

    assert restarted.of_user(GROUP, ALICE) is None
