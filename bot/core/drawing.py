"""Drawing the pictures as PNG bytes with matplotlib (Agg): route maps and history charts.

matplotlib costs ~40 MB and a few hundred milliseconds to import, so this module imports it
inside the functions: a bot nobody asks for a picture never loads it. The object API
(``Figure`` + ``FigureCanvasAgg``) is used instead of pyplot, which keeps global state and is
not meant for worker threads. Every text drawn comes from the catalogues, in the reply's
language; every figure comes from the knowledge (``routemap``, ``chartdata``).
"""

from __future__ import annotations

import io
import itertools
import math
from typing import TYPE_CHECKING, Any

from bot.core.chartdata import REVIVAL_ERA, SPEED_ERA, ChartData, chart_data
from bot.core.i18n import t, using
from bot.core.model import Knowledge
from bot.core.outlines import outlines
from bot.core.pictures import crew_names
from bot.core.reply import Picture
from bot.core.routemap import RoutePlan, route_plan

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
MAP_SIZE = (960, 960)  # pixels: a square reads well on a phone, Telegram keeps it sharp
CHART_SIZE = (1200, 750)
SEA = "#dcebf5"
LAND = "#f4f1e8"
BORDER = "#8a8a8a"
ROUTE = "#b3261e"
SPEED_COLOUR = "#b3261e"
REVIVAL_COLOUR = "#1f5f99"
SMALL_PRINT = 7.5


class DrawingFailed(RuntimeError):
    """A picture could not be drawn from the knowledge (the text answer goes instead)."""


def draw(knowledge: Knowledge, picture: Picture) -> bytes:
    """The PNG of ``picture`` (a map or a chart) from ``knowledge``, in its language."""
    with using(picture.lang):
        if picture.kind == "map":
            event_id, _, year = picture.subject.partition("/")
            edition = knowledge.edition(event_id, int(year))
            if edition is None:
                raise DrawingFailed(f"no edition {picture.subject}")
            return draw_map(knowledge, route_plan(knowledge, edition))
        return draw_chart(chart_data(knowledge, picture.subject))


def _figure(size: tuple[int, int]) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)  # headless; harmless when already set
    from matplotlib.figure import Figure

    return Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


# ----------------------------------------------------------------- maps


def _frame(plan: RoutePlan, ratio: float) -> tuple[float, float, float, float, float]:
    """(west, east, south, north, aspect) of a view of the route that fills the axes."""
    view = plan.view()
    middle = math.radians((view.south + view.north) / 2)
    aspect = 1 / math.cos(middle)  # degrees of longitude shrink towards the poles
    west, east, south, north = view.west, view.east, view.south, view.north
    width, height = (east - west) / aspect, north - south
    if width / height < ratio:
        grow = (height * ratio - width) * aspect / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / ratio - height) / 2
        south, north = south - grow, north + grow
    return west, east, south, north, aspect


def draw_map(knowledge: Knowledge, plan: RoutePlan) -> bytes:
    """The route on the country's outline: towns in order, direction arrows, start, finish."""
    return _png(map_figure(knowledge, plan))


def map_figure(knowledge: Knowledge, plan: RoutePlan) -> Figure:
    """The map as a figure (its first axes hold the route as their first line, in order)."""
    if not plan.drawable:
        raise DrawingFailed(f"the route of {plan.edition.key} has too few located towns")
    event = next((e for e in knowledge.events if e.id == plan.edition.event), None)
    figure = _figure(MAP_SIZE)
    small_print = _map_small_print(plan)
    bottom = 0.03 + 0.0125 * len(small_print) + 0.01 * sum(len(line) > 150 for line in small_print)
    box = (0.03, bottom, 0.94, 0.92 - bottom)
    ax = figure.add_axes(box)
    west, east, south, north, aspect = _frame(plan, (box[2] * MAP_SIZE[0]) / (box[3] * MAP_SIZE[1]))
    _outline(ax, west, east, south, north)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    _route(ax, plan)
    name = event.name if event else plan.edition.event
    figure.suptitle(
        t("pictures.map.title", event=name, year=plan.edition.year),
        fontsize=17,
        fontweight="bold",
        y=0.965,
    )
    figure.text(
        0.03,
        0.012,
        "\n".join(small_print),
        fontsize=SMALL_PRINT,
        color="#444444",
        va="bottom",
        wrap=True,
    )
    return figure


def _outline(ax: Axes, west: float, east: float, south: float, north: float) -> None:
    """Sea, land, lakes and borders; as collections, which skip matplotlib's per-patch limits."""
    from matplotlib.collections import LineCollection, PolyCollection

    ax.set_facecolor(SEA)
    shapes = outlines(round(west, 2), round(east, 2), round(south, 2), round(north, 2))
    for polygons, face, width in ((shapes.land, LAND, 0.6), (shapes.lakes, SEA, 0.4)):
        if polygons:
            ax.add_collection(
                PolyCollection(polygons, facecolors=face, edgecolors="#6f8fa8", linewidths=width),
                autolim=False,
            )
    if shapes.borders:
        ax.add_collection(
            LineCollection(shapes.borders, colors=BORDER, linewidths=0.9, linestyles=(0, (4, 2))),
            autolim=False,
        )


