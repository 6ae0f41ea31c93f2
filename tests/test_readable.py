"""What a fan reads (issue 14): no curator jargon, no block said twice, no false disagreements,
reports linked with one note for the rest, labels that fit the crew. One test per defect the
issue names, on the real knowledge, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.core.answer import EDITION_INTENTS, Answerer
from bot.core.answerers import Answerers
from bot.core.i18n import using
from bot.core.model import Knowledge, Status
from bot.core.readable import conflict_reading, readable_lines, reader_text, unnested
from bot.core.reply import Reply
from bot.tg.render import escape, to_html

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
LANGS = ("en", "it")
JARGON = ("seed page", "seed report", "not checked", "non verificato", "newest pages read")
NESTED = re.compile(r"\([^()]*\(")


def every_edition_reply(answerer: Answerer, knowledge: Knowledge, lang: str) -> list[Reply]:
    replies = []
    with using(lang):
        for ed in knowledge.editions:
            event = answerer.events[ed.event]
            for aspect in (None, *EDITION_INTENTS):
                replies.append(answerer.edition_reply(event, ed.year, aspect, NOW))
    return replies


@pytest.mark.parametrize("lang", LANGS)
def test_no_curator_jargon_in_any_edition_fact_or_about_reply(
    answerer: Answerer, knowledge: Knowledge, lang: str
) -> None:
    replies = every_edition_reply(answerer, knowledge, lang)
    replies += [answerer.answer(f.question, NOW, lang) for f in knowledge.facts]
    replies.append(answerer.answer("/about", NOW, lang))
    found = [
        f"{r.title}: {line}"
        for r in replies
        for line in r.text.splitlines()
        if any(word in line.lower() for word in JARGON)
    ]
    assert not found, "\n".join(found[:10])


def test_about_shows_no_knowledge_version(answerer: Answerer) -> None:
    for lang in LANGS:
        text = answerer.answer("/about", NOW, lang).text
        assert "version" not in text.lower() and "versione" not in text.lower()


def test_the_seed_page_is_named_as_a_reader_knows_it(answerer: Answerer) -> None:
    card = answerer.answer("/edition 2014", NOW).text
    assert "Distance: 1,600 km, starting and ending in Brescia (Sports Car Digest)" in card
    route = answerer.answer("/edition 2014 route", NOW).text
    assert "Siena and Pisa are named only by Sports Car Digest." in route


@pytest.mark.parametrize("lang", LANGS)
def test_no_nested_parentheses_in_any_edition_reply(
    answerer: Answerer, knowledge: Knowledge, lang: str
) -> None:
    nested = [
        line
        for r in every_edition_reply(answerer, knowledge, lang)
        for line in r.lines
        if NESTED.search(line) and unnested(line) != line
    ]
    assert not nested, "\n".join(nested[:10])


def test_the_field_line_of_2014_has_no_nested_parentheses(answerer: Answerer) -> None:
    field = next(
        line for line in answerer.answer("/edition 2014", NOW).lines if line.startswith("Field:")
    )
    assert "435 official entries [MMR]" in field
    assert not NESTED.search(field)


def test_parentheses_in_parentheses_become_brackets() -> None:
    assert unnested("1938 (Alfa Romeo 8C (Alfa Corse))") == "1938 (Alfa Romeo 8C [Alfa Corse])"
    assert unnested("a (b) c (d)") == "a (b) c (d)"
    assert unnested("unpaired :) (x") == "unpaired :) (x"


@pytest.mark.parametrize("lang", LANGS)
def test_the_reports_view_lists_each_report_once(answerer: Answerer, lang: str) -> None:
    reply = answerer.answer("/edition 2014 reports", NOW, lang)
    for title in ("Mille Miglia 2014 – Picture Gallery", "Mille Miglia 2014 Taking Shape"):
        assert reply.text.count(title) == 1, reply.text
        assert to_html(reply).count(title) == 1


def test_a_does_it_pass_answer_is_not_eaten_by_a_note_naming_the_same_towns(
    answerer: Answerer,
) -> None:
    reply = answerer.answer("Does the 2026 route go through Assisi?", NOW)
    assert "Yes: Assisi is on the route of the 2026 Mille Miglia" in reply.text


def test_a_does_it_pass_answer_gives_the_route_once(answerer: Answerer) -> None:
    reply = answerer.answer("did the 2016 route pass via Bologna", NOW)
    assert "Bologna is not among the towns" in reply.text
    assert reply.text.count("Brescia - Rimini - Rome - Parma - Brescia") == 1, reply.text


@pytest.mark.parametrize(
    ("who", "lang"), [("Biondetti", "en"), ("Nuvolari", "en"), ("Biondetti", "it")]
)
def test_a_persons_card_is_not_followed_by_the_records_paragraph(
    answerer: Answerer, who: str, lang: str
) -> None:
    reply = answerer.answer(f"who was {who}", NOW, lang)
    assert reply.title is not None and who in reply.title
    assert "holds the record with four wins" not in reply.text, reply.text
    assert len([line for line in reply.lines if "1947" in line]) <= 2


def test_a_paragraph_an_earlier_one_already_says_is_dropped() -> None:
    bio = 'Piero Taruffi, "the Silver Fox", won in 1957 at his 14th attempt and then retired.'
    again = "Piero Taruffi, the Silver Fox, won in 1957 at his 14th attempt, then retired."
    other = "In the speed era the slowest cars started first and the fastest last."
    assert readable_lines([bio, again, other], paragraphs=True) == [bio, other]
    assert readable_lines([bio, again, other]) == [bio, again, other]  # not on an edition


@pytest.mark.parametrize(
    ("lang", "mark", "note"),
    [("en", "(solo)", "drove solo"), ("it", "(da solo)", "guidò da solo")],
)
def test_drove_solo_is_not_said_after_solo(
    answerers: Answerers, lang: str, mark: str, note: str
) -> None:
    """In Italian too: the Italian view's "Taruffi guidò da solo." once repeated the mark."""
    for card in ("/edition 1957", "/edition 1954"):
        reply = answerers.answer(card, NOW, lang)
        assert mark in reply.text
        assert note not in reply.text


