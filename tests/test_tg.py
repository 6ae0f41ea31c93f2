"""The Telegram adapter, driven through python-telegram-bot with a recording request object.

No network: ``RecordingRequest`` answers every Bot API call itself and keeps what was sent.
Each test builds the application over a private copy of the real knowledge base, so a test
may break a YAML file and reload without touching anyone else.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.error import Conflict, NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.core.index import build_index
from bot.core.loader import load_knowledge
from bot.core.reply import Button, Kind, Reply
from bot.core.service import AnswerService
from bot.settings import Settings
from bot.tg.app import build_application
from bot.tg.menus import register_commands
from bot.tg.render import split_message

ROOT = Path(__file__).resolve().parent.parent
BOT_ID = 4242
ADMIN = 1
USER = 7
PRIVATE = 100
GROUP = -100
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class RecordingRequest(BaseRequest):
    """Answers Bot API calls locally and records each (method, parameters)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = count(1000)
        # getChatMember: user id -> status ("administrator", "creator"; "member" otherwise)
        self.statuses: dict[int, str] = {}
        # method -> what its next calls do instead of succeeding: raise, or an HTTP error
        self.failures: dict[str, list[Exception | tuple[int, str, dict[str, Any]]]] = {}

    def fail(self, method: str, *outcomes: Exception | tuple[int, str, dict[str, Any]]) -> None:
        self.failures.setdefault(method, []).extend(outcomes)

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
        params = self.params_of(api_method, request_data)
        self.calls.append((api_method, params))
        pending = self.failures.get(api_method)
        if pending:
            outcome = pending.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            code, description, parameters = outcome
            body = {"ok": False, "error_code": code, "description": description}
            if parameters:
                body["parameters"] = parameters
            return code, json.dumps(body).encode()
        result = self.result_for(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def params_of(self, method: str, request_data: RequestData | None) -> dict[str, Any]:
        """What a call sent; a test request that takes uploads reads them here."""
        return dict(request_data.parameters) if request_data else {}

    def result_for(self, method: str, params: dict[str, Any]) -> Any:
        """What Telegram would answer; test requests for more methods extend this."""
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Mille", "username": "millebot"}
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 0,
                "chat": {"id": params.get("chat_id", PRIVATE), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mille"},
                "text": params.get("text", ""),
            }
        if method == "getChatMember":
            return self.chat_member(params)
        if method == "sendPhoto":  # a map or a chart: Telegram names the photo by a file id
            return {
                "message_id": next(self._ids),
                "date": 0,
                "chat": {"id": params.get("chat_id", PRIVATE), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mille"},
                "caption": params.get("caption", ""),
                "photo": [{"file_id": "photo-1", "file_unique_id": "u1", "width": 9, "height": 9}],
            }
        return True

    def chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        user = int(str(params["user_id"]))
        result: dict[str, Any] = {
            "status": self.statuses.get(user, "member"),
            "user": {"id": user, "is_bot": False, "first_name": "Ada"},
        }
        if result["status"] == "administrator":
            result.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        elif result["status"] == "creator":
            result["is_anonymous"] = False
        return result

    def of(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == method]

    def sent(self) -> list[str]:
        return [str(p["text"]) for p in self.of("sendMessage")]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real knowledge indexed once; each test copies the file instead of rebuilding."""
    db = tmp_path_factory.mktemp("index") / "index.sqlite3"
    result = load_knowledge(ROOT / "knowledge")
    assert result.knowledge is not None
    build_index(result.knowledge, db)
    return db


@pytest.fixture
async def app(tmp_path: Path, built_index: Path) -> AsyncIterator[Any]:
    kdir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kdir)
    db = tmp_path / "index.sqlite3"
    shutil.copy(built_index, db)
    request = RecordingRequest()
    settings = Settings(
        token="123:TEST",
        knowledge_dir=kdir,
        database_path=db,
        admin_user_ids=frozenset({ADMIN}),
    )
    service = AnswerService(kdir, db)
    await service.start()
    application: Application = build_application(  # type: ignore[type-arg]
        settings, service, request, clock=lambda: NOW, retry_backoff=0.01
    )
    await application.initialize()
    await application.bot_data["state"].stats.open()
    application.bot_data["request"] = request
    application.bot_data["kdir"] = kdir
    yield application
    await application.bot_data["state"].stats.close()
    await application.shutdown()


_update_ids = count(1)


def message(
    text: str,
    chat_type: str = "private",
    user: int = USER,
    message_id: int | None = None,
    reply_to_bot: bool = False,
    edited: bool = False,
) -> dict[str, Any]:
    update_id = next(_update_ids)
    chat = {"id": PRIVATE if chat_type == "private" else GROUP, "type": chat_type}
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if text.startswith("/")
        else []
    )
    body: dict[str, Any] = {
        "message_id": message_id or update_id,
        "date": 0,
        "chat": chat,
        "from": {"id": user, "is_bot": False, "first_name": "Ada"},
        "text": text,
        "entities": entities,
    }
    if reply_to_bot:
        body["reply_to_message"] = {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mille"},
            "text": "an earlier answer",
        }
    if edited:
        body["edit_date"] = 1
    return {"update_id": update_id, "edited_message" if edited else "message": body}


def callback(data: str, message_id: int = 1000) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{message_id}",
            "from": {"id": USER, "is_bot": False, "first_name": "Ada"},
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": PRIVATE, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mille"},
                "text": "a card",
            },
        },
    }


def inline(query: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": "iq1",
            "from": {"id": USER, "is_bot": False, "first_name": "Ada"},
            "query": query,
            "offset": "",
        },
    }


async def process(app: Any, payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Feed one update; return the Bot API calls it caused, in order."""
    request: RecordingRequest = app.bot_data["request"]
    before = len(request.calls)
    await app.process_update(Update.de_json(payload, app.bot))
    return request.calls[before:]


async def send(app: Any, payload: dict[str, Any]) -> list[str]:
    return [str(p["text"]) for m, p in await process(app, payload) if m == "sendMessage"]


def keyboard_of(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = params.get("reply_markup")
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        markup = markup.to_dict()
    rows: list[list[dict[str, Any]]] = markup["inline_keyboard"]
    return rows


def buttons_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in keyboard_of(params) for b in row]


def last_sent(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return [p for m, p in calls if m == "sendMessage"][-1]


# ----------------------------------------------------------------- commands


async def test_start_welcomes_with_three_example_questions_as_buttons(app: Any) -> None:
    calls = await process(app, message("/start"))
    params = last_sent(calls)
    assert "Welcome" in params["text"] and params["parse_mode"] == "HTML"
    buttons = buttons_of(params)
    assert len(buttons) == 3
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)


async def test_start_deep_link_opens_the_edition_card(app: Any) -> None:
    sent = await send(app, message("/start ed-2014"))
    assert "<b>Mille Miglia 2014" in sent[0] and "15-18 May 2014" in sent[0]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/help", "/edition YEAR"),
        ("/next", "Mille Miglia"),
        ("/edition 1955", "Moss"),
        ("/edition 1941", "no race in 1941"),
        ("/edition foo", "Usage: /edition"),
        ("/editions", "California Mille"),
        ("/editions mille miglia", "no race in 1939, 1941-1946"),
        ("/reports 2014", "Mille Miglia 2014"),
        ("/reports 1999", "I link no news reports from 1999"),
        ("/about", "editions"),
        ("/fact", "Did you know?"),
    ],
)
async def test_every_command_answers_in_html(app: Any, command: str, expected: str) -> None:
    sent = await send(app, message(command))
    assert sent and expected in "\n".join(sent)


