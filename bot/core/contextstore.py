"""Where each conversation stands: the context of the bot's last answer, kept per conversation.

Front ends give the core the ``Reply.context`` of the previous answer with the next question
(``bot.core.answering.conversation``). A chat front end keeps two kinds of rows here:

- ``user``: the latest context of one user in one chat (in a group each user has their own,
  so two fans talking to the bot at once never read each other's follow-ups);
- ``answer``: the context an answer message left, so that replying to an older answer of the
  bot resumes *that* answer's subject rather than the latest one.

The rows are plain JSON in the bot's state file (``index.state_path``, next to the statistics;
never pickle), so a conversation survives a restart. Readers see memory only: a message costs a
dictionary lookup; changes reach the file at most every ``WRITE_EVERY`` second in one
transaction (and all of them on a clean stop), so a crash loses at most the last second of
conversations. The table is bounded: at most
``MAX_ROWS`` rows (a few MB at most; a context is a few hundred bytes), the least recently
written evicted first, a tenth at a time. Like the other stores of the state file this one never
raises into a handler: a locked file keeps writes pending until the next write finds it free,
and an unusable one is reported once, after which contexts last for the current run only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from bot.core import statefile

log = logging.getLogger(__name__)

MAX_ROWS = 10_000  # contexts kept (user rows and answer rows together), oldest evicted first
MAX_JSON = 4_000  # characters of one stored context; a larger one is not kept (never expected)
LOCK_TIMEOUT = 0.2  # a lock held elsewhere may delay an answer this long (see stats.LOCK_TIMEOUT)
# Seconds between writes: under a flood, one transaction for many answers. A crash loses at
# most this much of the conversations (a clean stop writes everything: ``close``).
WRITE_EVERY = 1.0

USER = "user"
ANSWER = "answer"

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS contexts ("
    "chat_id INTEGER NOT NULL, kind TEXT NOT NULL, ref INTEGER NOT NULL, "
    "context TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (chat_id, kind, ref))"
)
SELECT = "SELECT chat_id, kind, ref, context, seq FROM contexts ORDER BY seq"
UPSERT = (
    "INSERT INTO contexts (chat_id, kind, ref, context, seq) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (chat_id, kind, ref) DO UPDATE SET context = excluded.context, seq = excluded.seq"
)
DELETE_OLDER = "DELETE FROM contexts WHERE seq < ?"

Key = tuple[int, str, int]  # (chat id, USER or ANSWER, user id or message id)
Row = tuple[Any, ...]


def _prepare(path: Path, max_rows: int) -> list[Row]:
    """Create the table when needed, drop what exceeds the bound, read the newest rows
    (blocking; runs in a worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path, timeout=LOCK_TIMEOUT)) as conn:
        conn.execute(SCHEMA)
        rows = conn.execute(SELECT).fetchall()
        if len(rows) > max_rows:  # the bound was lowered since: keep the newest
            rows = rows[-max_rows:]
            conn.execute(DELETE_OLDER, (int(rows[0][4]),))
        conn.commit()
        return rows


