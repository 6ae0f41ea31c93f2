"""Slash commands: /start, /help, /next, /edition, /editions, /reports, /fact, /about.

They live in the core, not in the Telegram adapter, so that ``millebot ask "/edition 2014"``
answers exactly what a Telegram user gets. Arguments are parsed strictly enough to catch
garbage (a usage line beats a confident answer to a question nobody asked) and loosely enough
for what people type: event names in any case, with typos, or as ids (``california-mille``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.core import formatting as fmt
from bot.core.answer import DEFAULT_EVENT, EXAMPLES, Answerer
from bot.core.model import Edition, Event, Fact, Status
from bot.core.reply import Button, Draft, Kind, Reply
from bot.core.understand import understand
from bot.core.upcoming import latest, local_today, upcoming

MAX_COMMAND = 32  # Telegram command names are at most 32 characters
EVENT_CUTOFF = 85.0  # a part of an event's name scores 90 with WRatio; unrelated words < 60
# Years the events could have: "1000" in "1000 Millas Sport" is a name, not a year.
_YEAR = re.compile(r"1[89]\d\d|2\d\d\d")
_DEEP_LINK = re.compile(r"ed-(\d{4})(?:-([a-z0-9-]+))?")

# The last word of /edition that picks one aspect of the card, and the intent it stands for.
ASPECTS = {
    "winners": "winner",
    "winner": "winner",
    "route": "route",
    "reports": "reports",
    "dates": "dates",
    "field": "field",
}


@dataclass(frozen=True)
class CommandInfo:
    """A command as menus and /help list it; every front end registers these."""

    name: str
    args: str
    description: str


COMMANDS = (
    CommandInfo("next", "[event]", "the next edition, with a countdown"),
    CommandInfo("edition", "YEAR [event]", "an edition's card: /edition 2014"),
    CommandInfo("editions", "[event]", "the events and years I know"),
    CommandInfo("reports", "[year] [event]", "the news reports I link to"),
    CommandInfo("fact", "", "a random 'did you know'"),
    CommandInfo("about", "", "what I know and where it comes from"),
    CommandInfo("help", "", "what you can ask"),
)


class _Garbage(Exception):
    """Arguments that name nothing the command understands."""


class _Ambiguous(Exception):
    """Arguments that fit several events equally well ("tribute"): the user picks one."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__(", ".join(e.id for e in events))
        self.events = events


