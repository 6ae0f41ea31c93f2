"""Pictures drawn once per knowledge version, and the file ids Telegram gave them.

Drawing a map costs a few hundred milliseconds; sending one Telegram already has costs
nothing. So each picture is drawn once (``PictureCache``: PNG files in a folder beside the
state file, named by the picture's key, which holds the knowledge digest) and uploaded once:
the ``file_id`` Telegram returns is kept in the state file (``PictureIds``, plain rows) and
every later send, even after a restart, names that id instead of uploading again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
from pathlib import Path

from bot.core import statefile
from bot.core.model import Knowledge
from bot.core.reply import Picture

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 0.2  # seconds a write waits for the state file; then it is tried next time
SCHEMA = "CREATE TABLE IF NOT EXISTS picture_ids (key TEXT PRIMARY KEY, file_id TEXT NOT NULL)"


def cache_dir(state_file: Path) -> Path:
    """The picture folder beside the state file: ``millebot.state.sqlite3`` -> ``...pictures``."""
    return state_file.with_name(state_file.stem + ".pictures")


class PictureCache:
    """PNG files by picture key; a newer knowledge version's file replaces the older one's."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, picture: Picture) -> Path:
        return self.directory / f"{picture.key}.png"

    def get(self, picture: Picture) -> bytes | None:
        try:
            return self.path(picture).read_bytes()
        except OSError:
            return None

    def put(self, picture: Picture, png: bytes) -> None:
        """Write atomically (a reader never sees half a file) and drop older versions."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(picture)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.replace(temporary, target)
        stem = picture.key.removesuffix(picture.digest[:12])
        for old in self.directory.glob(f"{stem}*.png"):
            if old != target:
                with contextlib.suppress(OSError):
                    old.unlink()

    def png(self, knowledge: Knowledge, picture: Picture) -> bytes:
        """The picture's PNG: from the folder, or drawn now and kept (blocking: use a thread).

        A folder that cannot be written costs a redraw next time, never the picture.
        """
        cached = self.get(picture)
        if cached is not None:
            return cached
        from bot.core.drawing import draw  # Pillow loads only when a picture is drawn

        png = draw(knowledge, picture)
        try:
            self.put(picture, png)
        except OSError as err:
            log.warning("could not keep picture %s in %s: %s", picture.key, self.directory, err)
        return png


def _prepare(path: Path) -> dict[str, str]:
    """Create the table when needed and read the ids (blocking; runs in a worker thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(SCHEMA)
        conn.commit()
        return {str(k): str(v) for k, v in conn.execute("SELECT key, file_id FROM picture_ids")}


class PictureIds(statefile.StateStore):
    """Telegram's file id of each picture already uploaded, in memory and in the state file."""

    NAME = "picture ids"
    FALLBACK = "pictures will be uploaded again after a restart"

    def __init__(self, path: Path) -> None:
        super().__init__(path, LOCK_TIMEOUT)
        self._ids: dict[str, str] = {}

    async def open(self) -> None:
        ids = await self._open(_prepare)
        if ids is not None:
            self._ids.update(ids)

    def get(self, picture: Picture) -> str | None:
        return self._ids.get(picture.key)

    async def remember(self, picture: Picture, file_id: str) -> None:
        self._ids[picture.key] = file_id
        await self._write("INSERT OR REPLACE INTO picture_ids VALUES (?, ?)", picture.key, file_id)

    async def forget(self, picture: Picture) -> None:
        """An id Telegram no longer accepts: upload again next time."""
        self._ids.pop(picture.key, None)
        await self._write("DELETE FROM picture_ids WHERE key = ?", picture.key)

    async def _write(self, sql: str, *values: str) -> None:
        db = self._db
        if db is None:
            return  # not opened, or given up: the id lives in memory for this run
        try:
            await db.execute(sql, values)
            await db.commit()
        except (sqlite3.Error, ValueError) as err:
            await self._write_failed(db, err)
            return
        self._written()
