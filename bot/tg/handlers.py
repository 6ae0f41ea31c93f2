"""What users see: commands, free text, buttons, edited questions and inline mode.

Every handler hands text to the same ``AnswerService.answer`` as ``millebot ask`` and renders
the ``Reply`` it gets back; nothing here decides what to answer.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.core.i18n import t, using
from bot.core.reply import ACTIVE_MARK, Reply
from bot.core.search import search
from bot.tg.context import BotState, state_of
from bot.tg.conversations import conversation_context, keep_context
from bot.tg.keyboards import decode, keyboard
from bot.tg.menus import set_admin_menu
from bot.tg.pictures import send_picture, without_picture
from bot.tg.render import split_message, to_html
from bot.tg.retry import surely_undelivered

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
INLINE_CACHE_SECONDS = 5  # short, so a reload shows in inline results at once
# The English texts; each user gets them in their language (locales/<lang>/telegram.yaml).


# ----------------------------------------------------------------- messages


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, /help, /next, /edition... go to the core as typed (``/edition@bot 2014`` too)."""
    message = update.effective_message
    if message is not None and message.text:
        await respond(update, context, message, message.text)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: always in private chats; in groups only when the bot is addressed."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = message.text
    if message.chat.type != ChatType.PRIVATE:
        addressed = addressed_text(message, context.bot.username, context.bot.id)
        if addressed is None:
            return
        text = addressed
    await respond(update, context, message, text)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice...: a caption is a question; otherwise a hint, and only in private.

    In groups anything not addressed to the bot is other people's conversation: silence.
    """
    message = update.effective_message
    if message is None:
        return
    caption = message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        if caption.strip():
            await respond(update, context, message, caption)
        elif update.message is not None:  # not on edits of media: one hint is enough
            with using(language_of_user(update)):
                hint = t("telegram.hint")
            await message.reply_text(hint)
        return
    addressed = addressed_text(message, context.bot.username, context.bot.id, caption)
    if caption.strip() and addressed:
        await respond(update, context, message, addressed)


def addressed_text(
    message: Message, username: str, bot_id: int, text: str | None = None
) -> str | None:
    """The question when a group message mentions the bot or replies to it; None otherwise."""
    text = message.text or "" if text is None else text
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    )
    mention = re.search(rf"(?<![\w@])@{re.escape(username)}(?!\w)", text, re.IGNORECASE)
    if mention:
        return " ".join((text[: mention.start()] + text[mention.end() :]).split()).strip(" ,:")
    return text if to_bot else None


async def respond(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, question: str
) -> None:
    """Answer ``question``; when the user edited it, edit the earlier answer instead."""
    state = state_of(context)
    await ensure_admin_menu(update, context, state)
    now = state.clock()
    asked_in = conversation_context(update, state, context.bot.id, now)  # follow-ups (issue 11)
    reply = state.service.answer(question, now, language_of_user(update), asked_in)
    await count(state, question, reply, now, update)
    markup = keyboard(reply, question, state.memory, chat=message.chat.id)
    if reply.picture is not None:  # pictures hook (issue 12): a photo, its caption the text
        in_group = message if message.chat.type != ChatType.PRIVATE else None
        # Not remembered for edits: a photo's caption cannot become a text answer in place.
        photo = await picture_sent(context, state, reply, markup, message.chat.id, in_group)
        if photo is not None:
            await keep_context(update, state, reply, [photo.message_id])
            return
        reply = without_picture(reply)
    chunks = split_message(to_html(reply))
    key = (message.chat.id, message.message_id)
    if update.edited_message is not None and key in state.answers:
        ids = await replace_answer(context, message.chat.id, state.answers[key], chunks, markup)
    else:
        quote = message.chat.type != ChatType.PRIVATE  # in a busy group, show what is answered
        ids = []
        for n, chunk in enumerate(chunks):
            sent = await message.reply_text(
                chunk,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if n == len(chunks) - 1 else None,
                do_quote=quote and n == 0,
            )
            ids.append(sent.message_id)
    state.remember(message.chat.id, message.message_id, ids)
    await keep_context(update, state, reply, ids)  # follow-ups (issue 11)


async def picture_sent(
    context: ContextTypes.DEFAULT_TYPE,
    state: BotState,
    reply: Reply,
    markup: InlineKeyboardMarkup | None,
    chat_id: int,
    quote: Message | None = None,
) -> Message | None:
    """The photo message of a reply with a picture; None when it could not be drawn."""
    if state.pictures is None:
        return None
    knowledge = state.service.answerer.knowledge
    return await send_picture(context, state.pictures, knowledge, reply, markup, chat_id, quote)


async def count(
    state: BotState, question: str, reply: Reply, now: datetime, update: Update
) -> None:
    """A question served: in the stats, and in the missed list when it was not answered
    (counting people: the asker's id goes into a sketch that cannot name them)."""
    await state.stats.record(reply.kind.value)
    user = update.effective_user
    asker = user.id if user is not None else None
    await state.unanswered.record(question, reply.kind.value, now, asker)


def language_of_user(update: Update) -> str | None:
    """The user's Telegram language (``it``, ``en-GB``...): Italian users get Italian replies.

    It goes with every question to the core, and picks the texts of this adapter too.
    """
    user = update.effective_user
    return user.language_code if user is not None else None


async def ensure_admin_menu(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: BotState
) -> None:
    """An admin who had never written to the bot gets the admin menu on their first message."""
    user = update.effective_user
    chat = update.effective_chat
    if (
        user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and user.id in state.settings.admin_user_ids
        and user.id not in state.admin_menus
    ):
        await set_admin_menu(context.application, user.id)


async def replace_answer(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    old_ids: list[int],
    chunks: list[str],
    markup: InlineKeyboardMarkup | None,
) -> list[int]:
    """Edit the old answer's messages in place; send or delete the difference in length."""
    ids: list[int] = []
    for n, chunk in enumerate(chunks):
        last_markup = markup if n == len(chunks) - 1 else None
        if n < len(old_ids):
            try:
                await context.bot.edit_message_text(
                    chunk,
                    chat_id=chat_id,
                    message_id=old_ids[n],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=last_markup,
                )
            except BadRequest as err:
                if "not modified" not in str(err).lower():
                    raise
            ids.append(old_ids[n])
        else:
            sent = await context.bot.send_message(
                chat_id,
                chunk,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=last_markup,
            )
            ids.append(sent.message_id)
    for surplus in old_ids[len(chunks) :]:
        try:
            await context.bot.delete_message(chat_id, surplus)
        except TelegramError as err:  # too old to delete: leave it, the edit above says it all
            log.info("could not delete message %s in chat %s: %s", surplus, chat_id, err)
    return ids


# ----------------------------------------------------------------- buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap: acknowledge it at once (the spinner stops), then answer below, switch the
    tapped message to another view (a tab; a view too long for one message is sent below
    instead), or turn the page."""
    query = update.callback_query
    if query is None:
        return
    state = state_of(context)
    chat = query.message.chat.id if query.message is not None else query.from_user.id
    tap = decode(query.data or "", state.memory, chat)
    if tap is None:
        with using(language_of_user(update)):
            expired = t("telegram.expired")
        await query.answer(expired)
        return
    await query.answer()
    if query.message is None:  # a button on an inline result: there is no chat to answer in
        return
    if tap.in_place and tapped_label(query).startswith(ACTIVE_MARK):
        return  # the tab shown already: nothing to switch, no call to Telegram
    now = state.clock()
    asked_in = conversation_context(update, state, context.bot.id, now)  # follow-ups (issue 11)
    reply = state.service.answer(tap.ask, now, language_of_user(update), asked_in)
    if tap.page is not None:
        try:
            await query.edit_message_reply_markup(
                keyboard(reply, tap.ask, state.memory, tap.page, chat)
            )
        except BadRequest as err:
            if "not modified" not in str(err).lower():
                raise
        return
    await count(state, tap.ask, reply, now, update)
    chunks = split_message(to_html(reply))
    answered = [query.message.message_id] if tap.in_place and len(chunks) == 1 else []
    if answered:  # a tab: the same message shows the other view
        try:
            await query.edit_message_text(
                chunks[0],
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard(reply, tap.ask, state.memory, chat=query.message.chat.id),
            )
        except BadRequest as err:  # the active tab tapped again: nothing changes
            if "not modified" not in str(err).lower():
                raise
    else:
        answered = await send_reply(context, query.message.chat.id, reply, tap.ask, state)
    await keep_context(update, state, reply, answered)  # follow-ups (issue 11)


def tapped_label(query: CallbackQuery) -> str:
    """The label of the button tapped, as the message shows it ("" when unknown)."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return next((b.text for row in rows for b in row if b.callback_data == query.data), "")


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, asked: str, state: BotState
) -> list[int]:
    """Send ``reply`` below; the ids of the messages it took."""
    markup = keyboard(reply, asked, state.memory, chat=chat_id)
    if reply.picture is not None:  # pictures hook (issue 12): a tapped Map button
        if (photo := await picture_sent(context, state, reply, markup, chat_id)) is not None:
            return [photo.message_id]
        reply = without_picture(reply)
    chunks = split_message(to_html(reply))
    ids: list[int] = []
    for n, chunk in enumerate(chunks):
        sent = await context.bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup if n == len(chunks) - 1 else None,
        )
        ids.append(sent.message_id)
    return ids


