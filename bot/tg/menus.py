"""The command menus Telegram shows: users' commands everywhere, admin ones to admins only."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.commands import COMMANDS
from bot.tg.context import BotState

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    BotCommand("reload", "admin: reload the knowledge base"),
    BotCommand("stats", "admin: questions served"),
    BotCommand("unanswered", "admin: most asked questions without an answer"),
)


def user_commands() -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in COMMANDS]


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menus: the same list in private chats and groups, plus admin ones for admins.

    An admin who has never opened a chat with the bot has no chat to scope to yet; that is
    logged and skipped rather than stopping the bot.
    """
    bot = application.bot
    commands = user_commands()
    await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(commands, scope=BotCommandScopeAllGroupChats())
    state: BotState = application.bot_data["state"]
    for admin_id in sorted(state.settings.admin_user_ids):
        await set_admin_menu(application, admin_id)


async def set_admin_menu(application: Application, admin_id: int) -> None:  # type: ignore[type-arg]
    """The admin menu in one admin's private chat; retried when that admin next writes."""
    state: BotState = application.bot_data["state"]
    try:
        await application.bot.set_my_commands(
            [*user_commands(), *ADMIN_COMMANDS], scope=BotCommandScopeChat(admin_id)
        )
        state.admin_menus.add(admin_id)
    except TelegramError as err:
        log.warning("could not set the admin menu for user %s yet: %s", admin_id, err)
