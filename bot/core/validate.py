"""Check YAML nodes against the schema, keeping every problem with its file, line and field.

We walk the composed node tree (``yaml.compose``) rather than ``safe_load`` output because the
nodes still carry line numbers and tell a quoted ``"yes"`` from a bare ``yes``: that is what
lets us say "expected a string, got bool (quote the value)" instead of silently loading True.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.core.schema import ITALIAN_SUFFIX, Spec

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
SEED_SOURCE = "seed"

_TAG_NAMES = {
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:str": "text",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing an editor has to fix, printed as ``file:line: where: what``."""

    file: str
    line: int
    where: str
    what: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}"
        return (
            f"{location}: {self.where}: {self.what}" if self.where else f"{location}: {self.what}"
        )


class Invalid:
    """Marks a value that failed its check; the problem has already been recorded."""


INVALID = Invalid()
LINE_KEY = "_line"
INDEX_KEY = "_index"
INVALID_KEYS = "_invalid"
KEY_LINES_KEY = "_key_lines"


def _tag_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, node.tag)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class NodeChecker:
    """Validates one file's node tree; collects problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node, where: str, what: str) -> Invalid:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, where, what))
        return INVALID

    def check(self, node: yaml.Node, spec: Spec, where: str) -> Any:
        """Return the checked Python value, None for an explicit null, or INVALID."""
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return None
        if spec.kind == "map":
            return self._mapping(node, spec, where)
        if spec.kind == "list":
            return self._list(node, spec, where)
        return self._scalar(node, spec, where)

    def _mapping(self, node: yaml.Node, spec: Spec, where: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self.problem(
                node, where, f"expected a mapping (key: value), got {_tag_name(node)}"
            )
        result: dict[str, Any] = {LINE_KEY: node.start_mark.line + 1}
        seen: set[str] = set()
        keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_where = _join(where, key)
            if key in seen:
                self.problem(key_node, key_where, "duplicate key")
                continue
            seen.add(key)
            keys[key] = key_node
            result.setdefault(KEY_LINES_KEY, {})[key] = key_node.start_mark.line + 1
            if key not in spec.fields:
                hint = difflib.get_close_matches(key, list(spec.fields), n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                allowed = ", ".join(spec.fields)
                self.problem(
                    key_node, key_where, f"unknown key {_shown(key)}{suffix}; allowed: {allowed}"
                )
                continue
            value = self.check(value_node, spec.fields[key], key_where)
            if value is None and spec.fields[key].required:
                self.problem(value_node, key_where, "required field is empty")
            elif value is INVALID:
                result.setdefault(INVALID_KEYS, set()).add(key)
            elif value is not None:
                result[key] = value
        for key, field_spec in spec.fields.items():
            if field_spec.required and key not in seen:
                self.problem(node, _join(where, key), "required field is missing")
        self._italian(spec, keys, result, where)
        return result

    def _italian(
        self, spec: Spec, keys: dict[str, yaml.Node], result: dict[str, Any], where: str
    ) -> None:
        """Every text a reply shows has its Italian version, item for item in a list."""
        for key in spec.italian:
            italian = key + ITALIAN_SUFFIX
            if key in keys and italian not in keys:
                what = f"missing Italian version: add {italian} beside {key}"
                self.problem(keys[key], _join(where, italian), what)
            elif isinstance(result.get(key), list) and isinstance(result.get(italian), list):
                english, translated = len(result[key]), len(result[italian])
                if english != translated:
                    what = f"{translated} Italian item(s) for {english} in {key}: one per item"
                    self.problem(keys[italian], _join(where, italian), what)

    def _list(self, node: yaml.Node, spec: Spec, where: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return self.problem(node, where, f"expected a list, got {_tag_name(node)}")
        assert spec.item is not None
        items = []
        for index, item_node in enumerate(node.value):
            value = self.check(item_node, spec.item, f"{where}[{index}]")
            if value is None:
                self.problem(item_node, f"{where}[{index}]", "empty list item")
            elif value is not INVALID:
                if isinstance(value, dict):
                    value[INDEX_KEY] = index  # positions in messages match the file
                items.append(value)
        if len(node.value) < spec.min_items:
            self.problem(node, where, f"needs at least {spec.min_items} item(s)")
        return items

    def _scalar(self, node: yaml.Node, spec: Spec, where: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return self.problem(node, where, f"expected a single value, got {_tag_name(node)}")
        if spec.kind == "int":
            return self._number(node, where, int)
        if spec.kind == "float":
            return self._number(node, where, float)
        if spec.kind == "date":
            return self._date(node, where)
        if node.tag != "tag:yaml.org,2002:str":
            got = _tag_name(node)
            return self.problem(node, where, f"expected a string, got {got} (quote the value)")
        value = str(node.value).strip()
        if not value:
            return self.problem(node, where, "must not be empty")
        return self._string_kind(node, spec, where, value)

    def _string_kind(self, node: yaml.Node, spec: Spec, where: str, value: str) -> Any:
        if spec.kind == "slug" and not SLUG.match(value):
            return self.problem(
                node, where, f"{_shown(value)} is not an id (use a-z, 0-9 and dashes)"
            )
        if spec.kind == "url" and len(value) > MAX_URL:
            return self.problem(
                node, where, f"URL of {len(value):,} characters; at most {MAX_URL:,}"
            )
        if spec.kind == "url" and not is_source(value):
            return self.problem(node, where, f"malformed URL {_shown(value)}")
        if spec.kind == "enum" and value not in spec.choices:
            return self.problem(
                node, where, f"expected one of {', '.join(spec.choices)}; got {_shown(value)}"
            )
        if spec.kind == "tz":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
                return self.problem(node, where, f"unknown time zone {_shown(value)}")
        return value

    def _number(self, node: yaml.ScalarNode, where: str, kind: type[int] | type[float]) -> Any:
        allowed = (
            ("tag:yaml.org,2002:int",)
            if kind is int
            else ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        )
        if node.tag not in allowed:
            expected = "a whole number" if kind is int else "a number"
            return self.problem(
                node, where, f"expected {expected}, got {_tag_name(node)} {_shown(node.value)}"
            )
        try:
            return kind(str(node.value).replace("_", ""))
        except ValueError:
            return self.problem(node, where, f"unreadable number {_shown(node.value)}")

    def _date(self, node: yaml.ScalarNode, where: str) -> Any:
        text = str(node.value).strip()
        match = ISO_DATE.match(text)
        if node.tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str") or not match:
            return self.problem(
                node, where, f"expected a date YYYY-MM-DD, got {_tag_name(node)} {_shown(text)}"
            )
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return self.problem(node, where, f"impossible date {_shown(text)}")


MAX_URL = 2000
"""Characters in a source URL: browsers and Telegram links work well below it, and a longer one
made every answer citing it too long to send."""
MAX_SHOWN = 60
"""Characters of a value quoted in a problem: enough to find it, never a whole line of a file."""


def _shown(value: object) -> str:
    """A value quoted in a problem, cut to MAX_SHOWN characters on one line."""
    text = " ".join(str(value).split())
    return f"'{text}'" if len(text) <= MAX_SHOWN else f"'{text[: MAX_SHOWN - 1]}…'"


def is_source(value: str) -> bool:
    """A source is an http(s) URL with a host, or ``seed`` for the seed news page."""
    if value == SEED_SOURCE:
        return True
    if len(value) > MAX_URL or any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    host = (parts.hostname or "").rstrip(".")  # "issuu.com." is a valid, fully qualified host
    return parts.scheme in ("http", "https") and "." in host
