"""Inline keyboards: the core's buttons and suggestions, as Telegram buttons that fit its limits.

``callback_data`` holds at most 64 bytes. A button's ``ask`` (what tapping it asks) nearly
always fits, and then the button works forever, across restarts and reloads. A longer one
(a suggested question) is kept in a bounded memory and the data holds its digest; after a
restart such a button says it has expired instead of guessing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import t, using
from bot.core.reply import Reply

MAX_CALLBACK = 64
PAGE = 12  # buttons per page when a reply offers many (the years of an event)
MEMORY = 5000  # long button texts remembered (a few hundred KB at most)
PER_CHAT = 200  # of which one chat may hold: a flooding chat forgets its own buttons only


class ButtonMemory:
    """The long button texts, per chat, least recently used forgotten first.

    One chat keeps at most ``per_chat`` texts, so 5,000 messages in one chat no longer
    expire everyone's buttons; beyond ``size`` in all, the least recently active chat's
    oldest text goes first.
    """

    def __init__(self, size: int = MEMORY, per_chat: int = PER_CHAT) -> None:
        self.size = size
        self.per_chat = per_chat
        self._chats: OrderedDict[int, OrderedDict[str, str]] = OrderedDict()
        self._count = 0

    def keep(self, text: str, chat: int = 0) -> str:
        key = hashlib.sha1(text.encode()).hexdigest()[:16]
        texts = self._chats.setdefault(chat, OrderedDict())
        self._chats.move_to_end(chat)
        if key not in texts:
            self._count += 1
        texts[key] = text
        texts.move_to_end(key)
        if len(texts) > self.per_chat:
            texts.popitem(last=False)
            self._count -= 1
        while self._count > self.size:
            oldest_chat, oldest = next(iter(self._chats.items()))
            oldest.popitem(last=False)
            self._count -= 1
            if not oldest:
                del self._chats[oldest_chat]
        return key

    def get(self, key: str, chat: int = 0) -> str | None:
        texts = self._chats.get(chat)
        return texts.get(key) if texts is not None else None


@dataclass(frozen=True)
class Tap:
    """What a button asks for: a question to answer (below, or in place of the message the
    button sits on: a tab), or another page of a keyboard."""

    ask: str
    page: int | None = None  # set: show this page of the keyboard of ``ask``'s reply
    in_place: bool = False  # the answer replaces the tapped message (``Button.in_place``)


def encode(tap: Tap, memory: ButtonMemory, chat: int = 0) -> str:
    """``a:`` answer below, ``e:`` edit in place, ``pN:`` page N; ``#`` + digest when long."""
    kind = f"p{tap.page}" if tap.page is not None else "e" if tap.in_place else "a"
    data = f"{kind}:{tap.ask}"
    if len(data.encode()) <= MAX_CALLBACK:
        return data
    return f"{kind}#{memory.keep(tap.ask, chat)}"


def decode(data: str, memory: ButtonMemory, chat: int = 0) -> Tap | None:
    """The tap a button stands for; None when it was forgotten (or is not ours)."""
    cut = min((i for i in (data.find(":"), data.find("#")) if i >= 0), default=-1)
    if cut < 1:
        return None
    kind, mark, payload = data[:cut], data[cut], data[cut + 1 :]
    ask = payload if mark == ":" else memory.get(payload, chat)
    if ask is None:
        return None
    if kind in ("a", "e"):
        return Tap(ask, in_place=kind == "e")
    if kind.startswith("p") and kind[1:].isdecimal() and kind[1:].isascii():
        return Tap(ask, int(kind[1:]))
    return None


def keyboard(
    reply: Reply, asked: str, memory: ButtonMemory, page: int = 0, chat: int = 0
) -> InlineKeyboardMarkup | None:
    """The keyboard for ``reply`` (which answered ``asked``) in ``chat``, one page of it when
    long."""
    offered = reply.offered()
    if not offered:
        return None
    pages = max(1, -(-len(offered) // PAGE)) if len(offered) > PAGE + 4 else 1
    page = min(max(page, 0), pages - 1)
    shown = offered[page * PAGE : (page + 1) * PAGE] if pages > 1 else offered
    rows: list[list[InlineKeyboardButton]] = []
    # The reply's own buttons (a tab bar) first, then the suggested next questions (issue 11),
    # each laid out by its own widest label so the tabs stay side by side.
    for group in ([b for b in shown if not b.followup], [b for b in shown if b.followup]):
        if group:
            rows += _rows(
                [
                    InlineKeyboardButton(
                        b.shown, callback_data=encode(Tap(b.ask, None, b.in_place), memory, chat)
                    )
                    for b in group
                ],
                max(len(b.shown) for b in group),
            )
    if pages > 1:
        nav = []
        with using(reply.lang):  # the paging labels in the language of the reply
            if page > 0:
                nav.append(_page_button(t("telegram.page.back"), asked, page - 1, memory, chat))
            nav.append(_page_button(f"{page + 1}/{pages}", asked, page, memory, chat))
            if page < pages - 1:
                nav.append(_page_button(t("telegram.page.more"), asked, page + 1, memory, chat))
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def _page_button(
    label: str, asked: str, page: int, memory: ButtonMemory, chat: int
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(Tap(asked, page), memory, chat))


def _rows(buttons: list[InlineKeyboardButton], widest: int) -> list[list[InlineKeyboardButton]]:
    """Short labels (years) four to a row, words three, questions one: readable on a phone."""
    per_row = 4 if widest <= 6 else 3 if widest <= 12 else 2 if widest <= 20 else 1
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
