"""What every handler needs, kept in one object in ``bot_data`` instead of loose keys."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import ContextTypes

from bot.core.contextstore import ContextStore
from bot.core.service import AnswerService
from bot.core.stats import StatsStore
from bot.core.subscriptions import SubscriptionStore
from bot.core.unanswered import UnansweredStore
from bot.settings import Settings
from bot.tg.keyboards import ButtonMemory
from bot.tg.pictures import Pictures

ANSWERS_KEPT = 2000  # questions whose answers an edit can still update


@dataclass
class BotState:
    settings: Settings
    service: AnswerService
    stats: StatsStore
    unanswered: UnansweredStore
    memory: ButtonMemory
    clock: Callable[[], datetime]
    subscriptions: SubscriptionStore  # reminders (bot/tg/reminders.py)
    # (chat id, question message id) -> the ids of the messages that answered it
    answers: OrderedDict[tuple[int, int], list[int]] = field(default_factory=OrderedDict)
    # admins whose private chat has the admin menu (set at start, or when they first write)
    admin_menus: set[int] = field(default_factory=set)
    exit_code: int = 0  # set when the bot must stop (another instance polls the same token)
    pictures: Pictures | None = None  # maps and charts (bot/tg/pictures.py); None: text only
    contexts: ContextStore | None = None  # conversations (bot/tg/conversations.py); None: none

    def remember(self, chat_id: int, question_id: int, answer_ids: list[int]) -> None:
        self.answers[(chat_id, question_id)] = answer_ids
        self.answers.move_to_end((chat_id, question_id))
        while len(self.answers) > ANSWERS_KEPT:
            self.answers.popitem(last=False)


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state: BotState = context.bot_data["state"]
    return state
