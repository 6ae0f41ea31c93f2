"""Golden tables: what the bot reads from a question, which kind of question answers it, and
the operations, honesty rules and languages of the answering core.

A row here is a promise to users: change it only when the new reading is better, and say why.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.answer import Answerer
from bot.core.reply import Kind
from bot.core.understand import understand

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
ANSWER, UNKNOWN, CLARIFY = Kind.ANSWER, Kind.UNKNOWN, Kind.CLARIFY

# --------------------------------------------------------------------- what understand() reads

READS = [
    # question, field -> expected value
    ("who won in '55", {"years": (1955,), "intents": {"winner"}}),
    ("who won the 33rd edition", {"ordinal": 33, "intents": {"winner"}}),
    ("califronia mille winners", {"events": ("california-mille",)}),
    ("who won mile miglia 1931", {"events": ("mille-miglia",), "years": (1931,)}),
    ("between 1948 and 1957", {"year_range": (1948, 1957), "years": ()}),
    ("compare 1930 and 1931", {"years": (1930, 1931), "year_range": None}),
    ("the 1950s winners", {"year_range": (1950, 1959)}),
    ("a car other than a Ferrari", {"makes": ("Ferrari",), "ops": {"except"}}),
    ("winners without a co-driver", {"ops": {"solo"}}),
    ("the first winner after the war", {"ops": {"first", "after_war"}}),
    ("above 100 km/h", {"ops": {"above"}, "number": 100.0}),
    ("did a Porsche ever win", {"makes": ("Porsche",), "ops": {"ever"}}),
    ("more than once", {"ops": {"more_than_once"}}),
    ("who finished second in 2025", {"intents": {"podium"}}),  # a phrase beats a word
    ("what was Bracco's speed when he won in 1952", {"intents": {"speed", "winner"}}),
    ("quanti morti nell'incidente di Bologna", {"places": ("Bologna",)}),  # elision split
    ("chi ha vinto la mille miglia di velocità", {"eras": {"speed"}, "intents": {"winner"}}),
    ("hello", {"intents": set()}),
]


@pytest.mark.parametrize(("question", "expected"), READS, ids=[r[0] for r in READS])
def test_what_understand_reads(
    answerer: Answerer, question: str, expected: dict[str, object]
) -> None:
    query = understand(question, answerer.catalog)
    for name, value in expected.items():
        got = getattr(query, name)
        if isinstance(value, set):
            assert value <= set(got) if value else not got, (name, got)
        else:
            assert got == value, (name, got)


def test_a_year_the_question_names_is_a_word_to_explain(answerer: Answerer) -> None:
    query = understand("who died in 1957", answerer.catalog)
    assert query.words_at(query.content) == ["died", "1957"]


def test_filler_and_stop_words_need_no_explaining(answerer: Answerer) -> None:
    query = understand("please tell me exactly who won the mille miglia in 1955", answerer.catalog)
    assert query.words_at(query.content) == ["won", "1955"]


# --------------------------------------------------------------------- who answers

WHO_ANSWERS = [
    ("who won in 1955", "edition"),
    ("who won the 1000 millas sport in 2013", "edition"),
    ("when is the next mille miglia", "next"),
    ("how many times did Biondetti win", "people:wins"),
    ("who was Tazio Nuvolari", "people:card"),
    ("what is the california mille", "event:card"),
    ("who organises the california mille", "event:field"),
    ("which drivers won the original race more than once", "records:groups"),
    ("who won the first Mille Miglia after the war", "records:ordered"),
    ("which winners drove without a co-driver", "records:filtered"),
    ("who won both before and after the war", "records:both_wars"),
    ("who was faster, Moss or Taruffi", "records:compare_people"),
    ("which years had no race", "records:no_race"),
    ("who was the first foreign winner", "text:person"),
    ("who died in 1957", "text:note"),
    ("what did Tom and Gwen Price drive", "text:note"),
    ("how many pages of pace notes did Jenkinson write", "text:fact"),
    ("what is the red arrow", "text:fact"),
    ("hi", "smalltalk"),
]


@pytest.mark.parametrize(("question", "kind"), WHO_ANSWERS, ids=[r[0] for r in WHO_ANSWERS])
def test_which_kind_answers(answerer: Answerer, question: str, kind: str) -> None:
    best = answerer.readings(question, NOW)[0]
    assert best.kind == kind, [
        (r.kind, r.draft.lines[:1]) for r in answerer.readings(question, NOW)[:3]
    ]


# --------------------------------------------------------------------- operations over records

OPERATIONS = [
    # filter + list
    (
        "in which years between 1948 and 1957 did a car other than a Ferrari win?",
        ["1954", "1955"],
        ["1948:"],
    ),
    (
        "which winners of the original race drove without a co-driver?",
        ["Ascari", "Castellotti", "Taruffi"],
        [],
    ),
    (
        "in quali anni tra il 1948 e il 1957 ha vinto un'auto diversa da Ferrari?",
        ["1954", "1955"],
        [],
    ),
    # order
    ("who won the first Mille Miglia after the war?", ["1947", "Biondetti"], ["Minoia"]),
    ("chi ha vinto la prima mille miglia dopo la guerra?", ["1947", "Biondetti"], []),
    ("who was the first to win at an average above 100 km/h?", ["1930", "Nuvolari"], []),
    ("when did Alfa Romeo last win in the speed race era?", ["1947"], []),
    ("which edition had the fewest starters in the speed race?", ["1934", "57"], []),
    ("which was the fastest edition of the speed race?", ["1940"], []),
    # editions by how many days they lasted (from their dates)
    ("which editions lasted five days?", ["2023:", "2025:"], ["2014:"]),
    # a short year after "nel"/"in", a year counted from another
    ("chi ha vinto nel 51?", ["Villoresi"], []),
    ("who won two years after 1950?", ["1952", "Bracco"], []),
    ("how many editions were held in the 1930s?", ["9 editions"], ["12th"]),
    # "the smallest car" is a car, not the smallest field
    ("what was the smallest car ever to take part?", ["Isetta"], ["starters"]),
    # makes counted, and lists naming the winning makes
    ("how many different makes won the original race?", ["6 different makes", "OM (1)"], []),
    ("which makes won the revival between 2011 and 2015?", ["2011:", "Aston Martin"], []),
    # "held" describes the editions it filters
    ("who won the first Mille Miglia held after the war?", ["1947", "Biondetti"], []),
    # someone who won a sister event, asked without naming one
    ("what did Daniel Erejomovich win?", ["1000 Millas Sport", "2018"], ["never"]),
    # "la seconda edizione" numbers the edition: no second place is asked
    ("chi ha vinto la seconda edizione della Mille Miglia?", ["1928", "Campari"], []),
    ("quante auto partirono e quante arrivarono nel 1934?", ["29", "57"], []),
    # years apart: each side read as a question of its own
    ("how many years went by between the last speed race and the first revival?", ["20 years"], []),
    (
        "how many years passed between Biondetti's first and his last win?",
        ["1938", "1949", "11 years"],
        [],
    ),
    # aggregate
    (
        "which drivers won the original race more than once?",
        ["Biondetti", "Nuvolari", "Marzotto", "Campari", "Pintacuda"],
        [],
    ),
    ("how many times did Ferrari win between 1927 and 1957?", ["8 times"], []),
    ("which make has won the most?", ["Alfa Romeo (11)"], []),
    ("which years was the mille miglia not run between 1927 and 1957?", ["1939", "1941-1946"], []),
    ("who won both before and after the war?", ["Biondetti"], []),
    # a make's own wins, counted, when no driver is asked for
    # decades in words
    ("quante volte ha vinto la Ferrari negli anni Cinquanta?", ["6 volte", "1956, 1957"], ["1948"]),
    ("who won in the thirties?", ["1930-1939", "1934:"], ["1927:"]),
    # several towns on one route: the route is said once
    ("did the 2026 route go over the Furlo and through Gubbio?", ["Furlo and Gubbio are"], []),
    ("la mille miglia 2014 passava da Siena e Roma?", ["Siena", "Rome"], []),
    ("did Lancia win the Mille Miglia more than once?", ["Yes.", "1954", "1994, 2014"], []),
    ("which drivers won more than once in a Ferrari?", ["Marzotto (2)"], ["Ferrari (8)"]),
    # runs of consecutive editions (1938 and 1947 are not consecutive: 1940 lies between)
    ("did anyone win three years running in the speed race?", ["Yes.", "Biondetti 1947-1949"], []),
    ("did Biondetti win back to back?", ["1947-1949 (3 in a row)"], ["1938-1949"]),
    ("quale marca ha vinto più edizioni di fila?", ["Alfa Romeo 1932-1938 (7 di fila)"], []),
    # compare
    ("who was faster, Moss or Taruffi?", ["Stirling Moss was faster", "157.65", "152.63"], []),
    (
        "compare the average speeds of 1930 and 1931",
        ["1931 winners were faster", "101.147", "100.450"],
        [],
    ),
    # yes/no
    ("did a Porsche ever win?", ["No."], ["Yes"]),
    # "did X win the first": the first edition of all, then whether X won it
    ("did Nuvolari win the very first Mille Miglia?", ["No.", "1927", "Minoia"], ["1930"]),
    ("did Taruffi win the last speed race?", ["Yes.", "1957"], []),
    ("did a Ferrari ever win the Mille Miglia?", ["Yes.", "1948"], []),
    ("la ferrari ha mai vinto la mille miglia?", ["Sì.", "1948"], []),
    ("was the race held in 1939?", ["no race"], []),
    ("does the 2014 route pass through Siena?", ["Yes", "Siena"], []),
]


@pytest.mark.parametrize(("question", "must", "never"), OPERATIONS, ids=[r[0] for r in OPERATIONS])
def test_operations_over_the_records(
    answerer: Answerer, question: str, must: list[str], never: list[str]
) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is ANSWER, reply.text
    for text in must:
        assert text in reply.text, reply.text
    for text in never:
        assert text not in reply.text, reply.text


def test_a_filtered_answer_says_how_it_read_the_question(answerer: Answerer) -> None:
    reply = answerer.answer(
        "in which years between 1948 and 1957 did a car other than a Ferrari win?", NOW
    )
    assert (
        reply.lines[0] == "Mille Miglia editions 1948-1957 won in a car other than a Ferrari (2):"
    )


def test_ties_are_stated(answerer: Answerer) -> None:
    reply = answerer.answer("who has more wins, Biondetti or Nuvolari?", NOW)
    assert "Clemente Biondetti has more wins: 4 against 2" in reply.text
    level = answerer.answer("who has more wins, Nuvolari or Marzotto?", NOW)
    assert "They are level, with 2 wins each." in level.text


# --------------------------------------------------------------------- multi-part questions


def test_a_multi_part_question_is_answered_part_by_part(answerer: Answerer) -> None:
    reply = answerer.answer("who won in 1955, in what car, and how long did it take?", NOW)
    assert reply.kind is ANSWER
    for text in ("Stirling Moss", "Mercedes-Benz 300 SLR", "10h 07m 48s"):
        assert text in reply.text


def test_parts_of_different_kinds_are_joined(answerer: Answerer) -> None:
    reply = answerer.answer("When did the 2020 edition take place, and why then?", NOW)
    assert "22-25 October 2020" in reply.text and "Covid" in reply.text


def test_a_later_clause_that_points_back_is_a_follow_up(answerer: Answerer) -> None:
    # "did he win again?" asks about the winner the first clause named, in other years
    reply = answerer.answer("who won in 1947, and did he win again?", NOW)
    assert reply.kind is ANSWER
    assert "1938, 1947, 1948, 1949" in reply.text


def test_a_part_is_read_about_the_edition_the_part_before_found(answerer: Answerer) -> None:
    reply = answerer.answer("who won the first Warm Up USA, and in what car?", NOW)
    assert reply.kind is ANSWER and "Jaguar XK120" in reply.text


def test_a_text_of_the_race_is_no_answer_about_a_sister_event(answerer: Answerer) -> None:
    # "start and finish are always in Brescia" is the Mille Miglia's, not the Warm Up USA's
    reply = answerer.answer("where does the 2018 Warm Up USA finish?", NOW)
    assert "Viale Venezia" not in reply.text


def test_how_many_km_measures_and_counts_no_editions(answerer: Answerer) -> None:
    reply = answerer.answer("how many km is La Festa Mille Miglia?", NOW)
    assert "1,100 km" in reply.text and "5 editions" not in reply.text


def test_a_bare_by_whom_completes_the_part_before(answerer: Answerer) -> None:
    reply = answerer.answer(
        "When did the California Mille begin, by whom, and how big is the field?", NOW
    )
    assert reply.kind is ANSWER
    for text in ("1991", "Martin Swig", "65-70"):
        assert text in reply.text


def test_a_part_the_bot_cannot_answer_is_said_and_the_reply_is_unknown(answerer: Answerer) -> None:
    reply = answerer.answer("who won in 1955 and what did it cost to enter?", NOW)
    assert reply.kind is UNKNOWN
    assert "Stirling Moss" in reply.text  # what it could answer is still said


# ------------------------------------------------------ a record completed by a text

RECORD_WITH_TEXT = [
    # "finished behind" asks the places behind the winner, not how many finished
    ("who finished behind Marzotto in 1950?", ("Serafini",)),
    # the record names the crew, a note of the same edition says why
    ("why did Pintacuda take Della Stufa along as co-driver in 1935?", ("Pintacuda", "slim")),
    # the record answers who won, a note of that edition tells of the crash
    ("who won in 1938, the year of the Bologna crash?", ("Biondetti", "Porta Zamboni")),
    # "where ... end" asks a place: the card finds the edition, its note answers
    ("where did the 2010 Ferrari Tribute end?", ("Fiorano",)),
    ("dove è finito il Ferrari Tribute 2010?", ("Fiorano",)),
]


@pytest.mark.parametrize(
    ("question", "must"), RECORD_WITH_TEXT, ids=[r[0] for r in RECORD_WITH_TEXT]
)
def test_a_record_is_completed_by_a_text_of_the_same_edition(
    answerer: Answerer, question: str, must: tuple[str, ...]
) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is ANSWER, reply.text
    for text in must:
        assert text in reply.text


def test_a_card_lends_no_crew_names_to_a_text_that_does_not_name_them(answerer: Answerer) -> None:
    # the 2025 note speaks of a margin in points, not of what Vesco and Salvinelli scored
    reply = answerer.answer("how many points did Vesco and Salvinelli get altogether in 2025?", NOW)
    assert reply.kind is not ANSWER


def test_a_fact_that_leaves_the_dates_open_still_answers_when(answerer: Answerer) -> None:
    reply = answerer.answer("when is the 100th anniversary of the mille miglia", NOW)
    assert reply.kind is ANSWER and "2027" in reply.text


WHERE = [
    # an edition with no route of its own: the event's place
    ("where was the 2025 1000 Millas Sport held?", "Bariloche"),
    # "where" asks a place: the route (or a note naming one) answers, dates do not
    ("Where was the 1000 Miglia Experience held in April 2026?", "Puglia"),
    ("when and where was the 2013 race?", "Maranello"),
    ("where did the 2010 Ferrari Tribute end?", "Fiorano"),
]


@pytest.mark.parametrize(("question", "must"), WHERE, ids=[w[0] for w in WHERE])
def test_where_is_answered_by_a_place(answerer: Answerer, question: str, must: str) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is ANSWER and must in reply.text, reply.text


def test_where_is_not_answered_by_dates_alone(answerer: Answerer) -> None:
    # the 2020 record has dates and winners but no route: the event's place, not the dates
    reply = answerer.answer("where was the 2020 mille miglia?", NOW)
    assert "Brescia" in reply.text and "22-25 October" not in reply.text


def test_one_plain_word_beside_three_explained_is_forgiven(answerer: Answerer) -> None:
    reply = answerer.answer("the rain-drenched 1956 race was won by whom?", NOW)
    assert reply.kind is ANSWER and "Castellotti" in reply.text


def test_what_the_knowledge_never_holds_is_never_forgiven(answerer: Answerer) -> None:
    # three words explained, one left: a price is never a word to overlook
    reply = answerer.answer("what did a seat in 1955 at the Brescia finish cost?", NOW)
    assert reply.kind is not ANSWER


def test_the_first_edition_after_the_war_is_no_ordinal(answerer: Answerer) -> None:
    reply = answerer.answer("the first post-war Mille Miglia: who won it?", NOW)
    assert "1947" in reply.text and "Minoia" not in reply.text


def test_yaml_words_that_look_like_booleans_stay_words(answerer: Answerer) -> None:
    # YAML 1.1 reads "on", "yes", "no" as booleans: "on" must still be a stop word
    q = understand("on what date did the 1955 race start?", answerer.catalog)
    assert "on" not in q.words_at(q.content)


def test_the_word_after_which_is_never_overlooked(answerer: Answerer) -> None:
    # "province" is what is asked, however many other words are explained
    reply = answerer.answer(
        "when did the 1000 Millas Sport begin and which province hosted it?", NOW
    )
    assert reply.kind is not ANSWER or "Cordoba" in reply.text


def test_an_idiom_asks_nothing(answerer: Answerer) -> None:
    q = understand("why did Brescia want a race of its own in the first place?", answerer.catalog)
    assert q.words_at(q.content) == ["why", "brescia"]
    assert "first" not in q.ops


# ------------------------------------------------------ when an event is usually held

SEASON = [
    ("in che mese si corre la festa mille miglia?", "ottobre (2013, 2014)"),
    ("la festa mile miglia japan what month", "October (2013, 2014)"),
    ("what month is the Mille Miglia usually held?", "March (1927, 1928)"),
    # no date announced: the reply says when the latest editions were held
    ("When is La Festa Mille Miglia held?", "October"),
    ("when is the next mille miglia?", "June (2021-2026)"),
]


@pytest.mark.parametrize(("question", "must"), SEASON, ids=[s[0] for s in SEASON])
def test_the_months_an_event_is_held_in_come_from_its_records(
    answerer: Answerer, question: str, must: str
) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is ANSWER and must in reply.text, reply.text


# --------------------------------------------------------------------- honesty

HONESTY = [
    # never a card for a question the bot did not understand
    "How much does a ticket to the Museo Mille Miglia cost?",
    "What is the entry fee for the 1000 Miglia?",
    "What are the opening hours of the Mille Miglia museum?",
    "Give me the phone number of 1000 Miglia Srl.",
    "wich tv channel shows the mille miglia live",
    "What will the weather be like in Brescia for the start of the next edition?",
    "When is Andrea Vesco's birthday?",
    "how old is juan tonconogy now",
    "Is the Mille Miglia more fun than the Goodwood Festival of Speed?",
    "Quanto costa iscriversi alla 1000 Miglia del centenario?",
    "Dove posso parcheggiare per vedere la partenza in viale Venezia?",
    # a known subject with the asked field missing is unknown, with what is known
    "What car did Flaminio Valseriati win with in 1989?",
    "Who was Roberto Vesco's co-driver when he won in 1993?",
    "What was Bracco's average speed when he won in 1952?",
    "who won the 2026 mille miglia",
    # a lone word guessed into a keyword ("quit" -> "quinto", the 5th edition) asks nothing
    "quit",
    # the word left over is the very thing asked
    "what engine did the OM that won in 1927 have?",
    "the Alfa that won in 2019 - was it a private car?",
    "which edition had the biggest winning margin, 2012 or 2013?",
    "what did Moss and Jenkinson eat during the 1955 race?",
    "quanti anni ha Fabio Salvinelli?",
    # "how old": a fact phrasing about "the old Mille Miglia" is no age
    "how old is Stirling Moss?",
    # the dates say 1999 ran four days, a curated note says 2014 was the first four-day format
    "which revival edition was the first to run over four days?",
    # the record names only the make: the model is not known
    "which Ferrari model won in 1999?",
    # a fact that says the dates are not known yet (leaves_open) is no answer to "the dates"
    "what are the dates of the centenary edition in 2027?",
    "quali sono le date del centenario 2027?",
    "<b>who</b> & <i>why</i>",
]


@pytest.mark.parametrize("question", HONESTY)
def test_what_the_bot_cannot_answer_is_never_an_answer(answerer: Answerer, question: str) -> None:
    assert answerer.answer(question, NOW).kind is not ANSWER


def test_an_unknown_says_which_words_it_has_nothing_on_and_what_it_knows(
    answerer: Answerer,
) -> None:
    reply = answerer.answer("what is the phone number of 1000 Miglia Srl?", NOW)
    assert reply.kind is UNKNOWN
    assert "“phone”" in reply.lines[0]
    assert "1000 Miglia Srl" in reply.text  # what it does know about the subject


def test_a_missing_field_keeps_what_is_known(answerer: Answerer) -> None:
    reply = answerer.answer("What car did Flaminio Valseriati win with in 1989?", NOW)
    assert reply.kind is UNKNOWN
    assert "Valseriati" in reply.text and "don't give the winning car" in reply.text


def test_two_facts_that_read_a_question_equally_are_offered(answerer: Answerer) -> None:
    reply = answerer.answer("arrow", NOW)
    assert reply.kind is CLARIFY
    assert len(reply.suggestions) == 2
    for suggestion in reply.suggestions:  # each suggestion is itself answered
        assert answerer.answer(suggestion, NOW).kind is ANSWER


# --------------------------------------------------------------------- everything is reachable


def test_every_fact_question_and_phrasing_retrieves_its_fact(answerer: Answerer) -> None:
    missed = []
    for fact in answerer.knowledge.facts:
        for question in (fact.question, *fact.phrasings):
            reply = answerer.answer(question, NOW)
            if reply.topic == f"fact:{fact.id}" or fact.answer in reply.lines:
                continue  # the fact itself, or a record's answer followed by the fact
            # A record that says its value is unknown (the 2026 result) decides over a fact,
            # and a fact about an edition that is over ("is scheduled for June 2026") is not
            # said after it.
            if reply.edition in fact.editions and (
                reply.kind is UNKNOWN or fact.topic == "upcoming"
            ):
                continue
            missed.append((fact.id, question, reply.topic))
    assert not missed


NOTES = [
    # "who founded" asks for the founders, not today's organiser nor a year
    ("who founded the mille miglia?", "four musketeers"),
    ("who founded the California Mille?", "Martin Swig"),
    ("was Enzo Ferrari prosecuted after the 1957 crash?", "manslaughter"),
    ("where does the 1000 Miglia Warm Up USA finish?", "Villa Firenze"),
    # "the revival in 2008-2012": the years already say which era
    ("who organised the revival from 2008 to 2012?", "Sanremorally"),
    ("when did the revival start?", "The revival (a regularity rally) began in 1977"),
    # a text naming Ferrari names Enzo Ferrari; his "company" is the Auto Avio Costruzioni
    ("which car of Enzo Ferrari's own firm started in 1940?", "815"),
    ("which report was written by Len Clarke?", "La Festa Mille Miglia 2013"),
    # no eligibility rules given: the event's format says what cars it is for
    ("what sort of cars run in the 1000 Miglia Experience?", "supercars"),
    # a story in two texts: the name (a note) and why it changed (an event text)
    ("what was La Festa called in 2011 and 2012, and why the change?", "earthquake"),
    ("which anniversary falls in 2027?", "centenary"),
    ("did the 1940 race go to Rome?", "closed"),  # not on the route, and the route note says why
    ("which trophy goes with Aspettando la Mille Miglia?", "Trofeo"),
    ("why did La Festa change its name in 2011?", "Autunno"),
    ("who died in 1957?", "Guidizzolo"),
    ("what happened in Bologna in 1938?", "Porta Zamboni"),
    ("how many BMW 328s ran in 2013?", "nine"),
    ("what did Tom and Gwen Price drive?", "C-Type"),
    ("what is the red arrow?", "Freccia Rossa"),
    ("when did the museum open?", "2004"),
    ("why did petrol run short in 1936?", "sanctions"),
    ("what's the story about Nuvolari's headlights in 1930?", "lights"),
]


@pytest.mark.parametrize(("question", "must"), NOTES, ids=[n[0] for n in NOTES])
def test_notes_people_and_reports_are_reachable(
    answerer: Answerer, question: str, must: str
) -> None:
    reply = answerer.answer(question, NOW)
    assert reply.kind is ANSWER and must in reply.text, reply.text


# --------------------------------------------------------------------- small talk

SMALLTALK = [
    ("hi", "en", "Hello!"),
    ("ciao", "it", "Ciao!"),
    ("thanks", "en", "You're welcome"),
    ("grazie", "it", "Prego!"),
    ("who are you?", "en", "I answer questions about the Mille Miglia"),
    ("chi sei?", "it", "Rispondo a domande sulla Mille Miglia"),
]


@pytest.mark.parametrize(("question", "lang", "must"), SMALLTALK, ids=[s[0] for s in SMALLTALK])
def test_small_talk_gets_a_short_reply_in_the_users_language(
    answerer: Answerer, question: str, lang: str, must: str
) -> None:
    reply = answerer.answer(question, NOW, lang)
    assert reply.kind is ANSWER and reply.lines[0].startswith(must), reply.text
    assert reply.suggestions  # and what to ask
