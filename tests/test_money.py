"""Lesson 05's helpers: the budget arithmetic, units, comparisons and their cautions."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.money import (
    CAPABILITY_CLAIMS,
    PREVIOUS_BUDGET_ID,
    capability_claims,
    compare_figures,
    comparison_cautions,
    comparison_chart,
    convert_units,
    derive_previous_budget,
    describe_money,
    format_euros,
    growth_rate,
    money_comparison,
    with_previous_budget,
)


@pytest.fixture(scope="module")
def money() -> pd.DataFrame:
    return load_table("money")


@pytest.fixture(scope="module")
def money_all(money) -> pd.DataFrame:
    return with_previous_budget(money)


def amount(table: pd.DataFrame, money_id: str) -> float:
    return float(table.loc[table["money_id"] == money_id, "amount"].item())


def test_the_table_holds_the_figures_the_articles_print(money):
    # Kosova Alfa Press/REL, 10 March 2025: 207.8 million for 2025, 54 million more than 2024.
    assert amount(money, "kosovo_mod_budget_2025") == 207_800_000
    assert amount(money, "kosovo_mod_increase_2025") == 54_000_000
    # Portal article (REL), early April 2025: more than a billion; 800 billion (Losaj).
    assert amount(money, "kurti_security_pledge") == 1_000_000_000
    assert amount(money, "europe_defence_plan_800bn") == 800_000_000_000


def test_previous_budget_and_growth_rate():
    assert derive_previous_budget(207.8e6, 54e6) == pytest.approx(153.8e6)
    assert growth_rate(153.8e6, 207.8e6) == pytest.approx(35.11, abs=0.01)
    assert growth_rate(100, 90) == pytest.approx(-10)
    with pytest.raises(ValueError):
        growth_rate(0, 5)


def test_derived_row_is_added_and_marked(money, money_all):
    assert len(money_all) == len(money) + 1
    row = money_all.loc[money_all["money_id"] == PREVIOUS_BUDGET_ID].iloc[0]
    assert row["amount"] == pytest.approx(153.8e6)
    assert row["qualifier"] == "derived" and bool(row["derived"])
    assert row["year"] == 2024 and row["source_id"] == "kap_rutte_2025_03_10"
    assert not money_all.loc[money_all["money_id"] != PREVIOUS_BUDGET_ID, "derived"].any()
    assert list(money_all.columns) == [*money.columns, "derived"]
    assert len(money) == 4, "with_previous_budget must not change its input"


def test_units():
    assert convert_units(207.8e6, "million euros") == pytest.approx(207.8)
    assert convert_units(800e9, "billion euros") == pytest.approx(800)
    assert convert_units(pd.Series([1e9]), "euros").tolist() == [1e9]
    with pytest.raises(ValueError, match="Unknown unit"):
        convert_units(1.0, "dollars")
    assert format_euros(207.8e6) == "207.8 million euros"
    assert format_euros(1e9) == "1 billion euros"
    assert format_euros(800e9) == "800 billion euros"


def test_describe_money_sets_kind_period_and_bounds(money_all):
    table = describe_money(money_all).set_index("money_id")
    assert table.loc["kosovo_mod_budget_2025", "period_kind"] == "one year"
    assert table.loc["europe_defence_plan_800bn", "period_kind"] == "several years"
    assert table.loc["kurti_security_pledge", "period_kind"] == "not stated"
    assert bool(table.loc["kurti_security_pledge", "lower_bound"])
    assert table.loc["kurti_security_pledge", "reported"] == "more than 1 billion euros"
    assert table["lower_bound"].sum() == 1


def test_compare_figures_converts_and_sorts(money_all):
    table = compare_figures(money_all, ["kosovo_mod_budget_2025", "europe_defence_plan_800bn"],
                            "billion euros")
    assert list(table["money_id"]) == ["europe_defence_plan_800bn", "kosovo_mod_budget_2025"]
    assert table["value"].tolist() == pytest.approx([800, 0.2078])
    assert table["orders_of_magnitude"].tolist() == pytest.approx([11.9, 8.32], abs=0.01)
    assert set(table["unit"]) == {"billion euros"}


@pytest.mark.parametrize("ids, unit, expected", [
    ([], "million euros", "Choose at least one"),
    (None, "million euros", "Choose at least one"),
    (["kosovo_mod_budget_2025"], "dollars", "Unknown unit"),
    (["no_such_figure"], "euros", "No money figure"),
])
def test_compare_figures_explains_odd_selections(money_all, ids, unit, expected):
    message = compare_figures(money_all, ids, unit)
    assert isinstance(message, str) and expected in message


def test_same_kind_gives_no_caution_but_mixed_kinds_do(money_all):
    budgets = compare_figures(money_all, ["kosovo_mod_budget_2025", PREVIOUS_BUDGET_ID])
    cautions = comparison_cautions(budgets)
    assert len(cautions) == 1 and "computed by us" in cautions[0]
    printed_only = compare_figures(money_all, ["kosovo_mod_budget_2025"])
    assert comparison_cautions(printed_only) == []
    mixed = compare_figures(money_all, ["kosovo_mod_budget_2025", "europe_defence_plan_800bn",
                                        "kurti_security_pledge"])
    text = " ".join(comparison_cautions(mixed))
    assert "Mixed periods" in text and "lower bound" in text and "Different payers" in text
    assert comparison_cautions("a message") == []


def test_chart_linear_bars_and_log_dots(money_all):
    table = compare_figures(money_all, list(money_all["money_id"]), "million euros")
    linear = comparison_chart(table, "linear").to_dict()
    log = comparison_chart(table, "log").to_dict()
    assert linear["mark"]["type"] == "bar" and log["mark"]["type"] == "point"
    assert log["encoding"]["x"]["scale"]["type"] == "log"
    assert linear["encoding"]["x"]["scale"]["zero"] is True
    for spec in (linear, log):
        assert spec["encoding"]["x"]["field"] == "value"
        assert spec["encoding"]["y"]["field"] == "label"
        assert spec["encoding"]["color"]["field"] == "period_kind"
        tooltips = {tip["field"] for tip in spec["encoding"]["tooltip"]}
        assert {"label", "reported", "value", "source_id"} <= tooltips
        assert "Caution" in spec["title"]["subtitle"][0]
        assert spec["title"]["text"].startswith("How large")
    with pytest.raises(ValueError):
        comparison_chart(table, "sqrt")


def test_widget_function_returns_chart_or_message(money_all):
    chart = money_comparison(money_all, ["kosovo_mod_budget_2025"], "euros", "log")
    assert isinstance(chart, alt.Chart)
    assert "All chosen figures" in chart.to_dict()["title"]["subtitle"][0]
    assert isinstance(money_comparison(money_all, [], "euros", "log"), str)
    assert "Unknown scale" in money_comparison(money_all, ["kosovo_mod_budget_2025"], "euros",
                                               "wavy")
    # Changing the selection changes the chart (the widget must react).
    other = money_comparison(money_all, ["kurti_security_pledge"], "euros", "log")
    assert other.to_dict() != chart.to_dict()


def test_capability_claims_exist_and_are_attributed():
    claims, actors = load_table("claims"), load_table("actors")
    table = capability_claims(claims, actors)
    assert list(table["claim_id"]) == list(CAPABILITY_CLAIMS)
    assert table["speaker"].notna().all() and table["source_id"].notna().all()
    serbia = table.loc[table["capabilities_of"] == "Serbia"]
    assert "Albin Kurti" in set(serbia["speaker"])
    assert "c004_kurti_russia_china_equipment" in set(serbia["claim_id"])
    rs = table.loc[table["capabilities_of"] == "Republika Srpska"]
    assert list(rs["speaker"]) == ["Tim Marshall"] and list(rs["source_id"]) == ["reaction_2023"]
