"""The one rule that chooses between readings, and every threshold the answering core uses.

Rule, in order (lower is better):
1. unexplained: how many content words of the question the reading leaves unexplained. A
   reading that accounts for more of the question beats one that accounts for less, whatever
   its kind: "who was the first foreign winner?" is not the 1927 card (``foreign`` is left).
2. prior: the kind's standing when two readings explain the same words. Records (an edition's
   field, a computed list) come first; then a curated fact one of whose phrasings is the
   question (``passages.same_question``: same key words, years, question word), which the
   planner adds after a record's answer; then cards; then texts found by their words.
3. strength: inside a kind, the reading that matched more specifically (rare words, more
   constraints).
A best reading that still leaves words unexplained is not an answer: the bot says what it did
understand and that it cannot answer the rest (``kind: unknown``), and the question reaches the
curators' unanswered list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.answering.readings import Reading
from bot.core.answering.view import View
from bot.core.understand import Query

# Priors by kind of reading (higher wins a tie on explained words).
PRIOR_SMALLTALK = 5.0
PRIOR_TODAY = 3.5  # race day phrases while an edition runs, and "what is next everywhere?"
PRIOR_CALENDAR = 2.4  # race day phrases off season: below a fact written for the question
PRIOR_RECORD = 3.0  # an edition's field, an operation over the records, /next
PRIOR_CARD = 2.0  # a whole card (edition, person, event) for a question that named only it
PRIOR_TEXT = 1.0  # a note, fact, report or summary found by its words
# A record's answer completed by a text about the same edition (planner._records_with_texts):
# it only exists where each explains words the other leaves; when a single text explains as
# much, that text is the plainer reply.
PRIOR_RECORD_WITH_TEXT = 0.9
PRIOR_NICKNAME = 0.5  # an event's card when the question names it only by a nickname
# A fact one of whose phrasings is this question outranks cards and other texts: its answer was
# written for it. Records still answer first, and the planner adds the fact after them.
PRIOR_FACT_OWN = 2.5
# A fact phrased with the question's own question word ("where", "why", "chi") gains this.
FACT_QUESTION_WORD = 2.0
# Two facts whose strengths differ by less than this are offered as a choice (clarify).
FACT_CLARIFY_GAP = 1.0
# A second text that explains the same words is added to a text's answer when at least this
# share of the first one's strength (planner._with_second_text).
SECOND_TEXT_SHARE = 0.8
SECOND_TEXT_MIN_WORDS = 3  # ...and only for a question of at least this many content words
# ...unless it says what the first says (token-set similarity 0-100 at least this).
SAME_TEXT_SIMILARITY = 80
# Passages compared by string similarity (the rest only by rare-word overlap).
PASSAGE_SHORTLIST = 8
# Texts: a note of the very edition asked, and a text about the event asked (the Mille Miglia
# when none is named), outrank texts that only mention them.
TEXT_OWN_EDITION = 4.0
TEXT_OWN_EVENT = 1.0
# A leftover word is forgiven when it is plain (no name, year, field or operation word), known
# to the bot, and common in its texts (used by at least this many of them): "collect" in "how
# many wins did Ferrari collect" asks for nothing the reading did not answer. At most this many.
COMMON_WORD_TEXTS = 3
FORGIVEN_LEFTOVERS = 1
# Any plain leftover word is forgiven beside at least this many explained ones, unless it is
# one of what the knowledge never holds (lexicon role "unknowable": prices, birthdays, weather).
FORGIVING_EXPLAINED = 3
# Multi-part questions: split only questions at least this many content words long.
MULTI_PART_MIN_WORDS = 3


@lru_cache(maxsize=4)
def _yes_no_clause(openers: frozenset[str]) -> re.Pattern[str]:
    """A clause that asks yes or no (lexicon role ``clause_openers``): at the start, or after a
    comma, dash or colon."""
    words = "|".join(sorted(openers))
    return re.compile(rf"(?:^|[,;:\-\u2013\u2014]\s*)(?:{words})\b", re.IGNORECASE)


def rank(reading: Reading, query: Query) -> tuple[int, float, float]:
    """The sort key of the rule above (lower sorts first)."""
    unexplained = len(query.content - reading.uses)
    return (unexplained, -reading.prior, -reading.strength)


def explains_all(reading: Reading, query: Query, view: View | None = None) -> bool:
    """Whether the reading accounts for the question (up to a forgiven common word)."""
    left = query.content - reading.uses
    if not left:
        return True
    if view is None or len(left) > FORGIVEN_LEFTOVERS or not (query.content & reading.uses):
        return False
    if reading.prior <= PRIOR_CARD and reading.prior != PRIOR_RECORD_WITH_TEXT:
        return False  # a card never stands in for an answer, nor a text short of a word
    marked = set().union(*query.marks.values()) if query.marks else set()
    if any(i in marked or query.tokens[i] in view.lex.role("unknowable") for i in left):
        return False  # a name, a year, a field, or what the knowledge never holds (a price)
    asking = view.lex.role("question_words") | view.lex.role("which_words")
    most = view.lex.intent_words["biggest"] | view.lex.role("superlatives")
    if any(
        (i > 0 and query.tokens[i - 1] in asking)
        or any(query.tokens[j] in most for j in range(max(0, i - 2), i))
        for i in left
    ):
        return False  # "in which province", "the biggest winning margin": what is asked
    if _yes_no_clause(view.lex.role("clause_openers")).search(query.text):
        return False  # "was it a private car?": the word left is the very thing asked
    if len(query.content & reading.uses) >= FORGIVING_EXPLAINED:
        return True  # one plain word beside three explained: "rain-soaked", "besides"
    return all(
        query.tokens[i] in view.catalog.vocabulary
        and view.passages.frequency(query.tokens[i]) >= COMMON_WORD_TEXTS
        for i in left
    )
