"""Load ``knowledge/`` into the validated model, or explain every reason it cannot be loaded.

Loading is all-or-nothing: a knowledge base with any problem is never handed to the bot, so a
bad edit costs nothing but the editor's time to fix it, and the running bot keeps what it had.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.core import schema
from bot.core.model import (
    Conflict,
    Crew,
    Edition,
    Era,
    Event,
    Fact,
    Italian,
    Knowledge,
    Leg,
    Person,
    Place,
    Report,
    Status,
)
from bot.core.text import fold
from bot.core.validate import (
    INDEX_KEY,
    INVALID,
    INVALID_KEYS,
    KEY_LINES_KEY,
    LINE_KEY,
    NodeChecker,
    Problem,
)

# What one knowledge base may hold. The real one is ~0.3 MB in ~25 files (the largest 47 KB):
# these leave 100x room, yet a /reload of a runaway or hostile file fails in well under a
# second instead of parsing for minutes (a 50 MB file took 26 s, a 114 KB alias bomb 32 s).
MAX_FILE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 20_000_000
MAX_FILES = 2_000
MAX_NODES = 250_000
"""YAML values (scalars, lists, mappings) in one file: the item count, whatever the nesting."""

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes and marks.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass
class LoadResult:
    """The knowledge when it is valid, and the problems (empty when it is)."""

    knowledge: Knowledge | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.knowledge is not None and not self.problems


def knowledge_files(directory: Path) -> list[Path]:
    """Every YAML file of the knowledge base, in a stable order; never one outside it.

    A symlink to a file elsewhere (``/etc/...``) would have its lines read and quoted in
    problems: such files are left out here and reported by ``outside_files``.
    """
    return [p for p in _yaml_files(directory) if _inside(p, directory)]


def outside_files(directory: Path) -> list[Path]:
    """YAML names in the folder that lead outside it (symlinks): refused, never read."""
    return [p for p in _yaml_files(directory) if not _inside(p, directory)]


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.yaml") if p.is_file())


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def digest_of(directory: Path) -> str:
    """A fingerprint of the knowledge files, so the index knows when it is stale."""
    sha = hashlib.sha256()
    for path in knowledge_files(directory):
        _digest_file(sha, path.relative_to(directory).as_posix(), path.read_bytes())
    return sha.hexdigest()


def _digest_file(sha: Any, relative: str, raw: bytes) -> None:
    sha.update(relative.encode())
    sha.update(b"\0")
    sha.update(raw)
    sha.update(b"\0")


def load_knowledge(directory: Path) -> LoadResult:
    """Read, check and cross-check every file; return the model or every problem found."""
    if not directory.is_dir():
        return LoadResult(None, [Problem(str(directory), 0, "", "knowledge folder not found")])
    builder = _Builder()
    for stray in sorted(directory.rglob("*.yml")):
        what = "the bot reads only .yaml files: rename it to .yaml"
        builder.problems.append(Problem(stray.relative_to(directory).as_posix(), 1, "", what))
    for path in outside_files(directory):
        what = "links to a file outside the knowledge folder; not read"
        builder.problems.append(Problem(path.relative_to(directory).as_posix(), 1, "", what))
    files = knowledge_files(directory)
    if len(files) > MAX_FILES:
        what = f"{len(files)} files; at most {MAX_FILES} are read"
        return LoadResult(None, [Problem(".", 0, "", what)])
    for path in files:
        builder.read(path, path.relative_to(directory).as_posix())
        if builder.read_bytes > MAX_TOTAL_BYTES:
            what = f"the knowledge files exceed {MAX_TOTAL_BYTES // 1_000_000} MB in all"
            return LoadResult(None, [*builder.problems, Problem(".", 0, "", what)])
    builder.cross_check()
    if not builder.events and not any(p.file == "events.yaml" for p in builder.problems):
        builder.problems.append(Problem("events.yaml", 0, "", "no events defined (file missing?)"))
    problems = sorted(set(builder.problems))
    if problems:
        return LoadResult(None, problems)
    return LoadResult(builder.knowledge(builder.sha.hexdigest()))


class _Builder:
    """Accumulates checked items from all files, then checks references between them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.events: list[Event] = []
        self.editions: list[Edition] = []
        self.reports: list[Report] = []
        self.facts: list[Fact] = []
        self.people: list[Person] = []
        self.places: list[Place] = []
        self.where: dict[int, str] = {}  # id(edition) -> "editions[3]", for messages
        self.event_lines: dict[str, int] = {}  # editions file -> line of its "event:" key
        # When a file could not be read or an item was dropped, "no such id" messages would be
        # echoes of that one defect, so reference checks are skipped until it is fixed.
        self.partial = False
        # The digest of exactly the bytes read: hashing the files again afterwards could stamp
        # an index with the digest of an edit saved in between, and it would never be rebuilt.
        self.sha = hashlib.sha256()
        self.read_bytes = 0

    def read(self, path: Path, relative: str) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.partial = True
                what = f"file of {size:,} bytes; at most {MAX_FILE_BYTES:,} (split it)"
                self.problems.append(Problem(relative, 1, "", what))
                self.read_bytes += size
                return
            raw = path.read_bytes()
        except OSError as err:
            self.partial = True
            self.problems.append(Problem(relative, 1, "", f"cannot read file: {err.strerror}"))
            return
        self.read_bytes += len(raw)
        _digest_file(self.sha, relative, raw)
        kind = schema.file_kind(relative)
        if kind is None:
            expected = "events/reports/people/places.yaml, editions/*.yaml or facts/*.yaml"
            self.problems.append(Problem(relative, 1, "", f"unexpected file; expected {expected}"))
            return
        try:
            text = raw.decode("utf-8")
            refused = _refused_structure(text)
            if refused is not None:
                self.partial = True
                self.problems.append(Problem(relative, refused[0], "", refused[1]))
                return
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = f"YAML syntax error at column {column}: {err.problem or err.context}"
            self.problems.append(Problem(relative, line, "", what))
            self.partial = True
            return
        except (UnicodeDecodeError, yaml.YAMLError) as err:
            self.partial = True
            self.problems.append(Problem(relative, 1, "", f"cannot read file: {err}"))
            return
        if root is None:
            self.problems.append(Problem(relative, 1, "", "file is empty"))
            return
        checker = NodeChecker(relative)
        data = checker.check(root, schema.FILES[kind], "")
        self.problems.extend(checker.problems)
        if data is INVALID or data is None:
            return
        getattr(self, f"_take_{kind}")(data, relative)

    # Each _take_* turns checked dicts into model objects; items missing a required field were
    # already reported and are skipped so that one typo does not cascade into many messages.

    def _take_events(self, data: dict[str, Any], file: str) -> None:
        for item in data.get("events", []):
            if self._keep(item, schema.EVENT):
                self.events.append(_event(item, file))
                self._located(self.events[-1], f"events[{item[INDEX_KEY]}]")
                self._check_event_conflicts(self.events[-1], item)

    def _take_editions(self, data: dict[str, Any], file: str) -> None:
        event_id = data.get("event")
        if event_id is None:
            self.partial = True
            return
        self.event_lines[file] = data.get(KEY_LINES_KEY, {}).get("event", 1)
        for item in data.get("editions", []):
            if self._keep(item, schema.EDITION):
                self.editions.append(_edition(item, event_id, file))
                where = f"editions[{item[INDEX_KEY]}]"
                self.where[id(self.editions[-1])] = where
                self._check_edition(self.editions[-1], where, item.get(INVALID_KEYS, set()))

    def _take_reports(self, data: dict[str, Any], file: str) -> None:
        for item in data.get("reports", []):
            if self._keep(item, schema.REPORT):
                self.reports.append(_report(item, file))
                self._located(self.reports[-1], f"reports[{item[INDEX_KEY]}]")

    def _take_facts(self, data: dict[str, Any], file: str) -> None:
        for item in data.get("facts", []):
            if not self._keep(item, schema.FACT):
                continue
            fact = _fact(item, file)
            self.facts.append(fact)
            self._located(fact, f"facts[{item[INDEX_KEY]}]")
            if len(fact.phrasings) < schema.MIN_PHRASINGS:
                where = f"facts[{item[INDEX_KEY]}].phrasings"
                what = f"needs at least {schema.MIN_PHRASINGS} phrasings in all (en + it)"
                self.problems.append(Problem(file, fact.line, where, what))

    def _take_people(self, data: dict[str, Any], file: str) -> None:
        for item in data.get("people", []):
            if self._keep(item, schema.PERSON):
                self.people.append(_person(item, file))
                self._located(self.people[-1], f"people[{item[INDEX_KEY]}]")

    def _take_places(self, data: dict[str, Any], file: str) -> None:
        for item in data.get("places", []):
            if item.get(INVALID_KEYS, set()) & {"name", "aliases"}:
                self.partial = True  # route towns may name it: "not in places.yaml" would echo
            if self._keep(item, schema.PLACE):
                place = _place(item, file)
                self.places.append(place)
                self._located(place, f"places[{item[INDEX_KEY]}]")
                self._check_place(place, item.get(INVALID_KEYS, set()))

    def _check_place(self, place: Place, invalid: set[str]) -> None:
        """Coordinates come as a pair, within range, from a named gazetteer; or not at all."""

        def report(field_name: str, what: str) -> None:
            self.problems.append(
                Problem(place.file, place.line, self._path(place, field_name), what)
            )

        if invalid & {"lat", "lon"}:
            return
        if (place.lat is None) != (place.lon is None):
            report("lat" if place.lat is None else "lon", "lat and lon go together")
        if place.lat is not None and not -90 <= place.lat <= 90:
            report("lat", f"latitude {place.lat} is not between -90 and 90")
        if place.lon is not None and not -180 <= place.lon <= 180:
            report("lon", f"longitude {place.lon} is not between -180 and 180")
        if place.located and not place.source and "source" not in invalid:
            report("source", "coordinates need their source (the gazetteer's page)")
        if place.located and place.no_coordinates:
            report("no_coordinates", "a place with lat and lon cannot also have no coordinates")

    def _located(self, item: object, where: str) -> None:
        """Remember an item's path in its file, for messages about its references."""
        self.where[id(item)] = where

    def _path(self, item: object, field: str) -> str:
        prefix = self.where.get(id(item))
        return f"{prefix}.{field}" if prefix else field

    def _keep(self, item: Any, spec: schema.Spec) -> bool:
        complete = _complete(item, spec)
        self.partial = self.partial or not complete
        return complete

    def _check_edition(self, ed: Edition, where: str, invalid: set[str]) -> None:
        def report(field_name: str, what: str) -> None:
            self.problems.append(Problem(ed.file, ed.line, f"{where}.{field_name}", what))

        if not invalid & {"start", "end"} and (ed.start is None) != (ed.end is None):
            report("start" if ed.start is None else "end", "start and end go together")
        if ed.start and ed.start.year != ed.year:
            report("start", f"{ed.start.isoformat()} is not in {ed.year}")
        if ed.start and ed.end and ed.end < ed.start:
            report("end", f"end {ed.end.isoformat()} is before start {ed.start.isoformat()}")
        if ed.status in (Status.NO_RACE, Status.CANCELLED) and not ed.reason:
            report("reason", f"an edition with status {ed.status} needs a reason")
        if ed.status is Status.NO_RACE and ed.winners:
            report("winners", "a year with no race cannot have winners")
        for index, conflict in enumerate(ed.conflicts):
            if conflict.field and conflict.field not in schema.CONFLICT_FIELDS:
                report(f"conflicts[{index}].field", f"unknown field '{conflict.field}'")
        if not invalid & {"start", "end", "legs"}:
            self._check_legs(ed, where)

    def _check_legs(self, ed: Edition, where: str) -> None:
        """Each leg's day must fall inside the edition, on the date its day number says."""

        def report(leg: Leg, index: int, field_name: str, what: str) -> None:
            self.problems.append(
                Problem(ed.file, leg.line, f"{where}.legs[{index}].{field_name}", what)
            )

        if ed.legs and (ed.start is None or ed.end is None):
            leg = ed.legs[0]
            report(leg, 0, "day", "legs need the edition's start and end dates")
            return
        seen: set[int] = set()
        for index, leg in enumerate(ed.legs):
            assert ed.start is not None and ed.end is not None
            total = (ed.end - ed.start).days + 1
            if not 1 <= leg.day <= total:
                report(leg, index, "day", f"day {leg.day} is outside the edition's {total} day(s)")
            elif leg.date != ed.start + timedelta(days=leg.day - 1):
                expected = (ed.start + timedelta(days=leg.day - 1)).isoformat()
                report(
                    leg,
                    index,
                    "date",
                    f"{leg.date.isoformat()} is not day {leg.day} of the edition (that is {expected})",
                )
            if leg.day in seen:
                report(leg, index, "day", f"day {leg.day} has two legs")
            elif seen and leg.day < max(seen):
                report(
                    leg,
                    index,
                    "day",
                    f"day {leg.day} comes after day {max(seen)}: keep days in order",
                )
            seen.add(leg.day)

    def _check_event_conflicts(self, event: Event, item: dict[str, Any]) -> None:
        """An event conflict names the fields it concerns, comma-separated: each must exist."""
        for index, raw in enumerate(item.get("conflicts", [])):
            fields = [f.strip() for f in str(raw.get("field") or "").split(",") if f.strip()]
            for name in fields:
                if name not in schema.EVENT_CONFLICT_FIELDS:
                    line = raw.get(KEY_LINES_KEY, {}).get("field", event.line)
                    where = self._path(event, f"conflicts[{index}].field")
                    self.problems.append(
                        Problem(event.file, line, where, f"unknown field '{name}'")
                    )

    def cross_check(self) -> None:
        """References between files: ids unique, every id named somewhere exists."""
        self._unique("events", self.events)
        self._unique("reports", self.reports)
        self._unique("facts", self.facts)
        self._unique("people", self.people)
        events: dict[str, Event] = {}
        for event in self.events:
            events.setdefault(event.id, event)  # the first of a duplicated id stands
        for event in self.events:
            if event.parent and event.parent not in events:
                self._missing(event, "parent", "event", event.parent)
        seen: dict[str, Edition] = {}
        unknown_event_files: set[str] = set()
        for ed in self.editions:
            if ed.event not in events:
                if ed.file not in unknown_event_files and not self.partial:  # once per file
                    unknown_event_files.add(ed.file)
                    text = f"no event '{ed.event}' exists (see events.yaml)"
                    line = self.event_lines.get(ed.file, 1)
                    self.problems.append(Problem(ed.file, line, "event", text))
                continue
            if ed.key in seen:
                first = seen[ed.key]
                what = f"duplicate year {ed.year} for {ed.event} (also {first.file}:{first.line})"
                where = f"{self.where.get(id(ed), 'editions')}.year"
                self.problems.append(Problem(ed.file, ed.line, where, what))
            seen[ed.key] = ed
            eras = {era.id for era in events[ed.event].eras}
            if ed.era and ed.era not in eras:
                self._missing(ed, "era", f"era of {ed.event}", ed.era)
        for rep in self.reports:
            if rep.event not in events:
                self._missing(rep, "event", "event", rep.event)
            elif rep.edition_key not in seen:
                self._missing(rep, "year", "edition", rep.edition_key)
        self._check_route_places()
        people = {p.id for p in self.people}
        report_ids = {r.id for r in self.reports}
        for fact in self.facts:
            self._refs(fact, "about.events", fact.events, events.keys(), "event")
            self._refs(fact, "about.editions", fact.editions, seen.keys(), "edition")
            self._refs(fact, "about.people", fact.people, people, "person")
            self._refs(fact, "about.reports", fact.reports, report_ids, "report")

    def _check_route_places(self) -> None:
        """Every town a route or a leg names has coordinates, or places.yaml says why not.

        That keeps each route's map honest: a town is drawn where the gazetteer puts it, or the
        map says it is left out; nothing is placed by guesswork. Legs are drawn day by day, so
        their towns (start, via, finish, overnight stop) are checked as the route's are.
        """
        if self.partial or not any(p.file for p in self.places):
            return  # a broken places.yaml was reported already; this would only echo it
        names = {fold(n): p for p in self.places for n in (p.name, *p.aliases)}
        for ed in self.editions:
            for index, town in enumerate(ed.route):
                self._check_located(
                    names, town, ed.file, ed.line, self._path(ed, f"route[{index}]")
                )
            for number, leg in enumerate(ed.legs):
                where = self._path(ed, f"legs[{number}]")
                for field_name, town in _leg_towns(leg):
                    self._check_located(names, town, ed.file, leg.line, f"{where}.{field_name}")

    def _check_located(
        self, names: dict[str, Place], town: str, file: str, line: int, where: str
    ) -> None:
        place = names.get(fold(town))
        if place is not None and (place.located or place.no_coordinates):
            return
        what = (
            f"'{town}' is not in places.yaml; add it with lat, lon and source "
            "(or no_coordinates: why)"
            if place is None
            else f"'{town}' has no coordinates in places.yaml (add lat, lon and "
            "source, or no_coordinates: why)"
        )
        self.problems.append(Problem(file, line, where, what))

    def _unique(self, what: str, items: Iterable[Event | Report | Fact | Person]) -> None:
        first: dict[str, Event | Report | Fact | Person] = {}
        for item in items:
            if item.id in first:
                other = first[item.id]
                text = f"duplicate id '{item.id}' (also {other.file}:{other.line})"
                where = self._path(item, "id") if id(item) in self.where else f"{what}.id"
                self.problems.append(Problem(item.file, item.line, where, text))
            else:
                first[item.id] = item

    def _refs(
        self, item: Fact, where: str, refs: Iterable[str], known: Iterable[str], what: str
    ) -> None:
        known_set = set(known)
        for ref in refs:
            if ref not in known_set:
                self._missing(item, where, what, ref)

    def _missing(
        self, item: Event | Edition | Report | Fact, where: str, what: str, ref: str
    ) -> None:
        if self.partial:
            return
        text = f"no {what} '{ref}' exists"
        self.problems.append(Problem(item.file, item.line, self._path(item, where), text))

    def knowledge(self, digest: str) -> Knowledge:
        per_event = Counter(ed.event for ed in self.editions)
        counts = {
            "events": len(self.events),
            "editions": len(self.editions),
            "reports": len(self.reports),
            "facts": len(self.facts),
            "phrasings": sum(len(f.phrasings) for f in self.facts),
            "people": len(self.people),
            "places": len(self.places),
        }
        counts.update({f"editions:{event}": n for event, n in sorted(per_event.items())})
        return Knowledge(
            events=tuple(self.events),
            editions=tuple(sorted(self.editions, key=lambda e: (e.event, e.year))),
            reports=tuple(self.reports),
            facts=tuple(self.facts),
            people=tuple(self.people),
            places=tuple(self.places),
            digest=digest,
            counts=counts,
        )