async def test_edition_card_offers_tabs_with_the_card_marked(app: Any) -> None:
    params = last_sent(await process(app, message("/edition 2014")))
    labels = [b["text"] for b in buttons_of(params)]
    assert labels == ["• Card", "Winners", "Route", "Reports", "Map"]


async def test_a_tab_switches_the_same_message_in_place(app: Any) -> None:
    """Issue 14: Route / Winners / Reports posted a new card each; now they edit the card."""
    card = last_sent(await process(app, message("/edition 2014")))
    route = next(b for b in buttons_of(card) if b["text"] == "Route")
    calls = await process(app, callback(route["callback_data"], message_id=77))
    assert not [m for m, _ in calls if m == "sendMessage"]
    (edit,) = [p for m, p in calls if m == "editMessageText"]
    assert edit["message_id"] == 77
    assert "Route of the 2014 Mille Miglia: Brescia" in edit["text"]
    assert [b["text"] for b in buttons_of(edit)] == ["Card", "Winners", "• Route", "Reports", "Map"]
    back = buttons_of(edit)[0]["callback_data"]
    (again,) = [p for m, p in await process(app, callback(back, 77)) if m == "editMessageText"]
    assert "Dates: 15-18 May 2014" in again["text"]


async def test_the_year_picker_switches_in_place_and_posts_the_card_below(app: Any) -> None:
    top = last_sent(await process(app, message("/edition")))
    assert [b["text"] for b in buttons_of(top)] == ["1977-2026", "1958-1961", "1927-1957"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons_of(top))
    calls = await process(app, callback(buttons_of(top)[2]["callback_data"], message_id=5))
    (decades,) = [p for m, p in calls if m == "editMessageText"]
    assert buttons_of(decades)[0]["text"] == "1950s"
    calls = await process(app, callback(buttons_of(decades)[0]["callback_data"], message_id=5))
    (years,) = [p for m, p in calls if m == "editMessageText"]
    assert [b["text"] for b in buttons_of(years)][:2] == ["1957", "1956"]
    card = await send(app, callback(buttons_of(years)[0]["callback_data"], message_id=5))
    assert "<b>Mille Miglia 1957" in card[0]


