"""Slash commands: /start, /help, /next, /edition, /editions, /reports, /fact, /about.

They live in the core, not in the Telegram adapter, so that ``millebot ask "/edition 2014"``
answers exactly what a Telegram user gets. Arguments are parsed strictly enough to catch
garbage (a usage line beats a confident answer to a question nobody asked) and loosely enough
for what people type: event names in any case, with typos, or as ids (``california-mille``).

Every text is in the catalogues (``locales/<lang>/commands.yaml``), in the language of the
question being answered; command names stay English everywhere, as Telegram identifiers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from bot.core import formatting as fmt
from bot.core import tense
from bot.core.answering.kinds.edition import edition_reply_draft
from bot.core.answering.kinds.upcoming import next_draft
from bot.core.answering.view import Ctx, View
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import current, t
from bot.core.model import Edition, Event, Fact, Status
from bot.core.reply import Button, Draft, Kind, Reply
from bot.core.upcoming import latest, local_today, upcoming
from bot.core.year_picker import pick_year, span_of  # issue 14

MAX_COMMAND = 32  # Telegram command names are at most 32 characters
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
    """A command as menus and /help list it; every front end registers these.

    The name is the same in every language; the arguments and the description are read from
    the catalogue of the current language (``commands.list.<name>``).
    """

    name: str

    @property
    def args(self) -> str:
        return current()(f"commands.list.{self.name}.args")

    @property
    def description(self) -> str:
        return current()(f"commands.list.{self.name}.description")


COMMANDS = tuple(
    CommandInfo(name)
    for name in (
        "next",
        "today",
        "edition",
        "editions",
        "reports",
        "map",
        "chart",
        "calendar",
        "subscribe",
        "unsubscribe",
        "subscriptions",
        "fact",
        "about",
        "help",
    )
)
# Commands that need a chat to work (reminders go to one); the console explains instead.
CHAT_ONLY = frozenset({"subscribe", "unsubscribe", "subscriptions"})


def examples() -> tuple[str, ...]:
    """The example questions offered after "I don't know", in the current language."""
    return current().words("answers.examples")


def edition_reply(view: View, event: Event, year: int, aspect: str | None, now: datetime) -> Reply:
    """An edition's card, or one aspect of it, with the edition already resolved.

    Buttons and commands come here directly, so a tap never depends on how its words would be
    understood.
    """
    return edition_reply_draft(Ctx(view, now), event, year, aspect).finish()


def command_list() -> str:
    return t("commands.command_list", commands=" ".join(f"/{c.name}" for c in COMMANDS))


class _Garbage(Exception):
    """Arguments that name nothing the command understands."""


class _Ambiguous(Exception):
    """Arguments that fit several events equally well ("tribute"): the user picks one."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__(", ".join(e.id for e in events))
        self.events = events


