"""Benchmark of the answering core: latency, growth with knowledge size, start-up, memory.

Not a test: nothing asserts, it measures and prints. Run from the repository root:

    .venv/bin/python benchmarks/answer_bench.py            # defaults: --repeat 5 --scales 1,10,100
    .venv/bin/python -m benchmarks.answer_bench --repeat 10

What it measures:

1. Latency at 1x: every dev question answered ``repeat`` times after one warm-up pass (the
   warm-up fills the typo-correction cache, so the timed passes are the steady state).
2. Growth: the real knowledge plus (k-1) synthetic copies of every event, edition and fact,
   timed the same way; answers that change against 1x are listed, since a changed answer takes
   another code path.
3. Cold start (fresh process, fresh index file) and warm start (index up to date), median of 5.
4. Peak RSS of a process that answered every dev question, at 1x and at the largest scale.

The machine this runs on may be small and shared: every start-up figure is a median of runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only the standard library is imported at module level, so that a cold-start child process
# can time the import of the bot's own modules (and rapidfuzz, PyYAML, aiosqlite) as part of
# its start-up.
if TYPE_CHECKING:
    from bot.core.answer import Answerer
    from bot.core.model import Knowledge
    from bot.core.reply import Reply

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO.parent / "shared/eval/dev-questions.yaml"
DEFAULT_KNOWLEDGE = REPO / "knowledge"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
START_RUNS = 5
SYN_WORD = "Syncopa"  # a word no real question contains, so synthetic names never match
FIRST_QUESTION = "Who won the Mille Miglia in 1955?"  # the cold child's first answer

if str(REPO) not in sys.path:  # run as a script from anywhere without installing the package
    sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------- small helpers


def ms(ns: float) -> float:
    return ns / 1e6


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (the numpy default) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def load_questions(path: Path) -> list[str]:
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [str(item["q"]) for item in items if isinstance(item, dict) and "q" in item]


def load_real_knowledge(directory: Path) -> Knowledge:
    from bot.core.loader import load_knowledge

    result = load_knowledge(directory)
    if result.knowledge is None:
        lines = "\n".join(str(p) for p in result.problems[:10])
        raise SystemExit(f"knowledge at {directory} does not load:\n{lines}")
    return result.knowledge


def rss_now_mb() -> dict[str, float]:
    """Peak RSS two ways: getrusage (what the brief asks) and VmHWM (this process's own mm).

    ru_maxrss survives exec on Linux, so a child spawned by a big parent can inherit the
    parent's high-water mark; VmHWM cannot, which is why both are reported.
    """
    out = {"ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["vmhwm_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def reply_signature(reply: Reply) -> str:
    """What a reply says, compactly, to notice an answer that changed with scale."""
    first = reply.lines[0] if reply.lines else ""
    return f"{reply.kind}:{reply.topic}:{first[:80]}"


# --------------------------------------------------------------------------- synthetic data


def synthesize(knowledge: Knowledge, scale: int) -> Knowledge:
    """The real knowledge plus (scale-1) renamed copies of every event, edition and fact.

    Copy i of an event gets the id ``<id>-syn<i>`` and the unique word ``Syncopa<i>`` appended
    to its name and aliases; its editions move to the copied event; copy i of a fact gets the id
    ``<id>-syn<i>``, the same word appended to its question and phrasings, and its references
    to events and editions moved to the copies. The real data stays, so the dev questions keep
    their meaning. People, places and reports are not copied.
    """
    if scale <= 1:
        return knowledge
    events = list(knowledge.events)
    editions = list(knowledge.editions)
    facts = list(knowledge.facts)
    for i in range(1, scale):
        word = f"{SYN_WORD}{i}"
        ids = {ev.id: f"{ev.id}-syn{i}" for ev in knowledge.events}

        def moved(key: str, ids: dict[str, str] = ids) -> str:
            event, _, year = key.partition("/")
            return f"{ids.get(event, event)}/{year}"

        for ev in knowledge.events:
            events.append(
                replace(
                    ev,
                    id=ids[ev.id],
                    name=f"{ev.name} {word}",
                    aliases=tuple(f"{a} {word}" for a in ev.aliases),
                    parent=ids.get(ev.parent, ev.parent) if ev.parent else None,
                )
            )
        editions.extend(replace(ed, event=ids[ed.event]) for ed in knowledge.editions)
        for fact in knowledge.facts:
            facts.append(
                replace(
                    fact,
                    id=f"{fact.id}-syn{i}",
                    question=f"{fact.question} {word}",
                    phrasings_en=tuple(f"{p} {word}" for p in fact.phrasings_en),
                    phrasings_it=tuple(f"{p} {word}" for p in fact.phrasings_it),
                    events=tuple(ids.get(e, e) for e in fact.events),
                    editions=tuple(moved(k) for k in fact.editions),
                )
            )
    counts = dict(knowledge.counts)
    counts.update(
        events=len(events),
        editions=len(editions),
        facts=len(facts),
        phrasings=sum(len(f.phrasings) for f in facts),
    )
    return replace(
        knowledge,
        events=tuple(events),
        editions=tuple(sorted(editions, key=lambda e: (e.event, e.year))),
        facts=tuple(facts),
        digest=f"{knowledge.digest}-x{scale}",
        counts=counts,
    )


# --------------------------------------------------------------------------- latency


@dataclass
class LatencyRun:
    scale: int
    editions: int
    facts: int
    phrasings: int
    build_s: float  # Answerer construction
    per_question_ns: list[list[int]]  # [question][pass]
    warmup_ns: list[int]  # the first (untimed-for-stats) pass, cache cold
    signatures: list[str]
    texts: list[str]  # whole replies, to notice answers that grew or changed past line one

    @property
    def samples_ms(self) -> list[float]:
        return [ms(ns) for row in self.per_question_ns for ns in row]

    def pct(self, p: float) -> float:
        return percentile(self.samples_ms, p)

    @property
    def max_ms(self) -> float:
        return max(self.samples_ms)

    @property
    def question_medians_ms(self) -> list[float]:
        return [ms(statistics.median(row)) for row in self.per_question_ns]

    @property
    def pass_ms(self) -> float:
        """Time of one pass over all questions: sum of per-question medians."""
        return sum(self.question_medians_ms)


def measure_latency(
    knowledge: Knowledge, scale: int, questions: list[str], repeat: int
) -> LatencyRun:
    from bot.core.answer import Answerer

    gc.collect()
    t0 = time.perf_counter_ns()
    answerer: Answerer = Answerer(knowledge)
    build_s = (time.perf_counter_ns() - t0) / 1e9
    warmup: list[int] = []
    signatures: list[str] = []
    texts: list[str] = []
    for q in questions:
        t = time.perf_counter_ns()
        reply = answerer.answer(q, NOW)
        warmup.append(time.perf_counter_ns() - t)
        signatures.append(reply_signature(reply))
        texts.append(reply.text)
    per_question: list[list[int]] = [[] for _ in questions]
    gc.collect()
    for _ in range(repeat):
        for index, q in enumerate(questions):
            t = time.perf_counter_ns()
            answerer.answer(q, NOW)
            per_question[index].append(time.perf_counter_ns() - t)
    return LatencyRun(
        scale=scale,
        editions=len(knowledge.editions),
        facts=len(knowledge.facts),
        phrasings=sum(len(f.phrasings) for f in knowledge.facts),
        build_s=build_s,
        per_question_ns=per_question,
        warmup_ns=warmup,
        signatures=signatures,
        texts=texts,
    )


# --------------------------------------------------------------------------- child processes


def child_cold(knowledge_dir: Path, questions_path: Path, index_path: Path) -> int:
    """One cold start: import, load+validate, build the index, build the Answerer, answer."""
    t0 = time.perf_counter_ns()
    from bot.core.answer import Answerer
    from bot.core.index import build_index
    from bot.core.loader import load_knowledge

    t1 = time.perf_counter_ns()
    result = load_knowledge(knowledge_dir)
    if result.knowledge is None:
        print(json.dumps({"error": f"{len(result.problems)} problem(s) in the knowledge"}))
        return 1
    t2 = time.perf_counter_ns()
    build_index(result.knowledge, index_path)
    t3 = time.perf_counter_ns()
    answerer = Answerer(result.knowledge)
    t4 = time.perf_counter_ns()
    answerer.answer(FIRST_QUESTION, NOW)
    t5 = time.perf_counter_ns()
    phases = {
        "imports": t1 - t0,
        "load_validate": t2 - t1,
        "build_index": t3 - t2,
        "answerer": t4 - t3,
        "first_answer": t5 - t4,
        "total": t5 - t0,
    }
    print(json.dumps({"phases_ns": phases}), flush=True)  # the parent timestamps this line
    for q in load_questions(questions_path):
        answerer.answer(q, NOW)
    print(json.dumps({"rss": rss_now_mb()}), flush=True)
    return 0


def child_warm(knowledge_dir: Path, index_path: Path) -> int:
    """One warm start: open an up-to-date index (SQLite, no YAML), build the Answerer, answer."""
    t0 = time.perf_counter_ns()
    import asyncio

    from bot.core.answer import Answerer
    from bot.core.index import open_index

    t1 = time.perf_counter_ns()
    knowledge, status = asyncio.run(open_index(knowledge_dir, index_path))
    t2 = time.perf_counter_ns()
    answerer = Answerer(knowledge)
    t3 = time.perf_counter_ns()
    answerer.answer(FIRST_QUESTION, NOW)
    t4 = time.perf_counter_ns()
    phases = {
        "imports": t1 - t0,
        "open_index": t2 - t1,
        "answerer": t3 - t2,
        "first_answer": t4 - t3,
        "total": t4 - t0,
    }
    print(json.dumps({"phases_ns": phases, "rebuilt": status.rebuilt, "reason": status.reason}))
    return 0


def child_peak(knowledge_dir: Path, questions_path: Path, scale: int) -> int:
    """Peak memory of a process holding the scaled knowledge and its Answerer."""
    from bot.core.answer import Answerer

    knowledge = synthesize(load_real_knowledge(knowledge_dir), scale)
    t0 = time.perf_counter_ns()
    answerer = Answerer(knowledge)
    build_ns = time.perf_counter_ns() - t0
    for q in load_questions(questions_path):
        answerer.answer(q, NOW)
    out: dict[str, Any] = {"rss": rss_now_mb(), "answerer_ns": build_ns, "scale": scale}
    out["editions"] = len(knowledge.editions)
    out["facts"] = len(knowledge.facts)
    print(json.dumps(out))
    return 0


def run_child(args: list[str]) -> tuple[list[dict[str, Any]], float, float]:
    """Run this script with hidden flags; its JSON lines, the wall time to its first line, and
    to its exit (both from just before the spawn, so interpreter start-up is included)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    t0 = time.perf_counter()
    first_line_at = 0.0
    lines: list[dict[str, Any]] = []
    with subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not first_line_at:
                first_line_at = time.perf_counter() - t0
            if line.strip():
                lines.append(json.loads(line))
        code = proc.wait()
    total = time.perf_counter() - t0
    if code != 0 or any("error" in line for line in lines):
        raise SystemExit(f"child {' '.join(args)} failed (exit {code}): {lines}")
    return lines, first_line_at, total


@dataclass
class StartRuns:
    phases: list[dict[str, int]]
    wall_to_answer_s: list[float]
    rss: list[dict[str, float]]

    def median_s(self, phase: str) -> float:
        return statistics.median(p[phase] for p in self.phases) / 1e9


def measure_cold(knowledge_dir: Path, questions_path: Path, tmp: Path) -> StartRuns:
    runs = StartRuns([], [], [])
    for run in range(START_RUNS):
        index = tmp / f"cold-{run}" / "index.sqlite"  # a fresh path: the index is built anew
        lines, first_line_s, _ = run_child(
            [
                "--cold",
                "--knowledge",
                str(knowledge_dir),
                "--questions",
                str(questions_path),
                "--index",
                str(index),
            ]
        )
        runs.phases.append(lines[0]["phases_ns"])
        runs.wall_to_answer_s.append(first_line_s)
        runs.rss.append(lines[1]["rss"])
    return runs


def measure_warm(knowledge_dir: Path, index: Path) -> StartRuns:
    runs = StartRuns([], [], [])
    for _ in range(START_RUNS):
        lines, first_line_s, _ = run_child(
            ["--warm", "--knowledge", str(knowledge_dir), "--index", str(index)]
        )
        if lines[0]["rebuilt"]:
            print(f"  note: warm run rebuilt the index ({lines[0]['reason']})")
        runs.phases.append(lines[0]["phases_ns"])
        runs.wall_to_answer_s.append(first_line_s)
    return runs


# --------------------------------------------------------------------------- report


def environment() -> list[str]:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count() or 0
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import rapidfuzz
    import yaml

    libyaml = "yes" if hasattr(yaml, "CSafeLoader") else "no"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"- nproc {affinity} (cpu_count {os.cpu_count()}), cpu: {cpu or 'unknown'}",
        f"- rapidfuzz {rapidfuzz.__version__}, PyYAML {yaml.__version__} (libyaml: {libyaml})",
        f"- load average at the end: {load}",
    ]


