"""Which questions want a picture, and the reply that comes with one (issue 12).

``/map [year] [event]``, ``/chart speeds|fields|makes`` and the same asked in words ("show
me the 2014 route on a map", "mappa del percorso 2015", "grafico delle velocità") get a reply
whose ``picture`` names a route map or a chart; its text is what the caption says and what the
console prints. Nothing is drawn here (``drawing`` does that, only when a front end sends the
picture), so answering stays as fast as any other answer.

The core calls ``picture_request`` first (one hook in ``Answerer.answer``); it is a pure
function of the text, so the answering core can be redesigned around it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.chartdata import CHARTS, ChartData, chart_data
from bot.core.events import DEFAULT_EVENT
from bot.core.i18n import LANGUAGES, catalogue, current, t
from bot.core.localise import italian_figures
from bot.core.model import Edition, Event, Knowledge
from bot.core.reply import Button, Kind, Picture, Reply
from bot.core.routemap import route_plan
from bot.core.text import normalise, words
from bot.core.understand import understand

if TYPE_CHECKING:
    from bot.core.answer import Answerer

GEONAMES = "https://www.geonames.org/"
# Raised whenever the pictures' look changes (2: legs by day, drawn with Pillow), so that a PNG
# or a Telegram file id of the older look, kept for the same knowledge, is not sent again.
DRAWING_VERSION = 2
MAX_LISTED = 40  # values listed in a chart's text answer (the caption must stay short)
_YEAR = re.compile(r"^(?:1[89]\d\d|2\d\d\d)$")
_KNOWN_DRAWABLE = 4  # knowledge versions whose drawable editions are remembered


@dataclass(frozen=True)
class PictureRequest:
    """A wish for a picture: a map (of ``args``' year and event) or a chart (``chart``)."""

    kind: str  # "map" or "chart"
    args: str  # the command's arguments, or the whole question asked in words
    command: bool
    chart: str | None = None


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]]]:
    """Map words, chart words and each chart's topic words, of every language at once."""
    maps: set[str] = set()
    charts: set[str] = set()
    topics: dict[str, set[str]] = {name: {name} for name in CHARTS}
    for lang in LANGUAGES:
        texts = catalogue(lang)
        maps.update(normalise(w) for w in texts.words("pictures.map_words"))
        charts.update(normalise(w) for w in texts.words("pictures.chart_words"))
        for name in CHARTS:
            topics[name].update(normalise(w) for w in texts.words(f"pictures.chart_topics.{name}"))
    return frozenset(maps), frozenset(charts), {k: frozenset(v) for k, v in topics.items()}


def _topic(tokens: set[str]) -> str | None:
    _, _, topics = _vocabulary()
    found = [name for name in CHARTS if tokens & topics[name]]
    return found[0] if len(found) == 1 else None


def picture_request(text: str) -> PictureRequest | None:
    """The picture ``text`` asks for, or None when it asks for none (most questions)."""
    text = " ".join(text.split())
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        name = head[1:].split("@")[0].lower()
        if name == "map":
            return PictureRequest("map", rest, True)
        if name == "chart":
            return PictureRequest("chart", rest, True, _topic(set(words(normalise(rest)))))
        return None
    tokens = set(words(normalise(text)))
    maps, charts, _ = _vocabulary()
    if tokens & maps:
        return PictureRequest("map", text, False)
    if tokens & charts:
        return PictureRequest("chart", text, False, _topic(tokens))
    return None


# ----------------------------------------------------------------- which routes can be drawn

_drawable: dict[tuple[str, int], frozenset[str]] = {}


def drawable_editions(knowledge: Knowledge) -> frozenset[str]:
    """The editions (``event/year``) whose route has enough located towns for a map.

    Computed once per knowledge version: edition cards ask it for their Map button.
    """
    key = (knowledge.digest, id(knowledge))
    found = _drawable.get(key)
    if found is None:
        found = frozenset(
            ed.key for ed in knowledge.editions if ed.route and route_plan(knowledge, ed).drawable
        )
        if len(_drawable) >= _KNOWN_DRAWABLE:
            _drawable.clear()
        _drawable[key] = found
    return found


