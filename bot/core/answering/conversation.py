"""Follow-up questions: what the conversation is about, and how a follow-up is read against it.

After "who won in 1955?", "and the co-driver?", "what car did he drive?", "and in 1956?",
"e nel 1933?" and "the year after?" lack a subject or point back to one. A ``Context`` is the
subject of the bot's last answer (events, years, people, makes, eras, what was asked), kept as
plain data by the front ends per conversation. A question that names its own subject and asks
its own field inherits nothing; one that lacks a subject takes it from the context; one that
only changes the year ("and in 1956?") keeps what was asked; "only the Ferrari ones?" narrows
the previous question. Contexts expire after ``EXPIRES_MINUTES`` or ``IDLE_TURNS`` turns that
did not use them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.answering.passages import YEAR
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import current
from bot.core.lexicon import lexicon
from bot.core.reply import Draft
from bot.core.understand import Query, clean_name

EXPIRES_MINUTES = 20  # a conversation's subject is forgotten after this long
IDLE_TURNS = 3  # or after this many turns that did not use it
_LATER = re.compile(
    r"\b(\d+|one|two|three|four|five|ten|un|due|tre|quattro|cinque) years? (later|after|before|earlier|prima|dopo)\b"
)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
    "un": 1,
    "due": 2,
    "tre": 3,
    "quattro": 4,
    "cinque": 5,
}


@dataclass(frozen=True)
class Context:
    """The subject of the last answer in one conversation, as plain data (JSON-safe)."""

    events: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    people: tuple[str, ...] = ()
    makes: tuple[str, ...] = ()
    eras: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()  # what was asked ("winner", "car")
    question: str = ""  # the question it answered, to narrow ("only the Ferrari ones?")
    at: str = ""  # when, ISO 8601
    idle: int = 0  # later turns that did not use it
    label: str = ""  # how a reply names it ("Mille Miglia 1955")
    listed: bool = False  # the answer listed records (a follow-up may narrow the list)
    lang: str = ""  # the language it was asked in: "solo con la ferrari?" goes on in Italian

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Context | None:
        """A context read back from storage, or None when it is not one (never raises)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                events=tuple(str(e) for e in data.get("events", ())),
                years=tuple(int(y) for y in data.get("years", ())),
                people=tuple(str(p) for p in data.get("people", ())),
                makes=tuple(str(m) for m in data.get("makes", ())),
                eras=tuple(str(e) for e in data.get("eras", ())),
                intents=tuple(str(i) for i in data.get("intents", ())),
                question=str(data.get("question", "")),
                at=str(data.get("at", "")),
                idle=int(data.get("idle", 0)),
                label=str(data.get("label", "")),
                listed=bool(data.get("listed", False)),
                lang=str(data.get("lang", "")),
            )
        except (TypeError, ValueError):
            return None

    def fresh(self, now: datetime) -> bool:
        """Whether it still holds: recent enough and not left idle too long."""
        if self.idle >= IDLE_TURNS:
            return False
        try:
            at = datetime.fromisoformat(self.at)
        except ValueError:
            return False
        return now - at <= timedelta(minutes=EXPIRES_MINUTES)

    def as_query(self) -> Query:
        return Query(
            text=self.question,
            tokens=(),
            years=self.years,
            events=self.events,
            people=self.people,
            makes=self.makes,
            eras=frozenset(self.eras),
        )


@dataclass
class FollowUp:
    """How a follow-up was read: the enriched question, and whether it used the context."""

    query: Query
    used: bool = False
    narrowed: str | None = None  # the previous question and this one, read as one
    notes: list[str] = field(default_factory=list)


def read_follow_up(q: Query, context: Context | None, now: datetime) -> FollowUp:
    """The question read against the conversation's context, when it is a follow-up."""
    if context is None or not context.fresh(now):
        return FollowUp(q)
    words = set(q.tokens)
    roles = lexicon()
    refers = bool(words & roles.role("refer_words")) or _has_phrase(q, "refer_phrases")
    goes_on = bool(q.tokens) and q.tokens[0] in roles.role("continue_words")
    narrows = "only" in q.ops or "except" in q.ops
    shift = _year_shift(q)
    own_subject = q.has_subject
    own_field = bool(q.intents - {"who_is", "what_is"})
    if own_subject and own_field and not (refers or goes_on or shift is not None):
        if _year_of_the_same_event(q, context):  # "how many crews in the 2023 edition?"
            return FollowUp(replace(q, events=context.events), used=True)
        if _field_of_someone_then(q, context):  # "what car did Fangio drive?" after 1955
            then = replace(q, years=context.years, events=context.events)
            return FollowUp(replace(then, inherited=then.inherited | {"years"}), used=True)
        return FollowUp(q)  # names its own subject and asks its own field
    if not (q.content or own_field or refers or goes_on or shift is not None):
        return FollowUp(q)  # "thanks", "ok": nothing that needs a subject
    if narrows and context.listed and context.question:
        return FollowUp(q, used=True, narrowed=f"{context.question} {q.text}")
    if not (refers or goes_on or shift is not None or not own_subject):
        return FollowUp(q)
    enriched = q
    if shift is not None and context.years:
        enriched = replace(enriched, years=(context.years[0] + shift,), year_range=None)
        enriched = replace(enriched, inherited=enriched.inherited | {"years"})
    subject = context.as_query()
    if words & roles.role("again_words") and not q.years:
        subject = replace(subject, years=())  # "did he win it again?": in any other year
    enriched = enriched.with_subject(subject)
    if not own_field and context.intents:
        # "and in 1956?": the same question about another year (or event)
        enriched = replace(
            enriched,
            intents=frozenset(context.intents),
            inherited=enriched.inherited | {"intents"},
        )
    # The words that pointed back ("he", "and", "the year after") are accounted for.
    consumed = _pointing(q)
    enriched = replace(enriched, content=enriched.content - consumed)
    used = enriched is not q
    return FollowUp(enriched, used=used)


