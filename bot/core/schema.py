"""What each knowledge file may contain, declared once so the validator and the docs agree.

The schema is data, not code: a small tree of specs that the validator walks alongside the YAML
nodes. Keeping it declarative means a new field is one line here, and unknown keys (typos such
as ``winers:``) are caught everywhere without extra effort.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    # Fields whose Italian version (``<field>_it``) must be there whenever the field is.
    italian: tuple[str, ...] = ()


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


ITALIAN_SUFFIX = "_it"


def bilingual(spec: Spec, prose: tuple[str, ...], figures: tuple[str, ...] = ()) -> Spec:
    """``spec`` with an Italian sibling ``<field>_it`` beside each text a reply shows.

    ``prose`` fields must have their Italian version (the validator says so when one is
    missing); ``figures`` (times, speeds, "1927") may have one when they hold words, and are
    otherwise shown with Italian number separators.
    """
    fields = dict(spec.fields)
    for name in (*prose, *figures):
        fields[name + ITALIAN_SUFFIX] = replace(spec.fields[name], required=False)
    return replace(spec, fields=fields, italian=prose)


CONFLICT = bilingual(mapping(text=text(True), field=text()), ("text",))
CONFLICTS = listing(CONFLICT)

EVENT_KINDS = ("race", "rally", "tribute", "concours", "spin-off", "sponsorship")
STATUSES = ("held", "no-race", "scheduled", "cancelled")
REPORT_KINDS = ("report", "gallery", "preview", "results", "feature")

ERA = bilingual(
    mapping(
        id=Spec("slug", True),
        name=text(True),
        start_year=Spec("int", True),
        end_year=Spec("int"),
        annual_from=Spec("int"),
        summary=text(True),
    ),
    ("name", "summary"),
)

EVENT_TEXTS = ("where", "organiser", "format", "eligibility", "summary", "notes")

EVENT = bilingual(
    mapping(
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
    ),
    EVENT_TEXTS,
    ("since",),
)

# A car's name may hold a description in words ("aerodynamic Touring-bodied coupe"): car_it.
# A crew's note is a text replies show ("crew from Germany", "solo"): note_it.
CREW = bilingual(
    mapping(
        driver=text(True),
        co_driver=text(),
        car=text(),
        make=text(),
        note=text(),
    ),
    ("note",),
    ("car",),
)

# One day of an edition's route ("legs:"); "from" is a YAML key, not Python. Its towns are
# named in Italian through places.yaml; its note is a text replies show: note_it.
LEG = bilingual(
    Spec(
        "map",
        fields={
            "day": Spec("int", True),
            "date": Spec("date", True),
            "from": text(),
            "via": texts(),
            "to": text(True),
            "overnight": text(),
            "note": text(),
            "sources": urls(),
        },
    ),
    ("note",),
)

EDITION_TEXTS = (
    "number_note",
    "dates_note",
    "reason",
    "winners_note",
    "distance_note",
    "route_note",
    "field_note",
    "podium",
    "notes",
)
EDITION_FIGURES = ("winning_time", "average_speed")

EDITION = bilingual(
    mapping(
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
        legs=listing(LEG),
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
    ),
    EDITION_TEXTS,
    EDITION_FIGURES,
)

# Conflicts may name any edition field, plus "dates" for start/end together and "co_driver"
# or "car" for the winning crew.
CONFLICT_FIELDS = frozenset(f for f in EDITION.fields if not f.endswith(ITALIAN_SUFFIX)) | {
    "dates",
    "co_driver",
    "car",
    "make",
    "field",
}
# An event's conflicts name one of its own fields, or an edition field they concern.
EVENT_CONFLICT_FIELDS = (
    frozenset(f for f in EVENT.fields if not f.endswith(ITALIAN_SUFFIX)) | CONFLICT_FIELDS
)

# photos_by is a name, or words ("the author and Bob Ross"): then photos_by_it. The summary
# and the car pictured are said in replies about a report: summary_it, car_pictured_it.
REPORT = bilingual(
    mapping(
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
    ),
    ("summary", "car_pictured"),
    ("photos_by",),
)

# The fields of an edition a question can ask for, in the order a reply gives them (the
# answering core's edition kind reads them from here).
EDITION_FIELDS = (
    "winner",
    "co_driver",
    "car",
    "dates",
    "route",
    "passes",
    "field",
    "finishers",
    "distance",
    "time",
    "speed",
    "number",
    "reports",
    "podium",
    "trials",
)
# Those a fact can say are not known yet (its reports are always known: they are listed).
ASKABLE_FIELDS = tuple(f for f in EDITION_FIELDS if f != "reports")

FACT = bilingual(
    mapping(
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
        # What the fact says nobody knows yet ("No dates ... were found"): asked for one of
        # these, the fact is said as context and the reply is unknown, not an answer.
        leaves_open=listing(choice(*ASKABLE_FIELDS)),
        sources=urls(),
    ),
    ("question", "answer"),
)

PERSON = bilingual(
    mapping(
        id=Spec("slug", True),
        name=text(True),
        aliases=texts(),
        role=text(True),
        summary=text(True),
        sources=urls(),
    ),
    ("role", "summary"),
)

# name_it only where the Italian name differs (Rome / Roma); Italian replies show it. A note
# (how a route entry is drawn) is said under a map: note_it.
PLACE = bilingual(
    mapping(
        name=text(True),
        aliases=texts(),
        lat=Spec("float"),
        lon=Spec("float"),
        source=Spec("url"),
        note=text(),
        no_coordinates=text(),
    ),
    ("note",),
    ("name",),
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
