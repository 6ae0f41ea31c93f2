"""Reminders on Telegram: /subscribe, /unsubscribe, /subscriptions and the jobs that send them.

What is due when, and what it says, is the core's (``bot.core.reminders``); who subscribed is
the store's (``bot.core.subscriptions``). This module asks Telegram: whether a group member
may subscribe the group (its admins only; an anonymous admin writes as the group itself), and
sends the messages.

The job queue does not persist its jobs, so they are rebuilt from the store at start
(``start``), when a chat subscribes to an event, and after a reload (``after_reload``, which
also sends the "dates announced / changed" notes). There is one job per event and reminder,
not per chat: it sends to every subscriber of the event that has not had it yet, so a
thousand subscribers cost one job, not a thousand. A reminder missed by up to ``CATCH_UP``
(the bot was down at 09:00) is sent as soon as the bot is back, but only to chats that had
subscribed by its time: one who subscribes at 10:00 was promised the *next* reminder, not the
one of 09:00. The "sent" table keeps a restart or a reload from sending anything twice. A chat that blocked the bot, was deleted or
removed the bot loses its subscriptions quietly (logged at INFO).
"""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, JobQueue
from telegram.warnings import PTBUserWarning

from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t, using
from bot.core.model import Event, Knowledge
from bot.core.reminders import (
    Change,
    Reminder,
    change_text,
    date_changes,
    due_reminders,
    edition_at,
    next_text,
    owed,
    reminder_text,
    reminders_for,
    schedule_text,
)
from bot.core.text import echoed
from bot.tg.context import BotState, state_of
from bot.tg.handlers import language_of_user

log = logging.getLogger(__name__)

JOB_PREFIX = "reminder:"  # job names: reminder:<event>/<year>:<kind>:<local date>
CATCH_UP = timedelta(hours=3)  # a reminder missed by this much (bot down) still goes out
# APScheduler skips a job that could not start within a second of its time (a busy loop at
# 09:00); a reminder is still worth sending within the catch-up window.
LATE_OK = {"misfire_grace_time": int(CATCH_UP.total_seconds())}
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
EXAMPLE_EVENT = "california-mille"  # shown in "I don't know the event ..."

App = Application[Any, Any, Any, Any, Any, Any]


def add_handlers(application: App) -> None:
    """The three commands; registered before the core's commands so they are ours."""
    application.add_handler(CommandHandler("subscribe", on_subscribe))
    application.add_handler(CommandHandler("unsubscribe", on_unsubscribe))
    application.add_handler(CommandHandler("subscriptions", on_subscriptions))


async def start(application: App) -> list[str]:
    """At start (post_init): open the store and rebuild every reminder job from it."""
    state = _state(application)
    await state.subscriptions.open(state.clock())
    queue = job_queue(application)
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): no reminders sent")
    elif state.subscriptions.notes_due():  # a crash stopped the last run's notes midway
        queue.run_once(_resume_notes, 0, name="notes:resume")
    return schedule_all(application)


async def stop(application: App) -> None:
    await _state(application).subscriptions.close()


def job_queue(application: App) -> JobQueue[Any] | None:
    """The job queue, or None without the job-queue extra (then no reminders are sent)."""
    with warnings.catch_warnings():  # PTB warns on every access when it is missing
        warnings.simplefilter("ignore", PTBUserWarning)
        queue: JobQueue[Any] | None = application.job_queue
    return queue


def _state(application: App) -> BotState:
    state: BotState = application.bot_data["state"]
    return state


# ----------------------------------------------------------------- commands


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe [event]: this chat gets the event's reminders (default: the Mille Miglia)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or update.edited_message is not None:
        return
    state = state_of(context)
    lang = language_of_user(update)
    with using(lang):
        if not await may_manage(update, context, "/subscribe"):
            text = t("reminders.refused", command="/subscribe")
        else:
            words = " ".join(context.args or [])
            found = state.service.answerer.event_names.resolve(words)
            text = _not_one(found, words, "/subscribe") or await _subscribe(
                context.application, state, chat.id, found[0], lang
            )
    await message.reply_text(text, do_quote=chat.type != ChatType.PRIVATE)


async def _subscribe(
    application: App, state: BotState, chat_id: int, event: Event, lang: str | None
) -> str:
    now = state.clock()
    new = await state.subscriptions.subscribe(chat_id, event.id, lang, now)
    schedule_event(application, event.id)
    knowledge = state.service.answerer.knowledge
    lines = [
        t("reminders.subscribed" if new else "reminders.already"),
        schedule_text(event),
        next_text(knowledge, event, now),
    ]
    if not state.subscriptions.persistent:
        lines.append(t("reminders.memory_only"))
    return "\n".join(lines)


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe [event]: stop one event's reminders, or without an event all of them."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or update.edited_message is not None:
        return
    state = state_of(context)
    with using(language_of_user(update)):
        if not await may_manage(update, context, "/unsubscribe"):
            text = t("reminders.refused", command="/unsubscribe")
        else:
            text = await _unsubscribe(context.application, state, chat.id, context.args or [])
    await message.reply_text(text, do_quote=chat.type != ChatType.PRIVATE)


