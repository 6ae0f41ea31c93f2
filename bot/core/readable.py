"""What a reply reads like: no curator jargon, no block said twice, no false disagreements.

Applied once to every reply, in ``Draft.finish`` (issue 14), so it holds whatever handler or
language drafted the lines:

- curator shorthand in knowledge texts ("the seed page", "(not checked)") is rewritten as a
  reader understands it (rules in ``wording.yaml``);
- a line that repeats an earlier one is dropped: the same line twice, a line that only repeats
  a mark ("Taruffi drove solo." under "Taruffi (solo)"), a line whose text (after its label)
  an earlier line already holds ("Route: route diverted through Mantua" under "Distance: about
  1,597 km; route diverted through Mantua"), an earlier line that a later one holds whole (the
  later, fuller one is kept), a "sources differ" line retelling an earlier one in other words
  (an event's conflict and a fact's), and on a person's card a paragraph whose words an
  earlier paragraph already says (a fact retelling the card's summary);
- parentheses inside parentheses become brackets, as style guides ask ("Field: 435 entries
  (435 official entries [MMR] / 451 cars [Quill & Pad])"): a car name with its own brackets
  inside a list of wins, a source inside a field note;
- a "sources differ" line whose values are one figure in two units (157.65 km/h and
  97.95 mph) is no disagreement: it is dropped, and in a real disagreement such a pair is
  joined by "=" instead of "vs". Any other conflict is always kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.core.i18n import t
from bot.core.text import normalise, words

KMH_PER_MPH = 1.609344
# Two speeds are one value when they differ by less than this share: the rounding of a
# conversion (97.95 mph is 157.635 km/h, given as 157.65), never a real disagreement
# (98.53 mph is 0.6% away).
SAME_SPEED = 0.0005
# A paragraph is a repeat when at least this share of its words (of at least MIN_WORDS
# words of three letters or more) are in one earlier line.
REPEAT_SHARE = 0.85
MIN_WORDS = 6
# A text held whole by another line is a repeat when it is at least this long: shorter ones
# ("1,600 km", "Brescia - Rome") are figures and names that lines rightly share.
MIN_HELD = 20
# Two "sources differ" lines are one disagreement when this share of the words of the later
# one are in the earlier one (the same conflict written for an event and for a fact).
SAME_CONFLICT = 0.8
# A label before a line's text: "Route: ", "Eligible cars: ", "Percorso: ", or the subject of
# a list's line ("Lo Stile Mille Miglia Concorso d'Eleganza: ...").
_LABEL = re.compile(r"^[^:.;()]{1,60}:\s+")

_SPEED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km/h|mph)\b")
_PARTS = re.compile(r"\s+(vs\.?|contro)\s+")


@lru_cache(maxsize=1)
def _rules() -> tuple[
    tuple[tuple[re.Pattern[str], str], ...], tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("bot.core").joinpath("wording.yaml").read_text("utf-8")
    )
    rewrite = tuple((re.compile(old), new) for old, new in data["rewrite"])
    redundant = tuple((re.compile(r["line"]), re.compile(r["after"])) for r in data["redundant"])
    return rewrite, redundant


def reader_text(text: str) -> str:
    """``text`` with curator shorthand rewritten for readers."""
    for pattern, new in _rules()[0]:
        text = pattern.sub(new, text)
    return text


def readable_lines(
    lines: list[str], title: str | None = None, paragraphs: bool = False
) -> list[str]:
    """The lines of a reply as a reader should get them (see the module's docstring).

    ``paragraphs``: also drop a paragraph whose words an earlier one already says. Only for
    replies made of prose about one subject (a person's card): in an answer about an edition,
    a short answer line ("Yes: Assisi is on the route ...") shares its words with a long note
    and must stay.
    """
    differ = t("answers.labels.sources_differ", text="")
    kept: list[str] = []
    for raw in lines:
        line = unnested(reader_text(raw))
        if line.startswith(differ) and differ:
            conflict = conflict_reading(line[len(differ) :])
            if conflict is None or _same_conflict(conflict, kept, differ):
                continue
            line = differ + conflict
        elif _repeats(line, kept, title, paragraphs):
            continue
        elif (said := _held(line, kept)) is not None:
            if said >= 0:  # "Eligible cars: X" then "X": the sentence, without its label
                kept[said] = line
            continue
        else:  # a fuller line replaces one it holds whole (never the reply's first line)
            kept = kept[:1] + [e for e in kept[1:] if e.startswith(differ) or not _holds(line, e)]
        kept.append(line)
    return kept


def _body(line: str) -> str:
    """A line's text without its label ("Route: X" -> "X"), without a closing full stop."""
    return _LABEL.sub("", line, count=1).rstrip(". ")


def _held(line: str, earlier: list[str]) -> int | None:
    """Whether an earlier line already holds this line's text whole: None when none does;
    else the index of a labelled line this bare one should stand for (-1: just drop it).

    Lines of a list say the same of different subjects ("Coppa delle Alpi: dates not
    announced yet", "1000 Miglia Green: dates not announced yet"): those are no repeat.
    """
    body = _body(line)
    if len(body) < MIN_HELD:
        return None
    bare = line.rstrip(". ") == body  # no label of its own
    for n, e in enumerate(earlier):
        if body not in e:
            continue
        if body == _body(e) and not bare:
            continue  # the same words of another subject (or field)
        return n if bare and body == _body(e) != e.rstrip(". ") else -1
    return None


def _holds(line: str, earlier: str) -> bool:
    """Whether ``line`` holds an earlier line's text whole, so the earlier one can go."""
    body = _body(earlier)
    return len(body) >= MIN_HELD and body in line and body != _body(line)


def _same_conflict(text: str, kept: list[str], differ: str) -> bool:
    own = _content(text)
    return bool(own) and any(
        len(own & _content(e)) >= SAME_CONFLICT * len(own) for e in kept if e.startswith(differ)
    )


def unnested(line: str) -> str:
    """Parentheses within parentheses as brackets; a line whose parentheses do not pair up
    is left as it is (a smiley, a numbered list "1)")."""
    out: list[str] = []
    depth = 0
    for char in line:
        if char == "(":
            out.append("(" if depth == 0 else "[")
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return line
            out.append(")" if depth == 0 else "]")
        else:
            out.append(char)
    return "".join(out) if depth == 0 else line


def _repeats(line: str, earlier: list[str], title: str | None, paragraphs: bool) -> bool:
    if not line.strip() or line in earlier:
        return bool(line.strip())
    _, redundant = _rules()
    for pattern, after in redundant:
        if pattern.search(line) and any(after.search(e) for e in (*earlier, title or "")):
            return True
    own = _content(line)
    if not paragraphs or len(own) < MIN_WORDS:
        return False
    return any(len(own & _content(e)) >= REPEAT_SHARE * len(own) for e in earlier)


def _content(line: str) -> set[str]:
    return {w for w in words(normalise(line)) if len(w) >= 3}


def conflict_reading(text: str) -> str | None:
    """A conflict's text as shown: None when its values are one speed in two units; "="
    between a value and its conversion; otherwise unchanged."""
    pieces = _PARTS.split(text)
    parts, seps = pieces[0::2], pieces[1::2]
    speeds = [_speed(part) for part in parts]
    if len(parts) < 2 or any(s is None for s in speeds):
        return text  # not a list of speeds: not ours to judge
    values = [s for s in speeds if s is not None]
    if all(_same(values[0], v) for v in values[1:]):
        return None
    out = parts[0]
    for n in range(1, len(parts)):
        joint = "=" if _same(values[n - 1], values[n]) else seps[n - 1]
        out += f" {joint} {parts[n]}"
    return out


def _speed(part: str) -> float | None:
    """The first speed of a part, in km/h; None when it gives none."""
    found = _SPEED.search(part)
    if found is None:
        return None
    value = float(found[1].replace(",", "."))
    return value * KMH_PER_MPH if found[2] == "mph" else value


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_SPEED * max(a, b)
