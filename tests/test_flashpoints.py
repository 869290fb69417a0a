"""Lesson 06's helpers: incidents on places, filters, maps, boundary distances."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.flashpoints import (
    PRECISION_LABELS,
    both_names,
    distance_to_line_km,
    event_type_options,
    filter_incidents,
    flashpoint_map,
    incidents_with_places,
    places_on_map,
    shared_boundary,
    show_flashpoints,
    summarise_by_place,
)
from balkan_course.maps import haversine_km


@pytest.fixture(scope="module")
def places() -> pd.DataFrame:
    return load_table("places")


@pytest.fixture(scope="module")
def incidents(places) -> pd.DataFrame:
    return incidents_with_places(load_table("events"), places, load_table("event_sources"))


@pytest.fixture(scope="module")
def boundary() -> pd.DataFrame:
    return shared_boundary("Kosovo", "Serbia")


def spec_layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def test_both_names():
    assert both_names("Zveçan", "Zvečan") == "Zveçan / Zvečan"
    assert both_names("Zubin Potok", "Zubin Potok") == "Zubin Potok"
    assert both_names(None, "Sarajevo", "Sarajevo") == "Sarajevo"
    assert both_names(float("nan"), None, "Brussels") == "Brussels"


def test_incidents_are_events_placed_in_the_region(incidents):
    assert incidents["event_id"].is_unique
    assert set(incidents["country"]) <= {"Kosovo", "Bosnia and Herzegovina", "Serbia"}
    assert "paris_meeting_2025_03_27" not in set(incidents["event_id"])  # outside the region
    banjska = incidents.set_index("event_id").loc["banjska_attack_2023_09"]
    assert banjska["names"] == "Banjskë / Banjska"
    assert banjska["when"] == "Sep 2023" and banjska["year"] == 2023
    assert banjska["geo_precision"] == 1
    assert "brief_2025_04_02" in banjska["sources"] and "iria_2023" in banjska["sources"]
    canal = incidents.set_index("event_id").loc["iber_lepenc_attack_2024_11"]
    assert canal["geo_precision"] == 2 and canal["precision_label"] == PRECISION_LABELS[2]
    assert incidents.set_index("event_id").loc["rutte_visit_kosovo_2025_03_11",
                                               "names"] == "Prishtinë / Priština"


def test_undated_events_take_the_year_of_their_latest_date(incidents):
    plates = incidents.set_index("event_id").loc["north_plates_currency_measures"]
    assert bool(plates["date_is_latest_possible"]) and plates["year"] == 2025  # by 2 Apr 2025
    assert plates["when"].startswith("by ")


def test_filter_by_years_and_types(incidents):
    chosen = filter_incidents(incidents, (2023, 2024), ["violence", "protest"])
    assert set(chosen["event_id"]) == {"north_violence_2023_05", "leposavic_protest_2023_05_29",
                                       "banjska_attack_2023_09", "iber_lepenc_attack_2024_11"}
    assert len(filter_incidents(incidents, (2024, 2023), ["violence"])) == 3  # order-free years
    assert filter_incidents(incidents, None, []).empty
    assert len(filter_incidents(incidents)) == len(incidents)
    assert filter_incidents(incidents, (2010, 2020), None).empty
    assert "violence" in event_type_options(incidents)


def test_summary_has_one_row_per_place(incidents):
    by_place = summarise_by_place(incidents)
    assert by_place["place_id"].is_unique
    assert by_place["events"].sum() == len(incidents)
    kosovo = by_place.set_index("place_id").loc["kosovo"]
    assert kosovo["events"] == 8 and "and 4 more" in kosovo["what_and_when"]


def test_places_on_map_leave_out_estimates_and_stand_ins(places):
    shown = places_on_map(places)
    assert set(shown["geo_precision"]) == {1}
    assert "iber_lepenc_canal" not in set(shown["place_id"])
    assert {"pristina", "sarajevo", "banja_luka", "belgrade", "jarinje"} <= set(shown["place_id"])
    assert "brussels" not in set(shown["place_id"])
    assert shown.set_index("place_id").loc["leposavic", "label"] == "Leposaviq / Leposavić"


def test_regional_map_layers_and_tooltips(incidents, places):
    chart = flashpoint_map(incidents, places)
    spec = chart.to_dict()
    assert spec["projection"]["type"] == "mercator"
    layers = spec["layer"]
    assert layers[0]["mark"]["type"] == "geoshape"
    points = layers[-1]
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["longitude"]["field"] == "longitude"
    assert points["encoding"]["shape"]["field"] == "precision_label"
    assert points["encoding"]["fill"]["scale"]["range"][0] != points["encoding"]["fill"][
        "scale"]["range"][1], "exact and approximate markers must look different"
    tooltips = {tip["field"] for tip in points["encoding"]["tooltip"]}
    assert {"names", "what_and_when", "precision_label", "sources"} <= tooltips
    assert spec["title"]


def test_north_map_is_fitted_and_draws_the_boundary(incidents, places):
    spec = flashpoint_map(incidents, places, zoom="north").to_dict()
    assert spec["projection"]["fit"]["geometry"]["type"] == "Polygon"
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "line" in marks
    with pytest.raises(ValueError):
        flashpoint_map(incidents, places, zoom="world")


def test_widget_function_gives_map_or_message(incidents, places):
    chart = show_flashpoints(incidents, (2023, 2024), ["violence"], places)
    assert isinstance(chart, alt.LayerChart)
    other = show_flashpoints(incidents, (2025, 2025), ["diplomacy"], places)
    assert chart.to_dict() != other.to_dict()
    message = show_flashpoints(incidents, (2010, 2020), ["violence"], places)
    assert isinstance(message, str) and "No incident" in message
    assert "at least one event type" in show_flashpoints(incidents, (1998, 2025), [], places)


def test_shared_boundary_and_distances(boundary, places):
    assert not boundary.empty and set(boundary.columns) == {"arc", "step", "longitude",
                                                            "latitude"}
    assert shared_boundary("Albania", "Croatia").empty  # they do not touch
    with pytest.raises(ValueError):
        shared_boundary("Kosovo", "Atlantis")
    where = places.set_index("place_id")
    jarinje = where.loc["jarinje"]
    banjska = where.loc["banjska"]
    assert distance_to_line_km(jarinje["latitude"], jarinje["longitude"], boundary) < 1.0
    assert distance_to_line_km(banjska["latitude"], banjska["longitude"], boundary) == \
        pytest.approx(14.2, abs=0.5)
    # The nearest point on the line is never farther than the nearest vertex.
    vertices = haversine_km(banjska["latitude"], banjska["longitude"], boundary["latitude"],
                            boundary["longitude"]).min()
    assert distance_to_line_km(banjska["latitude"], banjska["longitude"], boundary) <= \
        vertices + 1e-6


def test_lesson_distances(places):
    where = places.set_index("place_id")

    def km(a, b):
        return haversine_km(where.loc[a, "latitude"], where.loc[a, "longitude"],
                            where.loc[b, "latitude"], where.loc[b, "longitude"])

    assert km("jarinje", "pristina") == pytest.approx(72.0, abs=0.1)
    assert km("sarajevo", "banja_luka") == pytest.approx(138.6, abs=0.1)
    assert km("belgrade", "pristina") == pytest.approx(243.6, abs=0.1)
