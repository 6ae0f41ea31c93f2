"""``millebot validate``: every defect is reported with its file, line and field path.

Each case applies ONE defect to the small valid knowledge base (``kb_dir``) by a text edit, runs
the command in-process and looks for the exact ``file:line: where: what`` line. The expected line
number is computed from the edited text (the line that contains ``marker``), never hard-coded.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.loader import knowledge_files

Edit = Callable[[str], str]


def replace(old: str, new: str) -> Edit:
    """An edit that replaces one whole line (``old`` must occur exactly once in the file)."""

    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        hits = [i for i, line in enumerate(lines) if line.rstrip("\n") == old]
        assert len(hits) == 1, f"{old!r} occurs {len(hits)} times, expected once"
        lines[hits[0]] = new + "\n" if new else ""
        return "".join(lines)

    return edit


def substitute(old: str, new: str) -> Edit:
    """An edit that replaces a block of text spanning several lines (exactly once)."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times, expected once"
        return text.replace(old, new)

    return edit


def delete(old: str) -> Edit:
    return replace(old, "")


def append(extra: str) -> Edit:
    def edit(text: str) -> str:
        return (text if text.endswith("\n") or not text else text + "\n") + extra

    return edit


def new_file(content: str) -> Edit:
    def edit(text: str) -> str:
        assert text == "", "new_file must not overwrite an existing file"
        return content

    return edit


@dataclass(frozen=True)
class Defect:
    """One defect: which file to edit, how, and the problem line it must produce."""

    id: str
    file: str
    edit: Edit
    marker: str  # the expected line number is that of the first line containing this
    where: str  # the field path; "" for file-level problems (no "where:" part)
    what: str  # a substring of the message
    marker_after: str = ""  # look for marker only after the first line containing this


EDITIONS = "editions/mille-miglia.yaml"

