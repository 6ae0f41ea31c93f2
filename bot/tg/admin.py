"""Admin commands: /reload, /stats and /unanswered, for the user ids in ADMIN_USER_IDS only.

Anyone else gets a polite refusal, and the attempt is logged with the user id, so an admin
can tell a curious user from someone probing the bot. The refusal and the headings here are
in the user's language; the /reload and /stats summary lines come from the core, in English.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.i18n import t, using
from bot.core.unanswered import Missed
from bot.tg import reminders
from bot.tg.context import state_of
from bot.tg.handlers import language_of_user
from bot.tg.render import escape, split_message

log = logging.getLogger(__name__)


async def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> bool:
    user = update.effective_user
    message = update.effective_message
    if user is not None and user.id in state_of(context).settings.admin_user_ids:
        return True
    log.warning("refused %s from user %s", command, user.id if user else "unknown")
    if message is not None:
        with using(language_of_user(update)):
            refusal = t("telegram.admin.refusal", command=command)
        await message.reply_text(refusal)
    return False


async def admin_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, command: str
) -> Message | None:
    """The admin's command message to act on; None for others (refused) and for edits.

    Editing an old /reload must not reload again, so an edited command is never acted on.
    """
    message = update.effective_message
    if message is None or update.edited_message is not None:
        return None
    return message if await is_admin(update, context, command) else None


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Validate, re-index and swap in the YAML; on problems list them and keep the old."""
    message = await admin_message(update, context, "/reload")
    if message is None:
        return
    state = state_of(context)
    old = state.service.answerer.knowledge  # reminders compare the dates before and after
    outcome = await state.service.reload()
    lines = outcome.summary_lines()
    head, rest = lines[0], lines[1:]
    body = [f"<b>{escape(head)}</b>", *(f"• {escape(line)}" for line in rest)]
    for chunk in split_message("\n".join(body)):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)
    if outcome.ok:  # reminders follow the new dates; subscribers get a note of changed ones
        await reminders.after_reload(context.application, old, state.service.answerer.knowledge)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Questions served, and the share answered / clarified / unknown, since start and in all."""
    message = await admin_message(update, context, "/stats")
    if message is None:
        return
    state = state_of(context)
    snapshot = await state.stats.snapshot()
    knowledge = state.service.answerer.knowledge
    counts = knowledge.counts
    with using(language_of_user(update)):
        known = t(
            "telegram.admin.knowledge",
            editions=counts.get("editions", 0),
            facts=counts.get("facts", 0),
            reports=counts.get("reports", 0),
            version=knowledge.digest[:12] or "-",  # which knowledge answers: for admins only
        )
    lines = [*snapshot.summary_lines(), known]
    await message.reply_text("\n".join(escape(line) for line in lines), parse_mode=ParseMode.HTML)


# ----------------------------------------------------------------- /unanswered

UNANSWERED_DEFAULT, UNANSWERED_MAX = 10, 50


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most frequent questions the bot could not answer: where the knowledge should grow."""
    message = await admin_message(update, context, "/unanswered")
    if message is None:
        return
    limit = unanswered_limit(context.args or [])
    lang = language_of_user(update)
    if limit is None:
        with using(lang):
            usage = t(
                "telegram.admin.unanswered_usage", max=UNANSWERED_MAX, default=UNANSWERED_DEFAULT
            )
        await message.reply_text(usage)
        return
    store = state_of(context).unanswered
    missed = await store.top(limit)
    with using(lang):  # the heading in the admin's language; the lines are the questions
        body = unanswered_html(missed, store.persistent)
    for chunk in split_message(body):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


def unanswered_limit(args: list[str]) -> int | None:
    """N from ``/unanswered N`` (capped at the maximum), the default without one, else None."""
    if not args:
        return UNANSWERED_DEFAULT
    if len(args) > 1 or not args[0].isdecimal() or int(args[0]) < 1:
        return None
    return min(int(args[0]), UNANSWERED_MAX)


def unanswered_html(missed: list[Missed], persistent: bool) -> str:
    """A title and one escaped line per question; says so when the list is in memory only."""
    note = "" if persistent else t("telegram.admin.memory_only")
    if not missed:
        return escape(t("telegram.admin.unanswered_none", note=note))
    title = t("telegram.admin.unanswered_title", note=note)
    return "\n".join([f"<b>{escape(title)}</b>", *(f"• {escape(m.line())}" for m in missed)])
