"""Event-level conflicts: where sources disagree about an event, say so wherever the value shows.

Edition conflicts are printed by the answer that shows the field they concern. An event's
conflicts (``conflicts:`` in ``events.yaml``) concern one or more of its fields, named in
``field`` (comma-separated when the value appears in several, e.g. ``where, notes``):

- an event field (``where``, ``format``, ``eligibility``, ``organiser``, ``summary``): the
  conflict is shown whenever a reply shows that field's text;
- ``notes`` or ``eras``: the note (or era summary) it concerns is the one sharing the most words
  with the conflict, and the conflict is shown whenever a reply shows that note;
- an edition field (``dates``, ``winners``, ``entries``...): the conflict is shown with the
  editions of the event whose year it names;
- ``since``: the answer about the start year already prints these itself.

A reply that does not show the value but answers a question using the conflict's own words
("when did it move to Patagonia?") gets it too, when it is about that event. Nothing is
printed twice. This runs once on the chosen draft, so every handler gets it for free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t
from bot.core.lexicon import lexicon
from bot.core.matcher import stem
from bot.core.model import Event, Knowledge
from bot.core.reply import Draft
from bot.core.text import normalise, words
from bot.core.understand import Query

MIN_WORD = 5  # shorter words ("with", "race") say nothing about which value a conflict concerns
SAME_CONFLICT = 0.6  # a line already holding this share of a conflict's words is that conflict
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_TEXT_FIELDS = ("where", "organiser", "format", "eligibility", "summary")
_SHOWN_ELSEWHERE = frozenset({"since"})  # answer.py prints start-year conflicts itself
_PARENT = "summary"  # "recognised by the Mille Miglia organisation" is said in the summary


@dataclass(frozen=True)
class Anchored:
    """One event conflict with the texts (or editions) whose showing calls for it."""

    event: str
    text: str
    anchors: tuple[str, ...]
    editions: tuple[str, ...]
    words: frozenset[str]


def fields_of(field: str | None) -> list[str]:
    """``"where, notes"`` -> ``["where", "notes"]``."""
    return [f.strip() for f in (field or "").split(",") if f.strip()]


class EventConflicts:
    """The event conflicts of one knowledge base, anchored once at load."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.stop = lexicon().stopwords
        self.items: list[Anchored] = []
        years = {(ed.event, ed.year) for ed in knowledge.editions}
        for event in knowledge.events:
            names = self._name_words(event)
            for conflict in event.conflicts:
                own = self._words(conflict.text) - names
                anchors: list[str] = []
                editions: list[str] = []
                for field in fields_of(conflict.field):
                    anchors.extend(self._anchors(event, field, own))
                    if field not in _TEXT_FIELDS and field not in ("notes", "eras", "parent"):
                        editions.extend(
                            f"{event.id}/{y}"
                            for y in sorted({int(m) for m in _YEAR.findall(conflict.text)})
                            if (event.id, y) in years
                        )
                self.items.append(
                    Anchored(event.id, conflict.text, tuple(anchors), tuple(editions), own)
                )
        self.events = {e.id: e for e in knowledge.events}
        self.names = {e.id: self._name_words(e) for e in knowledge.events}
        self.by_event: dict[str, list[Anchored]] = {}
        for item in self.items:
            self.by_event.setdefault(item.event, []).append(item)

    def _anchors(self, event: Event, field: str, own: frozenset[str]) -> list[str]:
        if field in _SHOWN_ELSEWHERE:
            return []
        if field == "parent":
            field = _PARENT
        if field in _TEXT_FIELDS:
            value = getattr(event, field)
            return [value] if value else []
        items = {
            "notes": list(event.notes),
            "eras": [e.summary for e in event.eras],
        }.get(field, [])
        if not items:
            return []
        best = max(items, key=lambda text: len(own & self._words(text)))
        return [best]

    def _words(self, text: str) -> frozenset[str]:
        return frozenset(
            stem(w)
            for w in words(normalise(text))
            if (len(w) >= MIN_WORD or w.isdigit()) and w not in self.stop
        )

    def _name_words(self, event: Event) -> frozenset[str]:
        return frozenset(
            stem(w) for n in (event.name, event.id, *event.aliases) for w in words(normalise(n))
        )

    def add_to(self, draft: Draft, q: Query) -> None:
        """Append every event conflict the draft's lines call for, once each."""
        candidates = self._candidates(draft, "\n".join(draft.lines), q)
        if not candidates:
            return
        shown = "\n".join(draft.lines)
        asked = frozenset(w for w in self._words(" ".join(q.tokens)) if not w.isdigit())
        for item in candidates:
            if not self._calls_for(item, draft, shown, q, asked):
                continue
            if item.text not in shown and not self._said(item, draft.lines):
                draft.lines.append(t("answers.labels.sources_differ", text=item.text))
                shown += "\n" + item.text

    def _candidates(self, draft: Draft, shown: str, q: Query) -> list[Anchored]:
        """The conflicts of the events this reply is about: named in the question, the title,
        the edition shown or the lines; the default event when the question names none. Only
        these are checked, so the cost does not grow with the number of events."""
        about = set(q.events) if q.events else {DEFAULT_EVENT}
        if draft.edition:
            about.add(draft.edition.rsplit("/", 1)[0])
        for event_id in self.by_event:
            if event_id not in about:
                name = self.events[event_id].name
                if (draft.title or "").startswith(name) or name in shown:
                    about.add(event_id)
        return [item for event_id in about for item in self.by_event.get(event_id, ())]

    def _said(self, item: Anchored, lines: list[str]) -> bool:
        """The same disagreement already printed, in other words (an edition's or a fact's own
        conflict often restates the event's)."""
        own = {w for w in item.words if not w.isdigit()}  # dates and counts recur everywhere
        prefix = t("answers.labels.sources_differ", text="")
        said = [line for line in lines if line.startswith(prefix)]
        if not own:
            return False
        return any(len(own & self._words(line)) >= SAME_CONFLICT * len(own) for line in said)

    def _calls_for(
        self, item: Anchored, draft: Draft, shown: str, q: Query, asked: frozenset[str]
    ) -> bool:
        if any(anchor in shown for anchor in item.anchors):
            return True
        if draft.edition and draft.edition in item.editions:
            return True
        if not asked or not (item.event in q.events or draft.title == self.events[item.event].name):
            return False
        return bool((asked - self.names[item.event]) & item.words)
