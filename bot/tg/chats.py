"""Chats side by side, each chat in order: one busy chat or one flooding user delays no one else.

python-telegram-bot hands every update to an update processor; ours gives each chat a lane (a
lock, so a chat's updates are answered in the order they were sent) and lets lanes run at once,
so a group waiting out Telegram's 20-messages-a-minute limit holds only its own lane. A lane
holds at most ``CHAT_BACKLOG`` waiting updates and disappears when idle. A user far over a
sane pace in their private chat (``UserPace``) gets one polite "slow down" and is then
answered at a bounded pace; what they send over it is not answered. Updates are reported to the backlog journal
(``bot/tg/backlog.py``) once handled, so a crash hands back only unfinished ones.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.core.i18n import t, using
from bot.tg import backlog, limits

log = logging.getLogger(__name__)


class Finished(Protocol):
    """Told when an update is done with (answered, skipped or dropped): never hand it back."""

    def done(self, update: object) -> None: ...


@dataclass
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: int = 0  # updates in this lane: waiting plus the one being handled


@dataclass
class _Allowance:
    tokens: float
    at: float
    warned: bool = False


class UserPace:
    """A token bucket per user: ``USER_BURST`` at once, then ``USER_RATE`` a second.

    ``admit`` says whether to answer; the first refusal of a flood returns "warn" so the user
    hears once why they go unanswered. The clock is injected (monotonic seconds).
    """

    def __init__(
        self,
        burst: int | None = None,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        kept: int = limits.PACED_USERS_KEPT,
    ) -> None:
        self.burst = limits.USER_BURST if burst is None else burst
        self.rate = limits.USER_RATE if rate is None else rate
        self.clock = clock
        self.kept = kept
        self._users: dict[int, _Allowance] = {}

    def admit(self, user_id: int) -> str:
        """ "yes" to answer, "warn" to say slow down (once per flood), "no" to skip quietly."""
        now = self.clock()
        allowance = self._users.get(user_id)
        if allowance is None:
            self._forget_some()
            allowance = self._users[user_id] = _Allowance(float(self.burst), now)
        allowance.tokens = min(self.burst, allowance.tokens + (now - allowance.at) * self.rate)
        allowance.at = now
        if allowance.tokens >= 1:
            allowance.tokens -= 1
            if allowance.tokens >= self.burst / 2:
                allowance.warned = False  # calm again: a later flood is told again
            return "yes"
        if allowance.warned:
            return "no"
        allowance.warned = True
        return "warn"

    def _forget_some(self) -> None:
        """Bound the memory: forget users back at (or near) a full allowance, then the oldest."""
        if len(self._users) < self.kept:
            return
        now = self.clock()
        for user_id, allowance in list(self._users.items()):
            if allowance.tokens + (now - allowance.at) * self.rate >= self.burst:
                del self._users[user_id]
        while len(self._users) >= self.kept:
            del self._users[next(iter(self._users))]


def chat_key(update: object) -> int | None:
    """The lane of an update: its chat, else its user (inline queries); None runs at once."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def paced_user(update: object) -> int | None:
    """Whose pace an update spends: messages and button taps in a private chat.

    Not inline queries (they come per keystroke), and not group messages: most are people
    talking to each other, not to the bot, and a group's lane and Telegram's limit for it
    already keep a busy group to itself.
    """
    if not isinstance(update, Update) or update.inline_query is not None:
        return None
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return None
    return user.id


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat, bounded per chat; see the module doc."""

    def __init__(
        self,
        max_concurrent_updates: int = limits.MAX_CONCURRENT_UPDATES,
        backlog: int = limits.CHAT_BACKLOG,
        pace: UserPace | None = None,
        finished: Finished | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.backlog = backlog
        self.pace = pace or UserPace()
        self.finished = finished
        self._lanes: dict[int, _Lane] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._dropped: dict[int, int] = {}

    @property
    def lanes(self) -> int:
        """Chats with updates in progress or waiting (0 when idle: lanes are cleaned up)."""
        return len(self._lanes)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._in_lane(update, coroutine)
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _in_lane(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await self._handle(update, coroutine)
            return
        lane = self._lanes.setdefault(key, _Lane())
        if lane.queued > self.backlog:
            self._drop(key, update, coroutine)
            return
        lane.queued += 1
        try:
            async with lane.lock:
                await self._handle(update, coroutine)
        except asyncio.CancelledError:
            _close(coroutine)  # abandoned while waiting: it never ran
            raise
        finally:
            lane.queued -= 1
            if lane.queued == 0 and self._lanes.get(key) is lane:
                del self._lanes[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers unless the user is over their pace; report the update finished."""
        user = paced_user(update)
        verdict = "yes" if user is None else self.pace.admit(user)
        finished = self.finished
        mark = _once(lambda: finished.done(update)) if finished is not None else None
        if mark is not None:
            backlog.handling(mark)
        try:
            if verdict == "yes":
                await coroutine
            else:
                _close(coroutine)
                if verdict == "warn":
                    await self._slow_down(update, user)
        finally:
            backlog.handled()
        if mark is not None:  # not reached when cancelled: handed back instead
            mark()  # a no-op when its first message already marked it

    async def _slow_down(self, update: object, user: int | None) -> None:
        """The one note a flooding user gets, in their language."""
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        log.warning(
            "user %s is over the pace; answering one message every %.0f s", user, 1 / self.pace.rate
        )
        lang = update.effective_user.language_code if update.effective_user else None
        with using(lang):
            note = t("telegram.slow_down", seconds=round(1 / self.pace.rate))
        try:
            await update.get_bot().send_message(update.effective_chat.id, note)
        except TelegramError as err:  # a note that cannot be sent is no error to report
            log.info("could not send the slow-down note: %s", err)

    def _drop(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        _close(coroutine)
        count = self._dropped.get(key, 0) + 1
        self._dropped[key] = count
        if count == 1 or count % 100 == 0:
            log.warning(
                "chat %s has %d updates waiting; dropped %d so far", key, self.backlog, count
            )
        if len(self._dropped) > limits.PACED_USERS_KEPT:
            self._dropped.clear()
        if self.finished is not None:
            self.finished.done(update)

    def abandon(self) -> int:
        """Cancel every update in progress or waiting (at the end of the stop grace); their
        finish is never reported, so the backlog hands them back at the next start."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)


def _once(action: Callable[[], None]) -> Callable[[], None]:
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run


def _close(coroutine: Awaitable[Any]) -> None:
    """A handler coroutine that will not run: close it (no "never awaited" warning)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
