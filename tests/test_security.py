"""Security and reliability (issue 15), end to end: the real bot against the fake Bot API.

Each test is a finding of the attack on the bot, replayed on 127.0.0.1: it failed before the
fix. Every process gets its own fake server; nothing but loopback is contacted.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.error import RetryAfter

from bot.core.calendar import Outcome, calendar_for
from bot.core.i18n import using
from bot.core.model import Knowledge
from bot.core.service import AnswerService
from bot.core.statefile import RETRY_EVERY
from bot.core.stats import StatsStore
from bot.core.subscriptions import SubscriptionStore
from bot.core.unanswered import UnansweredStore, read_top
from bot.settings import Settings, SettingsError
from bot.tg.backlog import JournaledQueue, UpdateJournal
from bot.tg.chats import UserPace, paced_user
from bot.tg.keyboards import ButtonMemory, Tap, decode, encode
from bot.tg.reminders import _not_one as not_one
from bot.tg.render import split_message
from bot.tg.retry import JSON, RetryingRateLimiter
from tests.fake_bot_api import BotProcess, FakeBotApi, parse_html

TOKEN = "123456:TEST-token-security"
ADMIN_ID = 5_550_001
CLOCK = {"MILLEBOT_NOW": "2026-05-01T10:00:00+02:00", "STOP_GRACE": "0.5"}
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


# ------------------------------------------------------------------ 2-4. busy chats, crashes

BOT_NAME = "millebot_test"


def group_replies(api: FakeBotApi, group: int) -> list[int]:
    """The question ids the bot's messages in ``group`` reply to, in the order they were sent."""
    return [
        int(params["reply_parameters"]["message_id"])
        for params in api.calls_of("sendMessage")
        if params.get("chat_id") == group and isinstance(params.get("reply_parameters"), dict)
    ]


def flood_group(api: FakeBotApi, group: int, count: int) -> list[int]:
    """``count`` members of a supergroup each mention the bot once; their message ids."""
    return [
        int(
            api.push_message(
                group, 8_000_000 + n, f"@{BOT_NAME} who won in 1955?", chat_type="supergroup"
            )["message_id"]
        )
        for n in range(count)
    ]


async def replies_reach(api: FakeBotApi, group: int, count: int) -> None:
    """Wait until the bot has sent ``count`` replies in ``group`` (each wait is bounded)."""
    while len(group_replies(api, group)) < count:
        await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == group)


async def test_a_flooding_group_does_not_delay_a_private_chat(tmp_path: Path) -> None:
    """30 mentions in one supergroup: Telegram lets the bot answer 20 a minute there. Handled
    one at a time, a private user waited behind all of them (a minute and more)."""
    group, user = -1_001_000_000_500, 7_100_001
    async with (
        FakeBotApi(TOKEN, username=BOT_NAME) as api,
        BotProcess(api, tmp_path / "bot", extra_env=CLOCK),
    ):
        flood_group(api, group, 30)
        await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == group)
        api.push_message(user, user, "who won in 1931?")
        answer = await api.wait_for_message(user, timeout=5)
        assert "Caracciola" in answer["text"]
        assert len(group_replies(api, group)) < 30  # the group is still being paced


async def test_a_flooding_user_is_told_once_and_others_are_not_delayed(tmp_path: Path) -> None:
    flooder, quiet = 7_100_101, 7_100_102
    async with (
        FakeBotApi(TOKEN, username=BOT_NAME) as api,
        BotProcess(api, tmp_path / "bot", extra_env=CLOCK),
    ):
        for n in range(60):
            api.push_message(flooder, flooder, f"who won in {1927 + n % 30}?")
        api.push_message(quiet, quiet, "who won in 1955?")
        assert "Moss" in (await api.wait_for_message(quiet, timeout=5))["text"]
        notes = await api.wait_for_call(
            "sendMessage", lambda p: "faster than I can answer" in p["text"]
        )
        assert notes.params["chat_id"] == flooder
        # The flooder's chat is handled in order: the burst's 20 answers came before the note,
        # and what follows within 3 s is skipped.
        sent = api.sent_to(flooder)
        assert len(sent) == 21 and "faster than I can answer" in sent[20]["text"]
        assert all("faster" not in m["text"] for m in sent[:20])
        api.push_message(flooder, flooder, "/help")  # still over the pace: no second note
        api.push_message(quiet, quiet, "/help")
        await api.wait_for_message(quiet)
        notes_now = [m for m in api.sent_to(flooder) if "faster than I can answer" in m["text"]]
        assert len(notes_now) == 1


