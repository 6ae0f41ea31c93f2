"""The Telegram adapter: handlers that pass text to the answering core and send HTML back.

Each handler is a few lines; everything a Telegram user can ask goes through the same
``AnswerService.answer`` as ``millebot ask``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import BotCommand, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.core.service import AnswerService
from bot.settings import Settings
from bot.tg.render import split_message, to_html

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("next", "the next edition, with a countdown"),
    BotCommand("edition", "an edition's card: /edition 2014"),
    BotCommand("help", "what you can ask"),
]


def service_of(context: ContextTypes.DEFAULT_TYPE) -> AnswerService:
    service: AnswerService = context.bot_data["service"]
    return service


async def reply_to(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` in the chat of ``update``, split and escaped."""
    message = update.effective_message
    if message is None:
        return
    reply = service_of(context).answer(question, datetime.now(UTC))
    for chunk in split_message(to_html(reply)):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML, disable_web_page_preview=True)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands (/next, /edition 2014, /help, /start) go to the core as they were typed."""
    if update.effective_message and update.effective_message.text:
        await reply_to(update, context, update.effective_message.text)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: always in private chats; in groups only when the bot is addressed."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = message.text
    if message.chat.type != ChatType.PRIVATE:
        username = f"@{context.bot.username}"
        replied_to_bot = (
            message.reply_to_message is not None
            and message.reply_to_message.from_user is not None
            and message.reply_to_message.from_user.id == context.bot.id
        )
        if username.lower() not in text.lower() and not replied_to_bot:
            return
        text = text.replace(username, " ").strip()
    await reply_to(update, context, text)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback first, then apologise briefly; users never see a traceback."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        await update.effective_message.reply_text(
            "Sorry, something went wrong on my side. Please try again in a moment."
        )


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    await application.bot.set_my_commands(COMMANDS)


def build_application(
    settings: Settings, service: AnswerService, request: BaseRequest | None = None
) -> Application:  # type: ignore[type-arg]
    """The bot's application; ``request`` replaces the HTTP layer (tests use a recording one)."""
    assert settings.token, "a token is required"
    builder = ApplicationBuilder().token(settings.token).rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    application = builder.post_init(post_init).build()
    application.bot_data["service"] = service
    application.add_handler(CommandHandler(["start", "help", "next", "edition"], on_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_error_handler(on_error)
    return application


def run(settings: Settings, service: AnswerService) -> None:
    """Long polling (or a webhook when WEBHOOK_URL is set). Blocking: never wrap in asyncio.run."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
    application = build_application(settings, service)
    if settings.webhook_url:
        application.run_webhook(
            listen="0.0.0.0",
            port=settings.port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
