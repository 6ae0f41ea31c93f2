"""Past is past: an edition whose dates are over is told in the past tense, never "scheduled".

The knowledge records an announced edition with ``status: scheduled`` and keeps it so until an
editor adds its result; the clock moves on regardless. Seen from a day after its last one
(in the event's zone, the answerer's ``today``), such an edition "was held", and the reply
says its result is not in the sources yet. An edition announced without dates is over once
its year is. Texts: the ``tense`` catalogue.
"""

from __future__ import annotations

from datetime import date

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.model import Edition, Event, Status


def is_over(ed: Edition, today: date | None) -> bool:
    """Whether an edition's last day (or, without dates, its year) is before ``today``."""
    if today is None:
        return False
    last = ed.end or ed.start
    if last is not None:
        return last < today
    return ed.year < today.year


def is_past_scheduled(ed: Edition, today: date | None) -> bool:
    """An edition still recorded as scheduled whose dates are over: it must not be "scheduled"."""
    return ed.status is Status.SCHEDULED and is_over(ed, today)


def summary(event: Event, ed: Edition) -> str:
    """'The 2026 Mille Miglia was held 9-13 June 2026; its result is not in my sources yet.'"""
    edition = fmt.the_edition(event, ed, "edition_cap")
    when = fmt.when(ed) if ed.start and ed.end else None
    if when:
        return t("tense.was_held", edition=edition, when=when)
    return t("tense.was_announced", edition=edition, year=ed.year)


def status_line(ed: Edition, today: date | None) -> str:
    """The card's status line of a scheduled edition, in the tense the clock calls for."""
    if is_over(ed, today):
        return t("tense.status_over")
    return t("answers.labels.status_scheduled")


def status_note(ed: Edition, today: date | None) -> str:
    """The note after a year in a list: ' (scheduled)', or ' (no result yet)' once it is over."""
    if ed.status is Status.SCHEDULED:
        key = "tense.note_over" if is_over(ed, today) else "commands.status.scheduled"
        return f" ({t(key)})"
    if ed.status is Status.CANCELLED:
        return f" ({t('commands.status.cancelled')})"
    return ""