async def test_kill_9_with_a_backlog_then_restart_answers_everything_once(tmp_path: Path) -> None:
    """30 mentions fetched, 20 answered (the group's minute is used up), then kill -9: the
    rest used to be lost (confirmed to Telegram when fetched). Now the next start answers
    them, and none twice."""
    group = -1_001_000_000_600
    async with FakeBotApi(TOKEN, username=BOT_NAME) as api:
        bot = BotProcess(api, tmp_path / "bot", extra_env=CLOCK)
        await bot.start()
        asked = flood_group(api, group, 30)
        for _ in range(20):
            await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == group)
        await api.wait_for_call(
            "getUpdates", lambda p: int(p.get("offset") or 0) > 30, answered=False
        )
        assert bot.process is not None
        bot.process.kill()
        await bot.stop()
        assert len(group_replies(api, group)) < 30
        await bot.start()
        try:
            await replies_reach(api, group, 30)
            replies = group_replies(api, group)
            assert sorted(replies) == sorted(asked)  # every question answered exactly once
        finally:
            await bot.stop()


async def test_sigterm_stops_within_the_grace_and_hands_back_the_rest(tmp_path: Path) -> None:
    group = -1_001_000_000_700
    env = CLOCK
    async with FakeBotApi(TOKEN, username=BOT_NAME) as api:
        bot = BotProcess(api, tmp_path / "bot", extra_env=env)
        await bot.start()
        asked = flood_group(api, group, 30)
        for _ in range(20):
            await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == group)
        started = asyncio.get_running_loop().time()
        assert await bot.stop() == 0
        assert asyncio.get_running_loop().time() - started < 3  # 0.5 s grace plus shutdown
        assert "handed back for the next start" in bot.output()
        answered = len(group_replies(api, group))
        assert answered < 30
        await bot.start()
        try:
            await replies_reach(api, group, 30)
            assert sorted(group_replies(api, group)) == sorted(asked)
        finally:
            await bot.stop()


# ------------------------------------------------------------------ 3. a flood limit, one chat


async def test_a_flood_limit_for_one_chat_pauses_only_that_chat() -> None:
    """A 429 for one chat used to pause every send of the bot for ``retry_after``."""
    limiter = RetryingRateLimiter()
    sent: list[int] = []

    async def send(chat: int) -> JSON:
        if chat == 1 and not sent:
            sent.append(0)
            raise RetryAfter(30)
        sent.append(chat)
        return True

    async def request(chat: int) -> JSON:
        return await limiter.process_request(
            send, (chat,), {}, "sendMessage", {"chat_id": chat}, None
        )

    paused = asyncio.ensure_future(request(1))
    await asyncio.sleep(0.01)  # chat 1 got its 429 and waits 30 s
    assert await asyncio.wait_for(request(2), timeout=1) is True
    assert sent == [0, 2] and not paused.done()
    paused.cancel()
    with pytest.raises(asyncio.CancelledError):
        await paused


# ------------------------------------------------------------------ 7. a rejected token


async def test_a_rejected_token_is_one_clear_line_and_exit_code_2(tmp_path: Path) -> None:
    """A token the server rejects used to print ``InvalidToken: The token ... was rejected``
    with the whole token, through Python's default exception hook."""
    wrong = "123456:WRONG-secret-token-value"
    async with FakeBotApi(TOKEN) as api:
        bot = BotProcess(api, tmp_path / "bot", extra_env={"TELEGRAM_BOT_TOKEN": wrong})
        with pytest.raises(AssertionError, match="exited with 2"):
            await bot.start()
        await bot.stop()
        output = bot.output()
        assert "WRONG-secret" not in output
        assert "Traceback" not in output
        assert "rejected the bot token" in bot.stderr()


# ------------------------------------------------------------------ 6. /reload while others ask


async def test_a_reload_of_a_big_file_does_not_hold_up_other_users(tmp_path: Path) -> None:
    """A 2.5 MB facts file takes the reload a while; a user asking meanwhile is answered first
    (it used to wait for the whole reload: a 50 MB file kept everyone waiting 26 s)."""
    user = 7_100_201
    async with FakeBotApi(TOKEN, username=BOT_NAME) as api:
        api.chat(ADMIN_ID, "private")
        async with BotProcess(api, tmp_path / "bot", admin_ids=[ADMIN_ID], extra_env=CLOCK) as bot:
            rows = "".join(
                f"  - id: filler-{n}\n    topic: format\n    question: Filler number {n}?\n"
                for n in range(30_000)
            )
            (bot.knowledge_dir / "facts" / "big.yaml").write_text("facts:\n" + rows)
            api.push_message(ADMIN_ID, ADMIN_ID, "/reload")
            await api.wait_for_call(
                "getUpdates", lambda p: int(p.get("offset") or 0) > 0, answered=False
            )
            api.push_message(user, user, "who won in 1955?")
            answer = await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == user)
            reload_reply = await api.wait_for_call(
                "sendMessage", lambda p: p["chat_id"] == ADMIN_ID and "previous" in p["text"]
            )
            assert answer.index < reload_reply.index


