"""Read the question, collect every kind's readings, choose one by the rule, or abstain.

A question whose best reading explains every content word is answered by that reading. One
that no reading explains whole is tried part by part ("who won in 1994, and in what car?"),
each part read with the subject of the part before it. What still cannot be explained is not
answered with confidence: the reply says what the bot understood, what it did not, and what it
knows about the subject, as ``unknown``, so the question reaches the curators.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz

from bot.core import formatting as fmt
from bot.core.answering import conversation, scores
from bot.core.answering.kinds import KINDS
from bot.core.answering.passages import YEAR
from bot.core.answering.readings import Reading
from bot.core.answering.view import Ctx
from bot.core.i18n import current, t
from bot.core.lexicon import lexicon
from bot.core.reply import Draft, Kind
from bot.core.text import normalise, words
from bot.core.understand import OPEN_RANGE_END, OPEN_RANGE_START, Query, understand

# Where a question may be cut into parts: commas, semicolons, question marks, "and", "e".
_SPLIT = re.compile(r"\s*(?:[,;?]|\band\b|\bed?\b|\balso\b|\binoltre\b)\s*", re.IGNORECASE)
_YEARS_AND = re.compile(r"\b(\d{4})\s+(and|e)\s+(\d{2,4})\b", re.IGNORECASE)


def readings(q: Query, ctx: Ctx) -> list[Reading]:
    """Every kind's readings of the question, best first by the one rule."""
    found = [r for propose in KINDS.values() for r in propose(q, ctx)]
    found.extend(_records_with_texts(found, q))
    found.sort(key=lambda r: scores.rank(r, q))
    return found


def _records_with_texts(found: list[Reading], q: Query) -> list[Reading]:
    """A record's answer completed by a text about the same edition.

    "Why was Della Stufa Pintacuda's co-driver in 1935?": the 1935 record names the crew, a
    note of 1935 says why. Neither explains the question alone; together they do, and the
    reply gives both. "Where did the very first Ferrari Tribute finish?": the card only tells
    which edition "the very first" is, and the note of that edition answers. Only a text that
    explains words the record leaves takes part, with a record that explains words it leaves.
    """
    combined: list[Reading] = []
    # An operation's word ("over", "first") is no subject a text can add: what it asks is an
    # operation over the records, which the record did not do.
    ops = q.at(*(k for k in q.marks if k.startswith("op:")))
    answering = [r for r in found if r.kind.startswith("text:") and r.draft.kind is Kind.ANSWER]
    for record in found:
        about = record.draft.edition or (record.editions[0] if record.editions else None)
        if (
            record.prior not in (scores.PRIOR_RECORD, scores.PRIOR_CARD)
            or record.kind not in ("edition", "event:field")
            or about is None
            or record.draft.kind is not Kind.ANSWER
        ):
            continue
        answered = record.prior == scores.PRIOR_RECORD  # a card only says which edition
        # A card identifies the edition (its year, "the very first"); the names of its crew
        # are no answer unless the text itself speaks of them.
        own = record.uses if answered else record.uses - q.at("person", "make", "place")
        left = q.content - own
        texts = [
            r
            for r in answering
            if about in r.editions and (r.uses & left) - ops and (q.content & own) - r.uses
        ]
        if not texts:
            continue
        text = min(texts, key=lambda r: (len(left - r.uses), r.kind == "text:report", -r.strength))
        draft = _joined(record.draft, text.draft) if answered else _titled(text.draft, record)
        uses = own | text.uses
        combined.append(
            Reading("record+text", draft, uses, scores.PRIOR_RECORD_WITH_TEXT, text.strength)
        )
    return combined


def _titled(text: Draft, record: Reading) -> Draft:
    """The text's reply under the title of the edition the card found."""
    return replace(text, title=text.title or record.draft.title, edition=record.draft.edition)


def _joined(record: Draft, text: Draft) -> Draft:
    """The record's reply with the text's lines, reports and sources after it."""
    draft = replace(
        record,
        lines=list(record.lines),
        reports=list(record.reports),
        sources=list(record.sources),
        buttons=list(record.buttons),
        suggestions=list(record.suggestions),
    )
    draft.lines.extend(line for line in text.lines if line not in draft.lines)
    draft.reports.extend(r for r in text.reports if r not in draft.reports)
    draft.add_sources(text.sources, limit=len(draft.sources) + 1)
    return draft


