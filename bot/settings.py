"""The only reader of the environment: every setting, read once into one frozen object.

A ``.env`` file in the folder the bot starts from (``.env.example`` says "copy to .env") is read
too, so a newcomer need not export anything; a variable set in the environment wins over the
file, so a host's dashboard or a shell ``export`` always has the last word. The format is the
common subset every dotenv reader accepts (``NAME=value``, ``#`` comments, optional quotes and
``export``), which is too small to be worth a dependency.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DEFAULT_DATABASE_PATH = PROJECT_ROOT / "data" / "millebot.sqlite3"
DOTENV = Path(".env")  # relative: the folder the bot is started from (make run: the checkout)


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Configuration of one bot process. ``repr`` never shows the token."""

    token: str | None = field(default=None, repr=False)
    api_base_url: str | None = None
    admin_user_ids: frozenset[int] = frozenset()
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    database_path: Path = DEFAULT_DATABASE_PATH
    webhook_url: str | None = None
    port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    # Where the webhook server listens: every interface by default, because hosting platforms
    # route their public port to the container's; 127.0.0.1 behind a reverse proxy.
    webhook_listen: str = "0.0.0.0"
    log_level: str = "INFO"
    # Seconds SIGTERM gives the updates in progress before handing them back (bot/tg/limits.py).
    stop_grace: float = 8.0
    # A fixed "now" for demos and end-to-end tests (what the bot believes the time is);
    # reminders still fire on the real clock.
    fixed_now: datetime | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """The settings of ``env`` over those of ``dotenv``; by default the process's
        environment over ``./.env`` (a missing file is no error: it is optional)."""
        if env is None:
            env, dotenv = os.environ, dotenv or DOTENV
        if dotenv is not None:
            env = {**read_dotenv(dotenv), **env}

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=get("TELEGRAM_API_BASE_URL"),
            admin_user_ids=_ids(get("ADMIN_USER_IDS")),
            knowledge_dir=Path(get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
            database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
            webhook_url=get("WEBHOOK_URL"),
            port=_port(get("PORT")),
            webhook_secret=_secret(get("WEBHOOK_SECRET")),
            webhook_listen=_address(get("WEBHOOK_LISTEN")),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            stop_grace=_grace(get("STOP_GRACE")),
            fixed_now=_moment(get("MILLEBOT_NOW")),
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of a dotenv file ({} when there is none); a line that is not
    one is a ``SettingsError`` naming ``file:line``, so a typo is not silently ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"{path}: cannot read it: {err}") from err
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise SettingsError(f"{path}:{number}: expected NAME=value, got {raw.strip()!r}")
        values[name] = _dotenv_value(value.strip())
    return values


def _dotenv_value(value: str) -> str:
    """A quoted value is taken as written; an unquoted one ends at `` #`` (a comment)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value.split(" #", 1)[0].strip()


def _ids(raw: str | None) -> frozenset[int]:
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as err:
        raise SettingsError(f"ADMIN_USER_IDS must be comma-separated numbers, got {raw!r}") from err


def _moment(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as err:
        raise SettingsError(f"MILLEBOT_NOW must be an ISO 8601 time, got {raw!r}") from err
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _port(raw: str | None) -> int:
    if raw is None:
        return 8443
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, got {raw!r}")
    return int(raw)


# Telegram's rule for secret_token: 1-256 characters from A-Z, a-z, 0-9, _ and -.
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _secret(raw: str | None) -> str | None:
    if raw is not None and not SECRET_RE.fullmatch(raw):
        raise SettingsError(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
        )
    return raw


def _address(raw: str | None) -> str:
    if raw is None:
        return "0.0.0.0"
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError as err:
        raise SettingsError(
            f"WEBHOOK_LISTEN must be an IP address such as 127.0.0.1 or 0.0.0.0, got {raw!r}"
        ) from err


def _grace(raw: str | None) -> float:
    if raw is None:
        return 8.0
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise SettingsError(f"STOP_GRACE must be a number of seconds from 0 to 60, got {raw!r}")
    return seconds
