"""An edition's tabs: Card, Winners, Route, Reports, the views of one edition.

Each tab asks ``/edition YEAR [event] [view]``, so a tap means the same after a restart; the
buttons are ``in_place``, so Telegram switches the message they sit on instead of posting a
new card under it, and the view shown is marked ("• Route"). A view the knowledge cannot fill
(no winners, no route, no reports) has no tab; a lone tab that is already shown is no choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t
from bot.core.model import Edition, Event
from bot.core.reply import Button

# The view a tab shows: (the edition intent it answers or None for the card, the word /edition
# takes for it, its label's key). The order is the tab bar's.
VIEWS: tuple[tuple[str | None, str, str], ...] = (
    (None, "", "answers.buttons.card"),
    ("winner", "winners", "answers.buttons.winners"),
    ("route", "route", "answers.buttons.route"),
    ("reports", "reports", "answers.buttons.reports"),
)
CARD_TOPIC = "edition"  # the topic of a reply that is the whole card


def edition_ask(event: Event, ed: Edition, word: str = "") -> str:
    """``/edition 2014``, ``/edition 2014 route``, ``/edition 2013 ferrari-tribute reports``."""
    ask = f"/edition {ed.year}" + ("" if event.id == DEFAULT_EVENT else f" {event.id}")
    return f"{ask} {word}" if word else ask


def edition_tabs(
    event: Event, ed: Edition, asked: Sequence[str], has_reports: bool, topic: str
) -> list[Button]:
    """The tab bar under a reply about ``ed`` that answered the intents ``asked``."""
    known = {
        None: True,
        "winner": bool(ed.winners),
        "route": bool(ed.route or ed.route_note),
        "reports": has_reports,
    }
    if not asked:
        active: str | None = "card" if topic == CARD_TOPIC else None
    else:
        active = asked[0] if len(asked) == 1 else None
    tabs = [
        Button(
            t(key), edition_ask(event, ed, word), in_place=True, active=(intent or "card") == active
        )
        for intent, word, key in VIEWS
        if known[intent]
    ]
    return [] if len(tabs) == 1 and tabs[0].active else tabs
