"""What the Italian view costs: building it at each load, and answering through the front door.

Not a test: nothing asserts, it measures and prints medians (the machine is small and shared).
Run from the repository root:

    .venv/bin/python benchmarks/italian_bench.py            # --repeat 15
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.answer import Answerer
from bot.core.answerers import Answerers
from bot.core.loader import load_knowledge
from bot.core.localise import localised

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
NOW = datetime(2026, 3, 1, 10, tzinfo=UTC)
QUESTIONS = (
    "chi ha vinto nel 1955",
    "/edition 2014",
    "velocità media 1955",
    "dov'è il museo della mille miglia",
    "cos'è la california mille",
    "chi è Nuvolari",
    "chi ha vinto più volte",
    "passa da Roma la mille miglia 2014?",
)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    result = load_knowledge(KNOWLEDGE)
    assert result.knowledge is not None
    knowledge = result.knowledge
    print(f"median of {repeat} runs, milliseconds")
    print(
        f"load_knowledge (validate + model):   {median_ms(lambda: load_knowledge(KNOWLEDGE), repeat):7.1f}"
    )
    print(
        f"localised(knowledge, 'it'):          {median_ms(lambda: localised(knowledge, 'it'), repeat):7.1f}"
    )
    print(
        f"Answerer(knowledge) (before):        {median_ms(lambda: Answerer(knowledge), repeat):7.1f}"
    )
    print(
        f"Answerers(knowledge) (en + it view): {median_ms(lambda: Answerers(knowledge), repeat):7.1f}"
    )
    one = Answerer(knowledge, random.Random(1))
    both = Answerers(knowledge, random.Random(1))
    for q in QUESTIONS:  # warm the typo caches, as a running bot has them
        one.answer(q, NOW, "it")
        both.answer(q, NOW, "it")
    ask_one = median_ms(lambda: [one.answer(q, NOW, "it") for q in QUESTIONS], repeat)
    ask_both = median_ms(lambda: [both.answer(q, NOW, "it") for q in QUESTIONS], repeat)
    n = len(QUESTIONS)
    print(f"per Italian question, one Answerer:  {ask_one / n:7.2f}")
    print(f"per Italian question, front door:    {ask_both / n:7.2f}")


if __name__ == "__main__":
    main()
