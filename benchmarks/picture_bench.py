"""Pictures (issue 12): how long a map or chart takes to draw, to re-send, and what it costs in memory.

    .venv/bin/python benchmarks/picture_bench.py [--repeat 5]

Prints, on this machine (medians; the machine is shared, so run it twice):

- cold draw: the first picture of a fresh process, drawn as the bot draws it (after loading the
  knowledge and answering the request), every drawing library's import included (target
  < 500 ms): Pillow, and numpy for a map's outlines;
- warm draw: every map and chart drawn afresh (no cache) in a process that has drawn before;
- cached send: the bot's own time to answer ``/map 2014`` once Telegram has the picture's
  file_id: the real handlers and core, over a Bot API stub that answers at once (< 5 ms);
- peak RSS of a bot process that answered 300 questions, without any picture asked for and
  with every picture drawn and sent (< 200 MB), and whether Pillow was loaded at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.request import BaseRequest, RequestData  # noqa: E402

from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.model import Knowledge  # noqa: E402
from bot.core.service import AnswerService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.tg.app import build_application  # noqa: E402

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
CHAT = 4_000_001
QUESTIONS = (
    "who won in 1955",
    "chi ha vinto nel 1931",
    "/edition 2014",
    "does the route pass through Siena",
    "how many times did Nuvolari win",
    "/next",
)


def knowledge() -> Knowledge:
    result = load_knowledge(ROOT / "knowledge")
    if result.knowledge is None:
        raise SystemExit("the knowledge base does not load; run millebot validate")
    return result.knowledge


def every_picture(k: Knowledge) -> list[Any]:
    from bot.core.pictures import drawable_editions
    from bot.core.reply import Picture

    maps = [Picture("map", key, k.digest) for key in sorted(drawable_editions(k))]
    return maps + [Picture("chart", name, k.digest) for name in ("speeds", "fields", "makes")]


def peak_rss_mb() -> float:
    """VmHWM: this process's own high-water mark (ru_maxrss can inherit a parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- a bot to time


class StubRequest(BaseRequest):
    """Answers every Bot API call at once, so what is timed is the bot's own work."""

    def __init__(self) -> None:
        self.ids = count(1)
        self.uploads = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        result: Any = True
        if api == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Mille", "username": "millebot"}
        elif api.startswith("send"):
            result = {
                "message_id": next(self.ids),
                "date": 0,
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "Mille"},
                "text": "x",
            }
            if api == "sendPhoto":
                if request_data is not None and request_data.multipart_data:
                    self.uploads += 1
                result["photo"] = [
                    {"file_id": "F1", "file_unique_id": "U1", "width": 9, "height": 9}
                ]
        return 200, json.dumps({"ok": True, "result": result}).encode()


def update(text: str, n: int) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": 0,
            "chat": {"id": CHAT, "type": "private", "first_name": "Ada"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ada", "language_code": "en"},
            "text": text,
            **({"entities": entities} if text.startswith("/") else {}),
        },
    }


async def bot(workdir: Path) -> tuple[Any, StubRequest]:
    kdir = workdir / "knowledge"
    shutil.copytree(ROOT / "knowledge", kdir)
    db = workdir / "index.sqlite3"
    service = AnswerService(kdir, db)
    await service.start()
    request = StubRequest()
    settings = Settings(token="1:BENCH", knowledge_dir=kdir, database_path=db)
    app = build_application(settings, service, request, clock=lambda: NOW)
    await app.initialize()
    state = app.bot_data["state"]
    await state.stats.open()
    await state.unanswered.open()
    if getattr(state, "pictures", None) is not None:  # None on code before pictures existed
        await state.pictures.ids.open()
    return app, request


async def handle(app: Any, text: str, n: int) -> float:
    """CPU seconds the bot spends on one message, from the update to its last Bot API call.

    CPU time, not wall time: the 30 messages/s rate limiter (as shipped) waits ~33 ms
    between sends, which is Telegram's pace, not the bot's work.
    """
    payload = Update.de_json(update(text, n), app.bot)
    started = time.process_time()
    await app.process_update(payload)
    return time.process_time() - started


async def close(app: Any) -> None:
    state = app.bot_data["state"]
    await state.stats.close()
    await state.unanswered.close()
    if getattr(state, "pictures", None) is not None:
        await state.pictures.ids.close()
    await app.shutdown()


# --------------------------------------------------------------------------- children


