"""How dates, crews and figures read in an answer (English; Italian comes from the catalogue)."""

from __future__ import annotations

from datetime import date

from bot.core.i18n import current
from bot.core.model import Crew, Edition, Event


def month(number: int) -> str:
    """The month's name in the language of the reply being built ('June', 'giugno')."""
    return current().words("dates.months")[number - 1]


def date_range(start: date, end: date) -> str:
    """'26-27 March 1927', '30 April - 1 May 1955', '31 December 2023 - 2 January 2024'."""
    if start == end:
        return f"{start.day} {month(start.month)} {start.year}"
    if start.year != end.year:
        return (
            f"{start.day} {month(start.month)} {start.year} - "
            f"{end.day} {month(end.month)} {end.year}"
        )
    if start.month != end.month:
        return f"{start.day} {month(start.month)} - {end.day} {month(end.month)} {end.year}"
    return f"{start.day}-{end.day} {month(end.month)} {end.year}"


def edition_dates(ed: Edition) -> str | None:
    if ed.start and ed.end:
        return date_range(ed.start, ed.end)
    return ed.dates_note


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def crew_names(crew: Crew) -> str:
    return f"{crew.driver} and {crew.co_driver}" if crew.co_driver else crew.driver


def crew_text(crew: Crew, with_car: bool = True) -> str:
    """'Rudolf Caracciola and Wilhelm Sebastian in a Mercedes-Benz SSKL'."""
    text = crew_names(crew)
    if not crew.co_driver and crew.note and "solo" in crew.note.lower():
        text += " (solo)"
    if with_car and crew.car:
        text += f" in {article(crew.car)} {crew.car}"
    return text


def article(noun: str) -> str:
    first = noun.strip()[:1].lower()
    if noun.upper().startswith(("OM ", "F8", "F12", "AC ")) or noun.upper() == "OM":
        return "an"
    return "an" if first in "aeio" else "a"


def edition_label(event: Event, ed: Edition) -> str:
    """'The 1931 Mille Miglia' / 'The 2014 California Mille'."""
    return f"the {ed.year} {event.name}"


def edition_title(event: Event, ed: Edition) -> str:
    parts = [f"{event.name} {ed.year}"]
    if ed.name:
        parts.append(ed.name)
    elif ed.number:
        era = "revival " if ed.era == "revival" else ""
        parts.append(f"{ordinal(ed.number)} {era}edition")
    return " - ".join(parts)


def km(value: float) -> str:
    return f"{value:,.0f} km" if value == int(value) else f"{value:,.1f} km"


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def year_list(years: list[int]) -> str:
    """'1939, 1941-1946': consecutive years folded into ranges."""
    ranges: list[list[int]] = []
    for y in sorted(years):
        if ranges and y == ranges[-1][-1] + 1:
            ranges[-1].append(y)
        else:
            ranges.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in ranges)
