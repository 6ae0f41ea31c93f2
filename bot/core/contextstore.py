"""Where each conversation stands: the context of the bot's last answer, kept per conversation.

Front ends give the core the ``Reply.context`` of the previous answer with the next question
(``bot.core.answering.conversation``). A chat front end keeps two kinds of rows here:

- ``user``: the latest context of one user in one chat (in a group each user has their own,
  so two fans talking to the bot at once never read each other's follow-ups);
- ``answer``: the context an answer message left, so that replying to an older answer of the
  bot resumes *that* answer's subject rather than the latest one.

The rows are plain JSON in the bot's state file (``index.state_path``, next to the statistics;
never pickle), so a conversation survives a restart. Readers see memory only: a message costs a
dictionary lookup and one small write-through transaction. The table is bounded: at most
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
from collections import OrderedDict
from pathlib import Path
from typing import Any

from bot.core import statefile

log = logging.getLogger(__name__)

MAX_ROWS = 10_000  # contexts kept (user rows and answer rows together), oldest evicted first
MAX_JSON = 4_000  # characters of one stored context; a larger one is not kept (never expected)
LOCK_TIMEOUT = 0.2  # a lock held elsewhere may delay an answer this long (see stats.LOCK_TIMEOUT)

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
DELETE_ONE = "DELETE FROM contexts WHERE chat_id = ? AND kind = ? AND ref = ?"
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

    def __init__(self, path: Path, max_rows: int = MAX_ROWS) -> None:
        super().__init__(path, LOCK_TIMEOUT)
        self.max_rows = max(max_rows, 2)
        # key -> (context as JSON text, sequence number); oldest first
        self._rows: OrderedDict[Key, tuple[str, int]] = OrderedDict()
        self._seq = 0
        self._pending: list[tuple[str, tuple[Any, ...]]] = []  # not written yet (file locked)
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
        renumbered: list[tuple[str, tuple[Any, ...]]] = []
        for key, (text, _) in self._rows.items():  # kept before the file was open: newer
            self._seq += 1
            stored.pop(key, None)
            stored[key] = (text, self._seq)
            renumbered.append((UPSERT, (*key, text, self._seq)))
        self._rows = stored
        await self._write(renumbered + self._evicted())

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

        None (a reply that leaves no subject) forgets the user's context; the answer messages
        then have none to resume either.
        """
        text = json.dumps(context, sort_keys=True, ensure_ascii=False) if context else None
        if text is not None and len(text) > MAX_JSON:
            text = None
        keys: list[Key] = [(chat_id, ANSWER, mid) for mid in answer_ids]
        if user_id is not None:
            keys.append((chat_id, USER, user_id))
        operations: list[tuple[str, tuple[Any, ...]]] = []
        for key in keys:
            if text is None:
                if self._rows.pop(key, None) is not None:
                    operations.append((DELETE_ONE, key))
                continue
            self._seq += 1
            self._rows[key] = (text, self._seq)
            self._rows.move_to_end(key)
            operations.append((UPSERT, (*key, text, self._seq)))
        await self._write(operations + self._evicted())

    def _evicted(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Drop the oldest rows past the bound, a tenth of it at once (amortised)."""
        if len(self._rows) <= self.max_rows:
            return []
        keep = self.max_rows - self.max_rows // 10
        while len(self._rows) > keep:
            self._rows.popitem(last=False)
        oldest = next(iter(self._rows.values()))[1]
        return [(DELETE_OLDER, (oldest,))]

    async def _write(self, operations: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Queue ``operations`` and write everything queued in one transaction; never raises."""
        if self._failed or self._db is None:
            return  # given up, or not open yet (``open`` writes what memory holds then)
        self._pending.extend(operations)
        async with self._write_lock:
            db = self._db
            if db is None or not self._pending:
                return
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
