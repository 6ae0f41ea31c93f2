"""How dates, crews, names and figures read in an answer, in the language of the reply.

Every word comes from the catalogue of the current language (``answers.*`` and ``dates.*``);
the few rules of grammar that cannot be data (English "a"/"an", the Italian article an event's
name takes) are here.
"""

from __future__ import annotations

import re
from datetime import date

from bot.core.i18n import current, t
from bot.core.model import Crew, Edition, Event


def month(number: int) -> str:
    """The month's name in the language of the reply being built ('June', 'giugno')."""
    return current().words("dates.months")[number - 1]


def date_range(start: date, end: date) -> str:
    """'26-27 March 1927', '30 April - 1 May 1955', '31 December 2023 - 2 January 2024'."""
    if start == end:
        return f"{start.day} {month(start.month)} {start.year}"
    if start.year != end.year:
        return (
            f"{start.day} {month(start.month)} {start.year} - "
            f"{end.day} {month(end.month)} {end.year}"
        )
    if start.month != end.month:
        return f"{start.day} {month(start.month)} - {end.day} {month(end.month)} {end.year}"
    return f"{start.day}-{end.day} {month(end.month)} {end.year}"


def edition_dates(ed: Edition) -> str | None:
    if ed.start and ed.end:
        return date_range(ed.start, ed.end)
    return ed.dates_note


# Days whose Italian name starts with a vowel ("l'8 giugno", "l'11 maggio").
_VOWEL_DAYS = frozenset({8, 11})


def when(ed: Edition) -> str | None:
    """An edition's dates as they follow a verb: '25-26 April 1953' ('il 25-26 aprile 1953')."""
    if ed.start and ed.end:
        key = "answers.when.exact_vowel" if ed.start.day in _VOWEL_DAYS else "answers.when.exact"
        return t(key, dates=date_range(ed.start, ed.end))
    return t("answers.when.note", note=ed.dates_note) if ed.dates_note else None


def ordinal(n: int) -> str:
    """'1st', '22nd', '44th' ('44ª': Italian ordinals here are for "edizione", feminine)."""
    teens = 10 <= n % 100 <= 20
    form = "other" if teens else {1: "one", 2: "two", 3: "few"}.get(n % 10, "other")
    return current()(f"answers.ordinal.{form}", n=n)


def crew_names(crew: Crew) -> str:
    """'Stirling Moss and Denis Jenkinson' ('Stirling Moss e Denis Jenkinson')."""
    if crew.co_driver:
        return t("answers.crew.pair", driver=crew.driver, co_driver=crew.co_driver)
    return crew.driver


# A crew's note that says the driver ran alone: "solo", Italian "da solo" (a note in which
# Italian "solo" means "only", "la fonte indica solo la squadra", says nothing of the kind).
_SOLO = re.compile(r"^(?:da )?solo\b", re.IGNORECASE)


def drove_solo(co_driver: str | None, note: str | None) -> bool:
    """Whether a winning crew was one driver alone, as its note says."""
    return co_driver is None and bool(note and _SOLO.match(note.strip()))


def crew_text(crew: Crew, with_car: bool = True) -> str:
    """'Rudolf Caracciola and Wilhelm Sebastian in a Mercedes-Benz SSKL'."""
    text = crew_names(crew)
    if drove_solo(crew.co_driver, crew.note):
        text = t("answers.crew.solo", names=text)
    if with_car and crew.car:
        form = "vowel" if article(crew.car) == "an" else "consonant"
        text = current()(f"answers.crew.car_{form}", names=text, car=crew.car)
    return text


def article(noun: str) -> str:
    """The English indefinite article before a car's name, by its sound ('an OM', 'a Fiat')."""
    first = noun.strip()[:1].lower()
    if noun.upper().startswith(("OM ", "F8", "F12", "AC ")) or noun.upper() == "OM":
        return "an"
    return "an" if first in "aeio" else "a"