class Commands:
    """Runs one command line against the answerer's knowledge."""

    def __init__(self, answerer: Answerer) -> None:
        self.a = answerer
        self.knowledge = answerer.knowledge
        self._aliases = {
            alias: event.id
            for event in self.knowledge.events
            for alias in (event.name, *event.aliases)
        }
        self._table: dict[str, Callable[[list[str], datetime], Reply]] = {
            "start": self.start,
            "help": self.help,
            "next": self.next,
            "edition": self.edition,
            "editions": self.editions,
            "reports": self.reports,
            "fact": self.fact,
            "about": self.about,
        }

    def run(self, text: str, now: datetime) -> Reply:
        command, _, rest = text.partition(" ")
        name = command[1:].split("@")[0].lower()
        handler = self._table.get(name)
        if handler is None:
            return self._unknown_command(name)
        return handler(rest.split(), now)

    # ----------------------------------------------------------------- welcome and help

    def start(self, args: list[str], now: datetime) -> Reply:
        """/start, or a deep link such as ``/start ed-2014`` that opens an edition's card."""
        link = _DEEP_LINK.fullmatch(args[0].lower()) if args else None
        if link:
            event = self.a.events.get(link.group(2) or DEFAULT_EVENT)
            if event is not None:
                return self.a.edition_reply(event, int(link.group(1)), None, now)
        return Draft(
            100.0,
            title="Welcome to the Mille Miglia bot",
            lines=[
                "Ask me about the Mille Miglia and its sister rallies in your own words: winners, "
                "dates, routes, field sizes, records and history, from 1927 to today.",
                "Commands: " + " ".join(f"/{c.name}" for c in COMMANDS),
                "Or tap a question to start:",
            ],
            buttons=[Button(q, q) for q in EXAMPLES],
            topic="start",
        ).finish()

    def help(self, args: list[str], now: datetime) -> Reply:
        lines = [
            "Ask in your own words, typos welcome: who won in 1955, when is the next edition, "
            "how many times did Nuvolari win, does the route pass through Siena, what is the "
            "California Mille.",
            "In a group, mention me or reply to one of my messages.",
            "Commands:",
        ]
        lines.extend(f"/{c.name}{_sp(c.args)} - {c.description}" for c in COMMANDS)
        return Draft(
            100.0,
            title="What you can ask",
            lines=lines,
            buttons=[Button(q, q) for q in EXAMPLES],
            topic="help",
        ).finish()

    def _unknown_command(self, name: str) -> Reply:
        if len(name) > MAX_COMMAND:  # Telegram's own limit: longer is not a command at all
            name = name[: MAX_COMMAND - 1] + "…"
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[
                f"I don't know the command /{name}.",
                "Commands: " + " ".join(f"/{c.name}" for c in COMMANDS),
            ],
            topic="unknown-command",
        ).finish()

    # ----------------------------------------------------------------- editions

    def next(self, args: list[str], now: datetime) -> Reply:
        try:
            event = self._event(args)
        except _Ambiguous as err:
            return self._which("/next", err)
        except _Garbage:
            return self._usage("next", "/next or /next California Mille")
        return self.a.ask(f"when is the next {event.name}", now)

    def edition(self, args: list[str], now: datetime) -> Reply:
        """/edition YEAR [event] [route|winners|reports|dates|field]; no year lists the years."""
        aspect = ASPECTS.get(args[-1].lower()) if args else None
        if aspect:
            args = args[:-1]
        years = [int(a) for a in args if _YEAR.fullmatch(a)]
        rest = [a for a in args if not _YEAR.fullmatch(a)]
        example = "/edition 2014 or /edition 2014 California Mille"

        def held_then(event: Event) -> bool:
            return all(f"{event.id}/{y}" in self.a.edition_at for y in years)

        try:
            event = self._event(rest, held_then)
        except _Ambiguous as err:
            years_text = "".join(f" {y}" for y in years)
            return self._which(f"/edition{years_text}", err)
        except _Garbage:
            return self._usage("edition", example)
        if len(years) > 1 or (aspect and not years):
            return self._usage("edition", example)
        if not years:
            return self._years(event)
        return self.a.edition_reply(event, years[0], aspect, now)

    def _years(self, event: Event) -> Reply:
        held = sorted(
            (e for e in self.a.editions[event.id] if e.status is not Status.NO_RACE),
            key=lambda e: -e.year,
        )
        suffix = "" if event.id == DEFAULT_EVENT else f" {event.id}"
        if not held:
            return self._no_editions(event)
        labels = [f"{e.year}{_status_note(e)}" for e in held]
        return Draft(
            100.0,
            title=f"{event.name}: the editions I know",
            lines=[
                "Newest first: " + ", ".join(labels) + ".",
                f"Tap a year, or type /edition YEAR{_sp(event.name if suffix else '')}.",
            ],
            buttons=[Button(str(e.year), f"/edition {e.year}{suffix}") for e in held],
            topic="edition-years",
        ).finish()

    def _no_editions(self, event: Event) -> Reply:
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[f"My sources record no edition of the {event.name} yet."],
            topic="edition-years",
        ).finish()

    def editions(self, args: list[str], now: datetime) -> Reply:
        """/editions: every event with its span; /editions EVENT: that event's years by era."""
        if not args:
            return self._events_overview()
        try:
            event = self._event(args)
        except _Ambiguous as err:
            return self._which("/editions", err)
        except _Garbage:
            return self._usage("editions", "/editions or /editions La Festa Mille Miglia")
        eds = self.a.editions[event.id]
        if not eds:
            return self._no_editions(event)
        draft = Draft(100.0, title=f"{event.name}: editions", topic="editions")
        for label, group in self._by_era(event, eds):
            held = [e.year for e in group if e.status is not Status.NO_RACE]
            none = [e.year for e in group if e.status is Status.NO_RACE]
            line = f"{label}: " if label else ""
            line += f"{len(held)} on record ({fmt.year_list(held)})" if held else "none on record"
            if none:
                line += f"; no race in {fmt.year_list(none)}"
            draft.lines.append(line)
        suffix = "" if event.id == DEFAULT_EVENT else f" {event.name}"
        draft.lines.append(f"Type /edition YEAR{suffix} for a card.")
        draft.add_sources(event.sources, limit=1)
        return draft.finish()

    def _by_era(self, event: Event, eds: list[Edition]) -> list[tuple[str | None, list[Edition]]]:
        if not event.eras:
            return [(None, eds)]
        groups: list[tuple[str | None, list[Edition]]] = []
        for era in event.eras:
            members = [e for e in eds if e.era == era.id]
            if members:
                span = (
                    f"{era.start_year}-{era.end_year}"
                    if era.end_year
                    else f"since {era.start_year}"
                )
                groups.append((f"{era.name} ({span})", members))
        rest = [e for e in eds if e.era not in {era.id for era in event.eras}]
        if rest:
            groups.append(("Other", rest))
        return groups

    def _events_overview(self) -> Reply:
        draft = Draft(100.0, title="The events I know", topic="editions")
        for event in self.knowledge.events:
            years = [e.year for e in self.a.editions[event.id] if e.status is not Status.NO_RACE]
            if not years:
                draft.lines.append(f"- {event.name}: no edition on record yet")
            else:
                span = f"{min(years)}-{max(years)}" if len(years) > 1 else str(years[0])
                count = f"{len(years)} edition{'s' if len(years) != 1 else ''}"
                draft.lines.append(f"- {event.name}: {count} on record, {span}")
            draft.buttons.append(Button(event.name, f"/editions {event.id}"))
        draft.lines.append("Type /editions EVENT for its years.")
        return draft.finish()

    # ----------------------------------------------------------------- reports

    def reports(self, args: list[str], now: datetime) -> Reply:
        """/reports [year] [event]: the linked coverage, newest first."""
        years = [int(a) for a in args if _YEAR.fullmatch(a)]
        rest = [a for a in args if not _YEAR.fullmatch(a)]

        def reported(event: Event) -> bool:
            return any(
                r.event == event.id and (not years or r.year in years)
                for r in self.knowledge.reports
            )

        try:
            event = self._event(rest, reported) if rest else None
        except _Ambiguous as err:
            return self._which("/reports" + "".join(f" {y}" for y in years), err)
        except _Garbage:
            return self._usage("reports", "/reports or /reports 2014")
        if len(years) > 1:
            return self._usage("reports", "/reports or /reports 2014")
        chosen = [
            r
            for r in self.knowledge.reports
            if (not years or r.year == years[0]) and (event is None or r.event == event.id)
        ]
        if event and years:
            what = f"on the {years[0]} {event.name}"
        elif event:
            what = f"on the {event.name}"
        else:
            what = f"from {years[0]}" if years else ""
        if not chosen:
            return self._no_reports(what)
        chosen.sort(key=lambda r: (-r.year, r.event != DEFAULT_EVENT, r.title))
        title = f"Reports {what}" if what else "The reports I link to"
        draft = Draft(100.0, title=title, topic="reports", max_reports=len(chosen))
        draft.lines.append(f"{len(chosen)} report{'s' if len(chosen) != 1 else ''}, newest first.")
        draft.reports.extend(chosen)
        return draft.finish()

    def _no_reports(self, what: str) -> Reply:
        years = sorted({r.year for r in self.knowledge.reports}, reverse=True)
        lines = [f"I link no news reports {what}."]
        if years:
            lines.append("I have reports on " + fmt.join_words([str(y) for y in years]) + ".")
        draft = Draft(0.0, Kind.UNKNOWN, lines=lines, topic="reports")
        draft.buttons = [Button(str(y), f"/reports {y}") for y in years]
        return draft.finish()

    # ----------------------------------------------------------------- fact, about

    def fact(self, args: list[str], now: datetime) -> Reply:
        """A random "did you know", with its source; time-bound facts (upcoming) are left out."""
        pool = [f for f in self.knowledge.facts if f.topic != "upcoming"]
        if not pool:
            return Draft(0.0, Kind.UNKNOWN, lines=["I have no facts loaded."]).finish()
        fact: Fact = self.a.rng.choice(pool)
        draft = Draft(100.0, title="Did you know?", topic=f"fact:{fact.id}")
        draft.lines.extend([fact.question, fact.answer])
        draft.add_sources(fact.sources)
        draft.buttons.append(Button("Another fact", "/fact"))
        return draft.finish()

    def about(self, args: list[str], now: datetime) -> Reply:
        k = self.knowledge
        held = [e for e in k.editions if e.status is Status.HELD]
        scheduled = sum(1 for e in k.editions if e.status is Status.SCHEDULED)
        ahead = f" and {scheduled} scheduled" if scheduled else ""
        lines = [
            "I answer questions about the Mille Miglia and its sister rallies from a curated "
            f"knowledge base: {len(k.events)} events, {len(held)} editions held "
            f"({min(e.year for e in held)}-{max(e.year for e in held)}){ahead}, "
            f"{len(k.facts)} facts, {len(k.people)} people and {len(k.reports)} linked news "
            "reports."
            if held
            else "My knowledge base is empty."
        ]
        lines.extend(self._currency(now))
        lines.append(self._provenance())
        lines.append(
            "Every answer names its sources; where they disagree I say so, and when I don't "
            "know something I say that too rather than guess."
        )
        if k.digest:
            lines.append(f"Knowledge version {k.digest[:12]}.")
        return Draft(100.0, title="About this bot", lines=lines, topic="about").finish()

    def _currency(self, now: datetime) -> list[str]:
        """How current the data is: the newest result on record and the next edition known."""
        event = self.a.events.get(DEFAULT_EVENT)
        if event is None:
            return []
        today = local_today(event, now)
        eds = self.a.editions[event.id]
        lines = []
        with_result = [e for e in eds if e.winners and (e.end or e.start or today) <= today]
        last = max(with_result, key=lambda e: e.year) if with_result else latest(eds, today)
        if last:
            lines.append(f"Newest result I have: the {last.year} {event.name}.")
        nxt = upcoming(eds, today)
        if nxt:
            when = fmt.edition_dates(nxt)
            lines.append(
                f"Next edition on record: the {nxt.year} {event.name}"
                + (f" ({when})." if when else ".")
            )
        return lines

    def _provenance(self) -> str:
        sites: Counter[str] = Counter()  # the seed page is named on its own below
        for items in (
            self.knowledge.events,
            self.knowledge.editions,
            self.knowledge.facts,
            self.knowledge.reports,
            self.knowledge.people,
        ):
            for item in items:
                for src in item.sources:
                    if src != "seed":
                        sites[_site(src)] += 1
        top = [s for s, _ in sites.most_common(4)]
        return (
            f"Where it comes from: {len(sites)} websites, most often "
            + fmt.join_words(top)
            + "; the project started from the Mille Miglia news page of Sports Car Digest."
        )

    # ----------------------------------------------------------------- helpers

    def _event(self, words: list[str], fits: Callable[[Event], bool] | None = None) -> Event:
        """The event these words name (default: the Mille Miglia); _Garbage when none.

        ``fits`` narrows a partial name that fits several events to those that make sense
        for the rest of the command (an edition in the year asked, some reports).
        """
        if not words:
            return self.a.events[DEFAULT_EVENT]
        joined = " ".join(words)
        by_id = self.a.events.get(joined.lower())
        if by_id is not None:
            return by_id
        query = understand(joined, self.a.catalog)
        if query.events and not query.years:
            return self.a.events[query.events[0]]
        return self._event_by_part(joined, fits)

    def _event_by_part(self, text: str, fits: Callable[[Event], bool] | None) -> Event:
        """A part of a name ("festa", "california") names an event when only one fits best."""
        hits = process.extract(
            text,
            list(self._aliases),
            scorer=fuzz.WRatio,
            processor=default_process,
            score_cutoff=EVENT_CUTOFF,
            limit=20,
        )
        if not hits:
            raise _Garbage(text)
        top = max(score for _, score, _ in hits)
        ids = {self._aliases[alias] for alias, score, _ in hits if score == top}
        candidates = [e for e in self.knowledge.events if e.id in ids]
        if len(candidates) > 1 and fits is not None:
            candidates = [e for e in candidates if fits(e)] or candidates
        if len(candidates) != 1:  # "tribute": Ferrari's or Mercedes-Benz's? Better to ask.
            raise _Ambiguous(candidates)
        return candidates[0]

    def _which(self, command: str, err: _Ambiguous) -> Reply:
        """Ask which event was meant, one button each, the rest of the command kept."""
        return Draft(
            100.0,
            Kind.CLARIFY,
            lines=["Which one do you mean?"],
            buttons=[Button(e.name, f"{command} {e.id}") for e in err.events],
            topic="which-event",
        ).finish()

    def _usage(self, name: str, example: str) -> Reply:
        info = next(c for c in COMMANDS if c.name == name)
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[f"Usage: /{name}{_sp(info.args)} - for example {example}."],
            topic="usage",
        ).finish()


def _sp(text: str) -> str:
    return f" {text}" if text else ""


def _status_note(ed: Edition) -> str:
    return {Status.SCHEDULED: " (scheduled)", Status.CANCELLED: " (cancelled)"}.get(ed.status, "")


def _site(source: str) -> str:
    host = urlparse(source).netloc.lower()
    return host.removeprefix("www.") or source
