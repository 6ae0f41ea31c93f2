"""Drawing a route map as a PNG with Pillow, from a ``maplayout.MapLayout``.

Why Pillow and not matplotlib: a map is polygons, lines, dots and
labels already placed in pixels by ``maplayout``; Pillow draws them directly and imports in
~15 ms, where matplotlib's import alone took ~300 ms of a first map's ~450 ms. Shapes are drawn
at twice the size and reduced (smooth edges without a vector renderer); text is drawn after,
at the final size, by FreeType (the primitives are ``pixels``, shared with the charts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core import maplayout as ml
from bot.core import pixels as px
from bot.core.outlines import outlines

if TYPE_CHECKING:
    from PIL import ImageDraw

SCALE = px.SCALE
SEA = "#dcebf5"
LAND = "#f4f1e8"
COAST = "#6f8fa8"
BORDER = "#8a8a8a"
FRAME = "#333333"


def render(layout: ml.MapLayout) -> bytes:
    """The PNG of ``layout``."""
    from PIL import Image, ImageDraw

    width, height = layout.size
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    image.paste(_outline_layer(layout.frame), _scaled(layout.box)[:2])
    shapes = ImageDraw.Draw(image)
    left, top, right, bottom = _scaled(layout.box)
    shapes.rectangle((left, top, right, bottom), outline=FRAME, width=SCALE)
    for line in layout.lines:
        _line(shapes, line)
    for arrow in layout.arrows:
        _arrow(shapes, arrow)
    for point in layout.overnight:
        px.marker(shapes, point, "d", ml.OVERNIGHT, 10, "white")
    for town in layout.towns:
        colour = ml.ROUTE if len(layout.badges) == 0 else "#333333"
        px.marker(shapes, town.point, "o", "white", ml.DOT_RADIUS, colour)
    if layout.start == layout.finish:
        px.marker(shapes, layout.start, "o", ml.START, 10, "black")
    else:
        px.marker(shapes, layout.start, "o", ml.START, 10, "black")
        px.marker(shapes, layout.finish, "s", ml.FINISH, 9, "white")
    for badge in layout.badges:
        px.marker(shapes, badge.point, "o", badge.colour, ml.BADGE_RADIUS, "white")
    _legend_shapes(shapes, layout)
    image = image.reduce(SCALE)
    _texts(ImageDraw.Draw(image), layout)
    return px.png(image)


# ----------------------------------------------------------------- the land


def _scaled(box: ml.Box) -> tuple[int, int, int, int]:
    return (
        round(box[0] * SCALE),
        round(box[1] * SCALE),
        round(box[2] * SCALE),
        round(box[3] * SCALE),
    )


def _outline_layer(frame: ml.Frame) -> Any:
    """Sea, land, lakes and dashed borders of the frame, at the drawing scale."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = _scaled(frame.box)
    layer = Image.new("RGB", (right - left, bottom - top), SEA)
    draw = ImageDraw.Draw(layer)
    shapes = outlines(
        round(frame.west, 2), round(frame.east, 2), round(frame.south, 2), round(frame.north, 2)
    )
    sx = (right - left) / (frame.east - frame.west)
    sy = (bottom - top) / (frame.north - frame.south)

    west, north = frame.west, frame.north

    def pixels(points: tuple[float, ...]) -> list[float]:
        flat = [0.0] * len(points)
        flat[0::2] = [(lon - west) * sx for lon in points[0::2]]
        flat[1::2] = [(north - lat) * sy for lat in points[1::2]]
        return flat

    for polygons, fill in ((shapes.land, LAND), (shapes.lakes, SEA)):
        for polygon in polygons:
            if len(polygon) >= 6:  # three points
                draw.polygon(pixels(polygon), fill=fill, outline=COAST, width=SCALE)
    for border in shapes.borders:
        flat = pixels(border)
        px.dashed(draw, list(zip(flat[::2], flat[1::2], strict=True)), BORDER, 2 * SCALE, (8, 4))
    return layer


# ----------------------------------------------------------------- the route


def _line(draw: ImageDraw.ImageDraw, line: ml.Line) -> None:
    points = [(x * SCALE, y * SCALE) for x, y in line.points]
    width = round(line.width * SCALE)
    if line.dashed:
        px.dashed(draw, points, line.colour, width, (7, 5))
    else:
        draw.line(points, fill=line.colour, width=width, joint="curve")
        for x, y in points:  # round ends and corners
            r = width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=line.colour)


def _arrow(draw: ImageDraw.ImageDraw, arrow: ml.Arrow) -> None:
    px.arrowhead(draw, arrow.point, arrow.direction, arrow.colour, ml.ARROW_LENGTH)


# ----------------------------------------------------------------- legend and texts


def _legend_shapes(draw: ImageDraw.ImageDraw, layout: ml.MapLayout) -> None:
    box = _scaled(layout.legend_box)
    draw.rounded_rectangle(box, radius=6 * SCALE, fill="white", outline="#9a9a9a", width=SCALE)
    left, top = layout.legend_box[:2]
    for n, row in enumerate(layout.legend):
        y = top + 6 + ml.LEGEND_ROW * n + ml.LEGEND_ROW / 2
        x = left + 10 + ml.LEGEND_SWATCH / 2 - 4
        if row.marker is not None:
            radius = 7 if row.marker != "s" else 6
            edge = "white" if row.marker in ("s", "d") else "black"
            px.marker(draw, (x, y), row.marker, row.colour, radius, edge)
        else:
            ends = [(x - 13, y), (x + 13, y)]
            width = 2 if row.dashed else 3
            _line(draw, ml.Line(tuple(ends), row.colour, width, row.dashed, arrows=False))
            if row.day is not None:
                px.marker(draw, (x, y), "o", row.colour, 8, "white")


def _texts(draw: ImageDraw.ImageDraw, layout: ml.MapLayout) -> None:
    width = layout.size[0]
    draw.text(
        (width / 2, ml.TITLE_BAND / 2),
        layout.title,
        fill="black",
        font=px.font(ml.TITLE_SIZE, True),
        anchor="mm",
    )
    label = px.font(ml.LABEL_SIZE)
    for town in layout.towns:
        anchor = {"left": "lm", "right": "rm", "center": "mm"}[town.align]
        draw.text(
            town.anchor,
            town.label,
            fill="black",
            font=label,
            anchor=anchor,
            stroke_width=2,
            stroke_fill="white",
        )
    number = px.font(12, True)
    for badge in layout.badges:
        draw.text(badge.point, str(badge.day), fill="white", font=number, anchor="mm")
    legend = px.font(ml.LEGEND_SIZE)
    left, top = layout.legend_box[:2]
    for n, row in enumerate(layout.legend):
        y = top + 6 + ml.LEGEND_ROW * n + ml.LEGEND_ROW / 2
        if row.day is not None:
            x = left + 10 + ml.LEGEND_SWATCH / 2 - 4
            draw.text((x, y), str(row.day), fill="white", font=px.font(10, True), anchor="mm")
        draw.text(
            (left + 10 + ml.LEGEND_SWATCH, y), row.text, fill="black", font=legend, anchor="lm"
        )
    small = px.font(ml.SMALL_PRINT_SIZE)
    y = layout.box[3] + 6
    for line in layout.small_print:
        draw.text((ml.MARGIN, y), line, fill="#444444", font=small, anchor="la")
        y += ml.SMALL_PRINT_SIZE + 3
