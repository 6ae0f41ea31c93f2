"""What the core answers: plain data that every front end renders in its own way.

No Telegram types and no markup here: the console prints ``Reply.text``, the Telegram adapter
builds escaped HTML from the same fields, so both always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.i18n import Catalogue, catalogue, current, t
from bot.core.model import Report
from bot.core.readable import readable_lines, reader_text


class Kind(StrEnum):
    ANSWER = "answer"  # a confident answer to what was asked
    CLARIFY = "clarify"  # two or more close candidates; see suggestions
    UNKNOWN = "unknown"  # the bot cannot answer this (it may still say what it does know)


@dataclass(frozen=True)
class ReportLink:
    """A news report an answer rests on."""

    title: str
    site: str
    url: str | None = None
    author: str | None = None
    photos_by: str | None = None  # shown with the report; not part of the JSON contract

    @classmethod
    def of(cls, report: Report) -> ReportLink:
        return cls(report.title, report.site, report.url, report.author, report.photos_by)

    def credits(self, texts: Catalogue) -> str:
        """' by Dennis Gray, photos by Bob Ross': who wrote it and who took its photos."""
        if self.author and self.photos_by == self.author:  # not "by X, photos by X"
            return texts("answers.labels.report_by_and_photos", author=self.author)
        by = texts("answers.labels.report_by", author=self.author) if self.author else ""
        if self.photos_by:
            by += texts("answers.labels.report_photos", name=self.photos_by)
        return by

    def plain(self, texts: Catalogue | None = None) -> str:
        texts = texts or current()
        where = f" ({self.url})" if self.url else f" ({self.site})"
        return f"{self.title}{self.credits(texts)}{where}"


ACTIVE_MARK = "• "  # before the label of the tab shown
PROSE_TOPICS = frozenset({"person"})  # replies whose paragraphs may retell each other


def unlinked_note(reports: tuple[ReportLink, ...], texts: Catalogue) -> str | None:
    """Said once under the reports when some have no web address: a linked report is a link
    (Telegram) or shows its address (console), so the rest need no "no address" each."""
    missing = sum(1 for r in reports if not r.url)
    if not missing:
        return None
    if len(reports) == 1:
        return texts("answers.labels.report_unlinked")
    if missing == len(reports):
        return texts("answers.labels.reports_none_linked")
    return texts("answers.labels.reports_some_unlinked")


@dataclass(frozen=True)
class Button:
    """A follow-up a front end can offer as a button: tapping it asks ``ask`` as if typed.

    ``ask`` is a command or question the core understands, so a button means the same in
    every front end and survives a restart (nothing to look up in memory).
    """

    label: str
    ask: str
    # A view of what the message already shows (an edition card's tabs, the steps of the
    # year picker): a front end that can, switches the message it sits on instead of
    # answering below it, so the chat does not fill up with cards.
    in_place: bool = False
    active: bool = False  # the view shown now (a tab bar marks it)
    # A suggested next question (issue 11, answering/followups.py): laid out apart from tabs.
    followup: bool = False

    @property
    def shown(self) -> str:
        """The label as a front end shows it: the active tab marked, "• Route"."""
        return f"{ACTIVE_MARK}{self.label}" if self.active else self.label


@dataclass(frozen=True)
class Picture:
    """A picture a reply comes with (a route map or a chart), named, not drawn.

    Front ends draw it with ``bot.core.drawing.draw`` (or take it from the picture cache)
    and send it with the reply's text as its caption; the console just names it. ``key``
    changes with the knowledge's digest, so a new knowledge version is drawn afresh.
    """

    kind: str  # "map" or "chart"
    subject: str  # "mille-miglia/2014" for a map, "speeds" for a chart
    digest: str
    lang: str = "en"

    @property
    def key(self) -> str:
        subject = self.subject.replace("/", "-")
        return f"{self.kind}-{subject}-{self.lang}-{self.digest[:12]}"


@dataclass(frozen=True)
class Reply:
    """An answer: its kind, a title, paragraphs, linked reports, sources and suggestions.

    ``edition`` names the edition card shown (``event/year``) so front ends can offer
    follow-up buttons; ``topic`` says which handler produced it (for stats and tests).
    """

    kind: Kind
    lines: tuple[str, ...]
    title: str | None = None
    reports: tuple[ReportLink, ...] = ()
    sources: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    edition: str | None = None
    topic: str = ""
    buttons: tuple[Button, ...] = ()
    lang: str = "en"
    picture: Picture | None = None  # sent with the text as its caption (see pictures.py)
    # What the conversation is about after this reply, as plain data (JSON-safe): front ends
    # keep it per conversation and give it back with the next question (Answerer.answer).
    context: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        """The whole reply as plain text (the console and the JSON contract use this)."""
        texts = catalogue(self.lang)  # the reply's language, wherever its text is read
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        parts.extend(self.lines)
        if len(self.reports) > 2:
            parts.append(texts("answers.labels.reports"))
            parts.extend(f"- {r.plain(texts)}" for r in self.reports)
        elif self.reports:
            reports = "; ".join(r.plain(texts) for r in self.reports)
            parts.append(texts("answers.labels.reports_inline", reports=reports))
        unlinked = unlinked_note(self.reports, texts)
        if unlinked:
            parts.append(unlinked)
        if self.sources:
            key = "answers.labels.source" if len(self.sources) == 1 else "answers.labels.sources"
            parts.append(texts(key, sources=" ".join(self.sources)))
        if self.suggestions:
            parts.append(texts("answers.labels.try", suggestions=" | ".join(self.suggestions)))
        return "\n".join(parts)

    def offered(self) -> list[Button]:
        """What a front end offers to tap: the reply's own buttons, then its suggestions
        (which read as questions to tap) when it is not a plain answer or has no buttons."""
        offered = list(self.buttons)
        if self.kind is not Kind.ANSWER or not offered:
            offered.extend(Button(s, s) for s in self.suggestions)
        return offered

    def as_json(self, question: str) -> dict[str, Any]:
        return {
            "question": question,
            "kind": self.kind.value,
            "text": self.text,
            "reports": [
                {"title": r.title, "site": r.site, "url": r.url, "author": r.author}
                for r in self.reports
            ],
            "sources": list(self.sources),
            "suggestions": list(self.suggestions),
        }


@dataclass
class Draft:
    """A reply being assembled by a handler, with the confidence the planner ranks it by."""

    confidence: float
    kind: Kind = Kind.ANSWER
    title: str | None = None
    lines: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    edition: str | None = None
    topic: str = ""
    buttons: list[Button] = field(default_factory=list)
    max_reports: int = 5

    def add_sources(self, urls: tuple[str, ...] | list[str], limit: int = 2) -> None:
        for url in urls:
            if len(self.sources) >= limit:
                return
            label = t("answers.labels.seed") if url == "seed" else url
            if label not in self.sources:
                self.sources.append(label)

    def finish(self) -> Reply:
        seen: set[str] = set()
        links = []
        for rep in self.reports:
            if rep.id not in seen:
                seen.add(rep.id)
                links.append(ReportLink.of(rep))
        return Reply(
            kind=self.kind,
            # issue 14: what a fan reads (bot/core/readable.py)
            lines=tuple(readable_lines(self.lines, self.title, self.topic in PROSE_TOPICS)),
            title=reader_text(self.title) if self.title else None,
            reports=tuple(links[: self.max_reports]),
            sources=tuple(self.sources),
            suggestions=tuple(self.suggestions[:3]),
            edition=self.edition,
            topic=self.topic,
            buttons=tuple(self.buttons),
            lang=current().lang,
        )
