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


class ButtonMemory:
    """The long button texts, least recently used forgotten first."""

    def __init__(self, size: int = MEMORY) -> None:
        self.size = size
        self._texts: OrderedDict[str, str] = OrderedDict()

    def keep(self, text: str) -> str:
        key = hashlib.sha1(text.encode()).hexdigest()[:16]
        self._texts[key] = text
        self._texts.move_to_end(key)
        while len(self._texts) > self.size:
            self._texts.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self._texts.get(key)


@dataclass(frozen=True)
class Tap:
    """What a button asks for: a question to answer (below, or in place of the message the
    button sits on: a tab), or another page of a keyboard."""

    ask: str
    page: int | None = None  # set: show this page of the keyboard of ``ask``'s reply
    in_place: bool = False  # the answer replaces the tapped message (``Button.in_place``)


def encode(tap: Tap, memory: ButtonMemory) -> str:
    """``a:`` answer below, ``e:`` edit in place, ``pN:`` page N; ``#`` + digest when long."""
    kind = f"p{tap.page}" if tap.page is not None else "e" if tap.in_place else "a"
    data = f"{kind}:{tap.ask}"
    if len(data.encode()) <= MAX_CALLBACK:
        return data
    return f"{kind}#{memory.keep(tap.ask)}"


def decode(data: str, memory: ButtonMemory) -> Tap | None:
    """The tap a button stands for; None when it was forgotten (or is not ours)."""
    cut = min((i for i in (data.find(":"), data.find("#")) if i >= 0), default=-1)
    if cut < 1:
        return None
    kind, mark, payload = data[:cut], data[cut], data[cut + 1 :]
    ask = payload if mark == ":" else memory.get(payload)
    if ask is None:
        return None
    if kind in ("a", "e"):
        return Tap(ask, in_place=kind == "e")
    if kind.startswith("p") and kind[1:].isdecimal() and kind[1:].isascii():
        return Tap(ask, int(kind[1:]))
    return None


def keyboard(
    reply: Reply, asked: str, memory: ButtonMemory, page: int = 0
) -> InlineKeyboardMarkup | None:
    """The keyboard for ``reply`` (which answered ``asked``), one page of it when long."""
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
                        b.shown, callback_data=encode(Tap(b.ask, None, b.in_place), memory)
                    )
                    for b in group
                ],
                max(len(b.shown) for b in group),
            )
    if pages > 1:
        nav = []
        with using(reply.lang):  # the paging labels in the language of the reply
            if page > 0:
                nav.append(_page_button(t("telegram.page.back"), asked, page - 1, memory))
            nav.append(_page_button(f"{page + 1}/{pages}", asked, page, memory))
            if page < pages - 1:
                nav.append(_page_button(t("telegram.page.more"), asked, page + 1, memory))
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def _page_button(label: str, asked: str, page: int, memory: ButtonMemory) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(Tap(asked, page), memory))


def _rows(buttons: list[InlineKeyboardButton], widest: int) -> list[list[InlineKeyboardButton]]:
    """Short labels (years) four to a row, words three, questions one: readable on a phone."""
    per_row = 4 if widest <= 6 else 3 if widest <= 12 else 2 if widest <= 20 else 1
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
