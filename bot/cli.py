"""The console front end: ``millebot validate | index | ask | chat | eval | start | run``, and
``unanswered`` for the curators of the knowledge.

``main(argv) -> int`` returns an exit status instead of calling ``sys.exit`` deep inside, so
tests can drive every subcommand in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.core.answer import Answerer
from bot.core.evaluation import evaluate
from bot.core.index import KnowledgeError, open_index, rebuild, state_path
from bot.core.loader import load_knowledge
from bot.core.reply import Reply
from bot.core.unanswered import Missed, read_top
from bot.settings import Settings, SettingsError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def summary_line(counts: dict[str, int]) -> str:
    """One line of counts, e.g. for ``validate`` and ``/reload``."""
    main = ", ".join(
        f"{counts.get(k, 0)} {k}"
        for k in ("events", "editions", "reports", "facts", "phrasings", "people", "places")
    )
    return main


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(args.directory) if args.directory else settings.knowledge_dir
    result = load_knowledge(directory)
    if result.knowledge is None:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s) in {directory}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {summary_line(result.knowledge.counts)}")
    return EXIT_OK


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    db_path = Path(args.db) if args.db else settings.database_path
    try:
        if args.force:
            knowledge = rebuild(settings.knowledge_dir, db_path)
            note = "rebuilt"
        else:
            knowledge, status = asyncio.run(open_index(settings.knowledge_dir, db_path))
            note = f"rebuilt ({status.reason})" if status.rebuilt else "up to date"
    except KnowledgeError as err:
        for problem in err.problems:
            print(problem)
        return EXIT_PROBLEMS
    print(f"{db_path}: {note}")
    for key, value in knowledge.counts.items():
        print(f"  {key:32} {value}")
    return EXIT_OK


def iso_moment(value: str) -> datetime:
    """``--now``: an ISO 8601 date or time (UTC when no zone is given); checked by argparse."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"expects an ISO 8601 date or time, got {value!r}"
        ) from err
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock(fixed: datetime | None) -> datetime:
    """The clock for answers: ``--now`` when given, else the real time."""
    return fixed or datetime.now(UTC)


