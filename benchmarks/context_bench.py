"""Benchmark of conversations (issue 11): what remembering a conversation costs per message.

Not a test: nothing asserts, it measures and prints. Run from the repository root:

    .venv/bin/python benchmarks/context_bench.py            # defaults: --messages 2000

What it measures, each as median / p99 per message over ``--messages`` messages:

1. Lookup: the Telegram adapter's choice of context (``ContextStore.of_user`` or
   ``of_answer`` and ``Context.from_dict``), with the store full (``MAX_ROWS`` rows).
2. Keep: ``ContextStore.keep`` after an answer (the user's row and one answer row), on a real
   state file (WAL), eviction included: as run (writes batched every ``WRITE_EVERY`` s; a
   timed loop this fast mostly measures memory) and with a write per message (the disk cost
   one batch pays at most per message it holds).
3. Answering a follow-up against a context vs the same question alone: what the core's reading
   of a follow-up (and the follow-up suggestions) add, on a three-turn conversation.

The machine may be small and shared: quote medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere without installing the package
    sys.path.insert(0, str(REPO))

from benchmarks.answer_bench import percentile  # noqa: E402
from bot.core.answerers import Answerers  # noqa: E402
from bot.core.answering.conversation import Context  # noqa: E402
from bot.core.contextstore import MAX_ROWS, WRITE_EVERY, ContextStore  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.model import Knowledge  # noqa: E402

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
TURNS = ("who won in 1955?", "what car did he drive?", "and in 1956?")


def figures(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"  {name}: median {statistics.median(ms):.4f} ms, p99 {percentile(ms, 99):.4f} ms, "
        f"max {ms[-1]:.3f} ms ({len(ms)} messages)"
    )


async def store_costs(messages: int, write_every: float, what: str) -> None:
    answers = Answerers(_knowledge())
    sample = answers.answer(TURNS[0], NOW).context
    with tempfile.TemporaryDirectory() as tmp:
        store = ContextStore(Path(tmp) / "bench.state.sqlite3", write_every=write_every)
        await store.open()
        for n in range(MAX_ROWS // 2):  # full: every keep below evicts in turn
            await store.keep(-100, n, sample, [n])
        lookups: list[float] = []
        keeps: list[float] = []
        for n in range(messages):
            user = n % 500
            started = time.perf_counter()
            found = store.of_answer(-100, n) if n % 2 else store.of_user(-100, user)
            Context.from_dict(found)
            lookups.append(time.perf_counter() - started)
            started = time.perf_counter()
            await store.keep(-100, user, sample, [MAX_ROWS + n])
            keeps.append(time.perf_counter() - started)
        await store.close()
    print(f"## store ({MAX_ROWS} rows at most, kept full), {what}")
    print(figures("lookup (memory)", lookups))
    print(figures("keep", keeps))


def answer_costs(messages: int) -> None:
    answers = Answerers(_knowledge())
    alone: list[float] = []
    followed: list[float] = []
    rounds = max(1, messages // len(TURNS))
    for _ in range(rounds):
        context: Context | None = None
        for turn in TURNS:
            started = time.perf_counter()
            answers.answer(turn, NOW)
            alone.append(time.perf_counter() - started)
            started = time.perf_counter()
            reply = answers.answer(turn, NOW, None, context)
            followed.append(time.perf_counter() - started)
            context = Context.from_dict(reply.context)
    print("## answering a three-turn conversation (core, suggestions included)")
    print(figures("each turn alone", alone))
    print(figures("each turn in its conversation", followed))


def _knowledge() -> Knowledge:
    result = load_knowledge(REPO / "knowledge")
    assert result.knowledge is not None
    return result.knowledge


def main() -> int:
    parser = argparse.ArgumentParser(description="What a conversation costs per message.")
    parser.add_argument("--messages", type=int, default=2000, help="messages timed per figure")
    args = parser.parse_args()
    asyncio.run(store_costs(args.messages, WRITE_EVERY, f"batched (every {WRITE_EVERY:g} s)"))
    asyncio.run(store_costs(args.messages, 0, "a write per message (worst case: no batching)"))
    answer_costs(args.messages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