def child_cold(kind: str, subject: str, lang: str) -> None:
    """The first picture of a fresh process, as the bot draws it: after answering the request.

    The bot has loaded the knowledge and built the reply (its caption) before it draws, so
    those are done first; what is timed is ``draw`` with every drawing library's import.
    """
    from bot.core.answer import Answerer
    from bot.core.drawing import draw  # imports no drawing library until a picture is drawn

    k = knowledge()
    event, _, year = subject.partition("/")
    ask = f"/chart {subject}" if kind == "chart" else f"/map {year} {event}"
    reply = Answerer(k).answer(ask, NOW, lang)
    assert reply.picture is not None, reply.text
    loaded = [name for name in ("PIL", "matplotlib", "numpy") if name in sys.modules]
    started = time.perf_counter()
    png = draw(k, reply.picture)
    ms = (time.perf_counter() - started) * 1000
    libraries = [name for name in ("PIL", "matplotlib", "numpy") if name in sys.modules]
    print(json.dumps({"ms": ms, "bytes": len(png), "before": loaded, "after": libraries}))


def child_rss(with_pictures: bool) -> None:
    async def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            app, request = await bot(Path(tmp))
            n = count(1)
            for _ in range(50):
                for question in QUESTIONS:
                    await handle(app, question, next(n))
            if with_pictures:
                from bot.core.pictures import drawable_editions

                k = app.bot_data["state"].service.answerer.knowledge
                for key in sorted(drawable_editions(k)):
                    event, _, year = key.partition("/")
                    await handle(app, f"/map {year} {event}", next(n))
                for name in ("speeds", "fields", "makes"):
                    await handle(app, f"/chart {name}", next(n))
            await close(app)
            return {
                "rss_mb": peak_rss_mb(),
                "pillow": "PIL" in sys.modules,
                "uploads": request.uploads,
            }

    print(json.dumps(asyncio.run(run())))


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- the parent


def warm_draws(repeat: int) -> dict[str, float]:
    from bot.core.drawing import draw

    k = knowledge()
    pictures = every_picture(k)
    draw(k, pictures[0])  # imports and fonts once: what follows is drawing only
    times: dict[str, list[float]] = {p.subject: [] for p in pictures}
    for _ in range(repeat):
        for picture in pictures:
            started = time.perf_counter()
            draw(k, picture)
            times[picture.subject].append((time.perf_counter() - started) * 1000)
    return {subject: statistics.median(ms) for subject, ms in times.items()}


def cached_sends(rounds: int) -> tuple[float, float, float, int]:
    """Median and p99 CPU ms of a cached /map 2014, the median of /edition 2014, uploads."""

    async def run() -> tuple[list[float], list[float], int]:
        with tempfile.TemporaryDirectory() as tmp:
            app, request = await bot(Path(tmp))
            await handle(app, "/map 2014", 1)  # drawn and uploaded once
            maps = [await handle(app, "/map 2014", n) for n in range(2, rounds + 2)]
            n = rounds + 2
            texts = [await handle(app, "/edition 2014", n + i) for i in range(rounds)]
            await close(app)
            return maps, texts, request.uploads

    maps, texts, uploads = asyncio.run(run())
    ms = sorted(t * 1000 for t in maps)
    text_ms = statistics.median(t * 1000 for t in texts)
    return statistics.median(ms), ms[int(len(ms) * 0.99) - 1], text_ms, uploads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per cold draw")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "cold":
            child_cold(args.child[1], args.child[2], args.child[3])
        else:
            child_rss(args.child[1] == "pictures")
        return

    print("Pictures benchmark (2 shared cores; medians)")
    for kind, subject, lang in (
        ("map", "mille-miglia/2014", "en"),
        ("map", "mille-miglia/2026", "it"),
        ("chart", "speeds", "en"),
    ):
        runs = [run_child("cold", kind, subject, lang) for _ in range(args.repeat)]
        times = sorted(r["ms"] for r in runs)
        size = runs[0]["bytes"] / 1024
        imported = ", ".join(runs[0]["after"]) or "none"
        print(
            f"cold draw {subject + ' ' + lang:<23} {statistics.median(times):7.0f} ms  "
            f"(min {times[0]:.0f}, max {times[-1]:.0f}; {size:.0f} KB; imports included: "
            f"{imported}; none loaded before: {not runs[0]['before']})"
        )
    for subject, ms in warm_draws(3).items():
        print(f"warm draw {subject:<20} {ms:7.0f} ms")
    median, p99, text_ms, uploads = cached_sends(200)
    print(
        f"cached send /map 2014: median {median:.2f} ms, p99 {p99:.2f} ms of bot CPU "
        f"({uploads} upload in all; a text card, /edition 2014: {text_ms:.2f} ms)"
    )
    for label, mode in (("without pictures", "none"), ("with every picture", "pictures")):
        runs = [run_child("rss", mode) for _ in range(3)]
        rss = statistics.median(r["rss_mb"] for r in runs)
        print(
            f"peak RSS {label:<19} {rss:6.0f} MB  (Pillow loaded: {runs[0]['pillow']}, "
            f"uploads: {runs[0]['uploads']})"
        )


if __name__ == "__main__":
    main()
