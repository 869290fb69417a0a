"""Tests of the data package: it validates, loads with the right types, reports broken cells
clearly, keeps disagreeing figures apart and holds the key facts of the five articles."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from balkan_course.data import DATA_DIR, date_label, load_table, table_names
from balkan_course.validation import DATA_PACKAGE, validate_package

KOSOVO_PLACES = {"pristina", "north_mitrovica", "leposavic", "zvecan", "zubin_potok", "banjska",
                 "jarinje", "gazivoda_dam", "iber_lepenc_canal", "northern_kosovo"}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: load_table(name) for name in table_names()}


def broken_copy(tmp_path: Path, file: str, row: int, column: str, value: str) -> Path:
    """Copy data/ to tmp_path, set one cell (row numbered as in the CSV, header = 1)."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("maps"))
    path = target / file
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    records[row - 1][records[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)
    return target / "datapackage.json"


def row_of(file: str, column: str, value: str) -> int:
    with open(DATA_DIR / file, newline="", encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            if record[column] == value:
                return number
    raise LookupError(value)


# --------------------------------------------------------------------------- validity and types


def test_package_is_valid():
    assert validate_package(DATA_PACKAGE) == []


def test_every_table_loads_with_schema_types(tables):
    expected = {
        ("sources", "date"): "datetime64[us]",
        ("sources", "translated"): "boolean",
        ("events", "date_start"): "datetime64[us]",
        ("events", "date_end"): "datetime64[us]",
        ("claims", "date_end"): "datetime64[us]",
        ("troop_figures", "value"): "Int64",
        ("troop_figures", "as_of_date"): "datetime64[us]",
        ("casualties", "value"): "Int64",
        ("money", "amount"): "float64",
        ("money", "year"): "Int64",
        ("places", "latitude"): "float64",
        ("places", "geo_precision"): "Int64",
        ("places", "in_articles"): "boolean",
        ("forecasts", "horizon_months_max"): "Int64",
        ("forecasts", "issued_date"): "datetime64[us]",
    }
    for (table, column), dtype in expected.items():
        assert str(tables[table][column].dtype) == dtype, (table, column)
    assert pd.api.types.is_string_dtype(tables["actors"]["actor_id"])
    for name, frame in tables.items():
        assert len(frame) > 0, name


# --------------------------------------------------------------------------- broken cells


def test_negative_troop_value_is_reported(tmp_path):
    package = broken_copy(tmp_path, "troop_figures.csv", 7, "value", "-5")
    assert validate_package(package) == [
        "troop_figures.csv, row 7, column 'value': value -5 breaks the rule 'minimum 0'"
    ]


def test_unknown_source_id_is_reported(tmp_path):
    package = broken_copy(tmp_path, "claims.csv", 3, "source_id", "no_such_article")
    messages = validate_package(package)
    assert ("claims.csv, row 3, column 'source_id': value 'no_such_article' breaks the rule "
            "'must exist as source_id in sources.csv'") in messages


def test_enum_violation_is_reported(tmp_path):
    package = broken_copy(tmp_path, "claims.csv", 4, "stance", "hopeful")
    messages = validate_package(package)
    assert len(messages) == 1
    assert messages[0].startswith("claims.csv, row 4, column 'stance': value 'hopeful' breaks the "
                                  "rule 'one of: reassuring, warning, neutral'")


def test_month_event_not_starting_on_first_is_reported(tmp_path):
    row = row_of("events.csv", "event_id", "north_violence_2023_05")
    package = broken_copy(tmp_path, "events.csv", row, "date_start", "2023-05-03")
    assert validate_package(package) == [
        f"events.csv, row {row}, column 'date_start': value '2023-05-03' breaks the rule "
        "'a month-precise date starts on the 1st of a month'"
    ]


def test_duplicate_primary_key_is_reported(tmp_path):
    assert row_of("places.csv", "place_id", "pristina") == 2
    package = broken_copy(tmp_path, "places.csv", 3, "place_id", "pristina")
    messages = validate_package(package)
    assert messages == [
        "places.csv, row 3, column 'place_id': value 'pristina' breaks the rule "
        "'primary key (place_id) is unique; already used in row 2'"
    ]


def test_figure_from_republished_part_must_cite_original(tmp_path):
    row = row_of("troop_figures.csv", "figure_id", "kfor_us_contingent_001")
    package = broken_copy(tmp_path, "troop_figures.csv", row, "figure_id", "copy_from_000")
    # add a copy citing the republishing page
    path = package.parent / "troop_figures.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header = records[0]
    duplicate = list(records[row - 1])
    duplicate[header.index("figure_id")] = "us_contingent_000"
    duplicate[header.index("source_id")] = "rel_focus_2025_04"
    duplicate[header.index("as_of_date")] = "2025-03-27"
    duplicate[header.index("as_of_date_end")] = "2025-04-30"
    duplicate[header.index("date_precision")] = "range"
    records.append(duplicate)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)
    messages = validate_package(package)
    assert messages == [
        f"troop_figures.csv, row {len(records)}, column 'source_id': value 'rel_focus_2025_04' "
        "breaks the rule 'a figure from the republished part of rel_focus_2025_04 cites "
        f"kap_rutte_2025_03_10 (same figure as row {row})'"
    ]


# --------------------------------------------------------------------------- disagreements


def test_kfor_strength_figures_are_kept_apart(tables):
    troops = tables["troop_figures"]
    kfor = troops[(troops.mission_id == "kfor") & (troops.measure == "strength")]
    assert kfor.source_id.nunique() >= 3
    assert set(kfor.value) >= {4600, 4700, 5000}
    pairs = set(zip(kfor.source_id, kfor.value, kfor.qualifier, strict=True))
    assert ("rel_focus_2025_04", 4600, "more_than") in pairs
    assert ("kap_rutte_2025_03_10", 4600, "about") in pairs
    assert ("brief_2025_04_02", 4700, "approximately") in pairs
    assert ("reaction_2023", 5000, "roughly") in pairs


def test_eufor_figures_are_kept_apart(tables):
    troops = tables["troop_figures"]
    eufor = troops[(troops.mission_id == "eufor_althea") & (troops.measure == "strength")]
    assert sorted(zip(eufor.source_id, eufor.value, strict=True)) == [
        ("brief_2025_04_02", 1100), ("kap_rutte_2025_03_10", 1000), ("rel_focus_2025_04", 1100)]
    reserve = troops[(troops.mission_id == "eufor_althea") & (troops.measure == "reserve")]
    assert list(reserve.value) == [3500]


def test_injury_reports_for_may_2023_are_kept_apart(tables):
    cas = tables["casualties"]
    may = cas[(cas.event_id == "north_violence_2023_05") & (cas.category == "injured")]
    assert set(zip(may.source_id, may.qualifier, strict=True)) == {
        ("reaction_2023", "dozens"), ("brief_2025_04_02", "over")}
    banjska = cas[cas.event_id == "banjska_attack_2023_09"].set_index("casualty_id").value
    assert banjska["banjska_attackers_002"] == 30
    assert banjska["banjska_police_killed_002"] == 1
    assert banjska["banjska_attackers_killed_002"] == 3


# --------------------------------------------------------------------------- completeness


def test_money_facts(tables):
    money = tables["money"].set_index("money_id")
    assert money.loc["kosovo_mod_budget_2025", "amount"] == 207_800_000
    assert money.loc["kosovo_mod_increase_2025", "amount"] == 54_000_000
    assert money.loc["europe_defence_plan_800bn", "amount"] == 800_000_000_000
    assert money.loc["kurti_security_pledge", "amount"] == 1_000_000_000
    assert money.loc["kurti_security_pledge", "qualifier"] == "more_than"
    assert set(money.currency) == {"EUR"}


def test_key_troop_facts(tables):
    troops = tables["troop_figures"]
    facts = set(zip(troops.mission_id, troops.measure, troops.contributor_id.fillna(""),
                    troops.value, strict=True))
    assert ("kfor", "national_contingent", "united_states", 600) in facts
    assert ("us_forces_in_europe", "total_in_europe", "united_states", 100000) in facts
    assert ("kfor", "contributing_nations", "", 29) in facts
    assert ("eufor_althea", "contributing_nations", "", 23) in facts
    assert ("kfor", "initial_strength", "", 50000) in facts
    assert ("kfor", "reinforcement", "", 1000) in facts
    assert ("kfor", "reinforcement", "united_kingdom", 1) in facts


def test_forecasts_cover_three_horizons(tables):
    forecasts = tables["forecasts"]
    assert set(forecasts.horizon) == {"short", "medium", "long"}
    assert set(forecasts.horizon_label) == {"Now - 3 months", "3-12 months", ">1 year"}
    long = forecasts[forecasts.horizon == "long"]
    assert long.horizon_months_max.isna().all()


def test_places_in_kosovo_have_albanian_and_serbian_names(tables):
    places = tables["places"]
    kosovo = places[places.country == "Kosovo"]
    assert KOSOVO_PLACES <= set(kosovo.place_id)
    assert kosovo.name_sq.notna().all() and kosovo.name_sr.notna().all()
    names = kosovo.set_index("place_id")
    assert names.loc["pristina", "name_sq"] == "Prishtinë"
    assert names.loc["pristina", "name_sr"] == "Priština"
    assert names.loc["banjska", "name_sq"] == "Banjskë"


def test_people_have_role_and_affiliation(tables):
    people = tables["actors"][tables["actors"].actor_type == "person"]
    assert people.role.notna().all()
    unexplained = people[people.affiliation_id.isna() & people.affiliation_note.isna()]
    assert unexplained.empty, list(unexplained.actor_id)


def test_named_people_and_spelling_variants(tables):
    actors = tables["actors"].set_index("actor_id")
    for person in ["mark_rutte", "jens_stoltenberg", "donald_trump", "pete_hegseth",
                   "emmanuel_macron", "keir_starmer", "john_healey", "sergei_lavrov", "tim_less",
                   "hikmet_karcic", "jeta_losaj", "albin_kurti", "ivan_vejvoda", "jim_obrien",
                   "william_burns", "kadri_kastrati", "milorad_dodik", "christian_schmidt",
                   "aleksandar_vucic", "antony_blinken", "john_kirby", "vladimir_putin",
                   "tim_marshall", "mejreme_asllani"]:
        assert actors.loc[person, "actor_type"] == "person", person
    assert actors.loc["mark_rutte", "name_variants"] == "Rute"
    assert "Karačić" in actors.loc["hikmet_karcic", "name_variants"]
    assert "Les" in actors.loc["tim_less", "name_variants"]
    assert "Healy" in actors.loc["john_healey", "name_variants"]
    assert "Sprska" in actors.loc["republika_srpska", "name_variants"]


def test_key_events_are_dated(tables):
    events = tables["events"].set_index("event_id")
    assert events.loc["rutte_visit_bih_2025_03_10", "date_start"] == pd.Timestamp("2025-03-10")
    assert events.loc["rutte_visit_kosovo_2025_03_11", "date_start"] == pd.Timestamp("2025-03-11")
    assert events.loc["eufor_temporary_increase_2025_03_07", "date_end"] == pd.Timestamp(
        "2025-03-07")
    assert events.loc["banjska_attack_2023_09", "date_precision"] == "month"
    assert events.loc["kosovo_war_1998_1999", "date_end"] == pd.Timestamp("1999-12-31")
    assert events.loc["iber_lepenc_attack_2024_11", "place_id"] == "iber_lepenc_canal"


def test_republished_article_is_not_counted_twice(tables):
    sources = tables["sources"].set_index("source_id")
    assert sources.loc["rel_focus_2025_04", "contains_source_id"] == "kap_rutte_2025_03_10"
    relations = tables["claim_sources"]
    republished = relations[relations.relation == "republished"]
    claims = tables["claims"].set_index("claim_id")
    assert (claims.loc[republished.claim_id, "source_id"] == "kap_rutte_2025_03_10").all()
    assert (relations.relation == "original").sum() == len(claims)


@pytest.mark.parametrize(
    ("start", "end", "precision", "label"),
    [
        ("2025-03-11", "2025-03-11", "day", "11 Mar 2025"),
        ("2023-09-01", "2023-09-30", "month", "Sep 2023"),
        ("2023-10-01", "2023-12-31", "month", "Oct–Dec 2023"),
        ("2023-12-01", "2024-01-31", "month", "Dec 2023–Jan 2024"),
        ("1999-01-01", "1999-12-31", "year", "1999"),
        ("1998-01-01", "1999-12-31", "year", "1998–1999"),
        ("2025-03-27", "2025-04-30", "range", "27 Mar–30 Apr 2025"),
        ("2024-12-20", "2025-01-10", "range", "20 Dec 2024–10 Jan 2025"),
        (None, "2025-04-02", "unknown", "by 2 Apr 2025"),
        (None, None, "unknown", "date unknown"),
        ("2023-09-01", None, "month", "Sep 2023"),
    ],
)
def test_date_label_is_no_more_precise_than_the_table(start, end, precision, label):
    start = pd.NaT if start is None else pd.Timestamp(start)
    end = pd.NaT if end is None else pd.Timestamp(end)
    assert date_label(start, end, precision) == label