_PLACEHOLDERS: dict[str, Any] = {"str": "", "slug": "", "url": "", "enum": "", "tz": "UTC"}


def _refused_structure(text: str) -> tuple[int, str] | None:
    """(line, why) when a file uses YAML aliases or holds too many values; None when fine.

    Aliases (``*name``) let a few lines stand for millions of values (an "alias bomb": 114 KB
    cost 32 s and 842 MB), and the knowledge never needs them: each value is written out.
    The file is scanned as a stream of parser events, which costs a fraction of loading it and
    stops at the first alias or at MAX_NODES.
    """
    nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 1
            return line, "YAML aliases (*name) are not allowed here; write the value out"
        if isinstance(event, yaml.ScalarEvent | yaml.SequenceStartEvent | yaml.MappingStartEvent):
            nodes += 1
            if nodes > MAX_NODES:
                line = event.start_mark.line + 1 if event.start_mark else 1
                return line, f"more than {MAX_NODES:,} values in one file; split it"
    return None


def _complete(item: Any, spec: schema.Spec) -> bool:
    """True when every required field is present; a present-but-invalid one gets a placeholder.

    The placeholder keeps the item (and its id) in the cross-checks, so one bad value is one
    message rather than a cascade of "no such event" lines. Such a knowledge base is never
    returned, because the bad value was already reported.
    """
    if not isinstance(item, dict):
        return False
    for key in item.get(INVALID_KEYS, ()):
        sub = spec.fields[key]
        if sub.required and key not in item:
            if sub.kind == "enum":
                item[key] = sub.choices[0]
            elif sub.kind in _PLACEHOLDERS:
                item[key] = _PLACEHOLDERS[sub.kind]
            else:
                item[key] = {"list": [], "map": {}, "int": 0, "float": 0.0}.get(sub.kind)
    return all(key in item for key, sub in spec.fields.items() if sub.required)


