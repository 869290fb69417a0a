"""balkan_course.forces: reported strengths stay separate and scenarios show honest arithmetic."""

import pytest

from balkan_course import load_table
from balkan_course.forces import (
    baseline_options,
    describe_figure,
    scenario,
    scenario_chart,
    scenario_for_figure,
    strength_over_time,
)


@pytest.fixture(scope="module")
def troop_figures():
    return load_table("troop_figures")


@pytest.fixture(scope="module")
def sources():
    return load_table("sources")


def test_kfor_strength_over_time_keeps_every_reported_figure(troop_figures, sources):
    kfor = strength_over_time(troop_figures, sources, mission_id="kfor")
    # 50,000 at the start (Reaction), roughly 5,000 late 2023 (Reaction),
    # about 4,600 (Kosova Alfa Press), about 4,700 (brief), more than 4,600 (portal).
    assert list(kfor["value"]) == [50000, 5000, 4600, 4700, 4600]
    assert list(kfor["source_id"]) == ["reaction_2023", "reaction_2023", "kap_rutte_2025_03_10",
                                       "brief_2025_04_02", "rel_focus_2025_04"]
    assert kfor["date_mid"].is_monotonic_increasing
    assert kfor.loc[kfor["source_id"] == "rel_focus_2025_04", "figure"].item() == \
        "more than 4,600"
    assert kfor["when"].iloc[0] == "1999"
    assert kfor["source_label"].notna().all() and kfor["outlet"].notna().all()


def test_eufor_2025_figures_and_reserve(troop_figures, sources):
    eufor = strength_over_time(troop_figures, sources, mission_id="eufor_althea",
                               measures=("strength", "reserve"))
    by_measure = eufor.groupby("measure")["value"].apply(sorted).to_dict()
    assert by_measure == {"reserve": [3500], "strength": [1000, 1100, 1100]}
    assert (eufor["as_of_date"].dt.year == 2025).all()


def test_baseline_options_name_the_source_newest_first(troop_figures):
    options = baseline_options(troop_figures, "eufor_althea")
    assert [figure_id for _, figure_id in options] == [
        "eufor_strength_000", "eufor_strength_003", "eufor_strength_001"]
    assert options[2][0] == "about 1,000 · Kosova Alfa Press/REL (10 Mar 2025)"
    assert len(baseline_options(troop_figures, "kfor")) == 4
    assert baseline_options(troop_figures, "nobody") == []


@pytest.mark.parametrize("value, qualifier, text", [
    (4600, "more_than", "more than 4,600"), (1000, "about", "about 1,000"), (600, "exact", "600"),
])
def test_describe_figure(value, qualifier, text):
    assert describe_figure(value, qualifier) == text


def test_us_departure_scenario_step_by_step():
    steps = scenario(4600, leaving=600, arriving=0, us_contingent=600)
    values = dict(zip(steps["step"].str.split(" \\(").str[0], steps["value"], strict=True))
    assert values["After departures"] == 4000
    assert values["After arrivals"] == 4000
    assert values["Net change"] == -600
    assert values["Percent change"] == -13.0
    assert values["US share of the start figure"] == 13.0
    assert list(steps["unit"]) == ["troops"] * 4 + ["%"] * 2
    assert steps["arithmetic"].iloc[1] == "4,600 − 600 = 4,000"
    assert steps["step"].str.contains("assumption").sum() == 2


def test_reserve_scenario_and_rounding():
    steps = scenario(1100, leaving=0, arriving=3500)
    assert steps["value"].iloc[2] == 4600
    assert steps["value"].iloc[4] == 318.2
    assert "US share" not in " ".join(steps["step"])


@pytest.mark.parametrize("args, words", [
    ((4600, 5000, 0), "cannot leave a force of 4,600"),
    ((4600, -600, 0), "cannot be negative"),
    ((4600, 0, -1), "cannot be negative"),
    ((-5, 0, 0), "cannot be negative"),
    ((0, 0, 0), "nothing to compare"),
    ((4600, 1.5, 0), "whole number"),
    ((None, 0, 0), "Please give a number"),
])
def test_scenario_explains_impossible_inputs(args, words):
    message = scenario(*args)
    assert isinstance(message, str) and words in message


def test_scenario_chart_spec():
    chart = scenario_chart(4600, 600, 200, mission="KFOR", label="around 4,600")
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("stage", "nominal")
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("troops", "quantitative")
    assert encoding["color"]["field"] == "kind"
    assert {t["field"] for t in encoding["tooltip"]} == {"stage", "troops", "arithmetic", "kind"}
    assert "assumption, not a prediction" in spec["title"]["text"]
    rows = spec["datasets"][spec["data"]["name"]]
    assert [row["troops"] for row in rows] == [4600, 4000, 4200]
    assert [row["kind"] for row in rows] == ["reported figure", "assumption", "assumption"]
    assert isinstance(scenario_chart(1100, 1500, 0), str)


def test_scenario_for_figure_adds_the_us_share_for_kfor(troop_figures):
    table, chart = scenario_for_figure("kfor_strength_001", 600, 0, troop_figures)
    us_row = table[table["step"].str.startswith("US share")]
    assert us_row["value"].item() == 13.0
    assert "kap_rutte_2025_03_10" in us_row["step"].item()
    assert table["step"].iloc[0] == "Start: about 4,600 (kap_rutte_2025_03_10)"
    assert chart.to_dict()["title"]["text"].startswith("KFOR scenario")
    eufor_table, _ = scenario_for_figure("eufor_strength_003", 0, 100, troop_figures)
    assert not eufor_table["step"].str.startswith("US share").any()


@pytest.mark.parametrize("figure_id, leaving, words", [
    (None, 0, "Pick a mission"),
    ("", 0, "Pick a mission"),
    ("nothing_here", 0, "no troop figure"),
    ("eufor_reserve_000", 0, "not the mission's strength"),
    ("eufor_strength_000", 1500, "cannot leave"),
])
def test_scenario_for_figure_messages(troop_figures, figure_id, leaving, words):
    message = scenario_for_figure(figure_id, leaving, 0, troop_figures)
    assert isinstance(message, str) and words in message


def test_articles_carry_the_course_wide_label():
    """One label per article everywhere: the forces' labels are evidence's citations."""
    from balkan_course.evidence import source_labels
    from balkan_course.forces import SOURCE_LABELS

    citations = source_labels(load_table("sources")).set_index("source_id")["citation"]
    assert SOURCE_LABELS == citations.to_dict()
    assert "REL via regional portal (early Apr 2025)" not in SOURCE_LABELS.values()
