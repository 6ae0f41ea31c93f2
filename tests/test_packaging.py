"""The first run (issue 14): pyproject.toml declares its licence in today's form (PEP 639), so
installing prints no setuptools deprecation box about the licence."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_is_an_spdx_string_with_its_file() -> None:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    assert project["license"] == "MIT"  # the table form {text = ...} is deprecated
    assert project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    classifiers = project.get("classifiers", [])
    assert not [c for c in classifiers if c.startswith("License ::")]  # deprecated with SPDX


def test_the_build_needs_a_setuptools_that_reads_the_spdx_licence() -> None:
    build = pyproject()["build-system"]
    assert isinstance(build, dict)
    found = [re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", r) for r in build["requires"]]
    versions = [int(m[1]) for m in found if m]
    assert versions and versions[0] >= 77
