"""Logging for the Telegram process: the token never reaches a log line, at any level.

Keeping ``httpx`` at WARNING hides request URLs, but python-telegram-bot itself logs its
base URL (which embeds the token) at DEBUG; a filter on every handler removes the token from
whatever is formatted, so a debug session cannot leak it either.
"""

from __future__ import annotations

import logging

REDACTED = "<token>"


class RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, REDACTED)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, REDACTED)
        return True


def configure(level: str, token: str) -> None:
    """Root logging for ``millebot run``, with the token filtered out of every handler."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
