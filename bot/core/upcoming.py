"""``/next`` and "latest": which edition comes next, seen from a given moment in the event's zone.

The clock is always passed in. An edition is "next" until it has finished and "under way"
while it runs; dates are calendar days in the event's own time zone (Europe/Rome for the
Mille Miglia), so a user in Tokyo and one in Brescia get the same answer at the same instant.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.formatting import crew_names, date_range, edition_dates, ordinal, the_edition
from bot.core.i18n import t
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
    when = t("answers.next.tomorrow") if days == 1 else t("answers.next.in_days", days=days)
    number = t("answers.next.number", ordinal=ordinal(ed.number)) if ed.number else ""
    return t(
        "answers.next.countdown",
        name=event.name,
        year=ed.year,
        number=number,
        dates=date_range(ed.start, ed.end),
        when=when,
    )


def under_way_line(event: Event, ed: Edition, today: date) -> str:
    assert ed.start is not None and ed.end is not None
    return t(
        "answers.next.under_way",
        edition=the_edition(event, ed, "edition_cap"),
        day=(today - ed.start).days + 1,
        total=(ed.end - ed.start).days + 1,
        dates=date_range(ed.start, ed.end),
    )


def latest_line(event: Event, ed: Edition) -> str:
    number = t("answers.latest.number", ordinal=ordinal(ed.number)) if ed.number else ""
    when = (edition_dates(ed) or "").rstrip(".")
    dates = t("answers.latest.dates", dates=when) if when else ""
    if ed.winners:
        result = t("answers.latest.won_by", names=crew_names(ed.winners[0]))
    else:
        result = t("answers.latest.no_result")
    return t(
        "answers.latest.line",
        name=event.name,
        year=ed.year,
        number=number,
        dates=dates,
        result=result,
    )
