"""Picking a year of an event (``/edition`` without a year): by era, then decade, then year.

Sixty-odd Mille Miglia years as buttons took six pages of twelve. Each step now offers at most
a dozen choices: the event's eras when its years span several, then the decades of a period,
then the years themselves once at most ``MAX_YEARS`` remain. A period is asked as a year span
(``/edition 1950-1959``), so a button works after a restart, fits ``callback_data`` with any
event id (at most 47 bytes), and reads the same in every language. The period buttons switch
the message in place; a year's card is posted below it, so the picker stays to pick another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.core import formatting as fmt
from bot.core import tense
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t
from bot.core.model import Edition, Event, Status
from bot.core.reply import Button, Draft, Kind, Reply

MAX_YEARS = 12  # the years themselves are offered once a period holds at most this many
_SPAN = re.compile(r"(1[89]\d\d|2\d\d\d)-(1[89]\d\d|2\d\d\d)")

# A period: its button's label, its name in the text, its first and last year, its editions.
Group = tuple[str, str, int, int, list[Edition]]


def span_of(word: str) -> tuple[int, int] | None:
    """``1950-1959`` -> (1950, 1959); None for anything else (a reversed span included)."""
    found = _SPAN.fullmatch(word)
    if found is None or int(found[1]) > int(found[2]):
        return None
    return int(found[1]), int(found[2])


def pick_year(
    event: Event,
    editions: Sequence[Edition],
    span: tuple[int, int] | None,
    today: date | None = None,
) -> Reply:
    """The step of the picker for ``span`` (None: all of the event's years)."""
    lo, hi = span or (0, 9999)
    held = sorted(
        (e for e in editions if e.status is not Status.NO_RACE and lo <= e.year <= hi),
        key=lambda e: -e.year,
    )
    suffix = "" if event.id == DEFAULT_EVENT else f" {event.id}"
    name = event.name if suffix else ""
    title = t("commands.years.title", event=event.name)
    if span is not None:
        title = t("commands.years.title_span", event=event.name, span=f"{lo}-{hi}")
    draft = Draft(100.0, title=title, topic="edition-years")
    if not held:
        draft.kind = Kind.UNKNOWN
        draft.lines.append(t("commands.years.none_then", event=event.name, span=f"{lo}-{hi}"))
    elif len(held) <= MAX_YEARS:
        labels = [f"{e.year}{tense.status_note(e, today)}" for e in held]
        draft.lines.append(t("commands.years.newest_first", years=", ".join(labels)))
        draft.lines.append(t("commands.years.tap", event=f" {name}" if name else ""))
        draft.buttons = [Button(str(e.year), f"/edition {e.year}{suffix}") for e in held]
    else:
        for label, period, first, last, members in _groups(event, held, lo, hi):
            years = fmt.year_list([e.year for e in members])
            draft.lines.append(t("commands.years.period", period=period, years=years))
            draft.buttons.append(Button(label, f"/edition {first}-{last}{suffix}", in_place=True))
        draft.lines.append(t("commands.years.tap_period", event=f" {name}" if name else ""))
    if span is not None:
        draft.buttons.append(Button(t("commands.years.all"), f"/edition{suffix}", in_place=True))
    return draft.finish()


def _groups(event: Event, held: list[Edition], lo: int, hi: int) -> list[Group]:
    """The event's eras when the years span several of them, else the decades; newest first.

    A decade is cut to the period it is part of: the 1950s of the speed race are 1950-1957,
    so the years of the rally era (1958, 1959) do not creep in.
    """
    eras = [
        (era, [e for e in held if e.era == era.id])
        for era in sorted(event.eras, key=lambda era: -era.start_year)
    ]
    eras = [(era, members) for era, members in eras if members]
    if len(eras) > 1 and sum(len(m) for _, m in eras) == len(held):
        groups: list[Group] = []
        for era, members in eras:
            first, last = era.start_year, era.end_year or members[0].year
            # The button shows the years only: they read the same in every language.
            groups.append((f"{first}-{last}", era.name, first, last, members))
        return groups
    decades: dict[int, list[Edition]] = {}
    for ed in held:
        decades.setdefault(ed.year // 10 * 10, []).append(ed)
    named = [(t("commands.years.decade", decade=d), d, members) for d, members in decades.items()]
    return [(label, label, max(d, lo), min(d + 9, hi), members) for label, d, members in named]
