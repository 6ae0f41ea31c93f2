"""What each knowledge file may contain, declared once so the validator and the docs agree.

The schema is data, not code: a small tree of specs that the validator walks alongside the YAML
nodes. Keeping it declarative means a new field is one line here, and unknown keys (typos such
as ``winers:``) are caught everywhere without extra effort.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "int", "float", "date", "url", "slug", "enum", "list", "map", "tz"]


@dataclass(frozen=True)
class Spec:
    """One value's expected shape: its kind, whether it must be there, and what it contains."""

    kind: Kind
    required: bool = False
    item: Spec | None = None
    fields: dict[str, Spec] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    min_items: int = 0


def text(required: bool = False) -> Spec:
    return Spec("str", required)


def texts(required: bool = False, min_items: int = 0) -> Spec:
    return Spec("list", required, item=Spec("str", True), min_items=min_items)


def urls() -> Spec:
    return Spec("list", True, item=Spec("url", True))


def mapping(required: bool = False, **fields: Spec) -> Spec:
    return Spec("map", required, fields=fields)


def listing(item: Spec, required: bool = False, min_items: int = 0) -> Spec:
    return Spec("list", required, item=item, min_items=min_items)


def choice(*choices: str, required: bool = False) -> Spec:
    return Spec("enum", required, choices=choices)


CONFLICT = mapping(text=text(True), field=text())
CONFLICTS = listing(CONFLICT)

EVENT_KINDS = ("race", "rally", "tribute", "concours", "spin-off", "sponsorship")
STATUSES = ("held", "no-race", "scheduled", "cancelled")
REPORT_KINDS = ("report", "gallery", "preview", "results", "feature")

ERA = mapping(
    id=Spec("slug", True),
    name=text(True),
    start_year=Spec("int", True),
    end_year=Spec("int"),
    annual_from=Spec("int"),
    summary=text(True),
)

EVENT = mapping(
    id=Spec("slug", True),
    name=text(True),
    aliases=texts(),
    kind=choice(*EVENT_KINDS, required=True),
    parent=Spec("slug"),
    where=text(True),
    timezone=Spec("tz", True),
    since=text(True),
    organiser=text(),
    format=text(),
    eligibility=text(),
    summary=text(True),
    eras=listing(ERA),
    notes=texts(),
    conflicts=CONFLICTS,
    sources=urls(),
)

CREW = mapping(
    driver=text(True),
    co_driver=text(),
    car=text(),
    make=text(),
    note=text(),
)

EDITION = mapping(
    year=Spec("int", True),
    status=choice(*STATUSES, required=True),
    era=Spec("slug"),
    number=Spec("int"),
    number_note=text(),
    name=text(),
    start=Spec("date"),
    end=Spec("date"),
    dates_note=text(),
    reason=text(),
    winners=listing(CREW),
    winners_note=text(),
    winning_time=text(),
    average_speed=text(),
    distance_km=Spec("float"),
    distance_note=text(),
    route=texts(),
    route_note=text(),
    applications=Spec("int"),
    entries=Spec("int"),
    starters=Spec("int"),
    finishers=Spec("int"),
    field_note=text(),
    timed_trials=Spec("int"),
    podium=texts(),
    notes=texts(),
    conflicts=CONFLICTS,
    sources=urls(),
)

# Conflicts may name any edition field, plus "dates" for start/end together and "co_driver"
# or "car" for the winning crew.
CONFLICT_FIELDS = frozenset(EDITION.fields) | {"dates", "co_driver", "car", "make", "field"}

REPORT = mapping(
    id=Spec("slug", True),
    title=text(True),
    site=text(True),
    url=Spec("url"),
    author=text(),
    photos_by=text(),
    car_pictured=text(),
    event=Spec("slug", True),
    year=Spec("int", True),
    kind=choice(*REPORT_KINDS, required=True),
    summary=text(True),
    corroboration=text(),
    sources=urls(),
)

FACT = mapping(
    id=Spec("slug", True),
    topic=Spec("slug", True),
    question=text(True),
    phrasings=mapping(
        True,
        en=texts(True, min_items=1),
        it=texts(True, min_items=1),
    ),
    answer=text(True),
    about=mapping(
        events=listing(Spec("slug", True)),
        editions=texts(),
        people=listing(Spec("slug", True)),
        reports=listing(Spec("slug", True)),
    ),
    conflicts=CONFLICTS,
    sources=urls(),
)

PERSON = mapping(
    id=Spec("slug", True),
    name=text(True),
    aliases=texts(),
    role=text(True),
    summary=text(True),
    sources=urls(),
)

PLACE = mapping(
    name=text(True),
    aliases=texts(),
    lat=Spec("float"),
    lon=Spec("float"),
    source=Spec("url"),
    note=text(),
    no_coordinates=text(),
)

# The top level of each kind of file. Which kind a file is follows from its path.
FILES: dict[str, Spec] = {
    "events": mapping(True, events=listing(EVENT, True, min_items=1)),
    "editions": mapping(True, event=Spec("slug", True), editions=listing(EDITION, True)),
    "reports": mapping(True, reports=listing(REPORT, True)),
    "facts": mapping(True, facts=listing(FACT, True)),
    "people": mapping(True, people=listing(PERSON, True)),
    "places": mapping(True, places=listing(PLACE, True)),
}

MIN_PHRASINGS = 3


def file_kind(relative_path: str) -> str | None:
    """Map a path inside ``knowledge/`` to the kind of file it must be, or None if unexpected."""
    parts = relative_path.split("/")
    if len(parts) == 1:
        stem = parts[0].removesuffix(".yaml")
        return stem if stem in ("events", "reports", "people", "places") else None
    if len(parts) == 2 and parts[0] in ("editions", "facts"):
        return parts[0]
    return None
