"""/calendar and ``millebot calendar``: the .ics file, parsed back as a calendar program would.

Every file is read back with ``icalendar.Calendar.from_ical`` and checked field by field; the
raw text is checked where a calendar program is picky (VALUE=DATE, folding, escaping, CRLF).
The Telegram handler is driven through the recording request of ``test_tg``, taught here to
answer ``sendDocument``.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import Application
from telegram.request import RequestData

from bot.cli import main
from bot.core.calendar import (
    AmbiguousEvent,
    Outcome,
    UnknownEvent,
    build_calendar,
    calendar_for,
    calendar_reply,
    choose_events,
)
from bot.core.commands import COMMANDS, CommandInfo
from bot.core.index import build_index
from bot.core.model import Edition, Event, Knowledge, Status
from bot.core.reply import Kind
from bot.core.service import AnswerService
from bot.settings import Settings
from bot.tg import app as tg_app
from bot.tg.app import build_application
from tests.test_tg import PRIVATE, RecordingRequest, message, process

ROOT = Path(__file__).resolve().parent.parent
BEFORE = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # the 2026 Mille Miglia (9-13 June) is ahead
AFTER = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # every dated edition is over


def parse(ics: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(ics)


def vevents(ics: bytes) -> list[icalendar.Component]:
    return list(parse(ics).walk("VEVENT"))


def unfolded(ics: bytes) -> str:
    """The raw text with folded lines joined again (RFC 5545, 3.1)."""
    return ics.decode("utf-8").replace("\r\n ", "")


# ----------------------------------------------------------------- the Mille Miglia 2026


def test_the_knowledge_has_the_2026_mille_miglia_on_9_to_13_june(knowledge: Knowledge) -> None:
    ed = knowledge.edition("mille-miglia", 2026)
    assert ed is not None and ed.status is Status.SCHEDULED
    assert (ed.start, ed.end) == (date(2026, 6, 9), date(2026, 6, 13))


def test_the_mille_miglia_2026_is_an_all_day_event_with_an_exclusive_end(
    knowledge: Knowledge,
) -> None:
    ics = build_calendar(knowledge, None, BEFORE, "en")
    [event] = vevents(ics)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert type(start) is date and type(end) is date  # dates, not datetimes: all day
    assert start == date(2026, 6, 9)
    assert end == date(2026, 6, 14)  # the day after the last day, 13 June
    raw = unfolded(ics)
    assert "DTSTART;VALUE=DATE:20260609\r\n" in raw
    assert "DTEND;VALUE=DATE:20260614\r\n" in raw


def test_the_calendar_and_the_event_carry_what_calendar_programs_show(
    knowledge: Knowledge,
) -> None:
    ics = build_calendar(knowledge, None, BEFORE, "en")
    cal = parse(ics)
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]).startswith("-//Mille Miglia bot//")
    assert str(cal["calscale"]) == "GREGORIAN"
    assert str(cal["x-wr-calname"]) == "Mille Miglia"
    [event] = cal.walk("VEVENT")
    ed = knowledge.edition("mille-miglia", 2026)
    assert ed is not None
    assert str(event["uid"]) == "mille-miglia-2026@millebot"
    assert str(event["summary"]) == "Mille Miglia 2026 - 44th revival edition"
    assert str(event["location"]) == "Brescia"  # the route starts and ends there
    assert str(event["url"]) == ed.sources[0]
    description = str(event["description"])
    assert description.startswith("Route: Brescia - Lumezzane - Passo del Cavallo")
    assert f"Source: {ed.sources[0]}" in description.splitlines()
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["transp"]) == "TRANSPARENT"
    assert event.decoded("dtstamp") == BEFORE  # the clock passed in, never the real one


def test_uid_is_stable_and_the_file_reproducible(knowledge: Knowledge) -> None:
    first = build_calendar(knowledge, None, BEFORE, "en")
    assert build_calendar(knowledge, None, BEFORE, "en") == first
    later = build_calendar(knowledge, None, BEFORE + timedelta(days=30), "en")
    assert [str(e["uid"]) for e in vevents(later)] == [str(e["uid"]) for e in vevents(first)]
    assert first != later  # only DTSTAMP moved
    strip = [line for line in first.split(b"\r\n") if not line.startswith(b"DTSTAMP")]
    assert strip == [line for line in later.split(b"\r\n") if not line.startswith(b"DTSTAMP")]


@pytest.mark.parametrize(
    ("now", "listed"),
    [
        (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), True),  # under way: still worth a calendar
        (datetime(2026, 6, 13, 21, 0, tzinfo=UTC), True),  # 23:00 in Brescia, the last day
        (datetime(2026, 6, 13, 22, 30, tzinfo=UTC), False),  # 00:30 on 14 June in Brescia
        (AFTER, False),
    ],
)
def test_editions_that_are_over_where_they_run_are_left_out(
    knowledge: Knowledge, now: datetime, listed: bool
) -> None:
    uids = [str(e["uid"]) for e in vevents(build_calendar(knowledge, None, now, "en"))]
    assert ("mille-miglia-2026@millebot" in uids) is listed
    assert "mille-miglia-2025@millebot" not in uids


def test_all_events_in_date_order_without_undated_or_past_editions(knowledge: Knowledge) -> None:
    ids = [e.id for e in knowledge.events]
    events = vevents(build_calendar(knowledge, ids, BEFORE, "en"))
    starts = [e.decoded("dtstart") for e in events]
    assert starts == sorted(starts) and len(events) >= 2
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert "mille-miglia-2026@millebot" in uids
    assert "1000-miglia-green-2026@millebot" not in uids  # announced without dates
    for event in events:
        assert event.decoded("dtend") > event.decoded("dtstart")
        assert event.decoded("dtend") > BEFORE.date()
    assert str(parse(build_calendar(knowledge, ids, BEFORE, "en"))["x-wr-calname"]) == (
        "Mille Miglia and sister events"
    )


def test_the_reply_names_the_editions_announced_without_dates(knowledge: Knowledge) -> None:
    result = calendar_for(knowledge, "all", BEFORE, "en")
    assert result.outcome is Outcome.FILE and result.filename == "mille-miglia-all.ics"
    assert "- Mille Miglia 2026, 9-13 June 2026" in result.message.splitlines()
    assert "so not in the file: 1000 Miglia Green 2026" in result.message
    assert {e.key for e in result.undated} >= {"1000-miglia-green/2026", "ferrari-tribute/2026"}
    assert len(vevents(result.ics)) == len(result.editions)


def test_the_caption_for_one_edition(knowledge: Knowledge) -> None:
    result = calendar_for(knowledge, "", BEFORE, "en")
    assert result.outcome is Outcome.FILE and result.filename == "mille-miglia.ics"
    assert result.message == (
        "Mille Miglia 2026, 9-13 June 2026 - open the file to add it to your calendar."
    )


# ----------------------------------------------------------------- nothing upcoming


def test_nothing_upcoming_gives_an_empty_valid_calendar_and_says_so(
    knowledge: Knowledge,
) -> None:
    result = calendar_for(knowledge, "", AFTER, "en")
    assert result.outcome is Outcome.EMPTY
    cal = parse(result.ics)
    assert str(cal["version"]) == "2.0" and not list(cal.walk("VEVENT"))
    assert result.message == (
        "No upcoming Mille Miglia with dates is in my sources yet. "
        "The latest was the 2026 edition, 9-13 June 2026."
    )


def test_an_event_with_no_dated_edition_ahead_says_what_came_last(knowledge: Knowledge) -> None:
    result = calendar_for(knowledge, "la festa mille miglia", BEFORE, "en")
    assert result.outcome is Outcome.EMPTY and not vevents(result.ics)
    assert result.message.startswith("No upcoming La Festa Mille Miglia with dates")
    assert "The latest was the 2018 edition" in result.message
    assert not result.message.endswith("..")


# ----------------------------------------------------------------- what a file must survive


def small_knowledge(status: Status = Status.SCHEDULED) -> Knowledge:
    """One event whose texts hold everything RFC 5545 escapes, and one long route."""
    event = Event(
        id="mille-miglia",
        name="Mille Miglia",
        aliases=(),
        kind="race",
        where="Brescia, Italy; start and finish in Piazza della Vittoria \\ Viale Venezia",
        timezone="Europe/Rome",
        since="1927",
        organiser=None,
        format=None,
        eligibility=None,
        summary="",
        sources=("https://example.org/event",),
    )
    towns = tuple(f"Town {n}, Province {n}; Italy" for n in range(12))
    ed = Edition(
        event="mille-miglia",
        year=2030,
        status=status,
        start=date(2030, 5, 30),
        end=date(2030, 6, 2),  # across a month's end
        route=("Brescia", *towns, "Brescia, Lombardy"),
        sources=("seed", "https://example.org/2030?a=1&b=2,3;4"),
    )
    return Knowledge(events=(event,), editions=(ed,))


def test_long_texts_with_commas_and_semicolons_fold_escape_and_come_back_intact() -> None:
    k = small_knowledge()
    ics = build_calendar(k, None, BEFORE, "en")
    lines = ics.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)  # CRLF only
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)  # ...so some lines were folded
    raw = unfolded(ics)
    assert "Town 0\\, Province 0\\; Italy" in raw  # escaped in the file
    [event] = vevents(ics)
    ed = k.editions[0]
    description = str(event["description"])
    assert description.splitlines()[0] == "Route: " + " - ".join(ed.route)
    assert str(event["location"]) == "Brescia - Brescia, Lombardy"
    assert str(event["url"]) == "https://example.org/2030?a=1&b=2,3;4"  # "seed" is no link
    assert event.decoded("dtend") == date(2030, 6, 3)


def test_where_is_the_location_when_the_route_is_unknown() -> None:
    k = small_knowledge()
    one_day = Edition(
        "mille-miglia", 2030, Status.SCHEDULED, start=date(2030, 5, 30), end=date(2030, 5, 30)
    )
    bare = Knowledge(events=k.events, editions=(one_day,))
    [event] = vevents(build_calendar(bare, None, BEFORE, "en"))
    assert str(event["location"]) == k.events[0].where
    assert str(event["url"]) == "https://example.org/event"  # the event's, for want of one
    assert event.decoded("dtend") == date(2030, 5, 31)  # a one-day edition


def test_a_cancelled_edition_stays_in_the_file_marked_cancelled() -> None:
    result = calendar_for(small_knowledge(Status.CANCELLED), "", BEFORE, "en")
    [event] = vevents(result.ics)
    assert str(event["status"]) == "CANCELLED"
    assert str(event["summary"]) == "Cancelled: Mille Miglia 2030"
    assert str(event["uid"]) == "mille-miglia-2030@millebot"  # replaces an earlier import
    assert "(cancelled)" in result.message


# ----------------------------------------------------------------- Italian


def test_italian_labels(knowledge: Knowledge) -> None:
    result = calendar_for(knowledge, "", BEFORE, "it")
    [event] = vevents(result.ics)
    assert str(event["summary"]) == "Mille Miglia 2026 - 44ª edizione della rievocazione"
    description = str(event["description"])
    assert description.startswith("Percorso: Brescia - Lumezzane")
    assert "Fonte: https://" in description and "Dal bot della Mille Miglia" in description
    assert result.message == (
        "Mille Miglia 2026, 9-13 giugno 2026 - "
        "apri il file per aggiungere le date al tuo calendario."
    )
    assert "nessuna prossima edizione" in calendar_for(knowledge, "", AFTER, "it").message
    two = build_calendar(knowledge, ["mille-miglia", "california-mille"], BEFORE, "it")
    assert str(parse(two)["x-wr-calname"]) == "Mille Miglia e gare sorelle"


def test_italian_words_for_all(knowledge: Knowledge) -> None:
    assert len(choose_events(knowledge, "tutti")) == len(knowledge.events)


# ----------------------------------------------------------------- naming the event


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("", "mille-miglia"),
        ("1000 miglia", "mille-miglia"),
        ("california-mille", "california-mille"),
        ("California Mille", "california-mille"),
        ("califronia mille", "california-mille"),
        ("festa", "la-festa-mille-miglia"),
    ],
)
def test_events_are_named_as_in_the_other_commands(
    knowledge: Knowledge, words: str, expected: str
) -> None:
    assert [e.id for e in choose_events(knowledge, words)] == [expected]


def test_a_word_that_fits_several_events_asks_which(knowledge: Knowledge) -> None:
    with pytest.raises(AmbiguousEvent):
        choose_events(knowledge, "tribute")
    result = calendar_for(knowledge, "tribute", BEFORE, "en")
    assert result.outcome is Outcome.WHICH and result.ics == b""
    assert "/calendar ferrari-tribute (Ferrari Tribute to Mille Miglia)" in result.message


def test_words_that_name_no_event_get_a_usage_line(knowledge: Knowledge) -> None:
    with pytest.raises(UnknownEvent):
        choose_events(knowledge, "pizza margherita")
    result = calendar_for(knowledge, "pizza margherita", BEFORE, "en")
    assert result.outcome is Outcome.USAGE
    assert '"pizza margherita"' in result.message and "/calendar all" in result.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.text(max_size=80))
def test_any_words_give_a_message_and_any_file_parses(knowledge: Knowledge, words: str) -> None:
    result = calendar_for(knowledge, words, BEFORE, "en")
    assert result.message.strip()
    if result.outcome in (Outcome.FILE, Outcome.EMPTY):
        assert len(vevents(result.ics)) == len(result.editions)


def test_the_console_command_reply_says_how_to_get_the_file(knowledge: Knowledge) -> None:
    reply = calendar_reply(knowledge, [], BEFORE, "en")
    assert reply.kind is Kind.ANSWER and "millebot calendar" in reply.text
    assert calendar_reply(knowledge, [], AFTER).kind is Kind.UNKNOWN
    which = calendar_reply(knowledge, ["tribute"], BEFORE)
    assert which.kind is Kind.CLARIFY and "/calendar ferrari-tribute" in which.suggestions


# ----------------------------------------------------------------- millebot calendar


@pytest.fixture
def real_knowledge_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_writes_a_file_that_parses_back(
    real_knowledge_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "--now", "2026-02-01T09:00+01:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 edition written to mille-miglia.ics\n")
    assert "Mille Miglia 2026, 9-13 June 2026" in out
    [event] = vevents((real_knowledge_env / "mille-miglia.ics").read_bytes())
    assert event.decoded("dtstart") == date(2026, 6, 9)
    assert event.decoded("dtstamp") == datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def test_cli_event_output_and_language(
    real_knowledge_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = real_knowledge_env / "out" / "all.ics"
    target.parent.mkdir()
    code = main(
        ["calendar", "--event", "all", "-o", str(target), "--lang", "it", "--now", "2026-02-01"]
    )
    assert code == 0
    out = capsys.readouterr().out
    events = vevents(target.read_bytes())
    assert out.startswith(f"{len(events)} editions written to {target}\n") and len(events) >= 2
    assert "giugno" in out
    assert all("Fonte: " in str(e["description"]) for e in events)


def test_cli_to_standard_output(
    real_knowledge_env: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["calendar", "-o", "-", "--now", "2026-02-01"]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"BEGIN:VCALENDAR\r\n")
    assert len(vevents(captured.out)) == 1
    assert b"1 edition written to standard output" in captured.err
    assert not list(real_knowledge_env.iterdir())  # no file left behind


def test_cli_with_nothing_upcoming(
    real_knowledge_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "--now", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No upcoming edition with dates in my sources")
    assert "The latest was the 2026 edition" in out
    assert not vevents((real_knowledge_env / "mille-miglia.ics").read_bytes())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--event", "tribute"], "millebot calendar --event ferrari-tribute"),
        (["--event", "pizza"], 'no event called "pizza"'),
        (["--now", "soon"], "argument --now: expects an ISO 8601"),
    ],
)
def test_cli_usage_errors(
    real_knowledge_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert main(["calendar", *argv]) == 2
    assert expected in capsys.readouterr().err
    assert not list(real_knowledge_env.iterdir())


def test_cli_with_broken_knowledge(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", broken)
    (broken / "events.yaml").write_text("events: [\n", encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(broken))
    monkeypatch.chdir(tmp_path)
    assert main(["calendar"]) == 1
    assert "problems" in capsys.readouterr().err
    assert not (tmp_path / "mille-miglia.ics").exists()


# ----------------------------------------------------------------- /calendar on Telegram


class DocumentRequest(RecordingRequest):
    """``RecordingRequest`` that also answers ``sendDocument`` and keeps the uploaded file."""

    def params_of(self, method: str, request_data: RequestData | None) -> dict[str, Any]:
        if method != "sendDocument" or request_data is None:
            return super().params_of(method, request_data)
        params = dict(request_data.parameters)
        filename, content, mimetype = request_data.multipart_data["document"]
        assert isinstance(content, bytes)
        params["document"] = {"filename": filename, "content": content, "mimetype": mimetype}
        return params

    def result_for(self, method: str, params: dict[str, Any]) -> Any:
        if method != "sendDocument":
            return super().result_for(method, params)
        return {
            "message_id": 5000 + len(self.calls),
            "date": 0,
            "chat": {"id": params.get("chat_id", PRIVATE), "type": "private"},
            "from": {"id": 4242, "is_bot": True, "first_name": "Mille"},
            "caption": params.get("caption", ""),
            "document": {
                "file_id": "doc",
                "file_unique_id": "doc",
                "file_name": params["document"]["filename"],
            },
        }


Clock = list[datetime]  # one mutable moment the application reads


@pytest.fixture(scope="module")
def index_file(tmp_path_factory: pytest.TempPathFactory, knowledge: Knowledge) -> Path:
    db = tmp_path_factory.mktemp("calendar-index") / "index.sqlite3"
    build_index(knowledge, db)
    return db


async def make_app(tmp_path: Path, index_file: Path, clock: Clock) -> Any:
    db = tmp_path / "index.sqlite3"
    shutil.copy(index_file, db)
    settings = Settings(token="123:TEST", knowledge_dir=ROOT / "knowledge", database_path=db)
    service = AnswerService(ROOT / "knowledge", db)
    await service.start()
    request = DocumentRequest()
    application: Application = build_application(  # type: ignore[type-arg]
        settings, service, request, clock=lambda: clock[0], retry_backoff=0.01
    )
    await application.initialize()
    application.bot_data["request"] = request
    return application


@pytest.fixture
def clock() -> Clock:
    return [BEFORE]


@pytest.fixture
async def app(tmp_path: Path, index_file: Path, clock: Clock) -> AsyncIterator[Any]:
    application = await make_app(tmp_path, index_file, clock)
    yield application
    await application.shutdown()


def documents(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [p for m, p in calls if m == "sendDocument"]


def texts(calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [str(p["text"]) for m, p in calls if m == "sendMessage"]


def in_italian(payload: dict[str, Any]) -> dict[str, Any]:
    payload["message"]["from"]["language_code"] = "it"
    return payload


async def test_calendar_sends_the_ics_as_a_document(app: Any) -> None:
    calls = await process(app, message("/calendar"))
    [doc] = documents(calls)
    assert not texts(calls)
    assert doc["document"]["filename"] == "mille-miglia.ics"
    assert doc["document"]["mimetype"] == "text/calendar"
    assert doc["caption"] == (
        "Mille Miglia 2026, 9-13 June 2026 - open the file to add it to your calendar."
    )
    [event] = vevents(doc["document"]["content"])
    assert event.decoded("dtstart") == date(2026, 6, 9)
    assert event.decoded("dtstamp") == BEFORE  # the application's clock
    assert "reply_parameters" not in doc  # private chat: no quote


async def test_calendar_for_another_event_or_all(app: Any) -> None:
    [doc] = documents(await process(app, message("/calendar all")))
    assert doc["document"]["filename"] == "mille-miglia-all.ics"
    assert len(vevents(doc["document"]["content"])) >= 2
    assert "1000 Miglia Green 2026" in doc["caption"]  # named as not in the file


async def test_calendar_in_italian_for_an_italian_user(app: Any) -> None:
    [doc] = documents(await process(app, in_italian(message("/calendar"))))
    assert "giugno" in doc["caption"] and "calendario" in doc["caption"]
    [event] = vevents(doc["document"]["content"])
    assert "44ª edizione" in str(event["summary"])


async def test_nothing_upcoming_is_said_in_text(app: Any, clock: Clock) -> None:
    clock[0] = AFTER
    calls = await process(app, message("/calendar"))
    assert not documents(calls)
    assert texts(calls) == [
        "No upcoming Mille Miglia with dates is in my sources yet. "
        "The latest was the 2026 edition, 9-13 June 2026."
    ]


async def test_ambiguous_and_unknown_events_are_answered_in_text(app: Any) -> None:
    [which] = texts(await process(app, message("/calendar tribute")))
    assert which.startswith("Which one do you mean?") and "/calendar ferrari-tribute" in which
    [usage] = texts(await process(app, message("/calendar pizza")))
    assert 'no event called "pizza"' in usage


async def test_calendar_in_a_group_quotes_the_command(app: Any) -> None:
    [doc] = documents(await process(app, message("/calendar@millebot", "supergroup")))
    assert doc["document"]["filename"] == "mille-miglia.ics"
    assert "reply_parameters" in doc
    assert await process(app, message("/calendar@otherbot", "supergroup")) == []


async def test_calendar_wins_even_once_it_is_in_the_command_list(
    tmp_path: Path, index_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/help and the menus list /calendar through COMMANDS; the file handler still answers it."""
    monkeypatch.setattr(tg_app, "COMMANDS", (*COMMANDS, CommandInfo("calendar")))
    application = await make_app(tmp_path, index_file, [BEFORE])
    try:
        assert documents(await process(application, message("/calendar")))
    finally:
        await application.shutdown()


def test_a_huge_unknown_event_name_is_cut_in_the_usage_line(knowledge: Knowledge) -> None:
    # Found by the fuzz test of the handlers: the whole argument was echoed, past 4096 chars.
    result = calendar_for(knowledge, "0" * 4000, BEFORE)
    assert result.outcome is Outcome.USAGE
    assert len(result.message) < 300
    assert '"' + "0" * 63 + '…"' in result.message
