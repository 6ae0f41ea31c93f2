"""Drawing the pictures as PNG bytes with Pillow: route maps (``mapdraw``) and charts (``chartdraw``).

Pillow is imported inside the drawing modules' functions: a bot nobody asks for a picture
never loads it. Maps are laid out in pixels by ``maplayout`` and charts by ``chartdraw``, on
the shared primitives of ``pixels``. matplotlib drew both before; its import alone took
~300 ms, which kept a first picture over 500 ms on a busy machine. Every text drawn comes from
the catalogues, in the picture's language; every figure from the knowledge (``routemap``,
``chartdata``).
"""

from __future__ import annotations

from bot.core.chartdata import chart_data
from bot.core.chartdraw import CHART_SIZE, draw_chart
from bot.core.i18n import using
from bot.core.maplayout import MAP_SIZE, MapLayout, Measure, layout
from bot.core.model import Knowledge
from bot.core.reply import Picture
from bot.core.routemap import RoutePlan, route_plan

__all__ = ["CHART_SIZE", "MAP_SIZE", "DrawingFailed", "draw", "draw_chart", "draw_map"]


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


def map_layout(knowledge: Knowledge, plan: RoutePlan, measure: Measure | None = None) -> MapLayout:
    """Where everything on the route's map goes (what ``draw_map`` draws), in pixels."""
    if not plan.drawable:
        raise DrawingFailed(f"the route of {plan.edition.key} has too few located towns")
    event = next((e for e in knowledge.events if e.id == plan.edition.event), None)
    name = event.name if event else plan.edition.event
    if measure is None:
        from bot.core import pixels  # the real font's widths (Pillow loads here)

        measure = pixels.measure
    return layout(plan, name, measure)


def draw_map(knowledge: Knowledge, plan: RoutePlan) -> bytes:
    """The route on the country's outline: towns in order, each day's leg, start, finish."""
    from bot.core import mapdraw

    return mapdraw.render(map_layout(knowledge, plan))
