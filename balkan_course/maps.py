"""Map helpers: the Western Balkans boundary file, distances and point-in-country checks.

The boundary file data/maps/western_balkans.topo.json holds seven countries (Albania, Bosnia
and Herzegovina, Croatia, Kosovo, North Macedonia, Montenegro, Serbia) simplified from
Natural Earth; data/maps/README.md says where it comes from and which point of view it takes.
Everything here works offline and needs only pandas, numpy and Altair:

    import altair as alt
    from balkan_course.maps import boundaries_chart_data

    alt.Chart(boundaries_chart_data()).mark_geoshape(stroke="white").encode(
        color="properties.name:N"
    )
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from balkan_course.data import DATA_DIR

BOUNDARY_FILE = DATA_DIR / "maps" / "western_balkans.topo.json"
OBJECT_NAME = "countries"
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

PLACE_COLUMNS = ("place_id", "name_en", "latitude", "longitude")

Coordinate = TypeVar("Coordinate", float, np.ndarray, pd.Series)
Ring = list[tuple[float, float]]  # (longitude, latitude) pairs, first point == last point


def load_boundaries() -> dict[str, Any]:
    """The boundary file as a parsed TopoJSON dict (a fresh copy on every call)."""
    return json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))


def boundaries_chart_data() -> alt.InlineData:
    """The boundary file as inline Altair data: draw it with `.mark_geoshape()`.

    The TopoJSON travels inside the chart specification, so the chart needs no URL and
    no network. Each shape has `properties.adm0_a3` and `properties.name` fields.
    """
    return alt.InlineData(
        values=load_boundaries(),
        format=alt.DataFormat(type="topojson", feature=OBJECT_NAME),
    )


def haversine_km(lat1: Coordinate, lon1: Coordinate, lat2: Coordinate, lon2: Coordinate) -> Any:
    """Great-circle distance in kilometres between points given in degrees.

    Works on plain numbers (returns a float) and element-wise on numpy arrays or pandas
    Series (returns the same kind). Uses a sphere of mean Earth radius, so it differs from
    the distance on the WGS84 ellipsoid by up to about 0.5 %.
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.subtract(lon2, lon1)) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    if np.ndim(distance) == 0 and not isinstance(distance, pd.Series):
        return float(distance)
    return distance


def distance_table(places: pd.DataFrame, from_id: str) -> pd.DataFrame:
    """Distances in km from the place `from_id` to every other place, nearest first.

    `places` needs the columns place_id, name_en, latitude and longitude (as in
    data/places.csv). The result has the columns place_id, name_en and distance_km.
    """
    missing = [column for column in PLACE_COLUMNS if column not in places.columns]
    if missing:
        raise ValueError(f"The place table lacks the column(s) {', '.join(missing)}.")
    matches = places[places["place_id"] == from_id]
    if len(matches) != 1:
        valid = ", ".join(sorted(map(str, places["place_id"].unique())))
        problem = "is not in" if matches.empty else "appears more than once in"
        raise ValueError(f"place_id {from_id!r} {problem} the table. Valid ids: {valid}.")
    origin = matches.iloc[0]
    others = places[places["place_id"] != from_id]
    table = others[["place_id", "name_en"]].copy()
    table["distance_km"] = haversine_km(
        float(origin["latitude"]),
        float(origin["longitude"]),
        others["latitude"].astype(float),
        others["longitude"].astype(float),
    )
    return table.sort_values(["distance_km", "place_id"]).reset_index(drop=True)


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Undo TopoJSON's quantization and delta encoding: each arc as (lon, lat) points."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (kx, ky), (x0, y0) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * kx + x0, y * ky + y0))
        arcs.append(points)
    return arcs


def _ring(arc_indexes: list[int], arcs: list[Ring]) -> Ring:
    """Join the arcs of one ring; a negative index ~i means arc i reversed."""
    points: Ring = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


@cache
def _country_polygons() -> tuple[tuple[str, tuple[tuple[Ring, ...], ...]], ...]:
    """(name, polygons) per country; each polygon is its rings, holes included."""
    topology = load_boundaries()
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"][OBJECT_NAME]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        decoded = tuple(tuple(_ring(ring, arcs) for ring in polygon) for polygon in polygons)
        countries.append((geometry["properties"]["name"], decoded))
    return tuple(countries)


def _inside(x: float, y: float, rings: tuple[Ring, ...]) -> bool:
    """Even-odd ray casting: True if (x, y) is inside the polygon (outer ring minus holes)."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def country_of_point(lat: float, lon: float) -> str | None:
    """The English name of the country in the boundary file that contains the point.

    Returns None for a point outside all seven countries (the sea, or another country).
    The borders are simplified to within a few hundred metres, so a point closer than
    that to a border may fall on the wrong side.
    """
    for name, polygons in _country_polygons():
        if any(_inside(lon, lat, rings) for rings in polygons):
            return name
    return None
