"""The Telegram adapter, driven through python-telegram-bot with a recording request object.

No network: ``RecordingRequest`` answers every Bot API call itself and keeps what was sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.core.service import AnswerService
from bot.settings import Settings
from bot.tg.app import build_application
from bot.tg.render import split_message

ROOT = Path(__file__).resolve().parent.parent
BOT_ID = 4242


class RecordingRequest(BaseRequest):
    """Answers Bot API calls locally and records each (method, parameters)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

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
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        self.calls.append((api_method, dict(params)))
        if api_method == "getMe":
            result: Any = {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Mille",
                "username": "millebot",
            }
        elif api_method == "sendMessage":
            result = {
                "message_id": len(self.calls),
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params["text"],
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent(self) -> list[str]:
        return [str(p["text"]) for m, p in self.calls if m == "sendMessage"]


@pytest.fixture
async def app(tmp_path: Path) -> Any:
    request = RecordingRequest()
    settings = Settings(token="123:TEST", knowledge_dir=ROOT / "knowledge")
    service = AnswerService(settings.knowledge_dir, tmp_path / "index.sqlite3")
    await service.start()
    application: Application = build_application(settings, service, request)  # type: ignore[type-arg]
    await application.initialize()
    application.bot_data["request"] = request
    yield application
    await application.shutdown()


def message(text: str, chat_type: str = "private", update_id: int = 1) -> dict[str, Any]:
    chat = {"id": 100 if chat_type == "private" else -100, "type": chat_type}
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if text.startswith("/")
        else []
    )
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": chat,
            "from": {"id": 7, "is_bot": False, "first_name": "Ada"},
            "text": text,
            "entities": entities,
        },
    }


async def send(app: Any, payload: dict[str, Any]) -> list[str]:
    request: RecordingRequest = app.bot_data["request"]
    before = len(request.sent())
    await app.process_update(Update.de_json(payload, app.bot))
    return request.sent()[before:]


async def test_free_text_in_private_gets_an_html_answer(app: Any) -> None:
    sent = await send(app, message("who won in 1931 <b>?"))
    assert len(sent) == 1
    assert "Caracciola" in sent[0]
    assert "<b>Mille Miglia 1931" in sent[0]  # our markup...
    assert "<b>?" not in sent[0]  # ...but never the user's


async def test_commands_go_to_the_same_core(app: Any) -> None:
    sent = await send(app, message("/edition 1955"))
    assert "Moss" in sent[0]


async def test_group_chatter_is_ignored_but_mentions_are_answered(app: Any) -> None:
    assert await send(app, message("who won in 1955", "group", 2)) == []
    sent = await send(app, message("@millebot who won in 1955", "group", 3))
    assert sent and "Moss" in sent[0]


def test_long_replies_split_on_line_boundaries() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(200))
    chunks = split_message(text)
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text