def _route(ax: Axes, plan: RoutePlan) -> None:
    from matplotlib import patheffects

    points = plan.coordinates()
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    ax.plot(lons, lats, color=ROUTE, lw=2.2, zorder=3, solid_capstyle="round")
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if (x0, y0) == (x1, y1):
            continue
        ax.annotate(
            "",
            xy=(x0 + (x1 - x0) * 0.58, y0 + (y1 - y0) * 0.58),
            xytext=(x0 + (x1 - x0) * 0.42, y0 + (y1 - y0) * 0.42),
            arrowprops={"arrowstyle": "-|>", "color": ROUTE, "lw": 2.2, "mutation_scale": 20},
            zorder=4,
        )
    ax.scatter(lons, lats, s=30, color="white", edgecolors=ROUTE, linewidths=1.6, zorder=5)
    start, finish = points[0], points[-1]
    if start == finish:
        ax.scatter(*start, s=170, marker="o", color="#2e7d32", edgecolors="black", lw=2, zorder=6)
        handles = [_legend_marker("o", "#2e7d32", t("pictures.map.legend_start_finish"))]
    else:
        ax.scatter(*start, s=200, marker="o", color="#2e7d32", edgecolors="black", zorder=6)
        ax.scatter(*finish, s=200, marker="s", color="black", edgecolors="white", zorder=6)
        handles = [
            _legend_marker("o", "#2e7d32", t("pictures.map.legend_start")),
            _legend_marker("s", "black", t("pictures.map.legend_finish")),
        ]
    handles.append(_legend_marker(">", ROUTE, t("pictures.map.legend_route")))
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    placed: list[tuple[float, float, float, float]] = []
    pixels = [tuple(ax.transData.transform(p)) for p in points]
    line = _samples(pixels)
    for (lon, lat), label in _labels(plan).items():
        x, y = ax.transData.transform((lon, lat))
        dx, dy, ha = _free_spot(x, y, label, placed, line)
        ax.annotate(
            label,
            (lon, lat),
            xytext=(dx, dy),
            textcoords="offset pixels",
            ha=ha,
            va="center",
            fontsize=10,
            path_effects=halo,
            zorder=7,
        )
    ax.legend(handles=handles, loc="lower left", fontsize=9, framealpha=0.9)


def _legend_marker(marker: str, colour: str, label: str, hollow: bool = False) -> Any:
    from matplotlib.lines import Line2D

    face = "none" if hollow else colour
    return Line2D(
        [], [], marker=marker, ls="", color=colour, markerfacecolor=face, markersize=11, label=label
    )


def _labels(plan: RoutePlan) -> dict[tuple[float, float], str]:
    """One label per town, with every position it holds in the route ("1, 24. Brescia").

    Positions count every entry of the route, drawn or not, so they match the text answer.
    """
    order: dict[tuple[float, float], list[int]] = {}
    names: dict[tuple[float, float], str] = {}
    for n, stop in enumerate(plan.stops, 1):
        place = stop.place
        if place is None or place.lon is None or place.lat is None:
            continue
        point = (place.lon, place.lat)
        order.setdefault(point, []).append(n)
        names.setdefault(point, stop.name)
    return {p: f"{', '.join(map(str, ns))}. {names[p]}" for p, ns in order.items()}


LABEL_CHAR_PX = 6.4  # about the width of one character at 10 pt and 100 dpi
LABEL_HEIGHT_PX = 14
# Where a label may go around its town, in pixels (right, left, above and below each side).
LABEL_SPOTS = ((13, 0), (-13, 0), (13, 14), (-13, 14), (13, -14), (-13, -14), (0, 22), (0, -22))


def _samples(pixels: list[tuple[float, float]], step: float = 4.0) -> list[tuple[float, float]]:
    """Points every ``step`` pixels along the route, for labels to keep off the line."""
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(pixels):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        out.extend((x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n + 1))
    return out


def _free_spot(
    x: float,
    y: float,
    label: str,
    placed: list[tuple[float, float, float, float]],
    line: list[tuple[float, float]],
) -> tuple[float, float, str]:
    """A spot around (x, y) where ``label`` overlaps no other label and, if it can, no line."""
    width = len(label) * LABEL_CHAR_PX
    candidates = []
    for dx, dy in LABEL_SPOTS:
        ha = "left" if dx > 0 else "right" if dx < 0 else "center"
        left = x + dx - (0 if ha == "left" else width if ha == "right" else width / 2)
        box = (left, y + dy - LABEL_HEIGHT_PX / 2, left + width, y + dy + LABEL_HEIGHT_PX / 2)
        if any(_overlap(box, other) for other in placed):
            continue
        crossed = sum(box[0] <= px <= box[2] and box[1] <= py <= box[3] for px, py in line)
        candidates.append((crossed, (dx, dy, ha), box))
    if not candidates:  # crowded: the first spot, overlapping
        return LABEL_SPOTS[0][0], LABEL_SPOTS[0][1], "left"
    _, spot, box = min(candidates, key=lambda c: c[0])  # min keeps the earlier of equals
    placed.append(box)
    return spot


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _map_small_print(plan: RoutePlan) -> list[str]:
    lines = []
    if plan.left_out:
        lines.append(t("pictures.map.left_out", places=", ".join(plan.left_out)))
    lines.extend(plan.notes)
    source = plan.edition.sources[0] if plan.edition.sources else "-"
    lines.append(t("pictures.map.small_print", source=source))
    return lines


