"""End to end: the real bot (``python -m bot.cli run``) as a subprocess, against a fake Bot API.

What ``tests/test_tg.py`` cannot see is checked here: start-up from the environment, PTB's
wire format, polling, group etiquette, signal handling and what ends up in the logs. The fake
server (``tests/fake_bot_api.py``) runs on 127.0.0.1 only; nothing else is contacted.

Most tests share one bot process (module scope) because starting one costs ~1 s on a shared
2-core box; they stay independent by using chat and user ids no other test uses. Tests that
change the bot's knowledge or stop it get a process of their own (``own_bot``).

"No reply" is never asserted by sleeping: the bot handles each chat's updates in order (chats
side by side, bot/tg/chats.py), so once it has answered a later message *in the same chat* (a
*barrier*), it has finished with every earlier one there. A barrier in another chat only
bounds the wait for a reply that should come.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.fake_bot_api import BotProcess, FakeBotApi, Params, Predicate

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOKEN = "123456:TEST-token-e2e"
BOT_USERNAME = "millebot_test"
ADMIN_ID = 5_550_001
NOW = "2026-05-01T10:00:00+02:00"  # the bot's injected clock: five weeks before the 2026 race
CLOCK = {"MILLEBOT_NOW": NOW}
GRACE = 3.0
"""How long to wait, after a barrier, for a reply the bot should have sent: with updates
handled in order the reply is already there, so a missing reply fails in seconds rather than
after the full 15 s bound."""

_user_ids = itertools.count(7_000_001)
_group_ids = itertools.count(1)


def new_user() -> int:
    """A user id (and private chat id) that no other test uses."""
    return next(_user_ids)


def new_group() -> int:
    """A supergroup id (negative, in Telegram's -100... form) that no other test uses."""
    return -1_001_000_000_000 - next(_group_ids)


async def barrier(api: FakeBotApi) -> None:
    """A fresh chat's /help answered: the bot is responsive; a bound, not an ordering (see the
    module docstring)."""
    user = new_user()
    api.push_message(user, user, "/help")
    await api.wait_for_message(user)


async def expect_call(api: FakeBotApi, method: str, predicate: Predicate) -> Params:
    """A call the bot should have made: bounded by a barrier plus ``GRACE``."""
    await barrier(api)
    return await api.wait_for(method, predicate, timeout=GRACE)


async def expect_message(api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """A message the bot should have sent to ``chat_id``: bounded by a barrier plus ``GRACE``."""
    await barrier(api)
    return await api.wait_for_message(chat_id, timeout=GRACE)


def button_data(message: dict[str, Any]) -> list[str]:
    """The callback_data of every inline button under ``message``, row by row."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def new_api() -> FakeBotApi:
    """A fake API where the admin has talked to the bot before (as in real life: otherwise
    Telegram rejects an admin-only command menu with "chat not found")."""
    fake = FakeBotApi(TOKEN, username=BOT_USERNAME)
    fake.chat(ADMIN_ID, "private")
    return fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    """One bot process for the tests that neither stop it nor change its knowledge."""
    async with (
        new_api() as api,
        BotProcess(
            api, tmp_path_factory.mktemp("shared-bot"), admin_ids=[ADMIN_ID], extra_env=CLOCK
        ) as bot,
    ):
        yield bot


@pytest_asyncio.fixture(loop_scope="module")
async def api(shared_bot: BotProcess, request: pytest.FixtureRequest) -> AsyncIterator[FakeBotApi]:
    """The shared bot's Bot API; after the test, fails it if any call of the bot was rejected
    (an unknown method, broken HTML, a reply to a missing message: a user missed something).
    Skipped for xfail tests, whose features are still being built."""
    fake = shared_bot.api
    start = fake.mark()
    yield fake
    if request.node.get_closest_marker("xfail") is None:
        rejected = [call.short() for call in fake.errors(after=start)]
        assert not rejected, f"the Bot API rejected calls of the bot: {rejected}"


@pytest_asyncio.fixture(loop_scope="module")
async def own_bot(tmp_path: Path) -> AsyncIterator[BotProcess]:
    """A bot process of the test's own, for tests that stop it or break its knowledge."""
    async with (
        new_api() as fake,
        BotProcess(fake, tmp_path / "bot", admin_ids=[ADMIN_ID], extra_env=CLOCK) as bot,
    ):
        yield bot


# ------------------------------------------------------------------ private chats


async def test_start_in_private_gets_a_welcome(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "/start")
    welcome = await api.wait_for_call("sendMessage", lambda p: p["chat_id"] == user)
    assert welcome.params.get("parse_mode") == "HTML"
    assert "Mille Miglia" in welcome.result["text"]


async def test_question_in_private_is_answered(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "Who won the Mille Miglia in 1955?")
    answer = await api.wait_for_message(user)
    assert "Moss" in answer["text"]


async def test_question_with_typos_is_answered(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "who wonn the mille miglia in 1931")
    answer = await api.wait_for_message(user)
    assert "Caracciola" in answer["text"]


# ------------------------------------------------------------------ groups


async def test_group_chatter_and_other_bots_commands_get_no_reply(api: FakeBotApi) -> None:
    group, user = new_group(), new_user()
    start = api.mark()
    api.push_message(group, user, "nice weather today", chat_type="supergroup")
    api.push_message(group, user, "who won in 1955?", chat_type="supergroup")
    api.push_message(group, user, "/next@some_other_bot", chat_type="supergroup")
    api.push_message(group, user, f"/help@{BOT_USERNAME}", chat_type="supergroup")  # barrier
    await api.wait_for_message(group)
    assert len(api.sent_to(group, after=start)) == 1, "the group got more than the /help reply"


async def test_group_mention_is_answered(api: FakeBotApi) -> None:
    group, user = new_group(), new_user()
    api.push_message(group, user, f"@{BOT_USERNAME} who won in 1955?", chat_type="supergroup")
    answer = await api.wait_for_message(group)
    assert "Moss" in answer["text"]
    assert f"@{BOT_USERNAME}" not in answer["text"]


async def test_group_reply_to_the_bot_is_answered(api: FakeBotApi) -> None:
    group, user = new_group(), new_user()
    api.push_message(group, user, f"/next@{BOT_USERNAME}", chat_type="supergroup")
    bots_message = await api.wait_for_message(group)
    api.push_message(
        group, user, "and who won in 1955?", chat_type="supergroup", reply_to_message=bots_message
    )
    answer = await api.wait_for_message(group)
    assert "Moss" in answer["text"]


async def test_group_command_addressed_to_the_bot_is_answered(api: FakeBotApi) -> None:
    group, user = new_group(), new_user()
    api.push_message(group, user, f"/next@{BOT_USERNAME}", chat_type="supergroup")
    answer = await api.wait_for_message(group)
    assert "Mille Miglia" in answer["text"]


# ------------------------------------------------------------------ start-up and shutdown


async def test_command_menus_are_set_at_start_up(shared_bot: BotProcess) -> None:
    fake = shared_bot.api
    first_poll = next(c.index for c in fake.calls if c.method == "getUpdates")
    assert any(c.method == "setMyCommands" for c in fake.calls[:first_poll]), "not at start-up"
    for chat_id in (new_user(), new_group()):
        menu = fake.menu_for(chat_id)
        assert {"next", "help"} <= set(menu), f"menu in chat {chat_id}: {menu}"
        assert "reload" not in menu, "an admin command in everyone's menu"


async def test_a_second_instance_on_the_same_token_stops_with_a_clear_line(
    own_bot: BotProcess,
) -> None:
    fake = own_bot.api
    fake.fail_next_call(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
    )
    user = new_user()
    fake.push_message(user, user, "/help")  # ends the pending long poll; the next one fails
    for _ in range(100):
        if own_bot.returncode is not None:
            break
        await asyncio.sleep(0.1)
    code = await own_bot.stop(timeout=10.0)
    assert code == 3, own_bot.output()
    assert "another instance of this bot is running with the same token" in own_bot.output()


async def test_stops_cleanly_on_sigterm_and_never_logs_the_token(own_bot: BotProcess) -> None:
    fake = own_bot.api
    user = new_user()
    fake.push_message(user, user, "/start")
    await fake.wait_for_message(user)
    # A hiccup (500) is retried: the user still gets the answer.
    fake.fail_next_call("sendMessage", 500, "Internal Server Error")
    fake.push_message(user, user, "Who won the Mille Miglia in 1955?")
    answer = await fake.wait_for_message(user)
    assert "Moss" in answer["text"]
    # A reply Telegram rejects (400) is not retried: the bot logs the error with its traceback
    # and the user gets a short apology instead of silence. That log is what the token check
    # below is about.
    fake.fail_next_call("sendMessage", 400, "Bad Request: can't parse entities")
    fake.push_message(user, user, "Who won the Mille Miglia in 1931?")
    apology = await fake.wait_for_message(user)
    assert "Traceback" not in apology["text"]
    assert "Caracciola" not in apology["text"]  # the answer itself was the message that failed

    code = await own_bot.stop(timeout=10.0)

    assert code == 0, own_bot.output()
    final_poll = fake.calls_of("getUpdates")[-1]
    assert final_poll.get("offset", 0) > fake.last_update_id, "updates not confirmed on stop"
    output = own_bot.output()
    assert "retry 1 of 3" in output, "the retried reply should be in the log"
    assert "can't parse entities" in output.lower(), "the failed reply should be in the log"
    assert TOKEN not in output
    assert TOKEN.split(":", 1)[1] not in output


async def test_the_token_is_not_logged_even_at_debug_level(tmp_path: Path) -> None:
    async with (
        new_api() as fake,
        BotProcess(fake, tmp_path / "bot", log_level="DEBUG") as bot,
    ):
        user = new_user()
        fake.push_message(user, user, "Who won the Mille Miglia in 1955?")
        await fake.wait_for_message(user)
    assert TOKEN.split(":", 1)[1] not in bot.output()


# ------------------------------------------------------------------ buttons, reload, inline, edits


async def test_tapping_an_example_question_answers_it(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "/start")
    welcome = await api.wait_for_message(user)
    buttons = button_data(welcome)
    assert len(buttons) == 3, f"expected 3 example questions under the welcome: {welcome}"

    query = api.push_callback_query(user, welcome, buttons[0])

    await expect_call(api, "answerCallbackQuery", lambda p: p["callback_query_id"] == query["id"])
    answer = await expect_message(api, user)
    assert answer["text"].strip()


async def test_admin_reload_reports_problems_and_keeps_answering(own_bot: BotProcess) -> None:
    fake = own_bot.api
    assert "reload" in fake.menu_for(ADMIN_ID), "admins should find /reload in their menu"
    fake.push_message(ADMIN_ID, ADMIN_ID, "/reload")
    summary = await expect_message(fake, ADMIN_ID)
    assert "Reloaded the knowledge base" in summary["text"]

    # A knowledge editor leaves an unclosed list: the header comments stay, so the problem is
    # reported a few lines down, not at line 1.
    broken = own_bot.knowledge_dir / "editions" / "mille-miglia-revival.yaml"
    header = [line for line in broken.read_text(encoding="utf-8").splitlines() if line][:5]
    broken.write_text("\n".join([*header, "editions: ["]) + "\n", encoding="utf-8")
    fake.push_message(ADMIN_ID, ADMIN_ID, "/reload")
    problems = await expect_message(fake, ADMIN_ID)
    assert re.search(r"mille-miglia-revival\.yaml:\d+", problems["text"]), problems["text"]

    fake.push_message(ADMIN_ID, ADMIN_ID, "Who won the Mille Miglia in 1955?")
    answer = await fake.wait_for_message(ADMIN_ID)
    assert "Moss" in answer["text"], "a failed reload must keep the knowledge that worked"

    stranger = new_user()
    fake.push_message(stranger, stranger, "/reload")
    refusal = await expect_message(fake, stranger)
    assert "Traceback" not in refusal["text"]
    assert "mille-miglia-revival" not in refusal["text"]


async def test_inline_query_offers_a_few_answers(api: FakeBotApi) -> None:
    query = api.push_inline_query(new_user(), "1955")
    params = await expect_call(
        api, "answerInlineQuery", lambda p: p["inline_query_id"] == query["id"]
    )
    assert 1 <= len(params["results"]) <= 10
    assert "cache_time" in params, "without cache_time Telegram caches answers for 300 s"
    assert params["cache_time"] <= 60


async def test_a_cards_tabs_switch_the_same_message(api: FakeBotApi) -> None:
    """Issue 14: Winners / Route / Reports edit the card in place, the active tab marked."""
    user = new_user()
    api.push_message(user, user, "/edition 2014")
    card = await api.wait_for_message(user)
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["• Card", "Winners", "Route", "Reports", "Map"]
    before = api.mark()
    api.push_callback_query(user, card, button_data(card)[2])  # Route
    edit = await expect_call(
        api,
        "editMessageText",
        lambda p: p["chat_id"] == user and p["message_id"] == card["message_id"],
    )
    assert "Route of the 2014 Mille Miglia" in edit["text"]
    assert "• Route" in str(edit["reply_markup"])
    edits = len(api.calls_of("editMessageText"))
    api.push_callback_query(user, api.message(user, card["message_id"]), button_data(card)[2])
    await barrier(api)
    assert not api.sent_to(user, after=before)  # nothing posted under the card
    assert len(api.calls_of("editMessageText")) == edits  # the shown tab: no call at all


async def test_editing_a_question_edits_the_answer(api: FakeBotApi) -> None:
    user = new_user()
    question = api.push_message(user, user, "Who won the Mille Miglia in 1955?")
    first = await api.wait_for_message(user)
    assert "Moss" in first["text"]

    api.push_edited_message(question, "Who won the Mille Miglia in 1931?")

    edit = await expect_call(
        api,
        "editMessageText",
        lambda p: p["chat_id"] == user and p["message_id"] == first["message_id"],
    )
    assert "Caracciola" in edit["text"]


# ------------------------------------------------------------------ follow the race


async def test_an_italian_user_is_answered_in_italian(api: FakeBotApi) -> None:
    user = new_user()
    api.user(user, language_code="it")
    api.push_message(user, user, "/start")
    welcome = await api.wait_for_message(user)
    assert "Benvenuto" in welcome["text"]
    api.push_message(user, user, "/next")
    countdown = await api.wait_for_message(user)
    assert "9-13 giugno 2026" in countdown["text"], countdown["text"]


async def test_calendar_sends_an_ics_that_parses_back(api: FakeBotApi) -> None:
    from icalendar import Calendar

    user = new_user()
    api.push_message(user, user, "/calendar")
    params = await api.wait_for("sendDocument", lambda p: p["chat_id"] == user)
    document = params["document"]
    assert document["filename"].endswith(".ics")
    calendar = Calendar.from_ical(document["data"])
    (event,) = [c for c in calendar.walk("VEVENT")]
    assert str(event.decoded("DTSTART")) == "2026-06-09"


async def test_subscribe_names_the_time_zone_and_lists_the_subscription(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "/subscribe")
    confirmation = await api.wait_for_message(user)
    assert "Europe/Rome" in confirmation["text"], confirmation["text"]
    api.push_message(user, user, "/subscriptions")
    listing = await api.wait_for_message(user)
    assert "Mille Miglia" in listing["text"]


# ------------------------------------------------------------------ the fake itself
# Quick checks that the harness behaves like Telegram where the tests above rely on it.


async def test_fake_api_checks_the_token_and_knows_its_methods() -> None:
    async with FakeBotApi(TOKEN) as fake, aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}123456:wrong/getMe") as response:
            assert response.status == 401
        async with http.post(f"{fake.base_url}{TOKEN}/sendSticker", data={"chat_id": "1"}) as r:
            assert r.status == 404
            assert (await r.json())["description"] == "Not Found: method not found"
        assert fake.unknown_methods() == ["sendSticker"]


async def test_fake_api_decodes_form_and_json_parameters_alike() -> None:
    markup = {"inline_keyboard": [[{"text": "1955", "callback_data": "a:1955"}]]}
    async with FakeBotApi(TOKEN) as fake, aiohttp.ClientSession() as http:
        chat = fake.chat(42)["id"]
        form = {"chat_id": str(chat), "text": "1955", "reply_markup": json.dumps(markup)}
        json_body = {"chat_id": chat, "text": "1955", "reply_markup": markup}
        async with http.post(f"{fake.base_url}{TOKEN}/sendMessage", data=form) as response:
            assert response.status == 200
        async with http.post(f"{fake.base_url}{TOKEN}/sendMessage", json=json_body) as response:
            assert response.status == 200
        assert fake.calls_of("sendMessage") == [json_body, json_body]  # "1955" stays a string


async def test_fake_api_long_poll_wakes_up_on_an_update_and_honours_its_timeout() -> None:
    async with FakeBotApi(TOKEN) as fake, aiohttp.ClientSession() as http:
        url = f"{fake.base_url}{TOKEN}/getUpdates"
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with http.post(url, data={"timeout": "0.2"}) as response:
            assert (await response.json())["result"] == []
        assert 0.2 <= loop.time() - started < 2

        poll = asyncio.ensure_future(http.post(url, data={"timeout": "10"}))
        await fake.wait_for_call("getUpdates", answered=False, after=1)
        fake.push_message(42, 42, "/start")
        async with await asyncio.wait_for(poll, 2) as response:
            (update,) = (await response.json())["result"]
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

        async with http.post(url, data={"offset": str(update["update_id"] + 1)}) as response:
            assert (await response.json())["result"] == [], "an offset confirms earlier updates"


# ------------------------------------------------------------------ pictures (issue 12)


async def test_a_map_is_uploaded_once_then_resent_by_file_id(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "/map 2014")
    first = await api.wait_for("sendPhoto", lambda p: p["chat_id"] == user)
    upload = first["photo"]
    assert isinstance(upload, dict) and upload["data"].startswith(b"\x89PNG\r\n\x1a\n")
    assert "Brescia - Padova - Rome" in first["caption"]
    other = new_user()
    api.push_message(other, other, "show me the 2014 route on a map")
    second = await api.wait_for("sendPhoto", lambda p: p["chat_id"] == other)
    assert isinstance(second["photo"], str) and api.photos[second["photo"]] == upload["data"]


async def test_a_long_map_caption_is_cut_to_telegrams_limit(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "/map 2026")  # its text answer is over 1,024 characters
    params = await api.wait_for("sendPhoto", lambda p: p["chat_id"] == user)
    caption = params["caption"]
    assert len(caption) <= 1024 and caption.endswith("…"), len(caption)
    # the api fixture fails the test if the fake Bot API rejected the caption as too long


# ------------------------------------------------------------------ conversations (issue 11)


async def ask(api: FakeBotApi, chat_id: int, user_id: int, text: str, **how: Any) -> str:
    """Send ``text`` as ``user_id`` in ``chat_id``; the text of the bot's answer."""
    api.push_message(chat_id, user_id, text, **how)
    answer = await api.wait_for_message(chat_id)
    return str(answer["text"])


async def test_a_three_turn_private_conversation(api: FakeBotApi) -> None:
    user = new_user()
    assert "Moss" in await ask(api, user, user, "who won in 1955?")

    car = await ask(api, user, user, "what car did he drive?")
    year = await ask(api, user, user, "and in 1956?")

    assert "300 SLR" in car and "1955" in car
    assert "Castellotti" in year and "1956" in year


async def test_two_users_in_one_group_never_share_a_conversation(api: FakeBotApi) -> None:
    group, alice, bob = new_group(), new_user(), new_user()
    group_chat = {"chat_type": "supergroup"}
    await ask(api, group, alice, f"@{BOT_USERNAME} who won in 1955?", **group_chat)
    await ask(api, group, bob, f"@{BOT_USERNAME} who won in 1931?", **group_chat)

    to_alice = await ask(api, group, alice, f"@{BOT_USERNAME} and the year after?", **group_chat)
    to_bob = await ask(api, group, bob, f"@{BOT_USERNAME} and the year after?", **group_chat)

    assert "1956" in to_alice and "Castellotti" in to_alice
    assert "1932" in to_bob and "Borzacchini" in to_bob


async def test_a_reply_to_an_older_answer_resumes_its_subject(api: FakeBotApi) -> None:
    user = new_user()
    api.push_message(user, user, "who won in 1955?")
    older = await api.wait_for_message(user)
    await ask(api, user, user, "who won in 1931?")

    resumed = await ask(api, user, user, "and the year after?", reply_to_message=older)

    assert "1956" in resumed and "Castellotti" in resumed  # not 1932


async def test_a_conversation_survives_a_restart_of_the_bot(own_bot: BotProcess) -> None:
    fake, user = own_bot.api, new_user()
    assert "Moss" in await ask(fake, user, user, "who won in 1955?")

    assert await own_bot.stop() == 0
    await own_bot.start()
    after = await ask(fake, user, user, "and the year after?")

    assert "1956" in after and "Castellotti" in after
