"""Reply texts by language: one catalogue per language, kept as data in ``locales/<lang>/``.

Each language is a folder of YAML files, one per area (``answers.yaml``, ``commands.yaml``,
``dates.yaml``...); a key is ``<file stem>.<dotted path>``, so ``answers.yaml``'s
``card: {dates: ...}`` is ``answers.card.dates``. Texts are ``str.format`` templates. Every key
exists in every language (a test checks it), so a reply never falls back half-way. The
knowledge's own texts are Italian in an Italian reply through the Italian view of the knowledge
(``localise``), not through these catalogues.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DEFAULT = "en"
LANGUAGES = ("en", "it")


@dataclass(frozen=True)
class Catalogue:
    """The texts of one language; call it with a key and the values of its placeholders."""

    lang: str
    texts: Mapping[str, str]
    lists: Mapping[str, tuple[str, ...]]

    def __call__(self, key: str, /, **values: Any) -> str:
        return self.texts[key].format(**values)

    def words(self, key: str) -> tuple[str, ...]:
        """A list entry (month names, weekdays)."""
        return self.lists[key]


def _flatten(
    prefix: str, node: Any, texts: dict[str, str], lists: dict[str, tuple[str, ...]]
) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}", value, texts, lists)
    elif isinstance(node, list):
        lists[prefix] = tuple(str(item) for item in node)
    else:
        texts[prefix] = str(node)


@lru_cache(maxsize=len(LANGUAGES))
def _load(lang: str) -> Catalogue:
    folder = resources.files("bot.core").joinpath("locales").joinpath(lang)
    texts: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text("utf-8")) or {}
            _flatten(entry.name.removesuffix(".yaml"), data, texts, lists)
    return Catalogue(lang, texts, lists)


def catalogue(lang: str | None) -> Catalogue:
    """The catalogue for ``lang`` (a Telegram language_code such as ``it`` or ``it-IT``)."""
    code = (lang or DEFAULT).lower().split("-")[0].split("_")[0]
    return _load(code if code in LANGUAGES else DEFAULT)


_current: ContextVar[Catalogue | None] = ContextVar("catalogue", default=None)


@contextmanager
def using(lang: str | None) -> Iterator[Catalogue]:
    """Build replies in ``lang`` inside this block."""
    token = _current.set(catalogue(lang))
    try:
        yield current()
    finally:
        _current.reset(token)


def current() -> Catalogue:
    return _current.get() or catalogue(DEFAULT)


def t(key: str, /, **values: Any) -> str:
    """A text of the current language."""
    return current()(key, **values)