class Commands:
    """Runs one command line against the answerer's knowledge."""

    def __init__(self, view: View) -> None:
        self.a = view
        self.knowledge = view.knowledge
        self._table: dict[str, Callable[[list[str], datetime], Reply]] = {
            "start": self.start,
            "help": self.help,
            "next": self.next,
            "edition": self.edition,
            "editions": self.editions,
            "reports": self.reports,
            "fact": self.fact,
            "about": self.about,
            "calendar": self.calendar,
            "today": self.a.raceday.command,  # /today: bot/core/raceday.py
        }

    def run(self, text: str, now: datetime) -> Reply:
        command, _, rest = text.partition(" ")
        name = command[1:].split("@")[0].lower()
        if name in CHAT_ONLY:
            return self._chat_only(name)
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
                return edition_reply(self.a, event, int(link.group(1)), None, now)
        return Draft(
            100.0,
            title=t("commands.start.title"),
            lines=[t("commands.start.intro"), command_list(), t("commands.start.tap")],
            buttons=[Button(q, q) for q in examples()],
            topic="start",
        ).finish()

    def help(self, args: list[str], now: datetime) -> Reply:
        lines = [t("commands.help.intro"), t("commands.help.groups"), t("commands.help.heading")]
        lines.extend(
            t("commands.help.line", name=c.name, args=_sp(c.args), description=c.description)
            for c in COMMANDS
        )
        return Draft(
            100.0,
            title=t("commands.help.title"),
            lines=lines,
            buttons=[Button(q, q) for q in examples()],
            topic="help",
        ).finish()

    def calendar(self, args: list[str], now: datetime) -> Reply:
        """In the console: what /calendar would send (Telegram sends the .ics file itself)."""
        from bot.core.calendar import calendar_reply  # icalendar loads in ~80 ms: only if asked

        return calendar_reply(self.knowledge, args, now, current().lang)

    def _chat_only(self, name: str) -> Reply:
        return Draft(
            0.0, Kind.UNKNOWN, lines=[t("commands.chat_only", command=f"/{name}")], topic="usage"
        ).finish()

    def _unknown_command(self, name: str) -> Reply:
        if len(name) > MAX_COMMAND:  # Telegram's own limit: longer is not a command at all
            name = name[: MAX_COMMAND - 1] + "…"
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[t("commands.unknown", name=name), command_list()],
            topic="unknown-command",
        ).finish()

    # ----------------------------------------------------------------- editions

    def next(self, args: list[str], now: datetime) -> Reply:
        if [a.lower() for a in args] in (["all"], ["tutti"], ["tutte"]):
            return self.a.whats_next.listing(now).finish()
        try:
            event = self._event(args)
        except _Ambiguous as err:
            return self._which("/next", err)
        except _Garbage:
            return self._usage("next", t("commands.usage_example.next"))
        return next_draft(Ctx(self.a, now), event).finish()

    def edition(self, args: list[str], now: datetime) -> Reply:
        """/edition YEAR [event] [route|winners|reports|dates|field]; no year lists the years."""
        aspect = ASPECTS.get(args[-1].lower()) if args else None
        if aspect:
            args = args[:-1]
        # issue 14: a period of the year picker, "/edition 1950-1959" (bot/core/year_picker.py)
        span = next(filter(None, map(span_of, args)), None)
        args = [a for a in args if span_of(a) is None]
        years = [int(a) for a in args if _YEAR.fullmatch(a)]
        rest = [a for a in args if not _YEAR.fullmatch(a)]

        def held_then(event: Event) -> bool:
            return all(f"{event.id}/{y}" in self.a.edition_at for y in years)

        try:
            event = self._event(rest, held_then)
        except _Ambiguous as err:
            years_text = "".join(f" {y}" for y in years)
            return self._which(f"/edition{years_text}", err)
        except _Garbage:
            return self._usage("edition", t("commands.usage_example.edition"))
        if len(years) > 1 or (aspect and not years) or (span and years):
            return self._usage("edition", t("commands.usage_example.edition"))
        if not years:
            eds = self.a.editions[event.id]
            if all(e.status is Status.NO_RACE for e in eds):
                return self._no_editions(event)
            return pick_year(event, eds, span, local_today(event, now))
        return edition_reply(self.a, event, years[0], aspect, now)

    def _no_editions(self, event: Event) -> Reply:
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[t("commands.no_editions", event=event.name)],
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
            return self._usage("editions", t("commands.usage_example.editions"))
        eds = self.a.editions[event.id]
        if not eds:
            return self._no_editions(event)
        draft = Draft(100.0, title=t("commands.editions.title", event=event.name), topic="editions")
        for label, group in self._by_era(event, eds):
            held = [e.year for e in group if e.status is not Status.NO_RACE]
            none = [e.year for e in group if e.status is Status.NO_RACE]
            line = f"{label}: " if label else ""
            line += (
                t("commands.editions.held", count=len(held), years=fmt.year_list(held))
                if held
                else t("commands.editions.none_held")
            )
            if none:
                line += t("commands.editions.no_race", years=fmt.year_list(none))
            draft.lines.append(line)
        suffix = "" if event.id == DEFAULT_EVENT else f" {event.name}"
        draft.lines.append(t("commands.editions.card_hint", event=suffix))
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
                    else t("commands.editions.since", year=era.start_year)
                )
                groups.append((f"{era.name} ({span})", members))
        rest = [e for e in eds if e.era not in {era.id for era in event.eras}]
        if rest:
            groups.append((t("commands.editions.other_era"), rest))
        return groups

    def _events_overview(self) -> Reply:
        draft = Draft(100.0, title=t("commands.editions.overview_title"), topic="editions")
        for event in self.knowledge.events:
            years = [e.year for e in self.a.editions[event.id] if e.status is not Status.NO_RACE]
            if not years:
                draft.lines.append(t("commands.editions.overview_none", event=event.name))
            else:
                span = f"{min(years)}-{max(years)}" if len(years) > 1 else str(years[0])
                count = (
                    t("commands.editions.count_one", n=1)
                    if len(years) == 1
                    else t("commands.editions.count_other", n=len(years))
                )
                draft.lines.append(
                    t("commands.editions.overview_line", event=event.name, count=count, span=span)
                )
            draft.buttons.append(Button(event.name, f"/editions {event.id}"))
        draft.lines.append(t("commands.editions.overview_hint"))
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
            return self._usage("reports", t("commands.usage_example.reports"))
        if len(years) > 1:
            return self._usage("reports", t("commands.usage_example.reports"))
        chosen = [
            r
            for r in self.knowledge.reports
            if (not years or r.year == years[0]) and (event is None or r.event == event.id)
        ]
        if event and years:
            what = t("commands.reports.about_event_year", year=years[0], event=event.name)
        elif event:
            what = t("commands.reports.about_event", event=event.name)
        else:
            what = t("commands.reports.about_year", year=years[0]) if years else ""
        if not chosen:
            return self._no_reports(what)
        chosen.sort(key=lambda r: (-r.year, r.event != DEFAULT_EVENT, r.title))
        title = t("commands.reports.title", what=what) if what else t("commands.reports.title_all")
        draft = Draft(100.0, title=title, topic="reports", max_reports=len(chosen))
        draft.lines.append(
            t("commands.reports.count_one", n=1)
            if len(chosen) == 1
            else t("commands.reports.count_other", n=len(chosen))
        )
        draft.reports.extend(chosen)
        return draft.finish()

    def _no_reports(self, what: str) -> Reply:
        years = sorted({r.year for r in self.knowledge.reports}, reverse=True)
        lines = [
            t("commands.reports.none", what=what) if what else t("commands.reports.none_at_all")
        ]
        if years:
            lines.append(
                t("commands.reports.years_with", years=fmt.join_words([str(y) for y in years]))
            )
        draft = Draft(0.0, Kind.UNKNOWN, lines=lines, topic="reports")
        draft.buttons = [Button(str(y), f"/reports {y}") for y in years]
        return draft.finish()

    # ----------------------------------------------------------------- fact, about

    def fact(self, args: list[str], now: datetime) -> Reply:
        """A random "did you know", with its source; time-bound facts (upcoming) are left out."""
        pool = [f for f in self.knowledge.facts if f.topic != "upcoming"]
        if not pool:
            return Draft(0.0, Kind.UNKNOWN, lines=[t("commands.fact.none")]).finish()
        fact: Fact = self.a.rng.choice(pool)
        draft = Draft(100.0, title=t("commands.fact.title"), topic=f"fact:{fact.id}")
        draft.lines.extend([fact.question, fact.answer])
        draft.add_sources(fact.sources)
        draft.buttons.append(Button(t("commands.fact.another"), "/fact"))
        return draft.finish()

    def about(self, args: list[str], now: datetime) -> Reply:
        k = self.knowledge
        held = [e for e in k.editions if e.status is Status.HELD]
        scheduled = sum(  # hook: an edition whose dates are over is not "scheduled" (issue 13)
            1
            for e in k.editions
            if e.status is Status.SCHEDULED and not tense.is_over(e, now.date())
        )
        ahead = t("commands.about.ahead", n=scheduled) if scheduled else ""
        lines = [
            t(
                "commands.about.knowledge",
                events=len(k.events),
                held=len(held),
                first=min(e.year for e in held),
                last=max(e.year for e in held),
                ahead=ahead,
                facts=len(k.facts),
                people=len(k.people),
                reports=len(k.reports),
            )
            if held
            else t("commands.about.empty")
        ]
        lines.extend(self._currency(now))
        lines.append(self._provenance())
        lines.append(t("commands.about.honesty"))
        # issue 14: the knowledge's version (a digest) is for admins: /stats shows it.
        return Draft(100.0, title=t("commands.about.title"), lines=lines, topic="about").finish()

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
            lines.append(t("commands.about.newest_result", year=last.year, event=event.name))
        nxt = upcoming(eds, today)
        if nxt:
            dates = fmt.edition_dates(nxt)
            when = t("commands.about.when", dates=dates) if dates else ""
            lines.append(
                t("commands.about.next_edition", year=nxt.year, event=event.name, when=when)
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
        return t("commands.about.provenance", count=len(sites), sites=fmt.join_words(top))

    # ----------------------------------------------------------------- helpers

    def _event(self, words: list[str], fits: Callable[[Event], bool] | None = None) -> Event:
        """The event these words name (default: the Mille Miglia); _Garbage when none,
        _Ambiguous when several fit (``fits`` narrows them first, see EventNames.resolve)."""
        found = self.a.event_names.resolve(" ".join(words), fits)
        if not found:
            raise _Garbage(" ".join(words))
        if len(found) > 1:  # "tribute": Ferrari's or Mercedes-Benz's? Better to ask.
            raise _Ambiguous(found)
        return found[0]

    def _which(self, command: str, err: _Ambiguous) -> Reply:
        """Ask which event was meant, one button each, the rest of the command kept."""
        return Draft(
            100.0,
            Kind.CLARIFY,
            lines=[t("commands.which")],
            buttons=[Button(e.name, f"{command} {e.id}") for e in err.events],
            topic="which-event",
        ).finish()

    def _usage(self, name: str, example: str) -> Reply:
        info = next(c for c in COMMANDS if c.name == name)
        return Draft(
            0.0,
            Kind.UNKNOWN,
            lines=[t("commands.usage", name=name, args=_sp(info.args), example=example)],
            topic="usage",
        ).finish()


def _sp(text: str) -> str:
    return f" {text}" if text else ""


def _site(source: str) -> str:
    host = urlparse(source).netloc.lower()
    return host.removeprefix("www.") or source