def _italian(item: dict[str, Any]) -> Italian:
    """The ``<field>_it`` values of a checked item, as (field, text) pairs."""
    return tuple(
        (
            key.removesuffix(schema.ITALIAN_SUFFIX),
            tuple(value) if isinstance(value, list) else value,
        )
        for key, value in item.items()
        if key.endswith(schema.ITALIAN_SUFFIX)
    )


def _conflicts(item: dict[str, Any]) -> tuple[Conflict, ...]:
    return tuple(
        Conflict(c["text"], c.get("field"), _italian(c))
        for c in item.get("conflicts", [])
        if "text" in c
    )


def _event(item: dict[str, Any], file: str) -> Event:
    eras = tuple(
        Era(
            id=e["id"],
            name=e["name"],
            start_year=e["start_year"],
            end_year=e.get("end_year"),
            summary=e["summary"],
            annual_from=e.get("annual_from"),
            italian=_italian(e),
        )
        for e in item.get("eras", [])
        if _complete(e, schema.ERA)
    )
    return Event(
        id=item["id"],
        name=item["name"],
        aliases=tuple(item.get("aliases", ())),
        kind=item["kind"],
        where=item["where"],
        timezone=item["timezone"],
        since=item["since"],
        organiser=item.get("organiser"),
        format=item.get("format"),
        eligibility=item.get("eligibility"),
        summary=item["summary"],
        parent=item.get("parent"),
        eras=eras,
        notes=tuple(item.get("notes", ())),
        conflicts=_conflicts(item),
        sources=tuple(item["sources"]),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
    )


