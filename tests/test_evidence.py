"""balkan_course.evidence: citations, date windows and reported figures match the articles."""

import altair as alt
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.evidence import (
    SHORT_NAMES,
    article_scale,
    quantities,
    reported_values,
    reported_values_chart,
    source_dates,
    source_dates_chart,
    source_labels,
    with_citation,
)


@pytest.fixture(scope="module")
def sources():
    return load_table("sources")


@pytest.fixture(scope="module")
def troop_figures():
    return load_table("troop_figures")


def test_every_article_gets_a_short_citation_with_its_date_window(sources):
    labels = source_labels(sources).set_index("source_id")["citation"]
    assert set(labels.index) == set(SHORT_NAMES)
    assert labels["kap_rutte_2025_03_10"] == "Kosova Alfa Press/REL (10 Mar 2025)"
    assert labels["brief_2025_04_02"] == "Asllani brief (2 Apr 2025)"
    assert labels["reaction_2023"] == "Reaction commentary (Oct–Dec 2023)"


def test_only_two_articles_print_their_date(sources):
    dates = source_dates(sources).set_index("source_id")
    printed = sorted(dates.index[dates["date_basis"] == "printed"])
    assert printed == ["brief_2025_04_02", "kap_rutte_2025_03_10"]
    assert (dates.loc[printed, "window_days"] == 1).all()
    # Inferred windows: the 2023 texts to months, the portal article to about five weeks.
    assert dates.loc["reaction_2023", "window_days"] == 92
    assert dates.loc["iria_2023", "window_days"] == 122
    assert dates.loc["rel_focus_2025_04", "window_days"] == 35
    # A window ending on 31 December is drawn up to 1 January.
    assert dates.loc["reaction_2023", "draw_end"] == pd.Timestamp("2024-01-01")


def test_with_citation_keeps_every_row_and_refuses_orphans(sources, troop_figures):
    cited = with_citation(troop_figures, sources)
    assert len(cited) == len(troop_figures)
    assert cited["citation"].notna().all()
    orphan = troop_figures.head(1).assign(source_id="no_such_article")
    with pytest.raises(ValueError, match="no_such_article"):
        with_citation(orphan, sources)


def test_kfor_strength_as_the_articles_report_it(sources, troop_figures):
    kfor = reported_values(troop_figures, sources, "kfor", "strength")
    # Oldest first: Reaction (late 2023), then the three spring-2025 reports.
    assert kfor["source_id"].tolist() == [
        "reaction_2023", "kap_rutte_2025_03_10", "rel_focus_2025_04", "brief_2025_04_02"
    ]
    assert kfor["value"].tolist() == [5000, 4600, 4600, 4700]
    assert kfor["qualifier"].tolist() == ["roughly", "about", "more_than", "approximately"]
    # The translated article writes the thousands with a dot.
    assert kfor.loc[kfor["source_id"] == "rel_focus_2025_04", "wording"].item() == (
        "more than 4.600"
    )
    # Both 4,600 figures come from the same newsroom.
    origins = kfor.loc[kfor["value"] == 4600, "reporting_origin"].unique()
    assert len(origins) == 1 and "REL" in origins[0]


def test_eufor_strength_and_reserves_are_kept_apart(sources, troop_figures):
    strength = reported_values(troop_figures, sources, "eufor_althea", "strength")
    assert sorted(strength["value"].tolist()) == [1000, 1100, 1100]
    reserve = reported_values(troop_figures, sources, "eufor_althea", "reserve")
    assert reserve["value"].tolist() == [3500]
    assert reserve["source_id"].tolist() == ["rel_focus_2025_04"]


def test_unit_narrows_a_measure_counted_two_ways(sources, troop_figures):
    both = reported_values(troop_figures, sources, "kfor", "reinforcement")
    assert sorted(both["unit"]) == ["battalion", "troops"]
    troops = reported_values(troop_figures, sources, "kfor", "reinforcement", unit="troops")
    assert troops["value"].tolist() == [1000]


def test_quantities_lists_every_mission_and_measure_once(troop_figures):
    offered = quantities(troop_figures)
    assert offered["n_reports"].sum() == len(troop_figures)
    top = offered.iloc[0]
    assert (top["mission_id"], top["measure"], top["n_reports"]) == ("kfor", "strength", 4)
    assert not offered.duplicated(["mission_id", "measure", "unit"]).any()


def test_reported_values_chart_encodes_date_value_article_and_qualifier(sources, troop_figures):
    chart = reported_values_chart(troop_figures, sources, "kfor", "strength")
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    assert "KFOR" in spec["title"]["text"]
    assert spec["title"]["subtitle"][0].startswith("Sources: ")
    assert "KFOR" in spec["description"]
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rule", "point", "text", "text"]
    point = spec["layer"][1]["encoding"]
    assert point["x"]["field"] == "middle" and point["x"]["type"] == "temporal"
    assert point["shape"]["field"] == "qualifier"
    for layer in spec["layer"]:  # every layer shares value, article and tooltip
        encoding = layer["encoding"]
        assert encoding["y"]["field"] == "value" and encoding["y"]["type"] == "quantitative"
        assert encoding["y"]["title"] == "Reported strength (troops)"
        assert encoding["color"]["field"] == "short_name"
        assert {t["field"] for t in encoding["tooltip"]} >= {"citation", "wording", "source_id"}


def test_empty_or_odd_selections_give_a_sentence(sources, troop_figures):
    message = reported_values_chart(troop_figures, sources, "eufor_althea", "initial_strength")
    assert isinstance(message, str)
    assert "EUFOR Althea" in message and "strength" in message
    assert reported_values(troop_figures, sources, "eufor_althea", "initial_strength").empty
    unknown = reported_values_chart(troop_figures, sources, "nato", "strength")
    assert isinstance(unknown, str) and "nato" in unknown
    mixed = reported_values_chart(troop_figures, sources, "kfor", "reinforcement")
    assert isinstance(mixed, str) and "battalion" in mixed


def test_each_article_keeps_its_colour_across_charts():
    kfor_scale = article_scale(["Reaction commentary", "Asllani brief"]).to_dict()
    eufor_scale = article_scale(["Asllani brief", "Kosova Alfa Press/REL"]).to_dict()
    colour = dict(zip(kfor_scale["domain"], kfor_scale["range"], strict=True))
    colour2 = dict(zip(eufor_scale["domain"], eufor_scale["range"], strict=True))
    assert colour["Asllani brief"] == colour2["Asllani brief"]
    assert len(set(colour.values()) | set(colour2.values())) == 3


def test_source_dates_chart_shows_windows_and_days(sources):
    spec = source_dates_chart(sources).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "point"]
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "draw_end"
    for layer in spec["layer"]:
        assert layer["encoding"]["color"]["field"] == "date_basis"
        assert len(layer["encoding"]["tooltip"]) == 5
    assert spec["title"]["text"].startswith("When was each article written")
    assert "Asllani brief (2 Apr 2025)" in " ".join(spec["title"]["subtitle"])
