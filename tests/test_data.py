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
        ("troop_figures", "low"): "Int64",
        ("casualties", "high"): "Int64",
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


def broken_rows(tmp_path: Path, file: str, changes: dict[str, dict[str, str]],
                key: str) -> Path:
    """Copy data/ and change several cells of rows picked by their key (e.g. claim_id)."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("maps"))
    path = target / file
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    header = list(records[0])
    for record in records:
        record.update(changes.get(record[key], {}))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return target / "datapackage.json"


# Issue 14, item 6: the rules that keep the fact-check's corrections true. Each test breaks one
# row the way the fact-check found it broken and expects the validator to name it.


def test_reported_statement_dated_with_its_articles_window_is_reported(tmp_path):
    # D1 as it was: Tim Less's remark dated with the article's window (on or after 27 March)
    row = row_of("claims.csv", "claim_id", "c000_less_no_mission")
    package = broken_rows(tmp_path, "claims.csv", {"c000_less_no_mission": {
        "date": "2025-03-27", "date_end": "2025-04-30", "date_precision": "range"}}, "claim_id")
    assert validate_package(package) == [
        f"claims.csv, row {row}, column 'date_precision': value 'range' breaks the rule 'a "
        "reported statement with no date of its own is 'unknown' (said on or before 2025-04-30), "
        "not dated with its article's window'"]


def test_reported_statement_with_a_printed_date_may_share_the_articles_day(tmp_path):
    # Rutte's remarks in Sarajevo on 10 March are printed in the article of 10 March: allowed,
    # but not once the date is marked as inferred (D2: Vejvoda's interview has no date).
    package = broken_rows(tmp_path, "claims.csv", {"c001_rutte_not_1992": {
        "date_basis": "inferred"}}, "claim_id")
    row = row_of("claims.csv", "claim_id", "c001_rutte_not_1992")
    assert validate_package(package) == [
        f"claims.csv, row {row}, column 'date_precision': value 'day' breaks the rule 'a "
        "reported statement with no date of its own is 'unknown' (said on or before 2025-03-10), "
        "not dated with its article's window'"]


def test_claim_after_its_article_and_own_voice_outside_its_window_are_reported(tmp_path):
    late = row_of("claims.csv", "claim_id", "c001_vejvoda_guarantee_europeans")
    own = row_of("claims.csv", "claim_id", "c003_wb_unstable")
    package = broken_rows(tmp_path, "claims.csv", {
        "c001_vejvoda_guarantee_europeans": {"date_end": "2025-03-11"},
        "c003_wb_unstable": {"date": "2025-04-01", "date_end": "2025-04-01"},
    }, "claim_id")
    assert validate_package(package) == [
        f"claims.csv, row {late}, column 'date_end': value '2025-03-11' breaks the rule 'a claim "
        "is made on or before its article's latest date (2025-03-10)'",
        f"claims.csv, row {own}, column 'date': value '2025-04-01' breaks the rule 'an article's "
        "own judgement carries the article's window (2025-04-02 .. 2025-04-02, day)'",
    ]


def test_event_ending_after_the_last_article_that_reports_it_is_reported(tmp_path):
    # D4 as it was: the 2025 election drawn to 31 December, though reported by 2 April/30 April
    row = row_of("events.csv", "event_id", "kosovo_parliamentary_election_2025")
    package = broken_rows(tmp_path, "events.csv", {"kosovo_parliamentary_election_2025": {
        "date_end": "2025-12-31", "date_precision": "year"}}, "event_id")
    assert validate_package(package) == [
        f"events.csv, row {row}, column 'date_end': value '2025-12-31' breaks the rule 'an event "
        "ends no later than the last article that reports it (2025-04-30)'"]


def test_unknown_and_range_precision_must_fit_their_window(tmp_path):
    unknown = row_of("events.csv", "event_id", "dodik_sentenced")
    one_day = row_of("events.csv", "event_id", "us_ukraine_peace_talks_2025")
    package = broken_rows(tmp_path, "events.csv", {
        "dodik_sentenced": {"date_end": ""},
        "us_ukraine_peace_talks_2025": {"date_end": "2025-01-20"},
    }, "event_id")
    messages = validate_package(package)
    assert (f"events.csv, row {unknown}, column 'date_end': an empty value breaks the rule 'an "
            "unknown date keeps its latest possible date'") in messages
    assert (f"events.csv, row {one_day}, column 'date_end': value '2025-01-20' breaks the rule "
            "'a range ends after it starts (else use 'day')'") in messages


def test_a_republished_relation_the_texts_cannot_show_is_rejected(tmp_path):
    # D20: the stored page 000 carries no copy of 001, so 'republished' is no longer a relation
    row = row_of("claim_sources.csv", "claim_id", "c001_vejvoda_guarantee_europeans")
    package = broken_copy(tmp_path, "claim_sources.csv", row, "relation", "republished")
    messages = validate_package(package)
    assert messages[0] == (
        f"claim_sources.csv, row {row}, column 'relation': value 'republished' breaks the rule "
        "'one of: original, also_reports'")
    claim_row = row_of("claims.csv", "claim_id", "c001_vejvoda_guarantee_europeans")
    assert (f"claims.csv, row {claim_row}, column 'claim_id': value "
            "'c001_vejvoda_guarantee_europeans' breaks the rule 'every claim has an 'original' "
            "row in claim_sources.csv'") in messages


def test_also_reports_must_name_another_article_that_could_have_seen_the_statement(tmp_path):
    package = broken_rows(tmp_path, "claim_sources.csv", {}, "claim_id")
    path = package.parent / "claim_sources.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("c001_rutte_not_1992,kap_rutte_2025_03_10,also_reports\n"
                     "c003_visit_reaffirmed,reaction_2023,also_reports\n")
    total = len(path.read_text(encoding="utf-8").splitlines())
    messages = validate_package(package)
    assert (f"claim_sources.csv, row {total - 1}, column 'source_id': value "
            "'kap_rutte_2025_03_10' breaks the rule 'an 'also_reports' row names another article "
            "than the claim's own (kap_rutte_2025_03_10)'") in messages
    assert (f"claim_sources.csv, row {total}, column 'source_id': value 'reaction_2023' breaks "
            "the rule 'an article cannot report a statement made after its latest date "
            "(2025-04-02)'") in messages
    assert len(messages) == 3  # and the primary-key clash of the first added row


def test_event_source_relation_is_one_the_texts_show(tmp_path):
    row = row_of("event_sources.csv", "event_id", "banjska_attack_2023_09")
    package = broken_copy(tmp_path, "event_sources.csv", row, "relation", "republished")
    assert validate_package(package) == [
        f"event_sources.csv, row {row}, column 'relation': value 'republished' breaks the rule "
        "'one of: reports, alludes, reframes'"]


def test_estimates_must_agree_with_the_hedge_word(tmp_path):
    injured = row_of("casualties.csv", "casualty_id", "north_2023_05_injured_003")
    kfor = row_of("troop_figures.csv", "figure_id", "kfor_strength_001")
    package = broken_rows(tmp_path, "casualties.csv", {"north_2023_05_injured_003": {
        "low": "30", "best": "30", "high": "40"}}, "casualty_id")
    messages = validate_package(package)
    assert messages == [
        f"casualties.csv, row {injured}, column 'high': value 40 breaks the rule 'an open-ended "
        "hedge ('over') has no high estimate'",
        f"casualties.csv, row {injured}, column 'low': value 30 breaks the rule ''over' gives low "
        "= best = 31'",
    ]
    package = broken_copy(tmp_path / "second", "troop_figures.csv", kfor, "high", "4000")
    assert validate_package(package) == [
        f"troop_figures.csv, row {kfor}, column 'high': value 4000 breaks the rule 'high is at "
        "least best (4600)'",
        f"troop_figures.csv, row {kfor}, column 'low': value 4370 breaks the rule ''about' gives "
        "low, best, high = 4370, 4600, 4830'",
    ]


def test_background_knowledge_in_the_data_must_be_marked(tmp_path):
    row = row_of("actors.csv", "actor_id", "kfor")
    package = broken_copy(tmp_path, "actors.csv", row, "description",
                          "Its mandate comes from UN Security Council Resolution 1244.")
    assert validate_package(package) == [
        f"actors.csv, row {row}, column 'description': value 1244 breaks the rule 'general "
        "knowledge is marked 'Background (not from the five articles):''"]


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


def test_no_article_is_coded_as_carrying_another(tables):
    # The stored page 000 ends at 'Bonus video:'; the link 000 and 001 really share is REL.
    assert "contains_source_id" not in tables["sources"].columns
    relations = tables["claim_sources"]
    assert set(relations.relation) == {"original", "also_reports"}
    assert (relations.relation == "original").sum() == len(tables["claims"])
    also = relations[relations.relation == "also_reports"]
    assert set(zip(also.claim_id, also.source_id, strict=True)) == {
        ("c001_rutte_not_1992", "brief_2025_04_02"),
        ("c001_rutte_sovereignty_dayton", "brief_2025_04_02"),
        ("c003_rutte_bih_commitment", "kap_rutte_2025_03_10")}
    origin = tables["sources"].set_index("source_id").reporting_origin
    assert origin["rel_focus_2025_04"] == origin["kap_rutte_2025_03_10"]


def test_reported_statements_are_dated_on_or_before_their_article(tables):
    claims = tables["claims"].merge(
        tables["sources"][["source_id", "own_voice_id", "date_end"]].rename(
            columns={"date_end": "article_end"}), on="source_id")
    reported = claims[claims.speaker_id != claims.own_voice_id]
    rel = reported[reported.source_id == "rel_focus_2025_04"]
    undated = rel[rel.date_precision == "unknown"]
    assert len(undated) == 24  # D1: every undated statement in 000 is 'said on or before'
    assert (undated.date_end == pd.Timestamp("2025-04-30")).all()
    vejvoda = reported[reported.speaker_id == "ivan_vejvoda"]
    assert len(vejvoda) == 8 and (vejvoda.date_precision == "unknown").all()  # D2
    assert set(claims.date_basis) == {"printed", "inferred"}
    assert (claims.date_end <= claims.article_end).all()


def test_hedged_numbers_have_low_best_high(tables):
    cas = tables["casualties"].set_index("casualty_id")
    assert tuple(cas.loc["north_2023_05_injured_002", ["low", "best"]]) == (24, 24)
    assert pd.isna(cas.loc["north_2023_05_injured_002", "high"])
    assert tuple(cas.loc["north_2023_05_injured_003", ["low", "best"]]) == (31, 31)
    may = cas[cas.event_id == "north_violence_2023_05"]
    assert may.low.max() == 31  # both reports hold if at least 31 were injured
    troops = tables["troop_figures"].set_index("figure_id")
    assert tuple(troops.loc["eufor_strength_001", ["low", "best", "high"]]) == (950, 1000, 1050)
    assert tuple(troops.loc["kfor_strength_002", ["low", "best", "high"]]) == (4500, 5000, 5500)
    assert troops.loc["kfor_strength_000", "low"] == 4601
    assert (troops.low <= troops.best).all()


def test_fact_check_corrections_hold(tables):
    events = tables["events"].set_index("event_id")
    assert events.loc["nato_intervention_1999", "title"] == "NATO air campaign (1999)"
    assert events.loc["kosovo_parliamentary_election_2025", "date_end"] == pd.Timestamp(
        "2025-04-02")
    assert events.loc["north_local_elections_2023", "date_end"] == pd.Timestamp("2023-05-31")
    assert "about 30" not in events.loc["banjska_attack_2023_09", "description"]
    assert "refusing" not in events.loc["serbian_withdrawal_1999", "description"]
    assert "damaged" not in events.loc["iber_lepenc_attack_2024_11", "description"]
    war = tables["event_actors"][tables["event_actors"].event_id == "kosovo_war_1998_1999"]
    assert "kosovo" not in set(war.actor_id)  # D15: the post-2008 state did not fight in 1998
    mentions = tables["claim_mentions"]
    assert set(mentions[mentions.claim_id == "c004_population"].actor_id) == {
        "kosovo_albanians", "kosovo_serbs"}
    es = tables["event_sources"].set_index(["event_id", "source_id"]).relation
    assert es["banjska_attack_2023_09", "iria_2023"] == "alludes"
    assert es["kosovo_independence_2008", "reaction_2023"] == "reframes"


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


# --------------------------------------------------------------------------- citations and quality


def test_every_source_has_a_citation_a_librarian_can_search(tables):
    sources = tables["sources"].set_index("source_id")
    citation = sources.citation
    assert citation.notna().all()
    assert citation["kap_rutte_2025_03_10"].startswith(
        "Kosova Alfa Press (citing Radio Free Europe/Radio Liberty). 'NATO chief's visit")
    assert citation["kap_rutte_2025_03_10"].endswith("10 March 2025.")
    assert citation["brief_2025_04_02"].startswith("Asllani, Mejreme.")
    assert citation["brief_2025_04_02"].endswith("2 April 2025.")
    for source_id in ["rel_focus_2025_04", "reaction_2023", "iria_2023"]:
        assert "Undated" in citation[source_id], source_id  # the date is inferred, and says so
    assert not citation.str.contains("http|www\\.").any()


def test_source_quality_criteria_are_coded_with_reasons(tables):
    sources = tables["sources"].set_index("source_id")
    criteria = ["named_author", "outlet_named", "outlet_type", "track_record_known",
                "sources_named", "method_stated", "corroborated", "machine_translated"]
    for criterion in criteria:
        assert sources[criterion].notna().all(), criterion
        assert sources[f"{criterion}_note"].str.len().gt(20).all(), criterion
    assert list(sources.named_author[sources.named_author == "yes"].index) == ["brief_2025_04_02"]
    assert sources.loc["rel_focus_2025_04", "machine_translated"] == "yes"
    assert sources.loc["brief_2025_04_02", ["outlet_named", "sources_named"]].tolist() == [
        "no", "no"]
    assert (sources.method_stated == "no").all()  # none of the five says how it reached its view


def test_a_citation_or_criterion_that_contradicts_its_row_is_reported(tmp_path):
    row = row_of("sources.csv", "source_id", "kap_rutte_2025_03_10")
    package = broken_rows(tmp_path, "sources.csv", {"kap_rutte_2025_03_10": {
        "citation": "Kosova Alfa Press. 'NATO chief's visit to Kosovo.' https://example.org",
        "named_author": "yes", "machine_translated": "yes"}}, "source_id")
    title = ("NATO chief's visit to Kosovo, REL: Reconfirmation of the presence of European forces "
             "in the country, despite any movement by American forces")
    cited = "Kosova Alfa Press. 'NATO chief's visit to Kosovo.' https://example.org"
    prefix = f"sources.csv, row {row}, column"
    assert validate_package(package) == [
        f"{prefix} 'citation': value '{cited}' breaks the rule 'a citation carries the printed "
        f"title ('{title}')'",
        f"{prefix} 'citation': value '{cited}' breaks the rule 'a citation gives no URL the "
        "stored text cannot confirm'",
        f"{prefix} 'citation': value '{cited}' breaks the rule 'a citation gives the printed date "
        "(10 March 2025)'",
        f"{prefix} 'named_author': value 'yes' breaks the rule 'named_author is 'yes' exactly "
        "when an author is printed (column author)'",
        f"{prefix} 'machine_translated': value 'yes' breaks the rule 'machine_translated is 'yes' "
        "exactly when translated is true'",
    ]


def test_a_citation_without_the_printed_author_and_an_unknown_criterion_are_reported(tmp_path):
    row = row_of("sources.csv", "source_id", "brief_2025_04_02")
    package = broken_rows(tmp_path, "sources.csv", {"brief_2025_04_02": {
        "citation": "Analysis brief. 'NATO Reaffirms Security Commitment in Kosovo and Bosnia amid "
                    "Geopolitical Tensions.' 2 April 2025.",
        "corroborated": "maybe"}}, "source_id")
    messages = validate_package(package)
    assert any(m.startswith(f"sources.csv, row {row}, column 'corroborated': value 'maybe' breaks "
                            "the rule 'one of: yes, partly, no'") for m in messages)
    assert any(m.startswith(f"sources.csv, row {row}, column 'citation'")
               and m.endswith("'a citation carries the printed author ('Mejreme Asllani')'")
               for m in messages)
    assert len(messages) == 2
