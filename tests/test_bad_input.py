"""Bad input: whatever people (or their clients) send, the bot never fails and never breaks HTML.

Property-based (Hypothesis) on the core and through the Telegram handlers: arbitrary Unicode,
4096- and 10,000-character texts, emoji and ZWJ sequences, right-to-left text, control and
invisible characters, HTML and Markdown markup, SQL-looking strings, years and event names in
junk, commands with junk arguments, whitespace-only texts, captions, stickers and the other
non-text updates, odd sender names and messages without a sender.

How the handler properties run. PTB's ``Application`` is async and Hypothesis wants a plain
function it can call again and again (to shrink a failure). So the tests here are sync: the
module fixture ``driver`` owns an event loop (``asyncio.new_event_loop()``), builds and
initialises one application on it, and every example runs ``loop.run_until_complete`` on one
update. No pytest-asyncio loop is involved, so nothing is shared across loops, and the
application is built once (a few ms per example instead of a fresh app each time). The flood
limits of its rate limiter are lifted (``_unthrottle``): 30 messages a second and 20 a minute
per group would turn a hundred examples into minutes of sleeping. An extra error handler
records every exception a handler raises; the bot's own one still runs (and would apologise).

The tests at the end pin the bugs these properties found (a split inside ``&lt;``, a longer
username taken for the bot, a forged page number, undecodable stdin, an unbounded typo cache).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Message
from telegram.ext import Application, ContextTypes

from bot.core.answer import Answerer
from bot.core.answering.conversation import Context
from bot.core.commands import COMMANDS
from bot.core.i18n import catalogue
from bot.core.loader import load_knowledge
from bot.core.reply import Kind, Reply
from bot.core.search import MAX_HITS, search
from bot.core.service import AnswerService
from bot.settings import Settings
from bot.tg.app import build_application, post_init, post_shutdown
from bot.tg.context import BotState
from bot.tg.handlers import addressed_text
from bot.tg.keyboards import ButtonMemory, decode
from bot.tg.render import MAX_MESSAGE, split_message, to_html
from bot.tg.retry import RetryingRateLimiter
from tests.fake_bot_api import command_entities
from tests.test_tg import (
    ADMIN,
    BOT_ID,
    GROUP,
    PRIVATE,
    USER,
    RecordingRequest,
    built_index,
    callback,
    inline,
    message,
    process,
)

__all__ = ["built_index"]  # a fixture, imported so pytest finds it here too

APOLOGY = catalogue("en")("telegram.apology")
HINT = catalogue("en")("telegram.hint")

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KINDS = frozenset(Kind)

# ----------------------------------------------------------------- what people send

CONTROL = st.characters(min_codepoint=0x00, max_codepoint=0x1F)
INVISIBLE = st.sampled_from(
    [
        "\u200b",  # zero width space
        "\u200c",
        "\u200d",  # zero width joiner
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u202a",
        "\u202e",  # right-to-left override
        "\u2066",
        "\u2069",
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\u2028",  # line separator
        "\u2029",
        "\x7f",
        "\x85",
        "\u00a0",
        "\u3000",
        "\ufffd",
        "\U000e0001",  # language tag
    ]
)
COMBINING = st.characters(categories=("Mn", "Mc", "Me"))
RTL_LETTERS = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF)
RTL_PHRASES = st.sampled_from(
    [
        "من فاز في ميلي ميليا ١٩٥٥؟",  # Arabic, with Arabic-Indic digits
        "מי ניצח במילה מיליה 1955?",  # Hebrew
        "\u202eWho won in 1955?\u202c",  # an override around English
        "۱۹۵۵ Mille Miglia",  # Persian digits
        "Mille Miglia \u200f1931\u200f",
    ]
)
EMOJI = st.sampled_from(
    [
        "🏎️",
        "🏁",
        "🇮🇹",
        "👍🏽",
        "👨‍👩‍👧‍👦",  # a ZWJ family
        "🏳️‍🌈",
        "🧑🏾‍🚀",
        "❤️‍🔥",
        "🫠",
        "#️⃣",
        "\U0001f3ce\ufe0f\u200d\U0001f525",
        "😀" * 30,
    ]
)
# The user's markup. Fragments with "<" must never reach Telegram raw (RAW_CHECKED below).
MARKUP = st.sampled_from(
    [
        "<b>x</b>",
        "<b>",
        "</b>",
        "</a>",
        "<i>unclosed",
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="http://evil.example/?a=1&b=2">x</a>',
        "<img src=x onerror=alert(1)>",
        "<tg-spoiler>s</tg-spoiler>",
        "<code>c</code>",
        "</pre>",
        "<blockquote>",
        "<<>>",
        "a < b > c",
        "<",
        ">",
        "&",
        "&amp;",
        "&lt;script&gt;",
        "&#60;",
        "&nbsp;",
        "&bogus;",
        "*bold*",
        "_italic_",
        "__underline__",
        "~strike~",
        "||spoiler||",
        "[x](http://evil.example)",
        "`code`",
        "```\npre\n```",
        "\\",
        '"quoted"',
        "'single'",
    ]
)
RAW_CHECKED = (
    "<b>x</b>",
    "<i>unclosed",
    "<script>",
    '<a href="javascript',
    '<a href="http://evil',
    "<img",
    "<tg-spoiler>",
    "<code>",
    "</pre>",
    "<blockquote>",
    "<<>>",
    "a < b > c",
)
SQL = st.sampled_from(
    [
        "'; DROP TABLE editions; --",
        "1955' OR '1'='1",
        '" OR 1=1 --',
        "1955; DELETE FROM facts",
        "UNION SELECT * FROM sqlite_master",
        "%' AND 1=0 UNION SELECT NULL--",
        "' OR ''='",
        "Robert'); DROP TABLE people;--",
    ]
)
KNOWN = st.sampled_from(
    [
        "1955",
        "1931",
        "2014",
        "2026",
        "2027",
        "1941",
        "1000",
        "'55",
        "the 1950s",
        "anni '50",
        "3rd",
        "between 1927 and 1957",
        "1927-57",
        "Mille Miglia",
        "mille miglia",
        "1000 Miglia",
        "California Mille",
        "tribute",
        "festa",
        "Nuvolari",
        "Moss",
        "Caracciola",
        "Alfa",
        "Brescia",
        "Siena",
        "who won in",
        "when is the next",
        "how many",
        "route",
        "winners",
        "reports",
        "ed-2014",
        "@SomeBot",
        "chi ha vinto",
        "?",
    ]
)
WHITESPACE = st.text(
    alphabet=" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u1680\u2003\u200a\u2028\u2029\u3000",
    max_size=60,
)

piece = st.one_of(
    st.text(max_size=20),  # any code point but surrogates
    st.text(alphabet=CONTROL | INVISIBLE, min_size=1, max_size=6),
    st.text(alphabet=COMBINING, min_size=1, max_size=6),
    st.text(alphabet=RTL_LETTERS, min_size=1, max_size=12),
    RTL_PHRASES,
    EMOJI,
    MARKUP,
    SQL,
    KNOWN,
)
sentence = st.tuples(
    st.lists(piece, max_size=10), st.sampled_from([" ", "", "\n", "\t", " \u200b "])
).map(lambda t: t[1].join(t[0]))


def _repeat(text: str, size: int) -> str:
    """``text`` repeated to exactly ``size`` characters (long inputs, cheap to generate)."""
    text = text or "x"
    return (text * (size // len(text) + 1))[:size]


long_text = st.builds(
    _repeat,
    st.one_of(sentence, piece),
    st.one_of(st.sampled_from([1024, 4095, 4096, 4097, 10_000]), st.integers(200, 4096)),
)
COMMAND_WORDS = [c.name for c in COMMANDS] + ["start", "EDITION", "edition@millebot", "foo"]
command = st.builds(
    lambda name, sep, rest: f"/{name}{sep}{rest}",
    st.sampled_from(COMMAND_WORDS),
    st.sampled_from(["", " ", "  ", "\n", "@millebot ", "@SomeBot "]),
    st.one_of(sentence, long_text, WHITESPACE),
)
texts = st.one_of(sentence, long_text, WHITESPACE, command, st.text(), MARKUP, SQL)


# ----------------------------------------------------------------- Telegram's HTML, strictly

ALLOWED_TAGS = frozenset(
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
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "blockquote",
    }
)
_TAG = re.compile(r'<(/?)([a-z][a-z-]*)(?: href="([^"<>]*)")?>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_SPECIAL = re.compile(r"[<>&]")


class BadHtml(AssertionError):
    """Telegram would reject this text (or show the user's markup as ours)."""


def visible_text(html: str) -> str:
    """The text Telegram shows for ``html``; raises BadHtml for anything it would refuse.

    Stricter than Telegram on purpose: only the tags we may use, ``href`` only on ``a`` and
    nothing else, properly nested and closed, and every ``<``, ``>`` and ``&`` that is not
    markup written as an entity: the four named ones Telegram knows (``&lt; &gt; &amp;
    &quot;``) or a numeric one (``html.escape`` writes ``'`` as ``&#x27;``).
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for special in _SPECIAL.finditer(html):
        at = special.start()
        if at < pos:
            continue  # inside a tag or entity already read
        out.append(html[pos:at])
        char = special.group()
        if char == ">":
            raise BadHtml(f"bare '>' at {at}: {html[max(0, at - 20) : at + 20]!r}")
        if char == "&":
            entity = _ENTITY.match(html, at)
            if entity is None:
                raise BadHtml(f"bare '&' at {at}: {html[max(0, at - 20) : at + 20]!r}")
            out.append(unescape(entity.group()))
            pos = entity.end()
            continue
        tag = _TAG.match(html, at)
        if tag is None:
            raise BadHtml(f"bare '<' at {at}: {html[max(0, at - 20) : at + 20]!r}")
        closing, name, href = tag.groups()
        if name not in ALLOWED_TAGS:
            raise BadHtml(f"tag <{name}> at {at}")
        if closing:
            if href is not None or not stack or stack[-1] != name:
                raise BadHtml(f"unmatched </{name}> at {at}, open: {stack}")
            stack.pop()
        else:
            if (name == "a") != (href is not None):
                raise BadHtml(f"<{name}> at {at}: href is for links, and links need one")
            if href is not None:
                if "&" in _ENTITY.sub("", href) or not href.startswith(("http://", "https://")):
                    raise BadHtml(f"bad href at {at}: {href!r}")
                if "a" in stack:
                    raise BadHtml(f"a link inside a link at {at}")
            stack.append(name)
        pos = tag.end()
    out.append(html[pos:])
    if stack:
        raise BadHtml(f"unclosed tags {stack}")
    return "".join(out)


def check_html_message(text: str, asked: str, strict: bool = True) -> None:
    """One message as sent in HTML mode: fits, parses, says something, shows no raw markup."""
    assert len(text) <= MAX_MESSAGE, len(text)
    for fragment in RAW_CHECKED:
        if fragment in asked:
            assert fragment not in text, f"the user's {fragment!r} went out raw"
    if strict:  # Telegram refuses an empty message as it refuses broken markup
        assert visible_text(text).strip(), "an empty message"


def test_the_html_checker_itself() -> None:
    assert visible_text('<b>A &amp; B</b> <a href="https://x.example/?a=1&amp;b=2">x</a>') == (
        "A & B x"
    )
    assert visible_text("don&#x27;t &#60;&quot;") == "don't <\""
    for bad in (
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "<script>x</script>",
        "a < b",
        "a > b",
        "a & b",
        "&nbsp;",
        "&apos;",
        "&#;",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="http://x?a=1&b=2">x</a>',
        "<a>x</a>",
        '<b href="http://x">x</b>',
        "<B>x</B>",
    ):
        with pytest.raises(BadHtml):
            visible_text(bad)


# ----------------------------------------------------------------- the core


# The autouse environment fixture of conftest is function-scoped; nothing here depends on it.
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=300, deadline=None, suppress_health_check=HEALTH)
@given(text=texts)
def test_the_core_answers_anything_and_renders_valid_html(answerer: Answerer, text: str) -> None:
    reply = answerer.answer(text, NOW)
    assert isinstance(reply, Reply) and reply.kind in KINDS
    assert reply.text.strip()
    json.dumps(reply.as_json(text), ensure_ascii=False)  # the ``ask --json`` contract
    html = to_html(reply)
    chunks = split_message(html)
    assert chunks
    for chunk in chunks:
        check_html_message(chunk, text)

    hits = search(answerer, text, NOW)
    assert len(hits) <= MAX_HITS
    ids = [h.id for h in hits]
    assert len(set(ids)) == len(ids)
    assert all(0 < len(i.encode()) <= 64 for i in ids)
    assert all(h.title.strip() and h.reply.kind in KINDS for h in hits)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\u3000\u00a0\t\n",
        "\x00",
        "\u200b",
        "\ufeff",
        "x" * 10_000,
        "/edition " + "\x00" * 4000,
        "/edition 1955 " + "👨‍👩‍👧‍👦" * 600,
        "/" * 4096,
        "/@" * 2048,
        "@" * 4096,
        "1955 " * 819,
        "1955" * 1024,
        "'" * 4096,
        "'55 " * 1000,
        "a'" * 2048,
        "1st " * 1000,
        "\u0301" * 4096,
        "İ" * 4096,
        "ß" * 4096,
        "ﷺ" * 4096,  # one code point, 18 characters once NFKD-folded
        "\U0001d7d9\U0001d7e1\U0001d7dd\U0001d7dd",  # mathematical digits: 1955 after NFKD
        "١٩٥٥",  # Arabic-Indic digits
        "¹⁹⁵⁵ ²",  # superscripts: isdigit() but not int()
        "who won in 1955" + "\x00" * 100,
        "<b>x</b> who won in 1955",
    ],
)
def test_the_core_survives_the_classics(answerer: Answerer, text: str) -> None:
    reply = answerer.answer(text, NOW)
    assert reply.kind in KINDS and reply.text.strip()
    for chunk in split_message(to_html(reply)):
        check_html_message(chunk, text)
    assert len(search(answerer, text, NOW)) <= MAX_HITS


def test_markup_in_a_question_is_shown_not_obeyed(answerer: Answerer) -> None:
    html = to_html(answerer.answer("/<b>x</b>", NOW))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" in visible_text(html)


CLI_LINES = [
    "who won in 1955",
    "",
    "   ",
    "\t",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "x\ry",
    "line\u2028separator\u2029and\x85next",
    "\ufeffwho won in 1931",
    "<b>x</b> &amp; <script>alert(1)</script>",
    "'; DROP TABLE editions; --",
    "/edition " + "ﷺ" * 50,
    "/edition 1955 <i>",
    "من فاز في ميلي ميليا ١٩٥٥؟",
    "👨‍👩‍👧‍👦 🏎️ 1931",
    "/" + "<" * 1500,
    "x" * 10_000,
    '{"question": "not json"}',
]


def run_ask_json(stdin: bytes, db: Path, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--now", NOW.isoformat()],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_PATH": str(db),
            "KNOWLEDGE_DIR": str(KNOWLEDGE),
            "LC_ALL": "C.UTF-8",
            **(env or {}),
        },
    )
    return proc.returncode, (proc.stdout + proc.stderr if proc.returncode else proc.stdout)


@pytest.fixture(scope="module")
def cli_db(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "index.sqlite3"
    shutil.copy(built_index, db)
    return db


def test_ask_json_gives_one_json_line_per_nasty_line(cli_db: Path) -> None:
    stdin = "".join(f"{line}\n" for line in CLI_LINES).encode()
    code, out = run_ask_json(stdin, cli_db)
    assert code == 0, out.decode(errors="replace")
    lines = out.decode("utf-8").split("\n")  # JSON lines end in "\n" only; U+2028 may stay raw
    assert lines[-1] == ""
    replies = [json.loads(line) for line in lines[:-1]]
    assert [r["question"] for r in replies] == CLI_LINES
    for reply in replies:
        assert reply["kind"] in {"answer", "clarify", "unknown"}
        assert isinstance(reply["text"], str) and reply["text"].strip()
    assert "Moss" in replies[0]["text"]


# ----------------------------------------------------------------- through the handlers


@dataclass
class Driver:
    """One initialised application on a loop of its own, fed one update at a time."""

    loop: asyncio.AbstractEventLoop
    app: Application  # type: ignore[type-arg]
    errors: list[BaseException] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    def run(self, payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The Bot API calls one update caused; fails if any handler raised."""
        self.errors.clear()
        self.questions.clear()
        calls = self.loop.run_until_complete(process(self.app, payload))
        assert not self.errors, f"a handler raised: {self.errors[0]!r}"
        texts = [str(p.get("text", "")) for m, p in calls if m == "sendMessage"]
        assert APOLOGY not in texts
        return calls

    @property
    def answerer(self) -> Answerer:
        state: BotState = self.app.bot_data["state"]
        return state.service.answerer


def _unthrottle(app: Application) -> None:  # type: ignore[type-arg]
    """Lift the flood limits (30 messages a second, 20 a minute per group): a hundred examples
    would otherwise sleep for minutes. Retries and ``RetryAfter`` handling stay as built."""
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, RetryingRateLimiter)
    limiter.lift_flood_limits()