def a_car(car: str) -> str:
    """'a Ferrari 340 America', 'an Alfa Romeo 8C' ('una Ferrari', "un'Alfa Romeo")."""
    form = "vowel" if article(car) == "an" else "consonant"
    return current()(f"answers.article.{form}", car=car)


# The Italian article an event's name takes: most are "la" (la Mille Miglia, la California
# Mille); some heads are masculine (il Trofeo Roberto Gaburri, il Ferrari Tribute); a name that
# begins with an article of its own (La Festa Mille Miglia) takes none.
_OWN_ARTICLE = ("La ", "Lo ", "Il ", "L'", "I ", "Le ", "Gli ", "Aspettando ")
_MASCULINE_HEADS = frozenset({"Trofeo", "Gran", "Concorso", "Circuito", "Giro", "Rally"})


def article_set(name: str) -> str:
    """Which set of ``answers.the`` forms an event's name takes: 'f', 'm' or 'own'."""
    if name.startswith(_OWN_ARTICLE):
        return "own"
    first, _, rest = name.partition(" ")
    if first in _MASCULINE_HEADS or rest.startswith("Tribute"):
        return "m"
    return "f"


def the_event(event: Event, form: str = "event") -> str:
    """The event as a sentence names it: 'the Mille Miglia', 'of the Mille Miglia'..."""
    return current()(f"answers.the.{article_set(event.name)}.{form}", name=event.name)


def the_edition(event: Event, ed: Edition, form: str = "edition") -> str:
    """An edition as a sentence names it: 'the 1931 Mille Miglia' ('la Mille Miglia 1931')."""
    key = f"answers.the.{article_set(event.name)}.{form}"
    return current()(key, name=event.name, year=ed.year)


def edition_label(event: Event, ed: Edition) -> str:
    """'the 1931 Mille Miglia' / 'the 2014 California Mille'."""
    return the_edition(event, ed)


def edition_title(event: Event, ed: Edition) -> str:
    """'Mille Miglia 2014 - 32nd revival edition' ('Mille Miglia 2014 - 32ª edizione...')."""
    title = t("answers.title.name", name=event.name, year=ed.year)
    if ed.name:
        return t("answers.title.joiner", title=title, part=ed.name)
    if ed.number:
        key = "answers.title.revival_edition" if ed.era == "revival" else "answers.title.edition"
        return t("answers.title.joiner", title=title, part=t(key, ordinal=ordinal(ed.number)))
    return title


def number(value: float, decimals: int = 0) -> str:
    """'1,600' ('1.600'), '1,486.5' ('1.486,5')."""
    text = f"{value:,.{decimals}f}"
    marks: dict[str, str | int | None] = {
        ",": t("answers.numbers.thousands"),
        ".": t("answers.numbers.decimal"),
    }
    return text.translate(str.maketrans(marks))


def km(value: float) -> str:
    return t("answers.km", value=number(value, 0 if value == int(value) else 1))


def join_words(items: list[str]) -> str:
    """'a, b and c' ('a, b e c')."""
    if len(items) <= 1:
        return "".join(items)
    rest = t("answers.join.separator").join(items[:-1])
    return t("answers.join.last", items=rest, last=items[-1])


def times(n: int) -> str:
    """'once', 'twice', '3 times' ('una volta', 'due volte', '3 volte')."""
    return t({1: "answers.times.one", 2: "answers.times.two"}.get(n, "answers.times.other"), n=n)


def year_list(years: list[int]) -> str:
    """'1939, 1941-1946': consecutive years folded into ranges."""
    ranges: list[list[int]] = []
    for y in sorted(years):
        if ranges and y == ranges[-1][-1] + 1:
            ranges[-1].append(y)
        else:
            ranges.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in ranges)


def capital(text: str) -> str:
    """The text with its first letter capitalised, to start a sentence ('the revival' ->
    'The revival'); the rest is left alone ("L'epoca", 'McLaren')."""
    return text[:1].upper() + text[1:]
