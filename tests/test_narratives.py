"""Lesson 07's helpers: coding, estimative words, horizons and the scenario rule table."""

from __future__ import annotations

import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.narratives import (
    ASSUMPTIONS,
    ICD203_SCALE,
    RELATIONS,
    SCENARIO_RULES,
    THREADS,
    claims_for_scenario,
    claims_with_speakers,
    coding_agreement,
    estimate_range,
    forecast_probabilities,
    forecast_timeline_chart,
    forecast_windows,
    horizons_passed,
    recode,
    scenario_chart,
    thread_claims,
)


@pytest.fixture(scope="module")
def claims():
    return load_table("claims")


@pytest.fixture(scope="module")
def actors():
    return load_table("actors")


@pytest.fixture(scope="module")
def forecasts():
    return load_table("forecasts")


# ---------------------------------------------------------------- coding


def test_every_claim_finds_its_speaker(claims, actors):
    coded = claims_with_speakers(claims, actors)
    assert len(coded) == len(claims)
    assert coded["speaker"].notna().all()
    assert coded.loc[coded["claim_id"] == "c000_less_no_mission", "speaker"].item() == "Tim Less"


def test_threads_use_codebook_themes_and_find_the_articles_claims(claims, actors):
    themes = set(claims["theme"])
    for thread, thread_themes in THREADS.items():
        assert set(thread_themes) <= themes, thread
    us = thread_claims(claims, actors, "The US posture")
    # Hegseth, the Pentagon and Vejvoda (Kosova Alfa Press/REL, 10 March 2025).
    assert {"c001_hegseth_not_forever", "c001_dod_no_changes",
            "c001_vejvoda_us_stays_6m"} <= set(us["claim_id"])
    assert (us["theme"] == "us_posture").all()
    assert "Unknown thread" in thread_claims(claims, actors, "Weather")


def test_russia_claims_all_warn(claims):
    # Every claim coded russia_role in the data is a warning (the lesson says so).
    assert set(claims.loc[claims["theme"] == "russia_role", "stance"]) == {"warning"}


def test_recode_changes_a_copy_and_rejects_typos(claims):
    recoded = recode(claims, {"c000_rutte_rethink_presence": "warning"})
    assert recoded.loc[recoded["claim_id"] == "c000_rutte_rethink_presence",
                       "stance"].item() == "warning"
    assert claims.loc[claims["claim_id"] == "c000_rutte_rethink_presence",
                      "stance"].item() == "neutral"
    with pytest.raises(ValueError, match="No claim"):
        recode(claims, {"c000_no_such_claim": "warning"})
    with pytest.raises(ValueError, match="not a code"):
        recode(claims, {"c000_rutte_rethink_presence": "alarming"})


def test_agreement_and_kappa(claims):
    same = coding_agreement(claims, claims)
    assert same.loc[0, "percent_agreed"] == 100.0 and same.loc[0, "cohen_kappa"] == 1.0
    changed = recode(claims, {"c000_rutte_rethink_presence": "warning",
                              "c000_less_lobby_west": "neutral"})
    whole = coding_agreement(claims, changed)
    assert whole.loc[0, "agreed"] == len(claims) - 2
    assert whole.loc[0, "percent_agreed"] == round(100 * 116 / 118, 1)
    assert 0 < whole.loc[0, "cohen_kappa"] < 1


# ---------------------------------------------------------------- estimative words


def test_icd203_scale_is_ordered_and_public_values():
    assert ICD203_SCALE["term"].tolist()[4] == "likely"
    likely = ICD203_SCALE.set_index("term").loc["likely"]
    assert (likely["p_low"], likely["p_high"]) == (55, 80)
    assert (ICD203_SCALE["p_low"].diff().dropna() > 0).all()


def test_words_map_to_ranges_and_our_mapping_is_labelled():
    assert estimate_range("Likely")[:3] == ("likely", 55, 80)
    assert estimate_range("probable")[0] == "likely"
    term, low, high, note = estimate_range("highly likely")
    assert (term, low, high) == ("very likely", 80, 95) and "our mapping" in note
    assert estimate_range("perhaps")[0] is None


def test_forecast_probabilities_match_the_brief(forecasts):
    probs = forecast_probabilities(forecasts).set_index("forecast_id")
    # The brief (2 April 2025): short term "highly likely", the other three "likely".
    assert probs.loc["f_short_nato_posture", "estimative_word"] == "highly likely"
    assert probs.loc["f_short_nato_posture", "p_low"] == 80
    assert (probs.drop(index="f_short_nato_posture")["p_high"] == 80).all()


# ---------------------------------------------------------------- horizons


def test_windows_count_months_from_the_brief(forecasts):
    windows = forecast_windows(forecasts).set_index("forecast_id")
    assert windows.loc["f_short_nato_posture", "window_end"] == pd.Timestamp("2025-07-02")
    assert windows.loc["f_medium_kosovo_nato", "window_start"] == pd.Timestamp("2025-07-02")
    assert windows.loc["f_medium_kosovo_nato", "window_end"] == pd.Timestamp("2026-04-02")
    assert pd.isna(windows.loc["f_long_russia_divisions", "window_end"])


