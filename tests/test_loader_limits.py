"""The loader's defences (issue 15, point 6 and the symlink finding): a runaway or hostile
knowledge file is refused in a moment, with one short problem, and never quoted at length."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from bot.core import loader
from bot.core.loader import load_knowledge
from bot.core.service import MAX_PROBLEM_LINES, AnswerService
from tests.conftest import SMALL_KB, write_kb

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
events: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def problems_of(directory: Path) -> list[str]:
    result = load_knowledge(directory)
    assert result.knowledge is None
    return [str(p) for p in result.problems]


def test_an_alias_bomb_is_refused_at_once(kb_dir: Path) -> None:
    """Nine levels of nine aliases stand for 387 million strings: it used to be expanded."""
    (kb_dir / "events.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.perf_counter()
    problems = problems_of(kb_dir)
    assert time.perf_counter() - started < 5  # generous bound: expanding it takes minutes
    assert any("events.yaml:2" in p and "aliases" in p for p in problems)


def test_a_file_over_the_size_cap_is_not_read(
    kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    (kb_dir / "people.yaml").write_text("people:\n" + "# padding\n" * 200, encoding="utf-8")
    assert any(p.startswith("people.yaml:1") and "at most 1,000" in p for p in problems_of(kb_dir))


def test_a_file_with_too_many_values_is_refused(
    kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 50)
    rows = "".join(f"  - name: Place {n}\n" for n in range(40))
    (kb_dir / "places.yaml").write_text("places:\n" + rows, encoding="utf-8")
    assert any("places.yaml" in p and "more than 50 values" in p for p in problems_of(kb_dir))


def test_a_symlink_outside_the_folder_is_refused_and_never_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwords.yaml"
    secret.parent.mkdir()
    secret.write_text("root: hunter2-very-secret-password\n", encoding="utf-8")
    kb = write_kb(tmp_path / "knowledge", SMALL_KB)
    (kb / "places.yaml").unlink()
    (kb / "places.yaml").symlink_to(secret)
    problems = problems_of(kb)
    assert problems == ["places.yaml:1: links to a file outside the knowledge folder; not read"]
    assert "hunter2" not in " ".join(problems)


def test_a_long_value_is_quoted_short_in_a_problem(kb_dir: Path) -> None:
    path = kb_dir / "events.yaml"
    text = path.read_text(encoding="utf-8")
    long_zone = "Europe/" + "x" * 5000
    path.write_text(text.replace("Europe/Rome", long_zone, 1), encoding="utf-8")
    problems = problems_of(kb_dir)
    assert problems and all(len(p) < 300 for p in problems)


def test_a_source_url_over_the_cap_is_a_problem(kb_dir: Path) -> None:
    path = kb_dir / "people.yaml"
    text = path.read_text(encoding="utf-8")
    long_url = "https://en.wikipedia.org/wiki/" + "M" * 3000
    path.write_text(
        text.replace("https://en.wikipedia.org/wiki/Mille_Miglia", long_url, 1), encoding="utf-8"
    )
    assert any("URL of 3,030 characters; at most 2,000" in p for p in problems_of(kb_dir))


async def test_a_rejected_reload_logs_a_capped_list(
    kb_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = AnswerService(kb_dir, tmp_path / "index.sqlite3")
    await service.start()
    rows = "".join(f"  - name: {n}\n" for n in range(200))  # 200 numbers where text is due
    (kb_dir / "places.yaml").write_text("places:\n" + rows, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        outcome = await service.reload()
    assert not outcome.ok and len(outcome.problems) == 200
    logged = [r for r in caplog.records if r.getMessage().startswith("  ")]
    assert len(logged) <= MAX_PROBLEM_LINES + 1