def _decoded(text: object) -> dict[str, Any] | None:
    """A stored context back as a dict; None for anything else (a hand-edited row)."""
    try:
        data = json.loads(str(text))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class ContextStore(statefile.StateStore):
    """Conversation contexts by (chat, user) and by (chat, answer message): memory first,
    written through to the state file."""

    NAME = "conversation contexts"
    FALLBACK = "conversations are remembered for this run only"

    def __init__(
        self, path: Path, max_rows: int = MAX_ROWS, write_every: float = WRITE_EVERY
    ) -> None:
        super().__init__(path, LOCK_TIMEOUT)
        self.max_rows = max(max_rows, 2)
        self.write_every = write_every
        self._last_write = -float("inf")
        # key -> (context as JSON text, sequence number); oldest first
        self._rows: OrderedDict[Key, tuple[str, int]] = OrderedDict()
        self._seq = 0
        self._dirty: set[Key] = set()  # changed since the last write (or the file is locked)
        self._evict_below = 0  # rows older than this sequence number are to be deleted
        self._write_lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    async def open(self) -> None:
        """Read the stored contexts; on failure, keep them in memory for this run only."""
        rows = await self._open(_prepare, self.max_rows)
        if rows is None:
            return
        stored: OrderedDict[Key, tuple[str, int]] = OrderedDict()
        for chat_id, kind, ref, text, seq in rows:
            stored[(int(chat_id), str(kind), int(ref))] = (str(text), int(seq))
        self._seq = max([self._seq, *(seq for _, seq in stored.values())])
        for key, (text, _) in self._rows.items():  # kept before the file was open: newer
            self._seq += 1
            stored.pop(key, None)
            stored[key] = (text, self._seq)
            self._dirty.add(key)
        self._rows = stored
        self._evict()
        await self.flush()

    # ------------------------------------------------------------- reading (memory only)

    def of_user(self, chat_id: int, user_id: int) -> dict[str, Any] | None:
        """The latest context of ``user_id`` in ``chat_id``, or None."""
        return self._get((chat_id, USER, user_id))

    def of_answer(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The context the answer ``message_id`` left, or None (never stored, or evicted)."""
        return self._get((chat_id, ANSWER, message_id))

    def _get(self, key: Key) -> dict[str, Any] | None:
        row = self._rows.get(key)
        return _decoded(row[0]) if row is not None else None

    # ------------------------------------------------------------- writing

    async def keep(
        self,
        chat_id: int,
        user_id: int | None,
        context: dict[str, Any] | None,
        answer_ids: list[int] | tuple[int, ...] = (),
    ) -> None:
        """After an answer: ``context`` becomes the user's, and the answer messages' own.

        None (a reply the core gives no context: /help, a map, an empty question) changes
        nothing: the conversation goes on where it was, and those messages resume nothing.
        """
        if not context:
            return
        text = json.dumps(context, sort_keys=True, ensure_ascii=False)
        if len(text) > MAX_JSON:
            return
        keys: list[Key] = [(chat_id, ANSWER, mid) for mid in answer_ids]
        if user_id is not None:
            keys.append((chat_id, USER, user_id))
        for key in keys:
            self._seq += 1
            self._rows[key] = (text, self._seq)
            self._rows.move_to_end(key)
            self._dirty.add(key)
        self._evict()
        if self._db is not None and time.monotonic() - self._last_write >= self.write_every:
            await self.flush()

    def _evict(self) -> None:
        """Drop the oldest rows past the bound, a tenth of it at once (amortised)."""
        if len(self._rows) <= self.max_rows:
            return
        keep = self.max_rows - self.max_rows // 10
        while len(self._rows) > keep:
            self._dirty.discard(self._rows.popitem(last=False)[0])
        self._evict_below = next(iter(self._rows.values()))[1]

    async def close(self) -> None:
        await self.flush()
        await super().close()

    async def flush(self) -> None:
        """Write every change since the last write in one transaction; never raises.

        Changes are kept as the keys they touched (at most ``max_rows``), so a file locked for
        long costs memory bounded like the store itself, and the write says what memory says.
        """
        self._last_write = time.monotonic()
        async with self._write_lock:
            db = self._db
            if db is None or not (self._dirty or self._evict_below):
                return
            # Taken over now: a change made while this write awaits the file goes in the next.
            dirty, evict_below = self._dirty, self._evict_below
            self._dirty, self._evict_below = set(), 0
            try:
                if evict_below:
                    await db.execute(DELETE_OLDER, (evict_below,))
                for key in dirty:
                    row = self._rows.get(key)
                    if row is not None:  # else evicted since: DELETE_OLDER took it
                        await db.execute(UPSERT, (*key, *row))
                await db.commit()
            except (sqlite3.Error, ValueError) as err:  # ValueError: closed meanwhile
                self._dirty |= dirty  # still to write (dropped if the file is given up)
                self._evict_below = max(self._evict_below, evict_below)
                await self._write_failed(db, err)
                return
            self._written()

    def _forget_pending(self) -> None:
        self._dirty.clear()
        self._evict_below = 0
