"""The bot's own SQLite file (stats, unanswered questions, subscriptions): opened for speed.

Every answer writes a counter here, so a commit must not wait for the disk: in WAL mode with
``synchronous=NORMAL`` a commit is an append to the log, durable if the bot crashes (not if
the machine loses power, which at worst costs the last few counts). Measured with
``benchmarks/e2e_load.py``, the default rollback journal with a sync per commit was the
largest cost per reply after the rate limiter.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)


async def connect(path: Path, timeout: float) -> aiosqlite.Connection:
    """An aiosqlite connection to the state file in WAL mode with light syncing."""
    db = await aiosqlite.connect(path, timeout=timeout)
    try:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as err:  # locked by someone else right now: still usable, just slower
        log.info("state file kept its journal mode (%s)", err)
    return db
