"""Shared fixtures: a small valid knowledge base written from inline YAML, and the real one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.core.answer import Answerer
from bot.core.loader import load_knowledge
from bot.core.model import Knowledge

REAL_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

# A small but complete knowledge base: every kind of file, every kind of cross-reference.
# Tests edit these texts line by line, so keep each line unique within its file where a test
# targets it. Files start with a comment, like the real ones, so that line numbers are not
# trivially 1.
SMALL_KB: dict[str, str] = {
    "events.yaml": """\
# Two events for the tests.
events:
  - id: mille-miglia
    name: Mille Miglia
    aliases:
      - 1000 Miglia
      - Freccia Rossa
    kind: race
    where: Brescia, Italy
    where_it: Brescia, Italia
    timezone: Europe/Rome
    since: "1927"
    summary: The Mille Miglia is a road event from Brescia to Rome and back.
    summary_it: La Mille Miglia è una manifestazione stradale da Brescia a Roma e ritorno.
    eras:
      - id: speed
        name: Speed race
        name_it: Corsa di velocità
        start_year: 1927
        end_year: 1957
        summary: An open-road speed race of about 1,600 km.
        summary_it: Una corsa di velocità su strade aperte di circa 1.600 km.
      - id: revival
        name: Revival
        name_it: Rievocazione
        start_year: 1977
        annual_from: 1987
        summary: A regularity rally for cars of the 1927-1957 era.
        summary_it: Una gara di regolarità per auto dell'epoca 1927-1957.
    sources:
      - https://en.wikipedia.org/wiki/Mille_Miglia
  - id: california-mille
    name: California Mille
    kind: tribute
    parent: mille-miglia
    where: Northern California
    where_it: California del Nord
    timezone: America/Los_Angeles
    since: "1991"
    summary: A four-day, 1,000-mile rally on the back roads of Northern California.
    summary_it: Un rally di quattro giorni e 1.000 miglia sulle strade della California del Nord.
    sources:
      - seed
""",
    "editions/mille-miglia.yaml": """\
# Three editions of the Mille Miglia: one held, one without a race, one to come.
event: mille-miglia
editions:
  - year: 1931
    status: held
    era: speed
    number: 5
    name: V Coppa delle 1000 Miglia
    start: 1931-04-11
    end: 1931-04-12
    winners:
      - driver: Rudolf Caracciola
        co_driver: Wilhelm Sebastian
        car: Mercedes-Benz SSKL
        make: Mercedes-Benz
    winning_time: 16h 10m 10s
    average_speed: 101.147 km/h
    distance_km: 1635
    starters: 99
    finishers: 59
    route:
      - Brescia
      - Rome
      - Brescia
    conflicts:
      - field: dates
        text: 11-12 April (it.wikipedia) vs 12-13 April 1931 (Mercedes-Benz).
        text_it: 11-12 aprile (it.wikipedia) contro 12-13 aprile 1931 (Mercedes-Benz).
    sources:
      - https://it.m.wikipedia.org/wiki/Mille_Miglia_1931
  - year: 1939
    status: no-race
    era: speed
    reason: The race was banned after the accident in Bologna in 1938.
    reason_it: La corsa fu vietata dopo l'incidente di Bologna del 1938.
    sources:
      - https://en.wikipedia.org/wiki/Mille_Miglia
  - year: 2026
    status: scheduled
    era: revival
    start: 2026-06-09
    end: 2026-06-13
    sources:
      - https://1000miglia.it/en/
""",
    "reports.yaml": """\
# One report, about an edition that exists.
reports:
  - id: mm-1931-report
    title: Mille Miglia 1931 – Report
    site: Sports Car Digest
    event: mille-miglia
    year: 1931
    kind: report
    summary: Rudolf Caracciola wins the 1931 Mille Miglia in a Mercedes-Benz SSKL.
    summary_it: Rudolf Caracciola vince la Mille Miglia 1931 su Mercedes-Benz SSKL.
    sources:
      - seed
""",
    "facts/origins.yaml": """\
# One fact, about every kind of thing a fact can be about.
facts:
  - id: founders
    topic: origins
    question: Who founded the Mille Miglia?
    question_it: Chi ha fondato la Mille Miglia?
    phrasings:
      en:
        - who founded the mille miglia
        - who started the mille miglia
      it:
        - chi ha fondato la mille miglia
    answer: Four men from Brescia, later called the four musketeers.
    answer_it: Quattro bresciani, poi chiamati i quattro moschettieri.
    about:
      events: [mille-miglia]
      editions: ["mille-miglia/1931"]
      people: [aymo-maggi]
      reports: [mm-1931-report]
    sources:
      - https://en.wikipedia.org/wiki/Mille_Miglia
""",
    "people.yaml": """\
# One person.
people:
  - id: aymo-maggi
    name: Aymo Maggi
    aliases: [Maggi, Count Aymo Maggi]
    role: co-founder of the Mille Miglia
    role_it: cofondatore della Mille Miglia
    summary: Count Aymo Maggi was one of the four men who conceived the Mille Miglia.
    summary_it: Il conte Aymo Maggi fu uno dei quattro uomini che idearono la Mille Miglia.
    sources:
      - https://en.wikipedia.org/wiki/Mille_Miglia
""",
    "places.yaml": """\
# Two places, one with its Italian name; where they are, from the gazetteer.
places:
  - name: Rome
    aliases: [Roma]
    name_it: Roma
    lat: 41.89193
    lon: 12.51133
    source: https://www.geonames.org/3169070
  - name: Brescia
    lat: 45.53558
    lon: 10.21472
    source: https://www.geonames.org/3181554
""",
}


def write_kb(directory: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``directory`` and return it."""
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A fresh copy of the small valid knowledge base in ``tmp_path/knowledge``."""
    return write_kb(tmp_path / "knowledge", SMALL_KB)


@pytest.fixture(scope="session")
def real_kb() -> Path:
    """The project's real knowledge folder (read only: copy it before editing)."""
    return REAL_KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge(real_kb: Path) -> Knowledge:
    """The real knowledge, loaded once: it is frozen, so every test can share it."""
    result = load_knowledge(real_kb)
    assert result.knowledge is not None, "\n".join(map(str, result.problems))
    return result.knowledge


@pytest.fixture(scope="module")
def answerer(knowledge: Knowledge) -> Answerer:
    """An answerer over the real knowledge, one per test module (its /fact draws are seeded)."""
    return Answerer(knowledge, rng=random.Random(7))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never let a test fall back to the project's data/ folder or a real bot token."""
    monkeypatch.setattr("bot.settings.DOTENV", tmp_path / ".env")  # nor a developer's .env
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "millebot.sqlite3"))
    for name in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_USER_IDS", "PORT"):
        monkeypatch.delenv(name, raising=False)
