"""Follow-up suggestions (issue 11): natural next questions as buttons that always answer."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.core.answerers import Answerers
from bot.core.answering.conversation import Context
from bot.core.answering.followups import MAX_FOLLOWUPS
from bot.core.model import Knowledge
from bot.core.reply import Button, Kind, Reply

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)

# Conversations as fans hold them: each turn is read against the previous one's context.
CONVERSATIONS = (
    ("who won in 1955?", "what car did he drive?", "and in 1956?"),
    ("who won in 1931?", "and the year after?"),
    ("route in 2014?", "and the reports?"),
    ("who was Stirling Moss?",),
    ("who was Tazio Nuvolari?",),
    ("what is the California Mille?", "where does it start?"),
    ("what is the Coppa delle Alpi?",),
    ("when is the next Mille Miglia?",),
    ("who won the most?",),
    ("what was the average speed in 1955?", "and in 1957?"),
    ("how many starters in 1955?",),
    ("who won the Ferrari Tribute in 2014?",),
)
CONVERSAZIONI = (
    ("chi ha vinto nel 1955?", "e nel 1956?"),
    ("chi era Stirling Moss?",),
    ("cos'è la California Mille?",),
    ("percorso del 2014?",),
)


@pytest.fixture(scope="module")
def answerers(knowledge: Knowledge) -> Answerers:
    return Answerers(knowledge, rng=random.Random(7))


def followups_of(reply: Reply) -> list[Button]:
    """The suggestion buttons of a reply, not its edition tabs."""
    return [b for b in reply.buttons if b.followup]


def replies(answerers: Answerers, turns: tuple[str, ...], lang: str) -> list[Reply]:
    context: Context | None = None
    out = []
    for turn in turns:
        reply = answerers.answer(turn, NOW, lang, context)
        context = Context.from_dict(reply.context)
        out.append(reply)
    return out


@pytest.mark.parametrize(
    ("turns", "lang"),
    [(c, "en") for c in CONVERSATIONS] + [(c, "it") for c in CONVERSAZIONI],
)
def test_every_suggestion_tapped_gets_an_answer(
    answerers: Answerers, turns: tuple[str, ...], lang: str
) -> None:
    for reply in replies(answerers, turns, lang):
        for button in followups_of(reply):
            later = Context.from_dict(reply.context)
            for context in (later, None):  # in the conversation, and after a restart
                tapped = answerers.answer(button.ask, NOW, lang, context)
                assert tapped.kind is Kind.ANSWER, (turns, button, tapped.text)


def test_after_who_won_the_winners_and_the_next_edition_are_suggested(
    answerers: Answerers,
) -> None:
    reply = answerers.answer("who won in 1955?", NOW)

    labels = [b.label for b in followups_of(reply)]

    assert labels == ["Who was Stirling Moss?", "Who was Denis Jenkinson?", "And in 1956?"]
    assert "Castellotti" in answerers.answer(followups_of(reply)[-1].ask, NOW).text


def test_suggestions_speak_the_users_language(answerers: Answerers) -> None:
    reply = answerers.answer("chi ha vinto nel 1955?", NOW, "it")

    labels = [b.label for b in followups_of(reply)]

    assert labels == ["Chi era Stirling Moss?", "Chi era Denis Jenkinson?", "E nel 1956?"]


def test_and_in_asks_the_same_question_of_the_next_edition_that_can_answer_it(
    answerers: Answerers,
) -> None:
    (route,) = [
        b for b in followups_of(answerers.answer("route in 2014?", NOW)) if "And" in b.label
    ]

    tapped = answerers.answer(route.ask, NOW)

    assert route.label == "And in 2015?"
    assert tapped.edition == "mille-miglia/2015" and "Brescia to Rome" in tapped.text


def test_a_whole_card_gets_no_suggestions_its_tabs_are_the_next_steps(
    answerers: Answerers,
) -> None:
    card = answerers.answer("Mille Miglia 2014", NOW)

    assert card.edition == "mille-miglia/2014"
    assert followups_of(card) == []


def test_suggestions_never_repeat_a_tab_and_never_exceed_three(answerers: Answerers) -> None:
    for turns in CONVERSATIONS:
        for reply in replies(answerers, turns, "en"):
            tabs = {b.ask for b in reply.buttons if b.in_place}
            offered = followups_of(reply)
            assert len(offered) <= MAX_FOLLOWUPS
            assert not tabs & {b.ask for b in offered}
            assert all(b.ask.startswith("/") or b.ask == b.label for b in offered)


def test_a_person_leads_to_the_races_they_won(answerers: Answerers) -> None:
    reply = answerers.answer("who was Stirling Moss?", NOW)

    labels = [b.label for b in followups_of(reply)]

    assert labels == ["Mille Miglia 1955", "Who was Denis Jenkinson?"]


def test_replies_that_are_not_answers_get_no_suggestions(answerers: Answerers) -> None:
    unknown = answerers.answer("who won the tour de france in 1955?", NOW)
    unsure = answerers.answer("who won the tribute", NOW)

    assert unknown.kind is Kind.UNKNOWN and followups_of(unknown) == []
    assert unsure.kind is Kind.CLARIFY and followups_of(unsure) == []


# Conversations whose last reply must say (or must not say) something.
LAST_TURN = (
    # a person's field, asked while an edition is the subject, is about that edition
    (("tell me about the 1955 race", "what number was Fangio's car?"), "en", "658"),
    # a year alone after another event asks about that event's edition
    (("Cos'è la 1000 Millas Sport?", "quanti equipaggi c'erano nell'edizione 2023?"), "it", "110"),
    # "two years after 2005" counts from the year it names
    (("chi ha vinto la 1000 Miglia nel 2005?", "e due anni dopo il 2005?"), "it", "Bergamaschi"),
    # "that year" is the year the previous answer gave
    (("when did the Ferrari Tribute start?", "how many cars took part that year?"), "en", "130"),
    # "tornata a vincere" asks about other years
    (
        ("chi ha vinto la Mille Miglia 1931?", "e quando la Mercedes è tornata a vincere?"),
        "it",
        "1955",
    ),
)


@pytest.mark.parametrize(("turns", "lang", "must"), LAST_TURN, ids=[c[0][-1] for c in LAST_TURN])
def test_the_last_turn_reads_the_conversation(
    answerers: Answerers, turns: tuple[str, ...], lang: str, must: str
) -> None:
    last = replies(answerers, turns, lang)[-1]
    assert last.kind is Kind.ANSWER and must in last.text, last.text


def test_who_won_it_after_an_unfinished_edition_is_no_answer(answerers: Answerers) -> None:
    # the 2026 result is not in the sources: "e chi l'ha vinta?" must not answer another prize
    last = replies(
        answerers, ("Quando si è corsa la 1000 Miglia 2026?", "e chi l'ha vinta?"), "it"
    )[-1]
    assert last.kind is not Kind.ANSWER, last.text


def test_a_count_about_a_person_is_not_limited_to_the_year_discussed(answerers: Answerers) -> None:
    last = replies(answerers, ("who won in 1947?", "how many times did Biondetti win?"), "en")[-1]
    assert "1938, 1947, 1948, 1949" in last.text, last.text


def test_a_lone_unknown_word_after_a_conversation_is_not_an_edition(answerers: Answerers) -> None:
    last = replies(answerers, ("who won in 1955?", "and the year after?", "quit"), "en")[-1]
    assert last.kind is not Kind.ANSWER, last.text
