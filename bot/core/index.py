"""The SQLite index of the knowledge base: built atomically, versioned, and self-healing.

The YAML is the source of truth; the index is a cache of it that is cheap to open. It is built
into a temporary file beside the target and renamed into place, so a reader never sees half an
index. The bot's own tables (stats, unanswered questions) live in a sibling *state* file: an
atomic swap of the index replaces the whole file, and keeping state apart means no rebuild,
corruption or deletion of the index can ever lose it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import sqlite3
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.loader import LoadResult, digest_of, load_knowledge
from bot.core.model import (
    Conflict,
    Crew,
    Edition,
    Era,
    Event,
    Fact,
    Knowledge,
    Leg,
    Person,
    Place,
    Report,
    Status,
)
from bot.core.text import normalise

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 2: Italian versions of the texts; 3: editions carry their day-by-day legs
# Only this bot writes the index, and by renaming a finished file into place, so a lock on it
# means something else holds the file: do not wait long, rebuild beside it instead.
READ_TIMEOUT = 1.0

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT,
    place TEXT NOT NULL, timezone TEXT NOT NULL, since TEXT NOT NULL, summary TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE aliases (alias TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE editions (
    event TEXT NOT NULL REFERENCES events(id), year INTEGER NOT NULL, status TEXT NOT NULL,
    era TEXT, number INTEGER, start TEXT, end TEXT, starters INTEGER, finishers INTEGER,
    distance_km REAL, body TEXT NOT NULL, PRIMARY KEY (event, year)
);
CREATE TABLE winners (
    event TEXT NOT NULL, year INTEGER NOT NULL, position INTEGER NOT NULL,
    driver TEXT NOT NULL, co_driver TEXT, car TEXT, make TEXT
);
CREATE TABLE route_towns (
    event TEXT NOT NULL, year INTEGER NOT NULL, position INTEGER NOT NULL,
    town TEXT NOT NULL, town_norm TEXT NOT NULL
);
CREATE TABLE reports (
    id TEXT PRIMARY KEY, event TEXT NOT NULL, year INTEGER NOT NULL, title TEXT NOT NULL,
    url TEXT, author TEXT, kind TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE facts (
    id TEXT PRIMARY KEY, topic TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE phrasings (fact_id TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
    norm TEXT NOT NULL);
CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE places (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE sources (item_kind TEXT NOT NULL, item_id TEXT NOT NULL, url TEXT NOT NULL);
CREATE INDEX editions_year ON editions(year);
CREATE INDEX winners_driver ON winners(driver);
CREATE INDEX winners_event_year ON winners(event, year);
CREATE INDEX route_town ON route_towns(town_norm);
CREATE INDEX phrasing_norm ON phrasings(norm);
CREATE INDEX alias_alias ON aliases(alias);
CREATE INDEX reports_edition ON reports(event, year);
CREATE INDEX sources_item ON sources(item_kind, item_id);
"""


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded; ``problems`` says why, one line each."""

    def __init__(self, result: LoadResult) -> None:
        self.problems = result.problems
        super().__init__(f"{len(result.problems)} problem(s) in the knowledge base")


@dataclass(frozen=True)
class IndexStatus:
    """What ``open_index`` did, so the caller can log or print it."""

    rebuilt: bool
    reason: str
    counts: dict[str, int]


def state_path(db_path: Path) -> Path:
    """The sibling file of the bot's own tables (never replaced by an index rebuild)."""
    return db_path.with_name(db_path.stem + ".state" + db_path.suffix)


