"""Drawing the pictures as PNG bytes: route maps (Pillow, ``mapdraw``) and charts (matplotlib).

Both libraries are imported inside the functions: a bot nobody asks for a picture never
loads them. Maps are laid out in pixels by ``maplayout`` and drawn by Pillow, which imports in
~15 ms; charts need axes, ticks and bars, which matplotlib draws well but costs ~40 MB and
~300 ms to import. Its object API (``Figure`` + ``FigureCanvasAgg``) is used instead of
pyplot, which keeps global state and is not meant for worker threads. Every text drawn comes
from the catalogues, in the reply's language; every figure comes from the knowledge
(``routemap``, ``chartdata``).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from bot.core.chartdata import REVIVAL_ERA, SPEED_ERA, ChartData, chart_data
from bot.core.i18n import t, using
from bot.core.maplayout import MAP_SIZE, MapLayout, Measure, layout
from bot.core.model import Knowledge
from bot.core.pictures import crew_names
from bot.core.reply import Picture
from bot.core.routemap import RoutePlan, route_plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHART_SIZE", "MAP_SIZE", "DrawingFailed", "draw", "draw_chart", "draw_map"]

DPI = 100
CHART_SIZE = (1200, 750)
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


def map_layout(knowledge: Knowledge, plan: RoutePlan, measure: Measure | None = None) -> MapLayout:
    """Where everything on the route's map goes (what ``draw_map`` draws), in pixels."""
    if not plan.drawable:
        raise DrawingFailed(f"the route of {plan.edition.key} has too few located towns")
    event = next((e for e in knowledge.events if e.id == plan.edition.event), None)
    from bot.core import mapdraw

    name = event.name if event else plan.edition.event
    return layout(plan, name, measure or mapdraw.measure)


def draw_map(knowledge: Knowledge, plan: RoutePlan) -> bytes:
    """The route on the country's outline: towns in order, each day's leg, start, finish."""
    from bot.core import mapdraw  # Pillow loads only when a map is drawn

    return mapdraw.render(map_layout(knowledge, plan))


# ----------------------------------------------------------------- charts


def _legend_marker(marker: str, colour: str, label: str, hollow: bool = False) -> Any:
    from matplotlib.lines import Line2D

    face = "none" if hollow else colour
    return Line2D(
        [], [], marker=marker, ls="", color=colour, markerfacecolor=face, markersize=11, label=label
    )


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
