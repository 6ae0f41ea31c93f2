"""End-to-end load: the real ``millebot run`` under many concurrent users, against PTB's own cost.

Not a test: nothing asserts, it measures and prints. Run from the repository root:

    .venv/bin/python benchmarks/e2e_load.py                  # 50 users x 40 questions
    .venv/bin/python benchmarks/e2e_load.py --users 10 --questions 10 --repeat 3
    .venv/bin/python benchmarks/e2e_load.py --no-limiter     # diagnostic: both bots unthrottled
    .venv/bin/python benchmarks/e2e_load.py --mixed --questions 10   # floods beside 20 users
    .venv/bin/python benchmarks/e2e_load.py --mixed --bot-repo ../old-checkout  # "before"

``--mixed`` (issue 15): 20 normal users (closed loop, as above) alone, then again beside one
flooding supergroup (60 members mention the bot at once: Telegram lets a bot answer 20 a
minute there) and one flooding user (500 messages at once); it prints the normal users' p50 /
p99 latency in both runs. ``--bot-repo`` runs ``python -m bot.cli run`` from another checkout
(e.g. the code before a change) with this benchmark.

What it does, per run:

1. Starts the fake Bot API of the end-to-end tests (``tests/fake_bot_api.py``) on 127.0.0.1
   and the bot as a subprocess pointed at it through ``TELEGRAM_API_BASE_URL``: the real
   ``python -m bot.cli run`` (what we ship, unchanged), or ``benchmarks/echo_bot.py``, a minimal
   python-telegram-bot echo bot with the same rate limiter, polling and HTML replies.
2. Warms the bot up: every question of the mix once, from its own chat. The first warm-up of
   our bot also checks that each question gets exactly one message and no apology; a question
   that does not is dropped from the mix (and said so), since a reply in two messages would
   make the next question's latency ambiguous.
3. The load: N users, each in its own private chat, each asking M questions from a mix of 30
   (winners by year, /next, /edition YEAR, typos, Italian, unknowns, commands), each user at
   its own offset in the mix. The users are a *closed loop*, as real people are: a user sends
   the next question only once the answer to the previous one arrived. All users start at once.
4. Latency of a question = from the moment the update is put in the fake's queue to the moment
   the fake receives the bot's ``sendMessage`` to that chat (timestamped inside the fake's
   handler, so the benchmark's own scheduling is not counted). No new question is sent after
   ``--timeout`` seconds; a question still without an answer ``--drain`` seconds later is lost
   (and its user, like a real one, asks nothing more).
5. CPU time of the bot process (all its threads: ``utime + stime`` of ``/proc/<pid>/stat``,
   Linux only) over the load, divided by the replies: on a small shared machine this is the
   fairest measure of what a reply costs, since wall-clock figures depend on the neighbours.

Both bots run the same load ``--repeat`` times, alternately (ours, echo, ours, ...), so a
change in the machine's load hits both; the summary gives medians. The ratio ours/echo of the
CPU per reply is the cost of our code relative to the framework's own; the target is <= 1.3x.

Our bot limits itself to Telegram's 30 messages/s with its own limiter (``bot/tg/retry.py``;
the echo bot with PTB's ``AIORateLimiter`` at the same rates). Ours handles chats side by side
(each in order), the echo bot one update at a time; with 50 users asking at once the limiter
caps both near 30 replies/s and makes every user wait for the others: throughput and
latency then compare the limiter, not the code, and the output says so. ``--no-limiter`` runs
both without the limiter (ours through a launcher that makes ``ApplicationBuilder.rate_limiter``
a no-op; the bot's code is unchanged) to show what the code alone can serve.

Our bot also commits its statistics to SQLite on every answer, in line with the updates, so the
disk under ``--workdir`` (default: the system temp directory) is part of every reply;
``--workdir /dev/shm`` (tmpfs, no fsync) shows how much.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ctypes
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere without installing the package
    sys.path.insert(0, str(REPO))

from benchmarks.answer_bench import percentile  # noqa: E402
from tests.fake_bot_api import DEFAULT_TIMEOUT, BotProcess, FakeBotApi, Params  # noqa: E402

TOKEN = "424242:LOAD-bench-token"
BOT_USERNAME = "millebot_load"
LIMITER_RATE = 30.0
"""PTB's ``AIORateLimiter`` default overall rate (``FloodLimit.MESSAGES_PER_SECOND``), which
our bot (``bot/tg/retry.py``, ``limits.OVERALL_RATE``: the same rate, with aiolimiter) and the
echo bot both keep: requests with a ``chat_id`` per second, bot-wide."""
LIMITER_BUCKET_S = 1.5
"""Time for ``AIORateLimiter``'s leaky bucket (30 requests per 1 s) to empty after the warm-up,
so that both bots start the load with the same allowance whatever their warm-up speed."""
ASSUMED_FREE_RATE = 100.0  # replies/s assumed without the limiter, only to pick --repeat
STARTUP_S = 4.0  # start, warm-up and stop of one bot process, for the same estimate
REPEAT_BUDGET_S = 120.0  # default --repeat is 3 when the whole benchmark fits in this
TARGET_RATIO = 1.3
PR_SET_PDEATHSIG = 1  # linux/prctl.h
APOLOGY = "something went wrong"  # bot/tg/handlers.py APOLOGY: a handler failed
WARMUP_CHATS = 9_000_000
LOAD_CHATS = 8_000_000

QUESTIONS: tuple[str, ...] = (
    # winners and details by year, in several phrasings
    "Who won the Mille Miglia in 1955?",
    "who was the winner in 1930",
    "1938 winner",
    "who won in 1953?",
    "winner of the 1957 race",
    "what car won in 1955?",
    "who won the 2022 Mille Miglia",
    "who won in 2004",
    "When was the 2021 edition?",
    "how many cars started in 2012",
    "what was the route in 2021",
    "how many times did Nuvolari win?",
    "who was the Silver Fox",
    # the next edition
    "/next",
    "when is the next one",
    # edition cards
    "/edition 1955",
    "/edition 2014",
    "/edition 1931",
    # typos
    "who wonn the mille miglia in 1931",
    "1931 winnr",
    "who won the mile miglia 1955",
    # Italian
    "chi ha vinto la mille miglia 1931",
    "chi ha vinto nel 1947",
    "quante auto hanno partecipato nel 2013",
    # what the bot does not know
    "what's the best pizza in Rome",
    "qwertyuiop",
    "who won the 1955 formula 1 world championship",
    # other commands
    "/help",
    "/start",
    "/fact",
)


# --------------------------------------------------------------------------- small helpers


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, all threads (Linux ``/proc/<pid>/stat``).

    The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    """
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process (the fake server and the simulated users)."""
    times = os.times()
    return times.user + times.system


# --------------------------------------------------------------------------- the fake server


class LoadApi(FakeBotApi):
    """The tests' fake Bot API, plus an O(1) way to wait for "the reply in chat X".

    ``FakeBotApi.wait_for_message`` rescans every recorded call each time any call arrives;
    with 50 waiting users and thousands of calls that is quadratic and would make the fake
    itself the bottleneck. Here each sendMessage, once the fake has accepted it (HTML checked,
    message stored), is timestamped and resolves the future of the user waiting in that chat.
    """

    def __init__(self) -> None:
        super().__init__(TOKEN, username=BOT_USERNAME)
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.messages_per_chat: Counter[int] = Counter()
        self.last_text: dict[int, str] = {}
        self.unexpected = 0  # messages nobody waited for: late (after a timeout) or extra

    def expect_reply(self, chat_id: int) -> asyncio.Future[float]:
        """A future resolved with ``time.perf_counter()`` when the bot's next message to
        ``chat_id`` arrives. Closed-loop users have one question in flight per chat."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future

    def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        message = super()._api_sendMessage(params)  # raises ApiError if Telegram would refuse
        arrived = time.perf_counter()
        chat_id = int(message["chat"]["id"])
        self.messages_per_chat[chat_id] += 1
        if chat_id >= WARMUP_CHATS:
            self.last_text[chat_id] = str(message["text"])
        future = self.waiting.pop(chat_id, None)
        if future is None or future.done():
            self.unexpected += 1
        else:
            future.set_result(arrived)
        return message


