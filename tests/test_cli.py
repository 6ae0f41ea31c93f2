"""The console front end as a user (or a script relying on the JSON contract) sees it."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import chat_loop, main
from bot.core.answer import Answerer

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T12:00:00+00:00"


@pytest.fixture(autouse=True)
def isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI test builds its own index, never the developer's data/ folder."""
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "index.sqlite3"))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge"))


def test_ask_prints_a_plain_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--now", NOW, "who won in 1931?"]) == 0
    out = capsys.readouterr().out
    assert "Caracciola" in out and "Sebastian" in out
    assert "<" not in out  # plain text, no markup


def test_ask_json_keeps_the_contract(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = ["who won in 1955", "what's the best pizza in Rome", "", "/next"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--json", "--now", NOW]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(questions)
    replies = [json.loads(line) for line in lines]
    for question, reply in zip(questions, replies, strict=True):
        assert set(reply) == {"question", "kind", "text", "reports", "sources", "suggestions"}
        assert reply["question"] == question
        assert reply["kind"] in ("answer", "clarify", "unknown")
        assert isinstance(reply["text"], str) and reply["text"]
    assert replies[0]["kind"] == "answer" and "Moss" in replies[0]["text"]
    assert replies[1]["kind"] == "unknown"
    assert "2027" in replies[3]["text"]


def test_now_changes_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "--now", "2026-06-10T12:00:00+02:00", "/next"])
    assert "day 2 of 5" in capsys.readouterr().out


def test_bad_now_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--now", "yesterday", "hi"]) == 2
    assert "--now" in capsys.readouterr().err


def test_eval_scores_a_question_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {tag: a, q: 'who won in 1927', expect: [Minoia]}\n"
        "- {tag: a, q: 'who won in 1928', expect: [Nobody]}\n"
        "- {tag: b, q: 'qwertyuiop', expect: unknown}\n",
        encoding="utf-8",
    )
    assert main(["eval", str(questions), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert "FAIL [a] 'who won in 1928'" in out
    assert (
        "score: 1/2 answered right, 1/1 abstained right, total 66.7%, confidently wrong 1" in out
    )  # 1928 answered with its winners, who are not "Nobody": a confident wrong answer


def test_chat_answers_until_end_of_input(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--now", NOW],
        input="who won in 1957\n\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # not the checkout: a developer's own .env there must not leak in
        env={"PATH": "/usr/bin:/bin", "DATABASE_PATH": str(tmp_path / "chat.sqlite3")},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Taruffi" in proc.stdout


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("validate", "index", "ask", "chat", "eval", "calendar", "unanswered"):
        assert command in out


def test_core_never_imports_telegram() -> None:
    code = (
        "import sys, bot.core.answer, bot.core.index, bot.cli\n"
        "assert 'telegram' not in sys.modules, sorted(m for m in sys.modules if 'telegram' in m)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_a_bad_now_is_a_usage_error_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["ask", "x"], ["chat"], ["eval", "f.yaml"], ["calendar"]):
        assert main([*command, "--now", "tomorrow-ish"]) == 2
        assert "argument --now: expects an ISO 8601" in capsys.readouterr().err


def chat(answerer: Answerer, lines: list[str], lang: str | None = None) -> str:
    """A console chat session fed ``lines``; everything it printed."""
    typed = iter(lines)

    def fake_input(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
    ):
        patch.setattr("builtins.input", fake_input)
        assert chat_loop(answerer, datetime.fromisoformat(NOW), lang) == 0
    return out.getvalue()


def test_the_chat_greets_with_the_examples_and_says_how_buttons_work(answerer: Answerer) -> None:
    greeting = chat(answerer, [])
    assert "  1. Who won the Mille Miglia in 1955?" in greeting
    assert "  3. What is the California Mille?" in greeting
    assert "type a number to tap one" in greeting
    italian = chat(answerer, [], "it")
    assert "  1. Chi ha vinto la Mille Miglia nel 1955?" in italian
    assert "scrivi un numero per toccarne uno" in italian


def test_typing_a_buttons_number_taps_it(answerer: Answerer) -> None:
    out = chat(answerer, ["1", "/edition 2014", "3"])
    assert "was won by Stirling Moss" in out  # 1: the first example question
    assert "1. • Card   2. Winners   3. Route   4. Reports" in out
    assert "Route of the 2014 Mille Miglia: Brescia" in out  # 3: the Route tab
    assert "1. Card   2. Winners   3. • Route   4. Reports" in out


def test_suggested_next_questions_are_numbered_buttons_in_the_chat(answerer: Answerer) -> None:
    out = chat(answerer, ["who won in 1955?", "5", "what car did he drive?"])
    assert "  3. Who was Stirling Moss?\n  4. Who was Denis Jenkinson?\n  5. And in 1956?" in out
    assert "was won by Eugenio Castellotti" in out  # 5: the next edition, same question
    assert "The winning car of the 1956 Mille Miglia was a Ferrari" in out  # he: Castellotti


def test_a_number_that_is_no_button_is_a_question(answerer: Answerer) -> None:
    assert "Mille Miglia 1955" in chat(answerer, ["1955"])


@pytest.mark.parametrize(
    ("typed", "lang", "heading"),
    [
        ("help", None, "What you can ask"),
        ("Help?", None, "What you can ask"),
        ("aiuto", None, "Cosa puoi chiedermi"),
        ("help", "it", "Cosa puoi chiedermi"),
    ],
)
def test_help_works_without_the_slash(
    answerer: Answerer, typed: str, lang: str | None, heading: str
) -> None:
    reply = answerer.answer(typed, datetime.fromisoformat(NOW), lang)
    assert reply.title == heading
    assert "/edition" in reply.text


def test_a_question_that_merely_contains_help_is_still_a_question(answerer: Answerer) -> None:
    reply = answerer.answer("help: who won in 1955", datetime.fromisoformat(NOW))
    assert "Moss" in reply.text
