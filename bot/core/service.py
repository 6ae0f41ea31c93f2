"""The answering service a running bot holds: the current Answerer, swapped whole on reload.

Front ends keep a reference to the service, never to an Answerer, so a reload replaces the
knowledge for every later question at once while a question in flight finishes on the old one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.core.answer import Answerer
from bot.core.index import IndexStatus, open_index
from bot.core.reply import Reply


class AnswerService:
    def __init__(self, knowledge_dir: Path, db_path: Path) -> None:
        self.knowledge_dir = knowledge_dir
        self.db_path = db_path
        self._answerer: Answerer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> IndexStatus:
        """Open (or rebuild) the index; raises KnowledgeError when the YAML is broken."""
        knowledge, status = await open_index(self.knowledge_dir, self.db_path)
        self._answerer = Answerer(knowledge)
        return status

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            raise RuntimeError("AnswerService.start() has not run")
        return self._answerer

    def answer(self, question: str, now: datetime) -> Reply:
        return self.answerer.answer(question, now)
