"""The console front end: ``millebot validate | index | ask | chat | eval | start | run``.

``main(argv) -> int`` returns an exit status instead of calling ``sys.exit`` deep inside, so
tests can drive every subcommand in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.index import KnowledgeError, open_index, rebuild
from bot.core.loader import load_knowledge
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"millebot: {err}", file=sys.stderr)
        return EXIT_USAGE
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
