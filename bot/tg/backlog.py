"""Nothing fetched is lost in a crash, and nothing is answered twice.

Telegram forgets an update once the bot asks for the next ones (polling) or answers the
webhook's POST, which happens long before a busy bot has handled it. So every update is written
to the backlog file (``<name>.backlog.sqlite3`` beside DATABASE_PATH, table ``backlog``) as it
enters the bot's queue, before Telegram can forget
it, and marked done once handled, or as soon as its first message goes out (``answering``):
an update whose answer may have been sent is never handed back, so nothing is answered twice.
At start, what is not done is handled first. An update id already in the table is not queued
again, so an update Telegram sends twice (fetched but not yet confirmed when the bot died) is
answered once. The price of "never twice": a crash in the instant a reply is on the wire can
lose the rest of that one reply.

The table is plain data (the update's JSON, never pickle). It has a file of its own because it
is written in line with every update: the state file's stores hold its write lock while they
batch, and waiting for it stalled every chat (p99 3.4 s in ``e2e_load.py --mixed``). An
unusable file makes the backlog a pass-through for the run, with one warning.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bot.tg import limits

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 0.05  # the file is the backlog's alone: a lock means another process has it
SCHEMA = """
CREATE TABLE IF NOT EXISTS backlog (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
)
"""


# Set by the update processor while an update's handlers run (bot/tg/chats.py).
_ANSWERING: ContextVar[Callable[[], None] | None] = ContextVar("answering", default=None)


def answering() -> None:
    """A message for the update being handled is about to go out: never hand it back now."""
    mark = _ANSWERING.get()
    if mark is not None:
        mark()


def handling(mark: Callable[[], None]) -> None:
    """Run ``mark`` at ``answering()`` while this task handles its update (each update is a
    task of its own, with its own copy of the context)."""
    _ANSWERING.set(mark)


def handled() -> None:
    """The update is done with: later sends of this task are not its answer."""
    _ANSWERING.set(None)


def backlog_path(db_path: Path) -> Path:
    """The backlog's own file, beside the index and the state file."""
    return db_path.with_name(db_path.stem + ".backlog" + db_path.suffix)


class UpdateJournal:
    """The backlog table: ``admit`` on arrival, ``done`` when handled, ``pending`` at start."""

    def __init__(self, path: Path, kept: int = limits.BACKLOG_KEPT) -> None:
        self.path = path
        self.kept = kept
        self._db: sqlite3.Connection | None = None
        self._since_prune = 0
        self._failed = False

    @property
    def persistent(self) -> bool:
        return self._db is not None

    def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as err:
            self._give_up(err)
            return
        self._db = db

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()

    def admit(self, update: Update) -> bool:
        """Record a new update; False when this id was seen before (Telegram resent it)."""
        if self._db is None:
            return True
        body = json.dumps(update.to_dict(), ensure_ascii=False, separators=(",", ":"))
        try:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO backlog (update_id, body) VALUES (?, ?)",
                (update.update_id, body),
            )
        except sqlite3.Error as err:
            self._give_up(err)
            return True
        if cursor.rowcount == 0:
            log.info("update %d was already received; not handled twice", update.update_id)
            return False
        return True

    def done(self, update: object) -> None:
        """Handled (or deliberately skipped): never hand it back."""
        if self._db is None or not isinstance(update, Update):
            return
        try:
            self._db.execute("UPDATE backlog SET done = 1 WHERE update_id = ?", (update.update_id,))
            self._since_prune += 1
            if self._since_prune >= 1000:
                self._prune()
        except sqlite3.Error as err:
            self._give_up(err)

    def pending(self, bot: Bot) -> list[Update]:
        """The updates a previous run received but never finished, oldest first."""
        if self._db is None:
            return []
        try:
            rows = self._db.execute(
                "SELECT update_id, body FROM backlog WHERE done = 0 ORDER BY update_id"
            ).fetchall()
        except sqlite3.Error as err:
            self._give_up(err)
            return []
        updates = []
        for update_id, body in rows:
            try:
                data: dict[str, Any] = json.loads(body)
                update = Update.de_json(data, bot)
            except (ValueError, TypeError, KeyError) as err:
                log.warning("backlog: update %s is unreadable (%s); skipped", update_id, err)
                self.done_id(update_id)
                continue
            updates.append(update)
        return updates

    def done_id(self, update_id: int) -> None:
        if self._db is not None:
            try:
                self._db.execute("UPDATE backlog SET done = 1 WHERE update_id = ?", (update_id,))
            except sqlite3.Error as err:
                self._give_up(err)

    def _prune(self) -> None:
        """Keep the newest ``kept`` handled ids: enough to recognise a resend."""
        assert self._db is not None
        self._since_prune = 0
        self._db.execute(
            "DELETE FROM backlog WHERE done = 1 AND update_id < "
            "(SELECT MAX(update_id) FROM backlog) - ?",
            (self.kept,),
        )

    def _give_up(self, err: Exception) -> None:
        if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
            log.info("backlog: file busy (%s); this update is not kept", err)
            return
        if not self._failed:
            log.warning(
                "backlog: file %s is unusable (%s); updates are kept in memory only, "
                "and a crash would lose the unanswered ones",
                self.path,
                err,
            )
        self._failed = True
        db, self._db = self._db, None
        if db is not None:
            db.close()


class JournaledQueue(asyncio.Queue[object]):
    """PTB's update queue, writing each update to the backlog before it can be confirmed.

    The updater and the webhook server both ``put`` here; Telegram forgets an update only
    after that returns, so by then it is in the state file.
    """

    def __init__(self, journal: UpdateJournal) -> None:
        super().__init__()
        self.journal = journal

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not self.journal.admit(item):
            return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue what a previous run left unfinished (already recorded: no second admit)."""
        updates = self.journal.pending(bot)
        for update in updates:
            await super().put(update)
        if updates:
            log.info("backlog: handling %d update(s) left unfinished by the last run", len(updates))
        return len(updates)