def test_by_23_november_2026_short_and_medium_have_passed(forecasts):
    status = horizons_passed(forecasts, "2026-11-23").set_index("forecast_id")
    assert status["horizon_passed"].to_dict() == {
        "f_short_nato_posture": True, "f_medium_bih_deescalation": True,
        "f_medium_kosovo_nato": True, "f_long_russia_divisions": False}
    assert status.loc["f_long_russia_divisions", "status"] == "running, no end date"


def test_horizon_status_on_other_dates(forecasts):
    early = horizons_passed(forecasts, pd.Timestamp("2025-09-01")).set_index("forecast_id")
    assert early["status"].to_dict() == {
        "f_short_nato_posture": "ended", "f_medium_bih_deescalation": "running",
        "f_medium_kosovo_nato": "running", "f_long_russia_divisions": "not started"}
    # The day a horizon closes counts as passed.
    assert horizons_passed(forecasts, "2026-04-02").set_index("forecast_id").loc[
        "f_medium_bih_deescalation", "horizon_passed"]


@pytest.mark.parametrize("odd", [None, "", "not a date", "2025-03-01", float("nan")])
def test_odd_dates_give_a_message(forecasts, odd):
    message = horizons_passed(forecasts, odd)
    assert isinstance(message, str) and ("Pick" in message or "pick" in message)
    assert forecast_timeline_chart(forecasts, odd) == message


def test_timeline_chart_spec(forecasts):
    spec = forecast_timeline_chart(forecasts, "2026-11-23").to_dict()
    assert "facet" in spec and spec["facet"]["row"]["field"] == "panel"
    layers = spec["spec"]["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in layers]
    assert marks == ["rect", "text", "rule"]
    boxes = layers[0]["encoding"]
    assert {"x", "x2", "y", "y2", "color", "tooltip"} <= set(boxes)
    assert boxes["y"]["field"] == "p_low" and boxes["y2"]["field"] == "p_high"
    assert layers[2]["encoding"]["x"]["field"] == "as_of"
    assert "title" in spec
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 4 and {row["as_of"][:10] for row in rows} == {"2026-11-23"}


# ---------------------------------------------------------------- scenarios


def test_rules_point_at_real_claims_and_known_codes(claims):
    assert set(SCENARIO_RULES["claim_id"]) <= set(claims["claim_id"])
    assert set(SCENARIO_RULES["relation"]) <= set(RELATIONS)
    for key, setting in zip(SCENARIO_RULES["assumption"], SCENARIO_RULES["setting"],
                            strict=True):
        assert setting in ASSUMPTIONS[key][1]
    assert not SCENARIO_RULES.duplicated(["assumption", "setting", "claim_id",
                                          "relation"]).any()
    assert SCENARIO_RULES["why"].str.len().between(10, 100).all()


def test_troops_to_ukraine_lists_less_and_rutte(claims, actors):
    table = claims_for_scenario(claims, {"european_troops_to_ukraine": "yes"}, actors)
    relation = table.set_index("claim_id")["relation"]
    # Tim Less doubts the mission will form; Rutte says it could prompt a rethink (000).
    assert relation["c000_less_no_mission"] == "opposes"
    assert relation["c000_rutte_rethink_presence"] == "warns"
    assert relation["c000_losaj_800bn"] == "reassures"
    assert table["speaker"].str.contains("Tim Less").any()
    assert (table["assumption"] == "European troops sent to Ukraine").all()


def test_us_presence_settings_flip_supports_and_opposes(claims):
    yes = claims_for_scenario(claims, {"us_presence_reduced": "yes"}).set_index("claim_id")
    no = claims_for_scenario(claims, {"us_presence_reduced": "no"}).set_index("claim_id")
    assert yes.loc["c001_dod_no_changes", "relation"] == "opposes"
    assert no.loc["c001_dod_no_changes", "relation"] == "supports"
    assert no.loc["c001_hegseth_not_forever", "relation"] == "opposes"


def test_several_assumptions_combine_in_order(claims):
    table = claims_for_scenario(claims, {"eu_attention_balkans": "low",
                                         "european_troops_to_ukraine": "yes",
                                         "us_presence_reduced": "any"})
    assert table["assumption"].unique().tolist() == ["European troops sent to Ukraine",
                                                     "Europe's attention to the Balkans"]
    low = table[table["setting"] == "low"]
    assert (low["relation"] == "warns").sum() == 10


@pytest.mark.parametrize("odd", [
    {}, {"european_troops_to_ukraine": "any"}, {"us_presence_reduced": None},
    {"weather": "yes"}, {"eu_attention_balkans": "yes"}, "low",
])
def test_odd_scenarios_give_a_message(claims, odd):
    message = claims_for_scenario(claims, odd)
    assert isinstance(message, str) and len(message) > 20
    assert scenario_chart(message) == message


def test_scenario_chart_spec(claims):
    table = claims_for_scenario(claims, {"us_presence_reduced": "yes"})
    spec = scenario_chart(table).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "claims"
    assert spec["encoding"]["color"]["field"] == "relation"
    assert {t["field"] for t in spec["encoding"]["tooltip"]} == {"choice", "relation", "claims",
                                                                "sources"}
    rows = next(iter(spec["datasets"].values()))
    assert sum(row["claims"] for row in rows) == len(table)
