"""Scoring a question file, with the same rules as ``shared/eval/score.py``.

Kept in the product so curators can measure any question set with ``millebot eval`` and see
per-tag figures, without needing the shared scorer or a subprocess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.reply import Reply


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", _norm(text))


def contains(term: str, text: str) -> bool:
    """Whether an answer contains a term, ignoring case, accents and punctuation."""
    return _norm(term) in _norm(text) or (_compact(term) != "" and _compact(term) in _compact(text))


def judge(item: dict[str, Any], kind: str, text: str) -> tuple[bool, str]:
    for bad in item.get("forbid", []):
        if contains(str(bad), text):
            return False, f"forbidden {bad!r}"
    expect = item["expect"]
    if expect == "unknown":
        return kind != "answer", f"kind={kind}"
    if kind != "answer" and not item.get("any_kind"):
        return False, f"kind={kind}"
    for term in expect:
        options = term if isinstance(term, list) else [term]
        if not any(contains(str(o), text) for o in options):
            return False, f"missing {options!r}"
    return True, ""


@dataclass
class EvalResult:
    failures: list[str] = field(default_factory=list)
    per_tag: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    answered: list[int] = field(default_factory=lambda: [0, 0])
    abstained: list[int] = field(default_factory=lambda: [0, 0])
    # Replies of kind "answer" that were wrong: a wrong fact, or an answer where the bot should
    # have said it does not know. The worst thing the bot can do, so it is counted apart.
    confidently_wrong: int = 0

    @property
    def total(self) -> float:
        good = self.answered[0] + self.abstained[0]
        return 100.0 * good / max(1, self.answered[1] + self.abstained[1])

    def report(self) -> str:
        lines = list(self.failures)
        lines.append("")
        for tag, (good, total) in sorted(self.per_tag.items()):
            lines.append(f"  {tag:12} {good:3}/{total:<3}")
        a, u = self.answered, self.abstained
        lines.append(
            f"score: {a[0]}/{a[1]} answered right, {u[0]}/{u[1]} abstained right, "
            f"total {self.total:.1f}%, confidently wrong {self.confidently_wrong}"
        )
        return "\n".join(lines)


def evaluate(path: Path, ask: Callable[[list[str]], Reply]) -> EvalResult:
    """Score a question file; ``ask`` answers a conversation's turns (one turn for ``q:``)
    and returns the reply to the last, which the item is judged on."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = EvalResult()
    for item in items:
        turns = [str(t).replace("\n", " ") for t in (item.get("turns") or [item["q"]])]
        question = " -> ".join(turns)
        reply = ask(turns)
        good, why = judge(item, reply.kind.value, reply.text)
        tag = item.get("tag", "-")
        result.per_tag[tag][0] += good
        result.per_tag[tag][1] += 1
        bucket = result.abstained if item["expect"] == "unknown" else result.answered
        bucket[0] += good
        bucket[1] += 1
        if not good and reply.kind.value == "answer":
            result.confidently_wrong += 1
        if not good:
            snippet = reply.text.replace("\n", " / ")[:160]
            result.failures.append(f"FAIL [{tag}] {question!r}: {why} :: {snippet}")
    return result