# --------------------------------------------------------------------------- the bot process

_STARTED: list[subprocess.Popen[bytes]] = []


@atexit.register
def _kill_leftovers() -> None:
    """Last resort if a ``finally`` never ran: no bot outlives the benchmark."""
    for process in _STARTED:
        if process.poll() is None:
            process.kill()


def die_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child is killed when ``parent`` dies, even by SIGKILL.

    ``atexit`` and ``finally`` cover Ctrl-C, SIGTERM and errors; only Linux's parent-death
    signal covers a benchmark that is itself killed outright.
    """

    def arm() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arm


class LoadBot(BotProcess):
    """``BotProcess`` with a command of our choosing (it always runs ``python -m bot.cli run``).

    Same environment (token, base URL, a knowledge copy and a database in ``workdir``, no
    proxies), same output files, same readiness rule and the same ``stop()`` (SIGTERM, then
    SIGKILL after 10 s), and the bot dies with the benchmark whatever kills it.
    """

    def __init__(self, api: FakeBotApi, workdir: Path, argv: list[str], repo: Path = REPO) -> None:
        super().__init__(api, workdir)
        self.argv = argv
        self.repo = repo

    async def start(self, timeout: float = DEFAULT_TIMEOUT, ready_on: str = "getUpdates") -> None:
        """Start ``argv`` and return once it polls (its first getUpdates); fail if it dies."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.knowledge_dir.exists():
            shutil.copytree(REPO / "knowledge", self.knowledge_dir)
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        stdout, stderr = self.stdout_path.open("wb"), self.stderr_path.open("wb")
        self._files = [stdout, stderr]
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.repo,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            preexec_fn=die_with(os.getpid()),
        )
        _STARTED.append(self.process)
        ready = asyncio.ensure_future(
            self.api.wait_for_call(ready_on, timeout=timeout, answered=False)
        )
        try:
            while not ready.done():
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"{' '.join(self.argv)} exited with {self.process.returncode} "
                        f"before polling:\n{self.output()[-3000:]}"
                    )
                await asyncio.wait({ready}, timeout=0.05)
            ready.result()
        finally:
            ready.cancel()


