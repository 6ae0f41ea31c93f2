"""Follow-up questions on Telegram (issue 11): which conversation a message continues.

Driven through python-telegram-bot with the recording request of ``tests/test_tg.py``; the
contexts live in the application's own store (in memory here: the fixture does not open the
state file, which ``tests/test_contextstore.py`` covers).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_tg import (  # noqa: F401  (the fixtures under ``bot``)
    BOT_ID,
    app,
    built_index,
    buttons_of,
    callback,
    inline,
    keyboard_of,
    last_sent,
    message,
    process,
    send,
)

ALICE, BOB = 11, 12


@pytest.fixture
def bot(app: Any) -> Any:  # noqa: F811
    """The application of ``tests/test_tg.py`` (its contexts kept in memory)."""
    return app


def replying_to(payload: dict[str, Any], answer_id: int) -> dict[str, Any]:
    """``payload`` as a reply to the bot's message ``answer_id``."""
    body = payload["message"]
    body["reply_to_message"] = {
        "message_id": answer_id,
        "date": 0,
        "chat": body["chat"],
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mille"},
        "text": "an earlier answer",
    }
    return payload


def answer_id(bot: Any, payload: dict[str, Any]) -> int:
    """The id of the bot's (last) message answering ``payload``."""
    body = payload["message"]
    return int(bot.bot_data["state"].answers[(body["chat"]["id"], body["message_id"])][-1])


async def test_a_follow_up_in_private_is_read_against_the_previous_answer(bot: Any) -> None:
    assert "Moss" in (await send(bot, message("who won in 1955?")))[-1]

    car = (await send(bot, message("what car did he drive?")))[-1]
    year = (await send(bot, message("and in 1956?")))[-1]

    assert "300 SLR" in car and "1955" in car
    assert "Castellotti" in year and "1956" in year


async def test_two_users_in_one_group_keep_their_own_conversations(bot: Any) -> None:
    await send(bot, message("@millebot who won in 1955?", "supergroup", user=ALICE))
    await send(bot, message("@millebot who won in 1931?", "supergroup", user=BOB))

    alice = (await send(bot, message("@millebot and the year after?", "supergroup", ALICE)))[-1]
    bob = (await send(bot, message("@millebot and the year after?", "supergroup", BOB)))[-1]

    assert "1956" in alice and "Castellotti" in alice
    assert "1932" in bob and "Borzacchini" in bob


async def test_a_reply_to_an_older_answer_resumes_that_answers_subject(bot: Any) -> None:
    question = message("who won in 1955?")
    await send(bot, question)
    await send(bot, message("who won in 1931?"))

    resumed = (
        await send(bot, replying_to(message("and the year after?"), answer_id(bot, question)))
    )[-1]
    latest = (await send(bot, message("and the year after?")))[-1]

    assert "1956" in resumed and "Castellotti" in resumed  # not 1932: the older answer's subject
    assert "1957" in latest  # the resumed thread is the conversation now


async def test_a_tapped_button_continues_the_conversation(bot: Any) -> None:
    question = message("who won in 1931?")
    first = last_sent(await process(bot, question))
    await send(bot, message("who won in 1955?"))
    card = buttons_of(first)[0]["callback_data"]  # "Card": the 1931 edition, shown in place

    await process(bot, callback(card, message_id=answer_id(bot, question)))
    after = (await send(bot, message("and the year after?")))[-1]

    assert "1932" in after  # the tapped answer's subject, now the user's


async def test_inline_queries_leave_the_conversation_alone(bot: Any) -> None:
    await send(bot, message("who won in 1955?"))
    await process(bot, inline("1931"))
    after = (await send(bot, message("and the year after?")))[-1]

    assert "1956" in after


async def test_suggested_next_questions_sit_under_the_tabs_and_answer_when_tapped(
    bot: Any,
) -> None:
    question = message("who won in 1955?")
    answer = last_sent(await process(bot, question))
    rows = [[b["text"] for b in row] for row in keyboard_of(answer)]
    data = {b["text"]: b["callback_data"] for b in buttons_of(answer)}

    assert rows == [
        ["Card", "• Winners"],
        ["Who was Stirling Moss?"],
        ["Who was Denis Jenkinson?"],
        ["And in 1956?"],
    ]
    assert all(len(d.encode()) <= 64 and "#" not in d[:2] for d in data.values())  # restart-safe
    tapped = callback(data["And in 1956?"], message_id=answer_id(bot, question))
    assert "Castellotti" in (await send(bot, tapped))[-1]
    jenks = callback(data["Who was Denis Jenkinson?"], message_id=answer_id(bot, question))
    assert "Jenkinson" in (await send(bot, jenks))[-1]


async def test_an_edited_follow_up_is_read_in_the_conversation_and_edits_its_answer(
    bot: Any,
) -> None:
    await send(bot, message("who won in 1955?"))
    follow_up = message("and in 1956?", message_id=5000)
    assert "Castellotti" in (await send(bot, follow_up))[-1]

    calls = await process(bot, message("and in 1957?", message_id=5000, edited=True))
    edits = [p for m, p in calls if m == "editMessageText"]

    assert edits and "Taruffi" in str(edits[-1]["text"])
    after = (await send(bot, message("and the year after?")))[-1]
    assert "1958" in after  # the edited answer's subject is the conversation's now


async def test_help_in_between_does_not_end_the_conversation(bot: Any) -> None:
    await send(bot, message("who won in 1955?"))
    await send(bot, message("/help"))

    after = (await send(bot, message("and the year after?")))[-1]

    assert "1956" in after and "Castellotti" in after
