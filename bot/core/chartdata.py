"""The figures behind /chart: read from the knowledge exactly as the text answers show them.

A chart must never say something the text answer contradicts, so each series takes the value
the edition's field holds (the one the card prints) and records which years the sources
disagree on, for the caption to say so. Nothing here draws: the numbers are testable alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.core.events import DEFAULT_EVENT
from bot.core.model import Edition, Knowledge, Status

KM_PER_MILE = 1.609344
# The fact that names the outright record: the chart marks the edition it is about, as the
# text answer does, rather than the fastest figure (1940 ran 9 laps of a closed triangle).
RECORD_FACT = "outright-record"
CHARTS = ("speeds", "fields", "makes")
SPEED_ERA = "speed"
REVIVAL_ERA = "revival"
# The leading figure of an average speed as the knowledge writes it: "157.65 km/h (...)".
# Italian knowledge writes "157,65 km/h": the decimal comma is read too.
_SPEED = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|mph)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Point:
    """One year's value, with how it was read (converted from mph) and whether sources differ."""

    year: int
    value: float
    converted: bool = False
    disputed: bool = False


@dataclass(frozen=True)
class Series:
    """A named run of points (an era), for one line or one group of bars."""

    era: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class ChartData:
    """What a chart shows and what its caption must admit."""

    name: str
    series: tuple[Series, ...]
    missing: tuple[int, ...] = ()  # years in range with no figure in the knowledge
    record: Edition | None = None  # the speed record to mark
    makes: tuple[tuple[str, Counter[str]], ...] = field(default=())  # era -> wins per make
    names: tuple[tuple[int, str], ...] = ()  # year -> the edition's own name, where it has one

    @property
    def disputed(self) -> tuple[int, ...]:
        return tuple(sorted({p.year for s in self.series for p in s.points if p.disputed}))

    def point(self, year: int) -> Point | None:
        return next((p for s in self.series for p in s.points if p.year == year), None)

    @property
    def faster_than_record(self) -> tuple[Point, ...]:
        """Years faster than the record: another course (1940's closed circuit)."""
        best = self.point(self.record.year) if self.record else None
        if best is None:
            return ()
        return tuple(p for s in self.series for p in s.points if p.value > best.value)

    @property
    def converted(self) -> tuple[int, ...]:
        return tuple(sorted({p.year for s in self.series for p in s.points if p.converted}))


def speed_kmh(text: str | None) -> tuple[float, bool] | None:
    """The km/h figure that leads an ``average_speed`` text, and whether it was given in mph."""
    match = _SPEED.match(text or "")
    if match is None:
        return None
    value = float(match[1].replace(",", "."))
    if match[2].lower() == "mph":
        return value * KM_PER_MILE, True
    return value, False


def _held(knowledge: Knowledge, era: str) -> list[Edition]:
    return [
        e for e in knowledge.editions_of(DEFAULT_EVENT) if e.era == era and e.status is Status.HELD
    ]


def speeds(knowledge: Knowledge) -> ChartData:
    """The winners' average speed per year of the speed race; the fastest is the record."""
    points: list[Point] = []
    missing: list[int] = []
    names = tuple((ed.year, ed.name) for ed in _held(knowledge, SPEED_ERA) if ed.name)
    for ed in _held(knowledge, SPEED_ERA):
        read = speed_kmh(ed.average_speed)
        if read is None:
            missing.append(ed.year)
            continue
        value, converted = read
        disputed = bool(ed.conflicts_for("average_speed"))
        points.append(Point(ed.year, value, converted, disputed))
    return ChartData(
        "speeds",
        (Series(SPEED_ERA, tuple(points)),),
        missing=tuple(missing),
        record=record_edition(knowledge),
        names=names,
    )


def record_edition(knowledge: Knowledge) -> Edition | None:
    """The edition the record fact is about (Moss and Jenkinson, 1955), if the knowledge says."""
    fact = next((f for f in knowledge.facts if f.id == RECORD_FACT), None)
    for key in fact.editions if fact else ():
        event, _, year = key.partition("/")
        if year.isdigit() and (edition := knowledge.edition(event, int(year))) is not None:
            return edition
    return None


def fields(knowledge: Knowledge) -> ChartData:
    """Starters per year, the speed race and the revival apart."""
    series = []
    missing: list[int] = []
    for era in (SPEED_ERA, REVIVAL_ERA):
        points = []
        for ed in _held(knowledge, era):
            if ed.starters is None:
                missing.append(ed.year)
                continue
            disputed = bool(ed.conflicts_for("starters", "field"))
            points.append(Point(ed.year, float(ed.starters), disputed=disputed))
        series.append(Series(era, tuple(points)))
    return ChartData("fields", tuple(series), missing=tuple(missing))


def makes(knowledge: Knowledge) -> ChartData:
    """Wins by make per era, counted as the "most successful make" answer counts them.

    A make counts once per edition even when two crews of it share a win.
    """
    per_era = []
    missing: list[int] = []
    for era in (SPEED_ERA, REVIVAL_ERA):
        counts: Counter[str] = Counter()
        for ed in _held(knowledge, era):
            names = dict.fromkeys(c.make for c in ed.winners if c.make)
            if not names:
                missing.append(ed.year)
            counts.update(names.keys())
        per_era.append((era, counts))
    return ChartData("makes", (), missing=tuple(missing), makes=tuple(per_era))


def chart_data(knowledge: Knowledge, name: str) -> ChartData:
    return {"speeds": speeds, "fields": fields, "makes": makes}[name](knowledge)
