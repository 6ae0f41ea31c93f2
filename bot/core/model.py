"""The validated knowledge model: what the YAML files mean once they have been checked.

Everything here is frozen so that a loaded knowledge base can be shared between concurrent
answers and swapped atomically on reload without anyone mutating it underneath a reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from bot.core.text import fold

# The Italian versions of an item's texts, as (field, text) pairs: ``(("summary", "..."),)``.
# Kept beside the English so the model stays one object per item; ``localise`` builds the
# Italian view from them.
Italian = tuple[tuple[str, str | tuple[str, ...]], ...]


class Status(StrEnum):
    """Whether an edition ran; a year with no race is recorded, not left out."""

    HELD = "held"
    NO_RACE = "no-race"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Conflict:
    """Sources that disagree, kept side by side instead of silently picking one."""

    text: str
    field: str | None = None
    italian: Italian = ()


@dataclass(frozen=True)
class Era:
    """A period of an event with its own format (the speed race, the rally years, the revival)."""

    id: str
    name: str
    start_year: int
    end_year: int | None
    summary: str
    annual_from: int | None = None
    italian: Italian = ()


@dataclass(frozen=True)
class Event:
    """A rally or race: the Mille Miglia itself or one of its sister events and spin-offs."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    where: str
    timezone: str
    since: str
    organiser: str | None
    format: str | None
    eligibility: str | None
    summary: str
    parent: str | None = None
    eras: tuple[Era, ...] = ()
    notes: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    sources: tuple[str, ...] = ()
    italian: Italian = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Crew:
    """A winning crew: driver, co-driver (None when solo or unknown) and car."""

    driver: str
    co_driver: str | None = None
    car: str | None = None
    make: str | None = None
    note: str | None = None
    italian: Italian = ()


@dataclass(frozen=True)
class Leg:
    """One day of an edition's route as its sources give it: where it starts, passes and ends.

    ``start`` is the YAML key ``from`` (a Python keyword). ``overnight`` is set only when a
    source names the night's stop: a leg's finish is not assumed to be where crews sleep.
    """

    day: int
    date: date
    to: str
    start: str | None = None
    via: tuple[str, ...] = ()
    overnight: str | None = None
    note: str | None = None
    sources: tuple[str, ...] = ()
    line: int = 0
    italian: Italian = ()

    @property
    def places(self) -> tuple[str, ...]:
        """Every place the leg names, in order (start, the places passed, finish)."""
        return (*((self.start,) if self.start else ()), *self.via, self.to)


@dataclass(frozen=True)
class Edition:
    """One running of an event in one year, with whatever the sources say about it."""

    event: str
    year: int
    status: Status
    era: str | None = None
    number: int | None = None
    number_note: str | None = None
    name: str | None = None
    start: date | None = None
    end: date | None = None
    dates_note: str | None = None
    reason: str | None = None
    winners: tuple[Crew, ...] = ()
    winners_note: str | None = None
    winning_time: str | None = None
    average_speed: str | None = None
    distance_km: float | None = None
    distance_note: str | None = None
    route: tuple[str, ...] = ()
    route_note: str | None = None
    legs: tuple[Leg, ...] = ()
    applications: int | None = None
    entries: int | None = None
    starters: int | None = None
    finishers: int | None = None
    field_note: str | None = None
    timed_trials: int | None = None
    podium: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    sources: tuple[str, ...] = ()
    italian: Italian = ()
    file: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        """The reference other files use for this edition: ``event/year``."""
        return f"{self.event}/{self.year}"

    def conflicts_for(self, *fields: str) -> tuple[Conflict, ...]:
        """Disagreements that concern these fields, so an answer about them can mention them."""
        return tuple(c for c in self.conflicts if c.field in fields)

    def leg_on(self, day: date) -> Leg | None:
        """The leg run on ``day`` (a calendar day in the event's zone), if the sources give it."""
        return next((leg for leg in self.legs if leg.date == day), None)


@dataclass(frozen=True)
class Report:
    """A news report of the seed page: the coverage an answer links to."""

    id: str
    title: str
    site: str
    event: str
    year: int
    kind: str
    summary: str
    url: str | None = None
    author: str | None = None
    photos_by: str | None = None
    car_pictured: str | None = None
    corroboration: str | None = None
    sources: tuple[str, ...] = ()
    italian: Italian = ()
    file: str = ""
    line: int = 0

    @property
    def edition_key(self) -> str:
        return f"{self.event}/{self.year}"


@dataclass(frozen=True)
class Person:
    """Someone users ask about by name or nickname: founders, record holders, organisers."""

    id: str
    name: str
    aliases: tuple[str, ...]
    role: str
    summary: str
    sources: tuple[str, ...] = ()
    italian: Italian = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Place:
    """A town with its names in English and Italian, so Rome and Roma are one place.

    ``lat``/``lon`` come from a gazetteer (``source``) so that a route can be drawn; a place a
    route names but the gazetteer does not have keeps ``no_coordinates`` (why), never a guess.
    """

    name: str
    aliases: tuple[str, ...]
    italian: Italian = ()
    lat: float | None = None
    lon: float | None = None
    source: str | None = None
    note: str | None = None
    no_coordinates: str | None = None
    file: str = ""
    line: int = 0

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Fact:
    """A piece of knowledge that is not a field of an edition, asked in many ways."""

    id: str
    topic: str
    question: str
    phrasings_en: tuple[str, ...]
    phrasings_it: tuple[str, ...]
    answer: str
    events: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    sources: tuple[str, ...] = ()
    italian: Italian = ()
    file: str = ""
    line: int = 0
    leaves_open: tuple[str, ...] = ()  # fields it says are not known yet ("no dates found")

    @property
    def phrasings(self) -> tuple[str, ...]:
        return self.phrasings_en + self.phrasings_it


@dataclass(frozen=True)
class Knowledge:
    """Everything the bot knows, validated; built once per load and never mutated."""

    events: tuple[Event, ...] = ()
    editions: tuple[Edition, ...] = ()
    reports: tuple[Report, ...] = ()
    facts: tuple[Fact, ...] = ()
    people: tuple[Person, ...] = ()
    places: tuple[Place, ...] = ()
    digest: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def editions_of(self, event_id: str) -> tuple[Edition, ...]:
        return tuple(
            sorted((e for e in self.editions if e.event == event_id), key=lambda e: e.year)
        )

    def place_named(self, name: str) -> Place | None:
        """The place a route entry names (by name or alias, case and accents aside), if any."""
        return self._places_by_name.get(fold(name))

    @cached_property
    def _places_by_name(self) -> dict[str, Place]:
        """Every place under each of its folded names, built once (routes ask thousands)."""
        found: dict[str, Place] = {}
        for place in self.places:
            for name in (place.name, *place.aliases):
                found.setdefault(fold(name), place)
        return found

    def edition(self, event_id: str, year: int) -> Edition | None:
        return next((e for e in self.editions if e.event == event_id and e.year == year), None)
