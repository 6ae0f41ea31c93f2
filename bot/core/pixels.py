"""Drawing primitives the maps and charts share, with Pillow: fonts, markers, dashes, PNG.

Shapes are drawn at ``SCALE`` times the picture's size and reduced at the end, which gives
smooth edges without a vector renderer; text is drawn after the reduction, at the final size,
by FreeType. Coordinates passed here are in final pixels unless a name says otherwise. The
font is DejaVu Sans, kept in ``fonts/`` with its licence.
"""

from __future__ import annotations

import io
import itertools
import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

SCALE = 2  # shapes are drawn this many times larger, then reduced: smooth edges
PNG_COMPRESSION = 3  # zlib level: 6 (the default) costs ~2x the time for ~10% smaller files
XY = tuple[float, float]


FONTS = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans, cut down (fonts/README.md)


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (bold) at ``size`` pixels, or Pillow's default font at that size."""
    from PIL import ImageFont

    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.is_file():  # a copy without the fonts still draws, in Pillow's own
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def measure(text: str, size: int) -> float:
    """The width of ``text`` in pixels in the pictures' font (what layouts place labels by)."""
    return float(font(size).getlength(text))


def png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_COMPRESSION)
    return out.getvalue()


def marker(
    draw: ImageDraw.ImageDraw,
    point: XY,
    shape: str,
    fill: str | None,
    radius: float,
    edge: str,
) -> None:
    """A marker centred on ``point``: "o" disc, "s" square, "d" diamond, "*" five-point star."""
    x, y, r = point[0] * SCALE, point[1] * SCALE, radius * SCALE
    box = (x - r, y - r, x + r, y + r)
    width = round(1.6 * SCALE)
    if shape == "s":
        draw.rectangle(box, fill=fill, outline=edge, width=width)
    elif shape == "d":
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=fill, outline=edge)
    elif shape == "*":
        corners = [
            (
                x + (r if k % 2 == 0 else r * 0.45) * math.sin(math.pi * k / 5),
                y - (r if k % 2 == 0 else r * 0.45) * math.cos(math.pi * k / 5),
            )
            for k in range(10)
        ]
        draw.polygon(corners, fill=fill, outline=edge)
    else:
        draw.ellipse(box, fill=fill, outline=edge, width=width)


def dashed(
    draw: ImageDraw.ImageDraw,
    points: list[XY],
    colour: str,
    width: int,
    pattern: tuple[float, float],
) -> None:
    """A polyline in drawing pixels as dashes (``pattern``: on, off, in final pixels)."""
    on, off = pattern[0] * SCALE, pattern[1] * SCALE
    drawing, left = True, on
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        done = 0.0
        while length - done > 1e-9:
            step = min(left, length - done)
            if drawing:
                a, b = done / length, (done + step) / length
                draw.line(
                    (
                        x0 + (x1 - x0) * a,
                        y0 + (y1 - y0) * a,
                        x0 + (x1 - x0) * b,
                        y0 + (y1 - y0) * b,
                    ),
                    fill=colour,
                    width=width,
                )
            done += step
            left -= step
            if left <= 1e-9:
                drawing = not drawing
                left = on if drawing else off


def arrowhead(
    draw: ImageDraw.ImageDraw, point: XY, direction: XY, colour: str, size: float
) -> None:
    """A filled arrowhead centred on ``point``, pointing along the unit vector ``direction``."""
    (mx, my), (ux, uy) = (point[0] * SCALE, point[1] * SCALE), direction
    length, half = size * SCALE, size * 0.43 * SCALE
    tip = (mx + ux * length / 2, my + uy * length / 2)
    base = (mx - ux * length / 2, my - uy * length / 2)
    left = (base[0] - uy * half, base[1] + ux * half)
    right = (base[0] + uy * half, base[1] - ux * half)
    draw.polygon([tip, left, right], fill=colour)


def arrow_line(draw: ImageDraw.ImageDraw, start: XY, end: XY, colour: str) -> None:
    """A thin line from ``start`` with an arrowhead at ``end`` (an annotation's pointer)."""
    draw.line(
        (start[0] * SCALE, start[1] * SCALE, end[0] * SCALE, end[1] * SCALE),
        fill=colour,
        width=round(1.2 * SCALE),
    )
    length = math.dist(start, end) or 1.0
    direction = ((end[0] - start[0]) / length, (end[1] - start[1]) / length)
    tip_back = (end[0] - direction[0] * 5, end[1] - direction[1] * 5)
    arrowhead(draw, tip_back, direction, colour, 10)


def rotated_text(image: Any, centre: XY, text: str, face: Any, colour: str) -> None:
    """``text`` read bottom to top, centred on ``centre`` (an axis's label)."""
    from PIL import Image
    from PIL import ImageDraw as Draw

    width = math.ceil(face.getlength(text)) + 4
    height = face.size + 8 if hasattr(face, "size") else 24
    label = Image.new("L", (width, height), 0)
    Draw.Draw(label).text((2, height / 2), text, fill=255, font=face, anchor="lm")
    turned = label.rotate(90, expand=True)
    at = (round(centre[0] - turned.width / 2), round(centre[1] - turned.height / 2))
    image.paste(colour, (*at, at[0] + turned.width, at[1] + turned.height), turned)
