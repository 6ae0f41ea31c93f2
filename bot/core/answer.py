"""The one seam every front end uses: ``Answerer.answer(question, now) -> Reply``.

Planning, in short: read the question (``understand``); let each handler that recognises what
is asked draft a reply with a confidence; let the fact matcher draft its best match too; keep
the most confident draft. Structured records win when the question names both a subject and a
field; facts win for the open questions records cannot answer. Below a floor of confidence
the bot says it does not know: a wrong answer stated with confidence is worse than that.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core import formatting as fmt
from bot.core.events import DEFAULT_EVENT, EventNames
from bot.core.i18n import current, t, using
from bot.core.lexicon import language_of, lexicon
from bot.core.matcher import FactHit, FactMatcher, stem
from bot.core.model import Crew, Edition, Era, Event, Fact, Knowledge, Person, Report, Status
from bot.core.pictures import map_buttons, picture_reply, picture_request
from bot.core.reply import Button, Draft, Kind, Reply
from bot.core.text import normalise, words
from bot.core.understand import Catalog, Query, clean_name, understand
from bot.core.upcoming import (
    countdown_line,
    latest,
    latest_line,
    local_today,
    running,
    under_way_line,
    upcoming,
)

FACT_FLOOR = 62.0  # below this a fact match is noise
FACT_CLARIFY_GAP = 3.0  # two facts this close: ask which one was meant
ANSWER_FLOOR = 60.0
FACT_CAP = 89.0  # a fact never outranks a structured answer to a named subject and field

QUESTION_WORDS = frozenset(
    [
        "who",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "chi",
        "cosa",
        "quale",
        "quali",
        "quando",
        "dove",
        "perche",
        "come",
    ]
)

EDITION_INTENTS = (
    "winner",
    "co_driver",
    "car",
    "dates",
    "route",
    "passes",
    "field",
    "finishers",
    "distance",
    "time",
    "speed",
    "number",
    "reports",
    "podium",
    "trials",
)

# The word a follow-up button adds to /edition for each aspect (see commands.ASPECTS).
FOLLOW_UP_WORDS = {"winner": "winners", "route": "route", "reports": "reports"}


def examples() -> tuple[str, ...]:
    """The example questions offered after "I don't know", in the current language."""
    return current().words("answers.examples")


class Answerer:
    """Answers questions from one loaded knowledge base (immutable; swap the whole object)."""

    def __init__(self, knowledge: Knowledge, rng: random.Random | None = None) -> None:
        from bot.core.commands import Commands  # commands use the answerer; import late

        self.knowledge = knowledge
        self.rng = rng or random.Random()
        self.catalog = Catalog(knowledge)
        # Question words stay in for facts: "where does it start" and "why did they start it"
        # differ only in them.
        self.matcher = FactMatcher(knowledge.facts, lexicon().stopwords - QUESTION_WORDS)
        self.events = {e.id: e for e in knowledge.events}
        self.editions: dict[str, list[Edition]] = defaultdict(list)
        for ed in knowledge.editions:
            self.editions[ed.event].append(ed)
        self.edition_at = {ed.key: ed for ed in knowledge.editions}
        self.reports: dict[str, list[Report]] = defaultdict(list)
        for rep in knowledge.reports:
            self.reports[rep.edition_key].append(rep)
        self.people: dict[str, Person] = {
            self.catalog.person_ids[p.id]: p for p in knowledge.people
        }
        self.place_key = self.catalog.place_key
        self.wins: dict[str, list[tuple[Edition, str]]] = defaultdict(list)
        for ed in knowledge.editions:  # who won what, computed once instead of per question
            for crew in ed.winners:
                self.wins[clean_name(crew.driver)].append((ed, "driver"))
                if crew.co_driver:
                    self.wins[clean_name(crew.co_driver)].append((ed, "co-driver"))
        self.lex_stop = self.catalog.lex.stopwords
        # Event names in a question say nothing of its language ("Coppa delle Alpi").
        self.name_words = sorted(
            {
                tuple(words(normalise(name)))
                for e in knowledge.events
                for name in (e.name, e.id, *e.aliases)
                if words(normalise(name))
            },
            key=len,
            reverse=True,
        )
        self.event_names = EventNames(knowledge, self.catalog)
        self.commands = Commands(self)

    def canonical_place(self, town: str) -> str:
        return self.place_key.get(normalise(town), town)

    # ----------------------------------------------------------------- the seam

    def answer(self, question: str, now: datetime, lang: str | None = None) -> Reply:
        """Answer one question as of ``now`` (timezone-aware; naive means UTC).

        The reply is in Italian when ``lang`` (the user's Telegram language) is Italian or the
        question is asked in Italian; otherwise in English.
        """
        text = " ".join(question.split())
        with using(reply_language(text, lang, self.name_words)):
            if not text:
                return self._help(Kind.UNKNOWN, t("answers.empty_question"))
            # --- pictures hook (issue 12): /map, /chart and maps or charts asked in words
            if (wish := picture_request(text)) is not None:
                return picture_reply(self, wish, now)
            # --- end of the pictures hook
            if text.startswith("/"):
                return self.commands.run(text, now)
            return self.ask(text, now)

    def ask(self, text: str, now: datetime) -> Reply:
        """A question in words (commands translate to these too)."""
        return self.reply_to(understand(text, self.catalog), now)

    def reply_to(self, query: Query, now: datetime) -> Reply:
        """The reply to a question already read (search reads it once for several uses)."""
        event = self.events.get(query.events[0] if query.events else DEFAULT_EVENT)
        if event is not None:
            query.today = local_today(event, now)
        return self._plan(query, now).finish()

    def _plan(self, q: Query, now: datetime) -> Draft:
        if q.other_race and not q.events:
            return self._unknown(t("answers.other_race"), topic="other-race")
        event = self.events.get(q.events[0]) if q.events else self.events.get(DEFAULT_EVENT)
        if event is None:
            return self._unknown(t("answers.no_knowledge"), topic="empty")
        drafts: list[Draft] = []
        for handler in self._handlers():
            draft = handler(q, event, now)
            if draft is not None:
                drafts.append(draft)
        drafts.extend(self._fact_drafts(q, event))
        if not drafts:
            return self._unknown(t("answers.no_match"), topic="no-match", suggest=True)
        best = max(drafts, key=lambda d: d.confidence)
        if best.confidence < ANSWER_FLOOR:
            return self._unknown(t("answers.low_confidence"), topic="low-confidence", suggest=True)
        return best

    def _handlers(self) -> list[Callable[[Query, Event, datetime], Draft | None]]:
        return [
            self._next,
            self._event_winners,
            self._latest,
            self._edition,
            self._year_range,
            self._ordinal,
            self._person,
            self._make,
            self._computed,
            self._passes_anywhere,
            self._event_reports,
            self._event_field,
        ]

    # ----------------------------------------------------------------- replies

    def _unknown(self, line: str, topic: str, suggest: bool = False) -> Draft:
        draft = Draft(0.0, Kind.UNKNOWN, lines=[line], topic=topic)
        if suggest:
            draft.suggestions = list(examples())
        return draft

    def _help(self, kind: Kind, first: str) -> Reply:
        return Draft(
            100.0,
            kind,
            lines=[first, t("answers.help_examples")],
            suggestions=list(examples()),
            topic="help",
        ).finish()

    # ----------------------------------------------------------------- next / latest

    def _next(self, q: Query, event: Event, now: datetime) -> Draft | None:
        tokens = set(q.tokens)
        asks_when = (
            "dates" in q.intents
            and q.ordinal is None
            and bool({"is", "will", "does"} & tokens)
            and not ({"did", "was", "were", "first"} & tokens or "since" in q.intents)
        )
        if q.years or q.year_range or not ("next" in q.intents or asks_when):
            return None
        editions = self.editions[event.id]
        today = local_today(event, now)
        draft = Draft(96.0, topic="next")
        current = running(editions, today)
        if current:
            draft.lines.append(under_way_line(event, current, today))
            self._route_line(draft, current)
            self._attach(draft, current)
            return draft
        nxt = upcoming(editions, today)
        if nxt and nxt.start and nxt.end:
            draft.lines.append(countdown_line(event, nxt, today))
            self._route_line(draft, nxt)
            self._attach(draft, nxt)
            return draft
        if nxt:
            draft.lines.append(
                t("answers.next.announced", edition=fmt.the_edition(event, nxt, "edition_cap"))
            )
            self._attach(draft, nxt)
            return draft
        draft.lines.append(t("answers.next.not_announced", name=event.name))
        last = latest(editions, today)
        after = max(today.year, last.year if last else 0)
        for fact in self.knowledge.facts:
            if (
                fact.topic == "upcoming"
                and event.id in fact.events
                and _mentions_after(fact, after)
            ):
                draft.lines.append(fact.answer)
                draft.add_sources(fact.sources, limit=1)
        if last:
            draft.lines.append(latest_line(event, last))
            self._attach(draft, last, sources=False)
        return draft

    def _event_winners(self, q: Query, event: Event, now: datetime) -> Draft | None:
        """'Who won the California Mille?': the latest known winners, or honestly none."""
        if "winner" not in q.intents or q.years or q.year_range or q.people or q.makes:
            return None
        if q.ordinal is not None or q.intents & {"count", "most", "list", "next", "latest"}:
            return None
        others = {stem(t) for t in q.content} - {stem(w) for w in _WHO} - _GENERIC
        if others - {"last", "latest", "recent", "ever", "today"}:
            return None  # "the oldest winner", "the first woman to win": not the latest winners
        known = [e for e in self.editions[event.id] if e.winners]
        if not known:
            draft = Draft(84.0, Kind.UNKNOWN, topic="no-winners")
            draft.lines.append(t("answers.no_winners", of_event=fmt.the_event(event, "of_event")))
            draft.lines.append(event.summary)
            draft.add_sources(event.sources, limit=1)
            return draft
        ed = max(known, key=lambda e: e.year)
        draft = self._edition_draft(q, event, ed)
        years = ", ".join(str(e.year) for e in known[-6:])
        draft.lines.append(t("answers.other_years", years=years))
        draft.confidence = 84.0 if q.events else 80.0
        return draft

    def _latest(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if "latest" not in q.intents or q.years or "next" in q.intents:
            return None
        last = latest(self.editions[event.id], local_today(event, now))
        if last is None:
            return None
        draft = self._edition_draft(q, event, last)
        draft.confidence = 90.0
        return draft

    # ----------------------------------------------------------------- one edition

    def _edition(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if len(q.years) != 1:
            return None
        year = q.years[0]
        ed = self.edition_at.get(f"{event.id}/{year}")
        if ed is None:
            return self._no_edition(q, event, year, now)
        return self._edition_draft(q, self.events[ed.event], ed)

    def edition_reply(self, event: Event, year: int, aspect: str | None, now: datetime) -> Reply:
        """An edition's card, or one aspect of it (an edition intent such as ``route``).

        Buttons and commands come here with the edition already resolved, so a tap never
        depends on how its words would be understood.
        """
        q = Query(text="", tokens=[], content=[], years=[year], events=[event.id])
        if aspect:
            q.intents.add(aspect)
        q.today = local_today(event, now)
        draft = self._edition(q, event, now)
        assert draft is not None  # one year given: _edition always drafts
        return draft.finish()

    def _no_edition(self, q: Query, event: Event, year: int, now: datetime) -> Draft:
        years = [e.year for e in self.editions[event.id]]
        draft = Draft(88.0, Kind.UNKNOWN, topic="no-edition")
        today = local_today(event, now)
        era = next(
            (
                e
                for e in event.eras
                if e.start_year <= year <= (e.end_year or today.year) and e.annual_from
            ),
            None,
        )
        if years and year < min(years):
            draft.lines.append(
                t(
                    "answers.not_yet_existing",
                    event=fmt.the_event(event, "event_cap"),
                    year=year,
                    since=event.since,
                )
            )
            draft.kind = Kind.ANSWER
        elif year > today.year or (years and year > max(years)):
            draft.lines.append(t("answers.not_announced_year", year=year, name=event.name))
            for fact in self.knowledge.facts:
                if (
                    fact.topic == "upcoming"
                    and event.id in fact.events
                    and str(year) in fact.answer
                ):
                    draft.lines.append(fact.answer)
                    draft.add_sources(fact.sources, limit=2)
        elif era and year >= era.annual_from:  # type: ignore[operator]
            draft.lines.append(
                t(
                    "answers.annual_no_details",
                    event=fmt.the_event(event, "event_cap"),
                    annual_from=era.annual_from,
                    year=year,
                )
            )
        else:
            draft.lines.append(t("answers.no_record", name=event.name, year=year))
        draft.add_sources(event.sources, limit=1)
        return draft

    def _edition_draft(self, q: Query, event: Event, ed: Edition) -> Draft:
        draft = Draft(95.0, title=fmt.edition_title(event, ed), edition=ed.key, topic="edition")
        if ed.status is Status.NO_RACE:
            draft.title = None
            draft.lines.append(
                t(
                    "answers.no_race",
                    year=ed.year,
                    no_event=fmt.the_event(event, "no_event"),
                    reason=ed.reason,
                )
            )
            draft.add_sources(ed.sources)
            draft.topic = "no-race"
            return draft
        if ed.status is Status.CANCELLED:
            draft.lines.append(
                t(
                    "answers.cancelled",
                    edition=fmt.the_edition(event, ed, "edition_cap"),
                    reason=ed.reason,
                )
            )
            draft.add_sources(ed.sources)
            return draft
        asked = [i for i in EDITION_INTENTS if i in q.intents]
        if "car" in asked and not _asks_car(q) and (set(asked) - {"car"}):
            asked.remove("car")
        if "finishers" in asked and "field" in asked and not _STARTER_WORDS & set(q.tokens):
            asked.remove("field")
        if "podium" in asked and "winner" in asked:
            asked.remove("winner")
        if "winner" in asked and {"time", "speed"} & set(asked) and not _WHO & set(q.tokens):
            asked.remove("winner")  # "the winning time" asks for a time, not for the winners
        if not asked:
            relevant = self._relevant_notes(q, ed)
            if relevant:
                draft.lines.extend(relevant)
                draft.confidence = 88.0
                draft.topic = "edition-notes"
            else:
                self._card(draft, event, ed)
        else:
            missing: list[str] = []
            for intent in asked:
                self._edition_field(draft, q, event, ed, intent, missing)
            if missing and not draft.lines:
                draft.kind = Kind.UNKNOWN
                draft.lines.extend(self._known_summary(event, ed))
            draft.lines.extend(missing)
        self._attach(draft, ed)
        draft.buttons = self._follow_ups(event, ed, asked)
        return draft

    def _follow_ups(self, event: Event, ed: Edition, asked: list[str]) -> list[Button]:
        """Route, Winners, Reports (and the full card after a single-field answer) when known."""
        ask = f"/edition {ed.year}" + ("" if event.id == DEFAULT_EVENT else f" {event.id}")
        offers = [
            ("winner", t("answers.buttons.winners"), bool(ed.winners)),
            ("route", t("answers.buttons.route"), bool(ed.route or ed.route_note)),
            ("reports", t("answers.buttons.reports"), bool(self.reports.get(ed.key))),
        ]
        buttons = [] if not asked else [Button(t("answers.buttons.full_card"), ask)]
        for intent, label, known in offers:
            if known and intent not in asked:
                buttons.append(Button(label, f"{ask} {FOLLOW_UP_WORDS[intent]}"))
        buttons.extend(map_buttons(self.knowledge, event, ed))  # pictures hook (issue 12)
        return buttons

    def _relevant_notes(self, q: Query, ed: Edition) -> list[str]:
        """Notes of an edition that share a meaningful word with the question."""
        wanted = {stem(t) for t in q.tokens if len(t) >= 4 and not t.isdigit()}
        wanted -= _GENERIC | self.lex_stop | {stem(w) for w in words(normalise(ed.event))}
        if not wanted:
            return []
        hits = []
        for line in (*ed.notes, *ed.podium, *(c.text for c in ed.conflicts if not c.field)):
            if wanted & {stem(w) for w in words(normalise(line))}:
                hits.append(line)
        return hits[:3]

    def _known_summary(self, event: Event, ed: Edition) -> list[str]:
        edition = fmt.the_edition(event, ed, "edition_cap")
        if ed.status is Status.SCHEDULED:
            when = fmt.when(ed) or t("answers.dates_unknown")
            return [t("answers.scheduled_for", edition=edition, when=when)]
        dates = fmt.edition_dates(ed)
        if dates:
            return [t("answers.took_place_on", edition=edition, when=dates)]
        return [t("answers.took_place", edition=edition)]

    def _card(self, draft: Draft, event: Event, ed: Edition) -> None:
        when = fmt.edition_dates(ed)
        if when:
            draft.lines.append(t("answers.labels.dates", value=when))
        if ed.status is Status.SCHEDULED:
            draft.lines.append(t("answers.labels.status_scheduled"))
        for crew in ed.winners:
            key = "answers.labels.winners" if crew.co_driver else "answers.labels.winner"
            draft.lines.append(t(key, value=fmt.crew_text(crew)))
        field = self._field_text(ed)
        if field:
            draft.lines.append(t("answers.labels.field", value=field))
        if ed.distance_note or ed.distance_km:
            distance = ed.distance_note or fmt.km(ed.distance_km or 0)
            draft.lines.append(t("answers.labels.distance", value=distance))
        self._route_line(draft, ed)
        if ed.winning_time:
            draft.lines.append(t("answers.labels.winning_time", value=ed.winning_time))
        draft.lines.extend(ed.notes[:2])

    def _field_text(self, ed: Edition) -> str | None:
        parts = []
        if ed.starters is not None:
            parts.append(t("answers.field.starters", n=ed.starters))
        if ed.finishers is not None:
            parts.append(t("answers.field.finishers", n=ed.finishers))
        if ed.entries is not None and ed.starters is None:
            parts.append(t("answers.field.entries", n=ed.entries))
        if ed.applications is not None:
            parts.append(t("answers.field.applications", n=ed.applications))
        text = t("answers.join.separator").join(parts)
        if ed.field_note and _adds_numbers(ed.field_note, text):
            note = ed.field_note
            text = t("answers.field.with_note", text=text, note=note) if text else note
        return text or None

    def _edition_field(
        self, draft: Draft, q: Query, event: Event, ed: Edition, intent: str, missing: list[str]
    ) -> None:
        edition = fmt.the_edition(event, ed)
        edition_cap = fmt.the_edition(event, ed, "edition_cap")
        of_edition = fmt.the_edition(event, ed, "of_edition")
        lines = draft.lines

        def lack(what: str) -> None:
            missing.append(
                t("answers.missing.line", what=t(f"answers.missing.{what}"), of_edition=of_edition)
            )

        if intent == "winner" or (intent == "car" and not ed.winners):
            if ed.winners:
                when = fmt.edition_dates(ed)
                dates = t("answers.edition.won_dates", dates=when) if when else ""
                crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
                note = (
                    t("answers.edition.winners_note", note=ed.winners_note)
                    if ed.winners_note
                    else ""
                )
                lines.append(
                    t(
                        "answers.edition.won_by",
                        edition=edition_cap,
                        dates=dates,
                        crews=crews,
                        note=note,
                    )
                )
                self._conflict_lines(draft, ed, ("winners", "co_driver", "car"))
            elif ed.status is Status.SCHEDULED:
                lack("result")
            else:
                lack("winner")
        elif intent == "co_driver":
            self._co_driver(draft, q, ed, lack)
        elif intent == "car":
            cars = [c for c in ed.winners if c.car]
            asked = self._asked_crew(q, ed)
            if asked is None and q.people:
                self._non_winner(draft, q, event, ed, missing)
            elif cars:
                crew = asked or cars[0]
                lines.append(
                    t(
                        "answers.edition.winning_car",
                        of_edition=of_edition,
                        car=fmt.a_car(crew.car or ""),
                        names=fmt.crew_names(crew),
                    )
                )
                self._conflict_lines(draft, ed, ("car",))
            else:
                lack("winning_car")
        elif intent == "dates":
            when = fmt.when(ed)
            if when:
                last_day = ed.end or ed.start
                past = q.today is not None and last_day is not None and last_day < q.today
                key = (
                    "answers.edition.ran"
                    if ed.status is Status.HELD
                    else (
                        "answers.edition.was_scheduled" if past else "answers.edition.is_scheduled"
                    )
                )
                lines.append(t(key, edition=edition_cap, when=when))
                self._conflict_lines(draft, ed, ("dates", "start", "end"))
            else:
                lack("dates")
        elif intent == "route":
            if ed.route or ed.route_note:
                if ed.route:
                    lines.append(self._route_of(event, ed))
                if ed.route_note:
                    lines.append(ed.route_note)
                if ed.distance_note or ed.distance_km:
                    distance = ed.distance_note or fmt.km(ed.distance_km or 0)
                    lines.append(t("answers.edition.distance_line", value=distance))
                self._conflict_lines(draft, ed, ("route", "route_note"))
            else:
                lack("route")
        elif intent == "passes":
            self._passes(draft, q, event, ed, lack)
        elif intent == "field":
            text = self._field_text(ed)
            if text:
                lines.append(t("answers.edition.field", of_edition=of_edition, text=text))
                self._conflict_lines(draft, ed, ("starters", "entries", "applications", "field"))
            else:
                lack("field_size")
        elif intent == "finishers":
            if ed.finishers is not None:
                of = (
                    t("answers.edition.of_starters", starters=ed.starters)
                    if ed.starters is not None
                    else ""
                )
                lines.append(
                    t("answers.edition.finished", n=ed.finishers, of_starters=of, edition=edition)
                )
                self._conflict_lines(draft, ed, ("finishers",))
            else:
                lack("finishers")
        elif intent == "distance":
            if ed.distance_note or ed.distance_km:
                text = ed.distance_note or fmt.km(ed.distance_km or 0)
                lines.append(t("answers.edition.distance", of_edition=of_edition, text=text))
                self._conflict_lines(draft, ed, ("distance_km", "distance_note"))
            else:
                lack("distance")
        elif intent == "time":
            if ed.winning_time:
                lines.append(
                    t("answers.edition.winning_time", of_edition=of_edition, time=ed.winning_time)
                )
                self._conflict_lines(draft, ed, ("winning_time",))
            elif ed.era == "revival":
                missing.append(t("answers.edition.no_winning_time", edition=edition_cap))
            else:
                lack("winning_time")
        elif intent == "speed":
            if ed.average_speed:
                lines.append(
                    t(
                        "answers.edition.average_speed",
                        of_edition=of_edition,
                        speed=ed.average_speed,
                    )
                )
                self._conflict_lines(draft, ed, ("average_speed",))
            elif ed.era == "revival":
                missing.append(t("answers.edition.no_average_speed", edition=edition_cap))
            else:
                lack("average_speed")
        elif intent == "number":
            if ed.number:
                era = t("answers.edition.number_revival") if ed.era == "revival" else ""
                note = (
                    t("answers.edition.number_note", note=ed.number_note) if ed.number_note else ""
                )
                lines.append(
                    t(
                        "answers.edition.number",
                        edition=edition_cap,
                        ordinal=fmt.ordinal(ed.number),
                        era=era,
                        note=note,
                    )
                )
                self._conflict_lines(draft, ed, ("number",))
            else:
                lack("edition_number")
        elif intent == "trials":
            if ed.timed_trials:
                lines.append(t("answers.edition.trials", edition=edition_cap, n=ed.timed_trials))
            else:
                lack("timed_trials")
        elif intent == "podium":
            if ed.podium:
                lines.append(
                    t(
                        "answers.edition.podium",
                        of_edition=of_edition,
                        podium="; ".join(ed.podium),
                    )
                )
            else:
                lack("podium")
        elif intent == "reports":
            reps = self.reports.get(ed.key, [])
            on_edition = fmt.the_edition(event, ed, "on_edition")
            if reps:
                lines.append(t("answers.edition.reports", on_edition=on_edition))
                for rep in reps:
                    lines.append("- " + _report_line(rep))
            else:
                missing.append(t("answers.edition.no_reports", on_edition=on_edition))

    def _co_driver(self, draft: Draft, q: Query, ed: Edition, lack: Callable[[str], None]) -> None:
        crew = self._asked_crew(q, ed) or (ed.winners[0] if ed.winners else None)
        if crew is None:
            lack("winning_crew")
            return
        asked_names = {clean_name(n) for n in q.people}
        if crew.co_driver and clean_name(crew.co_driver) in asked_names:
            draft.lines.append(
                t(
                    "answers.edition.drove_with",
                    year=ed.year,
                    co_driver=crew.co_driver,
                    driver=crew.driver,
                )
            )
        elif crew.co_driver:
            car = t("answers.edition.co_driver_car", car=crew.car) if crew.car else ""
            draft.lines.append(
                t(
                    "answers.edition.co_driver",
                    driver=crew.driver,
                    year=ed.year,
                    co_driver=crew.co_driver,
                    car=car,
                )
            )
        elif crew.note and "solo" in crew.note.lower():
            draft.lines.append(t("answers.edition.drove_alone", driver=crew.driver, year=ed.year))
        else:
            lack("co_driver")
            return
        self._conflict_lines(draft, ed, ("co_driver", "winners"))

    def _asked_crew(self, q: Query, ed: Edition) -> Crew | None:
        asked = {clean_name(n) for n in q.people}
        for crew in ed.winners:
            names = {clean_name(crew.driver), clean_name(crew.co_driver or "")}
            if asked & names:
                return crew
        return None

    def _non_winner(
        self, draft: Draft, q: Query, event: Event, ed: Edition, missing: list[str]
    ) -> None:
        surnames = [p.split()[-1].lower() for p in q.people]
        edition_cap = fmt.the_edition(event, ed, "edition_cap")
        for line in (*ed.podium, *ed.notes):
            if any(s in line.lower() for s in surnames):
                draft.lines.append(t("answers.edition.note", edition=edition_cap, line=line))
                return
        missing.append(
            t(
                "answers.edition.not_a_winner",
                person=q.people[0],
                of_edition=fmt.the_edition(event, ed, "of_edition"),
            )
        )

    def _passes(
        self,
        draft: Draft,
        q: Query,
        event: Event,
        ed: Edition,
        lack: Callable[[str], None],
    ) -> None:
        if not q.places:
            if ed.route:
                draft.lines.append(self._route_of(event, ed))
            else:
                lack("route")
            return
        route = {self.canonical_place(t) for t in ed.route}
        text_blob = normalise(" ".join(filter(None, (ed.route_note, ed.distance_note, *ed.notes))))
        of_edition = fmt.the_edition(event, ed, "of_edition")
        for place in q.places:
            name = self.canonical_place(place)
            aliases = [a for a, p in self.place_key.items() if p == name] or [normalise(place)]
            if name in route:
                draft.lines.append(
                    t(
                        "answers.edition.passes",
                        place=name,
                        of_edition=of_edition,
                        route=" - ".join(ed.route),
                    )
                )
            elif any(f" {a} " in f" {text_blob} " for a in aliases):
                draft.lines.append(
                    t("answers.edition.mentioned", place=name, edition=fmt.the_edition(event, ed))
                )
            elif ed.route:
                draft.lines.append(
                    t(
                        "answers.edition.not_on_route",
                        place=name,
                        edition=fmt.the_edition(event, ed),
                        route=" - ".join(ed.route),
                    )
                )
            else:
                lack("route")

    def _route_of(self, event: Event, ed: Edition) -> str:
        """'Route of the 2016 Mille Miglia: Brescia - ... - Brescia.'"""
        return t(
            "answers.edition.route",
            of_edition=fmt.the_edition(event, ed, "of_edition"),
            route=" - ".join(ed.route),
        )

    def _conflict_lines(self, draft: Draft, ed: Edition, fields: tuple[str, ...]) -> None:
        for conflict in ed.conflicts_for(*fields):
            draft.lines.append(t("answers.labels.sources_differ", text=conflict.text))

    def _route_line(self, draft: Draft, ed: Edition) -> None:
        if ed.route:
            draft.lines.append(t("answers.labels.route", value=" - ".join(ed.route)))
        elif ed.route_note:
            draft.lines.append(t("answers.labels.route", value=ed.route_note))

    def _attach(self, draft: Draft, ed: Edition, sources: bool = True) -> None:
        draft.reports.extend(self.reports.get(ed.key, []))
        if sources:
            draft.add_sources(ed.sources)

    # ----------------------------------------------------------------- ranges and ordinals

    def _year_range(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if q.year_range is None:
            return None
        lo, hi = q.year_range
        eds = [e for e in self.editions[event.id] if lo <= e.year <= hi]
        if not eds:
            return None
        draft = Draft(90.0, title=f"{event.name} {lo}-{hi}", topic="range")
        for ed in eds:
            if ed.status is Status.NO_RACE:
                draft.lines.append(t("answers.range.no_race", year=ed.year))
            elif ed.winners:
                crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
                draft.lines.append(t("answers.range.winner", year=ed.year, crews=crews))
            else:
                draft.lines.append(t("answers.range.no_winner", year=ed.year))
        return draft

    def _ordinal(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if q.ordinal is None or q.years or ("count" in q.intents and q.ordinal is None):
            return None
        eds = [e for e in self.editions[event.id] if e.status is not Status.NO_RACE]
        if not eds:
            return None
        ed: Edition | None
        if q.ordinal == 1 and not any(e.number == 1 for e in eds if _era_ok(q, e)):
            ed = min(eds, key=lambda e: e.year)
        else:
            numbered = [e for e in eds if e.number == q.ordinal and _era_ok(q, e)]
            if not numbered:
                return None
            speed_first = sorted(numbered, key=lambda e: (e.era != "speed", e.year))
            ed = speed_first[0] if q.ordinal <= 24 else max(numbered, key=lambda e: e.year)
        draft = self._edition_draft(q, event, ed)
        draft.confidence = 90.0
        return draft

    # ----------------------------------------------------------------- people

    def _person(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if not q.people or q.years:
            return None
        if q.intents & {"count", "most"} or ("winner" in q.intents and "how" in q.tokens):
            return self._count_wins(q, event)
        if q.intents & {"co_driver", "car"}:
            return self._person_crews(q, event)
        return self._person_card(q, event)

    def _person_crews(self, q: Query, event: Event) -> Draft | None:
        draft = Draft(90.0, topic="person-crews")
        for name in q.people:
            for ed, _ in self._wins_of(name, event, q):
                for crew in ed.winners:
                    draft.lines.append(f"{ed.year}: {fmt.crew_text(crew)}.")
                self._attach(draft, ed)
        return draft if draft.lines else None

    def _wins_of(self, name: str, event: Event, q: Query) -> list[tuple[Edition, str]]:
        return sorted(
            (
                (ed, role)
                for ed, role in self.wins.get(name, ())
                if ed.event == event.id and _era_ok(q, ed)
            ),
            key=lambda w: w[0].year,
        )

    def _count_wins(self, q: Query, event: Event) -> Draft:
        draft = Draft(93.0, topic="count-wins")
        for name in q.people:
            wins = self._wins_of(name, event, q)
            the_event = fmt.the_event(event)
            if not wins:
                draft.lines.append(t("answers.never_won", person=name, event=the_event))
                continue
            years = ", ".join(
                t("answers.as_co_driver", year=ed.year) if role == "co-driver" else f"{ed.year}"
                for ed, role in wins
            )
            draft.lines.append(
                t(
                    "answers.won_times",
                    person=name,
                    event=the_event,
                    times=fmt.times(len(wins)),
                    years=years,
                )
            )
            for ed, _ in wins:
                draft.add_sources(ed.sources, limit=2)
        self._person_facts(draft, q, topics=("records",))
        return draft

    def _person_card(self, q: Query, event: Event) -> Draft:
        name = q.people[0]
        person = self.people.get(name)
        explicit = "who_is" in q.intents
        draft = Draft(91.0 if explicit else 76.0, title=name, topic="person")
        if person:
            draft.lines.append(person.summary)
            draft.add_sources(person.sources, limit=1)
        by_event: dict[str, list[tuple[Edition, str]]] = defaultdict(list)
        for ed, role in sorted(self.wins.get(name, ()), key=lambda w: w[0].year):
            by_event[ed.event].append((ed, role))
        for event_id, wins in list(by_event.items())[:4]:  # a card stays short
            ev = self.events[event_id]
            if wins:
                listed = "; ".join(
                    f"{ed.year}"
                    + (
                        f" ({next((c.car for c in ed.winners if c.car), '')})"
                        if ed.winners[0].car
                        else ""
                    )
                    for ed, _ in wins
                )
                draft.lines.append(
                    t(
                        "answers.card_won",
                        event=fmt.the_event(ev),
                        times=fmt.times(len(wins)),
                        listed=listed,
                    )
                )
                for ed, _ in wins:
                    draft.reports.extend(self.reports.get(ed.key, []))
                    draft.add_sources(ed.sources, limit=2)
        if not draft.lines:
            return Draft(0.0)
        self._person_facts(draft, q, topics=None, limit=1)
        return draft

    def _person_facts(
        self, draft: Draft, q: Query, topics: tuple[str, ...] | None, limit: int = 2
    ) -> None:
        ids = {pid for pid, key in self.catalog.person_ids.items() if key in q.people}
        added = 0
        for fact in self.knowledge.facts:
            if added >= limit:
                return
            wanted = ids & set(fact.people) and (topics is None or fact.topic in topics)
            if wanted and fact.answer not in draft.lines:
                draft.lines.append(fact.answer)
                draft.add_sources(fact.sources, limit=3)
                added += 1

    # ----------------------------------------------------------------- makes and computed

    def _make(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if not q.makes or q.years or q.people:
            return None
        if not q.intents & {"count", "winner", "most", "list"}:
            return None
        draft = Draft(91.0, topic="make")
        for make in q.makes:
            for era_id, era_name in self._eras_for(q, event):
                eds = [
                    e
                    for e in self.editions[event.id]
                    if (era_id is None or e.era == era_id)
                    and any(c.make == make for c in e.winners)
                ]
                if not eds and era_id is not None and len(self._eras_for(q, event)) > 1:
                    continue
                years = ", ".join(str(e.year) for e in eds)
                where = _sp(era_name)
                if eds:
                    draft.lines.append(
                        t(
                            "answers.make_won",
                            make=make,
                            event=fmt.the_event(event),
                            era=where,
                            times=fmt.times(len(eds)),
                            years=years,
                        )
                    )
                else:
                    draft.lines.append(
                        t(
                            "answers.make_never_won",
                            make=make,
                            event=fmt.the_event(event),
                            era=where,
                        )
                    )
                if era_id == "revival":
                    draft.lines.append(self._revival_gap_note(event))
        self._topic_fact(draft, q, event, "records")
        return draft

    def _eras_for(self, q: Query, event: Event) -> list[tuple[str | None, str]]:
        if not event.eras:
            return [(None, "")]
        chosen = [e for e in event.eras if e.id in q.eras]
        eras = chosen or [e for e in event.eras if e.id in ("speed", "revival")] or list(event.eras)
        return [(e.id, _era_span(e)) for e in eras]

    def _gap_note(self, event: Event, eds: list[Edition]) -> str:
        held = [e for e in eds if e.status is Status.HELD]
        known = sum(1 for e in held if e.winners)
        return t("answers.gap_note", known=known, held=len(held))

    def _revival_gap_note(self, event: Event) -> str:
        revival = [
            e for e in self.editions[event.id] if e.era == "revival" and e.status is Status.HELD
        ]
        unknown = sum(1 for e in revival if not e.winners)
        return t("answers.revival_gap_note", known=len(revival) - unknown)

    def _computed(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if q.years or q.people or q.year_range:
            return None
        if "no_race" in q.intents:
            return self._no_race_years(event)
        if "biggest" in q.intents:
            return self._biggest_field(q, event)
        if "most" in q.intents and ("make" in q.intents or "car" in q.intents):
            return self._most(q, event, by_make=True)
        if "most" in q.intents and q.intents & {"winner", "count"}:
            return self._most(q, event, by_make=False)
        if "count" in q.intents and (
            "list" in q.intents or "edition" in q.tokens or "editions" in q.tokens
        ):
            return self._count_editions(q, event)
        if "list" in q.intents and "winner" in q.intents:
            return self._roll_of_honour(q, event)
        return None

    def _no_race_years(self, event: Event) -> Draft | None:
        gaps = [
            e for e in self.editions[event.id] if e.status in (Status.NO_RACE, Status.CANCELLED)
        ]
        if not gaps:
            return None
        draft = Draft(90.0, topic="no-race-years")
        years = fmt.year_list([e.year for e in gaps])
        draft.lines.append(t("answers.no_race_years", name=event.name, years=years))
        by_reason: dict[str, list[int]] = defaultdict(list)
        for ed in gaps:
            by_reason[ed.reason or ""].append(ed.year)
        for reason, ys in by_reason.items():
            if reason:
                draft.lines.append(f"{fmt.year_list(ys)}: {reason}")
        for ed in gaps[:1]:
            draft.add_sources(ed.sources)
        return draft

    def _biggest_field(self, q: Query, event: Event) -> Draft | None:
        smallest = bool({"smallest", "fewest"} & set(q.tokens))
        draft = Draft(88.0, topic="biggest-field")
        for era_id, era_name in self._eras_for(q, event):
            eds = [
                e
                for e in self.editions[event.id]
                if (era_id is None or e.era == era_id) and e.starters is not None
            ]
            if not eds:
                continue
            pick = (min if smallest else max)(eds, key=lambda e: e.starters or 0)
            key = "answers.smallest_field" if smallest else "answers.biggest_field"
            draft.lines.append(t(key, era=_sp(era_name), year=pick.year, n=pick.starters))
            self._conflict_lines(draft, pick, ("starters",))
            draft.add_sources(pick.sources, limit=2)
        return draft if draft.lines else None

    def _most(self, q: Query, event: Event, by_make: bool) -> Draft | None:
        draft = Draft(88.0, topic="most-makes" if by_make else "most-wins")
        for era_id, era_name in self._eras_for(q, event):
            counts: Counter[str] = Counter()
            eds = [e for e in self.editions[event.id] if era_id is None or e.era == era_id]
            for ed in eds:
                # An ordered dict, not a set: ties in the ranking then keep the order of the
                # records (year, driver before co-driver) instead of varying with the hash seed.
                names: dict[str, None] = {}
                for crew in ed.winners:
                    if by_make and crew.make:
                        names[crew.make] = None
                    elif not by_make:
                        names.update(
                            dict.fromkeys(clean_name(n) for n in (crew.driver, crew.co_driver) if n)
                        )
                counts.update(names.keys())
            if not counts:
                continue
            ranked = counts.most_common()
            floor = ranked[min(2, len(ranked) - 1)][1]
            top = [(name, n) for name, n in ranked if n >= max(floor, 2)][:8] or ranked[:3]
            listed = ", ".join(f"{name} ({n})" for name, n in top)
            key = "answers.most_makes" if by_make else "answers.most_winners"
            draft.lines.append(t(key, era=_sp(era_name), listed=listed))
            if era_id == "revival":
                draft.lines.append(self._revival_gap_note(event))
            elif any(e.status is Status.HELD and not e.winners for e in eds):
                draft.lines.append(self._gap_note(event, eds))
                if q.eras == {"revival"}:
                    draft.confidence = 74.0
        self._topic_fact(draft, q, event, "records")
        return draft if draft.lines else None

    def _count_editions(self, q: Query, event: Event) -> Draft | None:
        draft = Draft(90.0, topic="count-editions")
        for era_id, era_name in self._eras_for(q, event):
            eds = [
                e
                for e in self.editions[event.id]
                if (era_id is None or e.era == era_id) and e.status is Status.HELD
            ]
            if not eds:
                continue
            numbered = max((e for e in eds if e.number), key=lambda e: e.year, default=None)
            if numbered and numbered.number and numbered.number > len(eds):
                draft.lines.append(
                    t(
                        "answers.count_numbered",
                        name=event.name,
                        era=_sp(era_name),
                        year=numbered.year,
                        ordinal=fmt.ordinal(numbered.number),
                        n=len(eds),
                    )
                )
            else:
                draft.lines.append(
                    t(
                        "answers.count_editions",
                        name=event.name,
                        era=_sp(era_name),
                        n=len(eds),
                        first=eds[0].year,
                        last=eds[-1].year,
                    )
                )
        return draft if draft.lines else None

    def _roll_of_honour(self, q: Query, event: Event) -> Draft | None:
        eds = [e for e in self.editions[event.id] if e.winners and _era_ok(q, e)]
        if not eds:
            return None
        draft = Draft(84.0, title=t("answers.roll_title", name=event.name), topic="roll-of-honour")
        for ed in eds:
            crews = "; ".join(fmt.crew_text(c) for c in ed.winners)
            draft.lines.append(t("answers.range.winner", year=ed.year, crews=crews))
        return draft

    def _hits(self, q: Query) -> list[FactHit]:
        """Fact matches for a question, computed once however many handlers ask."""
        if q.fact_hits is None:
            tokens = [t for t in q.tokens if not (t.isdigit() and len(t) == 4)]
            q.fact_hits = self.matcher.match(tokens, limit=6)
        hits: list[FactHit] = q.fact_hits
        return hits

    def _topic_fact(self, draft: Draft, q: Query, event: Event, topic: str) -> None:
        hits = self._hits(q)
        for hit in hits:
            if hit.fact.topic == topic and hit.score >= 55 and event.id in hit.fact.events:
                draft.lines.append(hit.fact.answer)
                draft.add_sources(hit.fact.sources, limit=3)
                return

    def _passes_anywhere(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if not q.places or q.years or not q.intents & {"passes", "route"}:
            return None
        draft = Draft(86.0, topic="passes")
        for place in q.places:
            name = self.canonical_place(place)
            years = [
                e.year
                for e in self.editions[event.id]
                if name in {self.canonical_place(t) for t in e.route}
            ]
            if years:
                draft.lines.append(
                    t(
                        "answers.passes_in",
                        place=name,
                        name=event.name,
                        years=", ".join(map(str, years)),
                    )
                )
            else:
                draft.kind = Kind.UNKNOWN
                draft.lines.append(t("answers.passes_none", place=name, name=event.name))
        return draft

    # ----------------------------------------------------------------- event level

    def _event_reports(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if "reports" not in q.intents or q.years:
            return None
        reps = [r for r in self.knowledge.reports if r.event == event.id]
        if not reps:
            return None
        draft = Draft(
            84.0 if q.events else 70.0,
            title=t("answers.reports_title", on_event=fmt.the_event(event, "on_event")),
            topic="reports",
        )
        for rep in reps:
            draft.lines.append("- " + _report_line(rep))
        draft.reports.extend(reps)
        return draft

    def _event_field(self, q: Query, event: Event, now: datetime) -> Draft | None:
        if q.years or q.people or q.year_range or q.makes:
            return None
        explicit = bool(q.events)
        base = 82.0 if explicit else 66.0
        draft = Draft(base, title=event.name, topic="event")
        if "where" in q.intents:
            draft.lines.append(t("answers.labels.where", value=event.where))
            if q.intents & {"since", "route"} or {"start", "starts", "finish"} & set(q.tokens):
                draft.lines.extend(_sentences_with(event, ("start", "finish", "partenza")))
        if "since" in q.intents or ("dates" in q.intents and "next" not in q.intents):
            first = min(
                (e for e in self.editions[event.id] if e.status is Status.HELD),
                key=lambda e: e.year,
                default=None,
            )
            draft.lines.append(
                t("answers.began", event=fmt.the_event(event, "event_cap"), since=event.since)
            )
            for c in event.conflicts:
                if c.field == "since":
                    draft.lines.append(t("answers.labels.sources_differ", text=c.text))
            if first and first.year and str(first.year) not in event.since:
                draft.lines.append(t("answers.earliest", year=first.year))
        if "organiser" in q.intents and event.organiser:
            draft.lines.append(t("answers.labels.organiser", value=event.organiser))
        if "eligibility" in q.intents and event.eligibility:
            draft.lines.append(t("answers.labels.eligible", value=event.eligibility))
        if (
            "car" in q.intents
            and not draft.lines
            and event.eligibility
            and "what_is" not in q.intents
        ):
            draft.lines.append(t("answers.labels.eligible", value=event.eligibility))
            draft.confidence -= 10
        if not draft.lines:
            if not explicit and not q.intents & {"what_is", "history"}:
                return None
            if not explicit and any(w not in self.catalog.vocabulary for w in q.content):
                return None  # "what is the capital of France": about something else entirely
            draft.lines.append(event.summary)
            draft.lines.append(
                t("answers.labels.where_since", where=event.where, since=event.since)
            )
            name_words = {
                stem(w) for a in (event.name, *event.aliases) for w in words(normalise(a))
            }
            extra = {stem(t) for t in q.content if len(t) >= 4} - name_words - _GENERIC
            for note in event.notes:
                if extra & {stem(w) for w in words(normalise(note))}:
                    draft.lines.append(note)
            if event.format:
                draft.lines.append(event.format)
            draft.confidence = (
                base + (4 if "what_is" in q.intents else 0) - (4 if q.intents - {"what_is"} else 0)
            )
        draft.add_sources(event.sources, limit=2)
        for rep in self.knowledge.reports:
            if rep.event == event.id:
                draft.reports.append(rep)
        return draft

    # ----------------------------------------------------------------- facts

    def _fact_drafts(self, q: Query, event: Event) -> list[Draft]:
        if not q.content and not q.has_subject and not q.places:
            return []  # "what is the race": only question words; any fact would be a guess
        hits = self._hits(q)
        scored: list[tuple[float, FactHit]] = []
        person_ids = {pid for pid, key in self.catalog.person_ids.items() if key in q.people}
        for hit in hits:
            score = hit.score + self._fact_bonus(q, hit.fact, person_ids)
            if q.events and hit.fact.events and q.events[0] not in hit.fact.events:
                score -= 25
            scored.append((score, hit))
        scored.sort(key=lambda s: -s[0])
        if not scored or scored[0][0] < FACT_FLOOR:
            return []
        best_score, best = scored[0]
        draft = self._fact_draft(best.fact, min(best_score, FACT_CAP))
        if len(scored) > 1:
            second_score, second = scored[1]
            if best_score - second_score < FACT_CLARIFY_GAP and second_score >= FACT_FLOOR:
                clarify = Draft(
                    min(best_score, FACT_CAP) - 1,
                    Kind.CLARIFY,
                    lines=[t("answers.clarify")],
                    suggestions=[best.fact.question, second.fact.question],
                    topic="clarify",
                )
                return [draft, clarify] if best_score - second_score >= 1.5 else [clarify]
        return [draft]

    def _fact_bonus(self, q: Query, fact: Fact, person_ids: set[str]) -> float:
        bonus = 0.0
        if person_ids & set(fact.people):
            bonus += 8
        if q.events and q.events[0] in fact.events:
            bonus += 4
        if not q.years and _YEAR_IN_TEXT.search(fact.question):
            bonus -= 12  # a fact about one year ("who won in 2026?") for a question without one
        if q.years:
            linked = {int(k.split("/")[1]) for k in fact.editions}
            bonus += (
                6 if set(q.years) & linked or any(str(y) in fact.answer for y in q.years) else -15
            )
        return bonus

    def fact_reply(self, fact: Fact) -> Reply:
        """A fact as a reply of its own (for /fact and search results)."""
        return self._fact_draft(fact, 100.0).finish()

    def _fact_draft(self, fact: Fact, score: float) -> Draft:
        draft = Draft(score, lines=[fact.answer], topic=f"fact:{fact.id}")
        for conflict in fact.conflicts:
            draft.lines.append(t("answers.labels.sources_differ", text=conflict.text))
        for key in fact.editions:
            draft.reports.extend(self.reports.get(key, []))
        for rid in fact.reports:
            draft.reports.extend(r for r in self.knowledge.reports if r.id == rid)
        draft.add_sources(fact.sources)
        return draft


def reply_language(text: str, lang: str | None, names: Sequence[tuple[str, ...]] = ()) -> str:
    """Italian for Italian-speaking users and for questions asked in Italian; else English.

    ``names`` are the words of names (events, their aliases and ids) that say nothing of the
    asker's language: "Coppa delle Alpi" is the same name in an English question.
    """
    if lang and lang.lower().startswith("it"):
        return "it"
    if text.startswith("/"):
        text = text.partition(" ")[2]
    tokens = words(normalise(text))
    if language_of(tokens) != "it":  # names hold no English marker words: nothing to undo
        return "en"
    return "it" if language_of(_without_names(tokens, names)) == "it" else "en"


def _without_names(tokens: list[str], names: Sequence[tuple[str, ...]]) -> list[str]:
    """The tokens outside every occurrence of a name (longest names first)."""
    kept: list[str] = []
    i = 0
    starting = set(tokens)
    names = [n for n in names if n[0] in starting]  # the few names that could occur here
    while i < len(tokens):
        name = next((n for n in names if tuple(tokens[i : i + len(n)]) == n), None)
        if name:
            i += len(name)
        else:
            kept.append(tokens[i])
            i += 1
    return kept


def _adds_numbers(note: str, shown: str) -> bool:
    """Whether a source's wording holds figures that the figures shown do not."""
    digits = set(re.findall(r"\d[\d,.]*", note.replace(",", "")))
    return not shown or bool(digits - set(re.findall(r"\d+", shown)))


_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")


def _sp(text: str) -> str:
    return f" {text}" if text else ""


def _era_ok(q: Query, ed: Edition) -> bool:
    return not q.eras or ed.era in q.eras


_GENERIC = frozenset(
    [
        "happen",
        "happened",
        "happen",
        "what",
        "tell",
        "about",
        "year",
        "race",
        "edition",
        "mille",
        "miglia",
        "story",
        "info",
        "information",
        "details",
        "detail",
        "know",
        "something",
    ]
)


_WHO = frozenset({"who", "won", "winner", "winners", "chi", "vinto", "vincitore", "vincitori"})

_STARTER_WORDS = frozenset(
    [
        "started",
        "starters",
        "start",
        "entries",
        "entered",
        "entrants",
        "participants",
        "partecipanti",
        "iscritti",
        "partenti",
        "applications",
    ]
)


def _asks_car(q: Query) -> bool:
    return any(t in q.tokens for t in ("car", "auto", "vettura", "macchina", "model"))


def _mentions_after(fact: Fact, year: int) -> bool:
    return any(str(y) in fact.answer for y in range(year + 1, year + 4))


def _report_line(rep: Report) -> str:
    by = t("answers.report.by", author=rep.author) if rep.author else ""
    photos = t("answers.report.photos", name=rep.photos_by) if rep.photos_by else ""
    return t("answers.report.line", title=rep.title, site=rep.site, by=by, photos=photos)


def _era_span(era: Era) -> str:
    """'in the speed race (1927-1957)', 'in the revival (regularity rally) (1977-today)'."""
    cat = current()
    name = cat.texts.get(f"answers.eras.{era.id}") or cat(
        "answers.eras.other", name=era.name.lower()
    )
    end = era.end_year or cat("answers.era_open")
    return cat("answers.era_span", era=name, start=era.start_year, end=end)


def _sentences_with(event: Event, keys: tuple[str, ...]) -> list[str]:
    found = []
    for text in (event.format or "", *event.notes):
        for sentence in text.replace("; ", ". ").split(". "):
            if any(k in sentence.lower() for k in keys) and sentence not in found:
                found.append(sentence.strip().rstrip(".") + ".")
    return found[:2]