async def _unsubscribe(application: App, state: BotState, chat_id: int, args: list[str]) -> str:
    store = state.subscriptions
    knowledge = state.service.answerer.knowledge
    events = {e.id: e for e in knowledge.events}
    words = " ".join(args)
    if not words:
        gone = await store.unsubscribe(chat_id)
        for event_id in gone:
            schedule_event(application, event_id)
        if not gone:
            return t("reminders.none", event=_name(events, DEFAULT_EVENT))
        return t("reminders.unsubscribed_all", events=", ".join(_name(events, e) for e in gone))
    mine = {s.event for s in store.of_chat(chat_id)}
    if words.lower() in mine:  # an id, even of an event the knowledge no longer has
        found = [events.get(words.lower()) or _unknown_event(words.lower())]
    else:
        found = state.service.answerer.event_names.resolve(words)
    problem = _not_one(found, words, "/unsubscribe")
    if problem:
        return problem
    event = found[0]
    gone = await store.unsubscribe(chat_id, event.id)
    schedule_event(application, event.id)
    return t("reminders.unsubscribed" if gone else "reminders.not_subscribed", event=event.name)


async def on_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscriptions: this chat's subscriptions, each with its next reminder."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or update.edited_message is not None:
        return
    state = state_of(context)
    knowledge = state.service.answerer.knowledge
    events = {e.id: e for e in knowledge.events}
    now = state.clock()
    with using(language_of_user(update)):
        subscriptions = state.subscriptions.of_chat(chat.id)
        if not subscriptions:
            text = t("reminders.none", event=_name(events, DEFAULT_EVENT))
        else:
            lines = [t("reminders.list_title")]
            for sub in subscriptions:
                event = events.get(sub.event)
                lines.append(f"• {next_text(knowledge, event, now) if event else sub.event}")
            lines.append(t("reminders.list_hint"))
            if not state.subscriptions.persistent:
                lines.append(t("reminders.memory_only"))
            text = "\n".join(lines)
    await message.reply_text(text, do_quote=chat.type != ChatType.PRIVATE)


def _not_one(found: list[Event], words: str, command: str) -> str | None:
    """The reply when the words name no event, or several; None when they name one."""
    if not found:
        return t("reminders.unknown_event", name=echoed(words), example=EXAMPLE_EVENT)
    if len(found) > 1:
        return t("reminders.which", choices=", ".join(f"{command} {e.id}" for e in found))
    return None


def _name(events: dict[str, Event], event_id: str) -> str:
    event = events.get(event_id)
    return event.name if event else event_id


def _unknown_event(event_id: str) -> Event:
    """A stand-in for a subscribed event that a reload removed, so it can be unsubscribed."""
    return Event(event_id, event_id, (), "", "", "UTC", "", None, None, None, "")


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> bool:
    """Anyone in a private chat; in a group or channel, its admins only.

    An anonymous admin writes as the group itself (``sender_chat`` is the chat; the user is
    GroupAnonymousBot), which only admins can do; a channel's posts come from the channel.
    """
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    sender = message.sender_chat if message is not None else None
    if sender is not None and sender.id == chat.id:
        return True
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as err:
        log.warning("could not check whether user %s admins chat %s: %s", user.id, chat.id, err)
        return False
    if member.status in ADMIN_STATUSES:
        return True
    log.info("refused %s in chat %s from user %s (not an admin)", command, chat.id, user.id)
    return False


# ----------------------------------------------------------------- jobs


def schedule_all(application: App) -> list[str]:
    """Replace every reminder job by those the store and the knowledge call for now."""
    queue = job_queue(application)
    if queue is None:
        return []
    for job in queue.jobs(f"^{re.escape(JOB_PREFIX)}"):
        job.schedule_removal()
    names: list[str] = []
    for event_id in sorted(_state(application).subscriptions.events()):
        names += schedule_event(application, event_id)
    return names


def schedule_event(application: App, event_id: str) -> list[str]:
    """Replace one event's reminder jobs; none when nobody is subscribed to it any more.

    Times come from the injected clock (``BotState.clock``); the job queue fires on the real
    one. A reminder missed by less than ``CATCH_UP`` is due at once.
    """
    queue = job_queue(application)
    if queue is None:
        return []
    for job in queue.jobs(f"^{re.escape(JOB_PREFIX + event_id)}/"):
        job.schedule_removal()
    state = _state(application)
    if not state.subscriptions.subscribers(event_id):
        return []
    now = state.clock()
    names = []
    for reminder in due_reminders(state.service.answerer.knowledge, event_id, now - CATCH_UP):
        name = JOB_PREFIX + reminder.key
        when = reminder.at if reminder.at > now else timedelta(0)
        queue.run_once(_fire, when, data=reminder, name=name, job_kwargs=LATE_OK)
        names.append(name)
    return names