def test_a_unit_conversion_is_not_a_disagreement(answerer: Answerer) -> None:
    reply = answerer.answer("average speed in 1950", NOW)
    assert "123.209 km/h" in reply.text
    assert "Sources differ" not in reply.text  # 123.209 km/h is 76.56 mph: one value


def test_a_real_disagreement_keeps_every_value_and_joins_a_conversion_with_equals(
    answerer: Answerer,
) -> None:
    text = answerer.answer("average speed in 1955", NOW).text
    assert "Sources differ: Average speed: 157.65 km/h = 97.95 mph (ESPN) vs 98.53 mph" in text
    assert "vs 159.65 km/h (viniciusargentina)" in text


@pytest.mark.parametrize(
    ("conflict", "shown"),
    [
        ("Average speed 123.209 km/h (a) vs 76.57 mph (b).", None),
        ("Average speed 75.76 mph (a) vs 75.343 mph (b).", "same"),
        ("Average speed 142.347 km/h (a) vs 88.96 mph (b).", "same"),
        ("Dates 1-2 May 1948 (a) vs 2-3 May 1948 (b).", "same"),
        ("Starters 378 (a) vs 374 (b).", "same"),
        ("Media 157,65 km/h (a) contro 97,95 mph (b).", None),
    ],
)
def test_only_unit_conversions_are_dropped(conflict: str, shown: str | None) -> None:
    assert conflict_reading(conflict) == (conflict if shown == "same" else None)


def test_every_real_conflict_of_the_knowledge_is_still_shown(knowledge: Knowledge) -> None:
    """Only conflicts that are one speed in two units go; the issue names one, 1950's."""
    dropped = [
        c.text
        for ed in knowledge.editions
        for c in ed.conflicts
        if conflict_reading(c.text) is None
    ]
    assert dropped == [
        "Average speed 123.209 km/h (carrozzieri-italiani) vs 76.57 mph (Motor Sport 1950)."
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_reports_are_linked_and_the_missing_addresses_said_once(
    answerer: Answerer, lang: str
) -> None:
    reply = answerer.answer("/reports 2014", NOW, lang)
    html = to_html(reply)
    assert '<a href="http://www.sportscardigest.com/mille-miglia-2014-taking-shape/">' in html
    note = {
        "en": "The reports without a link have no known web address.",
        "it": "Degli articoli senza link non conosco l'indirizzo web.",
    }[lang]
    assert html.count(escape(note)) == 1
    assert reply.text.count(note) == 1


def test_one_report_without_address_is_said_so_in_the_singular(answerer: Answerer) -> None:
    text = answerer.answer("who won in 2015", NOW).text
    assert "This report has no known web address." in text


def test_labels_fit_a_solo_winner(answerer: Answerer, knowledge: Knowledge) -> None:
    ed = knowledge.edition("mille-miglia", 1957)
    assert ed is not None and ed.status is Status.HELD and not ed.winners[0].co_driver
    assert "of the winners" not in answerer.answer("average speed in 1957", NOW).text
    italian = answerer.answer("/edition 1957", NOW, "it").text
    assert "Tempo della vittoria: 10h 27m 47s" in italian
    assert "dei vincitori" not in italian
    assert "dei vincitori" not in answerer.answer("media oraria 1957", NOW, "it").text


@pytest.mark.parametrize(
    ("curator", "reader"),
    [
        ("The seed report mentions the F12.", "The Sports Car Digest report mentions the F12."),
        ("named only on the seed page (not checked).", "named only by Sports Car Digest."),
        (
            "1.600 km, con arrivo a Brescia (pagina di notizie)",
            "1.600 km, con arrivo a Brescia (Sports Car Digest)",
        ),
        (
            "citate solo dalla pagina di notizie (non verificato).",
            "citate solo da Sports Car Digest.",
        ),
        (
            "Nelle fonti non si è trovato alcun risultato (l'evento è in programma dopo le pagine"
            " più recenti lette).",
            "Nessun risultato ancora: l'edizione è successiva alle mie fonti più recenti.",
        ),
        (
            "Revival (regularity rally) (since 1977): 36",
            "Revival (regularity rally; since 1977): 36",
        ),
    ],
)
def test_curator_wording_is_rewritten_for_readers(curator: str, reader: str) -> None:
    assert reader_text(curator) == reader


# ----------------------------------------------------------------- the reading round (issue 14)
# Defects found by reading twenty replies of each kind in both languages on the fake Bot API.


@pytest.fixture(scope="module")
def answerers(knowledge: Knowledge) -> Answerers:
    return Answerers(knowledge)


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("en", "route diverted through Mantua in memory of Tazio Nuvolari"),
        ("it", "percorso deviato per Mantova in memoria di Tazio Nuvolari"),
    ],
)
def test_a_route_note_is_said_once_on_a_card(answerers: Answerers, lang: str, note: str) -> None:
    """It was the end of the Distance line and then the whole Route line."""
    card = answerers.answer("/edition 1954", NOW, lang).text
    assert card.count(note) == 1, card