def load_answerer(settings: Settings) -> Answerer | None:
    """Open (or rebuild) the index and build the answering core; print problems if any."""
    try:
        knowledge, _ = asyncio.run(open_index(settings.knowledge_dir, settings.database_path))
    except KnowledgeError as err:
        print("The knowledge base has problems:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return None
    return Answerer(knowledge)


def console_text(reply: Reply) -> str:
    """The reply as plain text, with the buttons a Telegram user would see, to type instead."""
    if not reply.buttons:
        return reply.text
    shown = [b.label if b.label == b.ask else f"{b.label} [{b.ask}]" for b in reply.buttons]
    return reply.text + "\nButtons: " + " | ".join(shown)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    now = clock(args.now)
    answerer = load_answerer(settings)
    if answerer is None:
        return EXIT_PROBLEMS
    if args.json:
        # One JSON line per input line, whatever the bytes: undecodable input is replaced, not
        # fatal, and the output is always UTF-8.
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8")
        for line in sys.stdin:
            question = line.rstrip("\n")
            reply = answerer.answer(question, now, args.lang)
            print(json.dumps(reply.as_json(question), ensure_ascii=False), flush=True)
        return EXIT_OK
    question = " ".join(args.question)
    if not question:
        print(
            "millebot ask: give a question, or use --json to read questions from stdin",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(console_text(answerer.answer(question, now, args.lang)))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    answerer = load_answerer(settings)
    if answerer is None:
        return EXIT_PROBLEMS
    return chat_loop(answerer, args.now, args.lang)


def chat_loop(
    answerer: Answerer, fixed_now: datetime | None = None, lang: str | None = None
) -> int:
    """An interactive console session over the same core as Telegram (Ctrl-D to leave)."""
    with contextlib.suppress(ImportError):  # history and line editing where available
        import readline  # noqa: F401
    print("Ask about the Mille Miglia and its sister rallies. Ctrl-D to leave.")
    while True:
        try:
            question = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if not question.strip():
            continue
        print(console_text(answerer.answer(question, clock(fixed_now), lang)))
        print()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run on Telegram; the token is required."""
    if not settings.token:
        print(
            "millebot run: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather); "
            "or use `millebot chat` for a console chat.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return run_telegram(settings)


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    """Telegram when a token is set, otherwise a console chat over the same core."""
    if settings.token:
        return run_telegram(settings)
    print(
        "No TELEGRAM_BOT_TOKEN set: starting a console chat. To run on Telegram, "
        "export TELEGRAM_BOT_TOKEN=<token from @BotFather> and run `make run` again."
    )
    answerer = load_answerer(settings)
    if answerer is None:
        return EXIT_PROBLEMS
    return chat_loop(answerer)


def run_telegram(settings: Settings) -> int:
    from bot.core.service import AnswerService
    from bot.tg.app import run  # imported here: the core and the console never load telegram
    from bot.tg.logs import configure

    configure(settings.log_level, settings.token or "")
    service = AnswerService(settings.knowledge_dir, settings.database_path)
    try:
        asyncio.run(service.start())
    except KnowledgeError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return EXIT_PROBLEMS
    return run(settings, service)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    answerer = load_answerer(settings)
    if answerer is None:
        return EXIT_PROBLEMS
    now = clock(args.now)
    result = evaluate(Path(args.file), lambda q: answerer.answer(q, now))
    print(result.report())
    return EXIT_OK


# ----------------------------------------------------------------- calendar


def cmd_calendar(args: argparse.Namespace, settings: Settings) -> int:
    """Write the upcoming editions as an .ics file (``-``: standard output)."""
    # Imported here: icalendar takes ~80 ms to import, which no other command should pay.
    from bot.core.calendar import Outcome, calendar_for

    now = clock(args.now)
    result = load_knowledge(settings.knowledge_dir)  # no index needed: nothing is searched
    if result.knowledge is None:
        print("The knowledge base has problems:", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    cal = calendar_for(
        result.knowledge, args.event or "", now, args.lang, "millebot calendar --event"
    )
    if cal.outcome in (Outcome.WHICH, Outcome.USAGE):
        print(cal.message, file=sys.stderr)
        return EXIT_USAGE
    output = args.output or cal.filename
    if output == "-":
        sys.stdout.buffer.write(cal.ics)
        sys.stdout.flush()
        where, report = "standard output", sys.stderr
    else:
        Path(output).write_bytes(cal.ics)
        where, report = output, sys.stdout
    count = len(cal.editions)
    if count:
        print(f"{count} edition{'s' if count != 1 else ''} written to {where}", file=report)
    else:
        print(
            f"No upcoming edition with dates in my sources; an empty calendar written to {where}",
            file=report,
        )
    print(cal.message, file=report)
    return EXIT_OK


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    """What users asked and the bot could not answer, most asked first: what to add next."""
    db_path = Path(args.db) if args.db else settings.database_path
    # The state file itself is accepted too (e.g. a copy fetched from the server).
    path = db_path if db_path.stem.endswith(".state") else state_path(db_path)
    try:
        missed = read_top(path, args.limit)
    except sqlite3.Error as err:
        print(f"millebot unanswered: cannot read {path}: {err}", file=sys.stderr)
        return EXIT_PROBLEMS
    if not missed:
        print("No unanswered questions recorded yet.")
        return EXIT_OK
    for line in unanswered_table(missed):
        print(line)
    return EXIT_OK


def unanswered_table(missed: list[Missed]) -> list[str]:
    """People, count, kind, last asked (date) and an example wording, one question a line."""
    width = max(len("count"), *(len(str(m.count)) for m in missed))
    people = max(len("people"), *(len(str(m.askers)) for m in missed))
    lines = [f"{'people':>{people}}  {'count':>{width}}  {'kind':7}  {'last seen':10}  question"]
    lines.extend(
        f"{m.askers:>{people}}  {m.count:>{width}}  {m.kind:7}  {m.last_seen:%Y-%m-%d}  {m.example}"
        for m in missed
    )
    return lines


def positive_int(value: str) -> int:
    """``--limit`` must ask for something: zero or fewer is a typo, not an empty request."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="millebot",
        description="Questions and answers about the Mille Miglia and its sister rallies.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check the knowledge base and report every problem")
    p.add_argument("directory", nargs="?", help="knowledge folder (default: KNOWLEDGE_DIR)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("index", help="build the SQLite index and print counts")
    p.add_argument("--db", help="index path (default: DATABASE_PATH or data/millebot.sqlite3)")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.set_defaults(func=cmd_index)

    now_help = "answer as of this moment (ISO 8601, e.g. 2027-03-01T09:00+01:00)"
    lang_help = "reply language, as a Telegram user's (it: Italian); default: the question's"
    p = sub.add_parser("ask", help="answer one question (or, with --json, one per stdin line)")
    p.add_argument("question", nargs="*", help="the question")
    p.add_argument(
        "--json",
        action="store_true",
        help="read questions from stdin, write one JSON object per line",
    )
    p.add_argument("--now", type=iso_moment, help=now_help)
    p.add_argument("--lang", help=lang_help)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive console chat (Ctrl-D to leave)")
    p.add_argument("--now", type=iso_moment, help=now_help)
    p.add_argument("--lang", help=lang_help)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("start", help="run on Telegram if TELEGRAM_BOT_TOKEN is set, else chat")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("eval", help="score a question file (format of shared/eval)")
    p.add_argument("file", help="questions YAML")
    p.add_argument("--now", type=iso_moment, help=now_help)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "unanswered",
        help="for curators: the questions the bot could not answer, most asked first",
        description="For knowledge curators: the questions users asked that ended as unknown "
        "or clarify, asked by the most people first, with how often, when last and one wording. "
        "Add what they ask to knowledge/ (see knowledge/README.md); once answered, a "
        "question leaves the list the next time it is asked.",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=20,
        metavar="N",
        help="how many questions (default: 20)",
    )
    p.add_argument(
        "--db",
        metavar="PATH",
        help="index path (default: DATABASE_PATH or data/millebot.sqlite3); its "
        "<name>.state.sqlite3 is read, or give the state file itself",
    )
    p.set_defaults(func=cmd_unanswered)

    p = sub.add_parser(
        "calendar",
        help="write the upcoming editions as an .ics calendar file",
        description="Write the known upcoming editions (those with dates) as all-day events "
        "in an iCalendar (RFC 5545) file for calendar programs; the same file /calendar "
        "sends on Telegram.",
    )
    p.add_argument(
        "--event",
        metavar="EVENT",
        help="an event's name, part of a name or id, or 'all' (default: the Mille Miglia)",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="where to write (default: mille-miglia.ics, or <event>.ics, in the current "
        "folder; '-' for standard output)",
    )
    p.add_argument(
        "--now",
        type=iso_moment,
        help="as of this moment (ISO 8601); editions over by then are left out",
    )
    p.add_argument("--lang", help="language of the calendar's labels (it: Italian)")
    p.set_defaults(func=cmd_calendar)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already explained
        return int(stop.code or 0)
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"millebot: {err}", file=sys.stderr)
        return EXIT_USAGE
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
