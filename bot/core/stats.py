"""How many questions the bot served and how well: since this start and in total.

Counting must never cost a user their answer: when the state file cannot be used (unwritable,
a directory, not a database) the store says so once in the log and keeps counting in memory.
The state file is the sibling of the index (``index.state_path``), which no rebuild replaces,
so totals survive reloads and restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.core import statefile

log = logging.getLogger(__name__)

SCHEMA = "CREATE TABLE IF NOT EXISTS answers (kind TEXT PRIMARY KEY, count INTEGER NOT NULL)"
SELECT = "SELECT kind, count FROM answers"
UPSERT = (
    "INSERT INTO answers (kind, count) VALUES (?, ?) "
    "ON CONFLICT (kind) DO UPDATE SET count = count + excluded.count"
)
# Another process holding the file (a backup, an editor) must not stall answers: wait this
# long for its lock, then keep the counts pending and write them with the next answer.
LOCK_TIMEOUT = 0.2
WRITE_EVERY = 1.0  # seconds between writes of the counts; a crash loses at most this much

# Reply kinds in the order an admin reads them, with the word the summary uses for each.
KIND_LABELS = {"answer": "answered", "clarify": "clarify", "unknown": "unknown"}


@dataclass(frozen=True)
class StatsSnapshot:
    """Counts per reply kind since the bot started and over its whole life."""

    since_start: dict[str, int]
    total: dict[str, int]
    started_at: datetime
    persistent: bool = True

    def summary_lines(self) -> list[str]:
        """Two lines for the admin's chat."""
        started = _as_utc(self.started_at).strftime("%Y-%m-%d %H:%M UTC")
        total = "In total" if self.persistent else "In total (kept in memory: state file unusable)"
        return [
            f"Since start ({started}): {_breakdown(self.since_start)}",
            f"{total}: {_breakdown(self.total)}",
        ]


def _as_utc(moment: datetime) -> datetime:
    """Naive times are UTC in this codebase; an aware one is shown in UTC for every admin."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _breakdown(counts: dict[str, int]) -> str:
    questions = sum(counts.values())
    if not questions:
        return "no questions yet."
    noun = "question" if questions == 1 else "questions"
    extra = sorted(kind for kind in counts if kind not in KIND_LABELS)
    shares = [
        f"{100 * counts.get(kind, 0) / questions:.0f}% {KIND_LABELS.get(kind, kind)}"
        for kind in (*KIND_LABELS, *extra)
    ]
    return f"{questions} {noun}: {', '.join(shares)}."


def _prepare(path: Path) -> dict[str, int]:
    """Create the table when needed and read the totals (blocking; runs in a worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(SCHEMA)
        conn.commit()
        return {str(kind): int(count) for kind, count in conn.execute(SELECT)}


class StatsStore:
    """Counts replies per kind in memory and in the state file, over one open connection."""

    def __init__(self, path: Path, started_at: datetime, write_every: float = WRITE_EVERY) -> None:
        self.path = path
        self.started_at = started_at
        self.write_every = write_every
        self._last_write = -math.inf
        self._since_start: Counter[str] = Counter()
        self._total: Counter[str] = Counter()
        self._db: aiosqlite.Connection | None = None
        self._failed = False
        self._pending: Counter[str] = Counter()  # counted, not yet written (file was locked)
        self._locked = False

    async def open(self) -> None:
        """Open the state file and load the totals so far; on failure, count in memory only."""
        if self._db is not None or self._failed:
            return
        try:
            # Checked with plain sqlite3 first: a failed aiosqlite.connect leaves its worker
            # thread reporting to the event loop after the fact.
            totals = await asyncio.to_thread(_prepare, self.path)
            db = await statefile.connect(self.path, timeout=LOCK_TIMEOUT)
        except (OSError, sqlite3.Error) as err:
            await self._give_up(None, err)
            return
        self._total.update(totals)
        self._db = db

    async def record(self, kind: str) -> None:
        """Count one reply; the in-memory counts are updated before any disk work.

        Counts reach the file at most every ``write_every`` seconds (and on close): under a
        flood that is one write for many answers instead of one per answer.
        """
        self._since_start[kind] += 1
        self._total[kind] += 1
        self._pending[kind] += 1
        if time.monotonic() - self._last_write >= self.write_every:
            await self.flush()

    async def flush(self) -> None:
        """Write the pending counts now."""
        db = self._db
        if db is None or not self._pending:
            return
        self._last_write = time.monotonic()
        pending = dict(self._pending)
        try:
            await db.executemany(UPSERT, list(pending.items()))
            await db.commit()
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                await self._wait_for_lock(db, err)
                return
            await self._drop(db, err)
            return
        except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile by a failure
            await self._drop(db, err)
            return
        self._pending.subtract(pending)
        self._pending = +self._pending
        if self._locked:
            log.info("stats file %s is writable again; pending counts written", self.path)
            self._locked = False

    async def _wait_for_lock(self, db: aiosqlite.Connection, err: Exception) -> None:
        if not self._locked:
            log.warning(
                "stats file %s is locked (%s); counts kept until it is free", self.path, err
            )
            self._locked = True
        try:
            await db.rollback()
        except (sqlite3.Error, ValueError):
            log.debug("rollback after a lock failed", exc_info=True)

    async def _drop(self, db: aiosqlite.Connection, err: Exception) -> None:
        if self._db is db:
            self._db = None
            await self._give_up(db, err)

    async def snapshot(self) -> StatsSnapshot:
        return StatsSnapshot(
            since_start=dict(self._since_start),
            total=dict(self._total),
            started_at=self.started_at,
            persistent=not self._failed,
        )

    async def close(self) -> None:
        await self.flush()
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    async def _give_up(self, db: aiosqlite.Connection | None, err: Exception) -> None:
        """Stop using the state file for the rest of this run; warn once, never raise."""
        if not self._failed:
            log.warning("stats file %s is unusable (%s); counting in memory only", self.path, err)
        self._failed = True
        if db is not None:
            try:
                await db.close()
            except (sqlite3.Error, ValueError):
                log.debug("closing the unusable stats file failed too", exc_info=True)