async def _fire(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    if job is not None and isinstance(job.data, Reminder):
        await send_reminder(context.application, job.data)


async def send_reminder(application: App, reminder: Reminder) -> int:
    """Send ``reminder`` to every subscriber of its event that has not had it; how many got it.

    The reminder is checked against the knowledge of this moment: one a reload made stale
    (the edition moved) is dropped, its replacement has its own job.
    """
    state = _state(application)
    knowledge = state.service.answerer.knowledge
    ed = edition_at(knowledge, reminder.edition_key)
    event = next((e for e in knowledge.events if e.id == reminder.event), None)
    before = reminder.at - timedelta(seconds=1)
    if ed is None or event is None or reminder not in reminders_for(ed, event, before):
        log.info("reminder %s no longer fits the knowledge; not sent", reminder.key)
        return 0
    store = state.subscriptions
    sent = 0
    for sub in store.subscribers(event.id):
        if store.was_sent(sub.chat_id, event.id, reminder.key) or not owed(reminder, sub.created):
            continue
        local = state.service.answerer_for("", sub.lang)  # Italian towns for Italian chats
        with using(sub.lang):
            text = reminder_text(
                reminder, local.edition_at.get(ed.key, ed), local.events.get(event.id, event)
            )
        # Marked before it goes out: a crash right after the send must not repeat it at the
        # next start (the README's "never twice"); a failed send is logged, not retried.
        await store.mark_sent(sub.chat_id, event.id, reminder.key, state.clock())
        chat_id = await deliver(application, sub.chat_id, text)
        if chat_id is not None:
            sent += 1
    log.info("reminder %s sent to %d chat(s)", reminder.key, sent)
    return sent


async def after_reload(application: App, old: Knowledge, new: Knowledge) -> list[Change]:
    """After a successful /reload: jobs follow the new dates; subscribers hear of changes.

    The jobs are replaced at once. The notes go out in the background while the bot runs (a
    thousand subscribers take a while at Telegram's 30 messages a second, and updates are
    handled one at a time); otherwise (tests, a bot not started) before this returns.
    """
    state = _state(application)
    changes = date_changes(old, new, state.subscriptions.events(), state.clock())
    schedule_all(application)
    if changes:
        log.info("dates announced or changed: %s", ", ".join(c.edition_key for c in changes))
        if application.running:
            application.create_task(send_notes(application, changes, new))
        else:
            await send_notes(application, changes, new)
    return changes


async def send_notes(application: App, changes: list[Change], knowledge: Knowledge) -> int:
    """The "dates announced / changed" notes, to each subscriber of the event concerned.

    All are written to the state file first (``notes_due``), then sent one by one, each
    crossed off just before it goes out: after a crash, the next start sends the rest.
    """
    events = {e.id: e for e in knowledge.events}
    store = _state(application).subscriptions
    due: list[tuple[int, str, str]] = []
    for change in changes:
        event = events[change.event]
        for sub in store.subscribers(change.event):
            with using(sub.lang):
                text = change_text(change, event)
            key = hashlib.sha1(text.encode()).hexdigest()[:16]  # one note, once, per chat
            due.append((sub.chat_id, key, text))
    await store.queue_notes(due)
    return await send_due_notes(application)


async def send_due_notes(application: App) -> int:
    """Send the notes still due (after a reload, or left by a crash); how many arrived."""
    store = _state(application).subscriptions
    sent = 0
    for chat_id, key, text in store.notes_due():
        await store.note_sent(chat_id, key)
        sent += await deliver(application, chat_id, text) is not None
    return sent


async def _resume_notes(context: ContextTypes.DEFAULT_TYPE) -> None:
    sent = await send_due_notes(context.application)
    log.info("sent %d note(s) left unsent by the last run", sent)


async def deliver(application: App, chat_id: int, text: str, moved: bool = False) -> int | None:
    """Send ``text``; the chat it reached (a group may have become a supergroup), or None.

    A chat that blocked the bot, removed it or no longer exists ends its subscriptions.
    """
    store = _state(application).subscriptions
    try:
        await application.bot.send_message(chat_id, text)
        return chat_id
    except ChatMigrated as err:
        if moved:  # migrated twice in a row: something is off, try again next time
            log.warning("chat %s moved again, to %s; not sent", chat_id, err.new_chat_id)
            return None
        log.info("chat %s became %s; its subscriptions move with it", chat_id, err.new_chat_id)
        await store.move(chat_id, err.new_chat_id)
        return await deliver(application, err.new_chat_id, text, moved=True)
    except Forbidden as err:
        reason = str(err)
    except BadRequest as err:
        if "chat not found" not in str(err).lower():
            log.warning("could not send a reminder to chat %s: %s", chat_id, err)
            return None
        reason = str(err)
    except TelegramError as err:
        log.warning("could not send a reminder to chat %s: %s", chat_id, err)
        return None
    gone = await store.unsubscribe(chat_id)
    log.info("chat %s is out of reach (%s); ended its subscriptions: %s", chat_id, reason, gone)
    return None