def fmt_ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def print_latency(run: LatencyRun, questions: list[str], base: LatencyRun | None) -> None:
    print(
        f"\n## {run.scale}x: {run.editions} editions, {run.facts} facts, {run.phrasings} phrasings"
        f" (Answerer built in {run.build_s:.3f} s)"
    )
    print(
        f"  {len(questions)} questions x {len(run.per_question_ns[0])} passes: "
        f"p50 {fmt_ms(run.pct(50))} ms, p90 {fmt_ms(run.pct(90))} ms, "
        f"p99 {fmt_ms(run.pct(99))} ms, max {fmt_ms(run.max_ms)} ms; "
        f"one pass {fmt_ms(run.pass_ms)} ms"
    )
    warm = [ms(ns) for ns in run.warmup_ns]
    print(
        f"  warm-up pass (typo cache cold): p50 {fmt_ms(percentile(warm, 50))} ms, "
        f"max {fmt_ms(max(warm))} ms"
    )
    medians = run.question_medians_ms
    slowest = sorted(range(len(questions)), key=lambda i: -medians[i])[:5]
    print("  slowest questions (median ms" + (", x vs 1x)" if base else ")"))
    for i in slowest:
        grow = f" x{medians[i] / base.question_medians_ms[i]:.1f}" if base else ""
        print(f"    {fmt_ms(medians[i]):>7} ms{grow:>7}  {questions[i]!r}")
    if base:
        changed = [i for i, s in enumerate(run.signatures) if s != base.signatures[i]]
        other = sum(1 for i, t in enumerate(run.texts) if t != base.texts[i] and i not in changed)
        print(
            f"  answers that differ from 1x: {len(changed)} of {len(questions)} "
            f"(plus {other} with the same first line but other text)"
        )
        for i in changed:
            print(
                f"    {questions[i]!r}\n      1x: {base.signatures[i]}\n      {run.scale}x: {run.signatures[i]}"
            )


