"""``/calendar`` and ``millebot calendar``: the known upcoming editions as an iCalendar file.

One all-day VEVENT per edition that has both dates and has not finished yet (``today`` is the
calendar day in each event's own time zone, as for ``/next``). The file is written by the
``icalendar`` package, which does RFC 5545 right (line folding at 75 octets, escaping of
commas, semicolons and newlines, ``VALUE=DATE``, CRLF), which is what calendar programs
(Google, Apple, Outlook, Thunderbird) need to import it cleanly.

- ``UID`` is ``<event>-<year>@millebot``: importing a newer file updates the edition in place
  instead of adding a second copy.
- ``DTEND`` is the day after the last day: the end of an all-day event is exclusive.
- ``DTSTAMP`` comes from the ``now`` passed in, never the wall clock, so a file is reproducible.
- A cancelled edition is kept, with ``STATUS:CANCELLED`` and "Cancelled:" in its title: for
  someone who imported an earlier file, the same UID then tells their calendar the edition is
  off; leaving it out would leave the stale entry standing.
- Editions announced without dates are in no file; the message says which they are.

Labels (calendar name, "Route", "Source", the edition number) come from the catalogue
(``locales/<lang>/calendar.yaml``); knowledge text (event names, towns) stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from icalendar import Calendar
from icalendar import Event as VEvent

from bot.core import formatting as fmt
from bot.core.events import EventNames
from bot.core.i18n import LANGUAGES, catalogue, current, t, using
from bot.core.model import Edition, Event, Knowledge, Status
from bot.core.reply import Draft, Kind, Reply
from bot.core.text import echoed
from bot.core.upcoming import latest, local_today

DEFAULT_EVENT = "mille-miglia"
PRODID = "-//Mille Miglia bot//millebot calendar//EN"
UID_DOMAIN = "millebot"
CAPTION_LINES = 12  # Telegram captions stop at 1024 characters: list this many, count the rest
LISTED = (Status.HELD, Status.SCHEDULED, Status.CANCELLED)  # a "no race" year has no dates


class Outcome(StrEnum):
    FILE = "file"  # at least one edition in the calendar
    EMPTY = "empty"  # a valid calendar with no event in it: nothing upcoming has dates
    WHICH = "which"  # the words fit several events
    USAGE = "usage"  # the words name no event


@dataclass(frozen=True)
class CalendarFile:
    """What ``/calendar`` and ``millebot calendar`` produce: the file and what to say about it.

    ``ics`` is a complete calendar for ``FILE`` and ``EMPTY`` and empty bytes otherwise;
    ``message`` is the caption of the file or the whole reply, in the language asked for.
    """

    outcome: Outcome
    ics: bytes
    filename: str
    message: str
    editions: tuple[Edition, ...] = ()
    undated: tuple[Edition, ...] = ()
    choices: tuple[Event, ...] = ()


class UnknownEvent(ValueError):
    """The words name no event."""


class AmbiguousEvent(ValueError):
    """The words fit several events equally well ("tribute")."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__(", ".join(e.id for e in events))
        self.events = events


def _language(lang: str | None) -> str:
    """``lang`` when given, else the language of the reply being built (English outside one)."""
    return lang if lang is not None else current().lang


# ----------------------------------------------------------------- choosing the events


def all_words() -> frozenset[str]:
    """The words for "every event", in any language (``all``, ``tutti``...)."""
    return frozenset(w.lower() for lang in LANGUAGES for w in catalogue(lang).words("calendar.all"))


def choose_events(knowledge: Knowledge, text: str) -> list[Event]:
    """The events ``text`` names (see ``EventNames``), or every event for ``all``.

    Raises ``UnknownEvent`` or ``AmbiguousEvent``.
    """
    words = " ".join(text.split())
    if words.lower() in all_words():
        return list(knowledge.events)
    found = EventNames(knowledge).resolve(words)
    if not found:
        raise UnknownEvent(words)
    if len(found) > 1:
        raise AmbiguousEvent(found)
    return found


# ----------------------------------------------------------------- which editions


def dated_upcoming(knowledge: Knowledge, events: Sequence[Event], now: datetime) -> list[Edition]:
    """Editions with both dates that have not finished (running ones included), by date."""
    chosen: list[Edition] = []
    for event in events:
        today = local_today(event, now)
        chosen.extend(
            e
            for e in knowledge.editions_of(event.id)
            if e.status in LISTED and e.start and e.end and e.end >= today
        )
    order = {e.id: n for n, e in enumerate(events)}
    return sorted(chosen, key=lambda e: (e.start or date.max, order[e.event]))


