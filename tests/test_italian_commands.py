"""Commands, inline search and the Telegram texts in Italian, for users whose app is in Italian.

The same commands without a language stay English (``tests/test_commands.py`` holds their
wording). Texts of the knowledge that exist only in English (facts, winners' notes) stay
English in Italian replies too: these tests look at what the catalogues translate.
The Telegram tests reuse the application fixture of ``tests/test_tg.py``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.core.answer import Answerer
from bot.core.commands import COMMANDS
from bot.core.i18n import LANGUAGES, catalogue
from bot.core.reply import Button, Kind, Reply
from bot.core.search import search
from bot.tg.menus import register_commands
from tests.test_tg import (  # noqa: F401
    ADMIN,
    NOW,
    USER,
    RecordingRequest,
    app,
    built_index,
    callback,
    inline,
    keyboard_of,
    last_sent,
    message,
    process,
    send,
    sticker,
)


def ask(answerer: Answerer, text: str, lang: str | None) -> Reply:
    return answerer.answer(text, NOW, lang)


# ----------------------------------------------------------------- every command, both ways

# (command, a characteristic Italian text, the English text it replaces)
CASES = [
    ("/start", "Benvenuto nel bot della Mille Miglia", "Welcome to the Mille Miglia bot"),
    ("/start", "Oppure tocca una domanda", "Or tap a question"),
    ("/help", "Cosa puoi chiedermi", "What you can ask"),
    ("/help", "/edition ANNO [evento] - la scheda di un'edizione", "/edition YEAR [event]"),
    ("/help", "In un gruppo, menzionami", "In a group, mention me"),
    ("/edition", "Mille Miglia: le edizioni che conosco", "the editions I know"),
    ("/edition", "Tocca un periodo, oppure scrivi /edition ANNO.", "Tap a period"),
    ("/edition 1977-2026", "anni 2010: 2010-2019", "2010s: 2010-2019"),
    ("/edition 1950-1959", "Dalla più recente:", "Newest first:"),
    ("/edition 2020-2029", "2026 (risultato non ancora", "2026 (result not in my sources yet)"),
    ("/edition 1950-1959", "Tocca un anno, oppure scrivi /edition ANNO.", "Tap a year"),
    ("/edition foo", "Uso: /edition ANNO [evento] - per esempio", "Usage:"),
    ("/edition 2014 2015", "Uso: /edition", "Usage:"),
    ("/next xyz", "Uso: /next [evento|all] - per esempio /next oppure", "Usage:"),
    ("/editions", "Gli eventi che conosco", "The events I know"),
    ("/editions", "edizioni in archivio", "editions on record"),
    ("/editions", "Scrivi /editions EVENTO per vederne gli anni.", "Type /editions EVENT"),
    ("/editions festa", "La Festa Mille Miglia: edizioni", "on record"),
    ("/editions festa", "Scrivi /edition ANNO La Festa Mille Miglia per la scheda.", "Type"),
    ("/editions mille miglia", "nessuna gara nel 1939, 1941-1946", "no race in"),
    ("/editions mille miglia", "dal 1977)", "since 1977)"),
    ("/reports 2014", "Articoli del 2014", "Reports from 2014"),
    ("/reports 2014", "articoli, dal più recente.", "newest first"),
    ("/reports 2014 california", "Articoli su California Mille 2014", "Reports on the"),
    ("/reports 1999", "Non ho articoli del 1999.", "I link no news reports"),
    ("/reports 1999", "Ho articoli del ", "I have reports on"),
    ("/fact", "Lo sapevi?", "Did you know?"),
    ("/about", "Informazioni sul bot", "About this bot"),
    ("/about", "base di conoscenza curata", "curated knowledge base"),
    ("/about", "Il risultato più recente che ho: Mille Miglia", "Newest result I have"),
    ("/about", "Ogni risposta cita le sue fonti", "Every answer names its sources"),
    ("/foo", "Non conosco il comando /foo.", "I don't know the command"),
    ("/foo", "Comandi: /next /today /edition", "Commands:"),
    ("/next tribute", "Quale intendi?", "Which one do you mean?"),
]


@pytest.mark.parametrize(("command", "italian", "english"), CASES)
def test_commands_answer_italian_users_in_italian(
    answerer: Answerer, command: str, italian: str, english: str
) -> None:
    reply = ask(answerer, command, "it")
    assert reply.lang == "it"
    assert italian in reply.text, reply.text
    assert english not in reply.text, reply.text


@pytest.mark.parametrize(("command", "italian", "english"), CASES)
def test_the_same_commands_stay_english_without_a_language(
    answerer: Answerer, command: str, italian: str, english: str
) -> None:
    reply = ask(answerer, command, None)
    assert reply.lang == "en"
    assert italian not in reply.text, reply.text
    assert english in reply.text, reply.text


@pytest.mark.parametrize("lang", ["it", "it-IT", "IT"])
def test_any_italian_language_code_gets_italian(answerer: Answerer, lang: str) -> None:
    assert ask(answerer, "/start", lang).title == "Benvenuto nel bot della Mille Miglia"


@pytest.mark.parametrize("lang", [None, "en", "en-GB", "fr", "de", ""])
def test_other_languages_get_english(answerer: Answerer, lang: str | None) -> None:
    assert ask(answerer, "/start", lang).title == "Welcome to the Mille Miglia bot"


@pytest.mark.parametrize(
    ("command", "italian_dates", "english_dates"),
    [
        ("/start ed-2014", "15-18 maggio 2014", "15-18 May 2014"),
        ("/edition 2014", "15-18 maggio 2014", "15-18 May 2014"),
        ("/edition 2014 california-mille", "27 aprile - 1 maggio 2014", "27 April - 1 May 2014"),
        ("/next", "9-13 giugno 2026", "9-13 June 2026"),
    ],
)
def test_dates_in_cards_and_countdowns_are_italian(
    answerer: Answerer, command: str, italian_dates: str, english_dates: str
) -> None:
    """Dates only: knowledge text quoted in the same reply ("26 March 1927") stays English."""
    italian, english = ask(answerer, command, "it"), ask(answerer, command, None)
    assert italian.kind is Kind.ANSWER and italian.lang == "it"
    assert italian_dates in italian.text and english_dates not in italian.text, italian.text
    assert english_dates in english.text and italian_dates not in english.text, english.text
    assert italian.edition == english.edition  # the same card, only the language differs


def test_the_italian_welcome_offers_italian_questions_that_get_answers(
    answerer: Answerer,
) -> None:
    reply = ask(answerer, "/start", "it")
    questions = list(catalogue("it").words("answers.examples"))
    assert [b.ask for b in reply.buttons] == questions
    assert [b.label for b in reply.buttons] == questions
    assert "Chi ha vinto la Mille Miglia nel 1955?" in questions
    for question in questions:
        for lang in ("it", None):  # a tap asks in Italian: Italian even without a language
            answered = ask(answerer, question, lang)
            assert answered.kind is Kind.ANSWER, f"{question!r} -> {answered.text}"
            assert answered.lang == "it"
    assert ask(answerer, "/help", "it").buttons == reply.buttons


def test_italian_help_lists_every_command_with_its_italian_description(
    answerer: Answerer,
) -> None:
    reply = ask(answerer, "/help", "it")
    it = catalogue("it")
    for command in COMMANDS:
        args = it(f"commands.list.{command.name}.args")
        description = it(f"commands.list.{command.name}.description")
        head = f"/{command.name} {args}".rstrip()
        assert f"{head} - {description}" in reply.lines, reply.text
        assert description != catalogue("en")(f"commands.list.{command.name}.description")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_command_has_arguments_and_a_description_in_every_language(lang: str) -> None:
    texts = catalogue(lang).texts
    for command in COMMANDS:
        assert f"commands.list.{command.name}.args" in texts
        assert 3 <= len(texts[f"commands.list.{command.name}.description"]) <= 256  # Telegram


def test_command_names_stay_english(answerer: Answerer) -> None:
    for command in ("/edition 2014", "/editions", "/reports", "/fact"):
        assert ask(answerer, command, "it").kind is Kind.ANSWER
    reply = ask(answerer, "/editions", "it")
    assert all(b.ask.startswith("/editions ") for b in reply.buttons)
    assert ask(answerer, "/fact", "it").buttons == (Button("Un altro", "/fact"),)


def test_italian_and_english_editions_overview_have_the_same_figures(
    answerer: Answerer,
) -> None:
    italian, english = ask(answerer, "/editions", "it"), ask(answerer, "/editions", None)
    assert italian.buttons == english.buttons
    assert "1 edizione in archivio" in italian.text and "1 edition on record" in english.text
    for it_line, en_line in zip(italian.lines, english.lines, strict=True):
        assert [w for w in it_line.split() if w[:1].isdigit()] == [
            w for w in en_line.split() if w[:1].isdigit()
        ]


def test_knowledge_text_stays_as_in_the_knowledge_base(answerer: Answerer) -> None:
    italian = Answerer(answerer.knowledge, rng=random.Random(3))
    english = Answerer(answerer.knowledge, rng=random.Random(3))
    it_fact, en_fact = italian.answer("/fact", NOW, "it"), english.answer("/fact", NOW, None)
    assert it_fact.topic == en_fact.topic
    assert it_fact.lines == en_fact.lines  # the question and the answer of the fact itself
    assert it_fact.title == "Lo sapevi?" and en_fact.title == "Did you know?"
    speed = ask(answerer, "/editions mille miglia", "it").lines[0]
    assert speed.startswith("Speed race (1927-1957): 24 in archivio")  # era names as written


@pytest.mark.parametrize("name", [c.name for c in COMMANDS] + ["start", "foo"])
@pytest.mark.parametrize(
    "rest", ["", "2014", "1941", "0000", "tribute", "festa 2014", "route", "2014 2015", "ä" * 50]
)
def test_italian_commands_never_fail_and_never_fall_back_to_english(
    answerer: Answerer, name: str, rest: str
) -> None:
    reply = ask(answerer, f"/{name} {rest}".strip(), "it")
    assert reply.text.strip() and reply.lang == "it"
    for english in ("Usage:", "Commands:", "Which one do you mean?", "on record", "newest first"):
        assert english not in reply.text, reply.text


# ----------------------------------------------------------------- inline search


def test_search_gives_italian_titles_to_italian_users(answerer: Answerer) -> None:
    assert search(answerer, "", NOW, lang="it")[0].title == "Quando è la prossima Mille Miglia?"
    assert search(answerer, "", NOW)[0].title == "When is the next Mille Miglia?"
    # The answer and the full card share a title: the card says it is the full one.
    hits = search(answerer, "who won in 1955", NOW, lang="it")
    full = [h for h in hits if h.title.endswith(" (scheda completa)")]
    assert [h.reply.edition for h in full] == ["mille-miglia/1955"], [h.title for h in hits]
    assert not any("full card" in h.title for h in hits)
    english = search(answerer, "who won in 1955", NOW)
    assert [h.reply.edition for h in english if h.title.endswith(" (full card)")] == [
        "mille-miglia/1955"
    ]
    assert all(h.reply.lang == "it" for h in search(answerer, "1955", NOW, lang="it"))


# ----------------------------------------------------------------- through Telegram


@pytest.fixture
def tg(app: Any) -> Any:  # noqa: F811
    """The application of ``tests/test_tg.py``: a private copy of the knowledge, no network."""
    return app


def in_italian(payload: dict[str, Any]) -> dict[str, Any]:
    """The update as sent by a user whose Telegram app is in Italian."""
    for kind in ("message", "edited_message", "callback_query", "inline_query"):
        if kind in payload:
            payload[kind]["from"]["language_code"] = "it"
    return payload


async def test_an_italian_user_is_welcomed_in_italian(tg: Any) -> None:
    params = last_sent(await process(tg, in_italian(message("/start"))))
    assert "Benvenuto" in params["text"] and "Welcome" not in params["text"]
    labels = [b["text"] for row in keyboard_of(params) for b in row]
    assert labels == list(catalogue("it").words("answers.examples"))
    english = last_sent(await process(tg, message("/start")))
    assert "Welcome" in english["text"] and "Benvenuto" not in english["text"]


async def test_an_italian_user_gets_the_sticker_hint_in_italian(tg: Any) -> None:
    sent = await send(tg, in_italian(sticker()))
    assert sent == [catalogue("it")("telegram.hint")]
    assert "Rispondo a domande scritte" in sent[0] and "/help" in sent[0]
    assert await send(tg, sticker()) == [catalogue("en")("telegram.hint")]


async def test_an_expired_button_says_so_in_italian(tg: Any) -> None:
    calls = await process(tg, in_italian(callback("a#0123456789abcdef")))
    assert calls[0][0] == "answerCallbackQuery"
    assert calls[0][1]["text"] == "Questo pulsante è scaduto. Fai di nuovo la domanda."


async def test_admins_refuse_italian_users_in_italian(tg: Any) -> None:
    for command in ("/reload", "/stats", "/unanswered"):
        sent = await send(tg, in_italian(message(command, user=USER)))
        assert sent == [f"Scusa, {command} è riservato agli amministratori del bot."]


async def test_an_italian_admin_gets_italian_headings(tg: Any) -> None:
    await tg.bot_data["state"].unanswered.open()
    try:
        none = await send(tg, in_italian(message("/unanswered", user=ADMIN)))
        assert none == ["Nessuna domanda senza risposta registrata finora."]
        usage = await send(tg, in_italian(message("/unanswered lots", user=ADMIN)))
        assert usage[0].startswith("Uso: /unanswered [N]")
        stats = await send(tg, in_italian(message("/stats", user=ADMIN)))
        assert "Conoscenza:" in stats[0] and "edizioni" in stats[0]
    finally:
        await tg.bot_data["state"].unanswered.close()


async def test_paging_labels_are_in_the_language_of_the_reply(tg: Any) -> None:
    many = tuple(Button(str(n), f"/edition {n}") for n in range(1927, 1957))
    service = tg.bot_data["state"].service
    real = type(service).answer
    service.answer = lambda q, now, lang=None, context=None: (
        Reply(Kind.ANSWER, ("pick",), buttons=many, lang="it" if lang == "it" else "en")
        if q == "/edition"
        else real(service, q, now, lang)
    )
    params = last_sent(await process(tg, in_italian(message("/edition"))))
    nav = [b["text"] for b in keyboard_of(params)[-1]]
    assert nav[-1] == "Altri ›"
    more = await process(tg, in_italian(callback(keyboard_of(params)[-1][-1]["callback_data"])))
    (edit,) = [p for m, p in more if m == "editMessageReplyMarkup"]
    assert next(b["text"] for b in keyboard_of(edit)[-1]) == "‹ Indietro"
    english = last_sent(await process(tg, message("/edition")))
    assert [b["text"] for b in keyboard_of(english)[-1]][-1] == "More ›"


async def test_inline_search_with_no_match_points_to_the_chat_in_italian(tg: Any) -> None:
    calls = await process(tg, in_italian(inline("xyzzy plugh")))
    (params,) = [p for m, p in calls if m == "answerInlineQuery"]
    assert params["button"]["text"] == "Nessun risultato - chiedimelo in chat privata"
    calls = await process(tg, in_italian(inline("")))
    (params,) = [p for m, p in calls if m == "answerInlineQuery"]
    assert params["results"][0]["title"] == "Quando è la prossima Mille Miglia?"


async def test_an_italian_user_gets_the_apology_in_italian(tg: Any) -> None:
    def broken(question: str, now: Any, lang: str | None = None) -> Reply:
        raise RuntimeError("boom")

    tg.bot_data["state"].service.answer = broken
    sent = await send(tg, in_italian(message("chi ha vinto nel 1955")))
    assert sent == ["Scusa, qualcosa è andato storto da parte mia. Riprova tra un momento."]


def commands_of(params: dict[str, Any]) -> dict[str, str]:
    return {
        (c["command"] if isinstance(c, dict) else c.command): (
            c["description"] if isinstance(c, dict) else c.description
        )
        for c in params["commands"]
    }


def scope_of(params: dict[str, Any]) -> str:
    scope = params["scope"]
    return str(scope["type"] if isinstance(scope, dict) else scope.type)


async def test_the_italian_menus_are_registered_for_every_scope(tg: Any) -> None:
    await register_commands(tg)
    request: RecordingRequest = tg.bot_data["request"]
    menus = request.of("setMyCommands")
    italian = [p for p in menus if p.get("language_code") == "it"]
    english = [p for p in menus if not p.get("language_code")]
    assert [scope_of(p) for p in italian] == ["all_private_chats", "all_group_chats", "chat"]
    assert [scope_of(p) for p in english] == [scope_of(p) for p in italian]
    it = catalogue("it")
    for it_menu, en_menu in zip(italian, english, strict=True):
        it_commands, en_commands = commands_of(it_menu), commands_of(en_menu)
        assert list(it_commands) == list(en_commands)  # the same names, in the same order
        for command in COMMANDS:
            assert it_commands[command.name] == it(f"commands.list.{command.name}.description")
            assert it_commands[command.name] != en_commands[command.name]
    admin = commands_of(italian[-1])
    assert admin["reload"] == "admin: ricarica la base di conoscenza"
    assert "reload" not in commands_of(italian[0]) and "reload" not in commands_of(italian[1])
