"""The Telegram adapter: builds the application and runs it (long polling or a webhook).

Handlers live in ``handlers`` (what users see) and ``admin`` (reload, stats, unanswered); this
module wires them up, registers the command menus and owns the process-level settings.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

from telegram import (
    Update,
)
from telegram.error import InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.core.commands import COMMANDS
from bot.core.contextstore import ContextStore
from bot.core.index import state_path
from bot.core.picturestore import PictureCache, PictureIds, cache_dir
from bot.core.service import AnswerService
from bot.core.stats import StatsStore
from bot.core.subscriptions import SubscriptionStore
from bot.core.unanswered import UnansweredStore
from bot.settings import Settings
from bot.tg import admin, handlers, reminders
from bot.tg.backlog import JournaledQueue, UpdateJournal, backlog_path
from bot.tg.calendar import on_calendar
from bot.tg.chats import ChatOrderedProcessor
from bot.tg.context import BotState
from bot.tg.keyboards import ButtonMemory
from bot.tg.menus import register_commands
from bot.tg.pictures import Pictures
from bot.tg.retry import RetryingRateLimiter

log = logging.getLogger(__name__)

EXIT_REJECTED_TOKEN = 2  # a usage error: the token (or the server's address) is wrong


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    state: BotState = application.bot_data["state"]
    if application.bot_data.get("own_signals"):
        install_stop_signals(application, state.settings.stop_grace)
    queue = application.update_queue
    if isinstance(queue, JournaledQueue):  # what the last run left unfinished goes first
        queue.journal.open()
        await queue.replay(application.bot)
    await state.stats.open()
    await state.unanswered.open()
    await reminders.start(application)  # opens the subscriptions, rebuilds the reminder jobs
    if state.pictures is not None:
        await state.pictures.ids.open()
    if state.contexts is not None:
        await state.contexts.open()
    await register_commands(application)


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    state: BotState = application.bot_data["state"]
    await state.stats.close()
    await state.unanswered.close()
    await reminders.stop(application)
    if state.pictures is not None:
        await state.pictures.ids.close()
    if state.contexts is not None:
        await state.contexts.close()
    queue = application.update_queue
    if isinstance(queue, JournaledQueue):
        queue.journal.close()


def install_stop_signals(application: Application, grace: float) -> None:  # type: ignore[type-arg]
    """SIGTERM (and Ctrl-C) stop the bot within a container's 10 s grace.

    Updates in progress get ``grace`` seconds (STOP_GRACE) to finish; then they are cancelled and stay
    in the backlog, to be handled at the next start. A second signal stops at once.
    """
    loop = asyncio.get_running_loop()
    processor = application.update_processor

    def abandon() -> None:
        if isinstance(processor, ChatOrderedProcessor):
            left = processor.abandon()
            if left:
                log.warning("stop: %d update(s) unfinished; handed back for the next start", left)

    def on_signal(signum: int) -> None:
        log.info("signal %d: stopping; updates in progress get %.1f s", signum, grace)
        loop.call_later(grace, abandon)
        for other in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(other, stop_now)
        raise SystemExit(0)

    def stop_now() -> None:
        abandon()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)


def file_url_of(base_url: str) -> str:
    """A self-hosted server serves files under /file/bot...: never fall back to Telegram's."""
    head, sep, tail = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep and not tail else f"{base_url.rstrip('/')}/file/bot"