def _encode(value: Any) -> str:
    return json.dumps(asdict(value), default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _rows(knowledge: Knowledge) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows for one knowledge base."""
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _INSERTS}
    for ev in knowledge.events:
        rows["events"].append(
            (
                ev.id,
                ev.name,
                ev.kind,
                ev.parent,
                ev.where,
                ev.timezone,
                ev.since,
                ev.summary,
                _encode(ev),
            )
        )
        for alias in (ev.name, *ev.aliases):
            rows["aliases"].append((normalise(alias), "event", ev.id))
        rows["sources"].extend(("event", ev.id, url) for url in ev.sources)
    for ed in knowledge.editions:
        rows["editions"].append(
            (
                ed.event,
                ed.year,
                ed.status.value,
                ed.era,
                ed.number,
                _iso(ed.start),
                _iso(ed.end),
                ed.starters,
                ed.finishers,
                ed.distance_km,
                _encode(ed),
            )
        )
        for pos, crew in enumerate(ed.winners):
            rows["winners"].append(
                (ed.event, ed.year, pos, crew.driver, crew.co_driver, crew.car, crew.make)
            )
        for pos, town in enumerate(ed.route):
            rows["route_towns"].append((ed.event, ed.year, pos, town, normalise(town)))
        rows["sources"].extend(("edition", ed.key, url) for url in ed.sources)
    for rep in knowledge.reports:
        rows["reports"].append(
            (rep.id, rep.event, rep.year, rep.title, rep.url, rep.author, rep.kind, _encode(rep))
        )
        rows["sources"].extend(("report", rep.id, url) for url in rep.sources)
    for fact in knowledge.facts:
        rows["facts"].append((fact.id, fact.topic, fact.question, fact.answer, _encode(fact)))
        for lang, texts in (("en", (fact.question, *fact.phrasings_en)), ("it", fact.phrasings_it)):
            rows["phrasings"].extend((fact.id, lang, t, normalise(t)) for t in texts)
        rows["sources"].extend(("fact", fact.id, url) for url in fact.sources)
    for person in knowledge.people:
        rows["people"].append((person.id, person.name, person.role, _encode(person)))
        for alias in (person.name, *person.aliases):
            rows["aliases"].append((normalise(alias), "person", person.id))
        rows["sources"].extend(("person", person.id, url) for url in person.sources)
    for place in knowledge.places:
        rows["places"].append((place.name, _encode(place)))
        for alias in (place.name, *place.aliases):
            rows["aliases"].append((normalise(alias), "place", place.name))
    return rows


_INSERTS = {
    "events": 9,
    "aliases": 3,
    "editions": 11,
    "winners": 7,
    "route_towns": 5,
    "reports": 8,
    "facts": 5,
    "phrasings": 4,
    "people": 4,
    "places": 2,
    "sources": 3,
}


def _read_only_uri(db_path: Path) -> str:
    """A read-only SQLite URI; ``as_uri`` escapes '#', '?' and '%' in the path."""
    return db_path.resolve().as_uri() + "?mode=ro"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _write(conn: sqlite3.Connection, knowledge: Knowledge) -> None:
    conn.executescript(SCHEMA)
    for table, rows in _rows(knowledge).items():
        marks = ",".join("?" * _INSERTS[table])
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    meta = {"digest": knowledge.digest, "counts": json.dumps(knowledge.counts)}
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()


def remove_stale_builds(db_path: Path) -> int:
    """Delete half-built indexes (``<name>.*.tmp``) a killed build left behind; how many.

    A build is renamed into place when complete and removed when it fails, so a leftover is
    from a process killed mid-build (kill -9 during /reload left 16.6 MB each time). Called
    at start, before this process builds anything; one bot runs per DATABASE_PATH.
    """
    removed = 0
    for leftover in db_path.parent.glob(f"{glob.escape(db_path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed += 1
    if removed:
        log.info("removed %d half-built index file(s) left by a killed build", removed)
    return removed


def build_index(knowledge: Knowledge, db_path: Path) -> None:
    """Write a fresh index beside ``db_path`` and atomically rename it into place."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp_name)
        try:
            _write(conn, knowledge)
        finally:
            conn.close()
        os.replace(tmp_name, db_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


async def read_meta(db_path: Path) -> tuple[int, str] | None:
    """The schema version and digest of an index, or None when missing or unreadable."""
    if not db_path.is_file():
        return None
    try:
        async with aiosqlite.connect(_read_only_uri(db_path), uri=True, timeout=READ_TIMEOUT) as db:
            async with db.execute("PRAGMA user_version") as cur:
                version_row = await cur.fetchone()
            async with db.execute("SELECT value FROM meta WHERE key = 'digest'") as cur:
                digest_row = await cur.fetchone()
    except sqlite3.DatabaseError as err:
        log.warning("index %s is unreadable (%s); it will be rebuilt", db_path, err)
        return None
    if version_row is None or digest_row is None:
        return None
    return int(version_row[0]), str(digest_row[0])


async def read_index(db_path: Path) -> Knowledge:
    """Rebuild the in-memory model from an index, without touching the YAML."""
    async with aiosqlite.connect(_read_only_uri(db_path), uri=True, timeout=READ_TIMEOUT) as db:
        bodies: dict[str, list[dict[str, Any]]] = {}
        for table in ("events", "editions", "reports", "facts", "people", "places"):
            async with db.execute(f"SELECT body FROM {table}") as cur:
                bodies[table] = [json.loads(row[0]) for row in await cur.fetchall()]
        async with db.execute("SELECT key, value FROM meta") as cur:
            meta = {str(k): str(v) for k, v in await cur.fetchall()}
    return Knowledge(
        events=tuple(_decode_event(b) for b in bodies["events"]),
        editions=tuple(
            sorted(
                (_decode_edition(b) for b in bodies["editions"]), key=lambda e: (e.event, e.year)
            )
        ),
        reports=tuple(Report(**_tuples(b)) for b in bodies["reports"]),
        facts=tuple(Fact(**_decode_conflicts(_tuples(b))) for b in bodies["facts"]),
        people=tuple(Person(**_tuples(b)) for b in bodies["people"]),
        places=tuple(Place(**_tuples(b)) for b in bodies["places"]),
        digest=meta["digest"],
        counts=json.loads(meta["counts"]),
    )


def _tuples(body: dict[str, Any]) -> dict[str, Any]:
    data = {k: tuple(v) if isinstance(v, list) else v for k, v in body.items()}
    if "italian" in data:  # JSON keeps (field, text) pairs and lists of texts as lists
        data["italian"] = tuple(
            (name, tuple(text) if isinstance(text, list) else text)
            for name, text in body["italian"]
        )
    return data


def _decode_conflicts(body: dict[str, Any]) -> dict[str, Any]:
    body["conflicts"] = tuple(Conflict(**_tuples(c)) for c in body.get("conflicts", ()))
    return body


def _decode_event(body: dict[str, Any]) -> Event:
    data = _decode_conflicts(_tuples(body))
    data["eras"] = tuple(Era(**_tuples(e)) for e in data["eras"])
    return Event(**data)


def _decode_edition(body: dict[str, Any]) -> Edition:
    data = _decode_conflicts(_tuples(body))
    data["status"] = Status(data["status"])
    data["winners"] = tuple(Crew(**_tuples(c)) for c in data["winners"])
    for key in ("start", "end"):
        if data[key]:
            data[key] = date.fromisoformat(data[key])
    data["legs"] = tuple(_decode_leg(leg) for leg in data.get("legs", ()))
    return Edition(**data)


def _decode_leg(body: dict[str, Any]) -> Leg:
    data = _tuples(body)
    data["date"] = date.fromisoformat(data["date"])
    return Leg(**data)


async def open_index(knowledge_dir: Path, db_path: Path) -> tuple[Knowledge, IndexStatus]:
    """Return the knowledge, rebuilding the index when it is missing, stale or corrupt.

    Raises KnowledgeError when the YAML itself has problems and no rebuild is possible.
    """
    meta = await read_meta(db_path)
    digest = digest_of(knowledge_dir)
    reason = ""
    if meta is None:
        reason = "missing" if not db_path.exists() else "unreadable"
    elif meta[0] != SCHEMA_VERSION:
        reason = f"schema {meta[0]} != {SCHEMA_VERSION}"
    elif meta[1] != digest:
        reason = "knowledge changed"
    if not reason:
        try:
            knowledge = await read_index(db_path)
            return knowledge, IndexStatus(False, "up to date", knowledge.counts)
        except (sqlite3.DatabaseError, KeyError, TypeError, ValueError) as err:
            reason = f"unreadable ({err})"
    if reason.startswith("unreadable"):
        log.warning("index %s is %s; rebuilding from the YAML", db_path, reason)
    knowledge = rebuild(knowledge_dir, db_path)
    return knowledge, IndexStatus(True, reason, knowledge.counts)


def rebuild(knowledge_dir: Path, db_path: Path) -> Knowledge:
    """Validate the YAML and build a fresh index from it; raise KnowledgeError on problems."""
    result = load_knowledge(knowledge_dir)
    if result.knowledge is None:
        raise KnowledgeError(result)
    build_index(result.knowledge, db_path)
    return result.knowledge