def undated_upcoming(knowledge: Knowledge, events: Sequence[Event], now: datetime) -> list[Edition]:
    """Editions announced for this year or later whose dates my sources do not give."""
    found: list[Edition] = []
    for event in events:
        year = local_today(event, now).year
        found.extend(
            e
            for e in knowledge.editions_of(event.id)
            if e.status is Status.SCHEDULED and not (e.start and e.end) and e.year >= year
        )
    return sorted(found, key=lambda e: (e.year, e.event))


# ----------------------------------------------------------------- the file


def build_calendar(
    knowledge: Knowledge, event_ids: list[str] | None, now: datetime, lang: str | None = None
) -> bytes:
    """The .ics for these events (None: the Mille Miglia; every id for all), as of ``now``.

    ``now`` gives each event's "today" (in its own time zone) and the ``DTSTAMP``. Unknown ids
    are ignored; with nothing upcoming the calendar is valid and has no event.
    """
    wanted = event_ids or [DEFAULT_EVENT]
    events = [e for e in knowledge.events if e.id in wanted]
    with using(_language(lang)):
        return _ics(events, dated_upcoming(knowledge, events, now), now, len(events) > 1)


def _ics(events: Sequence[Event], editions: Sequence[Edition], now: datetime, many: bool) -> bytes:
    by_id = {e.id: e for e in events}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if many or not events:
        name = t("calendar.name_all")
        about = t("calendar.about_all")
    else:
        name = t("calendar.name_one", event=events[0].name)
        about = t("calendar.about_one", event=events[0].name)
    cal.add("x-wr-calname", name)  # the name Google, Apple and Outlook show
    cal.add("x-wr-caldesc", about)
    stamp = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    for ed in editions:
        cal.add_component(_vevent(by_id[ed.event], ed, stamp))
    ics: bytes = cal.to_ical()  # CRLF line ends, folded at 75 octets
    return ics


