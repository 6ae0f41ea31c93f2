"""Telegram hiccups never cost a reply: rate limits are waited out, network errors retried.

``AIORateLimiter`` keeps us under Telegram's flood limits and waits out ``RetryAfter``; this
subclass adds retries with exponential backoff for ``TimedOut`` and other ``NetworkError``s,
the transient failures of a busy race weekend. ``BadRequest`` (also a ``NetworkError`` in
python-telegram-bot) is our mistake or a no-op edit and is never retried, and neither is
``Forbidden`` (the user blocked the bot: retrying cannot help).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    def __init__(
        self, network_retries: int = 3, backoff: float = 0.5, max_retries: int = 3
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as err:  # TimedOut included
                if attempt == self.network_retries:
                    log.error(
                        "%s on %s after %d retries: %s", type(err).__name__, endpoint, attempt, err
                    )
                    raise
                delay = self.backoff * 2**attempt
                log.warning(
                    "%s on %s; retry %d of %d in %.1f s",
                    type(err).__name__,
                    endpoint,
                    attempt + 1,
                    self.network_retries,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")
