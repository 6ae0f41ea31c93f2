"""Settings: the environment, and a ``.env`` file under it (``.env.example`` says to copy it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_a_dotenv_file_is_read_with_comments_quotes_and_export(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# Copy to .env\n"
        'TELEGRAM_BOT_TOKEN="123:ABC"\n'
        "export ADMIN_USER_IDS=7, 8\n"
        "LOG_LEVEL=debug   # chatty\n"
        "WEBHOOK_SECRET=\n",
        encoding="utf-8",
    )
    settings = Settings.from_env({}, dotenv)
    assert settings.token == "123:ABC"
    assert settings.admin_user_ids == {7, 8}
    assert settings.log_level == "DEBUG"
    assert settings.webhook_secret is None  # an empty line in the file means "not set"


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=9000\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    settings = Settings.from_env({"PORT": "8080"}, dotenv)
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


def test_no_dotenv_file_is_no_error(tmp_path: Path) -> None:
    assert Settings.from_env({}, tmp_path / ".env").token is None


def test_a_broken_dotenv_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("LOG_LEVEL=INFO\nTELEGRAM_BOT_TOKEN 123:ABC\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env:2: expected NAME=value"):
        Settings.from_env({}, dotenv)


def test_millebot_reads_the_dotenv_of_the_folder_it_starts_in(tmp_path: Path) -> None:
    """What a newcomer does: copy .env.example to .env, edit it, start the bot."""
    (tmp_path / ".env").write_text("DATABASE_PATH=from-dotenv.sqlite3\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "who won in 1957"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Taruffi" in proc.stdout
    assert (tmp_path / "from-dotenv.sqlite3").exists()
