"""What a reload changed, in terms an admin recognises: which editions, facts and reports.

An admin who edits the YAML and reloads wants to see that the edit landed, and only that edit:
items are compared without their ``file`` and ``line``, so reformatting a file or moving an item
to another file does not show up as a change, while a new winner or a corrected date does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.core.model import Knowledge

# A chat line must stay short even after a mass edit: name this many keys, count the rest.
MAX_NAMED = 8

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """The keys of one kind of item that a reload added, changed or removed (each sorted)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def summary(self, label: str) -> str:
        """One line such as ``Editions: 1 added (mille-miglia/2027), 2 removed (a, b)``."""
        groups = [(verb, keys) for verb, keys in self._groups() if keys]
        quotas = _share(MAX_NAMED, [len(keys) for _, keys in groups])
        parts = [
            f"{len(keys)} {verb} ({_named(keys, quota)})"
            for (verb, keys), quota in zip(groups, quotas, strict=True)
        ]
        return f"{label}: " + ", ".join(parts)

    def _groups(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        yield "added", self.added
        yield "changed", self.changed
        yield "removed", self.removed


@dataclass(frozen=True)
class KnowledgeDiff:
    """Changes per kind of item between two loaded knowledge bases."""

    editions: Changes = Changes()
    facts: Changes = Changes()
    reports: Changes = Changes()
    events: Changes = Changes()
    people: Changes = Changes()
    places: Changes = Changes()

    @property
    def is_empty(self) -> bool:
        return all(changes.is_empty for _, changes in self.kinds())

    def kinds(self) -> Iterator[tuple[str, Changes]]:
        """Each kind with its label, most asked-about first (the order of the chat lines)."""
        for item in dataclasses.fields(self):
            yield item.name.capitalize(), getattr(self, item.name)

    def summary_lines(self) -> list[str]:
        """Lines for the admin's chat; kinds without changes are left out."""
        if self.is_empty:
            return ["No changes to editions, facts, reports, events, people or places."]
        return [changes.summary(label) for label, changes in self.kinds() if not changes.is_empty]


def diff_knowledge(old: Knowledge, new: Knowledge) -> KnowledgeDiff:
    """Compare two knowledge bases item by item, keyed the way the YAML refers to items."""
    return KnowledgeDiff(
        editions=_changes(old.editions, new.editions, lambda e: e.key),
        facts=_changes(old.facts, new.facts, lambda f: f.id),
        reports=_changes(old.reports, new.reports, lambda r: r.id),
        events=_changes(old.events, new.events, lambda e: e.id),
        people=_changes(old.people, new.people, lambda p: p.id),
        places=_changes(old.places, new.places, lambda p: p.name),
    )


def _changes(old: Iterable[T], new: Iterable[T], key: Callable[[T], str]) -> Changes:
    before = {key(item): _content(item) for item in old}
    after = {key(item): _content(item) for item in new}
    return Changes(
        added=tuple(sorted(after.keys() - before.keys())),
        changed=tuple(sorted(k for k in after.keys() & before.keys() if after[k] != before[k])),
        removed=tuple(sorted(before.keys() - after.keys())),
    )


def _content(item: Any) -> Any:
    """The item without where it sits in the files: moving it is not a change for users."""
    names = {f.name for f in dataclasses.fields(item)}
    if {"file", "line"} <= names:
        return dataclasses.replace(item, file="", line=0)
    return item


def _share(budget: int, sizes: list[int]) -> list[int]:
    """Split ``budget`` names between groups one at a time, so every group gets some."""
    quotas = [0] * len(sizes)
    while budget > 0 and any(q < s for q, s in zip(quotas, sizes, strict=True)):
        for index, size in enumerate(sizes):
            if budget > 0 and quotas[index] < size:
                quotas[index] += 1
                budget -= 1
    return quotas


def _named(keys: tuple[str, ...], quota: int) -> str:
    shown = ", ".join(keys[:quota])
    rest = len(keys) - quota
    return f"{shown} and {rest} more" if rest else shown