def plan(q: Query, ctx: Ctx) -> Draft:
    """The reply to a question already read."""
    if q.other_race and not q.events:
        return _unknown(t("answers.other_race"), "other-race")
    if not ctx.view.events:
        return _unknown(t("answers.no_knowledge"), "empty")
    if not _about_anything(q, ctx):
        return abstain(q, None)
    q = _without_restated_eras(q, ctx)
    found = readings(q, ctx)
    best = found[0] if found else None
    if best is not None and scores.explains_all(best, q, ctx.view):
        if _asks_again_about_it(q):
            both = _parts(q, ctx)
            if both is not None and both.kind is Kind.ANSWER and "+" in both.topic:
                return both
        close = _close_second(found, q, ctx)
        if close is not None:
            return _clarify(best, close)
        draft = _with_own_fact(_finish(best, q, ctx), best, found, q, ctx)
        return _with_second_text(draft, best, found, q, ctx)
    retyped = _retyped(q, best, ctx)
    if retyped is not None:
        return retyped
    apart = _years_apart(q, ctx)
    if apart is not None:
        return apart
    parts = _parts(q, ctx)
    if parts is not None:
        return parts
    return abstain(q, best)


_BETWEEN = re.compile(r"\b(?:between|from|tra|fra)\s+(.+?)\s+(?:and|to|e)\s+(.+?)\s*\??$", re.I)


def _years_apart(q: Query, ctx: Ctx) -> Draft | None:
    """ "How many years passed between the last speed race and the first revival?"

    Each side is read as a question of its own ("the last speed race"), and must name one
    edition whose year its answer gives; the reply is the two years and the years between.
    The second side is read with the first's subject ("his last win" after "Biondetti's
    first").
    """
    lex = ctx.view.lex
    if not (lex.role("gap_words") & set(q.tokens) and lex.role("year_words") & set(q.tokens)):
        return None
    found = _BETWEEN.search(q.text)
    if found is None or YEAR.search(found.group(0)):
        return None  # "between 1948 and 1957" is a range, read as such
    sides: list[tuple[str, int, Draft]] = []
    previous: Query | None = None
    for text in found.groups():
        side = understand(text, ctx.view.catalog)
        side = side.with_subject(previous) if previous is not None else side
        if not side.content:
            return None
        read = readings(side, ctx)
        if not read or not scores.explains_all(read[0], side, ctx.view):
            return None
        year = _one_year(read[0].draft)
        if year is None:
            return None
        sides.append((text, year, read[0].draft))
        previous = side
    (first, a, _), (second, b, _) = sides
    draft = Draft(0.0, topic="records:apart")
    first = fmt.capital(first)  # it starts the sentence
    draft.lines.append(
        t("answers.records.apart", first=first, a=a, second=second, b=b, n=abs(b - a))
    )
    for _, _, side_draft in sides:
        draft.add_sources(side_draft.sources, limit=len(draft.sources) + 1)
    return draft


def _one_year(draft: Draft) -> int | None:
    """The one edition an answer is about: its edition, or the single year its first line gives."""
    if draft.kind is not Kind.ANSWER:
        return None
    if draft.edition:
        return int(draft.edition.partition("/")[2])
    return conversation.answered_year(draft)


def _without_restated_eras(q: Query, ctx: Ctx) -> Query:
    """ "The revival in 2008-2012": an era whose span holds every year asked only restates
    them, so its word needs no text or record of its own to explain it."""
    event = ctx.view.event_of(q.events[0] if q.events else None)
    asked = list(q.years) + list(q.year_range or ())
    if event is None or not asked or OPEN_RANGE_START in asked or OPEN_RANGE_END in asked:
        return q
    restated: set[int] = set()
    for era in event.eras:
        end = era.end_year or max(asked)
        if era.id in q.eras and all(era.start_year <= y <= end for y in asked):
            restated |= q.at(f"era:{era.id}")
    return replace(q, content=q.content - restated) if restated else q


def _retyped(q: Query, best: Reading | None, ctx: Ctx) -> Draft | None:
    """A second look at words nothing explained: are they typos of names or keywords?

    "mile miglia", "stirling mos", "wat car": short or known-looking words escape the first
    correction; corrected towards the names and keywords only, the question may read whole.
    """
    left = q.content - (best.uses if best else frozenset())
    fixed = list(q.tokens)
    for i in left:
        fixed[i] = ctx.view.catalog.retype(q.tokens[i])
    if fixed == list(q.tokens):
        return None
    changed = {i for i in left if fixed[i] != q.tokens[i]}
    if q.content <= changed and not {fixed[i] for i in changed} & ctx.view.catalog.name_words:
        return None  # "quit" is no typo of "quinto": a keyword alone, guessed, asks nothing
    again = understand(" ".join(fixed), ctx.view.catalog)
    found = readings(again, ctx)
    if found and scores.explains_all(found[0], again, ctx.view):
        return _finish(found[0], again, ctx)
    return None


