"""The questions the bot could not answer, most frequent first: where the knowledge should grow.

A question that ends as ``unknown`` or ``clarify`` is counted under its normalised text (so
"Who won in 1812?" and "who won in 1812" are one entry), with when it was first and last asked
and one example of its wording; never who asked. The ranking counts distinct askers first
(150 crafted messages from one user filled the whole top 50): each row keeps a 256-bit
sketch of its askers (two bits set per asker from a hash of the user id), from which no user
can be named, and its asker count grows when a new asker's bits were not all set yet.
Curators read the list with
``millebot unanswered`` and admins with ``/unanswered``. Once the knowledge answers a question,
the next time it is asked it leaves the list, so the list shows only what is still missing.

The rows live in the bot's state file (``index.state_path``), next to the statistics, which no
index rebuild replaces. Like the statistics, this must never cost a user their answer: when the
file cannot be used the store warns once and keeps the list in memory for the rest of the run.
The table is bounded, so a flood of distinct junk cannot grow the file forever.
"""

from __future__ import annotations

import contextlib
import hashlib
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

SKETCH_BITS = 256
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS unanswered ("
    "question TEXT PRIMARY KEY, kind TEXT NOT NULL, count INTEGER NOT NULL, "
    "first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, example TEXT NOT NULL, "
    "askers INTEGER NOT NULL DEFAULT 1, sketch BLOB)"
)
# A state file from before the askers were counted gets the two columns (each row: 1 asker).
UPGRADES = (
    "ALTER TABLE unanswered ADD COLUMN askers INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE unanswered ADD COLUMN sketch BLOB",
)
COLUMNS = "SELECT name FROM pragma_table_info('unanswered')"
SKETCH = "SELECT sketch FROM unanswered WHERE question = ?"
NEW_ASKER = "UPDATE unanswered SET askers = askers + 1, sketch = ? WHERE question = ?"
HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unanswered'"
KEYS = "SELECT question FROM unanswered"
UPDATE = (
    "UPDATE unanswered SET kind = ?, count = count + 1, last_seen = max(last_seen, ?) "
    "WHERE question = ?"
)
# Only reached for a new question; the upsert keeps two overlapping records of it correct.
INSERT = (
    "INSERT INTO unanswered (question, kind, count, first_seen, last_seen, example, askers, "
    "sketch) VALUES (?, ?, 1, ?, ?, ?, 1, ?) ON CONFLICT (question) DO UPDATE SET "
    "kind = excluded.kind, count = count + 1, last_seen = max(last_seen, excluded.last_seen)"
)
FORGET = "DELETE FROM unanswered WHERE question = ?"
MERGE = (
    "INSERT INTO unanswered (question, kind, count, first_seen, last_seen, example, askers, "
    "sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (question) DO UPDATE SET "
    "kind = excluded.kind, count = count + excluded.count, "
    "last_seen = max(last_seen, excluded.last_seen), askers = max(askers, excluded.askers)"
)
TOP = (
    "SELECT question, kind, count, first_seen, last_seen, example, askers FROM unanswered "
    "ORDER BY askers DESC, count DESC, last_seen DESC, question LIMIT ?"
)
TOP_BEFORE_ASKERS = (
    "SELECT question, kind, count, first_seen, last_seen, example, 1 FROM unanswered "
    "ORDER BY count DESC, last_seen DESC, question LIMIT ?"
)
PRUNE = (
    "DELETE FROM unanswered WHERE question IN ("
    "SELECT question FROM unanswered ORDER BY askers ASC, count ASC, last_seen ASC, question "
    "LIMIT ?)"
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
    askers: int = 1  # distinct people who asked it (estimated from the sketch)

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
    question, kind, count, first_seen, last_seen, example, askers = row
    return Missed(
        question=str(question),
        kind=str(kind),
        count=int(count),
        first_seen=datetime.fromisoformat(str(first_seen)),
        last_seen=datetime.fromisoformat(str(last_seen)),
        example=str(example),
        askers=int(askers),
    )


def _ranked(rows: list[Missed], limit: int) -> list[Missed]:
    """Most askers first, then most asked, then most recent: what the SQL ``TOP`` does."""
    rows = sorted(rows, key=lambda m: m.question)
    rows.sort(key=lambda m: (m.askers, m.count, m.last_seen), reverse=True)
    return rows[: max(limit, 0)]


def asker_bits(asker: int) -> tuple[int, int]:
    """The two sketch bits of one asker: a hash of the id, which the sketch cannot undo."""
    digest = hashlib.sha256(f"millebot-unanswered-asker:{asker}".encode()).digest()
    return digest[0], digest[1]  # 0..255 each: SKETCH_BITS positions


def with_asker(sketch: bytes | None, asker: int) -> bytes | None:
    """The sketch with ``asker`` added; None when the asker was (probably) there already."""
    bits = bytearray(sketch or bytes(SKETCH_BITS // 8))
    new = False
    for bit in asker_bits(asker):
        byte, mask = divmod(bit, 8)
        if not bits[byte] & (1 << mask):
            bits[byte] |= 1 << mask
            new = True
    return bytes(bits) if new else None


def _prepare(path: Path) -> set[str]:
    """Create the table when needed and read its keys (blocking; runs in a worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT)) as conn:
        conn.execute(SCHEMA)
        columns = {str(name) for (name,) in conn.execute(COLUMNS)}
        if "askers" not in columns:
            for upgrade in UPGRADES:
                conn.execute(upgrade)
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
        columns = {str(name) for (name,) in conn.execute(COLUMNS)}
        top = TOP if "askers" in columns else TOP_BEFORE_ASKERS
        return [_missed(row) for row in conn.execute(top, (max(limit, 0),))]


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
        self._sketches: dict[str, bytes] = {}  # the in-memory twin of the sketch column

    async def open(self) -> None:
        """Open the state file, creating this store's table only; on failure, use memory."""
        keys = await self._open(_prepare)
        if keys is not None:
            self._keys = keys

    async def record(
        self, question: str, kind: str, now: datetime, asker: int | None = None
    ) -> None:
        """Count ``question`` when it went unanswered; forget it once it is answered.

        ``asker`` (a user id, never stored) makes the ranking count people, not messages.
        """
        key = question_key(question)
        if key is None:
            return
        db = self._db
        if db is None and self._failed:
            db = await self._try_again()  # a full disk freed: the memory goes back in the file
        if db is None:
            self._remember(key, kind, now, question, asker)
            return
        if kind not in RECORDED_KINDS and key not in self._keys:
            return
        try:
            if kind in RECORDED_KINDS:
                await self._store(db, key, kind, now, question, asker)
            else:
                await self._forget(db, key)
            await db.commit()
        except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile by a failure
            await self._drop(db, err)
            self._remember(key, kind, now, question, asker)

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
        self,
        db: aiosqlite.Connection,
        key: str,
        kind: str,
        now: datetime,
        question: str,
        asker: int | None,
    ) -> None:
        seen = stamp(now)
        async with db.execute(UPDATE, (kind, seen, key)) as cursor:
            updated = cursor.rowcount
        if updated:
            if asker is not None:
                await self._count_asker(db, key, asker)
            return
        sketch = with_asker(None, asker) if asker is not None else None
        await db.execute(INSERT, (key, kind, seen, seen, example_of(question), sketch))
        self._keys.add(key)
        if len(self._keys) > self.max_rows:
            await self._prune(db)

    async def _count_asker(self, db: aiosqlite.Connection, key: str, asker: int) -> None:
        async with db.execute(SKETCH, (key,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return
        sketch = with_asker(bytes(row[0]) if row[0] is not None else None, asker)
        if sketch is not None:
            await db.execute(NEW_ASKER, (sketch, key))

    async def _recovered(self, db: aiosqlite.Connection) -> None:
        """Merge the questions counted in memory while the file failed into it."""
        try:
            for m in self._memory.values():
                await db.execute(
                    MERGE,
                    (
                        m.question,
                        m.kind,
                        m.count,
                        stamp(m.first_seen),
                        stamp(m.last_seen),
                        m.example,
                        m.askers,
                        self._sketches.get(m.question),
                    ),
                )
            await db.commit()
            async with db.execute(KEYS) as cursor:
                keys = {str(row[0]) for row in await cursor.fetchall()}
        except (sqlite3.Error, ValueError) as err:
            await self._drop(db, err)
            return
        self._keys = keys
        self._memory.clear()
        self._sketches.clear()

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

    def _remember(
        self, key: str, kind: str, now: datetime, question: str, asker: int | None = None
    ) -> None:
        """The in-memory twin of ``_store`` / ``_forget``, bounded the same way."""
        if kind not in RECORDED_KINDS:
            self._memory.pop(key, None)
            self._sketches.pop(key, None)
            return
        seen = datetime.fromisoformat(stamp(now))
        old = self._memory.get(key)
        sketch = with_asker(self._sketches.get(key), asker) if asker is not None else None
        if sketch is not None:
            self._sketches[key] = sketch
        if old is None:
            self._memory[key] = Missed(key, kind, 1, seen, seen, example_of(question))
        else:
            last = max(old.last_seen, seen)
            askers = old.askers + (1 if sketch is not None else 0)
            self._memory[key] = Missed(
                key, kind, old.count + 1, old.first_seen, last, old.example, askers
            )
        if len(self._memory) > self.max_rows:
            keep = _ranked(list(self._memory.values()), self.max_rows - self.max_rows // 10)
            self._memory = {m.question: m for m in keep}
            self._sketches = {k: v for k, v in self._sketches.items() if k in self._memory}