# ----------------------------------------------------------------- charts


def draw_chart(data: ChartData) -> bytes:
    """One of the history charts, its title and its small print."""
    figure = _figure(CHART_SIZE)
    {"speeds": _speeds, "fields": _fields, "makes": _makes}[data.name](figure, data)
    figure.suptitle(t(f"pictures.chart.{data.name}.title"), fontsize=16, fontweight="bold")
    small = []
    if data.disputed:
        small.append(t("pictures.chart.conflicts", years=_years(data.disputed)))
    small.append(t("pictures.chart.source"))
    figure.text(0.02, 0.015, "\n".join(small), fontsize=SMALL_PRINT + 0.5, color="#444444")
    return _png(figure)


def _years(years: tuple[int, ...]) -> str:
    return ", ".join(map(str, years))


def _speeds(figure: Figure, data: ChartData) -> None:
    ax = figure.add_axes((0.07, 0.14, 0.9, 0.74))
    points = data.series[0].points
    years = [p.year for p in points]
    values = [p.value for p in points]
    ax.plot(years, values, color=SPEED_COLOUR, lw=2, marker="o", zorder=3)
    disputed = [p for p in points if p.disputed]
    ax.scatter(
        [p.year for p in disputed],
        [p.value for p in disputed],
        s=90,
        facecolors="none",
        edgecolors="black",
        zorder=4,
    )
    best = data.point(data.record.year) if data.record else None
    if data.record is not None and best is not None:
        label = t(
            "pictures.chart.speeds.record",
            driver=crew_names(data.record),
            year=best.year,
            speed=best.value,
        )
        top = max(values) * 1.13
        ax.scatter([best.year], [best.value], s=380, marker="*", color="#f2b705", zorder=5)
        ax.annotate(
            label,
            (best.year, best.value),
            xytext=(best.year + 1.5, top),
            textcoords="data",
            ha="right",
            va="center",
            fontsize=10,
            fontweight="bold",
            arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkB": 9},
        )
    names = dict(data.names)
    for point in data.faster_than_record:  # another course (1940): named, so it is not a puzzle
        ax.annotate(
            f"{point.year}: {names[point.year]}" if point.year in names else str(point.year),
            (point.year, point.value),
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.legend(
        handles=[
            _legend_marker("*", "#f2b705", t("pictures.chart.speeds.legend_record")),
            _legend_marker("o", "black", t("pictures.chart.speeds.legend_disputed"), hollow=True),
        ],
        loc="lower right",
        fontsize=9,
    )
    ax.set_ylabel(t("pictures.chart.speeds.axis"))
    ax.set_xlim(1925, 1959)
    ax.set_ylim(0, max(values) * 1.22 if values else 1)
    ax.grid(alpha=0.3)


def _fields(figure: Figure, data: ChartData) -> None:
    speed, revival = data.series
    left = figure.add_axes((0.07, 0.14, 0.5, 0.74))
    right = figure.add_axes((0.6, 0.14, 0.37, 0.74), sharey=left)
    for ax, series, colour, key in (
        (left, speed, SPEED_COLOUR, "speed"),
        (right, revival, REVIVAL_COLOUR, "revival"),
    ):
        ax.bar([p.year for p in series.points], [p.value for p in series.points], color=colour)
        ax.set_title(t(f"pictures.chart.fields.{key}"), fontsize=11)
        ax.grid(axis="y", alpha=0.3)
        for p in series.points:
            if p.disputed:
                ax.annotate("*", (p.year, p.value), ha="center", fontsize=12)
    left.set_ylabel(t("pictures.chart.fields.axis"))


def _makes(figure: Figure, data: ChartData) -> None:
    eras = dict(data.makes)
    for n, (era, colour) in enumerate(((SPEED_ERA, SPEED_COLOUR), (REVIVAL_ERA, REVIVAL_COLOUR))):
        counts = eras.get(era)
        if counts is None:
            continue
        ax = figure.add_axes((0.14 + n * 0.49, 0.14, 0.33, 0.74))
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
        ax.barh([name for name, _ in ranked], [c for _, c in ranked], color=colour)
        for i, (_, count) in enumerate(ranked):
            ax.annotate(
                str(count), (count, i), xytext=(3, 0), textcoords="offset points", va="center"
            )
        ax.set_title(t(f"pictures.chart.makes.{'speed' if era == SPEED_ERA else 'revival'}"))
        ax.set_xlabel(t("pictures.chart.makes.axis"))
        ax.grid(axis="x", alpha=0.3)