DEFECTS: list[Defect] = [
    Defect(
        "yaml-syntax-error",
        "events.yaml",
        replace("    name: Mille Miglia", "    name: Mille Miglia: the race"),
        "name: Mille Miglia: the race",
        "",
        "YAML syntax error at column",
    ),
    Defect(
        "yaml-tab-indent",
        "people.yaml",
        replace("    role: co-founder of the Mille Miglia", "\trole: co-founder"),
        "\trole:",
        "",
        "YAML syntax error at column 1",
    ),
    Defect(
        "unknown-key-top-level",
        "reports.yaml",
        append("version: 2\n"),
        "version: 2",
        "version",
        "unknown key 'version'; allowed: reports",
    ),
    Defect(
        "unknown-key-nested-typo",
        EDITIONS,
        replace("    winners:", "    winers:"),
        "winers:",
        "editions[0].winers",
        "unknown key 'winers' (did you mean 'winners'?)",
    ),
    Defect(
        "unquoted-yes",
        EDITIONS,
        replace("        car: Mercedes-Benz SSKL", "        car: yes"),
        "car: yes",
        "editions[0].winners[0].car",
        "expected a string, got bool (quote the value)",
    ),
    Defect(
        "unquoted-no",
        "people.yaml",
        replace("    role: co-founder of the Mille Miglia", "    role: no"),
        "role: no",
        "people[0].role",
        "expected a string, got bool (quote the value)",
    ),
    Defect(
        "unquoted-on",
        "events.yaml",
        replace("    where: Northern California", "    where: on"),
        "where: on",
        "events[1].where",
        "expected a string, got bool (quote the value)",
    ),
    Defect(
        "unquoted-off-in-list",
        "events.yaml",
        replace("      - Freccia Rossa", "      - off"),
        "- off",
        "events[0].aliases[1]",
        "expected a string, got bool (quote the value)",
    ),
    Defect(
        "unquoted-date-in-text",
        EDITIONS,
        replace("    winning_time: 16h 10m 10s", "    winning_time: 1931-04-12"),
        "winning_time: 1931-04-12",
        "editions[0].winning_time",
        "expected a string, got date (quote the value)",
    ),
    Defect(
        "int-where-text-expected",
        EDITIONS,
        replace("    name: V Coppa delle 1000 Miglia", "    name: 1000"),
        "name: 1000",
        "editions[0].name",
        "expected a string, got int (quote the value)",
    ),
    Defect(
        "text-where-whole-number-expected",
        EDITIONS,
        replace("    starters: 99", '    starters: "99"'),
        'starters: "99"',
        "editions[0].starters",
        "expected a whole number, got text '99'",
    ),
    Defect(
        "float-where-whole-number-expected",
        EDITIONS,
        replace("    finishers: 59", "    finishers: 59.5"),
        "finishers: 59.5",
        "editions[0].finishers",
        "expected a whole number, got float '59.5'",
    ),
    Defect(
        "impossible-date",
        EDITIONS,
        replace("    start: 2026-06-09", "    start: 2026-02-30"),
        "start: 2026-02-30",
        "editions[2].start",
        "impossible date '2026-02-30'",
    ),
    Defect(
        "not-a-date",
        EDITIONS,
        replace("    end: 2026-06-13", "    end: 13 June 2026"),
        "end: 13 June 2026",
        "editions[2].end",
        "expected a date YYYY-MM-DD, got text '13 June 2026'",
    ),
    Defect(
        "end-before-start",
        EDITIONS,
        replace("    end: 1931-04-12", "    end: 1931-04-10"),
        "- year: 1931",
        "editions[0].end",
        "end 1931-04-10 is before start 1931-04-11",
    ),
    Defect(
        "start-not-in-edition-year",
        EDITIONS,
        replace("    start: 2026-06-09", "    start: 2025-06-09"),
        "- year: 2026",
        "editions[2].start",
        "2025-06-09 is not in 2026",
    ),
    Defect(
        "start-without-end",
        EDITIONS,
        delete("    end: 1931-04-12"),
        "- year: 1931",
        "editions[0].end",
        "start and end go together",
    ),
    Defect(
        "end-without-start",
        EDITIONS,
        delete("    start: 2026-06-09"),
        "- year: 2026",
        "editions[2].start",
        "start and end go together",
    ),
    Defect(
        "duplicate-event-id",
        "events.yaml",
        append(
            "  - id: california-mille\n"
            "    name: California Mille again\n"
            "    kind: rally\n"
            "    where: California\n"
            "    where_it: California\n"
            "    timezone: America/Los_Angeles\n"
            '    since: "1991"\n'
            "    summary: The same id twice.\n"
            "    summary_it: Lo stesso id due volte.\n"
            "    sources: [seed]\n"
        ),
        "- id: california-mille",
        "events[2].id",
        "duplicate id 'california-mille' (also events.yaml:",
        marker_after="- id: california-mille",
    ),
    Defect(
        "duplicate-edition-year-in-two-files",
        "editions/more-mille-miglia.yaml",
        new_file(
            "# A second file for the same event, repeating a year.\n"
            "event: mille-miglia\n"
            "editions:\n"
            "  - year: 1931\n"
            "    status: held\n"
            "    sources: [seed]\n"
        ),
        "- year: 1931",
        "editions[0].year",
        "duplicate year 1931 for mille-miglia (also editions/mille-miglia.yaml:4)",
    ),
    Defect(
        "duplicate-edition-year-in-one-file",
        EDITIONS,
        append("  - year: 1939\n    status: held\n    sources: [seed]\n"),
        "- year: 1939",
        "editions[3].year",
        "duplicate year 1939 for mille-miglia (also editions/mille-miglia.yaml:",
        marker_after="- year: 2026",
    ),
    Defect(
        "edition-file-names-unknown-event",
        "editions/ghost.yaml",
        new_file(
            "# Editions of an event that events.yaml does not define.\n"
            "event: ghost-rally\n"
            "editions:\n"
            "  - year: 2000\n"
            "    status: held\n"
            "    sources: [seed]\n"
        ),
        "event: ghost-rally",
        "event",
        "no event 'ghost-rally' exists (see events.yaml)",
    ),
    Defect(
        "era-not-defined-for-event",
        EDITIONS,
        replace("    era: revival", "    era: rally"),
        "- year: 2026",
        "editions[2].era",
        "no era of mille-miglia 'rally' exists",
    ),
    Defect(
        "parent-event-unknown",
        "events.yaml",
        replace("    parent: mille-miglia", "    parent: mille-migla"),
        "- id: california-mille",
        "events[1].parent",
        "no event 'mille-migla' exists",
    ),
    Defect(
        "report-names-unknown-edition",
        "reports.yaml",
        replace("    year: 1931", "    year: 1932"),
        "- id: mm-1931-report",
        "reports[0].year",
        "no edition 'mille-miglia/1932' exists",
    ),
    Defect(
        "report-names-unknown-event",
        "reports.yaml",
        replace("    event: mille-miglia", "    event: coppa-delle-alpi"),
        "- id: mm-1931-report",
        "reports[0].event",
        "no event 'coppa-delle-alpi' exists",
    ),
    Defect(
        "fact-about-unknown-person",
        "facts/origins.yaml",
        replace("      people: [aymo-maggi]", "      people: [enzo-ferrari]"),
        "- id: founders",
        "facts[0].about.people",
        "no person 'enzo-ferrari' exists",
    ),
    Defect(
        "fact-about-unknown-edition",
        "facts/origins.yaml",
        replace('      editions: ["mille-miglia/1931"]', '      editions: ["mille-miglia/1999"]'),
        "- id: founders",
        "facts[0].about.editions",
        "no edition 'mille-miglia/1999' exists",
    ),
    Defect(
        "fact-about-unknown-report",
        "facts/origins.yaml",
        replace("      reports: [mm-1931-report]", "      reports: [mm-1932-report]"),
        "- id: founders",
        "facts[0].about.reports",
        "no report 'mm-1932-report' exists",
    ),
    Defect(
        "empty-required-text",
        "people.yaml",
        replace("    name: Aymo Maggi", '    name: ""'),
        'name: ""',
        "people[0].name",
        "must not be empty",
    ),
    Defect(
        "null-required-text",
        "people.yaml",
        replace("    name: Aymo Maggi", "    name:"),
        "name:",
        "people[0].name",
        "required field is empty",
    ),
    Defect(
        "missing-required-field",
        "people.yaml",
        delete("    role: co-founder of the Mille Miglia"),
        "- id: aymo-maggi",
        "people[0].role",
        "required field is missing",
    ),
    Defect(
        "missing-sources",
        "reports.yaml",
        substitute("    sources:\n      - seed\n", ""),
        "- id: mm-1931-report",
        "reports[0].sources",
        "required field is missing",
    ),
    Defect(
        "malformed-url",
        "people.yaml",
        replace(
            "      - https://en.wikipedia.org/wiki/Mille_Miglia", "      - en.wikipedia.org/wiki"
        ),
        "- en.wikipedia.org/wiki",
        "people[0].sources[0]",
        "malformed URL 'en.wikipedia.org/wiki'",
    ),
    Defect(
        "url-with-space",
        EDITIONS,
        replace("      - https://1000miglia.it/en/", "      - https://1000miglia.it/en/ 2026"),
        "- https://1000miglia.it/en/ 2026",
        "editions[2].sources[0]",
        "malformed URL",
    ),
    Defect(
        "unknown-timezone",
        "events.yaml",
        replace("    timezone: Europe/Rome", "    timezone: Europe/Brescia"),
        "timezone: Europe/Brescia",
        "events[0].timezone",
        "unknown time zone 'Europe/Brescia'",
    ),
    Defect(
        "bad-status",
        EDITIONS,
        replace("    status: scheduled", "    status: planned"),
        "status: planned",
        "editions[2].status",
        "expected one of held, no-race, scheduled, cancelled; got 'planned'",
    ),
    Defect(
        "bad-event-kind",
        "events.yaml",
        replace("    kind: tribute", "    kind: parade"),
        "kind: parade",
        "events[1].kind",
        "expected one of race, rally, tribute, concours, spin-off, sponsorship; got 'parade'",
    ),
    Defect(
        "bad-slug",
        "facts/origins.yaml",
        replace("    topic: origins", "    topic: Origins"),
        "topic: Origins",
        "facts[0].topic",
        "'Origins' is not an id (use a-z, 0-9 and dashes)",
    ),
    Defect(
        "fewer-than-three-phrasings",
        "facts/origins.yaml",
        delete("        - who started the mille miglia"),
        "- id: founders",
        "facts[0].phrasings",
        "needs at least 3 phrasings in all (en + it)",
    ),
    Defect(
        "no-italian-phrasing",
        "facts/origins.yaml",
        substitute(
            "      it:\n        - chi ha fondato la mille miglia\n",
            "        - who created the mille miglia\n      it: []\n",
        ),
        "it: []",
        "facts[0].phrasings.it",
        "needs at least 1 item(s)",
    ),
    Defect(
        "unexpected-file",
        "notes.yaml",
        new_file("notes:\n  - remember the milk\n"),
        "notes:",
        "",
        "unexpected file; expected",
    ),
    Defect(
        "unexpected-nested-file",
        "editions/old/mille-miglia.yaml",
        new_file("event: mille-miglia\neditions: []\n"),
        "event:",
        "",
        "unexpected file; expected",
    ),
    Defect(
        "no-race-without-reason",
        EDITIONS,
        delete("    reason: The race was banned after the accident in Bologna in 1938."),
        "- year: 1939",
        "editions[1].reason",
        "an edition with status no-race needs a reason",
    ),
    Defect(
        "no-race-with-winners",
        EDITIONS,
        replace(
            "    reason: The race was banned after the accident in Bologna in 1938.",
            "    reason: Banned.\n    winners:\n      - driver: Nobody",
        ),
        "- year: 1939",
        "editions[1].winners",
        "a year with no race cannot have winners",
    ),
    Defect(
        "list-where-text-expected",
        "places.yaml",
        replace("  - name: Rome", "  - name: [Rome]"),
        "- name: [Rome]",
        "places[0].name",
        "expected a single value, got a list",
    ),
    Defect(
        "text-where-list-expected",
        "places.yaml",
        replace("    aliases: [Roma]", "    aliases: Roma"),
        "aliases: Roma",
        "places[0].aliases",
        "expected a list, got text",
    ),
    Defect(
        "duplicate-key",
        "people.yaml",
        replace(
            "    role: co-founder of the Mille Miglia",
            "    role: co-founder of the Mille Miglia\n    role: founder",
        ),
        "role: founder",
        "people[0].role",
        "duplicate key",
    ),
]