_EDITION_SCALARS = [
    "era",
    "number",
    "number_note",
    "name",
    "start",
    "end",
    "dates_note",
    "reason",
    "winners_note",
    "winning_time",
    "average_speed",
    "distance_km",
    "distance_note",
    "route_note",
    "applications",
    "entries",
    "starters",
    "finishers",
    "field_note",
    "timed_trials",
]


def _edition(item: dict[str, Any], event_id: str, file: str) -> Edition:
    crews = tuple(
        Crew(
            c["driver"], c.get("co_driver"), c.get("car"), c.get("make"), c.get("note"), _italian(c)
        )
        for c in item.get("winners", [])
        if "driver" in c
    )
    scalars = {key: item[key] for key in _EDITION_SCALARS if key in item}
    return Edition(
        event=event_id,
        year=item["year"],
        status=Status(item["status"]),
        winners=crews,
        route=tuple(item.get("route", ())),
        legs=tuple(
            _leg(leg)
            for leg in item.get("legs", ())
            if _complete(leg, schema.LEG) and not leg.get(INVALID_KEYS)
        ),
        podium=tuple(item.get("podium", ())),
        notes=tuple(item.get("notes", ())),
        conflicts=_conflicts(item),
        sources=tuple(item["sources"]),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
        **scalars,
    )


