"""The answering service a running bot holds: the current Answerer, swapped whole on reload.

Front ends keep a reference to the service, never to an Answerer, so a reload replaces the
knowledge for every later question at once while a question in flight finishes on the old one.
A reload that fails for any reason leaves the bot answering exactly as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.core.answer import Answerer
from bot.core.answerers import Answerers
from bot.core.answering.conversation import Context
from bot.core.changes import KnowledgeDiff, diff_knowledge
from bot.core.index import (
    IndexStatus,
    KnowledgeError,
    open_index,
    rebuild,
    remove_stale_builds,
)
from bot.core.loader import load_knowledge
from bot.core.model import Knowledge
from bot.core.reply import Reply

log = logging.getLogger(__name__)

# A Telegram message holds 4096 characters (after HTML escaping): list this many problems and
# stay well under it, so an admin always gets the reply instead of a "message too long" error.
MAX_PROBLEM_LINES = 20
MAX_PROBLEM_CHARS = 3000
MAX_LINE_CHARS = 200


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did, for the admin who asked for it and for the log."""

    ok: bool
    seconds: float
    diff: KnowledgeDiff | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    reason: str | None = None

    def summary_lines(self) -> list[str]:
        """The reply to the admin: what is loaded now and what changed, or why nothing did."""
        if self.ok:
            return [self._loaded_line(), *(self.diff or KnowledgeDiff()).summary_lines()]
        if self.problems:
            count = len(self.problems)
            noun = "problem" if count == 1 else "problems"
            head = f"The knowledge base has {count} {noun}; I kept serving the previous version."
            return [head, *capped(self.problems)]
        return [f"The reload failed ({self.reason}); I kept serving the previous version."]

    def _loaded_line(self) -> str:
        sizes = ", ".join(
            _count(self.counts.get(kind, 0), kind) for kind in ("editions", "facts", "reports")
        )
        return f"Reloaded the knowledge base in {self.seconds:.1f} s: {sizes}."


def _count(number: int, plural: str) -> str:
    return f"{number} {plural if number != 1 else plural.removesuffix('s')}"


def capped(lines: tuple[str, ...]) -> list[str]:
    """At most MAX_PROBLEM_LINES short lines, then ``and N more``: always fits one message."""
    shown: list[str] = []
    used = 0
    for line in lines:
        short = shortened(line)
        if len(shown) == MAX_PROBLEM_LINES or used + len(short) > MAX_PROBLEM_CHARS:
            break
        shown.append(short)
        used += len(short) + 1
    if len(shown) < len(lines):
        shown.append(f"and {len(lines) - len(shown)} more")
    return shown


def shortened(line: str) -> str:
    """One line of at most MAX_LINE_CHARS: a long path or key list must not crowd out the rest."""
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


RELOAD_SWITCH_INTERVAL = 0.0005
"""Seconds the reload thread may hold the interpreter before the event loop gets a turn.

The reload is pure Python in a thread, and the default 5 ms turn makes every I/O step of
an answer wait up to 5 ms for its turn back: a big reload then delayed answers by seconds.
"""


@contextlib.contextmanager
def responsive_while_busy() -> Iterator[None]:
    """Give the event loop short turns while a CPU-bound thread (the reload) runs."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, RELOAD_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class AnswerService:
    def __init__(self, knowledge_dir: Path, db_path: Path) -> None:
        self.knowledge_dir = knowledge_dir
        self.db_path = db_path
        self._answerers: Answerers | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> IndexStatus:
        """Open (or rebuild) the index; raises KnowledgeError when the YAML is broken."""
        async with self._lock:
            try:
                remove_stale_builds(self.db_path)
                knowledge, status = await open_index(self.knowledge_dir, self.db_path)
            except (OSError, sqlite3.Error) as err:
                knowledge = self._in_memory(err)
                status = IndexStatus(True, "in memory: the index cannot be written", {})
            self._answerers = Answerers(knowledge)
            return status

    def _in_memory(self, err: Exception) -> Knowledge:
        """The knowledge without an index file (DATABASE_PATH read-only or full): answers are
        the same, start is slower, and the state file's data lasts for this run only."""
        result = load_knowledge(self.knowledge_dir)
        if result.knowledge is None:
            raise KnowledgeError(result) from err
        log.warning(
            "the index %s cannot be written (%s: %s); serving the knowledge from memory. "
            "Statistics, unanswered questions and subscriptions last for this run only "
            "unless the state file beside it is usable.",
            self.db_path,
            type(err).__name__,
            err,
        )
        return result.knowledge

    @property
    def answerers(self) -> Answerers:
        if self._answerers is None:
            raise RuntimeError("AnswerService.start() has not run")
        return self._answerers

    @property
    def answerer(self) -> Answerer:
        """The English Answerer: its knowledge is the files' (reminders, reloads, stats)."""
        return self.answerers.english

    def answerer_for(self, question: str, lang: str | None = None) -> Answerer:
        """The Answerer that replies to ``question`` in its language (inline search)."""
        return self.answerers.answerer_for(question, lang)

    def answer(
        self,
        question: str,
        now: datetime,
        lang: str | None = None,
        context: Context | None = None,
    ) -> Reply:
        """The reply to ``question``; ``context`` is the conversation's (follow-ups, issue 11)."""
        return self.answerers.answer(question, now, lang, context)

    async def reload(self) -> ReloadOutcome:
        """Re-read the YAML and swap in the new knowledge, or keep the old one on any problem.

        Reloads queue behind each other, so a second admin's reload sees the first one's result
        and reports only what changed since. The slow part runs in a thread: other users keep
        getting answers (from the previous knowledge) while it runs.
        """
        async with self._lock:
            started = time.perf_counter()
            old = self._answerers.knowledge if self._answerers else Knowledge()
            try:
                with responsive_while_busy():
                    answerers, diff = await asyncio.to_thread(self._build, old)
            except KnowledgeError as err:
                return self._rejected(err, time.perf_counter() - started)
            except (OSError, sqlite3.Error) as err:
                return self._failed(err, time.perf_counter() - started)
            self._answerers = answerers  # one assignment: readers see the old or the new, whole
            outcome = ReloadOutcome(
                ok=True,
                seconds=time.perf_counter() - started,
                diff=diff,
                counts=dict(answerers.knowledge.counts),
            )
            loaded, *changes = outcome.summary_lines()
            log.info("%s %s", loaded, " ".join(changes))
            return outcome

    def _build(self, old: Knowledge) -> tuple[Answerers, KnowledgeDiff]:
        """Validate, re-index and prepare answering (blocking; runs in a worker thread)."""
        knowledge = rebuild(self.knowledge_dir, self.db_path)
        return Answerers(knowledge), diff_knowledge(old, knowledge)

    @staticmethod
    def _rejected(err: KnowledgeError, seconds: float) -> ReloadOutcome:
        problems = tuple(str(problem) for problem in err.problems)
        log.warning("reload rejected: %d problem(s) in the knowledge base", len(problems))
        for line in capped(problems):  # a broken 50 MB file must not flood the log either
            log.warning("  %s", line)
        return ReloadOutcome(ok=False, seconds=seconds, problems=problems)

    @staticmethod
    def _failed(err: OSError | sqlite3.Error, seconds: float) -> ReloadOutcome:
        reason = shortened(" ".join(f"{type(err).__name__}: {err}".split()))
        log.error("reload failed, previous knowledge kept: %s", reason)
        return ReloadOutcome(ok=False, seconds=seconds, reason=reason)