def apply(kb: Path, defect: Defect) -> int:
    """Apply the defect to the knowledge base and return the expected line number."""
    path = kb / defect.file
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    edited = defect.edit(original)
    assert edited != original, f"{defect.id}: the edit changed nothing"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(edited, encoding="utf-8")
    lines = edited.splitlines()
    start = 0
    if defect.marker_after:
        start = next(i for i, line in enumerate(lines) if defect.marker_after in line) + 1
    return next(i for i, line in enumerate(lines) if i >= start and defect.marker in line) + 1


def expected_prefix(defect: Defect, line: int, file: str | None = None) -> str:
    location = f"{file or defect.file}:{line}: "
    return location + (f"{defect.where}: " if defect.where else "")


def run_validate(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["validate", str(directory)])
    out = capsys.readouterr().out
    return code, out.splitlines()


def _defects() -> list[object]:
    return [pytest.param(d, id=d.id) for d in DEFECTS]


@pytest.mark.parametrize("defect", _defects())
def test_defect_is_reported_with_file_line_and_field(
    defect: Defect, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = apply(kb_dir, defect)
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    prefix = expected_prefix(defect, line)
    matching = [o for o in out if o.startswith(prefix) and defect.what in o]
    assert matching, f"no line starting {prefix!r} containing {defect.what!r} in:\n" + "\n".join(
        out
    )
    assert not any(o.startswith("OK:") for o in out)


@pytest.mark.parametrize("defect", _defects())
def test_one_defect_gives_one_message(
    defect: Defect, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apply(kb_dir, defect)
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert len(out) == 1, "\n".join(out)


def test_unknown_event_is_reported_once_per_file(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb_dir / "editions" / "ghost.yaml"
    path.write_text(
        "# Editions of an event that events.yaml does not define.\n"
        "event: ghost-rally\n"
        "editions:\n"
        "  - year: 2000\n"
        "    status: held\n"
        "    sources: [seed]\n"
        "  - year: 2001\n"
        "    status: held\n"
        "    sources: [seed]\n",
        encoding="utf-8",
    )
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    ghost = [o for o in out if o.startswith("editions/ghost.yaml:")]
    assert len(ghost) == 1, "one message per file, not one per edition"
    assert "event: no event 'ghost-rally' exists (see events.yaml)" in ghost[0]


def test_duplicate_event_id_is_one_message(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb_dir / "events.yaml"
    text = replace("  - id: california-mille", "  - id: mille-miglia")(
        path.read_text(encoding="utf-8")
    )
    path.write_text(text, encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert len(out) == 1, "\n".join(out)
    assert (
        "events.yaml:32: events[1].id: duplicate id 'mille-miglia' (also events.yaml:3)" in out[0]
    )


def test_valid_small_kb_prints_ok_with_counts(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_validate(kb_dir, capsys)
    assert code == 0
    assert out == ["OK: 2 events, 3 editions, 1 reports, 1 facts, 3 phrasings, 1 people, 2 places"]


def test_validate_defaults_to_knowledge_dir(
    kb_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 events, 3 editions")


def test_real_knowledge_validates(real_kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_validate(real_kb, capsys)
    assert code == 0, "\n".join(out)
    assert len(out) == 1 and out[0].startswith("OK: ")


def test_all_problems_are_reported_at_once(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb_dir / EDITIONS
    text = path.read_text(encoding="utf-8")
    for edit in (
        replace("        car: Mercedes-Benz SSKL", "        car: yes"),
        replace("    starters: 99", '    starters: "99"'),
        replace("    status: scheduled", "    status: planned"),
    ):
        text = edit(text)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line_of(marker: str) -> int:
        return next(i for i, line in enumerate(lines) if marker in line) + 1

    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert out == [
        f"{EDITIONS}:{line_of('car: yes')}: editions[0].winners[0].car: "
        "expected a string, got bool (quote the value)",
        f"{EDITIONS}:{line_of('starters: ')}: editions[0].starters: "
        "expected a whole number, got text '99'",
        f"{EDITIONS}:{line_of('status: planned')}: editions[2].status: "
        "expected one of held, no-race, scheduled, cancelled; got 'planned'",
    ]


def test_problems_in_several_files_are_all_reported(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for relative, edit in (
        ("people.yaml", replace("    role: co-founder of the Mille Miglia", "    role: no")),
        ("places.yaml", replace("    aliases: [Roma]", "    alias: [Roma]")),
        ("reports.yaml", replace("    kind: report", "    kind: review")),
    ):
        path = kb_dir / relative
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert [o.split(":")[0] for o in out] == ["people.yaml", "places.yaml", "reports.yaml"]


def test_missing_folder_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_validate(tmp_path / "nowhere", capsys)
    assert code == 1
    assert len(out) == 1 and "knowledge folder not found" in out[0]


def test_empty_file_is_a_problem(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb_dir / "places.yaml").write_text("# nothing yet\n", encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert out == ["places.yaml:1: file is empty"]


REAL_FILES = sorted(
    p.relative_to(Path(__file__).resolve().parent.parent / "knowledge").as_posix()
    for p in knowledge_files(Path(__file__).resolve().parent.parent / "knowledge")
)


def test_real_file_list_is_complete() -> None:
    """Guard for the parametrisation below: every kind of file is covered."""
    assert {"events.yaml", "reports.yaml", "people.yaml", "places.yaml"} <= set(REAL_FILES)
    assert any(f.startswith("editions/") for f in REAL_FILES)
    assert any(f.startswith("facts/") for f in REAL_FILES)


@pytest.mark.parametrize("relative", REAL_FILES)
def test_bogus_key_appended_to_real_file(
    relative: str, real_kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "copy"
    shutil.copytree(real_kb, kb)
    path = kb / relative
    text = append("bogus_key: 1\n")(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    last_line = len(text.splitlines())
    code, out = run_validate(kb, capsys)
    assert code == 1
    assert len(out) == 1, "\n".join(out)
    assert out[0].startswith(f"{relative}:{last_line}: bogus_key: unknown key 'bogus_key'")


def test_a_yml_file_is_reported_not_ignored(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_dir / "facts" / "extra.yml").write_text("facts: []\n", encoding="utf-8")
    code, out = run_validate(kb_dir, capsys)
    assert code == 1
    assert out == ["facts/extra.yml:1: the bot reads only .yaml files: rename it to .yaml"]