def test_a_line_an_earlier_one_holds_after_its_label_is_dropped() -> None:
    rule = "Only cars of models built no later than 1957 with a Registro certificate."
    assert readable_lines([f"Eligible cars: {rule}", rule]) == [rule]
    route = "Distance: about 1,597 km; route diverted through Mantua in memory of Nuvolari"
    assert readable_lines(
        [route, "Route: route diverted through Mantua in memory of Nuvolari"]
    ) == [route]
    listed = [
        "Coppa delle Alpi 2026: dates not announced yet, sadly.",
        "Green 2026: dates not announced yet, sadly.",
    ]
    assert readable_lines(listed) == listed  # the same words of another subject
    assert readable_lines(["Winning time: 10h 07m 48s", "Time: 10h 07m 48s"]) == [
        "Winning time: 10h 07m 48s",
        "Time: 10h 07m 48s",
    ]  # a short figure is no repeated block


def test_a_line_a_later_one_holds_whole_gives_way_to_it() -> None:
    start = "Start and finish are always in Brescia on Viale Venezia (at the Rebuffone gardens)."
    fuller = start + " Scrutineering is traditionally held in Piazza della Vittoria."
    lines = ["Where: Brescia, Italy.", start, "The Mille Miglia began in 1927.", fuller]
    assert readable_lines(lines) == [lines[0], lines[2], fuller]
    assert readable_lines([start, fuller]) == [start, fuller]  # never the reply's first line


def test_the_same_disagreement_in_other_words_is_said_once() -> None:
    event = (
        "Sources differ: Who founded it: en.wikipedia (and the Italian 1000migliaravenna text) "
        "name the two young counts Maggi and Mazzotti as founders, with Castagneto and "
        'Canestrini as helpers; the organiser and most Italian sources name all four "musketeers"'
        " as co-founders."
    )
    fact = event.replace("en.wikipedia", "the English Wikipedia").replace(
        "as founders", "as the founders"
    )
    other = "Sources differ: Starters 378 (en.wikipedia) vs 374 (Sportscardigest)."
    assert readable_lines([event, "The race was conceived by four men.", fact, other]) == [
        event,
        "The race was conceived by four men.",
        other,
    ]


@pytest.mark.parametrize(
    ("lang", "status", "note"),
    [
        ("en", "its result is not in my sources yet", "No result of this edition"),
        ("it", "il risultato non è ancora nelle mie fonti", "Nelle fonti non si è ancora trovato"),
    ],
)
def test_a_card_says_once_that_the_result_is_not_known(
    answerers: Answerers, lang: str, status: str, note: str
) -> None:
    card = answerers.answer("/edition 2026", NOW, lang).text
    assert status in card
    assert note not in card


@pytest.mark.parametrize(
    ("lang", "aside"),
    [("en", "(1927; regularity classification)."), ("it", "(1927; classifica di regolarità).")],
)
def test_the_winners_note_is_an_aside_not_a_bracket_after_the_sentence(
    answerers: Answerers, lang: str, aside: str
) -> None:
    text = answerers.answer("/edition 1977 winners", NOW, lang).text
    assert aside in text
    assert "[" not in text


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "The Coppa delle Alpi: my sources record no edition before 2026."),
        ("it", "La Coppa delle Alpi: le mie fonti non registrano edizioni prima del 2026."),
    ],
)
def test_an_event_without_a_known_first_year_is_not_said_to_begin_in_not_stated(
    answerers: Answerers, lang: str, said: str
) -> None:
    reply = answerers.answer("/edition 2021 coppa-delle-alpi", NOW, lang)
    assert reply.lines == (said,)
    assert "did not exist" not in reply.text


