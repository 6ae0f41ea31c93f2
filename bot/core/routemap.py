"""Where a route's towns are, and which part of the world its map shows (no drawing here).

A route is drawn only from coordinates the knowledge holds (``places.yaml``, from the
gazetteer); a town without them is left out and named, never placed by guesswork. Each event
has its region (Italy for the Mille Miglia, Northern California for the California Mille...):
the map's frame and the bounds every town of its routes must fall in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model import Edition, Knowledge, Leg, Place
from bot.core.text import fold

MIN_STOPS = 2  # fewer located towns than this is not a route: the reply says so in text


@dataclass(frozen=True)
class Region:
    """A country or area as a box of longitudes and latitudes (west, east, south, north)."""

    name: str
    west: float
    east: float
    south: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


ITALY = Region("Italy", 6.6, 18.6, 36.6, 47.1)
# Sister events get their own region; an event not listed here is framed around its towns.
REGIONS: dict[str, Region] = {
    "mille-miglia": ITALY,
    "ferrari-tribute": ITALY,
    "mercedes-benz-tribute": ITALY,
    "1000-miglia-green": ITALY,
    "trofeo-roberto-gaburri": ITALY,
    "lo-stile-concorso": ITALY,
    "california-mille": Region("Northern California", -124.6, -119.0, 35.5, 41.0),
    "north-america-tribute": Region("California", -124.6, -114.1, 32.5, 42.0),
    "1000-millas-sport": Region("Patagonia", -74.0, -63.0, -46.0, -36.0),
    "la-festa-mille-miglia": Region("Japan", 129.5, 145.9, 31.0, 45.6),
    "warm-up-usa": Region("USA east coast", -81.0, -74.0, 36.5, 41.5),
    "coppa-delle-alpi": Region("Alps", 5.8, 16.0, 44.0, 48.2),
}


@dataclass(frozen=True)
class Stop:
    """A route entry as the knowledge names it, with the place it resolved to."""

    name: str
    place: Place | None

    @property
    def located(self) -> bool:
        return self.place is not None and self.place.located


@dataclass(frozen=True)
class DayPlan:
    """One day's leg on the map: the towns its line goes through, in order, and its night.

    ``stops`` are the leg's own towns (from, via, to) with, between two of them that the route
    also lists in that order, the route's towns in between: "Rome to Bologna" in 2014 runs
    Rome - Siena - Pisa - Bologna, as the route does. Nothing is added that neither names.
    """

    leg: Leg
    stops: tuple[Stop, ...]
    overnight: Stop | None = None

    @property
    def day(self) -> int:
        return self.leg.day

    def coordinates(self) -> list[tuple[float, float]]:
        """(lon, lat) of the leg's located towns, in order."""
        return [_lon_lat(s.place) for s in self.stops if s.located and s.place]


def _lon_lat(place: Place) -> tuple[float, float]:
    assert place.lon is not None and place.lat is not None
    return (place.lon, place.lat)


@dataclass(frozen=True)
class RoutePlan:
    """Everything a route map shows: the stops in order, those left out, the frame, the days."""

    edition: Edition
    stops: tuple[Stop, ...]
    region: Region
    days: tuple[DayPlan, ...] = ()

    @property
    def located(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.located)

    @property
    def left_out(self) -> tuple[str, ...]:
        """The route's and the legs' entries that have no coordinates (named, not drawn)."""
        named = [*self.stops, *(s for day in self.days for s in day.stops)]
        named += [day.overnight for day in self.days if day.overnight]
        return tuple(dict.fromkeys(s.name for s in named if not s.located))

    @property
    def drawable(self) -> bool:
        return len({s.name for s in self.located}) >= MIN_STOPS

    @property
    def notes(self) -> tuple[str, ...]:
        """How entries that are not simply a town are drawn ("drawn at Pietrasanta")."""
        return tuple(dict.fromkeys(s.place.note for s in self.located if s.place and s.place.note))

    def coordinates(self) -> list[tuple[float, float]]:
        """(lon, lat) of the located stops, in route order."""
        return [_lon_lat(s.place) for s in self.located if s.place]

    def view(self, margin: float = 0.6, min_span: float = 3.0) -> Region:
        """The frame of the map: the route and its legs with a margin."""
        points = self.coordinates() + [p for day in self.days for p in day.coordinates()]
        lons = [p[0] for p in points] or [self.region.west, self.region.east]
        lats = [p[1] for p in points] or [self.region.south, self.region.north]
        west, east = min(lons) - margin, max(lons) + margin
        south, north = min(lats) - margin, max(lats) + margin
        if east - west < min_span:
            middle = (east + west) / 2
            west, east = middle - min_span / 2, middle + min_span / 2
        if north - south < min_span:
            middle = (north + south) / 2
            south, north = middle - min_span / 2, middle + min_span / 2
        return Region(self.region.name, west, east, south, north)


def region_of(event_id: str, places: list[Place]) -> Region:
    """The event's region, or a box around its located towns when it has none."""
    if event_id in REGIONS:
        return REGIONS[event_id]
    lons = [p.lon for p in places if p.lon is not None] or [-180.0, 180.0]
    lats = [p.lat for p in places if p.lat is not None] or [-90.0, 90.0]
    return Region(event_id, min(lons) - 1, max(lons) + 1, min(lats) - 1, max(lats) + 1)


def route_plan(knowledge: Knowledge, edition: Edition) -> RoutePlan:
    """The route of ``edition`` and its legs by day, resolved against places.yaml."""
    stops = tuple(Stop(town, knowledge.place_named(town)) for town in edition.route)
    days = _days(knowledge, edition, stops)
    located = [s.place for s in stops if s.place is not None and s.place.located]
    located += [s.place for d in days for s in d.stops if s.place is not None and s.place.located]
    return RoutePlan(edition, stops, region_of(edition.event, located), days)


def _days(knowledge: Knowledge, edition: Edition, route: tuple[Stop, ...]) -> tuple[DayPlan, ...]:
    """Each leg as the towns its line passes, filled in from the route where both agree."""
    days = []
    cursor = 0  # legs follow the route: each one is looked for after the previous one's end
    for leg in edition.legs:
        named = [Stop(town, knowledge.place_named(town)) for town in leg.places]
        stops: list[Stop] = [named[0]]
        at = _index(route, named[0], cursor)
        for stop in named[1:]:
            found = _index(route, stop, at if at is not None else cursor)
            if at is not None and found is not None:
                stops.extend(route[at + 1 : found])  # the route's towns between the two
            stops.append(stop)
            if found is not None:
                at = cursor = found
        night = Stop(leg.overnight, knowledge.place_named(leg.overnight)) if leg.overnight else None
        days.append(DayPlan(leg, tuple(stops), night))
    return tuple(days)


def _index(route: tuple[Stop, ...], stop: Stop, start: int) -> int | None:
    """Where ``stop`` is in the route from ``start`` on (the same place, or the same name)."""
    for index in range(start, len(route)):
        other = route[index]
        if (stop.place is not None and other.place is stop.place) or fold(other.name) == fold(
            stop.name
        ):
            return index
    return None