def build_application(
    settings: Settings,
    service: AnswerService,
    request: BaseRequest | None = None,
    clock: Callable[[], datetime] | None = None,
    retry_backoff: float = 0.5,
) -> Application:  # type: ignore[type-arg]
    """The bot's application.

    ``request`` replaces the HTTP layer (tests record what would be sent) and ``clock`` the
    real time (tests fix it), so nothing in a test touches the network or the wall clock.
    """
    if not settings.token:
        raise ValueError("a token is required")
    now = clock or (lambda: datetime.now(UTC))
    journal = UpdateJournal(backlog_path(settings.database_path))
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .rate_limiter(RetryingRateLimiter(backoff=retry_backoff))
        .update_queue(JournaledQueue(journal))
        .concurrent_updates(ChatOrderedProcessor(finished=journal))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(
            file_url_of(settings.api_base_url)
        )
    application = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    application.bot_data["state"] = BotState(
        settings=settings,
        service=service,
        stats=StatsStore(state_path(settings.database_path), now()),
        unanswered=UnansweredStore(state_path(settings.database_path)),
        memory=ButtonMemory(),
        clock=now,
        subscriptions=SubscriptionStore(state_path(settings.database_path)),
        pictures=Pictures(
            PictureCache(cache_dir(state_path(settings.database_path))),
            PictureIds(state_path(settings.database_path)),
        ),
        contexts=ContextStore(state_path(settings.database_path)),
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    names = [c.name for c in COMMANDS] + ["start"]
    reminders.add_handlers(application)  # first: /subscribe... are ours even once in COMMANDS
    application.add_handler(CommandHandler("calendar", on_calendar))  # first: it sends a file
    application.add_handler(CommandHandler(names, handlers.on_command))
    application.add_handler(CommandHandler("reload", admin.on_reload))
    application.add_handler(CommandHandler("stats", admin.on_stats))
    application.add_handler(CommandHandler("unanswered", admin.on_unanswered))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.on_text))
    # A typo'd command (/edtion 1955) in private gets "I don't know /edtion" and the list.
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, handlers.on_command)
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGES & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            handlers.on_other,
        )
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(handlers.on_inline_query))
    application.add_error_handler(handlers.on_error)


@dataclass(frozen=True)
class Webhook:
    """Where the webhook server listens, at which path, and the secret updates must carry."""

    listen: str
    port: int
    url_path: str
    url: str
    secret: str = field(repr=False)


def webhook_options(settings: Settings) -> Webhook:
    """Where the webhook listens and the secret Telegram must send back with every update.

    Webhook mode never runs without a secret: anyone who can reach the port could otherwise
    post an update claiming to be an admin. Without WEBHOOK_SECRET a random one is made at
    each start; the bot registers it with Telegram itself (setWebhook), so nothing else needs
    to know it.
    """
    if settings.webhook_url is None:
        raise ValueError("webhook mode needs WEBHOOK_URL")
    secret = settings.webhook_secret
    if secret is None:
        secret = secrets.token_urlsafe(32)
        log.info("WEBHOOK_SECRET is not set: using a random secret for this run")
    log.info(
        "webhook: listening on %s:%d; updates without the secret are rejected",
        settings.webhook_listen,
        settings.port,
    )
    return Webhook(
        listen=settings.webhook_listen,
        port=settings.port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        url=settings.webhook_url,
        secret=secret,
    )


def run(settings: Settings, service: AnswerService) -> int:
    """Long polling, or a webhook when WEBHOOK_URL is set. Blocking: never wrap in asyncio.run.

    Returns the process exit code: non-zero when the bot had to stop (another instance).
    """
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
    fixed = settings.fixed_now
    application = build_application(settings, service, clock=(lambda: fixed) if fixed else None)
    application.bot_data["own_signals"] = True  # our signal handlers: see install_stop_signals
    try:
        serve(application, settings)
    except InvalidToken:
        print(
            "millebot: Telegram rejected the bot token (401/404): check TELEGRAM_BOT_TOKEN"
            + (" and TELEGRAM_API_BASE_URL" if settings.api_base_url else ""),
            file=sys.stderr,
        )
        return EXIT_REJECTED_TOKEN
    state: BotState = application.bot_data["state"]
    return state.exit_code


def serve(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.webhook_url:
        hook = webhook_options(settings)
        application.run_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=hook.url_path,
            webhook_url=hook.url,
            secret_token=hook.secret,
            allowed_updates=Update.ALL_TYPES,
            stop_signals=None,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)
