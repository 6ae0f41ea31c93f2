"""The console front end: ``millebot validate | index | ask | chat | eval | start | run``,
``unanswered`` for the curators of the knowledge, and ``map`` / ``chart`` for the pictures.

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
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.core.answer import Answerer
from bot.core.answerers import Answerers
from bot.core.answering.conversation import Context
from bot.core.chartdata import CHARTS
from bot.core.evaluation import evaluate
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import catalogue
from bot.core.index import KnowledgeError, open_index, rebuild, state_path
from bot.core.loader import load_knowledge
from bot.core.localise import localised
from bot.core.reply import Button, Picture, Reply
from bot.core.unanswered import Missed, read_top
from bot.settings import Settings, SettingsError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
CHAT_WIDTH = 80  # the console chat lists buttons on one line up to this width, else one a line


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


def load_answerer(settings: Settings) -> Answerers | None:
    """Open (or rebuild) the index and build the answering core; print problems if any."""
    try:
        knowledge, _ = asyncio.run(open_index(settings.knowledge_dir, settings.database_path))
    except KnowledgeError as err:
        print("The knowledge base has problems:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return None
    return Answerers(knowledge)


def console_text(reply: Reply) -> str:
    """The reply as plain text, with the buttons a Telegram user would see, to type instead.

    A picture (map, chart) is named with the command that writes it to a file.
    """
    text = reply.text
    if reply.picture is not None:
        text += "\n" + picture_line(reply.picture)
    if not reply.buttons:
        return text
    shown = [b.shown if b.label == b.ask else f"{b.shown} [{b.ask}]" for b in reply.buttons]
    return text + "\nButtons: " + " | ".join(shown)


def picture_line(picture: Picture) -> str:
    event, _, year = picture.subject.partition("/")
    if picture.kind == "map":
        command = f"millebot map {year}" + ("" if event == DEFAULT_EVENT else f" --event {event}")
    else:
        command = f"millebot chart {picture.subject}"
    return catalogue(picture.lang)("pictures.picture_line", command=f"{command} -o FILE.png")


def chat_text(reply: Reply) -> tuple[str, list[Button]]:
    """The reply as the console chat shows it, and the buttons its numbers tap.

    As on Telegram, the buttons are the reply's own and its suggestions ("Try: ..."), which
    are then not repeated in the text; each gets a number to type instead of a tap.
    """
    offered = reply.offered()
    text = replace(reply, suggestions=()).text if offered else reply.text
    if not offered:
        return text, []
    numbered = [f"{n}. {b.shown}" for n, b in enumerate(offered, start=1)]
    one_line = "   ".join(numbered)
    listing = (
        f"  {one_line}" if len(one_line) <= CHAT_WIDTH else "\n".join(f"  {b}" for b in numbered)
    )
    return f"{text}\n{catalogue(reply.lang)('console.buttons')}\n{listing}", offered


def typed(line: str, buttons: Sequence[Button]) -> str:
    """What a typed line asks: the button whose number it is, or the line itself."""
    number = line.strip().rstrip(".")
    if number.isdecimal() and number.isascii() and 1 <= int(number) <= len(buttons):
        return buttons[int(number) - 1].ask
    return line


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
        context: Context | None = None
        for line in sys.stdin:
            question = line.rstrip("\n")
            if args.conversation and not question.strip():
                context = None  # an empty line ends the conversation; it gets no reply
                continue
            reply = answerer.answer(question, now, args.lang, context)
            if args.conversation:
                context = Context.from_dict(reply.context)
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
    answerer: Answerers | Answerer, fixed_now: datetime | None = None, lang: str | None = None
) -> int:
    """An interactive console session over the same core as Telegram (Ctrl-D to leave).

    It opens with Telegram's welcome (/start: the three example questions as buttons) and
    says how buttons work here: each is numbered, and typing its number taps it.
    """
    with contextlib.suppress(ImportError):  # history and line editing where available
        import readline  # noqa: F401
    welcome = answerer.answer("/start", clock(fixed_now), lang)
    text, buttons = chat_text(welcome)
    context: Context | None = None  # what the conversation is about: follow-ups read against it
    print(f"{text}\n{catalogue(welcome.lang)('console.how_to')}\n")
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if not line.strip():
            continue
        reply = answerer.answer(typed(line, buttons), clock(fixed_now), lang, context)
        context = Context.from_dict(reply.context)
        text, buttons = chat_text(reply)
        print(text)
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
        "put TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env (cp .env.example .env) "
        "or export it, and run `make run` again."
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

    def converse(turns: list[str]) -> Reply:
        """The reply to the last turn, each turn read against the one before (``turns:``)."""
        context: Context | None = None
        reply = None
        for turn in turns:
            reply = answerer.answer(turn, now, None, context)
            context = Context.from_dict(reply.context)
        assert reply is not None  # an item has at least one turn
        return reply

    result = evaluate(Path(args.file), converse)
    print(result.report())
    return EXIT_OK


# ----------------------------------------------------------------- pictures


def cmd_map(args: argparse.Namespace, settings: Settings) -> int:
    """Write an edition's route map as a PNG: what /map sends on Telegram."""
    event = f" {args.event}" if args.event else ""
    return write_picture(f"/map {args.year or ''}{event}", args, settings)


