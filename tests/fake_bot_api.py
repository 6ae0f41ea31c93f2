"""A fake Telegram Bot API server on 127.0.0.1, and a harness that runs the real bot against it.

Why a fake server instead of a fake request object (``tests/test_tg.py``): the end-to-end tests
run ``python -m bot.cli run`` as a real subprocess, so everything between the environment and
the wire is exercised: settings, start-up, index build, PTB's HTTP layer and its parameter
encoding, polling, signal handling and shutdown. The bot reaches this server through
``TELEGRAM_API_BASE_URL`` and never touches any other network.

The server imitates Telegram where a bot could get it wrong: the token in the URL is checked
(401), unknown methods answer 404, HTML is checked against Telegram's supported tags, replies
must go to chats that exist, edits must target the bot's own messages and change something,
callback and inline queries can be answered once. Error descriptions follow Telegram's wording
where it is known; the formatting entities Telegram would compute from HTML are not returned.

Parameters: PTB 22's ``HTTPXRequest`` posts ``application/x-www-form-urlencoded`` (multipart when
a file is attached) where every non-string value is a JSON string; other clients post JSON
bodies. Both are decoded into one ``params`` dict of plain Python values.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiohttp import web

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Params = dict[str, Any]
Predicate = Callable[[Params], bool]

DEFAULT_TIMEOUT = 15.0
"""Upper bound of every wait, in seconds: long enough for a loaded 2-core CI box, short enough
that a broken bot fails the test run instead of hanging it."""

# Parameters that are always strings in the Bot API. PTB sends strings unquoted, so "1955" as a
# text must stay a string; every other form value is JSON-decoded when it parses.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "url",
        "language_code",
        "description",
        "short_description",
        "name",
        "action",
        "emoji",
        "secret_token",
        "business_connection_id",
        "message_effect_id",
        "query",
        "data",
    }
)

# Telegram's HTML parse mode: https://core.telegram.org/bots/api#html-style
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
MAX_TEXT = 4096  # UTF-16 code units, counted after entity parsing
MAX_CAPTION = 1024  # the same for a photo's or a document's caption
COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}")
BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
FIRST_NAMES = ("Ada", "Enzo", "Tazio", "Giulia", "Stirling", "Clara", "Piero", "Maria")


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class WaitTimeout(AssertionError):
    """A bounded wait ran out; an AssertionError so pytest reports it as a plain test failure."""


@dataclass
class Call:
    """One request the bot made, in arrival order, with what the fake answered."""

    index: int
    method: str
    params: Params
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    done: bool = False  # False while the fake is still answering (e.g. a long poll)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (e.g. the Message a sendMessage created)."""
        return self.response.get("result")

    def short(self) -> str:
        text = json.dumps(self.params, ensure_ascii=False, default=str)
        return f"#{self.index} {self.method} -> {self.status} {text[:200]}"


