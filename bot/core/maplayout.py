"""Where everything on a route map goes, in pixels: a plain description, drawn by ``mapdraw``.

Laying the map out apart from drawing it keeps the decisions testable without an image:
which towns are drawn and in what order, each day's leg and its colour, where a label can go
without covering another label, a marker or the legend, and that everything stays inside the
frame. The texts come from the catalogues in the current language; the positions from
``routemap`` (the knowledge's coordinates), projected onto the picture.

Text widths are measured by the function the renderer passes (its real font), so labels
placed here are the labels drawn; tests use a close estimate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.i18n import current, t
from bot.core.model import Place
from bot.core.routemap import RoutePlan, Stop

MAP_SIZE = (960, 960)  # pixels: a square reads well on a phone, Telegram keeps it sharp
MARGIN = 20  # pixels around the map's frame
TITLE_BAND = 62  # pixels above the frame for the title
TITLE_SIZE = 22  # font sizes in pixels
LABEL_SIZE = 13
LEGEND_SIZE = 13
SMALL_PRINT_SIZE = 11
ROUTE = "#b3261e"  # the whole route, when the knowledge has no legs for it
# One colour per day, told apart also by colour-blind readers (Okabe-Ito), and numbered.
DAY_COLOURS = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#6a3d9a")
BETWEEN = "#6d6d6d"  # from one day's finish to the next day's start: no source gives that day
START = "#2e7d32"
FINISH = "#111111"
OVERNIGHT = "#1a237e"
LABEL_HEIGHT = 16
LABEL_GAP = 9  # pixels between a town's dot and its label
BADGE_RADIUS = 11
DOT_RADIUS = 5
LINE_STEP = 4.0  # pixels between the samples labels keep off

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom
Measure = Callable[[str, int], float]


def estimate(text: str, size: int) -> float:
    """A text's width in pixels, close to DejaVu Sans's (for layouts without a font)."""
    return len(text) * size * 0.6


@dataclass(frozen=True)
class Frame:
    """The lon/lat rectangle shown, projected onto the map's box (equirectangular).

    A degree of longitude is drawn ``cos(latitude)`` times as wide as a degree of latitude at
    the frame's middle, so Italy keeps its shape; the rectangle fills the box exactly.
    """

    west: float
    east: float
    south: float
    north: float
    box: Box

    def __call__(self, lon: float, lat: float) -> Point:
        left, top, right, bottom = self.box
        x = left + (lon - self.west) / (self.east - self.west) * (right - left)
        y = top + (self.north - lat) / (self.north - self.south) * (bottom - top)
        return (x, y)


@dataclass(frozen=True)
class Line:
    """A polyline in pixels: the route, a day's leg, or a link between two days."""

    points: tuple[Point, ...]
    colour: str
    width: float
    dashed: bool = False
    arrows: bool = True


@dataclass(frozen=True)
class Arrow:
    """An arrowhead on a line, pointing the way the route goes (``direction``: a unit vector)."""

    point: Point
    direction: Point
    colour: str


@dataclass(frozen=True)
class Town:
    """A town's dot and its label ("3, 15. Rome"), the label's box and alignment."""

    name: str
    label: str
    point: Point
    box: Box
    align: str  # "left", "right" or "center": where the text hangs from its anchor

    @property
    def anchor(self) -> Point:
        """The point the text is drawn from (its vertical middle)."""
        left, top, right, bottom = self.box
        x = {"left": left, "right": right, "center": (left + right) / 2}[self.align]
        return (x, (top + bottom) / 2)


@dataclass(frozen=True)
class Badge:
    """A day's number in a disc of its colour, on its leg."""

    day: int
    point: Point
    colour: str


@dataclass(frozen=True)
class LegendRow:
    """One line of the legend: a marker ("o", "s", "d") or a line sample, and its text."""

    text: str
    colour: str
    marker: str | None = None  # None: a line sample
    dashed: bool = False
    day: int | None = None


@dataclass(frozen=True)
class MapLayout:
    """A whole map: what ``mapdraw`` draws, in drawing order, all inside ``size``."""

    size: tuple[int, int]
    frame: Frame
    title: str
    small_print: tuple[str, ...]
    lines: tuple[Line, ...]
    route: tuple[Point, ...]  # the route's located towns in route order (the plain route line)
    towns: tuple[Town, ...]
    start: Point
    finish: Point
    overnight: tuple[Point, ...]
    badges: tuple[Badge, ...]
    arrows: tuple[Arrow, ...]
    legend_box: Box
    legend: tuple[LegendRow, ...]

    @property
    def box(self) -> Box:
        return self.frame.box


# ----------------------------------------------------------------- the layout