# ------------------------------------------------------------------ low: long texts


def test_a_long_line_is_never_split_inside_a_tag_or_an_element() -> None:
    """A 5,000-character source URL used to be cut inside its <a>: every answer citing it
    failed. Each chunk must be valid Telegram HTML on its own, and no text may be lost."""
    huge = "https://example.org/" + "x" * 5000
    line = " · ".join(
        [f'<a href="{huge}">example.org</a>']
        + [f'<a href="https://e{n}.org/p">site {n} &amp; more</a>' for n in range(400)]
    )
    chunks = split_message("<b>Title</b>\n" + line)
    assert all(len(chunk) <= 4096 for chunk in chunks)
    shown = "".join(parse_html(chunk) for chunk in chunks)  # raises on broken HTML
    assert shown.replace("\n", "") == parse_html("<b>Title</b>" + line).replace("\n", "")


def test_echoed_arguments_are_capped(knowledge: Knowledge) -> None:
    """/subscribe, /unsubscribe and /calendar with a 4,085-character argument echoed it and
    went over Telegram's 4096 characters."""
    words = "x" * 4085
    cal = calendar_for(knowledge, words, datetime(2026, 5, 1, tzinfo=UTC))
    assert cal.outcome is Outcome.USAGE and len(cal.message) < 300 and "…" in cal.message
    with using("en"):
        refusal = not_one([], words, "/subscribe")
    assert refusal is not None and len(refusal) < 300 and "…" in refusal