def picture_digest(knowledge: Knowledge) -> str:
    """What a picture is drawn from: the knowledge's version and the drawing's."""
    return hashlib.sha256(f"{knowledge.digest}/drawing-{DRAWING_VERSION}".encode()).hexdigest()


def map_command(event: Event, year: int) -> str:
    return f"/map {year}" + ("" if event.id == DEFAULT_EVENT else f" {event.id}")


# ----------------------------------------------------------------- replies


def picture_reply(answerer: Answerer, request: PictureRequest, now: datetime) -> Reply:
    """The reply to a picture request, in the current language (set by the caller)."""
    if request.kind == "map":
        return _map_reply(answerer, request)
    return _chart_reply(answerer.knowledge, request.chart)


def _reply(
    kind: Kind,
    lines: list[str],
    *,
    topic: str,
    title: str | None = None,
    sources: tuple[str, ...] = (),
    edition: str | None = None,
    buttons: tuple[Button, ...] = (),
    picture: Picture | None = None,
) -> Reply:
    return Reply(
        kind=kind,
        lines=tuple(lines),
        title=title,
        sources=sources,
        edition=edition,
        topic=topic,
        buttons=buttons,
        lang=current().lang,
        picture=picture,
    )


def _map_target(answerer: Answerer, request: PictureRequest) -> tuple[list[Event], list[int]]:
    """The events and years a map request names (the Mille Miglia when it names none)."""
    if request.command:
        args = request.args.split()
        years = [int(a) for a in args if _YEAR.match(a)]
        rest = " ".join(a for a in args if not _YEAR.match(a))
        return answerer.event_names.resolve(rest), years
    query = understand(request.args, answerer.catalog)
    event = answerer.events.get(query.events[0] if query.events else DEFAULT_EVENT)
    return ([event] if event else []), list(query.years)


def _map_reply(answerer: Answerer, request: PictureRequest) -> Reply:
    events, years = _map_target(answerer, request)
    if len(events) != 1 or len(years) > 1:
        buttons = tuple(
            Button(e.name, f"/map {' '.join(map(str, years))} {e.id}".replace("  ", " "))
            for e in events
        )
        if len(events) > 1:
            return _reply(Kind.CLARIFY, [t("pictures.map.which")], buttons=buttons, topic="map")
        return _reply(Kind.UNKNOWN, [t("pictures.map.usage")], topic="map")
    event = events[0]
    knowledge = answerer.knowledge
    if not years:
        drawable = drawable_editions(knowledge)
        latest = [e for e in reversed(knowledge.editions_of(event.id)) if e.key in drawable]
        if not latest:
            return _reply(Kind.UNKNOWN, [t("pictures.map.no_year", event=event.name)], topic="map")
        years = [latest[0].year]
    edition = answerer.edition_at.get(f"{event.id}/{years[0]}")
    if edition is None:
        text = t("pictures.map.no_edition", event=event.name, year=years[0])
        return _reply(Kind.UNKNOWN, [text], topic="map")
    return _edition_map(knowledge, event, edition)


def _edition_map(knowledge: Knowledge, event: Event, edition: Edition) -> Reply:
    card = Button(t("answers.buttons.card"), f"/edition {edition.year}" + _event_suffix(event))
    names = {"event": event.name, "year": edition.year}
    if not edition.route:
        lines = [t("pictures.map.no_route", **names)]
        if edition.route_note:
            lines.append(t("pictures.map.no_route_note", note=edition.route_note))
        return _reply(Kind.UNKNOWN, lines, buttons=(card,), edition=edition.key, topic="map")
    plan = route_plan(knowledge, edition)
    route = " - ".join(edition.route)
    if not plan.drawable:
        text = t("pictures.map.too_few", route=route, **names)
        return _reply(Kind.UNKNOWN, [text], buttons=(card,), edition=edition.key, topic="map")
    lines = [t("pictures.map.stops", route=route)]
    if plan.left_out:
        lines.append(t("pictures.map.left_out", places=", ".join(plan.left_out)))
    lines.extend(plan.notes)
    if edition.route_note:
        lines.append(edition.route_note)
    return _reply(
        Kind.ANSWER,
        lines,
        title=t("pictures.map.title", **names),
        sources=(*edition.sources[:1], GEONAMES),
        edition=edition.key,
        topic="map",
        buttons=(card,),
        picture=Picture("map", edition.key, picture_digest(knowledge), current().lang),
    )


