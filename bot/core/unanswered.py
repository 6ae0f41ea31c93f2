"""The questions the bot could not answer, most frequent first: where the knowledge should grow.

A question that ends as ``unknown`` or ``clarify`` is counted under its normalised text (so
"Who won in 1812?" and "who won in 1812" are one entry), with when it was first and last asked
and one example of its wording; never who asked. Curators read the list with
``millebot unanswered`` and admins with ``/unanswered``. Once the knowledge answers a question,
the next time it is asked it leaves the list, so the list shows only what is still missing.

The rows live in the bot's state file (``index.state_path``), next to the statistics, which no
index rebuild replaces. Like the statistics, this must never cost a user their answer: when the
file cannot be used the store warns once and keeps the list in memory for the rest of the run.
The table is bounded, so a flood of distinct junk cannot grow the file forever.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core import statefile
from bot.core.reply import Kind
from bot.core.text import normalise

log = logging.getLogger(__name__)

RECORDED_KINDS = frozenset({Kind.UNKNOWN.value, Kind.CLARIFY.value})
MAX_QUESTION = 200  # characters of the normalised text kept as the key
MAX_EXAMPLE = 300  # characters of the original wording kept as the example
MAX_ROWS = 10_000
# A lock held elsewhere (a curator's sqlite3 shell) may delay an answer this long, no more.
BUSY_TIMEOUT = 0.2  # a lock held elsewhere must not stall answers (see stats.LOCK_TIMEOUT)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS unanswered ("
    "question TEXT PRIMARY KEY, kind TEXT NOT NULL, count INTEGER NOT NULL, "
    "first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, example TEXT NOT NULL)"
)
HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unanswered'"
KEYS = "SELECT question FROM unanswered"
UPDATE = (
    "UPDATE unanswered SET kind = ?, count = count + 1, last_seen = max(last_seen, ?) "
    "WHERE question = ?"
)
# Only reached for a new question; the upsert keeps two overlapping records of it correct.
INSERT = (
    "INSERT INTO unanswered (question, kind, count, first_seen, last_seen, example) "
    "VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (question) DO UPDATE SET kind = excluded.kind, "
    "count = count + 1, last_seen = max(last_seen, excluded.last_seen)"
)
FORGET = "DELETE FROM unanswered WHERE question = ?"
TOP = (
    "SELECT question, kind, count, first_seen, last_seen, example FROM unanswered "
    "ORDER BY count DESC, last_seen DESC, question LIMIT ?"
)
PRUNE = (
    "DELETE FROM unanswered WHERE question IN ("
    "SELECT question FROM unanswered ORDER BY count ASC, last_seen ASC, question LIMIT ?)"
)


@dataclass(frozen=True)
class Missed:
    """One question the bot could not answer: how often, how recently, and how it was put."""

    question: str  # normalised: the key variants share
    kind: str  # of its latest asking: unknown or clarify
    count: int
    first_seen: datetime
    last_seen: datetime
    example: str  # one original wording, whitespace collapsed and truncated

    def line(self) -> str:
        """One plain line for an admin's chat (the Telegram adapter escapes it)."""
        return f"{self.count}× {self.kind}, last {self.last_seen:%Y-%m-%d}: {self.example}"


def question_key(text: str) -> str | None:
    """The form variants of one question share, or None when the text is not a question.

    Commands are skipped: a wrong ``/edition foo`` is a usage slip, not a gap in the knowledge.
    """
    stripped = text.strip()
    if stripped.startswith("/"):
        return None
    key = normalise(stripped)[:MAX_QUESTION].strip(" '-")
    return key or None


def example_of(text: str) -> str:
    """The original wording on one line, without control characters, at most MAX_EXAMPLE."""
    line = "".join(ch for ch in " ".join(text.split()) if ch.isprintable())
    return line if len(line) <= MAX_EXAMPLE else line[: MAX_EXAMPLE - 1] + "…"


def stamp(moment: datetime) -> str:
    """UTC with whole seconds: one format, so stored times sort as text."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="seconds")


def _missed(row: tuple[Any, ...]) -> Missed:
    question, kind, count, first_seen, last_seen, example = row
    return Missed(
        question=str(question),
        kind=str(kind),
        count=int(count),
        first_seen=datetime.fromisoformat(str(first_seen)),
        last_seen=datetime.fromisoformat(str(last_seen)),
        example=str(example),
    )


def _ranked(rows: list[Missed], limit: int) -> list[Missed]:
    """Most frequent first, ties by the most recently asked: what the SQL ``TOP`` does."""
    rows = sorted(rows, key=lambda m: m.question)
    rows.sort(key=lambda m: (m.count, m.last_seen), reverse=True)
    return rows[: max(limit, 0)]


def _prepare(path: Path) -> set[str]:
    """Create the table when needed and read its keys (blocking; runs in a worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT)) as conn:
        conn.execute(SCHEMA)
        conn.commit()
        return {str(key) for (key,) in conn.execute(KEYS)}


