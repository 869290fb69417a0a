"""balkan_course.timeline: honest date windows, filters, messages and chart specifications."""

import altair as alt
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.timeline import (
    OTHER_THEMES,
    events_per_year,
    events_per_year_chart,
    filter_events,
    prepare_events,
    reported_by,
    timeline_chart,
    timeline_view,
    undated_events,
)


@pytest.fixture(scope="module")
def events():
    return load_table("events")


@pytest.fixture(scope="module")
def events_cited(events):
    cited = reported_by(load_table("event_sources"), load_table("sources"))
    return events.merge(cited, on="event_id", how="left", validate="one_to_one")


def row(table, event_id):
    return table.loc[table["event_id"] == event_id].iloc[0]


def test_windows_follow_the_precision(events):
    prepared = prepare_events(events)
    banjska = row(prepared, "banjska_attack_2023_09")
    assert (banjska["date_label"], banjska["span_days"]) == ("Sep 2023", 30)
    assert banjska["draw_end"] == pd.Timestamp("2023-10-01")
    war = row(prepared, "kosovo_war_1998_1999")
    assert (war["date_label"], war["span_days"]) == ("1998–1999", 730)
    visit = row(prepared, "rutte_visit_kosovo_2025_03_11")
    assert (visit["date_label"], visit["span_days"]) == ("11 Mar 2025", 1)
    sentence = row(prepared, "dodik_sentenced")
    assert sentence["date_label"] == "by 2 Apr 2025" and pd.isna(sentence["span_days"])


def test_the_articles_dates_for_the_key_events(events):
    starts = events.set_index("event_id")["date_start"]
    assert starts["dayton_agreement_1995"].year == 1995
    assert starts["kfor_deployed_1999"].year == 1999
    assert starts["eufor_replaces_sfor_2004"].year == 2004
    assert starts["kosovo_independence_2008"].year == 2008
    assert starts["rutte_visit_bih_2025_03_10"] == pd.Timestamp("2025-03-10")
    assert starts["paris_meeting_2025_03_27"] == pd.Timestamp("2025-03-27")


def test_reported_by_counts_articles_per_event(events_cited):
    banjska = row(events_cited, "banjska_attack_2023_09")
    assert banjska["n_sources"] == 4
    assert banjska["reported_by"].startswith("IRIA; Reaction commentary")  # oldest first
    canal = row(events_cited, "iber_lepenc_attack_2024_11")
    assert (canal["n_sources"], canal["reported_by"]) == (1, "Asllani brief")
    assert events_cited["n_sources"].notna().all()


def test_filter_by_country_theme_and_overlapping_years(events):
    kept = filter_events(events, countries=["Kosovo"], themes=["history"], years=(1999, 2025))
    ids = kept["event_id"].tolist()
    assert "kosovo_war_1998_1999" in ids  # overlaps 1999 although it started in 1998
    assert "kosovo_independence_2008" in ids
    assert set(kept["country"]) == {"Kosovo"} and set(kept["theme"]) == {"history"}
    later = filter_events(events, years=(2000, 2025))
    assert "kosovo_war_1998_1999" not in set(later["event_id"])
    # sorted by start, undated last
    assert later["date_start"].dropna().is_monotonic_increasing
    assert pd.isna(later["date_start"].iloc[-1])


def test_none_means_no_filter_and_empty_means_nothing(events):
    assert len(filter_events(events)) == len(events)
    assert filter_events(events, countries=[]).empty
    assert filter_events(events, themes=()).empty


def test_undated_events_are_kept_by_their_latest_date(events):
    recent = filter_events(events, countries=["Bosnia and Herzegovina"], years=(2025, 2025))
    assert "dodik_sentenced" in set(recent["event_id"])
    old = filter_events(events, countries=["Bosnia and Herzegovina"], years=(1992, 2000))
    assert "dodik_sentenced" not in set(old["event_id"])
    undated = undated_events(events)
    assert len(undated) == events["date_start"].isna().sum() == 12
    assert (undated["date_label"].str.startswith("by ")).all()


def test_timeline_chart_draws_windows_as_bars_and_days_as_points(events_cited):
    chart = timeline_chart(events_cited, title="All events")
    spec = chart.to_dict()
    bars, points = spec["layer"]
    assert bars["mark"]["type"] == "bar" and points["mark"]["type"] == "point"
    assert bars["encoding"]["x"]["field"] == "date_start"
    assert bars["encoding"]["x2"]["field"] == "draw_end"
    assert bars["encoding"]["color"]["field"] == "date_precision"
    tooltip_fields = {t["field"] for t in bars["encoding"]["tooltip"]}
    assert {"title", "date_label", "reported_by"} <= tooltip_fields
    assert spec["title"]["text"] == "All events"
    # Only dated events are drawn; each layer holds its own rows.
    datasets = spec["datasets"]
    drawn = sum(len(datasets[layer["data"]["name"]]) for layer in (bars, points))
    assert drawn == events_cited["date_start"].notna().sum()
    point_rows = datasets[points["data"]["name"]]
    assert {r["date_precision"] for r in point_rows} == {"day"}


def test_timeline_view_messages_for_empty_or_odd_choices(events_cited):
    assert "country" in timeline_view(events_cited, countries=[])
    assert "theme" in timeline_view(events_cited, themes=[])
    assert "comes after" in timeline_view(events_cited, years=(2025, 2020))
    nothing = timeline_view(events_cited, countries=["Ukraine"], themes=["republika_srpska"])
    assert isinstance(nothing, str) and nothing.startswith("No event")
    undated_only = timeline_view(
        events_cited, countries=["Bosnia and Herzegovina"], themes=["republika_srpska"]
    )
    assert isinstance(undated_only, str) and "none has a known date" in undated_only
    chart = timeline_view(events_cited, countries=["Bosnia and Herzegovina"], years=(1992, 2025))
    assert isinstance(chart, alt.LayerChart)
    assert chart.to_dict()["title"]["text"].startswith("Timeline: 5 dated event(s)")


def test_events_per_year_counts_by_start_year_and_theme_group(events):
    counts = events_per_year(events)
    assert counts["n_events"].sum() == events["date_start"].notna().sum()
    per_year = counts.groupby("year")["n_events"].sum()
    assert per_year[2023] == 13 and per_year[2025] == 8
    assert per_year[1998] == 1  # the 1998-1999 war counts once, in its first year
    assert OTHER_THEMES in set(counts["theme_group"])


def test_events_per_year_chart_keeps_empty_years_on_the_axis(events):
    spec = events_per_year_chart(events).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "year"
    assert spec["encoding"]["x"]["scale"]["domain"] == list(range(1990, 2026))
    assert spec["encoding"]["y"]["aggregate"] == "sum"
    assert spec["encoding"]["color"]["field"] == "theme_group"
    assert len(spec["encoding"]["tooltip"]) == 3