class _Signal:
    """Wakes every waiter whenever something changed; usable from sync code (no lock needed)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


def utf16_len(text: str) -> int:
    """Telegram measures texts and entity offsets in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for ``text`` in HTML parse mode.

    Raises ``ApiError(400, "Bad Request: can't parse entities: ...")`` for what Telegram rejects:
    unsupported or unclosed tags, a bare ``<``. Only the structure is checked (not attributes
    beyond what is needed), which is what a bot escaping its texts can realistically get wrong.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    tag_re = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
    while pos < len(text):
        lt = text.find("<", pos)
        if lt < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:lt])
        match = tag_re.match(text, lt)
        offset = len(text[:lt].encode("utf-8"))
        if match is None:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Unexpected character '<' at byte offset {offset}",
            )
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in HTML_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name}" '
                f"at byte offset {offset}",
            )
        if closing:
            if not stack or stack[-1] != name:
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Unmatched end tag at byte offset {offset}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
                )
            stack.pop()
        else:
            stack.append(name)
        pos = match.end()
    if stack:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"",
        )
    return html.unescape("".join(out))


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` and ``mention`` entities Telegram attaches to a user's ``text``."""
    entities: list[dict[str, Any]] = []
    for kind, regex in (("bot_command", COMMAND_RE), ("mention", MENTION_RE)):
        for match in regex.finditer(text):
            entities.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sorted(entities, key=lambda e: int(e["offset"]))


def decode_value(key: str, raw: str) -> Any:
    """One form value as the Python value the client meant (see ``STRING_PARAMS``)."""
    if key in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class FakeBotApi:
    """A Bot API server for one bot token, run inside the test's event loop.

    ``start()`` binds 127.0.0.1 on a free port; ``base_url`` is what ``TELEGRAM_API_BASE_URL``
    must be. Tests push updates with ``push_*`` and observe the bot with ``wait_for`` /
    ``calls_of``. Every request is recorded in ``calls`` in arrival order.
    """

    IMPLEMENTED = (
        "getMe",
        "deleteWebhook",
        "setWebhook",
        "getUpdates",
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "answerInlineQuery",
        "setMyCommands",
        "deleteMyCommands",
        "getMyCommands",
        "close",
        "logOut",
    )

    def __init__(
        self,
        token: str,
        *,
        bot_id: int | None = None,
        username: str = "millebot_test",
        first_name: str = "Mille Miglia Bot",
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": bot_id if bot_id is not None else int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.fail_next: dict[str, list[ApiError]] = {}
        self._handlers: dict[str, Callable[[Params], Any]] = {
            name.lower(): getattr(self, f"_api_{name}") for name in self.IMPLEMENTED
        }
        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.photos: dict[str, bytes] = {}  # file_id -> the uploaded bytes
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, bool] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._consumed: set[int] = set()
        self.webhook: Params | None = None  # what setWebhook registered (url, secret_token...)
        self._new_update = _Signal()
        self._new_call = _Signal()
        self._closed = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """The value for ``TELEGRAM_API_BASE_URL``; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # A short shutdown_timeout: a long poll left behind by a killed bot must not hold the
        # test run for the length of its timeout.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closed = True
        self._new_update.notify()  # pending long polls answer [] at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"bot([^/]+)/([A-Za-z]+)", request.match_info["tail"])
        if match is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        token, method_name = match.groups()
        try:
            params = await self._read_params(request)
            unreadable = None
        except ValueError as err:
            params, unreadable = {}, ApiError(400, f"Bad Request: can't parse parameters: {err}")
        handler = self._handlers.get(method_name.lower())
        method = handler.__name__.removeprefix("_api_") if handler else method_name
        call = Call(index=len(self.calls), method=method, params=params)
        self.calls.append(call)  # recorded on arrival: a long poll is visible while it waits
        self._new_call.notify()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if unreadable is not None:
                raise unreadable
            injected = self.fail_next.get(method)
            if injected:
                raise injected.pop(0)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            call.response = {"ok": True, "result": result}
        except ApiError as err:
            call.status = err.code
            call.response = {"ok": False, "error_code": err.code, "description": err.description}
        except (ValueError, TypeError, KeyError, AttributeError) as err:  # malformed parameters
            call.status = 400
            call.response = {
                "ok": False,
                "error_code": 400,
                "description": f"Bad Request: invalid parameters ({type(err).__name__}: {err})",
            }
        call.done = True
        self._new_call.notify()
        return web.json_response(call.response, status=call.status)

    async def _read_params(self, request: web.Request) -> Params:
        params: Params = {key: decode_value(key, value) for key, value in request.query.items()}
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = decode_value(key, value)
            elif isinstance(value, web.FileField):  # an upload: its name, type and bytes
                params[key] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "data": value.file.read(),
                }
            else:
                params[key] = decode_value(key, bytes(value).decode("utf-8", "replace"))
        return params

    # ----------------------------------------------------------------- helpers for tests

    def user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        """A realistic user for ``user_id``, the same dict every time it is asked for."""
        if user_id not in self._users or first_name or username:
            name = first_name or FIRST_NAMES[user_id % len(FIRST_NAMES)]
            self._users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": name,
                "last_name": "Tester",
                "username": username or f"{name.lower()}_{user_id}",
                "language_code": language_code,
            }
        return dict(self._users[user_id])

    def chat(self, chat_id: int, chat_type: str = "private", user_id: int | None = None) -> Any:
        """The chat dict for ``chat_id``; a private chat looks like its user, a group has a title."""
        if chat_id not in self._chats:
            if chat_type == "private":
                user = self.user(user_id if user_id is not None else chat_id)
                chat = {
                    "id": chat_id,
                    "type": "private",
                    "first_name": user["first_name"],
                    "last_name": user["last_name"],
                    "username": user["username"],
                }
            else:
                chat = {"id": chat_id, "type": chat_type, "title": f"Mille Miglia fans {-chat_id}"}
                if chat_type == "supergroup":
                    chat["is_forum"] = False
            self._chats[chat_id] = chat
        return dict(self._chats[chat_id])

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        self._updates.append(update)
        self._new_update.notify()
        return update

    def push_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "private",
        reply_to_message: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user sends ``text``; returns the Message as the bot will receive it."""
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.user(user_id),
            "chat": self.chat(chat_id, chat_type, user_id),
            "date": int(time.time()),
            "text": text,
        }
        entities = command_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to_message is not None:
            replied = dict(reply_to_message)
            replied.pop("reply_to_message", None)  # Telegram nests one level only
            message["reply_to_message"] = replied
        self._messages[(chat_id, message["message_id"])] = message
        self._push_update("message", message)
        return message

    def push_edited_message(
        self, original_message: Mapping[str, Any], new_text: str
    ) -> dict[str, Any]:
        """The user edits one of their messages; returns the edited Message."""
        edited = dict(original_message)
        edited["text"] = new_text
        edited["edit_date"] = int(time.time())
        entities = command_entities(new_text)
        if entities:
            edited["entities"] = entities
        else:
            edited.pop("entities", None)
        self._messages[(int(edited["chat"]["id"]), int(edited["message_id"]))] = edited
        self._push_update("edited_message", edited)
        return edited

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message as the chat shows it now (after the bot's edits): a copy."""
        return dict(self._messages[(chat_id, message_id)])

    def push_callback_query(
        self, user_id: int, message: Mapping[str, Any], data: str
    ) -> dict[str, Any]:
        """The user taps an inline button of ``message``; returns the CallbackQuery."""
        query_id = f"{user_id}{next(self._query_ids):06d}"
        query = {
            "id": query_id,
            "from": self.user(user_id),
            "message": dict(message),
            "chat_instance": f"-{abs(int(message['chat']['id']))}77",
            "data": data,
        }
        self._callback_queries[query_id] = False
        self._push_update("callback_query", query)
        return query

    def push_inline_query(self, user_id: int, query: str) -> dict[str, Any]:
        """The user types ``@bot query`` in any chat; returns the InlineQuery."""
        query_id = f"{user_id}{next(self._query_ids):06d}"
        inline = {
            "id": query_id,
            "from": self.user(user_id),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        }
        self._inline_queries[query_id] = False
        self._push_update("inline_query", inline)
        return inline

    @property
    def last_update_id(self) -> int:
        """The id of the latest update pushed (0 before any)."""
        return self._last_update_id

    def fail_next_call(self, method: str, code: int = 500, description: str = "") -> None:
        """Answer the next ``method`` call with an error, as Telegram sometimes does."""
        error = ApiError(code, description or f"Internal Server Error ({code})")
        self.fail_next.setdefault(method, []).append(error)

    def mark(self) -> int:
        """The index the next call will get: pass it as ``after`` to look only at later calls."""
        return len(self.calls)

    def calls_of(self, method: str) -> list[Params]:
        """The params of every call of ``method`` so far, in order."""
        return [c.params for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        """The messages the bot successfully sent to ``chat_id`` (as Telegram returned them)."""
        return [
            c.result
            for c in self.calls[after:]
            if c.method == "sendMessage" and c.done and c.ok and c.result["chat"]["id"] == chat_id
        ]

    def errors(self, after: int = 0) -> list[Call]:
        """Calls that got an error answer: a user somewhere did not get what the bot meant."""
        return [c for c in self.calls[after:] if c.done and not c.ok]

    def unknown_methods(self) -> list[str]:
        """Methods the bot called that this fake does not implement (answered 404)."""
        return [c.method for c in self.calls if c.method.lower() not in self._handlers]

    async def wait_for_call(
        self,
        method: str,
        predicate: Predicate = lambda params: True,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        after: int = 0,
        consume: bool = True,
        answered: bool = True,
    ) -> Call:
        """The first call of ``method`` at index >= ``after`` matching ``predicate``.

        Waits up to ``timeout`` seconds. A call returned once (``consume``) is never returned
        again, so two successive waits for "a sendMessage to chat X" see two different messages.
        A predicate raising KeyError/TypeError/IndexError counts as not matching, so lambdas can
        index params directly. With ``answered`` (the default) the call is returned once the fake
        has answered it, so ``result`` is set; ``answered=False`` returns it on arrival (how
        readiness is detected: the first getUpdates is a long poll that answers much later).
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self.calls[after:]:
                if call.method != method or call.index in self._consumed:
                    continue
                if answered and not call.done:
                    continue
                try:
                    matched = predicate(call.params)
                except (KeyError, TypeError, IndexError):
                    matched = False
                if matched:
                    if consume:
                        self._consumed.add(call.index)
                    return call
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [c.short() for c in self.calls if c.method == method][-5:]
                raise WaitTimeout(
                    f"no matching {method} call within {timeout:g} s; "
                    f"last {method} calls: {recent or 'none'}"
                )
            await self._new_call.wait(remaining)

    async def wait_for(
        self,
        method: str,
        predicate: Predicate = lambda params: True,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        after: int = 0,
    ) -> Params:
        """Like ``wait_for_call`` but returns only the params the bot sent."""
        return (await self.wait_for_call(method, predicate, timeout, after=after)).params

    async def wait_for_message(
        self, chat_id: int, timeout: float = DEFAULT_TIMEOUT, *, after: int = 0
    ) -> dict[str, Any]:
        """The next message the bot successfully sent to ``chat_id``, as Telegram returned it.

        A rejected sendMessage is skipped (consumed): the user never saw it. ``errors()`` still
        lists it, which is how the tests notice rejected calls.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            call = await self.wait_for_call(
                "sendMessage",
                lambda p: p["chat_id"] == chat_id,
                max(0.0, deadline - loop.time()),
                after=after,
            )
            if call.ok:
                result: dict[str, Any] = call.result
                return result

    def menu_for(self, chat_id: int, user_id: int | None = None) -> list[str]:
        """The command names a user sees in the menu of ``chat_id``, resolved like Telegram:
        the most specific scope with commands wins (language-specific lists are ignored)."""
        chat = self._chats.get(chat_id, {"type": "private" if chat_id > 0 else "supergroup"})
        scopes: list[dict[str, Any]] = []
        if chat["type"] == "private":
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            if user_id is not None:
                scopes.append({"type": "chat_member", "chat_id": chat_id, "user_id": user_id})
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_group_chats"}]
        scopes.append({"type": "default"})
        for scope in scopes:
            commands = self._commands.get(self._commands_key({"scope": scope}))
            if commands:
                return [str(c["command"]) for c in commands]
        return []

    # ----------------------------------------------------------------- Bot API methods

    def _api_getMe(self, params: Params) -> dict[str, Any]:
        return dict(self.bot_user)

    def _api_deleteWebhook(self, params: Params) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    def _api_setWebhook(self, params: Params) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url:
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = dict(params)
        return True

    def _api_close(self, params: Params) -> bool:
        return True

    def _api_logOut(self, params: Params) -> bool:
        return True

    async def _api_getUpdates(self, params: Params) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates") or []
        if offset > 0:  # confirms every update before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            ready = [u for u in self._updates if not allowed or set(u) & set(allowed)]
            remaining = deadline - asyncio.get_running_loop().time()
            if ready or remaining <= 0 or self._closed:
                return ready[:limit]
            await self._new_update.wait(remaining)

    def _chat_of(self, params: Params) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return dict(self._chats[chat_id])

    def _text_of(self, params: Params) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        mode = str(params.get("parse_mode") or "").lower()
        plain = parse_html(text) if mode == "html" else text
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain

    @staticmethod
    def _inline_markup(params: Params) -> dict[str, Any] | None:
        """Only inline keyboards are part of a Message; reply keyboards are not echoed."""
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode()) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            return markup
        return None

    def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        chat = self._chat_of(params)
        text = self._text_of(params)
        markup = self._inline_markup(params)
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        replied: dict[str, Any] | None = None
        if isinstance(reply, dict):
            target_chat = reply.get("chat_id", chat["id"])
            replied = self._messages.get((target_chat, int(reply.get("message_id", 0))))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if markup is not None:
            message["reply_markup"] = markup
        if replied is not None:
            nested = dict(replied)
            nested.pop("reply_to_message", None)
            message["reply_to_message"] = nested
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _api_sendDocument(self, params: Params) -> dict[str, Any]:
        chat = self._chat_of(params)
        document = params.get("document")
        if not isinstance(document, dict):
            raise ApiError(400, "Bad Request: there is no document in the request")
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
            "document": {
                "file_id": f"doc{len(self._messages)}",
                "file_unique_id": f"udoc{len(self._messages)}",
                "file_name": document.get("filename"),
                "mime_type": document.get("content_type"),
            },
        }
        if params.get("caption"):
            message["caption"] = str(params["caption"])
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _api_sendPhoto(self, params: Params) -> dict[str, Any]:
        """A photo: an upload (must be a PNG or JPEG) gets a new file_id; a known file_id is
        re-sent as is; anything else is rejected as Telegram does. The caption is checked like
        a text, against the 1,024-character limit."""
        chat = self._chat_of(params)
        photo = params.get("photo")
        if isinstance(photo, dict):
            data = photo.get("data", b"")
            if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8")):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            file_id = f"photo{len(self.photos)}"
            self.photos[file_id] = data
        elif isinstance(photo, str) and photo in self.photos:
            file_id = photo
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
            "photo": [
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 960, "height": 960}
            ],
        }
        caption = params.get("caption")
        if caption:
            mode = str(params.get("parse_mode") or "").lower()
            plain = parse_html(str(caption)) if mode == "html" else str(caption)
            if utf16_len(plain) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            message["caption"] = plain
        markup = self._inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _own_message(self, params: Params, missing: str) -> dict[str, Any]:
        chat = self._chat_of(params)
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, f"Bad Request: {missing}")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _api_editMessageText(self, params: Params) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            self._text_of(params)
            return True
        message = self._own_message(params, "message to edit not found")
        text = self._text_of(params)
        markup = self._inline_markup(params)
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is None:  # editing the text without a markup removes the keyboard
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return dict(message)

    def _api_editMessageReplyMarkup(self, params: Params) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        message = self._own_message(params, "message to edit not found")
        markup = self._inline_markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return dict(message)

    def _api_deleteMessage(self, params: Params) -> bool:
        chat = self._chat_of(params)
        if self._messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    @staticmethod
    def _answer_query(queries: dict[str, bool], query_id: object) -> None:
        if not isinstance(query_id, str) or queries.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        queries[query_id] = True

    def _api_answerCallbackQuery(self, params: Params) -> bool:
        self._answer_query(self._callback_queries, params.get("callback_query_id"))
        return True

    def _api_answerInlineQuery(self, params: Params) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results if isinstance(r, dict)]
        if len(ids) != len(results) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        self._answer_query(self._inline_queries, params.get("inline_query_id"))
        return True

    @staticmethod
    def _commands_key(params: Params) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _api_setMyCommands(self, params: Params) -> bool:
        scope = params.get("scope") or {}
        if "chat_id" in scope and scope["chat_id"] not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")  # e.g. a user new to the bot
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not BOT_COMMAND_NAME_RE.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = commands
        return True

    def _api_getMyCommands(self, params: Params) -> list[dict[str, Any]]:
        return list(self._commands.get(self._commands_key(params), []))

    def _api_deleteMyCommands(self, params: Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True


# --------------------------------------------------------------------- the bot as a subprocess

_RUNNING: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _kill_leftovers() -> None:
    """Last resort if a fixture finalizer never ran (e.g. the test process was interrupted)."""
    for process in list(_RUNNING):
        if process.poll() is None:
            process.kill()


def bot_env(base: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """``base`` without anything that could point the bot at real Telegram, real data or a
    proxy (httpx honours *_PROXY, which could route 127.0.0.1 elsewhere), plus ``overrides``."""
    dropped_prefixes = ("TELEGRAM_", "WEBHOOK_")
    dropped = {"ADMIN_USER_IDS", "DATABASE_PATH", "KNOWLEDGE_DIR", "PORT", "LOG_LEVEL"}
    env = {
        key: value
        for key, value in base.items()
        if not key.startswith(dropped_prefixes)
        and key not in dropped
        and not key.lower().endswith("_proxy")
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"  # log lines reach the files as they happen
    env.update(overrides)
    return env


class BotProcess:
    """``python -m bot.cli run`` against a FakeBotApi, with its own knowledge copy and database.

    ``knowledge_dir`` is a copy of the project's knowledge in ``workdir``, so a test may break
    a YAML file without touching the real one. Output goes to files (a pipe nobody reads could
    fill up and block the bot); ``output()`` reads both.
    """

    def __init__(
        self,
        api: FakeBotApi,
        workdir: Path,
        *,
        admin_ids: Iterable[int] = (),
        log_level: str = "INFO",
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.api = api
        self.workdir = workdir
        self.knowledge_dir = workdir / "knowledge"
        self.database_path = workdir / "data" / "millebot.sqlite3"
        self.stdout_path = workdir / "bot.stdout.log"
        self.stderr_path = workdir / "bot.stderr.log"
        self.env = bot_env(
            os.environ,
            {
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "ADMIN_USER_IDS": ",".join(str(i) for i in admin_ids),
                "KNOWLEDGE_DIR": str(self.knowledge_dir),
                "DATABASE_PATH": str(self.database_path),
                "LOG_LEVEL": log_level,
                **(extra_env or {}),
            },
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._files: list[IO[bytes]] = []

    async def __aenter__(self) -> BotProcess:
        try:
            await self.start()
        except BaseException:
            if self.process is not None:
                await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Always stop the bot, whatever the test did: no process outlives its test."""
        await self.stop()

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    async def start(self, timeout: float = DEFAULT_TIMEOUT, ready_on: str = "getUpdates") -> None:
        """Start the bot and return once it polls (its first getUpdates; ``ready_on="setWebhook"``
        in webhook mode); fail fast if it dies."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.knowledge_dir.exists():
            shutil.copytree(PROJECT_ROOT / "knowledge", self.knowledge_dir)
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        stdout, stderr = self.stdout_path.open("wb"), self.stderr_path.open("wb")
        self._files = [stdout, stderr]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=self.workdir,  # not the checkout: a developer's own .env there must not leak in
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
        _RUNNING.add(self.process)
        ready = asyncio.ensure_future(
            self.api.wait_for_call(ready_on, timeout=timeout, answered=ready_on != "getUpdates")
        )
        try:
            while not ready.done():
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the bot exited with {self.process.returncode} before polling:\n"
                        + self.output()
                    )
                await asyncio.wait({ready}, timeout=0.05)
            try:
                ready.result()
            except WaitTimeout as err:
                raise AssertionError(f"{err}\nbot output:\n{self.output()}") from None
        finally:
            ready.cancel()

    async def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, as a service manager would; SIGKILL if the bot is not gone within
        ``timeout`` seconds. Returns the exit code (negative: killed by that signal)."""
        process = self.process
        if process is None:
            raise RuntimeError("the bot was never started")
        if process.returncode is not None and not self._files:
            return process.returncode  # stopped already (e.g. by the test itself)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if process.poll() is None:
                process.kill()
                await asyncio.sleep(0)
        code = process.wait(timeout=5)
        _RUNNING.discard(process)
        for handle in self._files:
            handle.close()
        self._files = []
        return code

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        """Everything the bot printed so far, stdout then stderr."""
        return self.stdout() + self.stderr()