def print_start(name: str, runs: StartRuns) -> None:
    phases = list(runs.phases[0])
    parts = ", ".join(f"{p} {runs.median_s(p) * 1000:.0f}" for p in phases)
    wall = statistics.median(runs.wall_to_answer_s)
    print(f"  {name} (median of {len(runs.phases)} processes, ms): {parts}")
    print(f"    process spawn to first answer: {wall * 1000:.0f} ms")


def table(
    runs: list[LatencyRun], cold: StartRuns, warm: StartRuns, peak: dict[str, Any] | None
) -> list[str]:
    rows = ["| measure | value | target |", "|---|---|---|"]
    targets = {1: "p99 < 2 ms", 100: "p99 < 20 ms"}
    base = runs[0]
    for run in runs:
        grow = ""
        if run is not base:
            grow = (
                f" (p99 x{run.pct(99) / base.pct(99):.1f}, "
                f"pass x{run.pass_ms / base.pass_ms:.1f} vs {base.scale}x)"
            )
        rows.append(
            f"| p50 / p99 latency {run.scale}x ({run.editions} editions, {run.facts} facts) | "
            f"{fmt_ms(run.pct(50))} / {fmt_ms(run.pct(99))} ms{grow} | {targets.get(run.scale, '')} |"
        )
    cold_total = cold.median_s("total")
    cold_wall = statistics.median(cold.wall_to_answer_s)
    rows.append(
        f"| cold start (imports+validate+index+first answer) | {cold_total:.2f} s "
        f"(spawn to answer {cold_wall:.2f} s) | < 1 s |"
    )
    warm_core = statistics.median(p["open_index"] + p["answerer"] for p in warm.phases) / 1e9
    warm_total = warm.median_s("total")
    rows.append(
        f"| warm start (open_index up to date + Answerer) | {warm_core:.3f} s "
        f"(with imports+first answer {warm_total:.2f} s) | |"
    )
    rss_1x = statistics.median(r["ru_maxrss_mb"] for r in cold.rss)
    peak_text = f"{rss_1x:.0f} MB"
    if peak is not None:
        peak_text = f"{rss_1x:.0f} / {peak['rss']['ru_maxrss_mb']:.0f} MB"
        label = f"peak RSS 1x (cold path, with index build) / {peak['scale']}x (no index)"
    else:
        label = "peak RSS 1x (cold path, with index build)"
    rows.append(f"| {label} | {peak_text} | < 150 MB |")
    return rows


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the answering core (latency, scaling, start-up, memory)."
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    parser.add_argument(
        "--scales", default="1,10,100", help="knowledge multipliers, comma-separated"
    )
    parser.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS, help="YAML list of items with 'q'"
    )
    parser.add_argument(
        "--knowledge", type=Path, default=DEFAULT_KNOWLEDGE, help="the knowledge/ folder"
    )
    # Hidden: what the child processes run.
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peak-scale", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        args.scale_list = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--scales must be integers, not {args.scales!r}")
    if not args.scale_list or args.scale_list[0] < 1:
        parser.error("--scales must be positive integers")
    if 1 not in args.scale_list:
        args.scale_list.insert(0, 1)  # 1x is the baseline every ratio is against
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    knowledge_dir: Path = args.knowledge.resolve()
    questions_path: Path = args.questions.resolve()
    if args.cold:
        assert args.index is not None
        return child_cold(knowledge_dir, questions_path, args.index)
    if args.warm:
        assert args.index is not None
        return child_warm(knowledge_dir, args.index)
    if args.peak_scale:
        return child_peak(knowledge_dir, questions_path, args.peak_scale)

    started = time.perf_counter()
    questions = load_questions(questions_path)
    if not questions:
        raise SystemExit(f"no questions in {questions_path}")
    print(f"# answer benchmark: {len(questions)} questions from {questions_path}")
    print(f"knowledge: {knowledge_dir}; now = {NOW.isoformat()}; repeat = {args.repeat}")

    # Child processes first, while this process is still small: on Linux ru_maxrss survives
    # exec, so a child spawned later by a parent holding the 100x knowledge could report the
    # parent's peak instead of its own.
    print("\n## start-up (fresh processes)")
    tmp = Path(tempfile.mkdtemp(prefix="answer-bench-"))
    try:
        cold = measure_cold(knowledge_dir, questions_path, tmp)
        print_start("cold", cold)
        warm = measure_warm(knowledge_dir, tmp / "cold-0" / "index.sqlite")
        print_start("warm", warm)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rss = cold.rss[0]
    print(
        "  peak RSS 1x after all dev questions: "
        + ", ".join(f"{k} {statistics.median(r[k] for r in cold.rss):.1f}" for k in rss)
    )
    peak: dict[str, Any] | None = None
    top = args.scale_list[-1]
    if top > 1:
        lines, _, wall = run_child(
            [
                "--peak-scale",
                str(top),
                "--knowledge",
                str(knowledge_dir),
                "--questions",
                str(questions_path),
            ]
        )
        peak = lines[0]
        print(
            f"  peak RSS {top}x ({peak['editions']} editions, {peak['facts']} facts): "
            + ", ".join(f"{k} {v:.1f}" for k, v in peak["rss"].items())
            + f"; Answerer built in {peak['answerer_ns'] / 1e9:.2f} s; process {wall:.1f} s"
        )

    real = load_real_knowledge(knowledge_dir)
    runs: list[LatencyRun] = []
    for scale in args.scale_list:
        knowledge = synthesize(real, scale)
        run = measure_latency(knowledge, scale, questions, args.repeat)
        print_latency(run, questions, runs[0] if runs else None)
        runs.append(run)
        del knowledge

    base = runs[0]
    print("\n## how does cost grow (vs 1x)")
    for run in runs[1:]:
        size = run.editions / base.editions
        print(
            f"  {run.scale}x ({size:.0f}x the editions): p50 x{run.pct(50) / base.pct(50):.1f}, "
            f"p99 x{run.pct(99) / base.pct(99):.1f}, one pass x{run.pass_ms / base.pass_ms:.1f}, "
            f"Answerer build x{run.build_s / base.build_s:.1f}"
        )

    print("\n## summary\n")
    print("\n".join(environment()))
    print(f"- benchmark wall time: {time.perf_counter() - started:.0f} s\n")
    print("\n".join(table(runs, cold, warm, peak)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
