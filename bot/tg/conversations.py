"""Follow-up questions on Telegram (issue 11): which conversation a message continues.

The core reads a follow-up against a ``Context`` and returns the next one with the reply
(``bot.core.answering.conversation``); this adapter only chooses which stored context goes with
a message and keeps the new one (``bot.core.contextstore``):

- a message that replies to one of the bot's answers resumes the context *that* answer left
  (the explicit reply is the user pointing at it, so it is taken as fresh even if older than
  the usual expiry); an answer no longer stored falls back to the user's own context;
- a button tap asks in the context of the answer the button sits on (a page of a long list
  is then the same list), else in the tapper's;
- any other message or an edited question continues the sender's context in that chat (in a
  group each user has their own, so interleaved conversations never mix);
- inline queries have no context (there is no conversation to continue).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from telegram import Message, Update

from bot.core.answering.conversation import Context
from bot.core.reply import Reply
from bot.tg.context import BotState


def conversation_context(
    update: Update, state: BotState, bot_id: int, now: datetime
) -> Context | None:
    """The context the question in ``update`` is read against, or None."""
    chat, user = update.effective_chat, update.effective_user
    if state.contexts is None or chat is None or update.inline_query is not None:
        return None
    tapped = update.callback_query.message if update.callback_query is not None else None
    message = update.message or update.edited_message
    replied = message.reply_to_message if message is not None else None
    if isinstance(tapped, Message):
        replied = tapped
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        resumed = Context.from_dict(state.contexts.of_answer(chat.id, replied.message_id))
        if resumed is not None:
            return replace(resumed, at=now.isoformat(), idle=0)
    if user is None:
        return None
    return Context.from_dict(state.contexts.of_user(chat.id, user.id))


async def keep_context(
    update: Update, state: BotState, reply: Reply, answer_ids: list[int]
) -> None:
    """After answering: the reply's context becomes the sender's, and its messages' own."""
    chat, user = update.effective_chat, update.effective_user
    if state.contexts is None or chat is None:
        return
    await state.contexts.keep(chat.id, user.id if user else None, reply.context, answer_ids)
