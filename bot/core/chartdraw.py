"""Drawing the history charts as PNGs with Pillow: the winners' speeds, the fields, the makes.

A chart here is a few axes with ticks, a grid, bars or a line and a legend: small enough to
draw directly in pixels (with the map's primitives, ``pixels``) instead of importing
matplotlib, whose import alone took ~300 ms of a first chart's ~360 ms. Every figure comes
from ``chartdata`` (the values the text answers give); every text from the catalogues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core import pixels as px
from bot.core.chartdata import REVIVAL_ERA, SPEED_ERA, ChartData, Point
from bot.core.i18n import t
from bot.core.pictures import crew_names, figures

if TYPE_CHECKING:
    from PIL import ImageDraw

CHART_SIZE = (1200, 750)
SPEED_COLOUR = "#b3261e"
REVIVAL_COLOUR = "#1f5f99"
RECORD_COLOUR = "#f2b705"
GRID = "#e3e3e3"
AXIS = "#222222"
TITLE_SIZE = 22
PANEL_TITLE_SIZE = 15
TICK_SIZE = 13
LABEL_SIZE = 14
SMALL_PRINT_SIZE = 11
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Axes:
    """A plot area in pixels and the data ranges it shows: value -> pixel, both ways up."""

    box: Box
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        left, _, right, _ = self.box
        return left + (value - self.x0) / (self.x1 - self.x0) * (right - left)

    def y(self, value: float) -> float:
        _, top, _, bottom = self.box
        return bottom - (value - self.y0) / (self.y1 - self.y0) * (bottom - top)


def nice_ticks(low: float, high: float, target: int = 6, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    span = max(high - low, 1e-9)
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(s * power for s in steps if s * power >= raw)
    if whole:
        step = max(1.0, round(step))
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 6))
        value += step
    return ticks


class Canvas:
    """Shapes at ``px.SCALE`` times the size, texts queued and drawn after the reduction."""

    def __init__(self, size: tuple[int, int]) -> None:
        from PIL import Image, ImageDraw

        self.size = size
        self.image = Image.new("RGB", (size[0] * px.SCALE, size[1] * px.SCALE), "white")
        self.shapes = ImageDraw.Draw(self.image)
        self.texts: list[Callable[[Any, ImageDraw.ImageDraw], None]] = []

    def line(self, points: Iterable[tuple[float, float]], colour: str, width: float) -> None:
        scaled = [(x * px.SCALE, y * px.SCALE) for x, y in points]
        self.shapes.line(scaled, fill=colour, width=max(1, round(width * px.SCALE)), joint="curve")

    def rect(self, box: Box, fill: str | None, outline: str | None = None) -> None:
        x0, y0, x1, y1 = (v * px.SCALE for v in box)
        self.shapes.rectangle(
            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
            fill=fill,
            outline=outline,
            width=px.SCALE if outline else 0,
        )

    def marker(
        self, point: tuple[float, float], shape: str, fill: str | None, radius: float, edge: str
    ) -> None:
        px.marker(self.shapes, point, shape, fill, radius, edge)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        anchor: str = "la",
        colour: str = "black",
        bold: bool = False,
        rotate: bool = False,
    ) -> None:
        def draw(image: Any, target: ImageDraw.ImageDraw) -> None:
            font = px.font(size, bold)
            if rotate:
                px.rotated_text(image, xy, text, font, colour)
            else:
                target.text(xy, text, fill=colour, font=font, anchor=anchor)

        self.texts.append(draw)

    def png(self) -> bytes:
        from PIL import ImageDraw

        image = self.image.reduce(px.SCALE)
        target = ImageDraw.Draw(image)
        for draw in self.texts:
            draw(image, target)
        return px.png(image)


def draw_chart(data: ChartData) -> bytes:
    """One of the history charts, its title and its small print."""
    canvas = Canvas(CHART_SIZE)
    {"speeds": _speeds, "fields": _fields, "makes": _makes}[data.name](canvas, data)
    width, height = CHART_SIZE
    canvas.text(
        (width / 2, 32), t(f"pictures.chart.{data.name}.title"), TITLE_SIZE, "mm", bold=True
    )
    small = []
    if data.disputed:
        small.append(t("pictures.chart.conflicts", years=", ".join(map(str, data.disputed))))
    small.append(t("pictures.chart.source"))
    y = height - 14 - (len(small) - 1) * (SMALL_PRINT_SIZE + 4)
    for line in small:
        canvas.text((24, y), line, SMALL_PRINT_SIZE, "ls", "#444444")
        y += SMALL_PRINT_SIZE + 4
    return canvas.png()


# ----------------------------------------------------------------- axes


def _frame(
    canvas: Canvas,
    ax: Axes,
    xticks: list[float],
    yticks: list[float],
    grid: str,
    y_labels: bool = True,
    x_format: Callable[[float], str] = lambda v: f"{v:g}",
) -> None:
    """Grid, the box, the ticks and their labels (y labels only on a panel that shows them)."""
    left, top, right, bottom = ax.box
    if "y" in grid:
        for value in yticks:
            canvas.line([(left, ax.y(value)), (right, ax.y(value))], GRID, 1)
    if "x" in grid:
        for value in xticks:
            canvas.line([(ax.x(value), top), (ax.x(value), bottom)], GRID, 1)
    canvas.rect(ax.box, None, AXIS)
    for value in xticks:
        x = ax.x(value)
        canvas.line([(x, bottom), (x, bottom + 5)], AXIS, 1)
        canvas.text((x, bottom + 8), x_format(value), TICK_SIZE, "mt")
    for value in yticks:
        y = ax.y(value)
        canvas.line([(left - 5, y), (left, y)], AXIS, 1)
        if y_labels:
            canvas.text((left - 8, y), f"{value:g}", TICK_SIZE, "rm")


def _legend(canvas: Canvas, corner: tuple[float, float], rows: list[tuple[str, str, str]]) -> None:
    """A legend box whose lower right corner is ``corner``: (marker, colour, text) rows."""
    width = max(px.measure(text, TICK_SIZE) for _, _, text in rows) + 48
    height = len(rows) * 22 + 10
    right, bottom = corner
    box = (right - width, bottom - height, right, bottom)
    canvas.rect(box, "white", "#9a9a9a")
    for n, (shape, colour, text) in enumerate(rows):
        y = box[1] + 5 + 22 * n + 11
        hollow = shape == "O"
        canvas.marker(
            (box[0] + 18, y), "*" if shape == "*" else "o", None if hollow else colour, 8, colour
        )
        canvas.text((box[0] + 36, y), text, TICK_SIZE, "lm")


# ----------------------------------------------------------------- the charts


def _speeds(canvas: Canvas, data: ChartData) -> None:
    points = data.series[0].points
    values = [p.value for p in points]
    top = max(values) * 1.22 if values else 1
    ax = Axes((84, 80, 1164, 645), 1925, 1959, 0, top)
    _frame(canvas, ax, nice_ticks(1925, 1959, 7, whole=True), nice_ticks(0, top, 9), "xy")
    canvas.text(
        (30, (ax.box[1] + ax.box[3]) / 2), t("pictures.chart.speeds.axis"), LABEL_SIZE, rotate=True
    )
    xy = [(ax.x(p.year), ax.y(p.value)) for p in points]
    canvas.line(xy, SPEED_COLOUR, 2.2)
    for x, y in xy:
        canvas.marker((x, y), "o", SPEED_COLOUR, 4.5, SPEED_COLOUR)
    for p in (p for p in points if p.disputed):
        canvas.marker((ax.x(p.year), ax.y(p.value)), "o", None, 8.5, "black")
    best = data.point(data.record.year) if data.record else None
    if data.record is not None and best is not None:
        star = (ax.x(best.year), ax.y(best.value))
        canvas.marker(star, "*", RECORD_COLOUR, 14, RECORD_COLOUR)
        label = figures(
            t(
                "pictures.chart.speeds.record",
                driver=crew_names(data.record),
                year=best.year,
                speed=best.value,
            )
        )
        at = (ax.x(best.year + 1.5), ax.y(max(values) * 1.13))
        canvas.text(at, label, LABEL_SIZE, "rm", bold=True)
        start = (at[0] - 140, at[1] + 12)
        px.arrow_line(canvas.shapes, start, (star[0] - 10, star[1] - 8), "#555555")
    names = dict(data.names)
    for point in data.faster_than_record:  # another course (1940): named, so it is not a puzzle
        text = f"{point.year}: {names[point.year]}" if point.year in names else str(point.year)
        canvas.text((ax.x(point.year), ax.y(point.value) - 14), text, TICK_SIZE, "mb")
    _legend(
        canvas,
        (ax.box[2] - 8, ax.box[3] - 8),
        [
            ("*", RECORD_COLOUR, t("pictures.chart.speeds.legend_record")),
            ("O", "black", t("pictures.chart.speeds.legend_disputed")),
        ],
    )


def _fields(canvas: Canvas, data: ChartData) -> None:
    speed, revival = data.series
    highest = max((p.value for s in data.series for p in s.points), default=1)
    yticks = nice_ticks(0, highest * 1.08, 6)
    top = max(highest * 1.08, yticks[-1])
    panels = (
        ((84, 90, 684, 645), speed, SPEED_COLOUR, "speed", True),
        ((724, 90, 1164, 645), revival, REVIVAL_COLOUR, "revival", False),
    )
    for box, series, colour, key, labels in panels:
        years = [p.year for p in series.points] or [0]
        ax = Axes(box, min(years) - 1.5, max(years) + 1.5, 0, top)
        xticks = nice_ticks(min(years), max(years), 6, whole=True)
        _frame(canvas, ax, xticks, yticks, "y", y_labels=labels, x_format=lambda v: f"{v:.0f}")
        _bars(canvas, ax, series.points, colour)
        canvas.text(
            ((box[0] + box[2]) / 2, box[1] - 14),
            t(f"pictures.chart.fields.{key}"),
            PANEL_TITLE_SIZE,
            "mm",
        )
    middle = (90 + 645) / 2
    canvas.text((30, middle), t("pictures.chart.fields.axis"), LABEL_SIZE, rotate=True)


def _bars(canvas: Canvas, ax: Axes, points: tuple[Point, ...], colour: str) -> None:
    for p in points:
        canvas.rect((ax.x(p.year - 0.4), ax.y(p.value), ax.x(p.year + 0.4), ax.y(0)), colour)
        if p.disputed:
            canvas.text((ax.x(p.year), ax.y(p.value) - 2), "*", 16, "mb")


def _makes(canvas: Canvas, data: ChartData) -> None:
    eras = dict(data.makes)
    for n, (era, colour) in enumerate(((SPEED_ERA, SPEED_COLOUR), (REVIVAL_ERA, REVIVAL_COLOUR))):
        counts = eras.get(era)
        if counts is None:
            continue
        left = 176 + n * 588
        box = (left, 90, left + 396, 645)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        most = max(counts.values())
        xticks = nice_ticks(0, most * 1.12, 6, whole=True)
        ax = Axes(box, 0, max(most * 1.12, xticks[-1]), 0, len(ranked))
        _frame(canvas, ax, xticks, [], "x", x_format=lambda v: f"{v:.0f}")
        for i, (name, count) in enumerate(ranked):
            y0, y1 = ax.y(len(ranked) - i - 0.1), ax.y(len(ranked) - i - 0.9)
            canvas.rect((ax.x(0), y0, ax.x(count), y1), colour)
            middle = (y0 + y1) / 2
            canvas.text((ax.x(count) + 5, middle), str(count), TICK_SIZE, "lm")
            canvas.text((box[0] - 8, middle), name, TICK_SIZE, "rm")
        title = t(f"pictures.chart.makes.{'speed' if era == SPEED_ERA else 'revival'}")
        canvas.text(((box[0] + box[2]) / 2, box[1] - 14), title, PANEL_TITLE_SIZE, "mm")
        canvas.text(
            ((box[0] + box[2]) / 2, box[3] + 30), t("pictures.chart.makes.axis"), LABEL_SIZE, "mt"
        )