def _year_of_the_same_event(q: Query, context: Context) -> bool:
    """A question naming only a year, after one about another event than the Mille Miglia:
    "What is the 1000 Millas Sport?" then "how many crews in 2023?" asks about its 2023."""
    return bool(
        (q.years or q.year_range)
        and not (q.events or q.people or q.makes)
        and context.events
        and context.events[0] != DEFAULT_EVENT
    )


# Fields of one edition a person's question may ask about the edition being discussed.
_EDITION_FIELDS = frozenset({"car", "co_driver", "time", "speed", "podium", "finishers"})


def _field_of_someone_then(q: Query, context: Context) -> bool:
    """A person's or make's field, asked without a year, while an edition is the subject:
    "Tell me about the 1955 race" then "what car did Fangio drive?" asks about 1955; "how many
    times did Moss win?" (a count, an operation) asks about every year."""
    return bool(
        (q.people or q.makes)
        and not (q.years or q.year_range or q.events)
        and len(context.years) == 1
        and q.intents & _EDITION_FIELDS
        and not q.intents & {"count", "most", "list"}
        and not q.ops
    )


def _pointing(q: Query) -> frozenset[int]:
    """Positions of the words that refer to the context or carry the last question on."""
    roles = lexicon()
    found = {
        i
        for i, t in enumerate(q.tokens)
        if t in roles.role("refer_words") | roles.role("again_words")
        or (i == 0 and t in roles.role("continue_words"))
    }
    for role in ("refer_phrases", "next_year_phrases", "previous_year_phrases"):
        for phrase in roles.role(role):
            found |= _phrase_positions(q.tokens, tuple(phrase.split()))
    later = _LATER.search(" ".join(q.tokens))
    if later:
        found |= _phrase_positions(q.tokens, tuple(later.group(0).split()))
    return frozenset(found)


def _phrase_positions(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> set[int]:
    n = len(phrase)
    found: set[int] = set()
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n] == phrase:
            found.update(range(i, i + n))
    return found


def _year_shift(q: Query) -> int | None:
    """ "the year after" -> +1, "three years later" -> +3, "the year before" -> -1."""
    text = " ".join(q.tokens)
    if _has_phrase(q, "next_year_phrases"):
        return 1
    if _has_phrase(q, "previous_year_phrases"):
        return -1
    found = _LATER.search(text)
    if found:
        n = found.group(1)
        step = int(n) if n.isdigit() else _WORD_NUMBERS.get(n, 1)
        return -step if found.group(2) in ("before", "earlier", "prima") else step
    return None


def _has_phrase(q: Query, role: str) -> bool:
    text = f" {' '.join(q.tokens)} "
    return any(f" {phrase} " in text for phrase in lexicon().role(role))


def context_of(
    q: Query, draft: Draft, edition_people: dict[str, tuple[str, ...]], now: datetime
) -> Context:
    """The subject the answer leaves for the next question."""
    years = q.years
    events = q.events
    people = q.people
    if draft.edition:
        event, _, year = draft.edition.partition("/")
        events, years = (event,), (int(year),)
        if not people:
            people = edition_people.get(draft.edition, ())
    if not people and draft.title and draft.topic == "person":
        people = (clean_name(draft.title),)
    if not years and q.intents & {"since", "dates"}:
        answered = answered_year(draft)  # "when did it start?" -> 2010: "that year" is 2010
        years = (answered,) if answered is not None else ()
    intents = tuple(sorted(q.intents - {"who_is", "what_is", "history"}))
    return Context(
        events=events,
        years=years,
        people=people,
        makes=q.makes,
        eras=tuple(sorted(q.eras)),
        intents=intents,
        question=q.text,
        at=now.isoformat(),
        label=draft.title or "",
        lang=current().lang,
        listed=bool(
            q.intents & {"list", "most", "count"}
            or q.ops & {"more_than_once", "except", "solo"}
            or draft.topic.startswith(("records", "most", "roll"))
        ),
    )


def answered_year(draft: Draft) -> int | None:
    """The one year an answer's first line gives ("The Ferrari Tribute began in 2010."), or
    None when it gives none or several."""
    found = {int(y) for y in YEAR.findall(draft.lines[0])} if draft.lines else set()
    return found.pop() if len(found) == 1 else None


def idle(context: Context) -> Context:
    """The same context, one turn older (a turn that did not use it)."""
    return replace(context, idle=context.idle + 1)
