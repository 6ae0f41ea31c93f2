"""``/calendar [event]``: the upcoming editions as an .ics document, or an honest text reply.

What goes in the file and what is said with it is decided in ``bot.core.calendar``; this
handler only picks the clock, the user's language and the way to send it.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.core.calendar import Outcome, calendar_for
from bot.tg.context import state_of
from bot.tg.handlers import language_of_user

CAPTION_LIMIT = 1024  # Telegram's limit for a document's caption
KIND = {
    Outcome.FILE: "answer",
    Outcome.EMPTY: "unknown",
    Outcome.WHICH: "clarify",
    Outcome.USAGE: "unknown",
}


async def on_calendar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    state = state_of(context)
    words = " ".join(context.args or [])
    lang = language_of_user(update)
    knowledge = state.service.answerer_for(words, lang).knowledge  # Roma for Italian users
    result = calendar_for(knowledge, words, state.clock(), lang)
    await state.stats.record(KIND[result.outcome])
    quote = message.chat.type != ChatType.PRIVATE  # in a busy group, show what is answered
    if result.outcome is Outcome.FILE:
        caption = result.message
        if len(caption) > CAPTION_LIMIT:
            caption = caption[: CAPTION_LIMIT - 1].rsplit("\n", 1)[0] + "…"
        await message.reply_document(
            InputFile(result.ics, filename=result.filename),
            caption=caption,
            do_quote=quote,
        )
    else:
        await message.reply_text(result.message, do_quote=quote)
