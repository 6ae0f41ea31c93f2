"""The command menus Telegram shows: users' commands everywhere, admin ones to admins only.

Each menu is registered once per language: the English one for everyone (no language code)
and one per other catalogue (``language_code="it"``), which Telegram shows to users whose app
is in that language. Command names are the same in every language; descriptions are not.
"""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.commands import COMMANDS
from bot.core.i18n import DEFAULT, LANGUAGES, t, using
from bot.tg.context import BotState

log = logging.getLogger(__name__)

# None: the menu for every language without its own (English); then one per other language.
MENU_LANGUAGES: tuple[str | None, ...] = (None, *(lang for lang in LANGUAGES if lang != DEFAULT))


def user_commands(lang: str | None = None) -> list[BotCommand]:
    with using(lang):
        return [BotCommand(c.name, c.description) for c in COMMANDS]


def admin_commands(lang: str | None = None) -> list[BotCommand]:
    with using(lang):
        return [
            BotCommand("reload", t("telegram.admin.menu.reload")),
            BotCommand("stats", t("telegram.admin.menu.stats")),
            BotCommand("unanswered", t("telegram.admin.menu.unanswered")),
        ]


async def _set_menus(
    application: Application,  # type: ignore[type-arg]
    scope: BotCommandScope,
    admin: bool = False,
) -> None:
    for lang in MENU_LANGUAGES:
        commands = user_commands(lang) + (admin_commands(lang) if admin else [])
        await application.bot.set_my_commands(commands, scope=scope, language_code=lang)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menus: the same list in private chats and groups, plus admin ones for admins.

    An admin who has never opened a chat with the bot has no chat to scope to yet; that is
    logged and skipped rather than stopping the bot.
    """
    await _set_menus(application, BotCommandScopeAllPrivateChats())
    await _set_menus(application, BotCommandScopeAllGroupChats())
    state: BotState = application.bot_data["state"]
    for admin_id in sorted(state.settings.admin_user_ids):
        await set_admin_menu(application, admin_id)


async def set_admin_menu(application: Application, admin_id: int) -> None:  # type: ignore[type-arg]
    """The admin menu in one admin's private chat; retried when that admin next writes."""
    state: BotState = application.bot_data["state"]
    try:
        await _set_menus(application, BotCommandScopeChat(admin_id), admin=True)
        state.admin_menus.add(admin_id)
    except TelegramError as err:
        log.warning("could not set the admin menu for user %s yet: %s", admin_id, err)
