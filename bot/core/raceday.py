"""Race days: today's leg, tonight's stop and which day a town is on, from an edition's legs.

Fans ask these while an edition runs ("where are they today?", "dove dormono stasera?", "when
do they reach Rome?", "what day is Siena?") and the answer is in the knowledge only as the
day-by-day ``legs`` of an edition. "Today" is the calendar day in the event's own time zone,
on the injected clock. Where the knowledge has no legs the reply says so and gives the whole
route; it never guesses a day. The bot has no live feed, and every race-day reply says so
plainly rather than letting a planned route pass for a position report.

The keyword sets are the ``raceday`` section of ``lexicon.yaml``; the texts are the
``raceday`` catalogue (``locales/<lang>/raceday.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from bot.core import formatting as fmt
from bot.core.events import EventNames
from bot.core.i18n import t
from bot.core.legs import leg_text, town_keys
from bot.core.lexicon import lexicon_yaml
from bot.core.model import Edition, Event, Knowledge, Leg
from bot.core.reminders import day_label
from bot.core.reply import Button, Draft, Kind, Reply
from bot.core.text import normalise, words
from bot.core.understand import Query
from bot.core.upcoming import latest, local_today, running, upcoming

CONFIDENCE = 97.0  # above /next (96) and an edition card (95): the question is about today
MIN_TOWN_LETTERS = 4  # shorter words of a town's name ("di", "del") do not name it
# What a question may also ask for a lone "today" to mean this race day ("where is it today?").
TODAY_ALONE_INTENTS = frozenset({"route", "passes", "where", "dates", "next", "latest"})


@dataclass(frozen=True)
class RaceDayWords:
    """The ``raceday`` phrases of ``lexicon.yaml``, as word tuples."""

    today: tuple[tuple[str, ...], ...]
    tonight: tuple[tuple[str, ...], ...]
    place_day: tuple[tuple[str, ...], ...]
    live: tuple[tuple[str, ...], ...]
    day_nouns: frozenset[str]
    day_ordinals: dict[str, int]  # -1 is the last day


@lru_cache(maxsize=1)
def raceday_words() -> RaceDayWords:
    raw = lexicon_yaml()
    section = raw["raceday"]

    def phrases(name: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(words(normalise(str(p)))) for p in section[name])

    return RaceDayWords(
        phrases("today"),
        phrases("tonight"),
        phrases("place_day"),
        phrases("live"),
        frozenset(normalise(str(w)) for w in section["day_nouns"]),
        {normalise(str(k)): int(v) for k, v in section["day_ordinals"].items()},
    )


@lru_cache(maxsize=1)
def raceday_vocabulary() -> frozenset[str]:
    """Every word of the race-day phrases: known words, so spelling correction keeps them."""
    found = raceday_words()
    phrases = (*found.today, *found.tonight, *found.place_day, *found.live)
    return frozenset({w for p in phrases for w in p} | found.day_nouns | set(found.day_ordinals))


def question_words(text: str) -> list[str]:
    """The question's own words without apostrophes ("what's" -> "whats", "c'è" -> "ce"),
    before any spelling correction (which would bend words it does not know, "tonight")."""
    return [w.replace("'", "") for w in words(normalise(text))]


MAX_PHRASE = 6  # the longest keyword phrase, in words (a test checks the lexicon keeps to it)


def grams(tokens: list[str]) -> frozenset[tuple[str, ...]]:
    """Every word sequence of the question up to MAX_PHRASE words, so a phrase is a lookup."""
    return frozenset(
        tuple(tokens[i : i + n])
        for n in range(1, MAX_PHRASE + 1)
        for i in range(len(tokens) - n + 1)
    )


def has_phrase(
    tokens: list[str] | frozenset[tuple[str, ...]], phrases: Iterable[tuple[str, ...]]
) -> bool:
    """Whether the question (its words, or their grams) holds one of the phrases."""
    seen = tokens if isinstance(tokens, frozenset) else grams(tokens)
    return any(p in seen for p in phrases)


class RaceDay:
    """Answers race-day questions and ``/today`` from one loaded knowledge base."""

    def __init__(
        self,
        knowledge: Knowledge,
        canonical_place: Callable[[str], str],
        event_names: EventNames,
    ) -> None:
        self.events = {e.id: e for e in knowledge.events}
        self.editions = {e.id: list(knowledge.editions_of(e.id)) for e in knowledge.events}
        self.canonical = canonical_place
        self.event_names = event_names
        self.words = raceday_words()

    # ----------------------------------------------------------------- the hooks

    def draft(self, q: Query, event: Event, now: datetime) -> Draft | None:
        """A handler of the answerer: a draft for race-day questions, None for others."""
        if q.people or q.year_range or q.makes:
            return None
        tokens = question_words(q.text)
        seen = grams(tokens)
        place_draft = self._place_question(q, tokens, seen, event, now)
        if place_draft is not None:
            return place_draft
        day_draft = self._day_question(q, tokens, event, now)
        if day_draft is not None:
            return day_draft
        if q.years:
            return None
        tonight = has_phrase(seen, self.words.tonight)
        today = tonight or self._asks_today(q, seen)
        live = has_phrase(seen, self.words.live)
        if not (today or live):
            return None
        draft = self.today_draft(event, now, tonight=tonight)
        if live and not today:  # "who is leading?": what it asks, the bot cannot know
            draft.kind = Kind.UNKNOWN
        return draft

    def _asks_today(self, q: Query, seen: frozenset[tuple[str, ...]]) -> bool:
        """A "today" phrase; a lone "today" / "oggi" only when nothing else is asked: in "who
        organises today's 1000 Miglia?" it means nowadays, not this race day."""
        if has_phrase(seen, (p for p in self.words.today if len(p) > 1)):
            return True
        alone = (p for p in self.words.today if len(p) == 1)
        return has_phrase(seen, alone) and q.intents <= TODAY_ALONE_INTENTS

    def command(self, args: list[str], now: datetime) -> Reply:
        """``/today [event]``: today's leg of the event (default the Mille Miglia)."""
        found = self.event_names.resolve(" ".join(args))
        if not found:
            return Draft(0.0, Kind.UNKNOWN, lines=[t("raceday.usage")], topic="usage").finish()
        if len(found) > 1:
            buttons = [Button(e.name, f"/today {e.id}") for e in found]
            return Draft(
                100.0, Kind.CLARIFY, lines=[t("raceday.which")], buttons=buttons, topic="which"
            ).finish()
        return self.today_draft(found[0], now, tonight=False).finish()

    # ----------------------------------------------------------------- today and tonight

    def today_draft(self, event: Event, now: datetime, tonight: bool) -> Draft:
        """Today's leg (and tonight's stop) of the edition under way, or when the next one runs."""
        today = local_today(event, now)
        editions = self.editions.get(event.id, [])
        draft = Draft(CONFIDENCE, topic="raceday-today")
        ed = running(editions, today)
        if ed is None:
            self._not_running(draft, event, editions, today)
        else:
            draft.edition = ed.key
            self._day_lines(draft, event, ed, today, tonight)
        draft.lines.append(t("raceday.no_live"))
        return draft

    def _day_lines(
        self, draft: Draft, event: Event, ed: Edition, today: date, tonight: bool
    ) -> None:
        assert ed.start is not None and ed.end is not None
        day = (today - ed.start).days + 1
        total = (ed.end - ed.start).days + 1
        common = {
            "day": day,
            "total": total,
            "of_edition": fmt.the_edition(event, ed, "of_edition"),
            "date": day_label(today),
            "zone": event.timezone,
        }
        leg = ed.leg_on(today)
        if leg is None:
            draft.lines.append(t("raceday.day_no_leg", **common))
            draft.lines.append(self._route_line(event, ed, day))
            draft.add_sources(ed.sources)
            if ed.legs or ed.route:
                draft.kind = Kind.ANSWER
            else:
                draft.kind = Kind.UNKNOWN
            return
        overnight = self._overnight_line(leg, last=day == total)
        line = t("raceday.day", leg=leg_text(leg), **common)
        draft.lines.extend([overnight, line] if tonight else [line, overnight])
        if leg.note:
            draft.lines.append(leg.note)
        draft.add_sources(leg.sources)

    def _overnight_line(self, leg: Leg, last: bool) -> str:
        if last and not leg.overnight:
            return t("raceday.finish_day", place=leg.to)
        if leg.overnight:
            return t("raceday.overnight", place=leg.overnight)
        return t("raceday.no_overnight", place=leg.to)

    def _route_line(self, event: Event, ed: Edition, day: int) -> str:
        of_edition = fmt.the_edition(event, ed, "of_edition")
        route = " - ".join(ed.route) or (ed.route_note or "")
        if ed.legs:  # some days are known, not this one
            return t("raceday.no_leg_today", day=day, route=route or "-")
        if route:
            return t("raceday.no_legs", of_edition=of_edition, route=route)
        return t("raceday.no_legs_no_route", of_edition=of_edition)

    def _not_running(
        self, draft: Draft, event: Event, editions: list[Edition], today: date
    ) -> None:
        nxt = upcoming(editions, today)
        no_event = fmt.the_event(event, "no_event")
        if nxt is not None and nxt.start and nxt.end:
            days = (nxt.start - today).days
            values = {
                "edition_cap": fmt.the_edition(event, nxt, "edition_cap"),
                "dates": fmt.when(nxt) or fmt.date_range(nxt.start, nxt.end),
                "days": days,
            }
            key = "raceday.not_running_tomorrow" if days == 1 else "raceday.not_running_next"
            draft.lines.append(t(key, **values))
            if nxt.legs:
                first = nxt.legs[0]
                draft.lines.append(
                    t("raceday.first_leg", date=day_label(first.date), leg=leg_text(first))
                )
                draft.add_sources(first.sources)
            draft.add_sources(nxt.sources)
            draft.edition = nxt.key
            return
        if nxt is not None:
            edition = fmt.the_edition(event, nxt)
            draft.lines.append(
                t("raceday.not_running_announced", no_event=no_event, edition=edition)
            )
            draft.add_sources(nxt.sources)
            return
        last = latest(editions, today)
        if last is not None and last.start and last.end:
            draft.lines.append(
                t(
                    "raceday.not_running_over",
                    no_event=no_event,
                    edition=fmt.the_edition(event, last),
                    dates=fmt.when(last) or fmt.date_range(last.start, last.end),
                )
            )
            draft.add_sources(last.sources)
            return
        draft.lines.append(t("raceday.not_running_none", no_event=no_event))
        draft.add_sources(event.sources, limit=1)

    # ----------------------------------------------------------------- one day by its number

    def _day_asked(self, tokens: list[str]) -> int | None:
        """1 for "the first day" / "day 1" / "la prima tappa"; -1 for the last; None if none."""
        for i, token in enumerate(tokens):
            if token not in self.words.day_nouns:
                continue
            if i > 0 and tokens[i - 1] in self.words.day_ordinals:
                return self.words.day_ordinals[tokens[i - 1]]
            if i + 1 < len(tokens) and tokens[i + 1].isdigit() and len(tokens[i + 1]) == 1:
                return int(tokens[i + 1])
        return None

    def _day_question(
        self, q: Query, tokens: list[str], event: Event, now: datetime
    ) -> Draft | None:
        """'Where was the lunch stop on the first day of the 2026 edition?': that day's leg.

        Only for an edition with legs: elsewhere other answers may know more than "no legs"."""
        number = self._day_asked(tokens)
        if number is None:
            return None
        ed = self._edition_for(q, event, now)
        if ed is None or not ed.legs:
            return None
        leg = ed.legs[-1] if number == -1 else next((g for g in ed.legs if g.day == number), None)
        if leg is None:
            return None
        draft = Draft(CONFIDENCE, topic="raceday-day", edition=ed.key)
        draft.lines.append(
            t(
                "raceday.day_leg",
                day=leg.day,
                of_edition=fmt.the_edition(event, ed, "of_edition"),
                date=day_label(leg.date),
                leg=leg_text(leg),
            )
        )
        if leg.note:
            draft.lines.append(leg.note)
        if leg.overnight:
            draft.lines.append(t("raceday.overnight_of_day", place=leg.overnight))
        draft.add_sources(leg.sources)
        return draft

    # ----------------------------------------------------------------- which day a town is on

    def _place_question(
        self,
        q: Query,
        tokens: list[str],
        seen: frozenset[tuple[str, ...]],
        event: Event,
        now: datetime,
    ) -> Draft | None:
        if not has_phrase(seen, self.words.place_day):
            return None
        ed = self._edition_for(q, event, now)
        if ed is None:
            return None
        place = self._asked_place(q, tokens, ed)
        if place is None:
            return None
        return self._place_draft(event, ed, place, local_today(event, now))

    def _edition_for(self, q: Query, event: Event, now: datetime) -> Edition | None:
        """The year asked; otherwise the edition under way, the next with dates, or the latest."""
        editions = self.editions.get(event.id, [])
        if q.years:
            return next((e for e in editions if e.year == q.years[0]), None)
        today = local_today(event, now)
        nxt = upcoming(editions, today)
        return (
            running(editions, today)
            or (nxt if nxt is not None and nxt.start else None)
            or latest(editions, today)
        )

    def _asked_place(self, q: Query, tokens: list[str], ed: Edition) -> str | None:
        """The town the question names: one the understanding found, or a town of the legs."""
        if q.places:
            return q.places[0]
        text = f" {' '.join(tokens)} "
        towns = [p for leg in ed.legs for p in leg.places] + list(ed.route)
        for town in towns:
            for key in town_keys(town):
                if len(key) >= MIN_TOWN_LETTERS and f" {key} " in text:
                    return town
        return None

    def _same_place(self, asked: str, town: str) -> bool:
        wanted = self.canonical(asked)
        return any(
            self.canonical(part) == wanted or normalise(part) == normalise(asked)
            for part in (town, *town.split("/"))
        )

    def _place_draft(self, event: Event, ed: Edition, place: str, today: date) -> Draft:
        of_edition = fmt.the_edition(event, ed, "of_edition")
        draft = Draft(CONFIDENCE, topic="raceday-place", edition=ed.key)
        shown = self.canonical(place)
        if not ed.legs:
            draft.kind = Kind.UNKNOWN
            draft.lines.append(self._route_line(event, ed, 0))
            draft.add_sources(ed.sources)
            return draft
        days = [leg for leg in ed.legs if any(self._same_place(place, p) for p in leg.places)]
        for leg in days:
            draft.lines.append(
                t(
                    "raceday.place_on_day",
                    place=shown,
                    day=leg.day,
                    of_edition=of_edition,
                    date=day_label(leg.date),
                    leg=leg_text(leg),
                )
            )
            if leg.overnight and self._same_place(place, leg.overnight):
                draft.lines.append(t("raceday.place_overnight", place=shown, day=leg.day))
            draft.add_sources(leg.sources)
        if not days:
            on_route = any(self._same_place(place, town) for town in ed.route)
            key = "raceday.place_no_day" if on_route else "raceday.place_not_on_route"
            draft.kind = Kind.UNKNOWN if on_route else Kind.ANSWER
            draft.lines.append(t(key, place=shown, of_edition=of_edition))
            draft.add_sources(ed.sources)
        if ed.start and ed.end and ed.start <= today <= ed.end:
            draft.lines.append(t("raceday.no_live"))
        return draft