async def test_reports_links_each_report(app: Any) -> None:
    sent = await send(app, message("/reports 2014"))
    assert '<a href="http://www.sportscardigest.com/mille-miglia-2014-taking-shape/">' in sent[0]


# ----------------------------------------------------------------- free text and groups


async def test_free_text_in_private_gets_an_html_answer(app: Any) -> None:
    sent = await send(app, message("who won in 1931 <b>?"))
    assert len(sent) == 1
    assert "Caracciola" in sent[0]
    assert "<b>Mille Miglia 1931" in sent[0]  # our markup...
    assert "<b>?" not in sent[0]  # ...but never the user's


async def test_group_chatter_is_ignored(app: Any) -> None:
    assert await process(app, message("who won in 1955", "supergroup")) == []


async def test_group_mention_is_answered_as_a_quoted_reply(app: Any) -> None:
    params = last_sent(await process(app, message("@millebot who won in 1955", "supergroup")))
    assert "Moss" in params["text"]
    assert "reply_parameters" in params  # the group sees which question is answered


async def test_group_reply_to_the_bot_is_answered(app: Any) -> None:
    sent = await send(app, message("and in 1931?", "group", reply_to_bot=True))
    assert sent and "Caracciola" in sent[0]


async def test_group_command_addressed_to_the_bot(app: Any) -> None:
    sent = await send(app, message("/edition@millebot 1955", "supergroup"))
    assert sent and "Moss" in sent[0]


async def test_group_command_for_another_bot_is_ignored(app: Any) -> None:
    assert await process(app, message("/edition@otherbot 1955", "supergroup")) == []


# ----------------------------------------------------------------- buttons


async def test_a_button_tap_is_acknowledged_first_then_answered(app: Any) -> None:
    calls = await process(app, callback("a:/edition 2014 route"))
    methods = [m for m, _ in calls]
    assert methods[0] == "answerCallbackQuery"
    assert "Route of the 2014 Mille Miglia" in last_sent(calls)["text"]


async def test_every_button_the_bot_shows_can_be_tapped(app: Any) -> None:
    params = last_sent(await process(app, message("/edition 2014")))
    for button in buttons_of(params):
        calls = await process(app, callback(button["callback_data"]))
        shown = [
            str(p.get("text") or p.get("caption"))
            for m, p in calls
            if m.startswith("send") or m == "editMessageText"
        ]
        assert "2014" in shown[-1], button