def _about_anything(q: Query, ctx: Ctx) -> bool:
    """Whether the question has a word besides those asking for a kind of value ("why")."""
    lex = ctx.view.lex
    # "where are they today?" is about the race; "why?" or "how many?" alone is about nothing.
    asking = {w for w, kind in lex.answer_types.items() if kind != "place"} | lex.role("why")
    words = {q.tokens[i] for i in q.content}
    return not words or bool(q.has_subject or q.places or words - asking)


def _close_second(found: list[Reading], q: Query, ctx: Ctx) -> Reading | None:
    """A second curated fact that reads the question as well as the best one: ask which."""
    if len(found) < 2:
        return None
    best, second = found[0], found[1]
    same = scores.rank(best, q)[:2] == scores.rank(second, q)[:2]
    both_facts = best.kind == second.kind == "text:fact"
    if (
        same
        and both_facts
        and best.draft.topic != second.draft.topic
        and best.strength - second.strength < scores.FACT_CLARIFY_GAP
    ):
        return second
    return None


def _clarify(best: Reading, second: Reading) -> Draft:
    """'Did you mean one of these?' with the two questions as suggestions."""
    if not (best.question and second.question):
        return best.draft
    draft = _unknown(t("answers.clarify"), "clarify")
    draft.kind = Kind.CLARIFY
    draft.suggestions = [best.question, second.question]
    return draft


def _with_own_fact(draft: Draft, best: Reading, found: list[Reading], q: Query, ctx: Ctx) -> Draft:
    """A record's answer, followed by the curated fact written for this very question.

    "How many times did Biondetti win?" is counted from the records; the fact whose phrasing
    it is ("the record with four wins; the only consecutive winners...") adds what a count
    cannot say.
    """
    if best.prior != scores.PRIOR_RECORD:
        return draft
    own = next(
        (
            r
            for r in found
            if r.prior == scores.PRIOR_FACT_OWN and scores.explains_all(r, q, ctx.view)
        ),
        None,
    )
    if own is None:
        return draft
    draft.lines.extend(line for line in own.draft.lines if line not in draft.lines)
    draft.reports.extend(own.draft.reports)
    for source in own.draft.sources:
        if source not in draft.sources:
            draft.sources.append(source)
    return draft


def _with_second_text(
    draft: Draft, best: Reading, found: list[Reading], q: Query, ctx: Ctx
) -> Draft:
    """A text's answer, with a second text about the same subject that explains as much.

    "What was La Festa called in 2011 and 2012, and why the change?": one note gives the name,
    an event text the earthquake that changed the route and the name. A story is often told
    in two texts; the second is added when it reads the question as well and nearly as
    strongly.
    """
    if not best.kind.startswith("text:") or best.prior != scores.PRIOR_TEXT:
        return draft
    if len(q.content) < scores.SECOND_TEXT_MIN_WORDS:
        return draft  # a word or two are explained by many texts: one is enough
    for other in found[1:]:
        if scores.rank(other, q)[:2] != scores.rank(best, q)[:2]:
            break
        if (
            other.kind.startswith("text:")
            and set(other.editions) & set(best.editions)
            and other.strength >= best.strength * scores.SECOND_TEXT_SHARE
            and other.draft.kind is Kind.ANSWER
            and not any(_says_again(line, draft.lines) for line in other.draft.lines)
        ):
            draft.lines.extend(other.draft.lines)
            draft.add_sources(other.draft.sources, limit=len(draft.sources) + 1)
            break
    return draft


def _says_again(line: str, lines: list[str]) -> bool:
    """Whether a line says what one of the lines already says, in other words or the same."""
    return any(fuzz.token_set_ratio(line, other) >= scores.SAME_TEXT_SIMILARITY for other in lines)


def _finish(reading: Reading, q: Query, ctx: Ctx | None = None) -> Draft:
    draft = reading.draft
    if not draft.topic:
        draft.topic = reading.kind
    if ctx is not None:  # an event's disagreements, wherever the value they concern is shown
        ctx.view.event_conflicts.add_to(draft, q)
    return draft


def _parts(q: Query, ctx: Ctx) -> Draft | None:
    """A question answered part by part, or None when it does not split into known parts."""
    text = _YEARS_AND.sub(r"\1 \2_\3", q.text)  # "1930 and 1931" stays one range
    pieces = [p.replace("_", " ") for p in _SPLIT.split(text) if p and p.strip()]
    if len(pieces) < 2 or len(q.content) < scores.MULTI_PART_MIN_WORDS:
        return None
    drafts: list[Draft] = []
    spoken: list[str] = []  # the text each draft answers
    missed: list[str] = []
    previous = q
    chunk = ""
    for piece in pieces:
        chunk = f"{chunk} {piece}".strip()
        part = understand(chunk, ctx.view.catalog)
        if not part.content:
            if drafts and _extends(drafts, spoken, chunk, previous, q, ctx):
                chunk = ""
            continue  # "by whom": too little to read alone; read with what follows
        part = _read_after(part, previous, q, drafts, ctx)
        found = readings(part, ctx)
        if found and scores.explains_all(found[0], part, ctx.view):
            drafts.append(found[0].draft)
            spoken.append(chunk)
            previous, chunk = part, ""
    if chunk and understand(chunk, ctx.view.catalog).content:
        missed.append(chunk)
    if not drafts:
        return None
    merged = _merge(drafts)
    if missed:
        merged.kind = Kind.UNKNOWN
        merged.lines.append(t("answers.unknown.part", words=" / ".join(missed)))
    return merged