def read_top(path: Path, limit: int) -> list[Missed]:
    """The most frequent unanswered questions in a state file, read only (for the console).

    A missing file or one without the table means nothing was recorded yet; any other
    problem (not a database, unreadable) is raised for the caller to report.
    """
    if not path.exists():
        return []
    uri = path.resolve().as_uri() + "?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        if conn.execute(HAS_TABLE).fetchone() is None:
            return []
        return [_missed(row) for row in conn.execute(TOP, (max(limit, 0),))]


class UnansweredStore(statefile.StateStore):
    """Counts unanswered questions in the state file over one open connection.

    Before ``open`` and after the file failed, the questions are kept in memory instead.
    """

    NAME = "unanswered-questions"
    FALLBACK = "keeping them in memory only"

    def __init__(self, path: Path, max_rows: int = MAX_ROWS) -> None:
        super().__init__(path, BUSY_TIMEOUT)
        self.max_rows = max_rows
        # The questions stored (at most max_rows): an answered question that was never missed
        # (nearly all of them) then costs no database round trip at all.
        self._keys: set[str] = set()
        self._memory: dict[str, Missed] = {}

    async def open(self) -> None:
        """Open the state file, creating this store's table only; on failure, use memory."""
        keys = await self._open(_prepare)
        if keys is not None:
            self._keys = keys

    async def record(self, question: str, kind: str, now: datetime) -> None:
        """Count ``question`` when it went unanswered; forget it once it is answered."""
        key = question_key(question)
        if key is None:
            return
        db = self._db
        if db is None:
            self._remember(key, kind, now, question)
            return
        if kind not in RECORDED_KINDS and key not in self._keys:
            return
        try:
            if kind in RECORDED_KINDS:
                await self._store(db, key, kind, now, question)
            else:
                await self._forget(db, key)
            await db.commit()
        except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile by a failure
            await self._drop(db, err)
            self._remember(key, kind, now, question)

    async def top(self, limit: int) -> list[Missed]:
        """The ``limit`` most frequent unanswered questions, ties by the most recent."""
        db = self._db
        if db is not None:
            try:
                async with db.execute(TOP, (max(limit, 0),)) as cursor:
                    return [_missed(tuple(row)) for row in await cursor.fetchall()]
            except (sqlite3.Error, ValueError) as err:
                await self._drop(db, err)
        return _ranked(list(self._memory.values()), limit)

    async def _store(
        self, db: aiosqlite.Connection, key: str, kind: str, now: datetime, question: str
    ) -> None:
        seen = stamp(now)
        async with db.execute(UPDATE, (kind, seen, key)) as cursor:
            updated = cursor.rowcount
        if updated:
            return
        await db.execute(INSERT, (key, kind, seen, seen, example_of(question)))
        self._keys.add(key)
        if len(self._keys) > self.max_rows:
            await self._prune(db)

    async def _prune(self, db: aiosqlite.Connection) -> None:
        """Drop the least asked, longest unasked rows, a tenth of the cap at once (amortised)."""
        excess = len(self._keys) - (self.max_rows - self.max_rows // 10)
        if excess > 0:
            await db.execute(PRUNE, (excess,))
        async with db.execute(KEYS) as cursor:
            self._keys = {str(row[0]) for row in await cursor.fetchall()}

    async def _forget(self, db: aiosqlite.Connection, key: str) -> None:
        await db.execute(FORGET, (key,))
        self._keys.discard(key)

    def _remember(self, key: str, kind: str, now: datetime, question: str) -> None:
        """The in-memory twin of ``_store`` / ``_forget``, bounded the same way."""
        if kind not in RECORDED_KINDS:
            self._memory.pop(key, None)
            return
        seen = datetime.fromisoformat(stamp(now))
        old = self._memory.get(key)
        if old is None:
            self._memory[key] = Missed(key, kind, 1, seen, seen, example_of(question))
        else:
            last = max(old.last_seen, seen)
            self._memory[key] = Missed(key, kind, old.count + 1, old.first_seen, last, old.example)
        if len(self._memory) > self.max_rows:
            keep = _ranked(list(self._memory.values()), self.max_rows - self.max_rows // 10)
            self._memory = {m.question: m for m in keep}
