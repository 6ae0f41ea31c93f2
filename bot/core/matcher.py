"""Fuzzy matching of a question against the facts' questions and phrasings.

Two signals, because each alone fails in its own way: string similarity (rapidfuzz, over the
content words of each phrasing) recognises a rephrased question, while rare-word overlap
(IDF-weighted, over question, phrasings and answer) recognises the one distinctive word
("Dame", "Jenkinson") that a short question hinges on. A question made only of common words
scores low on both, which is what keeps the bot honest about what it does not know.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.model import Fact
from bot.core.text import normalise, words

SHORTLIST = 40  # facts compared by string similarity, the best by rare-word overlap


@dataclass(frozen=True)
class FactHit:
    fact: Fact
    score: float


class FactMatcher:
    """Index of fact phrasings; ``match`` returns the best facts with scores out of 100."""

    def __init__(self, facts: tuple[Fact, ...], stopwords: frozenset[str]) -> None:
        self.facts = facts
        self.stopwords = stopwords
        self._texts: list[str] = []
        self._owner: list[int] = []
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._positions: dict[int, list[int]] = defaultdict(list)
        for index, fact in enumerate(facts):
            for text in (fact.question, *fact.phrasings):
                self._positions[index].append(len(self._texts))
                self._texts.append(" ".join(self.content(text)))
                self._owner.append(index)
            bag = set(self.content(" ".join((fact.question, *fact.phrasings, fact.answer))))
            for token in bag:
                self._postings[token].add(index)
        n = max(1, len(facts))
        self._idf = {t: math.log(1 + n / len(ids)) for t, ids in self._postings.items()}
        self._max_idf = math.log(1 + n)

    def content(self, text: str) -> list[str]:
        return [stem(t) for t in words(normalise(text)) if t not in self.stopwords]

    def match(self, content_tokens: list[str], limit: int = 3) -> list[FactHit]:
        tokens = [stem(t) for t in content_tokens if t not in self.stopwords]
        if not tokens or not self._texts:
            return []
        query = " ".join(tokens)
        overlap = self._overlap(tokens)
        # String similarity only over the phrasings of the facts that share the most rare-word
        # weight with the question: the cost stays flat as the knowledge base grows.
        shortlist = sorted(overlap, key=lambda o: -overlap[o])[:SHORTLIST]
        positions = [pos for owner in shortlist for pos in self._positions[owner]]
        similar: dict[int, float] = {}
        choices = [self._texts[pos] for pos in positions]
        for _, score, i in process.extract(
            query, choices, scorer=fuzz.token_sort_ratio, limit=20, score_cutoff=40
        ):
            owner = self._owner[positions[i]]
            similar[owner] = max(similar.get(owner, 0.0), score)
        scores = []
        for owner in set(similar) | set(overlap):
            score = 0.55 * similar.get(owner, 0.0) + 0.45 * overlap.get(owner, 0.0)
            scores.append(FactHit(self.facts[owner], round(score, 1)))
        scores.sort(key=lambda h: -h.score)
        return scores[:limit]

    def _overlap(self, tokens: list[str]) -> dict[int, float]:
        """Share of the question's rare-word weight that each fact covers, out of 100."""
        weights = {t: self._idf.get(t, self._max_idf) for t in set(tokens)}
        total = sum(weights.values())
        covered: dict[int, float] = defaultdict(float)
        for token, weight in weights.items():
            for owner in self._postings.get(token, ()):
                covered[owner] += weight
        return {owner: 100.0 * value / total for owner, value in covered.items()}


def stem(token: str) -> str:
    """A light English/Italian plural fold so 'winners' meets 'winner' and 'cars' meets 'car'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token
