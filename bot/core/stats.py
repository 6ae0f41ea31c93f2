"""How many questions the bot served and how well: since this start and in total.

Counting must never cost a user their answer: when the state file cannot be used (unwritable,
a directory, not a database) the store says so once in the log and keeps counting in memory.
The state file is the sibling of the index (``index.state_path``), which no rebuild replaces,
so totals survive reloads and restarts.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


class StatsStore(statefile.StateStore):
    """Counts replies per kind in memory and in the state file, over one open connection."""

    NAME = "stats"
    FALLBACK = "counting in memory only"

    def __init__(self, path: Path, started_at: datetime, write_every: float = WRITE_EVERY) -> None:
        super().__init__(path, LOCK_TIMEOUT)
        self.started_at = started_at
        self.write_every = write_every
        self._last_write = -math.inf
        self._since_start: Counter[str] = Counter()
        self._total: Counter[str] = Counter()
        self._pending: Counter[str] = Counter()  # counted, not written yet

    async def open(self) -> None:
        """Open the state file and load the totals so far; on failure, count in memory only."""
        totals = await self._open(_prepare)
        if totals is not None:
            self._total.update(totals)

    async def record(self, kind: str) -> None:
        """Count one reply; the in-memory counts are updated before any disk work.

        Counts reach the file at most every ``write_every`` seconds (and on close): under a
        flood that is one write for many answers instead of one per answer.
        """
        self._since_start[kind] += 1
        self._total[kind] += 1
        self._pending[kind] += 1
        if self._db is None and self._failed:
            await self._try_again()  # a full disk freed: the counts kept meanwhile are written
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
        except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile by a failure
            await self._write_failed(db, err)
            return
        self._pending.subtract(pending)
        self._pending = +self._pending
        self._written()

    async def _recovered(self, db: Any) -> None:
        await self.flush()

    async def snapshot(self) -> StatsSnapshot:
        return StatsSnapshot(
            since_start=dict(self._since_start),
            total=dict(self._total),
            started_at=self.started_at,
            persistent=self.persistent,
        )

    async def close(self) -> None:
        await self.flush()
        await super().close()
