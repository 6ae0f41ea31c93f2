"""``/next`` and "latest": which edition comes next, seen from a given moment in the event's zone.

The clock is always passed in. An edition is "next" until it has finished and "under way"
while it runs; dates are calendar days in the event's own time zone (Europe/Rome for the
Mille Miglia), so a user in Tokyo and one in Brescia get the same answer at the same instant.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.formatting import date_range, edition_dates, ordinal
from bot.core.model import Edition, Event, Status


def local_today(event: Event, now: datetime) -> date:
    """Today's date where the event happens (a naive ``now`` is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(ZoneInfo(event.timezone)).date()


def running(editions: list[Edition], today: date) -> Edition | None:
    return next(
        (e for e in editions if e.start and e.end and e.start <= today <= e.end),
        None,
    )


def upcoming(editions: list[Edition], today: date) -> Edition | None:
    """The first edition that has not started yet (with dates, or announced for a later year)."""
    future = [
        e
        for e in editions
        if e.status in (Status.SCHEDULED, Status.HELD)
        and ((e.start and e.start > today) or (not e.start and e.year > today.year))
    ]
    return min(future, key=lambda e: (e.year, e.start or date.max), default=None)


def latest(editions: list[Edition], today: date) -> Edition | None:
    """The most recent edition that has finished (or whose year is over)."""
    past = [
        e
        for e in editions
        if e.status in (Status.HELD, Status.SCHEDULED)
        and ((e.end and e.end < today) or (not e.end and e.year < today.year))
    ]
    return max(past, key=lambda e: (e.year, e.end or date.min), default=None)


def countdown_line(event: Event, ed: Edition, today: date) -> str:
    assert ed.start is not None and ed.end is not None
    days = (ed.start - today).days
    when = "tomorrow" if days == 1 else f"in {days} days"
    number = f" ({ordinal(ed.number)} edition)" if ed.number else ""
    return (
        f"The next {event.name} is the {ed.year} edition{number}: "
        f"{date_range(ed.start, ed.end)}, starting {when}."
    )


def under_way_line(event: Event, ed: Edition, today: date) -> str:
    assert ed.start is not None and ed.end is not None
    day = (today - ed.start).days + 1
    total = (ed.end - ed.start).days + 1
    return (
        f"The {ed.year} {event.name} is under way: today is day {day} of {total} "
        f"({date_range(ed.start, ed.end)})."
    )


def latest_line(event: Event, ed: Edition) -> str:
    number = f" (the {ordinal(ed.number)})" if ed.number else ""
    when = (edition_dates(ed) or "").rstrip(".")
    dates = f", {when}" if when else ""
    if ed.winners:
        crew = ed.winners[0]
        names = f"{crew.driver} and {crew.co_driver}" if crew.co_driver else crew.driver
        result = f"; won by {names}"
    else:
        result = "; its result is not in my sources yet"
    return f"The latest {event.name} was the {ed.year} edition{number}{dates}{result}."
