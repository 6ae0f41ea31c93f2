"""Logging for the Telegram process: the token never reaches a log line, at any level.

Keeping ``httpx`` at WARNING hides request URLs, but python-telegram-bot itself logs its
base URL (which embeds the token) at DEBUG; a filter on every handler removes the token from
whatever is formatted, so a debug session cannot leak it either.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from telegram.error import InvalidToken

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


class NoTracebackForRejectedToken(logging.Filter):
    """A rejected token is a setting to fix, said in one line at exit: no traceback for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], InvalidToken):
            record.exc_info = None
            record.exc_text = None
        return True


def configure(level: str, token: str) -> None:
    """Root logging for ``millebot run``, with the token filtered out of every handler."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(NoTracebackForRejectedToken())
        handler.addFilter(RedactToken(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
    # The job queue logs every job it adds or removes: 16 lines for one /subscribe. Our own
    # reminder lines say what matters (one per reminder sent), so one command = one line.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
    redact_uncaught(token)


def redact_uncaught(token: str) -> None:
    """Tracebacks that reach Python's own hooks (stderr) lose the token too.

    python-telegram-bot puts the token in some exception texts (``InvalidToken: The token
    ... was rejected``); an uncaught one would otherwise be printed as it is.
    """

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(text.replace(token, REDACTED) if token else text)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        hook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