async def test_clarify_suggestions_become_buttons_that_work(app: Any) -> None:
    params = last_sent(await process(app, message("/next tribute")))
    buttons = buttons_of(params)
    assert {b["text"] for b in buttons} >= {"Ferrari Tribute to Mille Miglia"}
    calls = await process(app, callback(buttons[0]["callback_data"]))
    assert "Ferrari Tribute" in last_sent(calls)["text"]


async def test_long_button_text_is_kept_under_64_bytes_and_still_works(app: Any) -> None:
    reply = Reply(
        Kind.ANSWER, ("pick one",), buttons=(Button("Long", "x" * 30 + " who won in 1955"),)
    )
    state = app.bot_data["state"]
    state.service.answer = lambda q, now, lang=None, context=None: (
        reply if q == "long" else type(state.service).answer(state.service, q, now, lang, context)
    )
    params = last_sent(await process(app, message("long")))
    data = buttons_of(params)[0]["callback_data"]
    assert len(data.encode()) <= 64
    assert "Moss" in last_sent(await process(app, callback(data)))["text"]


async def test_a_forgotten_button_says_it_expired(app: Any) -> None:
    calls = await process(app, callback("a#0123456789abcdef"))
    assert calls[0][0] == "answerCallbackQuery"
    assert "expired" in calls[0][1]["text"]
    assert not [m for m, _ in calls if m == "sendMessage"]


async def test_paging_edits_the_keyboard_in_place(app: Any) -> None:
    many = tuple(Button(str(n), f"/edition {n}") for n in range(2026, 1996, -1))
    service = app.bot_data["state"].service
    real = type(service).answer
    service.answer = lambda q, now, lang=None, context=None: (
        Reply(Kind.ANSWER, ("pick",), buttons=many)
        if q == "/edition"
        else real(service, q, now, lang)
    )
    params = last_sent(await process(app, message("/edition")))
    more = keyboard_of(params)[-1][-1]["callback_data"]
    calls = await process(app, callback(more))
    edits = [p for m, p in calls if m == "editMessageReplyMarkup"]
    assert edits and not [m for m, _ in calls if m == "sendMessage"]
    years = [b["text"] for row in keyboard_of(edits[0])[:-1] for b in row]
    assert years[0] != "2026" and all(y.isdigit() for y in years)


# ----------------------------------------------------------------- edits


async def test_editing_a_question_edits_the_answer(app: Any) -> None:
    first = last_sent(await process(app, message("who won in 1955", message_id=50)))
    assert "Moss" in first["text"]
    (answer_id,) = app.bot_data["state"].answers[(PRIVATE, 50)]
    calls = await process(app, message("who won in 1931", message_id=50, edited=True))
    edits = [p for m, p in calls if m == "editMessageText"]
    assert [e["message_id"] for e in edits] == [answer_id]
    assert "Caracciola" in edits[0]["text"]
    assert not [m for m, _ in calls if m == "sendMessage"]


async def test_editing_an_unknown_question_answers_afresh(app: Any) -> None:
    sent = await send(app, message("who won in 1931", message_id=77, edited=True))
    assert sent and "Caracciola" in sent[0]


# ----------------------------------------------------------------- inline mode


async def test_inline_query_offers_at_most_ten_results_with_a_short_cache(app: Any) -> None:
    calls = await process(app, inline("who won in 2014"))
    (params,) = [p for m, p in calls if m == "answerInlineQuery"]
    results = params["results"]
    assert 1 <= len(results) <= 10
    assert params["cache_time"] <= 60
    assert all(r["title"] and len(r["id"].encode()) <= 64 for r in results)
    assert "Mozzi" in results[0]["input_message_content"]["message_text"]


async def test_inline_query_with_no_match_offers_the_private_chat(app: Any) -> None:
    calls = await process(app, inline("xyzzy plugh"))
    (params,) = [p for m, p in calls if m == "answerInlineQuery"]
    assert params["results"] == [] and params["button"]["start_parameter"]


# ----------------------------------------------------------------- admin


async def test_admin_reload_reports_what_changed(app: Any) -> None:
    kdir: Path = app.bot_data["kdir"]
    facts = kdir / "facts" / "format.yaml"
    facts.write_text(facts.read_text().replace("Coppa delle Dame", "Ladies' Cup", 1))
    sent = await send(app, message("/reload", user=ADMIN))
    assert "Reloaded" in sent[0] and "changed" in sent[0]