def _leg(item: dict[str, Any]) -> Leg:
    return Leg(
        day=item["day"],
        date=item["date"],
        to=item["to"],
        start=item.get("from"),
        via=tuple(item.get("via", ())),
        overnight=item.get("overnight"),
        note=item.get("note"),
        sources=tuple(item["sources"]),
        line=item[LINE_KEY],
        italian=_italian(item),
    )


def _leg_towns(leg: Leg) -> list[tuple[str, str]]:
    """(YAML field, town) of every place a leg names: from, via[i], to, overnight."""
    towns = [("from", leg.start)] if leg.start else []
    towns += [(f"via[{i}]", town) for i, town in enumerate(leg.via)]
    towns.append(("to", leg.to))
    if leg.overnight:
        towns.append(("overnight", leg.overnight))
    return towns


def _report(item: dict[str, Any], file: str) -> Report:
    return Report(
        id=item["id"],
        title=item["title"],
        site=item["site"],
        event=item["event"],
        year=item["year"],
        kind=item["kind"],
        summary=item["summary"],
        url=item.get("url"),
        author=item.get("author"),
        photos_by=item.get("photos_by"),
        car_pictured=item.get("car_pictured"),
        corroboration=item.get("corroboration"),
        sources=tuple(item["sources"]),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
    )


