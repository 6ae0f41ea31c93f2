"""Reminders: the schedule across time (injected clock), the texts, the store, the Telegram side.

The schedule is a pure function of the knowledge and ``now``, tested without Telegram. The
Telegram tests drive the handlers through ``process_update`` with a recording request (no
network) and a clock the test moves; the job queue fires on the real clock, so jobs are never
waited for: a test inspects ``job_queue.jobs()`` or runs a job's callback itself.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.core.answer import Answerer
from bot.core.i18n import using
from bot.core.index import state_path
from bot.core.model import Edition, Event, Knowledge, Status
from bot.core.reminders import (
    REMINDER_TIME,
    Change,
    Reminder,
    change_text,
    date_changes,
    due_reminders,
    next_text,
    reminder_text,
    reminders_for,
)
from bot.core.service import AnswerService
from bot.core.subscriptions import SubscriptionStore
from bot.settings import Settings
from bot.tg import reminders
from bot.tg.app import build_application
from tests.test_tg import BOT_ID, RecordingRequest, built_index  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
ROME = "Europe/Rome"
MM = "mille-miglia"
ADMIN = 1
USER = 7
PRIVATE = 100
GROUP = -100
EDITIONS = "editions/mille-miglia-revival.yaml"
START, END = date(2026, 6, 9), date(2026, 6, 13)  # the real knowledge: 9-13 June 2026


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def event(id: str = MM, timezone: str = ROME, name: str = "Mille Miglia") -> Event:
    return Event(id, name, (), "race", "Brescia", timezone, "1927", None, None, None, "")


def edition(
    start: date | None = START,
    end: date | None = END,
    status: Status = Status.SCHEDULED,
    year: int = 2026,
    event_id: str = MM,
    route: tuple[str, ...] = (),
) -> Edition:
    return Edition(event_id, year, status, start=start, end=end, route=route)


def kinds(due: list[Reminder]) -> list[str]:
    return [r.kind if r.kind != "day" else f"day{r.day_index}" for r in due]


# ----------------------------------------------------------------- the schedule across time


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 4, 1), ["30d", "7d", "1d", "day1", "day2", "day3", "day4", "day5"]),
        (utc(2026, 5, 20), ["7d", "1d", "day1", "day2", "day3", "day4", "day5"]),
        (utc(2026, 6, 5), ["1d", "day1", "day2", "day3", "day4", "day5"]),  # between 7d and 1d
        (utc(2026, 6, 10, 12), ["day3", "day4", "day5"]),  # during: the remaining days
        (utc(2026, 6, 10, 7), ["day3", "day4", "day5"]),  # 09:00 in Rome: that one is due now
        (utc(2026, 6, 10, 6, 59), ["day2", "day3", "day4", "day5"]),
        (utc(2026, 6, 13, 12), []),  # last day, after its reminder
        (utc(2026, 6, 14), []),  # after the edition
    ],
)
def test_the_schedule_keeps_what_is_still_due(now: datetime, expected: list[str]) -> None:
    assert kinds(reminders_for(edition(), event(), now)) == expected


def test_an_edition_without_dates_or_cancelled_has_no_reminders() -> None:
    now = utc(2026, 1, 1)
    assert reminders_for(edition(None, None), event(), now) == []
    assert reminders_for(edition(status=Status.CANCELLED), event(), now) == []
    assert kinds(reminders_for(edition(START, None), event(), now))[-2:] == ["1d", "day1"]


def test_reminders_are_at_nine_in_the_events_zone() -> None:
    due = reminders_for(edition(), event(), utc(2026, 1, 1))
    assert all(r.at.tzinfo is not None and str(r.at.tzinfo) == ROME for r in due)
    assert all(r.at.timetz().replace(tzinfo=None) == REMINDER_TIME for r in due)
    assert due[0].at.astimezone(UTC) == utc(2026, 5, 10, 7)  # CEST: 09:00 Rome is 07:00 UTC
    california = event("california-mille", "America/Los_Angeles", "California Mille")
    ed = edition(date(2026, 4, 26), date(2026, 4, 29), event_id="california-mille")
    assert reminders_for(ed, california, utc(2026, 4, 28))[0].at.astimezone(UTC) == utc(
        2026, 4, 28, 16
    )


def test_reminders_stay_at_nine_local_across_a_change_of_clocks() -> None:
    # Summer time starts in Italy on 28 March 2027: 09:00 is 08:00 UTC before, 07:00 after.
    due = reminders_for(
        edition(date(2027, 3, 26), date(2027, 3, 30), year=2027), event(), utc(2027, 1, 1)
    )
    days = {r.day_index: r.at.astimezone(UTC) for r in due if r.kind == "day"}
    assert days[1] == utc(2027, 3, 26, 8) and days[5] == utc(2027, 3, 30, 7)


def test_a_naive_now_is_utc_and_keys_name_edition_kind_and_date() -> None:
    due = reminders_for(edition(), event(), datetime(2026, 6, 10, 6, 59))
    assert kinds(due)[0] == "day2"
    assert [r.key for r in due][:2] == [
        "mille-miglia/2026:day:2026-06-10",
        "mille-miglia/2026:day:2026-06-11",
    ]
    assert due[0].event == MM


def test_due_reminders_cover_every_edition_of_the_event_in_order() -> None:
    knowledge = Knowledge(
        events=(event(),),
        editions=(
            edition(date(2027, 5, 11), date(2027, 5, 15), year=2027),
            edition(),
            edition(date(2025, 6, 17), date(2025, 6, 21), status=Status.HELD, year=2025),
        ),
    )
    due = due_reminders(knowledge, MM, utc(2026, 6, 12, 12))
    assert [r.edition_key for r in due] == ["mille-miglia/2026"] + ["mille-miglia/2027"] * 8
    assert due_reminders(knowledge, "no-such-event", utc(2026, 1, 1)) == []


# ----------------------------------------------------------------- texts


def test_texts_name_the_zone_in_english_and_italian() -> None:
    ed = edition(route=("Brescia", "Rome", "Brescia"))
    due = reminders_for(ed, event(), utc(2026, 1, 1))
    with using("en"):
        assert reminder_text(due[0], ed, event()) == (
            "Mille Miglia 2026 reminder: it starts in 30 days, on Tuesday 9 June 2026 "
            "(Europe/Rome). Dates: 9-13 June 2026."
        )
        assert "starts tomorrow, Tuesday 9 June 2026 (Europe/Rome)" in reminder_text(
            due[2], ed, event()
        )
        day2 = reminder_text(due[4], ed, event())
    assert day2.startswith("Day 2 of 5 of the Mille Miglia 2026 today, Wednesday 10 June 2026")
    assert "(Europe/Rome)" in day2 and "Brescia - Rome - Brescia" in day2
    assert "daily stages" in day2
    with using("it"):
        assert reminder_text(due[0], ed, event()) == (
            "Promemoria Mille Miglia 2026: si parte tra 30 giorni, martedì 9 giugno 2026 "
            "(Europe/Rome). Date: 9-13 giugno 2026."
        )
        assert "si parte domani" in reminder_text(due[2], ed, event())
        giorno = reminder_text(due[4], ed, event())
        no_route = reminder_text(due[4], edition(), event())
    assert giorno.startswith("Mille Miglia 2026, giorno 2 di 5: oggi, mercoledì 10 giugno 2026")
    assert "(Europe/Rome)" in giorno and "tappe giornaliere" in giorno
    assert "né il percorso né le tappe" in no_route


def test_the_next_reminder_is_named_with_its_zone() -> None:
    knowledge = Knowledge(events=(event(),), editions=(edition(),))
    with using("en"):
        assert next_text(knowledge, event(), utc(2026, 5, 1)) == (
            "Next reminder: Sunday 10 May 2026 at 09:00 (Europe/Rome), "
            "for the Mille Miglia 2026 (9-13 June 2026)."
        )
        assert "not announced yet" in next_text(knowledge, event(), utc(2026, 7, 1))
    with using("it"):
        assert next_text(knowledge, event(), utc(2026, 5, 1)).startswith(
            "Prossimo promemoria: domenica 10 maggio 2026 alle 09:00 (Europe/Rome)"
        )


# ----------------------------------------------------------------- dates announced or changed


def test_date_changes_finds_announced_and_changed_dates_only() -> None:
    old = Knowledge(
        events=(event(),),
        editions=(
            edition(None, None),
            edition(date(2027, 5, 1), date(2027, 5, 5), year=2027),
            edition(date(2028, 5, 1), date(2028, 5, 5), year=2028),
            edition(date(1931, 4, 11), date(1931, 4, 12), status=Status.HELD, year=1931),
        ),
    )
    new = Knowledge(
        events=(event(),),
        editions=(
            edition(),  # announced
            edition(date(2027, 5, 8), date(2027, 5, 12), year=2027),  # changed
            edition(date(2028, 5, 1), date(2028, 5, 5), year=2028),  # unchanged
            edition(date(2029, 5, 1), date(2029, 5, 5), year=2029),  # a new edition, dated
            edition(date(1931, 4, 12), date(1931, 4, 13), status=Status.HELD, year=1931),  # past
        ),
    )
    changes = date_changes(old, new, {MM}, utc(2026, 1, 1))
    assert [(c.year, c.announced) for c in changes] == [(2026, True), (2027, False), (2029, True)]
    assert changes[1].old_start == date(2027, 5, 1) and changes[1].start == date(2027, 5, 8)
    assert date_changes(old, new, {"california-mille"}, utc(2026, 1, 1)) == []
    assert date_changes(new, new, {MM}, utc(2026, 1, 1)) == []


def test_change_notes_in_english_and_italian() -> None:
    announced = Change("mille-miglia/2026", MM, 2026, START, END)
    moved = Change("mille-miglia/2026", MM, 2026, date(2026, 6, 16), date(2026, 6, 20), START, END)
    with using("en"):
        assert change_text(announced, event()).startswith(
            "Mille Miglia 2026: the dates are announced: 9-13 June 2026 (Europe/Rome), "
            "starting on Tuesday 9 June 2026."
        )
        assert "now 16-20 June 2026 (Europe/Rome)" in change_text(moved, event())
        assert "before, 9-13 June 2026" in change_text(moved, event())
    with using("it"):
        assert "annunciate le date: 9-13 giugno 2026 (Europe/Rome)" in change_text(
            announced, event()
        )
        assert "prima erano 9-13 giugno 2026" in change_text(moved, event())


# ----------------------------------------------------------------- which event


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("", ["mille-miglia"]),
        ("california-mille", ["california-mille"]),
        ("califronia mille", ["california-mille"]),
        ("1000 Miglia", ["mille-miglia"]),
        ("festa", ["la-festa-mille-miglia"]),
        ("mille miglia festa", ["la-festa-mille-miglia"]),
        ("Mille-Miglia", ["mille-miglia"]),
        ("xyzzy", []),
    ],
)
def test_find_events(answerer: Answerer, words: str, expected: list[str]) -> None:
    found = answerer.event_names.resolve(words)
    assert [e.id for e in found] == expected


def test_a_word_shared_by_several_events_lists_them(answerer: Answerer) -> None:
    found = answerer.event_names.resolve("tribute")
    assert len(found) > 1 and "ferrari-tribute" in {e.id for e in found}


# ----------------------------------------------------------------- the store


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return state_path(tmp_path / "data" / "index.sqlite3")


def table(path: Path, name: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()


async def test_subscribing_twice_is_one_row_and_updates_the_language(path: Path) -> None:
    store = SubscriptionStore(path)
    await store.open()
    assert await store.subscribe(PRIVATE, MM, "en", utc(2026, 5, 1)) is True
    assert await store.subscribe(PRIVATE, MM, "it", utc(2026, 5, 2)) is False
    await store.close()
    assert table(path, "subscriptions") == [(PRIVATE, MM, "it", "2026-05-01T00:00:00+00:00")]


async def test_unsubscribe_one_or_all_and_a_restart_keeps_the_rest(path: Path) -> None:
    store = SubscriptionStore(path)
    await store.open()
    for chat, ev in ((1, MM), (1, "california-mille"), (2, MM)):
        await store.subscribe(chat, ev, None, utc(2026, 5, 1))
    assert await store.unsubscribe(1, "california-mille") == ["california-mille"]
    assert await store.unsubscribe(1, "california-mille") == []
    await store.mark_sent(2, MM, "mille-miglia/2026:30d:2026-05-10", utc(2026, 5, 10, 7))
    await store.close()

    again = SubscriptionStore(path)
    await again.open(utc(2026, 5, 11))
    assert [s.chat_id for s in again.subscribers(MM)] == [1, 2]
    assert again.was_sent(2, MM, "mille-miglia/2026:30d:2026-05-10")
    assert not again.was_sent(1, MM, "mille-miglia/2026:30d:2026-05-10")
    assert await again.unsubscribe(1) == [MM]
    assert again.events() == {MM} and again.of_chat(1) == []
    await again.close()
    assert [row[0] for row in table(path, "subscriptions")] == [2]


async def test_old_sent_rows_are_dropped_at_start(path: Path) -> None:
    store = SubscriptionStore(path)
    await store.open()
    await store.mark_sent(2, MM, "old", utc(2024, 1, 1))
    await store.mark_sent(2, MM, "new", utc(2026, 5, 1))
    await store.close()
    again = SubscriptionStore(path)
    await again.open(utc(2026, 6, 1))
    assert not again.was_sent(2, MM, "old") and again.was_sent(2, MM, "new")
    await again.close()


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(path: Path) -> None:
    store = SubscriptionStore(path)
    await store.open()
    await store.subscribe(-5, MM, "it", utc(2026, 5, 1))
    await store.mark_sent(-5, MM, "k", utc(2026, 5, 1))
    await store.move(-5, -1005)
    assert [s.chat_id for s in store.subscribers(MM)] == [-1005] and store.was_sent(-1005, MM, "k")
    await store.close()
    assert table(path, "subscriptions")[0][:3] == (-1005, MM, "it")


async def test_an_unusable_state_file_warns_once_and_keeps_subscriptions_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.sqlite3"
    path.mkdir()  # a directory where the file should be
    store = SubscriptionStore(path)
    with caplog.at_level(logging.WARNING):
        await store.open()
        await store.subscribe(PRIVATE, MM, None, utc(2026, 5, 1))
        await store.mark_sent(PRIVATE, MM, "k", utc(2026, 5, 1))
    assert not store.persistent
    assert [s.chat_id for s in store.subscribers(MM)] == [PRIVATE] and store.was_sent(
        PRIVATE, MM, "k"
    )
    assert caplog.text.count("is unusable") == 1
    await store.close()


async def test_a_locked_state_file_delays_writes_without_losing_them(path: Path) -> None:
    store = SubscriptionStore(path)
    await store.open()
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # someone else writes: our writes must wait, not fail
    await store.subscribe(1, MM, None, utc(2026, 5, 1))
    assert [s.chat_id for s in store.subscribers(MM)] == [1] and store.persistent
    holder.rollback()
    holder.close()
    await store.subscribe(2, MM, None, utc(2026, 5, 1))
    await store.close()
    assert [row[0] for row in table(path, "subscriptions")] == [1, 2]


# ----------------------------------------------------------------- Telegram


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def make_app(kdir: Path, db: Path, clock: Clock) -> Any:
    request = RecordingRequest()
    settings = Settings(
        token="123:TEST", knowledge_dir=kdir, database_path=db, admin_user_ids=frozenset({ADMIN})
    )
    service = AnswerService(kdir, db)
    await service.start()
    application: Application = build_application(  # type: ignore[type-arg]
        settings, service, request, clock=clock, retry_backoff=0.01
    )
    await application.initialize()
    application.bot_data["request"] = request
    return application


@pytest.fixture
def clock() -> Clock:
    return Clock(utc(2026, 5, 1, 12))  # before the 30-day mark of the Mille Miglia 2026


@pytest.fixture
def files(tmp_path: Path, built_index: Path) -> tuple[Path, Path]:  # noqa: F811
    kdir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kdir)
    db = tmp_path / "index.sqlite3"
    shutil.copy(built_index, db)
    return kdir, db


@pytest.fixture
async def app(files: tuple[Path, Path], clock: Clock) -> AsyncIterator[Any]:
    application = await make_app(*files, clock)
    await application.post_init(application)  # as at start: stores opened, jobs rebuilt
    yield application
    await application.post_shutdown(application)
    await application.shutdown()


_ids = count(1)


def command(
    text: str,
    chat_type: str = "private",
    user: int = USER,
    lang: str | None = None,
    anonymous: bool = False,
) -> dict[str, Any]:
    chat = {"id": PRIVATE if chat_type == "private" else GROUP, "type": chat_type}
    sender: dict[str, Any] = {"id": user, "is_bot": False, "first_name": "Ada"}
    if lang:
        sender["language_code"] = lang
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 0,
        "chat": chat,
        "from": sender,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }
    if anonymous:  # an anonymous admin: Telegram sends it as the group, from GroupAnonymousBot
        body["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
        body["sender_chat"] = {"id": GROUP, "type": chat_type, "title": "Fans"}
    return {"update_id": next(_ids), "message": body}


async def send(app: Any, payload: dict[str, Any]) -> list[str]:
    request: RecordingRequest = app.bot_data["request"]
    before = len(request.calls)
    await app.process_update(Update.de_json(payload, app.bot))
    return [str(p["text"]) for m, p in request.calls[before:] if m == "sendMessage"]


def store_of(app: Any) -> SubscriptionStore:
    store: SubscriptionStore = app.bot_data["state"].subscriptions
    return store


def job_names(app: Any) -> list[str]:
    return sorted(job.name for job in app.job_queue.jobs())


MM_2026_JOBS = [
    "reminder:mille-miglia/2026:1d:2026-06-08",
    "reminder:mille-miglia/2026:30d:2026-05-10",
    "reminder:mille-miglia/2026:7d:2026-06-02",
    *(f"reminder:mille-miglia/2026:day:2026-06-{day:02}" for day in range(9, 14)),
]


async def test_subscribe_in_private_schedules_the_reminders(app: Any) -> None:
    (reply,) = await send(app, command("/subscribe"))
    assert reply.startswith("Done: this chat is subscribed.")
    assert "at 09:00 (Europe/Rome)" in reply
    assert "Next reminder: Sunday 10 May 2026 at 09:00 (Europe/Rome)" in reply
    assert [(s.chat_id, s.lang) for s in store_of(app).subscribers(MM)] == [(PRIVATE, None)]
    assert job_names(app) == MM_2026_JOBS

    (again,) = await send(app, command("/subscribe mille miglia"))
    assert again.startswith("This chat is already subscribed.")
    assert len(store_of(app).subscribers(MM)) == 1 and job_names(app) == MM_2026_JOBS


async def test_subscriptions_and_unsubscribe(app: Any) -> None:
    (none,) = await send(app, command("/subscriptions"))
    assert none.startswith("This chat gets no reminders.")
    await send(app, command("/subscribe"))
    await send(app, command("/subscribe festa"))
    (listed,) = await send(app, command("/subscriptions"))
    assert listed.splitlines()[0] == "Reminders in this chat:"
    assert "• The dates of the next La Festa Mille Miglia are not announced yet" in listed
    assert "• Next reminder: Sunday 10 May 2026 at 09:00 (Europe/Rome)" in listed

    (one,) = await send(app, command("/unsubscribe festa"))
    assert one == "Done: no more reminders for the La Festa Mille Miglia in this chat."
    (other,) = await send(app, command("/unsubscribe california-mille"))
    assert other == "This chat gets no reminders for the California Mille."
    (rest,) = await send(app, command("/unsubscribe"))
    assert rest == "Done: no more reminders in this chat (Mille Miglia)."
    assert store_of(app).of_chat(PRIVATE) == [] and job_names(app) == []


async def test_subscribe_in_italian_stores_the_language(app: Any) -> None:
    (reply,) = await send(app, command("/subscribe", lang="it"))
    assert reply.startswith("Fatto: questa chat è iscritta.")
    assert "Prossimo promemoria: domenica 10 maggio 2026 alle 09:00 (Europe/Rome)" in reply
    assert store_of(app).subscribers(MM)[0].lang == "it"


async def test_an_unknown_or_ambiguous_event_is_not_subscribed(app: Any) -> None:
    (unknown,) = await send(app, command("/subscribe xyzzy"))
    assert unknown.startswith('I don\'t know the event "xyzzy".')
    (which,) = await send(app, command("/subscribe tribute"))
    assert which.startswith("Which event?") and "/subscribe ferrari-tribute" in which
    assert store_of(app).events() == set()


async def test_in_a_group_a_member_who_is_not_an_admin_is_refused(app: Any) -> None:
    request: RecordingRequest = app.bot_data["request"]
    for text in ("/subscribe", "/unsubscribe"):
        (reply,) = await send(app, command(text, "supergroup", user=USER))
        assert reply == f"In a group, only its admins can use {text}."
    assert request.of("getChatMember")[0]["chat_id"] == GROUP
    assert request.of("getChatMember")[0]["user_id"] == USER
    assert store_of(app).events() == set()
    (listed,) = await send(app, command("/subscriptions", "supergroup"))  # anyone may look
    assert listed.startswith("This chat gets no reminders.")


@pytest.mark.parametrize("status", ["administrator", "creator"])
async def test_in_a_group_an_admin_subscribes_the_group(app: Any, status: str) -> None:
    app.bot_data["request"].statuses[USER] = status
    (reply,) = await send(app, command("/subscribe", "supergroup"))
    assert reply.startswith("Done: this chat is subscribed.")
    assert [s.chat_id for s in store_of(app).subscribers(MM)] == [GROUP]


async def test_an_anonymous_group_admin_counts_as_an_admin(app: Any) -> None:
    (reply,) = await send(app, command("/subscribe", "supergroup", anonymous=True))
    assert reply.startswith("Done: this chat is subscribed.")
    assert not app.bot_data["request"].of("getChatMember")


async def test_a_restart_restores_the_jobs_from_the_store(
    files: tuple[Path, Path], clock: Clock
) -> None:
    first = await make_app(*files, clock)
    await first.post_init(first)
    await send(first, command("/subscribe"))
    await send(first, command("/subscribe ferrari tribute"))
    await first.post_shutdown(first)
    await first.shutdown()

    clock.now = utc(2026, 6, 10, 12)  # back up during the edition: the remaining days only
    second = await make_app(*files, clock)
    try:
        assert job_names(second) == []  # the job queue keeps nothing across a restart...
        await second.post_init(second)  # ...the store does
        assert job_names(second) == [
            "reminder:mille-miglia/2026:day:2026-06-11",
            "reminder:mille-miglia/2026:day:2026-06-12",
            "reminder:mille-miglia/2026:day:2026-06-13",
        ]
        assert store_of(second).events() == {MM, "ferrari-tribute"}
    finally:
        await second.post_shutdown(second)
        await second.shutdown()


async def test_a_reminder_missed_while_down_goes_out_once(app: Any, clock: Clock) -> None:
    await send(app, command("/subscribe"))
    clock.now = utc(2026, 6, 10, 8, 30)  # 10:30 in Rome: day 2's 09:00 reminder was missed
    names = reminders.schedule_all(app)
    assert names[0] == "reminder:mille-miglia/2026:day:2026-06-10"
    (job,) = app.job_queue.get_jobs_by_name(names[0])
    await job.run(app)
    await job.run(app)  # scheduled again by a reload or a restart: not sent twice
    sent = app.bot_data["request"].sent()
    assert len([text for text in sent if "Day 2 of 5" in text]) == 1


async def test_a_job_sends_each_subscriber_the_reminder_in_its_language(
    app: Any, clock: Clock
) -> None:
    await send(app, command("/subscribe"))
    app.bot_data["request"].statuses[USER] = "administrator"
    await send(app, command("/subscribe", "supergroup", lang="it"))
    (job,) = app.job_queue.get_jobs_by_name("reminder:mille-miglia/2026:30d:2026-05-10")
    request: RecordingRequest = app.bot_data["request"]
    before = len(request.calls)
    clock.now = utc(2026, 5, 10, 7)
    await job.run(app)
    sent = {p["chat_id"]: p["text"] for m, p in request.calls[before:] if m == "sendMessage"}
    assert sent[PRIVATE].startswith("Mille Miglia 2026 reminder: it starts in 30 days")
    assert sent[GROUP].startswith("Promemoria Mille Miglia 2026: si parte tra 30 giorni")
    assert store_of(app).was_sent(GROUP, MM, "mille-miglia/2026:30d:2026-05-10")


async def test_a_blocked_bot_or_a_deleted_chat_ends_the_subscription_quietly(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_of(app)
    for chat in (11, 12, 13):
        await store.subscribe(chat, MM, None, utc(2026, 5, 1))
    request: RecordingRequest = app.bot_data["request"]
    request.fail(
        "sendMessage",
        (403, "Forbidden: bot was blocked by the user", {}),
        (400, "Bad Request: chat not found", {}),
    )
    reminder = reminders_for(edition(), event(), utc(2026, 5, 1))[0]
    with caplog.at_level(logging.INFO, logger="bot.tg.reminders"):
        assert await reminders.send_reminder(app, reminder) == 1
    assert [s.chat_id for s in store.subscribers(MM)] == [13]
    assert "chat 11 is out of reach" in caplog.text and "chat 12 is out of reach" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_migrated_group_gets_the_reminder_under_its_new_id(app: Any) -> None:
    store = store_of(app)
    await store.subscribe(-5, MM, None, utc(2026, 5, 1))
    request: RecordingRequest = app.bot_data["request"]
    request.fail(
        "sendMessage", (400, "Bad Request: group chat was upgraded", {"migrate_to_chat_id": -1005})
    )
    reminder = reminders_for(edition(), event(), utc(2026, 5, 1))[0]
    assert await reminders.send_reminder(app, reminder) == 1
    assert [p["chat_id"] for p in request.of("sendMessage")] == [-5, -1005]
    assert [s.chat_id for s in store.subscribers(MM)] == [-1005]


async def test_a_reminder_made_stale_by_a_reload_is_not_sent(app: Any) -> None:
    await send(app, command("/subscribe"))
    stale = reminders_for(edition(date(2026, 6, 2), date(2026, 6, 6)), event(), utc(2026, 5, 1))[0]
    assert await reminders.send_reminder(app, stale) == 0


def edit(kdir: Path, old: str, new: str) -> None:
    path = kdir / EDITIONS
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_a_reload_that_moves_the_dates_notes_it_and_reschedules(
    app: Any, files: tuple[Path, Path]
) -> None:
    await send(app, command("/subscribe"))
    app.bot_data["request"].statuses[USER] = "administrator"
    await send(app, command("/subscribe", "supergroup", lang="it"))
    kdir, _ = files
    edit(
        kdir, "start: 2026-06-09\n    end: 2026-06-13\n", "start: 2026-06-16\n    end: 2026-06-20\n"
    )
    for day in range(9, 14):  # the day-by-day legs move with the dates, as an editor does
        edit(kdir, f"date: 2026-06-{day:02d}\n", f"date: 2026-06-{day + 7:02d}\n")

    request: RecordingRequest = app.bot_data["request"]
    before = len(request.calls)
    sent = await send(app, command("/reload", user=ADMIN))
    assert sent[0].startswith("<b>Reloaded")
    notes = {p["chat_id"]: p["text"] for m, p in request.calls[before:] if m == "sendMessage"}
    assert notes[PRIVATE].startswith("Mille Miglia 2026: the dates have changed: now 16-20 June")
    assert "le date sono cambiate: ora 16-20 giugno 2026 (Europe/Rome)" in notes[GROUP]
    assert "prima erano 9-13 giugno 2026" in notes[GROUP]
    assert "30d:2026-05-17" in " ".join(job_names(app))
    assert "30d:2026-05-10" not in " ".join(job_names(app))

    before = len(app.bot_data["request"].calls)
    await send(app, command("/reload", user=ADMIN))  # nothing moved this time: no note
    assert [m for m, _ in app.bot_data["request"].calls[before:] if m == "sendMessage"] == [
        "sendMessage"
    ]


async def test_a_reload_that_announces_dates_notes_it(app: Any, files: tuple[Path, Path]) -> None:
    await send(app, command("/subscribe"))
    kdir, _ = files
    path = kdir / EDITIONS
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n  - year: 2027\n    status: scheduled\n    era: revival\n"
        "    start: 2027-05-11\n    end: 2027-05-15\n    sources:\n      - https://1000miglia.it/en/\n",
        encoding="utf-8",
    )
    state = app.bot_data["state"]
    old = state.service.answerer.knowledge
    outcome = await state.service.reload()
    assert outcome.ok, outcome.problems
    changes = await reminders.after_reload(app, old, state.service.answerer.knowledge)
    assert [c.edition_key for c in changes] == ["mille-miglia/2027"]
    note = app.bot_data["request"].sent()[-1]
    assert note.startswith(
        "Mille Miglia 2027: the dates are announced: 11-15 May 2027 (Europe/Rome)"
    )
    assert "reminder:mille-miglia/2027:30d:2027-04-11" in job_names(app)


async def test_without_a_job_queue_commands_still_work(app: Any) -> None:
    app._job_queue = None  # as when python-telegram-bot[job-queue] is not installed
    (reply,) = await send(app, command("/subscribe"))
    assert reply.startswith("Done: this chat is subscribed.")
    assert reminders.schedule_all(app) == []


async def test_the_job_queue_itself_fires_a_due_reminder(app: Any, clock: Clock) -> None:
    """The one test on the real clock: a missed reminder is due at once, so nothing waits."""
    await send(app, command("/subscribe"))
    clock.now = utc(2026, 6, 10, 8, 30)  # day 2's reminder (09:00 in Rome) is 1.5 h late
    reminders.schedule_all(app)
    request: RecordingRequest = app.bot_data["request"]
    await app.job_queue.start()
    try:
        for _ in range(200):
            if any("Day 2 of 5" in text for text in request.sent()):
                break
            await asyncio.sleep(0.025)
    finally:
        await app.job_queue.stop()
    assert [text for text in request.sent() if "Day 2 of 5" in text]
    assert store_of(app).was_sent(PRIVATE, MM, "mille-miglia/2026:day:2026-06-10")


async def test_an_italian_chat_reads_the_route_with_italian_towns(app: Any, clock: Clock) -> None:
    await send(app, command("/subscribe"))
    app.bot_data["request"].statuses[USER] = "administrator"
    await send(app, command("/subscribe", "supergroup", lang="it"))
    (job,) = app.job_queue.get_jobs_by_name("reminder:mille-miglia/2026:day:2026-06-09")
    request: RecordingRequest = app.bot_data["request"]
    before = len(request.calls)
    clock.now = utc(2026, 6, 9, 7)
    await job.run(app)
    sent = {p["chat_id"]: p["text"] for m, p in request.calls[before:] if m == "sendMessage"}
    # The day's leg, with its towns as each language names them (Padua is Padova in both).
    assert "a Padova" in sent[GROUP] and "Brescia" in sent[GROUP]
    assert "to Padova" in sent[PRIVATE]


async def test_subscribing_after_a_reminder_time_gets_the_promised_next_one_not_a_catch_up(
    app: Any, clock: Clock
) -> None:
    """The defect of issue 14: the reply promised 2 June, the 30-day reminder came at once."""
    clock.now = utc(2026, 5, 10, 8, 30)  # 10:30 in Rome: the 30-day reminder was at 09:00
    (reply,) = await send(app, command("/subscribe"))
    assert "Next reminder: Tuesday 2 June 2026 at 09:00 (Europe/Rome)" in reply
    for name in job_names(app):
        for job in app.job_queue.get_jobs_by_name(name):
            if job.data.at <= clock.now:  # a catch-up job: due at once
                await job.run(app)
    assert app.bot_data["request"].sent() == [reply]  # nothing but the reply itself
    (seven,) = app.job_queue.get_jobs_by_name("reminder:mille-miglia/2026:7d:2026-06-02")
    clock.now = utc(2026, 6, 2, 7)
    await seven.run(app)
    assert (
        app.bot_data["request"]
        .sent()[-1]
        .startswith("Mille Miglia 2026 reminder: it starts in 7 days")
    )


# ----------------------------------------------------------------- kill -9 while sending


def crash_after(monkeypatch: pytest.MonkeyPatch, sends: int) -> list[int]:
    """Make the bot 'die' (CancelledError: nothing after a kill runs) the moment its
    ``sends``-th message went out; returns the chats that got one."""
    real = reminders.deliver
    reached: list[int] = []

    async def deliver(application: Any, chat_id: int, text: str, moved: bool = False) -> Any:
        result = await real(application, chat_id, text, moved)
        reached.append(chat_id)
        if len(reached) == sends:
            raise asyncio.CancelledError
        return result

    monkeypatch.setattr(reminders, "deliver", deliver)
    return reached


async def test_notes_cut_short_by_a_crash_resume_at_the_next_start_none_twice(
    files: tuple[Path, Path], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 while "dates changed" notes went out: 500 of 600 were never sent."""
    kdir, _ = files
    first = await make_app(*files, clock)
    await first.post_init(first)
    for chat in range(21, 27):
        await store_of(first).subscribe(chat, MM, None, utc(2026, 5, 1))
    edit(
        kdir, "start: 2026-06-09\n    end: 2026-06-13\n", "start: 2026-06-16\n    end: 2026-06-20\n"
    )
    for day in range(9, 14):  # the day-by-day legs move with the dates, as an editor does
        edit(kdir, f"date: 2026-06-{day:02d}\n", f"date: 2026-06-{day + 7:02d}\n")
    reached = crash_after(monkeypatch, 2)
    state = first.bot_data["state"]
    old = state.service.answerer.knowledge
    assert (await state.service.reload()).ok
    with pytest.raises(asyncio.CancelledError):
        await reminders.after_reload(first, old, state.service.answerer.knowledge)
    await first.post_shutdown(first)
    await first.shutdown()
    assert reached == [21, 22]
    monkeypatch.undo()

    second = await make_app(*files, clock)
    try:
        await second.post_init(second)
        (job,) = second.job_queue.get_jobs_by_name("notes:resume")
        await job.run(second)
        notes = [p["chat_id"] for p in second.bot_data["request"].of("sendMessage")]
        assert notes == [23, 24, 25, 26]  # where it stopped: 21 and 22 are not sent twice
        assert store_of(second).notes_due() == []
    finally:
        await second.post_shutdown(second)
        await second.shutdown()


async def test_a_reminder_sent_just_before_a_crash_is_not_sent_again(
    files: tuple[Path, Path], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await make_app(*files, clock)
    await first.post_init(first)
    for chat in (31, 32):
        await store_of(first).subscribe(chat, MM, None, utc(2026, 5, 1))
    reminder = reminders_for(edition(), event(), utc(2026, 5, 1))[0]
    assert crash_after(monkeypatch, 1) == []
    with pytest.raises(asyncio.CancelledError):
        await reminders.send_reminder(first, reminder)  # 31 got it, then the bot died
    await first.post_shutdown(first)
    await first.shutdown()
    monkeypatch.undo()

    second = await make_app(*files, clock)
    try:
        await second.post_init(second)
        await reminders.send_reminder(second, reminder)
        assert [p["chat_id"] for p in second.bot_data["request"].of("sendMessage")] == [32]
    finally:
        await second.post_shutdown(second)
        await second.shutdown()