# ----------------------------------------------------------------- inline mode


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot 1955`` in any chat: up to 10 cards and facts to post, freshest knowledge."""
    inline = update.inline_query
    if inline is None:
        return
    state = state_of(context)
    hits = search(
        state.service.answerer_for(inline.query, language_of_user(update)),
        inline.query,
        state.clock(),
        limit=10,
        lang=language_of_user(update),
    )
    results = [
        InlineQueryResultArticle(
            id=hit.id,
            title=hit.title[:100],
            description=hit.description,
            input_message_content=InputTextMessageContent(
                split_message(to_html(hit.reply))[0],
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
        )
        for hit in hits
    ]
    button = None
    if not results:
        with using(language_of_user(update)):
            no_match = t("telegram.inline_no_match")
        button = InlineQueryResultsButton(text=no_match, start_parameter="inline")
    await inline.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False, button=button)


# ----------------------------------------------------------------- errors


EXIT_CONFLICT = 3


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback first, then apologise briefly; users never see a traceback.

    Two errors are not bugs: another instance polling the same token (stop: two pollers
    steal each other's updates) and a user who blocked the bot (nothing to send, no retry).
    """
    error = context.error
    if isinstance(error, Conflict):
        log.critical(
            "another instance of this bot is running with the same token (Telegram: %s); "
            "stopping. Run one poller per token.",
            error,
        )
        state_of(context).exit_code = EXIT_CONFLICT
        context.application.stop_running()
        return
    if isinstance(error, Forbidden):
        chat = update.effective_chat if isinstance(update, Update) else None
        log.warning(
            "chat %s does not accept messages (%s); not retrying", chat.id if chat else "?", error
        )
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    maybe_delivered = isinstance(error, NetworkError) and not surely_undelivered(error)
    if maybe_delivered and not isinstance(error, BadRequest):
        return  # the answer may have arrived: an apology after it would only confuse
    try:
        with using(language_of_user(update)):
            apology = t("telegram.apology")
        await context.bot.send_message(update.effective_chat.id, apology)
    except TelegramError as err:
        log.warning("could not send the apology: %s", err)