def _vevent(event: Event, ed: Edition, stamp: datetime) -> VEvent:
    assert ed.start is not None and ed.end is not None
    vevent = VEvent()
    vevent.add("uid", uid(ed))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", ed.start)  # a date, not a datetime: VALUE=DATE, an all-day event
    vevent.add("dtend", ed.end + timedelta(days=1))  # exclusive: the day after the last
    summary = summary_of(event, ed)
    if ed.status is Status.CANCELLED:
        summary = t("calendar.cancelled_summary", summary=summary)
    vevent.add("summary", summary)
    vevent.add("location", location_of(event, ed))
    link = link_of(event, ed)
    if link:
        vevent.add("url", link)
    vevent.add("description", description_of(ed, link))
    vevent.add("status", "CANCELLED" if ed.status is Status.CANCELLED else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")  # watching a rally does not make anyone busy
    return vevent


def uid(ed: Edition) -> str:
    """Stable per edition, so a re-import updates instead of duplicating."""
    return f"{ed.event}-{ed.year}@{UID_DOMAIN}"


def summary_of(event: Event, ed: Edition) -> str:
    """'Mille Miglia 2026 - 44th revival edition', or the edition's own name when it has one."""
    title = f"{event.name} {ed.year}"
    if ed.name:
        return f"{title} - {ed.name}"
    if ed.number:
        key = "calendar.number_revival" if ed.era == "revival" else "calendar.number"
        return f"{title} - {t(key, ordinal=ordinal(ed.number))}"
    return title


def ordinal(n: int) -> str:
    """'44th' in English, '44ª' in Italian: the suffixes are catalogue data."""
    suffixes = current().words("calendar.ordinal_suffixes")
    last = 0 if 10 <= n % 100 <= 20 else n % 10
    return f"{n}{suffixes[last if last <= 3 else 0]}"


def location_of(event: Event, ed: Edition) -> str:
    """The start and finish of this edition's route when known, else where the event is."""
    if ed.route:
        first, last = ed.route[0], ed.route[-1]
        return first if first == last else f"{first} - {last}"
    return event.where


def link_of(event: Event, ed: Edition) -> str | None:
    """The edition's first web source, else the event's."""
    return next((s for s in (*ed.sources, *event.sources) if s.startswith("http")), None)


def description_of(ed: Edition, link: str | None) -> str:
    lines = []
    if ed.route:
        lines.append(t("calendar.route", route=" - ".join(ed.route)))
    for conflict in ed.conflicts_for("dates", "start", "end"):
        lines.append(t("calendar.dates_differ", text=conflict.text))
    if link:
        lines.append(t("calendar.source", url=link))
    lines.append(t("calendar.from_bot"))
    return "\n".join(lines)


# ----------------------------------------------------------------- what to say


def calendar_for(
    knowledge: Knowledge,
    text: str,
    now: datetime,
    lang: str | None = None,
    how_to_pick: str = "/calendar",
) -> CalendarFile:
    """Everything ``/calendar TEXT`` and ``millebot calendar --event TEXT`` need.

    ``how_to_pick`` is how a user names one event when the words fit several ("/calendar",
    or "millebot calendar --event" in the console).
    """
    with using(_language(lang)):
        try:
            events = choose_events(knowledge, text)
        except AmbiguousEvent as err:
            choices = "\n".join(f"{how_to_pick} {e.id} ({e.name})" for e in err.events)
            return CalendarFile(
                Outcome.WHICH,
                b"",
                "",
                t("calendar.which", choices=choices),
                choices=tuple(err.events),
            )
        except UnknownEvent:
            return CalendarFile(
                Outcome.USAGE, b"", "", t("calendar.usage", command=how_to_pick, words=echoed(text))
            )
        many = len(events) > 1
        editions = dated_upcoming(knowledge, events, now)
        undated = undated_upcoming(knowledge, events, now)
        filename = "mille-miglia-all.ics" if many else f"{events[0].id}.ics"
        ics = _ics(events, editions, now, many)
        by_id = {e.id: e for e in events}
        lines = [_caption(by_id, editions)] if editions else _nothing(knowledge, events, now)
        if undated:
            names = ", ".join(f"{by_id[e.event].name} {e.year}" for e in undated)
            lines.append(t("calendar.undated", editions=names))
        return CalendarFile(
            Outcome.FILE if editions else Outcome.EMPTY,
            ics,
            filename,
            "\n".join(lines),
            tuple(editions),
            tuple(undated),
        )


def _when(event: Event, ed: Edition) -> str:
    assert ed.start is not None and ed.end is not None
    line = f"{event.name} {ed.year}, {fmt.date_range(ed.start, ed.end)}"
    if ed.status is Status.CANCELLED:
        line += f" ({t('calendar.cancelled')})"
    return line


def _caption(by_id: dict[str, Event], editions: list[Edition]) -> str:
    if len(editions) == 1:
        ed = editions[0]
        return t("calendar.caption_one", edition=_when(by_id[ed.event], ed))
    shown = [f"- {_when(by_id[e.event], e)}" for e in editions[:CAPTION_LINES]]
    if len(editions) > CAPTION_LINES:
        shown.append(t("calendar.and_more", n=len(editions) - CAPTION_LINES))
    return "\n".join([t("calendar.caption_other", n=len(editions)), *shown])


def _nothing(knowledge: Knowledge, events: list[Event], now: datetime) -> list[str]:
    """The honest reply when no edition ahead has dates: say so, and what came last."""
    if len(events) > 1:
        return [t("calendar.none_all")]
    event = events[0]
    line = t("calendar.none_one", event=event.name)
    last = latest(list(knowledge.editions_of(event.id)), local_today(event, now))
    if last is not None:
        dates = (fmt.edition_dates(last) or "").rstrip(".")
        when = t("calendar.latest_when", dates=dates) if dates else ""
        line += " " + t("calendar.latest", year=last.year, when=when)
    return [line]


def calendar_reply(
    knowledge: Knowledge, words: list[str], now: datetime, lang: str | None = None
) -> Reply:
    """``/calendar`` typed in the console (``millebot ask``): what the file would hold, as text.

    Telegram users get the file itself; the console says how to write it.
    """
    result = calendar_for(knowledge, " ".join(words), now, lang)
    kind = {
        Outcome.FILE: Kind.ANSWER,
        Outcome.EMPTY: Kind.UNKNOWN,
        Outcome.WHICH: Kind.CLARIFY,
        Outcome.USAGE: Kind.UNKNOWN,
    }[result.outcome]
    with using(_language(lang)):
        lines = [result.message]
        if result.outcome is Outcome.FILE:
            lines.append(t("calendar.console_hint"))
        draft = Draft(100.0 if kind is Kind.ANSWER else 0.0, kind, lines=lines, topic="calendar")
        draft.suggestions = [f"/calendar {e.id}" for e in result.choices]
        return draft.finish()