def unlimited_millebot() -> int:
    """``millebot run`` with ``ApplicationBuilder.rate_limiter`` made a no-op (``--no-limiter``).

    The bot's code is untouched: the builder simply ignores the limiter it is given, and the
    per-user pace (bot/tg/limits.py) is lifted, since unthrottled closed-loop users ask
    several questions a second, which the bot rightly treats as a flood.
    """
    from telegram.ext import ApplicationBuilder

    from bot.tg import limits

    def keep_builder(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self

    setattr(ApplicationBuilder, "rate_limiter", keep_builder)  # noqa: B010 (a method, on purpose)
    limits.USER_BURST = 10**9  # read when the update processor is built
    from bot.cli import main as millebot

    return millebot(["run"])


@dataclass(frozen=True)
class BotKind:
    key: str
    label: str
    argv: list[str]


def bot_kinds(no_limiter: bool) -> list[BotKind]:
    here = str(Path(__file__).resolve())
    echo = [sys.executable, str(REPO / "benchmarks" / "echo_bot.py")]
    if no_limiter:
        return [
            BotKind("ours", "millebot run", [sys.executable, here, "--child-no-limiter"]),
            BotKind("echo", "PTB echo bot", [*echo, "--no-limiter"]),
        ]
    return [
        BotKind("ours", "millebot run", [sys.executable, "-m", "bot.cli", "run"]),
        BotKind("echo", "PTB echo bot", echo),
    ]


# --------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    kind: str
    sent: int = 0
    answered: int = 0
    lost: int = 0
    not_sent: int = 0
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    bot_cpu_s: float = 0.0
    driver_cpu_s: float = 0.0
    unexpected: int = 0
    rejected: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def replies_per_s(self) -> float:
        return self.answered / self.wall_s if self.wall_s else 0.0

    def latency_ms(self, pct: float) -> float:
        return percentile(self.latencies_s, pct) * 1000 if self.latencies_s else float("nan")

    @property
    def cpu_ms_per_reply(self) -> float:
        return self.bot_cpu_s * 1000 / self.answered if self.answered else float("nan")


async def warm_up(api: LoadApi, questions: list[str], check: bool) -> list[str]:
    """Ask every question once, each from its own chat; return the questions fit for the load.

    Each wait is bounded (``DEFAULT_TIMEOUT``). With ``check``, a question is unfit when its
    answer is not exactly one message or is the bot's apology. The questions are asked one
    after the other, each once the previous one is answered, so by the last (barrier) one an
    earlier answer in two messages has all but surely sent both.
    """
    for n, question in enumerate([*questions, "/help"]):
        chat = WARMUP_CHATS + n
        reply = api.expect_reply(chat)
        api.push_message(chat, chat, question)
        try:
            await asyncio.wait_for(reply, DEFAULT_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"warm-up: no reply to {question!r} within {DEFAULT_TIMEOUT:g} s"
            ) from None
    if not check:
        return questions
    fit: list[str] = []
    for n, question in enumerate(questions):
        chat = WARMUP_CHATS + n
        count = api.messages_per_chat[chat]
        text = api.last_text.get(chat, "")
        if count != 1:
            print(f"  dropped from the mix: {question!r} is answered in {count} messages")
        elif APOLOGY in text.lower():
            print(f"  dropped from the mix: {question!r} gets the apology (a handler failed)")
        else:
            fit.append(question)
    return fit


async def simulated_user(
    api: LoadApi,
    chat_id: int,
    questions: list[str],
    stop_sending: float,
    stop_waiting: float,
    result: RunResult,
) -> None:
    """One closed-loop user: ask, wait for the answer, ask the next; bounded in count and time."""
    for asked, question in enumerate(questions):
        if time.perf_counter() >= stop_sending:
            result.not_sent += len(questions) - asked
            result.timed_out = True
            return
        reply = api.expect_reply(chat_id)
        pushed = time.perf_counter()
        api.push_message(chat_id, chat_id, question)
        result.sent += 1
        try:
            arrived = await asyncio.wait_for(reply, max(0.0, stop_waiting - time.perf_counter()))
        except TimeoutError:
            result.lost += 1  # this user waits no more: the rest of its questions are not sent
            result.not_sent += len(questions) - asked - 1
            return
        result.answered += 1
        result.latencies_s.append(arrived - pushed)


async def run_once(
    kind: BotKind,
    workdir: Path,
    questions: list[str],
    args: argparse.Namespace,
    check: bool,
) -> tuple[RunResult, list[str]]:
    """Start a fresh fake server and bot, warm up, load, stop both; the figures and the mix."""
    result = RunResult(kind.key)
    api = LoadApi()  # not ``as api``: FakeBotApi.__aenter__ is typed to return the base class
    async with (
        api,
        LoadBot(api, workdir, kind.argv, args.bot_repo if kind.key == "ours" else REPO) as bot,
    ):
        assert bot.process is not None
        questions = await warm_up(api, questions, check)
        if not questions:
            raise RuntimeError("no question of the mix is fit for the load (see above)")
        for user in range(args.users):  # the chats exist before the clock starts
            api.chat(LOAD_CHATS + user, "private")
        if not args.no_limiter:  # the warm-up filled the limiter's bucket: empty it, for both
            await asyncio.sleep(LIMITER_BUCKET_S)
        mark = api.mark()
        unexpected_before = api.unexpected
        cpu_before, driver_before = process_cpu_s(bot.process.pid), own_cpu_s()
        started = time.perf_counter()
        stop_sending = started + args.timeout
        stop_waiting = stop_sending + args.drain
        users = [
            simulated_user(
                api,
                LOAD_CHATS + user,
                [questions[(user + i) % len(questions)] for i in range(args.questions)],
                stop_sending,
                stop_waiting,
                result,
            )
            for user in range(args.users)
        ]
        load = asyncio.gather(*users)
        # Interrupted or failed: the users are cancelled, and their outcome is not reported as
        # "exception never retrieved" on top of the real reason.
        load.add_done_callback(lambda done: None if done.cancelled() else done.exception())
        try:
            while not load.done():  # bounded: every user is done by stop_waiting
                if bot.returncode is not None:
                    raise RuntimeError(
                        f"{kind.label} exited with {bot.returncode} during the load:\n"
                        + bot.output()[-3000:]
                    )
                await asyncio.wait({load}, timeout=0.5)
        finally:
            load.cancel()  # a no-op once every user is done
        load.result()
        result.wall_s = time.perf_counter() - started
        result.bot_cpu_s = process_cpu_s(bot.process.pid) - cpu_before
        result.driver_cpu_s = own_cpu_s() - driver_before
        result.unexpected = api.unexpected - unexpected_before
        result.rejected = [call.short() for call in api.errors(after=mark)]
    output = bot.output()
    result.error_lines = [
        line for line in output.splitlines() if " ERROR " in line or "Traceback" in line
    ]
    return result, questions


# --------------------------------------------------------------------------- the mixed run

MIXED_USERS = 20
FLOOD_GROUP = -1_001_777_000_001
FLOOD_GROUP_MEMBERS = 60
FLOOD_USER = 7_777_000_001
FLOOD_USER_MESSAGES = 500


def flood(api: LoadApi) -> None:
    """One supergroup where 60 members mention the bot at once, one user sending 500 messages."""
    for member in range(FLOOD_GROUP_MEMBERS):
        api.push_message(
            FLOOD_GROUP,
            6_000_000 + member,
            f"@{BOT_USERNAME} who won in {1927 + member % 30}?",
            chat_type="supergroup",
        )
    for n in range(FLOOD_USER_MESSAGES):
        api.push_message(FLOOD_USER, FLOOD_USER, f"who won in {1927 + n % 30}?")


async def run_mixed(
    workdir: Path, questions: list[str], args: argparse.Namespace, floods: bool
) -> tuple[RunResult, Counter[int]]:
    """20 normal users, with or without the floods beside them; their latency, and what the
    flooders got (messages per chat)."""
    result = RunResult("ours")
    api = LoadApi()
    argv = [sys.executable, "-m", "bot.cli", "run"]
    async with api, LoadBot(api, workdir, argv, args.bot_repo) as bot:
        assert bot.process is not None
        questions = await warm_up(api, questions, check=False)
        for user in range(MIXED_USERS):
            api.chat(LOAD_CHATS + user, "private")
        await asyncio.sleep(LIMITER_BUCKET_S)
        cpu_before, driver_before = process_cpu_s(bot.process.pid), own_cpu_s()
        started = time.perf_counter()
        if floods:
            flood(api)
        stop_sending = started + args.timeout
        stop_waiting = stop_sending + args.drain
        users = [
            simulated_user(
                api,
                LOAD_CHATS + user,
                [questions[(user + i) % len(questions)] for i in range(args.questions)],
                stop_sending,
                stop_waiting,
                result,
            )
            for user in range(MIXED_USERS)
        ]
        await asyncio.gather(*users)
        result.wall_s = time.perf_counter() - started
        result.bot_cpu_s = process_cpu_s(bot.process.pid) - cpu_before
        result.driver_cpu_s = own_cpu_s() - driver_before
        if bot.returncode is not None:
            raise RuntimeError(f"the bot exited with {bot.returncode}:\n{bot.output()[-3000:]}")
        sent = Counter({chat: api.messages_per_chat[chat] for chat in (FLOOD_GROUP, FLOOD_USER)})
    return result, sent


async def mixed_benchmark(args: argparse.Namespace) -> int:
    """The normal users' latency without and with the floods (issue 15's closing figures)."""
    print(
        f"# mixed load: {MIXED_USERS} normal users x {args.questions} questions (closed loop), "
        f"alone, then beside a supergroup where {FLOOD_GROUP_MEMBERS} members mention the bot "
        f"at once and a user who sends {FLOOD_USER_MESSAGES} messages at once"
    )
    print(f"bot: python -m bot.cli run in {args.bot_repo}; repeat {args.repeat}")
    workroot = Path(tempfile.mkdtemp(prefix="e2e-mixed-", dir=args.workdir))
    rows: dict[bool, list[RunResult]] = {False: [], True: []}
    try:
        for n in range(1, args.repeat + 1):
            for floods in (False, True):
                label = "with floods" if floods else "alone"
                run, sent = await run_mixed(
                    workroot / f"mixed-{n}-{int(floods)}", list(QUESTIONS), args, floods
                )
                rows[floods].append(run)
                print_run(n, args.repeat, f"normal users {label}", run)
                if floods:
                    print(
                        f"    flooders got: group {sent[FLOOD_GROUP]} of {FLOOD_GROUP_MEMBERS} "
                        f"replies, user {sent[FLOOD_USER]} of {FLOOD_USER_MESSAGES} "
                        f"within the run"
                    )
    finally:
        if not args.keep:
            shutil.rmtree(workroot, ignore_errors=True)
    print("\n| normal users (20) | p50 latency | p99 latency | lost |")
    print("|---|---|---|---|")
    for floods in (False, True):
        summary = Summary("with floods" if floods else "alone", rows[floods])
        print(
            f"| {summary.label} | {summary.median_latency_ms(50):.0f} ms | "
            f"{summary.median_latency_ms(99):.0f} ms | {summary.lost} |"
        )
    return 0


# --------------------------------------------------------------------------- report


@dataclass
class Summary:
    label: str
    runs: list[RunResult]

    def median(self, attr: str) -> float:
        return statistics.median(float(getattr(run, attr)) for run in self.runs)

    def median_latency_ms(self, pct: float) -> float:
        return statistics.median(run.latency_ms(pct) for run in self.runs)

    @property
    def lost(self) -> int:
        return sum(run.lost for run in self.runs)


def print_run(n: int, repeat: int, label: str, run: RunResult) -> None:
    bot_share = run.bot_cpu_s / run.wall_s * 100 if run.wall_s else 0.0
    driver_share = run.driver_cpu_s / run.wall_s * 100 if run.wall_s else 0.0
    print(
        f"  run {n}/{repeat} {label}: {run.answered}/{run.sent} answered in {run.wall_s:.1f} s, "
        f"{run.replies_per_s:.1f}/s, p50 {run.latency_ms(50):.0f} ms, "
        f"p99 {run.latency_ms(99):.0f} ms, lost {run.lost}, "
        f"CPU {run.cpu_ms_per_reply:.2f} ms/reply (bot {bot_share:.0f}% of a core, "
        f"fake+users {driver_share:.0f}%)"
    )
    if run.not_sent:
        why = "--timeout ran out" if run.timed_out else "their user waited for a lost reply"
        print(f"    {run.not_sent} questions not sent ({why})")
    if run.unexpected:
        print(f"    {run.unexpected} messages nobody waited for (late or extra)")
    for call in run.rejected[:5]:
        print(f"    rejected by the fake: {call}")
    for line in run.error_lines[:5]:
        print(f"    bot log: {line[:200]}")


def fmt_ratio(value: float) -> str:
    met = "met" if value <= TARGET_RATIO else "NOT met"
    return f"{value:.2f}x (target <= {TARGET_RATIO}x: {met})"


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (from /proc/mounts): tmpfs never syncs."""
    best, kind = "", "unknown filesystem"
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and path.is_relative_to(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], f"{parts[2]} mounted on {parts[1]}"
    return kind


def environment(workroot: Path) -> list[str]:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 0
    import telegram

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"{platform.system()} {platform.release()}, {cores} cores",
        f"- bot state and index under {workroot} ({filesystem(workroot)}; our bot commits "
        "its statistics to SQLite once per answer)",
        f"- load average at the end: {load}",
    ]


def default_repeat(users: int, questions: int, no_limiter: bool) -> int:
    """3 when three alternating runs of both bots should fit in ~2 minutes, else 1."""
    rate = ASSUMED_FREE_RATE if no_limiter else LIMITER_RATE
    one_round = 2 * (users * questions / rate + STARTUP_S)
    return 3 if 3 * one_round <= REPEAT_BUDGET_S else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load the real bot end to end and compare it with a minimal PTB echo bot."
    )
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--questions", type=int, default=40, help="questions per user (default 40)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=240.0,
        help="seconds of load per run after which no question is sent (default 240)",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=10.0,
        help="seconds after --timeout to wait for answers still due (default 10)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of each bot, medians reported (default 3 if that fits ~2 min, else 1)",
    )
    parser.add_argument(
        "--no-limiter",
        action="store_true",
        help="diagnostic: run both bots without AIORateLimiter",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the bots' index and state files go (default: the system temp directory); "
        "the stats are committed per answer, so this disk's fsync is in every reply",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bots' work directories")
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="20 normal users alone, then beside a flooding group and a flooding user",
    )
    parser.add_argument(
        "--bot-repo",
        type=Path,
        default=REPO,
        help="run our bot from this checkout (e.g. the code before a change); default: this one",
    )
    parser.add_argument("--child-no-limiter", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.users < 1 or args.questions < 1:
        parser.error("--users and --questions must be at least 1")
    if args.users > 100_000 or args.questions > 100_000:
        parser.error("--users and --questions must stay below 100,000")
    if not 0 < args.timeout <= 3600 or not 0 < args.drain <= 600:
        parser.error("--timeout must be in (0, 3600] and --drain in (0, 600]")
    if args.repeat is None:
        args.repeat = default_repeat(args.users, args.questions, args.no_limiter)
    if not 1 <= args.repeat <= 20:
        parser.error("--repeat must be from 1 to 20")
    return args


async def benchmark(args: argparse.Namespace) -> int:
    main_task = asyncio.current_task()
    assert main_task is not None
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, main_task.cancel)  # stop the bots on SIGTERM too

    began = time.perf_counter()
    kinds = bot_kinds(args.no_limiter)
    limiter = (
        "none (--no-limiter: diagnostic, not what we ship)"
        if args.no_limiter
        else f"Telegram's rates ({LIMITER_RATE:.0f} msg/s overall, 20/min per group) in both "
        "bots: ours bot/tg/retry.py as bot/tg/app.py builds it, the echo bot a plain "
        "AIORateLimiter(max_retries=3)"
    )
    total = args.users * args.questions
    print(
        f"# end-to-end load: {args.users} users x {args.questions} questions = {total}, "
        f"repeat {args.repeat}"
    )
    print(
        "closed loop: each user (its own private chat) sends its next question only after the "
        "answer to the previous one; all users start at once"
    )
    print(f"rate limiter: {limiter}")
    if args.bot_repo != REPO:
        print(f"ours: python -m bot.cli run from {args.bot_repo}")
    else:
        print(
            "updates: ours chats side by side, each chat in order (bot/tg/chats.py); the echo "
            "bot PTB's default, one at a time"
        )
    if not args.no_limiter:
        floor = total / LIMITER_RATE
        print(f"at {LIMITER_RATE:.0f} replies/s the load alone takes >= {floor:.0f} s per run")
        if floor > args.timeout:
            print(f"  warning: more than --timeout {args.timeout:g} s: some questions won't go")

    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    workroot = Path(tempfile.mkdtemp(prefix="e2e-load-", dir=args.workdir))
    questions = list(QUESTIONS)
    results: dict[str, list[RunResult]] = {kind.key: [] for kind in kinds}
    try:
        for n in range(1, args.repeat + 1):
            for kind in kinds:
                check = kind.key == "ours" and n == 1
                result, questions = await run_once(
                    kind, workroot / f"{kind.key}-{n}", questions, args, check
                )
                if check:
                    print(f"mix: {len(questions)} distinct questions, each user at its own offset")
                results[kind.key].append(result)
                print_run(n, args.repeat, kind.label, result)
    finally:
        if args.keep:
            print(f"work directories kept in {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)

    ours, echo = (Summary(kind.label, results[kind.key]) for kind in kinds)
    print("\n## summary (medians of the runs)\n")
    print("\n".join(environment(workroot)))
    print(f"- benchmark wall time: {time.perf_counter() - began:.0f} s\n")
    print("| bot | replies/s | p50 latency | p99 latency | lost | CPU per reply | load time |")
    print("|---|---|---|---|---|---|---|")
    for summary in (ours, echo):
        print(
            f"| {summary.label} | {summary.median('replies_per_s'):.1f} | "
            f"{summary.median_latency_ms(50):.0f} ms | {summary.median_latency_ms(99):.0f} ms | "
            f"{summary.lost} | {summary.median('cpu_ms_per_reply'):.2f} ms | "
            f"{summary.median('wall_s'):.1f} s |"
        )
    cpu_ratio = ours.median("cpu_ms_per_reply") / echo.median("cpu_ms_per_reply")
    p50_ratio = ours.median_latency_ms(50) / echo.median_latency_ms(50)
    rate_ratio = ours.median("replies_per_s") / echo.median("replies_per_s")
    print(f"\nours / echo, CPU per reply (the cost): {fmt_ratio(cpu_ratio)}")
    print(f"ours / echo, p50 latency:              {fmt_ratio(p50_ratio)}")
    print(f"ours / echo, replies/s:                {rate_ratio:.2f}x")
    capped = [s.label for s in (ours, echo) if s.median("replies_per_s") >= 0.85 * LIMITER_RATE]
    if not args.no_limiter and capped:
        print(
            f"\nthe rate limiter dominates: {' and '.join(capped)} served near its "
            f"{LIMITER_RATE:.0f} msg/s cap, and every user waits behind the others' throttled "
            "replies; throughput and latency compare the "
            "limiter, not the code. CPU per reply still compares the code "
            "(run --no-limiter for the unthrottled capacity)."
        )
    lost = ours.lost + echo.lost
    if lost:
        print(f"\nLOST REPLIES: {lost} (must be 0)")
    return 1 if lost else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_no_limiter:
        return unlimited_millebot()
    if not Path("/proc/self/stat").exists():
        raise SystemExit("e2e_load needs Linux (/proc) to read the bots' CPU time")
    try:
        return asyncio.run(mixed_benchmark(args) if args.mixed else benchmark(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("\ninterrupted: the bots and the fake server were stopped", file=sys.stderr)
        return 130
    except RuntimeError as err:  # a bot died, did not start or did not answer the warm-up
        print(f"e2e_load: {err}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(Exception):
            _kill_leftovers()


if __name__ == "__main__":
    sys.exit(main())
