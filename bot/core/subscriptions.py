"""Which chats get reminders about which events, and which reminders each chat already got.

Two tables in the bot's state file (``index.state_path``, next to the statistics; no index
rebuild replaces it): ``subscriptions`` (a chat, an event, the language its texts are written
in, when it subscribed) and ``reminders_sent`` (a chat, an event, a reminder's key), so that a
restart or a reload that schedules a reminder again never sends it twice. A third,
``notes_due``, holds the "dates changed" notes a reload decided to send (a chat, a key, the
text) until each goes out, so a crash in the middle of sending resumes where it stopped.
Both are marked before the message is sent: a crash at that instant can lose one message,
never send one twice.

Every row is also kept in memory, which is what readers see: the whole set is small (a row per
chat and event) and reminders must go out even when the disk misbehaves. Like the statistics,
the store never raises into a handler: a locked file keeps the writes pending until the next
write finds it free, and an unusable one is reported once in the log, after which the
subscriptions last for this run only (``persistent`` says so, and the replies too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core import statefile

log = logging.getLogger(__name__)

# A lock held elsewhere (a backup, a curator's sqlite3 shell) may delay a reply this long.
LOCK_TIMEOUT = 0.2
MAX_PENDING = 10_000  # changes kept for a file that failed (a full disk), newest kept
# "Already sent" matters for the reminders of one edition; older rows are dropped at start.
SENT_KEPT = timedelta(days=400)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS subscriptions ("
    "chat_id INTEGER NOT NULL, event TEXT NOT NULL, lang TEXT, created TEXT NOT NULL, "
    "PRIMARY KEY (chat_id, event))",
    "CREATE TABLE IF NOT EXISTS reminders_sent ("
    "chat_id INTEGER NOT NULL, event TEXT NOT NULL, reminder TEXT NOT NULL, sent TEXT NOT NULL, "
    "PRIMARY KEY (chat_id, event, reminder))",
    "CREATE TABLE IF NOT EXISTS notes_due ("
    "chat_id INTEGER NOT NULL, note TEXT NOT NULL, text TEXT NOT NULL, "
    "PRIMARY KEY (chat_id, note))",
)
SELECT_NOTES = "SELECT chat_id, note, text FROM notes_due ORDER BY rowid"
QUEUE_NOTE = "INSERT OR IGNORE INTO notes_due (chat_id, note, text) VALUES (?, ?, ?)"
NOTE_SENT = "DELETE FROM notes_due WHERE chat_id = ? AND note = ?"
MOVE_NOTES = "UPDATE OR REPLACE notes_due SET chat_id = ? WHERE chat_id = ?"
SELECT_SUBSCRIPTIONS = "SELECT chat_id, event, lang, created FROM subscriptions"
SELECT_SENT = "SELECT chat_id, event, reminder FROM reminders_sent"
PRUNE_SENT = "DELETE FROM reminders_sent WHERE sent < ?"
UPSERT = (
    "INSERT INTO subscriptions (chat_id, event, lang, created) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chat_id, event) DO UPDATE SET lang = excluded.lang"
)
DELETE_ONE = "DELETE FROM subscriptions WHERE chat_id = ? AND event = ?"
MARK_SENT = (
    "INSERT OR IGNORE INTO reminders_sent (chat_id, event, reminder, sent) VALUES (?, ?, ?, ?)"
)
MOVE_SUBSCRIPTIONS = "UPDATE OR REPLACE subscriptions SET chat_id = ? WHERE chat_id = ?"
MOVE_SENT = "UPDATE OR REPLACE reminders_sent SET chat_id = ? WHERE chat_id = ?"


@dataclass(frozen=True)
class Subscription:
    """A chat that gets reminders about an event, in the language it subscribed in."""

    chat_id: int
    event: str
    lang: str | None
    created: datetime


def stamp(moment: datetime) -> str:
    """UTC with whole seconds: one format, so stored times sort as text."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="seconds")


def _parsed(text: object) -> datetime:
    """A stored time; an unreadable one (edited by hand) must not lose the subscription."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _prepare(path: Path, prune_before: str | None) -> Rows:
    """Create the tables when needed, drop old "sent" rows, read everything (worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path, timeout=LOCK_TIMEOUT)) as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        if prune_before is not None:
            conn.execute(PRUNE_SENT, (prune_before,))
        conn.commit()
        return (
            conn.execute(SELECT_SUBSCRIPTIONS).fetchall(),
            conn.execute(SELECT_SENT).fetchall(),
            conn.execute(SELECT_NOTES).fetchall(),
        )


