"""Security and reliability (issue 15), end to end: the real bot against the fake Bot API.

Each test is a finding of the attack on the bot, replayed on 127.0.0.1: it failed before the
fix. Every process gets its own fake server; nothing but loopback is contacted.
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings, SettingsError
from tests.fake_bot_api import BotProcess, FakeBotApi


TOKEN = "123456:TEST-token-security"
ADMIN_ID = 5_550_001
CLOCK = {"MILLEBOT_NOW": "2026-05-01T10:00:00+02:00"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def post_update(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=json.dumps(update), headers=headers) as response,
    ):
        return response.status


# ------------------------------------------------------------------ 1. webhook secret


@pytest.mark.parametrize("configured", [None, "a-secret_set_by_the_operator"])
async def test_webhook_rejects_updates_without_the_registered_secret(
    tmp_path: Path, configured: str | None
) -> None:
    """A forged POST claiming the admin's id must not get /stats answered, with or without
    WEBHOOK_SECRET set: the bot then makes a secret of its own and registers it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {**CLOCK, "WEBHOOK_URL": url, "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port)}
    if configured:
        env["WEBHOOK_SECRET"] = configured
    async with FakeBotApi(TOKEN) as api:
        api.chat(ADMIN_ID, "private")
        bot = BotProcess(api, tmp_path / "bot", admin_ids=[ADMIN_ID], extra_env=env)
        await bot.start(ready_on="setWebhook")
        try:
            assert api.webhook is not None
            secret = api.webhook.get("secret_token")
            assert secret == configured if configured else len(str(secret)) >= 32
            forged = {"update_id": 1, "message": api.push_message(ADMIN_ID, ADMIN_ID, "/stats")}
            status = await wait_for_server(url, forged, None)
            assert status == 403
            assert await post_update(url, forged, "guessed") == 403
            assert not api.sent_to(ADMIN_ID)
            genuine = {"update_id": 2, "message": api.push_message(ADMIN_ID, ADMIN_ID, "/stats")}
            assert await post_update(url, genuine, secret) == 200
            stats = await api.wait_for_message(ADMIN_ID)
            assert "question" in stats["text"].lower()
            await asyncio.sleep(0)
            assert len(api.sent_to(ADMIN_ID)) == 1  # only the genuine update was answered
        finally:
            await bot.stop()


async def wait_for_server(url: str, update: dict[str, Any], secret: str | None) -> int:
    """The first answer of the webhook server (it may start a moment after setWebhook)."""
    for _ in range(100):
        try:
            return await post_update(url, update, secret)
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"the webhook server never answered on {url}")


def test_webhook_listen_and_secret_are_checked_settings() -> None:
    settings = Settings.from_env({"WEBHOOK_LISTEN": "127.0.0.1"})
    assert settings.webhook_listen == "127.0.0.1"
    assert Settings.from_env({}).webhook_listen == "0.0.0.0"
    with pytest.raises(SettingsError, match="WEBHOOK_LISTEN"):
        Settings.from_env({"WEBHOOK_LISTEN": "localhost:80"})
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        Settings.from_env({"WEBHOOK_SECRET": "has spaces"})