def cmd_chart(args: argparse.Namespace, settings: Settings) -> int:
    """Write a chart of the race's history as a PNG: what /chart sends on Telegram."""
    return write_picture(f"/chart {args.name}", args, settings)


def write_picture(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Answer ``command`` as the bot would; write its picture, or say why there is none."""
    answerer = load_answerer(settings)
    if answerer is None:
        return EXIT_PROBLEMS
    reply = answerer.answer(" ".join(command.split()), clock(None), args.lang)
    if reply.picture is None:
        print(console_text(reply), file=sys.stderr)
        return EXIT_PROBLEMS
    from bot.core.drawing import draw  # Pillow loads only for the picture commands

    try:
        png = draw(answerer.knowledge, reply.picture)
    except Exception as err:  # a drawing that fails says why, without a traceback
        print(f"could not draw the picture: {type(err).__name__}: {err}", file=sys.stderr)
        print(reply.text, file=sys.stderr)
        return EXIT_PROBLEMS
    Path(args.output).write_bytes(png)
    print(reply.text)
    print(f"written to {args.output}")
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
    knowledge = localised(result.knowledge, catalogue(args.lang).lang)  # Roma in Italian
    cal = calendar_for(knowledge, args.event or "", now, args.lang, "millebot calendar --event")
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
    p.add_argument(
        "--conversation",
        action="store_true",
        help="with --json: consecutive lines are one conversation (follow-ups read against "
        "the turn before), an empty line ends it",
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

    p = sub.add_parser(
        "map",
        help="write an edition's route map as a PNG file",
        description="Draw an edition's route on the map of its country (towns in order, "
        "start and finish, each day's leg and overnight stop where the knowledge has them), "
        "as /map sends it on Telegram. Towns without coordinates in "
        "knowledge/places.yaml are left out and named; a route with no towns to draw says so.",
    )
    p.add_argument("year", nargs="?", type=int, help="the edition's year (default: the latest)")
    p.add_argument("--event", metavar="EVENT", help="an event's name or id (default: Mille Miglia)")
    p.add_argument("--output", "-o", metavar="FILE", required=True, help="the PNG to write")
    p.add_argument("--lang", help="language of the map's texts (it: Italian)")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "chart",
        help="write a chart of the race's history as a PNG file",
        description="speeds: the winners' average speed 1927-1957 with the record marked; "
        "fields: starters per year, speed race and revival; makes: wins by make, speed race "
        "and revival apart. The same chart /chart sends on Telegram.",
    )
    p.add_argument("name", choices=CHARTS, help="which chart")
    p.add_argument("--output", "-o", metavar="FILE", required=True, help="the PNG to write")
    p.add_argument("--lang", help="language of the chart's texts (it: Italian)")
    p.set_defaults(func=cmd_chart)
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