def layout(plan: RoutePlan, event_name: str, measure: Measure = estimate) -> MapLayout:
    """The map of ``plan``, in the current language: frame, lines, towns, badges, legend."""
    width, height = MAP_SIZE
    small_print = _wrap(_small_print(plan), width - 2 * MARGIN, measure)
    bottom = height - MARGIN // 2 - len(small_print) * (SMALL_PRINT_SIZE + 3) - 6
    frame = _frame(plan, (MARGIN, TITLE_BAND, width - MARGIN, bottom))
    route = tuple(frame(lon, lat) for lon, lat in plan.coordinates())
    lines, overnight = _lines(plan, frame, route)
    every = [p for line in lines for p in line.points]
    start, finish = every[0], every[-1]
    legend = _legend_rows(plan, start == finish)
    dots = _towns(plan, frame)
    samples = [s for line in lines for s in _samples(line.points)]
    legend_box = _legend_place(legend, frame.box, [*dots, *samples], measure)
    obstacles = [legend_box, *(_around(p, DOT_RADIUS + 3) for p in dots)]
    obstacles += [_around(p, 12) for p in (start, finish, *overnight)]
    badges = _badges(plan, lines, obstacles)
    obstacles += [_around(b.point, BADGE_RADIUS + 2) for b in badges]
    arrows = _arrows(lines, obstacles)
    obstacles += [_around(a.point, ARROW_LENGTH / 2) for a in arrows]
    towns = _labels(dots, frame.box, obstacles, samples, measure)
    return MapLayout(
        size=MAP_SIZE,
        frame=frame,
        title=t("pictures.map.title", event=event_name, year=plan.edition.year),
        small_print=tuple(small_print),
        lines=lines,
        route=route,
        towns=towns,
        start=start,
        finish=finish,
        overnight=overnight,
        badges=badges,
        arrows=arrows,
        legend_box=legend_box,
        legend=legend,
    )


def _frame(plan: RoutePlan, box: Box) -> Frame:
    """The view of the route, grown along one side so it fills ``box`` without distortion."""
    view = plan.view()
    middle = math.radians((view.south + view.north) / 2)
    aspect = 1 / math.cos(middle)  # degrees of longitude shrink towards the poles
    west, east, south, north = view.west, view.east, view.south, view.north
    ratio = (box[2] - box[0]) / (box[3] - box[1])
    width, height = (east - west) / aspect, north - south
    if width / height < ratio:
        grow = (height * ratio - width) * aspect / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / ratio - height) / 2
        south, north = south - grow, north + grow
    return Frame(west, east, south, north, box)


def _xy(frame: Frame, stop: Stop) -> Point | None:
    place = stop.place
    if place is None or place.lon is None or place.lat is None:
        return None
    return frame(place.lon, place.lat)


def _lines(
    plan: RoutePlan, frame: Frame, route: tuple[Point, ...]
) -> tuple[tuple[Line, ...], tuple[Point, ...]]:
    """The route as one line, or, when the knowledge has its legs, one line per day.

    Between one day's finish and the next day's start (Montecatini Terme to Versilia in 2026)
    a thin dashed grey line keeps the route whole without claiming which day it belongs to.
    """
    drawn = [d for d in plan.days if len(d.coordinates()) >= 2]
    if not drawn:
        return (Line(route, ROUTE, 2.6),), ()
    lines: list[Line] = []
    previous: Point | None = None
    for day in drawn:
        points = tuple(frame(lon, lat) for lon, lat in day.coordinates())
        if previous is not None and previous != points[0]:
            lines.append(Line((previous, points[0]), BETWEEN, 1.8, dashed=True, arrows=False))
        lines.append(Line(points, day_colour(day.day), 3.0))
        previous = points[-1]
    nights = (_xy(frame, d.overnight) for d in plan.days if d.overnight)
    return tuple(lines), tuple(dict.fromkeys(p for p in nights if p is not None))


def day_colour(day: int) -> str:
    return DAY_COLOURS[(day - 1) % len(DAY_COLOURS)]


def _display(stop: Stop) -> str:
    """The town as the reply's language names it: Roma in Italian, as the text answer does."""
    return place_name(stop.place, stop.name)


def place_name(place: Place | None, named: str) -> str:
    """``named`` (the knowledge's spelling), or the place's Italian name on an Italian map."""
    italian = _italian(place, "name")
    return italian if italian is not None else named


def _italian(place: Place | None, field_name: str) -> str | None:
    if place is None or current().lang != "it":
        return None
    text = dict(place.italian).get(field_name)
    return text if isinstance(text, str) else None