async def test_a_build_killed_midway_leaves_no_file_after_the_next_start(
    kb_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "index.sqlite3"
    db.parent.mkdir()
    leftover = db.parent / "index.sqlite3.k2j4x9.tmp"  # what kill -9 during /reload leaves
    leftover.write_bytes(b"\0" * 4096)
    unrelated = db.parent / "notes.tmp"
    unrelated.write_bytes(b"keep me")
    await AnswerService(kb_dir, db).start()
    assert not leftover.exists() and unrelated.exists() and db.exists()


async def test_a_command_costs_at_most_one_log_line(tmp_path: Path) -> None:
    """/subscribe logged 12 INFO lines (4.9 GB of log a day from one spamming user)."""
    user = 7_100_301
    async with (
        FakeBotApi(TOKEN, username=BOT_NAME) as api,
        BotProcess(api, tmp_path / "bot", extra_env=CLOCK) as bot,
    ):
        await api.wait_for_call("setMyCommands")
        api.push_message(user, user, "/help")
        await api.wait_for_message(user)
        before = len(bot.output().splitlines())
        for command in ("/subscribe", "/subscriptions", "/unsubscribe", "/next", "/edition 1955"):
            api.push_message(user, user, command)
            await api.wait_for_message(user)
        await asyncio.sleep(0.2)  # lines logged after the reply
        lines = [line for line in bot.output().splitlines()[before:] if " INFO " in line]
        assert len(lines) <= 5, "\n".join(lines)


def test_a_flooding_chat_forgets_only_its_own_long_buttons() -> None:
    """5,000 messages in one chat used to expire everyone's long buttons."""
    memory = ButtonMemory()
    quiet = encode(Tap("a long suggested question " * 4), memory, chat=1)
    for n in range(6000):
        encode(Tap(f"flood question number {n} " * 4), memory, chat=2)
    assert decode(quiet, memory, chat=1) == Tap("a long suggested question " * 4)
    assert decode(quiet, memory, chat=2) is None  # another chat's button is not ours to read


async def test_an_unwritable_database_path_serves_from_memory_and_says_so(tmp_path: Path) -> None:
    """A read-only DATABASE_PATH stopped the bot from starting."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    user = 7_100_401
    env = {**CLOCK, "DATABASE_PATH": str(blocker / "millebot.sqlite3")}
    async with (
        FakeBotApi(TOKEN, username=BOT_NAME) as api,
        BotProcess(api, tmp_path / "bot", extra_env=env) as bot,
    ):
        api.push_message(user, user, "who won in 1955?")
        assert "Moss" in (await api.wait_for_message(user))["text"]
        api.push_message(user, user, "/subscribe")
        subscribed = await api.wait_for_message(user)
        assert "this run" in subscribed["text"] or "restart" in subscribed["text"]
        assert "serving the knowledge from memory" in bot.output()


# ------------------------------------------------------------------ low: a full disk freed


def fill_disk(store: Any) -> None:
    """Every write of the store's connection now fails as on a full disk."""

    class Full:
        """What aiosqlite's execute returns (awaitable, or an async context): a failure."""

        def __await__(self) -> Any:
            raise sqlite3.OperationalError("database or disk is full")
            yield

        async def __aenter__(self) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        async def __aexit__(self, *exc: object) -> None:
            return None

    store._db.execute = lambda *args, **kwargs: Full()
    store._db.executemany = lambda *args, **kwargs: Full()


async def test_after_a_full_disk_is_freed_the_state_file_is_used_again(tmp_path: Path) -> None:
    """The state file stayed abandoned until a restart, and subscriptions made meanwhile
    were lost."""
    path = tmp_path / "state.sqlite3"
    now = datetime(2026, 5, 1, tzinfo=UTC)
    seconds = [0.0]
    subs, stats = SubscriptionStore(path), StatsStore(path, now, write_every=0)
    missed = UnansweredStore(path)
    for store in (subs, stats, missed):
        store.clock = lambda: seconds[0]
        await store.open()
    await subs.subscribe(1, "mille-miglia", None, now)
    for store in (subs, stats, missed):
        fill_disk(store)
    await subs.subscribe(2, "mille-miglia", "it", now)  # the disk is full: kept in memory
    await stats.record("answer")
    await missed.record("who won in 1812?", "unknown", now, asker=5)
    assert not subs.persistent and not stats.persistent and not missed.persistent
    seconds[0] = RETRY_EVERY + 1  # space freed; the next write tries the file again
    await subs.subscribe(3, "mille-miglia", None, now)
    await stats.record("unknown")
    await missed.record("who won in 1812?", "unknown", now, asker=6)
    assert subs.persistent and stats.persistent and missed.persistent
    for store in (subs, stats, missed):
        await store.close()

    again = SubscriptionStore(path)
    await again.open()
    assert [s.chat_id for s in again.subscribers("mille-miglia")] == [1, 2, 3]
    counts = StatsStore(path, now)
    await counts.open()
    assert (await counts.snapshot()).total == {"answer": 1, "unknown": 1}
    assert [(m.count, m.askers) for m in read_top(path, 5)] == [(2, 2)]
    for store in (again, counts):
        await store.close()


def test_only_private_messages_and_taps_spend_a_users_pace() -> None:
    """Group chatter (privacy mode off) must never earn anyone a "slow down" in the group."""

    def update(chat_type: str, **extra: Any) -> Update:
        chat = {"id": 5 if chat_type == "private" else -5, "type": chat_type}
        user = {"id": 5, "is_bot": False, "first_name": "Ada"}
        body = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "hi", **extra}
        return Update.de_json({"update_id": 1, "message": body}, None)

    assert paced_user(update("private")) == 5
    assert paced_user(update("supergroup")) is None
    pace = UserPace(burst=2, rate=0.5, clock=lambda: 0.0)
    assert [pace.admit(5) for _ in range(4)] == ["yes", "yes", "warn", "no"]


async def test_the_backlog_hands_back_unfinished_updates_and_ignores_resends(
    tmp_path: Path,
) -> None:
    """Killed before confirming, the bot gets the same updates again from Telegram: those it
    had handled are not handled twice, the others once."""
    path = tmp_path / "millebot.backlog.sqlite3"

    def update(n: int) -> Update:
        chat = {"id": 5, "type": "private"}
        body = {"message_id": n, "date": 0, "chat": chat, "text": f"question {n}"}
        return Update.de_json({"update_id": n, "message": body}, None)

    journal = UpdateJournal(path)
    journal.open()
    queue = JournaledQueue(journal)
    for n in (1, 2, 3):
        await queue.put(update(n))
    journal.done(update(1))
    journal.close()  # the kill

    again = UpdateJournal(path)
    again.open()
    queue = JournaledQueue(again)
    assert [u.update_id for u in again.pending(None)] == [2, 3]  # type: ignore[arg-type]
    for n in (1, 2, 3, 4):  # Telegram resends 1-3 (never confirmed) and a new one
        await queue.put(update(n))
    assert [queue.get_nowait().update_id for _ in range(queue.qsize())] == [4]  # type: ignore[attr-defined]
    again.close()