def _asks_again_about_it(q: Query) -> bool:
    """Whether a later clause is a question of its own about what the first one named.

    "Who won in 1989, and did he win it again later?" repeats "win": one reading of the whole
    explains both words and answers only the first question. A clause that opens like a
    question and points back ("he", "again") is read as a follow-up instead.
    """
    lex = lexicon()
    opening = lex.role("yes_no") | lex.role("question_words")
    pointing = lex.role("person_pronouns") | lex.role("again_words")
    for piece in _SPLIT.split(q.text)[1:]:
        tokens = words(normalise(piece))
        if tokens and tokens[0] in opening and pointing & set(tokens):
            return True
    return False


def _read_after(part: Query, previous: Query, whole: Query, drafts: list[Draft], ctx: Ctx) -> Query:
    """A part read like a follow-up of the part before: "who won in 1989, and did he win it
    again?" asks about the winner the first part named, in other years."""
    if not drafts:
        return part.with_subject(previous).with_subject(whole)
    lex = lexicon()
    people = ctx.view.edition_people
    context = conversation.context_of(previous, drafts[-1], people, ctx.now)
    if (lex.role("refer_words") | lex.role("again_words")) & set(part.tokens):
        read = conversation.read_follow_up(part, context, ctx.now)
        if read.used:
            return read.query
    if part.ops or part.eras or part.ordinal is not None or part.year_range:
        return part.with_subject(previous).with_subject(whole)  # it names its own editions
    # The subject the part before answered about: "who won the first Warm Up USA, in what
    # car?" asks about the 2018 edition the first part found.
    return part.with_subject(context.as_query()).with_subject(previous).with_subject(whole)


def _extends(
    drafts: list[Draft], spoken: list[str], piece: str, previous: Query, q: Query, ctx: Ctx
) -> bool:
    """ "...founded, by whom": a piece with no word of its own may complete the part before."""
    longer = understand(f"{spoken[-1]} {piece}", ctx.view.catalog)
    longer = longer.with_subject(previous).with_subject(q)
    found = readings(longer, ctx)
    if (
        found
        and scores.explains_all(found[0], longer, ctx.view)
        and longer.intents - previous.intents  # it asks something more ("by whom")
    ):
        drafts[-1] = found[0].draft
        spoken[-1] = f"{spoken[-1]} {piece}"
        return True
    return False


def _merge(drafts: list[Draft]) -> Draft:
    first = drafts[0]
    if len(drafts) == 1:
        return first
    merged = Draft(0.0, kind=first.kind, topic="+".join(d.topic for d in drafts))
    titles = {d.title for d in drafts}
    merged.title = first.title if len(titles) == 1 else None
    merged.edition = first.edition
    merged.buttons = list(first.buttons)
    for d in drafts:
        if d.title and merged.title is None and d.title not in merged.lines:
            merged.lines.append(d.title)
        merged.lines.extend(line for line in d.lines if line not in merged.lines)
        merged.reports.extend(d.reports)
        for s in d.sources:
            if s not in merged.sources and len(merged.sources) < 4:
                merged.sources.append(s)
        if d.kind is Kind.UNKNOWN:
            merged.kind = Kind.UNKNOWN
    return merged


def abstain(q: Query, best: Reading | None) -> Draft:
    """Not understood whole: say which words, and what is known about the subject."""
    if best is None or not (q.subjects() - q.at("place")) & best.uses:
        draft = _unknown(t("answers.no_match"), "no-match")
        draft.suggestions = list(current().words("answers.examples"))
        return draft
    left = q.words_at(q.content - best.uses)
    draft = _unknown(t("answers.unknown.words", words=", ".join(f"“{w}”" for w in left)), "partial")
    shown = best.draft
    if shown.title:
        draft.lines.append(shown.title)
    draft.lines.extend(shown.lines[:3])
    draft.sources.extend(shown.sources[:2])
    draft.reports.extend(shown.reports)
    draft.edition = shown.edition
    draft.buttons = list(shown.buttons)
    return draft


def _unknown(line: str, topic: str) -> Draft:
    return Draft(0.0, Kind.UNKNOWN, lines=[line], topic=topic)