def _towns(plan: RoutePlan, frame: Frame) -> dict[Point, str]:
    """One label per drawn town, with every route position it holds ("1, 24. Brescia").

    Positions count every entry of the route, drawn or not, so they match the text answer;
    a town only a leg names (Abano in 2014) is labelled without a number.
    """
    order: dict[Point, list[int]] = {}
    names: dict[Point, str] = {}
    for n, stop in enumerate(plan.stops, 1):
        point = _xy(frame, stop)
        if point is not None:
            order.setdefault(point, []).append(n)
            names.setdefault(point, _display(stop))
    for day in plan.days:
        for stop in (*day.stops, *((day.overnight,) if day.overnight else ())):
            point = _xy(frame, stop)
            if point is not None and point not in names:
                names[point] = _display(stop)
    return {
        p: f"{', '.join(map(str, order[p]))}. {name}" if p in order else name
        for p, name in names.items()
    }


def _samples(points: tuple[Point, ...] | list[Point]) -> list[Point]:
    """Points every few pixels along a line, for labels and the legend to keep off it."""
    out: list[Point] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / LINE_STEP))
        out.extend((x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n + 1))
    return out


def _around(point: Point, radius: float) -> Box:
    return (point[0] - radius, point[1] - radius, point[0] + radius, point[1] + radius)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def within(inner: Box, outer: Box) -> bool:
    """Whether ``inner`` lies wholly inside ``outer``."""
    return (
        outer[0] <= inner[0]
        and inner[2] <= outer[2]
        and outer[1] <= inner[1]
        and inner[3] <= outer[3]
    )


# ----------------------------------------------------------------- legend


def _legend_rows(plan: RoutePlan, round_trip: bool) -> tuple[LegendRow, ...]:
    rows: list[LegendRow] = []
    if round_trip:
        rows.append(LegendRow(t("pictures.map.legend_start_finish"), START, "o"))
    else:
        rows.append(LegendRow(t("pictures.map.legend_start"), START, "o"))
        rows.append(LegendRow(t("pictures.map.legend_finish"), FINISH, "s"))
    drawn = [d for d in plan.days if len(d.coordinates()) >= 2]
    if not drawn:
        rows.append(LegendRow(t("pictures.map.legend_route"), ROUTE))
        return tuple(rows)
    if any(d.overnight for d in plan.days):
        rows.append(LegendRow(t("pictures.map.legend_overnight"), OVERNIGHT, "d"))
    for day in drawn:
        text = t(
            "pictures.map.legend_day",
            day=day.day,
            start=_display(day.stops[0]),
            to=_display(day.stops[-1]),
        )
        rows.append(LegendRow(text, day_colour(day.day), day=day.day))
    if any(a.coordinates()[-1] != b.coordinates()[0] for a, b in itertools.pairwise(drawn)):
        rows.append(LegendRow(t("pictures.map.legend_between"), BETWEEN, dashed=True))
    return tuple(rows)


LEGEND_ROW = 21  # pixels per legend row
LEGEND_SWATCH = 34  # pixels for the marker or line sample before a row's text


def legend_size(rows: tuple[LegendRow, ...], measure: Measure) -> tuple[float, float]:
    width = max(measure(row.text, LEGEND_SIZE) for row in rows) + LEGEND_SWATCH + 20
    return width, len(rows) * LEGEND_ROW + 12


def _legend_place(
    rows: tuple[LegendRow, ...], box: Box, points: list[Point], measure: Measure
) -> Box:
    """The corner of the frame where the legend covers fewest towns and route (ties: lower left)."""
    width, height = legend_size(rows, measure)
    left, top, right, bottom = box
    pad = 8
    corners = (
        (left + pad, bottom - pad - height),
        (right - pad - width, bottom - pad - height),
        (left + pad, top + pad),
        (right - pad - width, top + pad),
    )
    scored = []
    for x, y in corners:
        spot = (x, y, x + width, y + height)
        near = (spot[0] - 14, spot[1] - 14, spot[2] + 14, spot[3] + 14)
        covered = sum(near[0] <= px <= near[2] and near[1] <= py <= near[3] for px, py in points)
        scored.append((covered, spot))
    return min(scored, key=lambda s: s[0])[1]


# ----------------------------------------------------------------- badges and labels


def _badges(plan: RoutePlan, lines: tuple[Line, ...], obstacles: list[Box]) -> tuple[Badge, ...]:
    """Each day's number on its own leg, where it covers no other badge, town or the legend."""
    badges: list[Badge] = []
    legs = [line for line in lines if not line.dashed and line.colour != ROUTE]
    days = [d for d in plan.days if len(d.coordinates()) >= 2]
    for day, line in zip(days, legs, strict=True):
        taken = [*obstacles, *(_around(b.point, BADGE_RADIUS + 2) for b in badges)]
        spots = [_along(line.points, f) for f in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)]
        free = [p for p in spots if not any(_overlap(_around(p, BADGE_RADIUS), b) for b in taken)]
        badges.append(Badge(day.day, free[0] if free else spots[0], line.colour))
    return tuple(badges)


