"""The bot's own SQLite file (stats, unanswered questions, subscriptions): opened for speed.

Every answer writes a counter here, so a commit must not wait for the disk: in WAL mode with
``synchronous=NORMAL`` a commit is an append to the log, durable if the bot crashes (not if
the machine loses power, which at worst costs the last few counts). Measured with
``benchmarks/e2e_load.py``, the default rollback journal with a sync per commit was the
largest cost per reply after the rate limiter.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_EVERY = 60.0
"""Seconds between attempts to use a state file again after it failed in mid-run (a full
disk): once it works, what was kept in memory meanwhile is written to it."""


async def connect(path: Path, timeout: float) -> aiosqlite.Connection:
    """An aiosqlite connection to the state file in WAL mode with light syncing."""
    db = await aiosqlite.connect(path, timeout=timeout)
    try:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as err:  # locked by someone else right now: still usable, just slower
        log.info("state file kept its journal mode (%s)", err)
    return db


class StateStore:
    """What every store of the state file shares: one connection, warn once, never raise.

    A store keeps what it serves in memory and writes through to the file. A lock held
    elsewhere keeps writes pending until the next one finds the file free; any other failure
    makes the store give the file up for the rest of the run (``persistent`` turns False),
    with one warning. Subclasses name themselves (``NAME``) and say what giving up means
    (``FALLBACK``) for the log.
    """

    NAME = "state"
    FALLBACK = "keeping its data in memory only"

    def __init__(
        self, path: Path, timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.timeout = timeout
        self.clock = clock  # monotonic seconds, for RETRY_EVERY (tests inject their own)
        self._db: aiosqlite.Connection | None = None
        self._failed = False
        self._locked = False
        self._was_open = False  # opened once: the memory holds everything the file had
        self._failed_at: float | None = None
        self.log = logging.getLogger(type(self).__module__)  # the store's own logger

    @property
    def persistent(self) -> bool:
        """False once the state file proved unusable: the data then lasts for this run only."""
        return not self._failed

    async def _open(self, prepare: Callable[..., T], *args: Any) -> T | None:
        """Run ``prepare(path, *args)`` in a thread (create tables, read rows), then connect.

        None when already open or when the file is unusable (then given up). The file is
        checked with plain sqlite3 first: a failed aiosqlite.connect leaves its worker thread
        reporting to the event loop after the fact.
        """
        if self._db is not None or self._failed:
            return None
        try:
            prepared = await asyncio.to_thread(prepare, self.path, *args)
            self._db = await connect(self.path, timeout=self.timeout)
        except (OSError, sqlite3.Error) as err:
            await self._give_up(None, err)
            return None
        self._was_open = True
        return prepared

    async def _try_again(self) -> aiosqlite.Connection | None:
        """After a failure in mid-run (a full disk), use the file again every RETRY_EVERY s.

        Only a store that had opened the file can: its memory then holds all the file had,
        plus what changed since, which ``_recovered`` writes back. A store that never opened
        it keeps to memory for the run (reading the file now could undo changes made since).
        """
        if not (self._failed and self._was_open) or self._failed_at is None:
            return None
        if self.clock() - self._failed_at < RETRY_EVERY:
            return None
        self._failed_at = self.clock()
        try:
            db = await connect(self.path, timeout=self.timeout)
        except (OSError, sqlite3.Error):
            return None
        self._db, self._failed = db, False
        self.log.warning(
            "%s file %s is usable again; writing what was kept in memory", self.NAME, self.path
        )
        await self._recovered(db)
        return self._db

    async def _recovered(self, db: aiosqlite.Connection) -> None:
        """Write what was kept in memory while the file failed (each store knows what)."""

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    async def _write_failed(self, db: aiosqlite.Connection, err: Exception) -> None:
        """After a failed write: wait for a lock to go, or give the file up."""
        if isinstance(err, sqlite3.OperationalError) and (
            "locked" in str(err) or "busy" in str(err)
        ):
            if not self._locked:
                self.log.warning(
                    "%s file %s is locked (%s); changes kept until it is free",
                    self.NAME,
                    self.path,
                    err,
                )
                self._locked = True
            try:
                await db.rollback()
            except (sqlite3.Error, ValueError):
                self.log.debug("rollback after a lock failed", exc_info=True)
            return
        await self._drop(db, err)

    def _written(self) -> None:
        """A write went through: say so once if the file had been locked."""
        if self._locked:
            self.log.info(
                "%s file %s is writable again; pending changes written", self.NAME, self.path
            )
            self._locked = False

    async def _drop(self, db: aiosqlite.Connection, err: Exception) -> None:
        if self._db is db:
            self._db = None
            await self._give_up(db, err)

    async def _give_up(self, db: aiosqlite.Connection | None, err: Exception) -> None:
        """Stop using the state file for the rest of this run; warn once, never raise."""
        if not self._failed:
            self.log.warning(
                "%s file %s is unusable (%s); %s", self.NAME, self.path, err, self.FALLBACK
            )
        self._failed = True
        self._failed_at = self.clock()
        if not self._was_open:
            self._forget_pending()
        if db is not None:
            try:
                await db.close()
            except (sqlite3.Error, ValueError):
                self.log.debug("closing the unusable state file failed too", exc_info=True)

    def _forget_pending(self) -> None:
        """Drop writes waiting for the file (a store with a queue overrides this)."""