async def test_reload_with_broken_yaml_lists_problems_and_keeps_answering(app: Any) -> None:
    kdir: Path = app.bot_data["kdir"]
    target = kdir / "editions" / "california-mille.yaml"
    target.write_text(target.read_text() + "\n  - year: [unclosed\n")
    sent = await send(app, message("/reload", user=ADMIN))
    assert "kept serving the previous version" in sent[0]
    assert "editions/california-mille.yaml:" in sent[0]
    assert "Moss" in (await send(app, message("who won in 1955")))[0]


async def test_non_admins_are_refused_politely_and_logged(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        for command in ("/reload", "/stats"):
            sent = await send(app, message(command, user=USER))
            assert sent == [f"Sorry, {command} is only for the bot's admins."]
    assert f"refused /reload from user {USER}" in caplog.text


async def test_stats_count_answers_by_kind(app: Any) -> None:
    await send(app, message("who won in 1955"))
    await send(app, message("what is the airspeed of a swallow"))
    sent = await send(app, message("/stats", user=ADMIN))
    assert "2 questions" in sent[0] and "50% answered" in sent[0]
    assert re.search(r"\(version [0-9a-f]{12}\)", sent[0])  # for admins; /about no longer says it


async def test_command_menus_are_set_for_private_groups_and_admins(app: Any) -> None:
    await register_commands(app)
    request: RecordingRequest = app.bot_data["request"]
    default_menus = [p for p in request.of("setMyCommands") if not p.get("language_code")]
    scopes = [p["scope"] for p in default_menus]
    scope_types = [s["type"] if isinstance(s, dict) else s.type for s in scopes]
    assert scope_types == ["all_private_chats", "all_group_chats", "chat"]
    admin_menu = default_menus[-1]["commands"]
    names = [c["command"] if isinstance(c, dict) else c.command for c in admin_menu]
    assert "reload" in names and "stats" in names


async def test_an_admin_unknown_at_start_gets_the_menu_on_first_message(app: Any) -> None:
    calls = await process(app, message("/help", user=ADMIN))
    menus = [p for m, p in calls if m == "setMyCommands" and not p.get("language_code")]
    assert len(menus) == 1 and "reload" in str(menus[0]["commands"])
    assert not [
        m for m, _ in await process(app, message("/help", user=ADMIN)) if m == "setMyCommands"
    ]
    assert not [m for m, _ in await process(app, message("/help")) if m == "setMyCommands"]


# ----------------------------------------------------------------- failures and limits


async def test_a_failing_handler_apologises_without_a_traceback(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(question: str, now: datetime, lang: str | None = None) -> Reply:
        raise RuntimeError("boom")

    app.bot_data["state"].service.answer = broken
    with caplog.at_level(logging.ERROR):
        sent = await send(app, message("who won in 1955"))
    assert sent == ["Sorry, something went wrong on my side. Please try again in a moment."]
    assert "Traceback" in caplog.text or "boom" in caplog.text


async def test_a_long_reply_is_split_and_the_keyboard_goes_last(app: Any) -> None:
    lines = tuple(f"line {n} " + "x" * 90 for n in range(120))
    reply = Reply(Kind.ANSWER, lines, buttons=(Button("Route", "/edition 2014 route"),))
    app.bot_data["state"].service.answer = lambda q, now, lang=None, context=None: reply
    calls = await process(app, message("anything"))
    sent = [p for m, p in calls if m == "sendMessage"]
    assert len(sent) == 3 and all(len(p["text"]) <= 4096 for p in sent)
    assert [bool(buttons_of(p)) for p in sent] == [False, False, True]


def test_the_token_is_redacted_from_every_log_line(caplog: pytest.LogCaptureFixture) -> None:
    from bot.tg.logs import RedactToken

    logger = logging.getLogger("telegram.ext.ExtBot")
    caplog.handler.addFilter(RedactToken("123:SECRET"))
    with caplog.at_level(logging.DEBUG, logger="telegram.ext.ExtBot"):
        logger.debug("Set Bot API URL: %s", "http://127.0.0.1/bot123:SECRET")
        try:
            raise ValueError("https://api.telegram.org/bot123:SECRET/getMe")
        except ValueError:
            logger.exception("request failed")
    assert "SECRET" not in caplog.text
    assert "bot<token>" in caplog.text


def test_a_self_hosted_server_also_serves_files() -> None:
    from bot.tg.app import file_url_of

    assert file_url_of("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


def test_long_replies_split_on_line_boundaries() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(200))
    chunks = split_message(text)
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text


def test_sources_are_links_named_by_their_site() -> None:
    from bot.tg.render import to_html

    reply = Reply(
        Kind.ANSWER,
        ("Moss won.",),
        sources=("https://en.m.wikipedia.org/wiki/1955_Mille_Miglia?a=1&b=2", "Seed <page>"),
    )
    html = to_html(reply)
    assert (
        '<a href="https://en.m.wikipedia.org/wiki/1955_Mille_Miglia?a=1&amp;b=2">'
        "en.wikipedia.org</a>" in html
    )
    assert "Seed &lt;page&gt;" in html


def sticker(chat_type: str = "private", caption: str | None = None) -> dict[str, Any]:
    payload = message("x", chat_type)
    body = payload["message"]
    del body["text"], body["entities"]
    if caption is None:
        body["sticker"] = {
            "file_id": "s1",
            "file_unique_id": "u1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    else:
        body["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
        body["caption"] = caption
    return payload


async def test_a_sticker_in_private_gets_a_hint_and_in_a_group_silence(app: Any) -> None:
    sent = await send(app, sticker())
    assert len(sent) == 1 and "questions in text" in sent[0]
    assert await process(app, sticker("supergroup")) == []


async def test_a_photo_caption_is_a_question(app: Any) -> None:
    sent = await send(app, sticker(caption="who won in 1955?"))
    assert sent and "Moss" in sent[0]
    assert await process(app, sticker("group", caption="who won in 1955?")) == []
    sent = await send(app, sticker("group", caption="@millebot who won in 1955?"))
    assert sent and "Moss" in sent[0]


# ----------------------------------------------------------------- Telegram faults


def attempts(calls: list[tuple[str, dict[str, Any]]], method: str = "sendMessage") -> int:
    return sum(1 for m, _ in calls if m == method)


async def test_connect_errors_and_5xx_are_retried_and_the_answer_arrives(app: Any) -> None:
    request: RecordingRequest = app.bot_data["request"]
    request.fail(
        "sendMessage",
        httpx.ConnectError("connection refused"),
        (502, "Bad Gateway", {}),
        (500, "Internal Server Error", {}),
    )
    calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 4
    assert "Moss" in last_sent(calls)["text"]


async def test_a_send_that_may_have_arrived_is_never_sent_again(app: Any) -> None:
    """A read timeout: Telegram may have delivered the answer. One user got it four times,
    plus three apologies; now it is sent once and nothing follows."""
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", TimedOut(), TimedOut(), TimedOut(), TimedOut())
    calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 1


async def test_retries_stop_within_the_budget(app: Any) -> None:
    limiter = app.bot.rate_limiter
    limiter.budget = 0.02  # the backoff is 0.01 then 0.02 s: the second retry would overrun it
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", *[(503, "Service Unavailable", {})] * 2)
    calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 3  # the answer, one retry, then the apology
    assert "Sorry, something went wrong" in last_sent(calls)["text"]


async def test_retry_after_is_waited_out(app: Any) -> None:
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", (429, "Too Many Requests: retry after 1", {"retry_after": 1}))
    calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 2 and "Moss" in last_sent(calls)["text"]


async def test_a_blocked_bot_is_logged_and_not_retried(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", (403, "Forbidden: bot was blocked by the user", {}))
    with caplog.at_level(logging.WARNING):
        calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 1  # no retry, and no apology to a chat that refuses messages
    assert "does not accept messages" in caplog.text


async def test_a_rejected_reply_is_not_retried_and_the_user_gets_an_apology(app: Any) -> None:
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", (400, "Bad Request: can't parse entities", {}))
    calls = await process(app, message("who won in 1955"))
    assert [p["text"] for m, p in calls if m == "sendMessage"][1:] == [
        "Sorry, something went wrong on my side. Please try again in a moment."
    ]


async def test_when_retries_run_out_the_user_gets_an_apology(app: Any) -> None:
    request: RecordingRequest = app.bot_data["request"]
    request.fail("sendMessage", *[NetworkError("down")] * 4)
    calls = await process(app, message("who won in 1955"))
    assert attempts(calls) == 5
    assert "Sorry, something went wrong" in last_sent(calls)["text"]


async def test_a_conflict_stops_the_bot_with_a_non_zero_code(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL):
        await app.process_error(None, Conflict("terminated by other getUpdates request"))
    assert app.bot_data["state"].exit_code == 3
    assert "another instance of this bot is running" in caplog.text


async def test_refusals_do_not_log_what_the_user_wrote(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot"):
        await send(app, message("/reload my secret words", user=USER))
    assert "refused /reload from user" in caplog.text
    assert "secret" not in caplog.text


async def test_a_mistyped_command_in_private_lists_the_commands(app: Any) -> None:
    sent = await send(app, message("/edtion 1955"))
    assert sent and "I don't know the command /edtion" in sent[0] and "/edition" in sent[0]
    assert await process(app, message("/edtion 1955", "supergroup")) == []


def test_html_labels_follow_the_reply_language() -> None:
    from bot.core.reply import ReportLink
    from bot.tg.render import to_html

    reply = Reply(
        Kind.ANSWER,
        ("Moss.",),
        reports=(ReportLink("Report", "Sports Car Digest", None, "Ada"),),
        sources=("https://en.wikipedia.org/wiki/X", "https://example.org/y"),
        lang="it",
    )
    html = to_html(reply)
    assert "<b>Articoli</b>" in html and "Fonti: " in html and "Sources" not in html


# ----------------------------------------------------------------- pictures (issue 12)


async def test_a_map_sends_one_photo_with_the_text_as_caption_and_buttons(app: Any) -> None:
    calls = await process(app, message("/map 2014"))
    assert [m for m, _ in calls if m.startswith("send")] == ["sendPhoto"]
    params = next(p for m, p in calls if m == "sendPhoto")
    assert params["caption"].startswith("<b>Mille Miglia 2014: the route</b>")
    assert [b["text"] for b in buttons_of(params)] == ["Card"]


async def test_a_picture_that_fails_to_draw_gets_the_text_answer(
    app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.core import drawing

    def broken(*args: Any) -> bytes:
        raise RuntimeError("the outline data is missing")

    monkeypatch.setattr(drawing, "draw", broken)
    calls = await process(app, message("/chart speeds"))
    assert "sendPhoto" not in [m for m, _ in calls]
    text = last_sent(calls)["text"]
    assert "Stirling Moss" in text and "could not be drawn" in text
    assert "could not draw picture chart-speeds" in caplog.text


async def test_other_chats_are_answered_while_a_picture_is_drawn(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from bot.core import drawing

    release = threading.Event()
    real = drawing.draw

    def slow(*args: Any) -> bytes:
        assert release.wait(5), "the test never released the drawing"
        return real(*args)

    monkeypatch.setattr(drawing, "draw", slow)
    drawing_task = asyncio.create_task(process(app, message("/chart fields")))
    await asyncio.sleep(0.05)  # the drawing is now blocked in its worker thread
    try:
        assert "Moss" in "\n".join(await send(app, message("who won in 1955")))
        assert not drawing_task.done()
    finally:
        release.set()
    calls = await drawing_task
    assert "sendPhoto" in [m for m, _ in calls]


async def test_editing_a_map_question_into_a_text_one_sends_a_new_answer(app: Any) -> None:
    await process(app, message("/map 2014", message_id=88))
    calls = await process(app, message("who won in 1955", message_id=88, edited=True))
    methods = [m for m, _ in calls]
    assert "editMessageText" not in methods  # a photo's caption cannot become the answer
    assert "Moss" in last_sent(calls)["text"]
