"""The smallest python-telegram-bot 22 bot that does what ours does per message: the baseline.

``benchmarks/e2e_load.py`` runs this and ``millebot run`` under the same load against the same
fake Bot API, so the difference between the two is what *our* code costs on top of the
framework's own (HTTP, JSON, ``Update`` objects, dispatch, the rate limiter).

To compare like with like it keeps everything of ours that is framework, not logic:

- the same settings from the environment (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL``);
- the same rate limits: ours (``bot/tg/app.py``) throttles with an ``AIORateLimiter`` at PTB's
  default rates, 30 requests/s overall and 20/min per group; so does this one, a plain
  ``AIORateLimiter(max_retries=3)`` (whatever ours adds on top, such as retrying network
  errors, is our code and counts as our cost). ``--no-limiter`` drops it, for the diagnostic
  run of the benchmark;
- long polling with ``allowed_updates=Update.ALL_TYPES``, updates handled one at a time
  (PTB's default, which ours keeps);
- the reply as HTML with every text escaped and link previews off, like ``handlers.respond``;
- ``httpx`` kept at WARNING, as ``bot/tg/logs.py`` does.

It echoes every text message, commands included, so every question of the load gets exactly
one reply, as it does from our bot.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot \\
        .venv/bin/python benchmarks/echo_bot.py [--no-limiter]
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import sys

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the text, escaped, in HTML parse mode: the framework's part of an answer."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(
            html.escape(message.text),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            do_quote=False,
        )


def build(token: str, base_url: str | None, limiter: bool) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(token)
    if limiter:  # PTB's default rates, as ours; PTB's generics type the builder by its limiter
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A minimal PTB echo bot (benchmark baseline).")
    parser.add_argument(
        "--no-limiter", action="store_true", help="no AIORateLimiter (ours has one)"
    )
    args = parser.parse_args(argv)
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("echo_bot: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    base_url = os.environ.get("TELEGRAM_API_BASE_URL", "").strip() or None
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
    build(token, base_url, limiter=not args.no_limiter).run_polling(
        allowed_updates=Update.ALL_TYPES
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