def _along(points: tuple[Point, ...], fraction: float) -> Point:
    """The point ``fraction`` of the way along a polyline, by length."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    goal = sum(lengths) * fraction
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if goal <= length and length > 0:
            k = goal / length
            return (a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k)
        goal -= length
    return points[-1]


ARROW_LENGTH = 15  # pixels, tip to base
ARROW_MIN_SEGMENT = 60  # pixels: a shorter stretch of line gets no arrowhead


def _arrows(lines: tuple[Line, ...], obstacles: list[Box]) -> tuple[Arrow, ...]:
    """One arrowhead on each long enough stretch, where it covers no badge, town or legend."""
    arrows = []
    for line in lines:
        if not line.arrows:
            continue
        for a, b in itertools.pairwise(line.points):
            length = math.dist(a, b)
            if length < ARROW_MIN_SEGMENT:
                continue
            direction = ((b[0] - a[0]) / length, (b[1] - a[1]) / length)
            for fraction in (0.7, 0.3, 0.55, 0.85):
                point = (a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction)
                if not any(_overlap(_around(point, ARROW_LENGTH / 2), o) for o in obstacles):
                    arrows.append(Arrow(point, direction, line.colour))
                    break
    return tuple(arrows)


# Where a label may go around its town (right, left, above and below each side), then the same
# farther out when a crowded corner (Brescia, Lumezzane, Garda in 2026) leaves no near spot.
NEAR = ((1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1), (0, -1.6), (0, 1.6))
SPOTS = NEAR + tuple((sx * 2.2, sy * 1.9) for sx, sy in NEAR)


def _labels(
    dots: dict[Point, str],
    frame: Box,
    obstacles: list[Box],
    samples: list[Point],
    measure: Measure,
) -> tuple[Town, ...]:
    """Each label beside its town: inside the frame, on no other label, marker or the legend,
    and crossing as little of the lines as it can."""
    placed: list[Box] = []
    towns = []
    for point, label in dots.items():
        width = measure(label, LABEL_SIZE) + 2
        candidates = []
        for order, (sx, sy) in enumerate(SPOTS):
            box, align = _label_box(point, width, sx, sy)
            if not within(box, frame):
                continue
            on_label = any(_overlap(box, o) for o in placed)
            on_marker = any(_overlap(box, o) for o in obstacles)
            crossed = sum(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in samples)
            far = order >= len(NEAR)
            candidates.append(
                (on_label, on_marker, far and crossed > 0, far, crossed, order, box, align)
            )
        if not candidates:  # no spot inside: the first one, pushed back into the frame
            box, align = _label_box(point, width, *SPOTS[0])
            shift = min(0.0, frame[2] - box[2]) or max(0.0, frame[0] - box[0])
            box = (box[0] + shift, box[1], box[2] + shift, box[3])
        else:
            *_, box, align = min(candidates, key=lambda c: c[:6])
        placed.append(box)
        towns.append(Town(label.split(". ", 1)[-1], label, point, box, align))
    return tuple(towns)


def _label_box(point: Point, width: float, sx: float, sy: float) -> tuple[Box, str]:
    x, y = point
    cx = x + sx * LABEL_GAP
    cy = y + sy * (LABEL_HEIGHT - 2)
    if sx > 0:
        left, align = cx, "left"
    elif sx < 0:
        left, align = cx - width, "right"
    else:
        left, align = cx - width / 2, "center"
    half = LABEL_HEIGHT / 2
    return (left, cy - half, left + width, cy + half), align


# ----------------------------------------------------------------- small print


def _small_print(plan: RoutePlan) -> list[str]:
    lines = []
    if plan.left_out:
        lines.append(t("pictures.map.left_out", places=", ".join(plan.left_out)))
    places = [s.place for s in plan.located if s.place and s.place.note]
    places += [
        s.place for d in plan.days for s in d.stops if s.located and s.place and s.place.note
    ]
    notes = (_italian(place, "note") or place.note for place in places)
    lines.extend(dict.fromkeys(note for note in notes if note))
    source = plan.edition.sources[0] if plan.edition.sources else "-"
    lines.append(t("pictures.map.small_print", source=source))
    return lines


def _wrap(lines: list[str], width: float, measure: Measure) -> list[str]:
    """Lines broken at spaces so each fits ``width`` pixels of small print."""
    out: list[str] = []
    for line in lines:
        current_line = ""
        for word in line.split(" "):
            trial = f"{current_line} {word}" if current_line else word
            if current_line and measure(trial, SMALL_PRINT_SIZE) > width:
                out.append(current_line)
                current_line = word
            else:
                current_line = trial
        out.append(current_line)
    return out