def _fact(item: dict[str, Any], file: str) -> Fact:
    about = item.get("about", {})
    phrasings = item["phrasings"]
    return Fact(
        id=item["id"],
        topic=item["topic"],
        question=item["question"],
        phrasings_en=tuple(phrasings.get("en", ())),
        phrasings_it=tuple(phrasings.get("it", ())),
        answer=item["answer"],
        events=tuple(about.get("events", ())),
        editions=tuple(about.get("editions", ())),
        people=tuple(about.get("people", ())),
        reports=tuple(about.get("reports", ())),
        conflicts=_conflicts(item),
        sources=tuple(item["sources"]),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
        leaves_open=tuple(item.get("leaves_open", ())),
    )


def _place(item: dict[str, Any], file: str) -> Place:
    return Place(
        name=item["name"],
        aliases=tuple(item.get("aliases", ())),
        lat=item.get("lat"),
        lon=item.get("lon"),
        source=item.get("source"),
        note=item.get("note"),
        no_coordinates=item.get("no_coordinates"),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
    )


def _person(item: dict[str, Any], file: str) -> Person:
    return Person(
        id=item["id"],
        name=item["name"],
        aliases=tuple(item.get("aliases", ())),
        role=item["role"],
        summary=item["summary"],
        sources=tuple(item["sources"]),
        italian=_italian(item),
        file=file,
        line=item[LINE_KEY],
    )