@pytest.mark.parametrize(
    ("lang", "question", "credit"),
    [
        ("en", "/reports 2013", "Report and Photos, text and photos by Dirk de Jager"),
        ("it", "/reports 2013", "Report and Photos, testo e foto di Dirk de Jager"),
        ("it", "/edition 2014 california-mille", "foto: l'autore e Bob Ross"),
    ],
)
def test_report_credits_read_naturally(
    answerers: Answerers, lang: str, question: str, credit: str
) -> None:
    """Not "by Dirk de Jager, photos by Dirk de Jager", not "foto di l'autore"."""
    text = answerers.answer(question, NOW, lang).text
    assert credit in text
    assert "Jager, photos by Dirk de Jager" not in text and "di l'autore" not in text


def test_a_make_takes_its_article(answerers: Answerers) -> None:
    text = answerers.answer("which editions were won in an Alfa Romeo", NOW, "en").text
    assert "won in an Alfa Romeo" in text
    assert "in a Alfa" not in text


def test_italian_and_before_a_vowel_e_is_ed(answerers: Answerers) -> None:
    text = answerers.answer("/edition 1947", NOW, "it").text
    assert "Clemente Biondetti ed Emilio Romano" in text
    assert reader_text("Tom and Emily") == "Tom and Emily"


@pytest.mark.parametrize(
    ("lang", "note"), [("en", "Mantua in memory"), ("it", "Mantova in memoria")]
)
def test_the_route_tab_says_a_route_note_once(answerers: Answerers, lang: str, note: str) -> None:
    """The note alone, then the Distance line ending with the same note."""
    text = answerers.answer("/edition 1954 route", NOW, lang).text
    assert text.count(note) == 1, text


@pytest.mark.parametrize(("lang", "label"), [("en", "2nd:"), ("it", "2°:")])
def test_the_podium_line_has_one_label(answerers: Answerers, lang: str, label: str) -> None:
    """Not "Behind the winning car of the 1955 Mille Miglia: 2nd: Fangio"."""
    question = {"en": "who came second in 1955", "it": "chi è arrivato secondo nel 1955"}[lang]
    line = next(line for line in answerers.answer(question, NOW, lang).lines if label in line)
    assert f": {label}" not in line


def test_italian_editions_through_a_town_agree_with_edizioni(answerers: Answerers) -> None:
    """ "Edizioni ... passando per Roma" read as a gerund hanging off the list."""
    text = answerers.answer("quali edizioni passarono da Roma?", NOW, "it").text
    assert "passate per Roma" in text
    assert "passando" not in text


def test_italian_solo_meaning_only_does_not_make_a_solo_winner(answerers: Answerers) -> None:
    """The Ferrari Tribute 2013 note "la fonte indica solo la squadra" is "only", not alone."""
    card = answerers.answer("/edition 2013 ferrari-tribute", NOW, "it").text
    assert "Vincitore: Mingotti\n" in card + "\n"
    assert "(da solo)" not in card
    assert "Piero Taruffi (da solo)" in answerers.answer("/edition 1957", NOW, "it").text


def test_no_italian_reply_calls_the_seed_page_a_news_page(
    answerers: Answerers, knowledge: Knowledge
) -> None:
    """The curator's "pagina di notizie" in Italian knowledge texts, read by the Italian view
    (the jargon test above reads the English knowledge, even in Italian)."""
    italian = answerers.by_lang["it"]
    replies = every_edition_reply(italian, italian.knowledge, "it")
    replies += [answerers.answer(q, NOW, "it") for f in knowledge.facts for q in f.phrasings_it]
    found = [line for r in replies for line in r.lines if "pagina di notizie" in line]
    assert not found, "\n".join(found[:5])


def test_a_fact_over_several_editions_lists_no_reports_of_them(
    answerer: Answerer, knowledge: Knowledge
) -> None:
    """ "Who organises the Mille Miglia?" listed the five 2013 reports under the organisers'
    history, because the fact is about 1977, 2007, 2008, 2012 and 2013."""
    facts = {f.id: f for f in knowledge.facts}
    assert len(facts["revival-organisers"].editions) == 5
    assert not answerer.fact_reply(facts["revival-organisers"]).reports
    one = facts["monza-first-used-2015"]  # about one edition: its coverage is still linked
    assert [r.title for r in answerer.fact_reply(one).reports] == [
        r.title for r in knowledge.reports if r.edition_key == one.editions[0]
    ]
