"""Answers in Italian: for questions asked in Italian and for users whose Telegram is Italian.

Each case is asked three ways: in Italian (no language given), in English with ``lang="it"``
(both must reply in Italian: labels, dates, honesty lines) and in English with no language
(which must stay English). These tests drive one Answerer over the English files, so the checks
look at what the catalogues translate: labels, the sentences around the facts, dates and
ordinals. The knowledge's Italian texts are tested in ``test_italian_content.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.core import formatting as fmt
from bot.core.answer import EDITION_INTENTS, Answerer
from bot.core.i18n import using
from bot.core.model import Crew, Edition, Knowledge, Status
from bot.core.reply import Kind, Reply

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
BEFORE = datetime(2026, 5, 1, 10, tzinfo=UTC)  # 39 days before the 2026 edition (9-13 June)
DURING = datetime(2026, 6, 11, 9, tzinfo=UTC)  # its third day, in Brescia

# Words of the English catalogue that must never show in an Italian reply. Knowledge text can
# hold English words ("starters", "twice"), so these are the labels and the bot's own phrases.
ENGLISH = (
    "Winners:",
    "Winner:",
    "Dates:",
    "Field:",
    "Distance:",
    "Route:",
    "Winning time:",
    "Status:",
    "Sources differ",
    "My sources",
    "Source:",
    "Sources:",
    "Reports:",
    "Try:",
    "Did you mean",
    "Sorry,",
    "was won by",
    "revival edition",
    "nd edition",
    "th edition",
    "is under way",
    "The next ",
    "The latest ",
    "There was no race",
    "did not exist yet",
    "in my records",
    "as far as my records go",
)
# And the Italian ones that must never show in an English reply.
ITALIAN = (
    "Vincitori",
    "Date:",
    "Partecipanti",
    "Percorso",
    "Fonti:",
    "Fonte:",
    "Articoli",
    "Le fonti non concordano",
    "Le mie fonti",
    "Prova:",
    "Intendevi",
    "edizione",
    "volte",
    "giugno",
    "maggio",
    "aprile",
    "Mi dispiace",
)


# (id, question in Italian, the same in English, clock, kind, Italian must, English must)
CASES: list[tuple[str, str | None, str, datetime, Kind, list[str], list[str]]] = [
    (
        "winner-1955",
        "chi ha vinto la mille miglia nel 1955",
        "who won the mille miglia in 1955",
        NOW,
        Kind.ANSWER,
        [
            "Mille Miglia 1955 - 22ª edizione",
            "La Mille Miglia 1955 (30 aprile - 1 maggio 1955) è stata vinta da Stirling Moss e "
            "Denis Jenkinson su Mercedes-Benz 300 SLR",
            "Fonti: ",
        ],
        [
            "Mille Miglia 1955 - 22nd edition",
            "The 1955 Mille Miglia (30 April - 1 May 1955) was won by Stirling Moss and Denis "
            "Jenkinson in a Mercedes-Benz 300 SLR",
            "Sources: ",
        ],
    ),
    (
        "card-2014",
        "parlami della mille miglia 2014",
        "/edition 2014",
        NOW,
        Kind.ANSWER,
        [
            "Mille Miglia 2014 - 32ª edizione della rievocazione",
            "Date: 15-18 maggio 2014",
            "Vincitori: Giordano Mozzi e Stefania Biacca su Lancia Lambda",
            "Partecipanti: 435 iscritti",
            "Distanza: ",
            "Percorso: Brescia - Padova",
            "Articoli:",
        ],
        [
            "Mille Miglia 2014 - 32nd revival edition",
            "Dates: 15-18 May 2014",
            "Winners: Giordano Mozzi and Stefania Biacca in a Lancia Lambda",
            "Field: 435 entries",
            "Route: Brescia - Padova",
            "Reports:",
        ],
    ),
    (
        "no-race-1941",
        "chi ha vinto nel 1941",
        "who won in 1941",
        NOW,
        Kind.ANSWER,
        ["Nessuna gara nel 1941: non si è corsa nessuna edizione della Mille Miglia."],
        ["There was no race in 1941: no Mille Miglia was held."],
    ),
    (
        "scheduled-without-result",
        "chi ha vinto la mille miglia 2026",
        "who won the 2026 mille miglia",
        NOW,
        Kind.UNKNOWN,
        [
            "Mille Miglia 2026 - 44ª edizione della rievocazione",
            # Past is past: on 23 November the June edition is over, not "in programma".
            "La Mille Miglia 2026 si è svolta il 9-13 giugno 2026; il suo risultato non è ancora "
            "nelle mie fonti.",
            "Le mie fonti non indicano il risultato della Mille Miglia 2026.",
        ],
        [
            "The 2026 Mille Miglia was held 9-13 June 2026; its result is not in my sources yet.",
            "My sources don't give the result of the 2026 Mille Miglia.",
        ],
    ),
    (
        "next-before",
        "quando è la prossima mille miglia",
        "/next",
        BEFORE,
        Kind.ANSWER,
        [
            "Prossima edizione: Mille Miglia 2026 (44ª edizione), 9-13 giugno 2026; "
            "si parte tra 39 giorni.",
            "Percorso: Brescia - ",
        ],
        ["The next Mille Miglia is the 2026 edition (44th edition): 9-13 June 2026", "in 39 days"],
    ),
    (
        "next-during",
        "quando è la prossima mille miglia",
        "/next",
        DURING,
        Kind.ANSWER,
        ["La Mille Miglia 2026 è in corso: oggi è il giorno 3 di 5 (9-13 giugno 2026)."],
        ["The 2026 Mille Miglia is under way: today is day 3 of 5 (9-13 June 2026)."],
    ),
    (
        "next-after",
        "quando è la prossima mille miglia",
        "/next",
        NOW,
        Kind.ANSWER,
        [
            "Mille Miglia: le date della prossima edizione non sono ancora state annunciate.",
            "Mille Miglia: l'ultima edizione è stata quella del 2026 (la 44ª), 9-13 giugno 2026; "
            "il suo risultato non è ancora nelle mie fonti.",
        ],
        [
            "The dates of the next Mille Miglia have not been announced yet.",
            "The latest Mille Miglia was the 2026 edition (the 44th), 9-13 June 2026",
        ],
    ),
    (
        "field-1955",
        "quanti partenti nel 1955",
        "how many starters in 1955",
        NOW,
        Kind.ANSWER,
        [
            "Partecipanti della Mille Miglia 1955: 534 partenti, 281 arrivati",
            "Le fonti non concordano: ",
        ],
        ["Field of the 1955 Mille Miglia: 534 starters, 281 finishers", "Sources differ: "],
    ),
    (
        "route-2016",
        "percorso della mille miglia 2016",
        "what was the route of the 2016 mille miglia",
        NOW,
        Kind.ANSWER,
        [
            "Percorso della Mille Miglia 2016: Brescia - Rimini - Rome - Parma - Brescia.",
            "Distanza:",
        ],
        ["Route of the 2016 Mille Miglia: Brescia - Rimini", "Distance:"],
    ),
    (
        "count-biondetti",
        "quante volte ha vinto Biondetti",
        "how many times did Biondetti win",
        NOW,
        Kind.ANSWER,
        ["Clemente Biondetti ha vinto la Mille Miglia 4 volte: 1938, 1947, 1948, 1949."],
        ["Clemente Biondetti won the Mille Miglia 4 times: 1938, 1947, 1948, 1949."],
    ),
    (
        "unknown",
        "che tempo fa a Brescia domani",
        "what's the weather in Brescia tomorrow",
        NOW,
        Kind.UNKNOWN,
        ["Mi dispiace, non lo so.", "Prova: Chi ha vinto la Mille Miglia nel 1955?"],
        ["Sorry, I don't know that.", "Try: Who won the Mille Miglia in 1955?"],
    ),
    (
        "vague",
        "chi è",
        "who is",
        NOW,
        Kind.UNKNOWN,
        ["Mi dispiace, non lo so.", "Prova: "],
        ["Sorry, I don't know that.", "Try: "],
    ),
    (
        "clarify",
        None,  # no Italian wording found that is ambiguous in the same way
        "arrow",  # two curated facts read it equally well
        NOW,
        Kind.CLARIFY,
        ["Intendevi una di queste?", "Prova: "],
        ["Did you mean one of these?", "Try: "],
    ),
    (
        "person-nuvolari",
        "chi era Tazio Nuvolari",
        "who was Tazio Nuvolari",
        NOW,
        Kind.ANSWER,
        ["Ha vinto la Mille Miglia due volte: 1930 (Alfa Romeo 6C 1750"],
        ["Won the Mille Miglia twice: 1930 (Alfa Romeo 6C 1750"],
    ),
    (
        "no-data-1975",
        "chi ha vinto nel 1975",
        "who won in 1975",
        NOW,
        Kind.UNKNOWN,
        ["Mille Miglia: le mie fonti non registrano nessuna edizione nel 1975."],
        ["My sources record no Mille Miglia in 1975."],
    ),
    (
        "no-details-1987",
        "chi ha vinto nel 1987",
        "who won in 1987",
        NOW,
        Kind.UNKNOWN,
        [
            "La Mille Miglia si corre ogni anno dal 1987, ma le mie fonti non hanno notizia "
            "dell'edizione 1987; questo non vuol dire che non si sia corsa."
        ],
        ["The Mille Miglia has run every year since 1987"],
    ),
    (
        "before-1927",
        "chi ha vinto nel 1920",
        "who won in 1920",
        NOW,
        Kind.ANSWER,
        ["La Mille Miglia non esisteva ancora nel 1920: la prima edizione è del 1927."],
        ["The Mille Miglia did not exist yet in 1920: it began in 1927."],
    ),
    (
        "other-race",
        "chi ha vinto le mans nel 1955",
        "who won le mans in 1955",
        NOW,
        Kind.UNKNOWN,
        ["Conosco solo la Mille Miglia e le sue gare sorelle, non altre corse."],
        ["I only know the Mille Miglia and its sister rallies, not other races."],
    ),
    (
        "cancelled",
        "chi ha vinto la 1000 millas sport nel 2020",
        "who won the 1000 millas sport in 2020",
        NOW,
        Kind.ANSWER,
        ["La 1000 Millas Sport 2020 è stata annullata (non si è corsa): "],
        ["The 2020 1000 Millas Sport was cancelled (not held): "],
    ),
    (
        "masculine-event",
        "chi ha vinto il ferrari tribute 2021",
        "who won the 2021 ferrari tribute",
        NOW,
        Kind.ANSWER,
        ["L'edizione 2021 del Ferrari Tribute to Mille Miglia è stata vinta da Ghelfi e Mozzi."],
        ["The 2021 Ferrari Tribute to Mille Miglia was won by Ghelfi and Mozzi."],
    ),
    (
        "event-with-its-own-article",
        "chi ha vinto la festa mille miglia 2014",
        "who won the 2014 la festa mille miglia",
        NOW,
        Kind.UNKNOWN,
        ["Le mie fonti non indicano il vincitore di La Festa Mille Miglia 2014."],
        ["My sources don't give the winner of the 2014 La Festa Mille Miglia."],
    ),
    (
        "most-makes",
        "quante volte ha vinto Alfa Romeo",
        "how many times did Alfa Romeo win",
        NOW,
        Kind.ANSWER,
        [
            "Alfa Romeo ha vinto la Mille Miglia 11 volte nell'epoca delle corse di velocità "
            "(1927-1957): 1928,",
            "(1977-oggi)",
        ],
        ["Alfa Romeo won the Mille Miglia in the speed race (1927-1957) 11 times: 1928,"],
    ),
]
IDS = [c[0] for c in CASES]
# The cases with an Italian wording (listed, not skipped: `make test` skips nothing).
ITALIAN_CASES = [c for c in CASES if c[1] is not None]


URL = re.compile(r"https?://\S+")


def check_italian(reply: Reply, kind: Kind, must: list[str]) -> None:
    text = reply.text
    assert reply.lang == "it", text
    assert reply.kind is kind, text
    for term in must:
        assert term in text, f"{term!r} missing from:\n{text}"
    for word in ENGLISH:
        assert word not in URL.sub("", text), f"{word!r} in an Italian reply:\n{text}"
    assert "{" not in text and "}" not in text, text


@pytest.mark.parametrize(
    ("case", "italian", "english", "now", "kind", "it", "en"),
    ITALIAN_CASES,
    ids=[c[0] for c in ITALIAN_CASES],
)
def test_asked_in_italian_the_reply_is_italian(
    answerer: Answerer,
    case: str,
    italian: str | None,
    english: str,
    now: datetime,
    kind: Kind,
    it: list[str],
    en: list[str],
) -> None:
    assert italian is not None
    check_italian(answerer.answer(italian, now), kind, it)


@pytest.mark.parametrize(("case", "italian", "english", "now", "kind", "it", "en"), CASES, ids=IDS)
def test_an_italian_user_asking_in_english_gets_italian(
    answerer: Answerer,
    case: str,
    italian: str | None,
    english: str,
    now: datetime,
    kind: Kind,
    it: list[str],
    en: list[str],
) -> None:
    check_italian(answerer.answer(english, now, "it"), kind, it)
    check_italian(answerer.answer(english, now, "it-IT"), kind, it)


@pytest.mark.parametrize(("case", "italian", "english", "now", "kind", "it", "en"), CASES, ids=IDS)
def test_asked_in_english_the_reply_stays_english(
    answerer: Answerer,
    case: str,
    italian: str | None,
    english: str,
    now: datetime,
    kind: Kind,
    it: list[str],
    en: list[str],
) -> None:
    reply = answerer.answer(english, now)
    text = reply.text
    assert reply.lang == "en" and reply.kind is kind, text
    for term in en:
        assert term in text, f"{term!r} missing from:\n{text}"
    for word in ITALIAN:
        assert word not in URL.sub("", text), f"{word!r} in an English reply:\n{text}"
    assert "{" not in text and "}" not in text, text


def test_follow_up_buttons_are_labelled_in_italian_and_ask_the_same(answerer: Answerer) -> None:
    italian = answerer.answer("/edition 2014", NOW, "it")
    english = answerer.answer("/edition 2014", NOW)
    assert [b.shown for b in italian.buttons] == [
        "• Scheda",
        "Vincitori",
        "Percorso",
        "Articoli",
        "Mappa",
    ]
    assert [b.shown for b in english.buttons] == ["• Card", "Winners", "Route", "Reports", "Map"]
    assert [b.ask for b in italian.buttons] == [b.ask for b in english.buttons]
    route = answerer.answer("/edition 2014 route", NOW, "it")
    assert [b.shown for b in route.buttons][:3] == ["Scheda", "Vincitori", "• Percorso"]
    assert route.buttons[0].ask == "/edition 2014"


def test_the_empty_question_and_the_examples_are_italian(answerer: Answerer) -> None:
    reply = answerer.answer("", NOW, "it")
    assert reply.lines[0] == "Chiedimi della Mille Miglia e delle sue gare sorelle."
    assert reply.lines[1].startswith("Per esempio: chi ha vinto nel 1955")
    assert reply.suggestions[0] == "Chi ha vinto la Mille Miglia nel 1955?"


def test_every_italian_example_gets_an_italian_answer(answerer: Answerer) -> None:
    for question in answerer.answer("", NOW, "it").suggestions:
        reply = answerer.answer(question, NOW)
        assert reply.lang == "it" and reply.kind is Kind.ANSWER, (question, reply.text)


def test_names_of_events_do_not_make_a_question_italian(answerer: Answerer) -> None:
    """ "Coppa delle Alpi" is Italian words in any language: the rest of the question decides."""
    assert answerer.answer("latest Coppa delle Alpi", NOW).lang == "en"
    assert answerer.answer("/edition 2026 coppa-delle-alpi", NOW).lang == "en"
    assert answerer.answer("who won the Coppa delle Mille Miglia in 1931", NOW).lang == "en"
    assert answerer.answer("quando è la prossima coppa delle alpi", NOW).lang == "it"
    assert answerer.answer("chi ha vinto la corsa più bella del mondo nel 1955", NOW).lang == "it"


# Line openings that only the catalogues write: knowledge text never starts with them.
ENGLISH_LABEL_LINE = re.compile(
    r"^(Dates|Winners?|Field|Distance|Route|Winning time|Status|Sources differ|Sources?"
    r"|Reports|Try|Where|Organiser|Eligible cars):"
)


def test_no_italian_edition_reply_has_a_hole_or_an_english_label(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    """Every edition, card and each aspect of it, in Italian."""
    problems = []
    with using("it"):
        for ed in knowledge.editions:
            event = answerer.events[ed.event]
            for aspect in (None, *EDITION_INTENTS):
                reply = answerer.edition_reply(event, ed.year, aspect, NOW)
                text = reply.text
                if "{" in text or "}" in text:
                    problems.append(f"{ed.key} {aspect}: a hole in {text!r}")
                for line in text.splitlines():
                    if ENGLISH_LABEL_LINE.match(line):
                        problems.append(f"{ed.key} {aspect}: {line!r}")
                for button in reply.buttons:
                    if button.label in ("Winners", "Route", "Reports", "Card"):
                        problems.append(f"{ed.key} {aspect}: button {button.label}")
    assert not problems, "\n".join(problems[:20])


# ----------------------------------------------------------------- the formatting helpers


def test_italian_formatting() -> None:
    crew = Crew(driver="Stirling Moss", co_driver="Denis Jenkinson", car="Mercedes-Benz 300 SLR")
    alfa = Crew(driver="Tazio Nuvolari", co_driver=None, car="Alfa Romeo 8C 2300")
    with using("it"):
        assert [fmt.ordinal(n) for n in (1, 2, 3, 11, 44)] == ["1ª", "2ª", "3ª", "11ª", "44ª"]
        assert fmt.km(1600) == "1.600 km"
        assert fmt.km(1628.2) == "1.628,2 km"
        assert fmt.join_words(["a", "b", "c"]) == "a, b e c"
        assert [fmt.times(n) for n in (1, 2, 5)] == ["una volta", "due volte", "5 volte"]
        assert fmt.crew_text(crew) == "Stirling Moss e Denis Jenkinson su Mercedes-Benz 300 SLR"
        assert fmt.crew_text(alfa) == "Tazio Nuvolari su Alfa Romeo 8C 2300"
        assert fmt.a_car("Alfa Romeo 8C") == "un'Alfa Romeo 8C"
        assert fmt.a_car("Ferrari 340 America") == "una Ferrari 340 America"
        assert fmt.date_range(date(1955, 4, 30), date(1955, 5, 1)) == "30 aprile - 1 maggio 1955"
    with using("en"):
        assert [fmt.ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 44)] == [
            "1st",
            "2nd",
            "3rd",
            "11th",
            "12th",
            "13th",
            "21st",
            "44th",
        ]
        assert fmt.km(1600) == "1,600 km"
        assert fmt.km(1628.2) == "1,628.2 km"
        assert fmt.join_words(["a", "b", "c"]) == "a, b and c"
        assert [fmt.times(n) for n in (1, 2, 5)] == ["once", "twice", "5 times"]
        assert fmt.crew_text(alfa) == "Tazio Nuvolari in an Alfa Romeo 8C 2300"
        assert fmt.a_car("OM 665") == "an OM 665"


def test_edition_titles_and_names_in_italian(knowledge: Knowledge, answerer: Answerer) -> None:
    mm = answerer.events["mille-miglia"]
    revival = Edition(event="mille-miglia", year=2014, status=Status.HELD, era="revival", number=32)
    speed = Edition(event="mille-miglia", year=1955, status=Status.HELD, era="speed", number=22)
    with using("it"):
        assert fmt.edition_title(mm, revival) == (
            "Mille Miglia 2014 - 32ª edizione della rievocazione"
        )
        assert fmt.edition_title(mm, speed) == "Mille Miglia 1955 - 22ª edizione"
        assert fmt.the_edition(mm, speed, "of_edition") == "della Mille Miglia 1955"
    with using("en"):
        assert fmt.edition_title(mm, revival) == "Mille Miglia 2014 - 32nd revival edition"
        assert fmt.the_edition(mm, speed, "of_edition") == "of the 1955 Mille Miglia"
    assert {
        e.name: fmt.article_set(e.name)
        for e in knowledge.events
        if e.id
        in {
            "mille-miglia",
            "ferrari-tribute",
            "la-festa-mille-miglia",
        }
    } == {
        "Mille Miglia": "f",
        "Ferrari Tribute to Mille Miglia": "m",
        "La Festa Mille Miglia": "own",
    }
