"""Sending under Telegram's limits, retrying only what surely did not arrive, one chat at a time.

Telegram allows about 30 messages a second in all and 20 a minute in one group; the limiter
keeps to both, like PTB's ``AIORateLimiter``, with two differences that a busy race weekend
showed. A flood limit (429 ``RetryAfter``) pauses only the chat it was about, not every send
of the bot. And a failed request is retried only when it cannot have been delivered: no
connection (connect error or timeout, no free connection) or a 5xx answer; a read timeout on
``sendMessage`` may mean Telegram delivered it and the answer was slow, and resending it
made one user get the same answer four times. Retries stop after ``RETRY_BUDGET`` seconds.
Read-only and idempotent methods (getMe, edits, deletes, menus) are retried on any network
error; ``BadRequest``, ``Forbidden`` and the like never are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from bot.tg import backlog, limits

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]

# Methods whose repetition could show the user something twice.
NOT_IDEMPOTENT_PREFIXES = ("send", "forward", "copy")
# Not transient: the request reached Telegram and was refused; retrying cannot help.
REFUSED = (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated)
UNSENT_CAUSES = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def surely_undelivered(err: NetworkError) -> bool:
    """True when Telegram cannot have acted on the request: safe to send again."""
    cause = err.__cause__
    if isinstance(cause, UNSENT_CAUSES):
        return True
    if isinstance(err, TimedOut) or isinstance(cause, httpx.HTTPError):
        return False  # a read/write timeout or a broken answer: it may have arrived
    # An HTTP error answer that is none of the specific ones: a 5xx from the server.
    return type(err) is NetworkError and cause is None and "Unknown error" not in err.message


def may_retry(endpoint: str, err: NetworkError) -> bool:
    if isinstance(err, REFUSED):
        return False
    if not endpoint.lower().startswith(NOT_IDEMPOTENT_PREFIXES):
        return True
    return surely_undelivered(err)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits per bot and per group, per-chat pauses, safe retries."""

    def __init__(
        self,
        network_retries: int = limits.NETWORK_RETRIES,
        backoff: float = limits.NETWORK_BACKOFF,
        budget: float = limits.RETRY_BUDGET,
        retry_after_tries: int = limits.RETRY_AFTER_TRIES,
        clock: Callable[[], float] = time.monotonic,
        overall_rate: float = limits.OVERALL_RATE,
        group_rate: float = limits.GROUP_RATE,
    ) -> None:
        self.network_retries = network_retries
        self.backoff = backoff
        self.budget = budget
        self.retry_after_tries = retry_after_tries
        self.clock = clock
        self._overall = AsyncLimiter(overall_rate, 1) if overall_rate else None
        self.group_rate = group_rate
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[object, float] = {}

    async def initialize(self) -> None:
        return None

    def lift_flood_limits(self) -> None:
        """No pace at all (tests that send hundreds of replies); retries stay as they are."""
        self._overall = None
        self.group_rate = 0

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        chat = data.get("chat_id")
        started = self.clock()
        network_failures = 0
        flood_waits = 0
        not_idempotent = endpoint.lower().startswith(NOT_IDEMPOTENT_PREFIXES)
        while True:
            await self._wait_pause(chat)
            try:
                async with self._limits(chat):
                    if not_idempotent:
                        backlog.answering()  # from now on the update is never handed back
                    return await callback(*args, **kwargs)
            except RetryAfter as err:
                flood_waits += 1
                wait = err.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                if flood_waits > self.retry_after_tries or seconds > limits.MAX_RETRY_AFTER:
                    log.error("flood limit on %s for chat %s: %s; giving up", endpoint, chat, err)
                    raise
                log.info("flood limit for chat %s: pausing it %.1f s", chat, seconds)
                self._paused_until[chat] = max(
                    self._paused_until.get(chat, 0.0), self.clock() + seconds + 0.1
                )
            except NetworkError as err:
                delay = self.backoff * 2**network_failures
                spent = self.clock() - started
                if (
                    not may_retry(endpoint, err)
                    or network_failures >= self.network_retries
                    or spent + delay > self.budget
                ):
                    if not isinstance(err, REFUSED):
                        log.error(
                            "%s on %s after %d retries: %s",
                            type(err).__name__,
                            endpoint,
                            network_failures,
                            err,
                        )
                    raise
                network_failures += 1
                log.warning(
                    "%s on %s; retry %d of %d in %.1f s",
                    type(err).__name__,
                    endpoint,
                    network_failures,
                    self.network_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _wait_pause(self, chat: object) -> None:
        until = self._paused_until.get(chat)
        if until is None:
            return
        remaining = until - self.clock()
        if remaining > 0:
            await asyncio.sleep(remaining)
        if self._paused_until.get(chat) == until:
            del self._paused_until[chat]

    @contextlib.asynccontextmanager
    async def _limits(self, chat: object) -> AsyncIterator[None]:
        """The group's limit, then the bot's: a group waiting for its minute holds no slot."""
        group = self._group_limiter(chat)
        async with contextlib.AsyncExitStack() as stack:
            if group is not None:
                await stack.enter_async_context(group)
            if chat is not None and self._overall is not None:
                await stack.enter_async_context(self._overall)
            yield

    def _group_limiter(self, chat: object) -> AsyncLimiter | None:
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat)  # type: ignore[call-overload]
        is_group = (isinstance(chat, int) and chat < 0) or isinstance(chat, str)
        if not is_group or not self.group_rate or not isinstance(chat, int | str):
            return None
        if len(self._groups) > 512:  # forget groups with a full allowance again
            for key, limiter in list(self._groups.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if chat not in self._groups:
            self._groups[chat] = AsyncLimiter(self.group_rate, limits.GROUP_PERIOD)
        return self._groups[chat]