@pytest.fixture(scope="module")
def driver(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    db = tmp_path_factory.mktemp("bad-input") / "index.sqlite3"
    shutil.copy(built_index, db)
    settings = Settings(
        token="123:TEST",
        knowledge_dir=KNOWLEDGE,
        database_path=db,
        admin_user_ids=frozenset({ADMIN}),
    )
    service = AnswerService(KNOWLEDGE, db)
    app = build_application(settings, service, RecordingRequest(), clock=lambda: NOW)
    _unthrottle(app)
    app.bot_data["request"] = app.bot.request
    loop = asyncio.new_event_loop()
    driver = Driver(loop, app)

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            driver.errors.append(context.error)

    app.add_error_handler(record)
    real_answer = service.answer

    def answer(
        question: str, now: datetime, lang: str | None = None, context: Context | None = None
    ) -> Reply:
        driver.questions.append(question)
        return real_answer(question, now, lang, context)

    service.answer = answer  # type: ignore[method-assign]

    async def start() -> None:
        await service.start()
        await app.initialize()
        await post_init(app)  # what run_polling would do: open the state stores, set menus

    async def stop() -> None:
        await post_shutdown(app)
        await app.shutdown()

    loop.run_until_complete(start())
    try:
        yield driver
    finally:
        loop.run_until_complete(stop())
        loop.close()


def text_message(text: str, chat_type: str = "private", **options: Any) -> dict[str, Any]:
    """A message as Telegram delivers it: its commands and mentions marked as entities."""
    payload = message(text, chat_type, **options)
    body = payload.get("message") or payload["edited_message"]
    body["entities"] = command_entities(text)
    return payload


def media_message(
    kind: str, chat_type: str = "private", caption: str | None = None, edited: bool = False
) -> dict[str, Any]:
    """A message without text: ``kind`` names its content (sticker, photo, voice...)."""
    payload = message("x", chat_type, edited=edited)
    body = payload.get("message") or payload["edited_message"]
    del body["text"], body["entities"]
    body.update(MEDIA[kind])
    if caption is not None:
        body["caption"] = caption
        body["caption_entities"] = command_entities(caption)
    return payload


FILE = {"file_id": "f1", "file_unique_id": "u1"}
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {
        "sticker": {
            **FILE,
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    "photo": {"photo": [{**FILE, "width": 90, "height": 90}]},
    "document": {"document": {**FILE, "file_name": "<b>notes</b>.pdf"}},
    "voice": {"voice": {**FILE, "duration": 3}},
    "video_note": {"video_note": {**FILE, "length": 240, "duration": 2}},
    "animation": {"animation": {**FILE, "width": 1, "height": 1, "duration": 1}},
    "location": {"location": {"latitude": 45.54, "longitude": 10.22}},
    "venue": {
        "venue": {
            "location": {"latitude": 45.54, "longitude": 10.22},
            "title": "Viale Venezia",
            "address": "Brescia",
        }
    },
    "contact": {"contact": {"phone_number": "+39 030 000", "first_name": "Enzo"}},
    "poll": {
        "poll": {
            "id": "p1",
            "question": "Who won in 1955?",
            "options": [
                {"text": "Moss", "voter_count": 0, "persistent_id": "o1"},
                {"text": "Fangio", "voter_count": 0, "persistent_id": "o2"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "dice": {"dice": {"emoji": "🎲", "value": 6}},
}
SERVICE: dict[str, dict[str, Any]] = {
    "new_chat_members": {
        "new_chat_members": [{"id": 99, "is_bot": False, "first_name": "Newcomer"}]
    },
    "left_chat_member": {"left_chat_member": {"id": 99, "is_bot": False, "first_name": "Gone"}},
    "new_chat_title": {"new_chat_title": "<b>Mille</b> fans"},
    "pinned_message": {
        "pinned_message": {
            "message_id": 5,
            "date": 0,
            "chat": {"id": PRIVATE, "type": "private"},
            "text": "who won in 1955",
        }
    },
    "group_chat_created": {"group_chat_created": True},
}


def sent_messages(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """What the user reads: messages and edits, and a photo's caption ("MAP" gets a map)."""
    photos = [{**p, "text": p.get("caption", "")} for m, p in calls if m == "sendPhoto"]
    return [p for m, p in calls if m in ("sendMessage", "editMessageText")] + photos


def check_calls(driver: Driver, calls: list[tuple[str, dict[str, Any]]], asked: str) -> None:
    """Every message fits, is valid HTML when sent as HTML, and every button is usable."""
    for params in sent_messages(calls):
        text = str(params["text"])
        if params.get("parse_mode") == "HTML":
            check_html_message(text, asked)
        else:
            assert len(text) <= MAX_MESSAGE and text.strip()
        markup = params.get("reply_markup")
        if markup is not None:
            data = markup if isinstance(markup, dict) else json.loads(str(markup))
            for row in data["inline_keyboard"]:
                for button in row:
                    assert button["text"].strip()
                    assert 0 < len(button["callback_data"].encode()) <= 64
    for params in [p for m, p in calls if m == "answerInlineQuery"]:
        results = params["results"]
        assert len(results) <= 10
        for result in results:
            assert 0 < len(result["id"].encode()) <= 64
            assert 0 < len(result["title"]) <= 100
            content = result["input_message_content"]["message_text"]
            check_html_message(content, asked)


WHERE = (
    "private",
    "private-edit",
    "group",
    "group-mention",
    "group-reply",
    "caption-private",
    "caption-group",
    "caption-group-mention",
    "inline",
)


def _starts_with_command(text: str) -> bool:
    first = command_entities(text)[:1]
    return bool(first) and first[0]["type"] == "bot_command" and first[0]["offset"] == 0


@settings(max_examples=120, deadline=None, suppress_health_check=HEALTH)
@given(text=texts, where=st.sampled_from(WHERE), second=sentence)
def test_handlers_answer_anything_in_valid_html(
    driver: Driver, text: str, where: str, second: str
) -> None:
    asked = text
    if where == "private":
        calls = driver.run(text_message(text))
        if not _starts_with_command(text):  # a question in private is always answered
            assert sent_messages(calls)
    elif where == "private-edit":
        first = driver.run(text_message(second, message_id=900_000))
        check_calls(driver, first, second)
        calls = driver.run(text_message(text, message_id=900_000, edited=True))
    elif where == "group":
        calls = driver.run(text_message(text, "group"))
        if "@millebot" not in text.lower() and not _starts_with_command(text):
            assert calls == []
    elif where == "group-mention":
        asked = f"@millebot {text}"
        calls = driver.run(text_message(asked, "supergroup"))
        assert sent_messages(calls) or _starts_with_command(asked)
    elif where == "group-reply":
        calls = driver.run(text_message(text, "group", reply_to_bot=True))
    elif where == "caption-private":
        asked = text[:1024]
        calls = driver.run(media_message("photo", caption=asked))
        assert len(sent_messages(calls)) >= 1
    elif where == "caption-group":
        asked = text[:1024]
        calls = driver.run(media_message("photo", "group", caption=asked))
        if "@millebot" not in asked.lower():
            assert calls == []
    elif where == "caption-group-mention":
        asked = f"{text[:1000]} @millebot"
        calls = driver.run(media_message("photo", "supergroup", caption=asked))
    else:
        asked = text[:256]  # Telegram's limit for inline queries
        calls = driver.run(inline(asked))
        assert [m for m, _ in calls] == ["answerInlineQuery"]
    check_calls(driver, calls, asked)


# ----------------------------------------------------------------- non-text updates


@pytest.mark.parametrize("kind", sorted(MEDIA))
def test_non_text_gets_a_short_hint_in_private_and_silence_in_groups(
    driver: Driver, kind: str
) -> None:
    sent = sent_messages(driver.run(media_message(kind)))
    assert [p["text"] for p in sent] == [HINT] and len(HINT) < 200
    for chat_type in ("group", "supergroup"):
        assert driver.run(media_message(kind, chat_type)) == []


@pytest.mark.parametrize("kind", sorted(SERVICE))
@pytest.mark.parametrize("chat_type", ["private", "group", "supergroup"])
def test_service_messages_get_silence(driver: Driver, kind: str, chat_type: str) -> None:
    payload = message("x", chat_type)
    body = payload["message"]
    del body["text"], body["entities"]
    body.update(SERVICE[kind])
    assert driver.run(payload) == []


@pytest.mark.parametrize("chat_type", ["private", "group"])
def test_an_edited_photo_or_live_location_gets_no_second_hint(
    driver: Driver, chat_type: str
) -> None:
    for kind in ("photo", "location"):
        assert driver.run(media_message(kind, chat_type, edited=True)) == []


def test_a_caption_is_a_question_and_a_long_junk_caption_is_harmless(driver: Driver) -> None:
    sent = sent_messages(driver.run(media_message("photo", caption="who won in 1955?")))
    assert len(sent) == 1 and "Moss" in sent[0]["text"]
    junk = _repeat("<b>&amp; 'DROP 🏳️‍🌈 \u202e ١٩٥٥ ", 1024)
    calls = driver.run(media_message("document", caption=junk))
    assert len(sent_messages(calls)) == 1
    check_calls(driver, calls, junk)
    assert driver.run(media_message("document", "group", caption=junk)) == []
    assert driver.run(media_message("photo", "group", caption="   ")) == []


def channel_post(text: str | None, edited: bool = False) -> dict[str, Any]:
    channel = {"id": -1001, "type": "channel", "title": "Mille fans"}
    body: dict[str, Any] = {"message_id": 3, "date": 0, "chat": channel, "sender_chat": channel}
    if text is None:
        body.update(MEDIA["photo"])
    else:
        body["text"] = text
        body["entities"] = command_entities(text)
    key = "edited_channel_post" if edited else "channel_post"
    return {"update_id": 10**6 + len(text or ""), key: body}


def test_channel_posts_get_silence_unless_the_bot_is_named(driver: Driver) -> None:
    for payload in (
        channel_post("who won in 1955"),
        channel_post(None),
        channel_post("<b>x</b>", edited=True),
    ):
        assert driver.run(payload) == []
    calls = driver.run(channel_post("@millebot who won in 1955"))
    check_calls(driver, calls, "@millebot who won in 1955")


def test_a_message_of_entities_only(driver: Driver) -> None:
    payload = text_message("https://1000miglia.it")
    payload["message"]["entities"] = [{"type": "url", "offset": 0, "length": 21}]
    check_calls(driver, driver.run(payload), "https://1000miglia.it")
    for alone in ("@millebot", "@MilleBot ,:", "/help@millebot"):
        calls = driver.run(text_message(alone, "supergroup"))
        assert len(sent_messages(calls)) == 1, alone  # the help, not silence or an error
        check_calls(driver, calls, alone)


# ----------------------------------------------------------------- senders


@pytest.mark.parametrize(
    "sender",
    [
        {"id": USER, "is_bot": False, "first_name": "محمد", "last_name": "שלום"},
        {"id": USER, "is_bot": False, "first_name": "\u202eadA", "username": "x_y"},
        {"id": USER, "is_bot": False, "first_name": "👨‍👩‍👧‍👦🏎️" * 10},
        {"id": USER, "is_bot": False, "first_name": "<b>Ada</b> & co" * 20},
        {"id": USER, "is_bot": False, "first_name": "x" * 4096, "language_code": "zz"},
        {"id": USER, "is_bot": False, "first_name": "\x00\u200b"},
        None,  # no sender at all
    ],
)
def test_odd_senders_are_answered(driver: Driver, sender: dict[str, Any] | None) -> None:
    for chat_type, text in (("private", "who won in 1955"), ("group", "@millebot 1955")):
        payload = text_message(text, chat_type)
        if sender is None:
            del payload["message"]["from"]
        else:
            payload["message"]["from"] = sender
        sent = sent_messages(driver.run(payload))
        assert sent and "Moss" in sent[0]["text"]


def test_an_anonymous_group_admin_and_a_linked_channel_are_answered(driver: Driver) -> None:
    group = {"id": GROUP, "type": "supergroup", "title": "Fans"}
    channel = {"id": -1001, "type": "channel", "title": "Mille fans"}
    for sender, sender_chat in (
        ({"id": 1087968824, "is_bot": True, "first_name": "Group"}, group),
        ({"id": 777000, "is_bot": False, "first_name": "Telegram"}, channel),
    ):
        payload = text_message("@millebot who won in 1955", "supergroup")
        payload["message"]["from"] = sender
        payload["message"]["sender_chat"] = sender_chat
        sent = sent_messages(driver.run(payload))
        assert sent and "Moss" in sent[0]["text"]
        payload = media_message("sticker", "supergroup")
        payload["message"]["from"] = sender
        payload["message"]["sender_chat"] = sender_chat
        assert driver.run(payload) == []


@pytest.mark.parametrize(
    "text",
    ["@MilleBot who won in 1955", "@MILLEBOT, who won in 1955", "who won in 1955, @MilleBot?"],
)
def test_the_bot_is_named_in_any_case(driver: Driver, text: str) -> None:
    sent = sent_messages(driver.run(text_message(text, "supergroup")))
    assert len(sent) == 1 and "Moss" in sent[0]["text"]


def test_a_command_for_the_bot_in_another_case(driver: Driver) -> None:
    sent = sent_messages(driver.run(text_message("/edition@MilleBot 1955", "supergroup")))
    assert len(sent) == 1 and "Moss" in sent[0]["text"]


def test_an_admin_sees_the_junk_users_sent_escaped(driver: Driver) -> None:
    pytest.importorskip("bot.core.unanswered")
    junk = [
        "<b>x</b> &amp; <script>alert(1)</script> qqq",
        "\u202eWho won the zzz?\u202c 🏳️‍🌈",
        "a\x00b\x1b[31m jjj",
        _repeat("<i>unclosed <<>> ", 4096),
        "'; DROP TABLE unanswered; -- kkk",
    ]
    for text in junk:
        driver.run(text_message(text))
    asked = " ".join(junk)
    for _ in range(2):  # the table survived the SQL-looking question
        sent = sent_messages(driver.run(text_message("/unanswered 50", user=ADMIN)))
        assert sent
        for params in sent:
            assert params.get("parse_mode") == "HTML"
            check_html_message(str(params["text"]), asked)


# ----------------------------------------------------------------- known bugs


def test_a_long_echo_is_split_outside_entities(driver: Driver) -> None:
    asked = "/" + "<" * 1500  # not a bot_command entity: on_text -> core -> unknown command
    sent = sent_messages(driver.run(text_message(asked)))
    assert sent
    for params in sent:
        visible_text(str(params["text"]))


@pytest.mark.parametrize("text", ["@millebots are great", "ask @millebot_fan about 1955"])
def test_a_longer_username_is_not_the_bot(driver: Driver, text: str) -> None:
    assert driver.run(text_message(text, "supergroup")) == []


def _group_message(text: str) -> Message:
    payload = text_message(text, "supergroup")
    return Message.de_json(payload["message"], None)


def test_the_mention_is_cut_out_exactly_after_a_dotted_capital_i() -> None:
    question = addressed_text(_group_message("İİİİ @millebot who won in 1955"), "millebot", BOT_ID)
    assert question == "İİİİ who won in 1955"


def test_forged_callback_data_expires_instead_of_failing(driver: Driver) -> None:
    assert decode("p²:/help", ButtonMemory()) is None
    calls = driver.run(callback("p²:/help"))
    assert [m for m, _ in calls] == ["answerCallbackQuery"]


@pytest.mark.parametrize("io_encoding", ["", "utf-8:strict"])
def test_ask_json_survives_invalid_utf8(cli_db: Path, io_encoding: str) -> None:
    stdin = b"who won in 1955\n\xff\xfe junk \xc3\n who won in 1931\n"
    env = {"PYTHONIOENCODING": io_encoding} if io_encoding else {}
    code, out = run_ask_json(stdin, cli_db, env)
    assert code == 0, out.decode(errors="replace")
    replies = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert len(replies) == 3
    assert "Moss" in replies[0]["text"] and "Caracciola" in replies[2]["text"]


CORRECTIONS_BOUND = 5000  # what a bounded cache may reasonably keep (ButtonMemory keeps 5000)


def test_the_typo_cache_stays_bounded() -> None:
    result = load_knowledge(KNOWLEDGE)
    assert result.knowledge is not None
    fresh = Answerer(result.knowledge)
    letters = "bcdfghjklmnpqrstvwxz"
    junk = ["q" + "".join(letters[(n // 20**k) % 20] for k in range(4)) for n in range(6000)]
    for start in range(0, len(junk), 600):
        fresh.answer(" ".join(junk[start : start + 600]), NOW)
    assert len(fresh.catalog._corrections) <= CORRECTIONS_BOUND
