"""Reminders for subscribed chats: when they are due and what they say (no Telegram here).

A subscribed chat hears about an edition 30, 7 and 1 day before it starts and on the morning of
each of its days, always at ``REMINDER_TIME`` on the calendar of the event's own time zone
(Europe/Rome for the Mille Miglia), so a subscriber in Tokyo and one in Brescia get the same
message at the same instant; every time shown names its zone. The clock is passed in: the
schedule of a given knowledge base at a given moment is a pure function of the two.

When a reload announces an edition's dates or changes them, ``date_changes`` says which, so
subscribers get a note. A day's reminder names that day's leg when the knowledge has the
edition's ``legs``; otherwise it gives the whole route and says that the stages are missing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.i18n import current, t
from bot.core.legs import leg_text
from bot.core.model import Edition, Event, Knowledge, Status
from bot.core.upcoming import local_today

REMINDER_TIME = time(9, 0)  # local time of the event, every reminder
LEADS: tuple[tuple[Literal["30d", "7d", "1d"], int], ...] = (("30d", 30), ("7d", 7), ("1d", 1))
MAX_DAYS = 31  # an edition longer than this is a data slip: remind on its first month only
REMINDED = (Status.SCHEDULED, Status.HELD)  # no reminders for a cancelled edition

Kind = Literal["30d", "7d", "1d", "day"]


@dataclass(frozen=True)
class Reminder:
    """One message due to every subscriber of an event at ``at`` (aware, in the event's zone).

    ``day_index`` is the day of the event (1 = the start) for ``day`` reminders, 0 before it.
    """

    edition_key: str
    kind: Kind
    day_index: int
    at: datetime

    @property
    def event(self) -> str:
        return self.edition_key.rsplit("/", 1)[0]

    @property
    def key(self) -> str:
        """Names this reminder for "already sent": its edition, kind and local date.

        A change of dates gives new keys, so the reminders of the new dates are sent too.
        """
        return f"{self.edition_key}:{self.kind}:{self.at.date().isoformat()}"


@dataclass(frozen=True)
class Change:
    """An edition whose dates a reload announced (``old_start`` None) or changed."""

    edition_key: str
    event: str
    year: int
    start: date
    end: date
    old_start: date | None = None
    old_end: date | None = None

    @property
    def announced(self) -> bool:
        return self.old_start is None


def zone_of(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def _aware(now: datetime) -> datetime:
    """A naive ``now`` is UTC, as everywhere in the core."""
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now


def span(ed: Edition) -> tuple[date, date] | None:
    """The first and last day of an edition that can be reminded of, or None without dates."""
    if ed.status not in REMINDED or ed.start is None:
        return None
    end = ed.end if ed.end is not None and ed.end >= ed.start else ed.start
    return ed.start, min(end, ed.start + timedelta(days=MAX_DAYS - 1))


def reminders_for(ed: Edition, event: Event, now: datetime) -> list[Reminder]:
    """The reminders of one edition still due after ``now`` (strictly), earliest first."""
    days = span(ed)
    if days is None:
        return []
    start, end = days
    zone = zone_of(event)

    def at(day: date) -> datetime:
        return datetime.combine(day, REMINDER_TIME, tzinfo=zone)

    due = [Reminder(ed.key, kind, 0, at(start - timedelta(days=lead))) for kind, lead in LEADS]
    total = (end - start).days + 1
    due += [Reminder(ed.key, "day", n + 1, at(start + timedelta(days=n))) for n in range(total)]
    moment = _aware(now)
    return [r for r in due if r.at > moment]


def owed(reminder: Reminder, subscribed: datetime) -> bool:
    """Whether a chat subscribed at ``subscribed`` gets ``reminder``: only if its time came
    after the subscription. A catch-up of a reminder that was due before the chat subscribed
    would contradict the "next reminder" the /subscribe reply promised."""
    return reminder.at >= _aware(subscribed)


def due_reminders(knowledge: Knowledge, event_id: str, now: datetime) -> list[Reminder]:
    """Every reminder still due after ``now`` for the editions of one event, earliest first."""
    event = next((e for e in knowledge.events if e.id == event_id), None)
    if event is None:
        return []
    due = [r for ed in knowledge.editions_of(event_id) for r in reminders_for(ed, event, now)]
    return sorted(due, key=lambda r: (r.at, r.key))


def edition_at(knowledge: Knowledge, key: str) -> Edition | None:
    return next((ed for ed in knowledge.editions if ed.key == key), None)


def next_reminder(knowledge: Knowledge, event_id: str, now: datetime) -> Reminder | None:
    due = due_reminders(knowledge, event_id, now)
    return due[0] if due else None


def date_changes(
    old: Knowledge, new: Knowledge, event_ids: Collection[str], now: datetime
) -> list[Change]:
    """Editions of these events whose dates ``new`` announces or changes compared with ``old``.

    Only editions that have not finished (in the event's zone) count: correcting the dates of
    a past edition is curation, not news for subscribers.
    """
    events = {e.id: e for e in new.events if e.id in event_ids}
    changes: list[Change] = []
    for ed in new.editions:
        event = events.get(ed.event)
        days = span(ed)
        if event is None or days is None or days[1] < local_today(event, _aware(now)):
            continue
        before = old.edition(ed.event, ed.year)
        old_days = span(before) if before is not None else None
        if old_days == days:
            continue
        old_start, old_end = old_days if old_days else (None, None)
        changes.append(Change(ed.key, ed.event, ed.year, *days, old_start, old_end))
    return sorted(changes, key=lambda c: (c.start, c.edition_key))


# ----------------------------------------------------------------- texts (current language)


def day_label(day: date) -> str:
    """'Tuesday 9 June 2026' / 'martedì 9 giugno 2026'."""
    return t(
        "reminders.date",
        weekday=current().words("dates.weekdays")[day.weekday()],
        day=day.day,
        month=fmt.month(day.month),
        year=day.year,
    )


def when_label(moment: datetime) -> str:
    """'Tuesday 12 May 2026 at 09:00 (Europe/Rome)': the zone is always named."""
    return t(
        "reminders.at",
        date=day_label(moment.date()),
        time=f"{moment:%H:%M}",
        zone=str(moment.tzinfo),
    )


def title_of(event: Event, ed: Edition) -> str:
    return f"{event.name} {ed.year}"


def reminder_text(reminder: Reminder, ed: Edition, event: Event) -> str:
    """What subscribers get for ``reminder``, in the current language (plain text)."""
    days = span(ed)
    assert days is not None, "reminders exist only for editions with dates"
    start, end = days
    common = {"title": title_of(event, ed), "zone": event.timezone}
    if reminder.kind == "day":
        head = t(
            "reminders.day",
            day=reminder.day_index,
            days=(end - start).days + 1,
            date=day_label(reminder.at.date()),
            **common,
        )
        return f"{head}\n{_day_tail(ed, reminder.at.date())}"
    dates = fmt.date_range(start, end)
    if reminder.kind == "1d":
        return t("reminders.tomorrow", start=day_label(start), dates=dates, **common)
    lead = dict(LEADS)[reminder.kind]
    return t("reminders.before", days=lead, start=day_label(start), dates=dates, **common)


def _day_tail(ed: Edition, day: date) -> str:
    """The day's leg when the knowledge has it (and the night's stop when a source names it);
    otherwise the whole route, saying that the daily stages are missing."""
    leg = ed.leg_on(day)
    if leg is not None:
        text = t("reminders.leg", leg=leg_text(leg))
        if leg.overnight:
            text += " " + t("reminders.overnight", place=leg.overnight)
        return text
    route = " - ".join(ed.route)
    return t("reminders.route", route=route) if route else t("reminders.no_stages")


def change_text(change: Change, event: Event) -> str:
    """The note about dates announced or changed, in the current language."""
    values = {
        "title": f"{event.name} {change.year}",
        "dates": fmt.date_range(change.start, change.end),
        "start": day_label(change.start),
        "zone": event.timezone,
    }
    if change.old_start is None or change.old_end is None:
        return t("reminders.announced", **values)
    return t(
        "reminders.changed", old_dates=fmt.date_range(change.old_start, change.old_end), **values
    )


def next_text(knowledge: Knowledge, event: Event, now: datetime) -> str:
    """When this event's next reminder comes, or that no dates are known yet."""
    reminder = next_reminder(knowledge, event.id, now)
    ed = edition_at(knowledge, reminder.edition_key) if reminder else None
    days = span(ed) if ed is not None else None
    if reminder is None or ed is None or days is None:
        return t("reminders.next_none", event=event.name)
    return t(
        "reminders.next",
        when=when_label(reminder.at),
        title=title_of(event, ed),
        dates=fmt.date_range(*days),
    )


def schedule_text(event: Event) -> str:
    """What a subscription brings, with the local time and its zone."""
    return t(
        "reminders.what",
        event=event.name,
        time=f"{REMINDER_TIME:%H:%M}",
        zone=event.timezone,
    )