class SubscriptionStore(statefile.StateStore):
    """Subscriptions and sent reminders: in memory for reading, written through to SQLite."""

    NAME = "subscriptions"
    FALLBACK = "subscriptions last for this run only"

    def __init__(self, path: Path) -> None:
        super().__init__(path, LOCK_TIMEOUT)
        self._subscriptions: dict[tuple[int, str], Subscription] = {}
        self._sent: set[tuple[int, str, str]] = set()
        self._notes: dict[tuple[int, str], str] = {}  # (chat, note key) -> text, in order
        self._pending: list[tuple[str, tuple[Any, ...]]] = []  # not written yet (file locked)
        self._write_lock = asyncio.Lock()

    async def open(self, now: datetime | None = None) -> None:
        """Read the stored rows (dropping "sent" rows older than ``SENT_KEPT`` before ``now``)."""
        prune = stamp(now - SENT_KEPT) if now is not None else None
        rows = await self._open(_prepare, prune)
        if rows is None:
            return
        subscriptions, sent, notes = rows
        for chat_id, event, lang, created in subscriptions:
            key = (int(chat_id), str(event))
            self._subscriptions.setdefault(
                key, Subscription(key[0], key[1], str(lang) if lang else None, _parsed(created))
            )
        self._sent.update((int(c), str(e), str(r)) for c, e, r in sent)
        for chat_id, note, text in notes:
            self._notes.setdefault((int(chat_id), str(note)), str(text))
        if self._pending:  # changes made before the file was open
            await self._write([])

    # ------------------------------------------------------------- reading (memory only)

    def of_chat(self, chat_id: int) -> list[Subscription]:
        return sorted(
            (s for (chat, _), s in self._subscriptions.items() if chat == chat_id),
            key=lambda s: s.event,
        )

    def subscribers(self, event: str) -> list[Subscription]:
        return sorted(
            (s for (_, ev), s in self._subscriptions.items() if ev == event),
            key=lambda s: s.chat_id,
        )

    def events(self) -> set[str]:
        return {event for _, event in self._subscriptions}

    def was_sent(self, chat_id: int, event: str, reminder: str) -> bool:
        return (chat_id, event, reminder) in self._sent

    # ------------------------------------------------------------- writing

    async def subscribe(self, chat_id: int, event: str, lang: str | None, now: datetime) -> bool:
        """Subscribe a chat to an event (again: only its language is updated); True when new."""
        old = self._subscriptions.get((chat_id, event))
        created = old.created if old else datetime.fromisoformat(stamp(now))
        self._subscriptions[(chat_id, event)] = Subscription(chat_id, event, lang, created)
        await self._write([(UPSERT, (chat_id, event, lang, stamp(created)))])
        return old is None

    async def unsubscribe(self, chat_id: int, event: str | None = None) -> list[str]:
        """End one subscription of a chat, or all of them; the events it no longer follows."""
        gone = sorted(ev for chat, ev in self._subscriptions if chat == chat_id)
        if event is not None:
            gone = [ev for ev in gone if ev == event]
        for ev in gone:
            del self._subscriptions[(chat_id, ev)]
        if gone:
            await self._write([(DELETE_ONE, (chat_id, ev)) for ev in gone])
        return gone

    async def mark_sent(self, chat_id: int, event: str, reminder: str, now: datetime) -> None:
        self._sent.add((chat_id, event, reminder))
        await self._write([(MARK_SENT, (chat_id, event, reminder, stamp(now)))])

    def notes_due(self) -> list[tuple[int, str, str]]:
        """The notes decided on but not sent yet: (chat, key, text), oldest first."""
        return [(chat, note, text) for (chat, note), text in self._notes.items()]

    async def queue_notes(self, notes: list[tuple[int, str, str]]) -> None:
        """Keep notes to send (chat, key, text) before sending any: a crash resumes them."""
        fresh = [n for n in notes if (n[0], n[1]) not in self._notes]
        for chat, note, text in fresh:
            self._notes[(chat, note)] = text
        await self._write([(QUEUE_NOTE, note) for note in fresh])

    async def note_sent(self, chat_id: int, note: str) -> None:
        """Called just before the note goes out: it is never sent again."""
        self._notes.pop((chat_id, note), None)
        await self._write([(NOTE_SENT, (chat_id, note))])

    async def move(self, old_chat: int, new_chat: int) -> None:
        """A group that became a supergroup keeps its subscriptions under its new id."""
        for (chat, ev), sub in list(self._subscriptions.items()):
            if chat == old_chat:
                del self._subscriptions[(chat, ev)]
                self._subscriptions[(new_chat, ev)] = Subscription(
                    new_chat, ev, sub.lang, sub.created
                )
        for chat, ev, key in list(self._sent):
            if chat == old_chat:
                self._sent.discard((chat, ev, key))
                self._sent.add((new_chat, ev, key))
        for chat, note in list(self._notes):
            if chat == old_chat:
                self._notes[(new_chat, note)] = self._notes.pop((chat, note))
        await self._write(
            [
                (MOVE_SUBSCRIPTIONS, (new_chat, old_chat)),
                (MOVE_SENT, (new_chat, old_chat)),
                (MOVE_NOTES, (new_chat, old_chat)),
            ]
        )

    async def _write(self, operations: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Queue ``operations`` and write everything queued in one transaction; never raises."""
        if self._failed and not self._was_open:
            return  # never opened: this run's subscriptions live in memory only
        self._pending.extend(operations)
        del self._pending[:-MAX_PENDING]
        if self._failed:
            await self._try_again()  # a full disk freed: the changes kept meanwhile go in
            return
        async with self._write_lock:
            db = self._db
            if db is None or not self._pending:
                return  # not open yet: written at open
            batch = list(self._pending)
            try:
                for sql, params in batch:
                    await db.execute(sql, params)
                await db.commit()
            except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile
                await self._write_failed(db, err)
                return
            del self._pending[: len(batch)]
            self._written()

    def _forget_pending(self) -> None:
        self._pending.clear()

    async def _recovered(self, db: Any) -> None:
        await self._write([])
