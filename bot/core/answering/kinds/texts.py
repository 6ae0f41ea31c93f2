"""Texts of the knowledge found by the words of a question: facts, notes, people, reports.

"Who died in 1957?", "why did the race stop?", "what did Tom and Gwen Price drive?" are not
fields of a record: the answer is a sentence some curator wrote. A text explains the question
words it shares (or shares a synonym group with), and the year it is about.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core import formatting as fmt
from bot.core.answering import scores
from bot.core.answering.kinds.edition import asked_fields, missing_fields
from bot.core.answering.passages import YEAR, Found, Passage, Phrasing, same_question
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx, View
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import t
from bot.core.lexicon import Lexicon, lexicon
from bot.core.model import Fact
from bot.core.reply import Draft, Kind
from bot.core.text import normalise
from bot.core.understand import Query


def propose(q: Query, ctx: Ctx) -> Iterator[Reading]:
    v = ctx.view
    seen: set[str] = set()
    years = _written_years(q)
    asked_event = q.events[0] if q.events else None
    home = asked_event or DEFAULT_EVENT
    for passage in v.passages.own_phrasings(q.text, years):
        if _of_another_event(passage, asked_event):
            continue  # "where does that event finish?" about the Warm Up USA is not Brescia
        hit = Found(passage, q.content, 0.0)
        reading = _fact_reading(q, ctx, hit, home, q.content)
        if reading is not None:
            seen.add(passage.id)
            yield reading
    if not q.content:
        return
    at_years = {i: _year_at(q, i) for i in q.at("year")}
    kinds = v.lex.answer_types
    typed = {i: f"@{kinds[q.tokens[i]]}" for i in q.content if q.tokens[i] in kinds}
    found = v.passages.search(
        q.tokens, q.content, {i: y for i, y in at_years.items() if y}, typed, 40, frozenset(q.years)
    )
    if "years" in q.inherited:  # "...and why then?": about the year of the part before
        found = [h for h in found if set(h.passage.years) & set(q.years)] or found
    he = v.lex.role("person_pronouns")
    if "people" in q.inherited and he & set(q.tokens):  # "when was he born?": about him only
        found = [h for h in found if _mentions(h.passage, q.people)]
    found.sort(key=lambda h: (-len(h.explains), -_strength(q, h, home)))
    why = q.words_in(v.lex.role("why"))
    for hit in found[: scores.PASSAGE_SHORTLIST]:
        p = hit.passage
        if _of_another_event(p, asked_event) and p.kind != "person":
            continue
        uses = hit.explains | why  # a reason is given by a text, never by a record
        if q.people and _mentions(p, q.people):
            uses |= q.at("person")  # "Enzo Ferrari's company": a text naming Ferrari names him
        if p.event == asked_event or not asked_event:
            uses |= q.at("event")
        if p.fact is not None:
            reading = _fact_reading(q, ctx, hit, home, uses)
            if reading is not None and p.id not in seen:
                yield reading
            continue
        draft = _draft(v, hit)
        if p.kind == "note":
            _more_notes(draft, hit, found)
        yield Reading(
            f"text:{p.kind}",
            draft,
            uses,
            scores.PRIOR_TEXT,
            _strength(q, hit, home),
            editions=_editions(p),
        )


def _of_another_event(p: Passage, asked: str | None) -> bool:
    """Whether a text is about another event than the one asked (a text naming none is about
    the race itself)."""
    return asked is not None and (p.event or DEFAULT_EVENT) != asked


def _fact_reading(
    q: Query, ctx: Ctx, hit: Found, home: str, uses: frozenset[int]
) -> Reading | None:
    """A curated fact: its answer, ranked above records when the question is its own."""
    v = ctx.view
    p = hit.passage
    if p.fact is None or _expired(ctx, p.fact):
        return None
    found = _similarity(q, p.phrasings, v.lex)
    own = found is not None
    similarity = found or 0.0
    prior = scores.PRIOR_FACT_OWN if own else scores.PRIOR_TEXT
    if own:
        uses = uses | q.content  # its own question: every word is accounted for
    strength = _strength(q, hit, home) + similarity / 10 + _same_wh(q, p.phrasings)
    draft = fact_draft(v, p.fact)
    if _record_lacks(v, q, p.fact):
        draft.kind = Kind.UNKNOWN  # context, not the answer: the record decides
        prior = scores.PRIOR_TEXT
    return Reading("text:fact", draft, uses, prior, strength, p.fact.question, _editions(p))


def _editions(p: Passage) -> tuple[str, ...]:
    """What a text is about: a note's or report's edition, a fact's curated ones ("event/year"),
    and its event (the event's id alone)."""
    found = p.fact.editions if p.fact is not None else ((p.edition,) if p.edition else ())
    return (*found, p.event) if p.event else found


def _strength(q: Query, hit: Found, home: str) -> float:
    """Rare words shared, then: about the year asked, about the event asked (or the race)."""
    p = hit.passage
    bonus = (
        scores.TEXT_OWN_EDITION if p.edition and int(p.edition.split("/")[1]) in q.years else 0.0
    )
    if p.event == home:
        bonus += scores.TEXT_OWN_EVENT
    return hit.weight + bonus


def _expired(ctx: Ctx, fact: Fact) -> bool:
    """An "upcoming" fact whose editions are over says nothing true any more ("is scheduled
    for 9-13 June 2026" in December): the record speaks instead."""
    if fact.topic != "upcoming" or not fact.editions:
        return False
    this_year = ctx.now.year
    if any(int(y) > this_year for y in YEAR.findall(fact.answer)):
        return False  # it still speaks of what is to come (the 2027 centenary)
    for key in fact.editions:
        ed = ctx.view.edition_at.get(key)
        last = (ed.end or ed.start) if ed is not None else None
        if ed is None or last is None or last >= ctx.today(ctx.view.events[ed.event]):
            return False
    return True


def _written_years(q: Query) -> frozenset[str]:
    """The years the question writes ("after 1957" writes 1957, whatever range it means)."""
    return frozenset(YEAR.findall(normalise(q.text)))


def _mentions(p: Passage, people: tuple[str, ...]) -> bool:
    """Whether a text names one of the people (by surname)."""
    text = p.text.lower()
    return any(name.split()[-1].lower() in text for name in people if name.split())


def _same_wh(q: Query, phrasings: tuple[Phrasing, ...]) -> float:
    """A fact asked with the question's own question word ("where", "why") fits it better."""
    wh = next((t for t in q.tokens if t in lexicon().role("question_words")), None)
    if wh is None:
        return 0.0
    own = phrasings[0].wh if phrasings else frozenset()  # the fact's own question first
    if wh in own:
        return scores.FACT_QUESTION_WORD
    return scores.FACT_QUESTION_WORD / 2 if any(wh in p.wh for p in phrasings) else 0.0


def _record_lacks(v: View, q: Query, fact: Fact) -> bool:
    """A fact about an edition whose record lacks what is asked cannot make it known.

    "Who won the 2026 Mille Miglia?" finds the fact announcing 2026; the record has no result,
    so the fact is said as what is known, and the reply is ``unknown``.
    """
    if _asks_what_is_open(q, fact, v.lex):
        return True  # the fact itself says this is not known yet
    asked = asked_fields(q)
    if len(q.years) != 1:
        return False
    for key in fact.editions:
        ed = v.edition_at.get(key)
        if ed is not None and ed.year == q.years[0] and asked:
            return set(missing_fields(ed, asked)) == set(asked)
    return False


def _asks_what_is_open(q: Query, fact: Fact, lex: Lexicon) -> bool:
    """Whether the question asks for what the fact says is not known ("the exact dates").

    A bare question word does not: "when is the centenary?" is answered by "in 2027"; "what are
    the dates of the centenary?" is not.
    """
    asked = q.intent_at(*fact.leaves_open)
    return any(q.tokens[i] not in lex.role("question_words") for i in asked)


def _more_notes(draft: Draft, hit: Found, found: list[Found]) -> None:
    """Other notes of the same edition that explain as much: a story is often two notes."""
    for other in found:
        p = other.passage
        if (
            other is not hit
            and p.kind == "note"
            and p.edition == hit.passage.edition
            and other.explains >= hit.explains
            and p.text not in draft.lines
            and len(draft.lines) < MAX_NOTES
        ):
            draft.lines.append(p.text)


MAX_NOTES = 3


def _year_at(q: Query, i: int) -> int | None:
    token = q.tokens[i].lstrip("'")
    for year in q.years:
        if token in (str(year), str(year)[2:]):
            return year
    return None


def _similarity(q: Query, phrasings: tuple[Phrasing, ...], lex: Lexicon) -> float | None:
    """The best similarity of a phrasing that asks what the question asks, or None."""
    norm = normalise(q.text)
    years = _written_years(q)
    found = [same_question(norm, years, p, lex) for p in phrasings]
    scores_ = [f for f in found if f is not None]
    return max(scores_) if scores_ else None


def fact_draft(v: View, fact: Fact) -> Draft:
    """A fact's answer, its disagreements, the reports and sources it rests on."""
    draft = Draft(0.0, lines=[fact.answer], topic=f"fact:{fact.id}")
    for conflict in fact.conflicts:
        draft.lines.append(t("answers.labels.sources_differ", text=conflict.text))
    if len(fact.editions) == 1:  # a fact over five editions is not about their coverage
        draft.reports.extend(v.reports.get(fact.editions[0], []))
    for rid in fact.reports:
        if rid in v.report_by_id:
            draft.reports.append(v.report_by_id[rid])
    draft.add_sources(fact.sources)
    return draft


def _draft(v: View, hit: Found) -> Draft:
    p = hit.passage
    draft = Draft(0.0, topic=f"{p.kind}:{p.id}")
    if p.kind == "note" and p.edition:
        ed = v.edition_at[p.edition]
        draft.title = fmt.edition_title(v.events[ed.event], ed)
        draft.edition = ed.key
        draft.reports.extend(v.reports.get(ed.key, []))
    elif p.kind == "person" and p.people:
        person = next((x for x in v.knowledge.people if x.id == p.people[0]), None)
        draft.title = person.name if person else None
    elif p.kind == "event" and p.event:
        draft.title = v.events[p.event].name
    elif p.kind == "report" and p.report is not None:
        rep = p.report
        draft.title = rep.title
        draft.reports.append(rep)
        if rep.car_pictured:
            draft.lines.append(p.text)
            draft.lines.append(t("answers.records.car_pictured", car=rep.car_pictured))
            draft.add_sources(p.sources)
            return draft
    text = t("answers.labels.sources_differ", text=p.text) if p.conflict else p.text
    draft.lines.append(text)
    draft.add_sources([s for s in p.sources if s != "seed"] or p.sources)
    return draft