def _event_suffix(event: Event) -> str:
    return "" if event.id == DEFAULT_EVENT else f" {event.id}"


def _chart_reply(knowledge: Knowledge, name: str | None) -> Reply:
    if name is None:
        buttons = tuple(Button(chart, f"/chart {chart}") for chart in CHARTS)
        return _reply(Kind.CLARIFY, [t("pictures.chart.usage")], buttons=buttons, topic="chart")
    data = chart_data(knowledge, name)
    lines = _chart_lines(knowledge, data)
    if data.disputed:
        years = ", ".join(map(str, data.disputed))
        lines.append(t("pictures.chart.conflicts", years=years))
    return _reply(
        Kind.ANSWER,
        lines,
        title=t(f"pictures.chart.{name}.title"),
        topic="chart",
        picture=Picture("chart", name, picture_digest(knowledge), current().lang),
    )


def _listed(pairs: list[tuple[int, float]], digits: int) -> str:
    shown = [figures(f"{year} {value:.{digits}f}") for year, value in pairs[:MAX_LISTED]]
    separator = t("pictures.chart.list_separator")
    return separator.join(shown) + (" ..." if len(pairs) > MAX_LISTED else "")


def figures(text: str) -> str:
    """Numbers as the reply's language writes them: 157,65 km/h in Italian."""
    return italian_figures(text) if current().lang == "it" else text


def crew_names(edition: Edition) -> str:
    """The winning crew as "Driver / Co-driver" (the first crew, for a chart's label)."""
    crew = edition.winners[0] if edition.winners else None
    if crew is None:
        return "?"
    return f"{crew.driver} / {crew.co_driver}" if crew.co_driver else crew.driver


def _chart_lines(knowledge: Knowledge, data: ChartData) -> list[str]:
    if data.name == "speeds":
        points = [(p.year, p.value) for p in data.series[0].points]
        lines = [t("pictures.chart.speeds.text", values=_listed(points, 1))]
        record = data.point(data.record.year) if data.record else None
        if data.record is not None and record is not None:
            lines.append(
                figures(
                    t(
                        "pictures.chart.speeds.record",
                        driver=crew_names(data.record),
                        year=record.year,
                        speed=record.value,
                    )
                )
            )
        for point in data.faster_than_record:
            edition = knowledge.edition(DEFAULT_EVENT, point.year)
            if edition is not None and edition.route_note:
                lines.append(f"{point.year}: {edition.route_note}")
        if data.converted:
            lines.append(t("pictures.chart.speeds.mph", years=_years(data.converted)))
        if data.missing:
            lines.append(t("pictures.chart.speeds.missing", years=_years(data.missing)))
        return lines
    if data.name == "fields":
        points = [(p.year, p.value) for s in data.series for p in s.points]
        return [
            t("pictures.chart.fields.text", values=_listed(points, 0)),
            t("pictures.chart.fields.missing_revival"),
        ]
    eras = dict(data.makes)
    lines = []
    for era, key in (("speed", "text_speed"), ("revival", "text_revival")):
        counts = eras.get(era)
        if counts:
            ranked = ", ".join(f"{make} {n}" for make, n in counts.most_common())
            lines.append(t(f"pictures.chart.makes.{key}", values=ranked))
    lines.append(t("pictures.chart.makes.missing"))
    return lines


def _years(years: tuple[int, ...]) -> str:
    return ", ".join(map(str, years))
