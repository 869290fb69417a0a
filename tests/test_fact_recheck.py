"""Regression tests for the rows the December 2026 fact re-check found wrong.

Each case names the re-check's item (§1 D/P items, §2 dates, §3 paraphrases, §5 background notes,
§6 sampled rows, §8 even-handedness; see data/README.md, "Re-check of December 2026") and asserts
the value the article supports, read straight from the CSV files. A case fails if a later edit
brings the old wording or date back.
"""

from __future__ import annotations

import csv
from functools import cache

import pytest

from balkan_course.data import DATA_DIR
from balkan_course.validation import BACKGROUND_MARKER

KEYS = {"claims": "claim_id", "events": "event_id", "places": "place_id", "actors": "actor_id",
        "forecasts": "forecast_id", "sources": "source_id"}


@cache
def table(name: str) -> tuple[dict, ...]:
    with open(DATA_DIR / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def row(name: str, key: str) -> dict:
    found = [record for record in table(name) if record[KEYS[name]] == key]
    assert len(found) == 1, f"{name}.csv has {len(found)} rows with {KEYS[name]} {key}"
    return found[0]


# (review item, table, key, column, expected value): the article's reading, exactly.
EXACT = [
    # §2 / §6 row 6: 000 prints only the day of the Paris meeting; Macron spoke after it.
    ("§6.6 c000_macron_paris", "claims", "c000_macron_paris", "date_basis", "inferred"),
    # §2 / §6 row 16: 003 gives no occasion for the remark, only the two visit days.
    ("§6.16 c003_rutte_kfor_dialogue", "claims", "c003_rutte_kfor_dialogue", "date", "2025-03-10"),
    ("§6.16 c003_rutte_kfor_dialogue", "claims", "c003_rutte_kfor_dialogue", "date_end",
     "2025-03-11"),
    ("§6.16 c003_rutte_kfor_dialogue", "claims", "c003_rutte_kfor_dialogue", "date_basis",
     "inferred"),
    # §2 / §6 row 17: the accusation may predate 2025; only the brief's date bounds it.
    ("§6.17 c003_kurti_election_interference", "claims", "c003_kurti_election_interference",
     "date", ""),
    ("§6.17 c003_kurti_election_interference", "claims", "c003_kurti_election_interference",
     "date_precision", "unknown"),
    ("§6.17 c003_kurti_election_interference", "claims", "c003_kurti_election_interference",
     "date_end", "2025-04-02"),
    # §6 row 7: only one of Less's quotations is tied to Expose by the text (000:L46).
    ("§6.7 c000_less_signal_to_serbia", "claims", "c000_less_signal_to_serbia", "channel",
     "Radio Free Europe's Expose programme"),
    # §6 row 24 / N-P1: Reaction's plain "a thousand" (troop_figures codes it exact).
    ("§6.24 nato_reinforcement_2023", "events", "nato_reinforcement_2023", "title",
     "NATO sends a thousand extra soldiers to Kosovo"),
    # §8.4: no article calls BiH the target of the 1992 war.
    ("§8.4 bosnian_war_start_1992", "event_actors", "bosnian_war_start_1992",
     "role_in_event", "participant"),
    # §8.3 / §6 row 43: the course's "crossing point", both names.
    ("§8.3 jarinje", "places", "jarinje", "name_en", "Jarinje/Jarinjë crossing point"),
    # §5: the institute as source 001 names it; its own name only as marked background.
    ("§5 iwm_vienna", "actors", "iwm_vienna", "name", "Institute for Humanities, Vienna"),
    # §1 D4: the 2025 election ends with the brief that reports it (the data side was fixed).
    ("§1 D4 kosovo_parliamentary_election_2025", "events", "kosovo_parliamentary_election_2025",
     "date_end", "2025-04-02"),
]


def cell(name: str, key: str, column: str) -> str:
    if name == "event_actors":
        found = [r for r in table(name) if r["event_id"] == key]
        assert len(found) == 1, found
        return found[0][column]
    return row(name, key)[column]


@pytest.mark.parametrize(("item", "name", "key", "column", "expected"), EXACT,
                         ids=[f"{case[0]}:{case[3]}" for case in EXACT])
def test_value_the_article_supports(item, name, key, column, expected):
    assert cell(name, key, column) == expected, item


# (review item, table, key, column, words that must be gone, words that must be there)
WORDING = [
    ("§6.8 c000_karcic_bih_institutions", "claims", "c000_karcic_bih_institutions", "paraphrase",
     "press", "encouraged"),
    ("§6.20 c004_kurti_need_nato", "claims", "c004_kurti_need_nato", "paraphrase",
     "indispensable", "Kosovo needs NATO"),
    ("§3 c001_kfor_vital", "claims", "c001_kfor_vital", "paraphrase", "behind", "third guarantor"),
    ("§3 c001_kfor_vital", "claims", "c001_kfor_vital", "paraphrase", "Serb-majority", "north"),
    ("§3 c004_north_volatile", "claims", "c004_north_volatile", "paraphrase", "about half",
     "(half of all Serbs"),
    ("§6.25 burns_visit_region", "events", "burns_visit_region", "description",
     "then head", "former head of the CIA"),
    ("§6.26 dodik_bans_state_bodies", "events", "dodik_bans_state_bodies", "description",
     "In response to the verdict", "these developments"),
    ("§8.1 serbian_withdrawal_1999", "events", "serbian_withdrawal_1999", "description",
     "intervention", "NATO's 1999 air campaign"),
    ("§5 russian_invasion_ukraine_2022", "events", "russian_invasion_ukraine_2022", "title",
     "full-scale", "invasion of Ukraine"),
    ("§5 federation_of_bih", "actors", "federation_of_bih", "role", "mainly Bosniak",
     "predominantly Bosnian-Croat"),
    ("§5 ivan_vejvoda", "actors", "ivan_vejvoda", "role", "Human Sciences",
     "Institute for Humanities in Vienna"),
]


@pytest.mark.parametrize(("item", "name", "key", "column", "gone", "there"), WORDING,
                         ids=[f"{case[0]}:{case[3]}" for case in WORDING])
def test_wording_the_article_supports(item, name, key, column, gone, there):
    text = cell(name, key, column)
    assert gone not in text, item
    assert there in text, item


# §6 row 7: the text does not say Karčić or Losaj spoke to Radio Free Europe, nor ties more than
# one of Less's quotations to Expose: their channels say only what the text shows.
ANALYSTS = ("c000_karcic_", "c000_losaj_", "c000_less_")


@pytest.mark.parametrize("claim", [r["claim_id"] for r in table("claims")
                                   if r["claim_id"].startswith(ANALYSTS)])
def test_analysts_channel_is_what_the_text_shows(claim):
    channel = row("claims", claim)["channel"]
    assert channel != "interview with Radio Free Europe", "§6.7"
    if claim != "c000_less_signal_to_serbia":
        assert channel.endswith("(setting not given)") or "setting not given;" in channel, "§6.7"


def test_d10_accusation_links_all_three_incidents():
    # D10: the claim keeps all three incidents, so the link table must too.
    links = {(r["event_id"], r["actor_id"], r["role_in_event"]) for r in table("event_actors")}
    for event in ["north_violence_2023_05", "banjska_attack_2023_09",
                  "iber_lepenc_attack_2024_11"]:
        assert (event, "kosovo_government", "accuser") in links, event
        assert (event, "serbia", "accused") in links, event
        assert "Kosovo accuses Serbia" in row("events", event)["description"], event
    assert "May 2023 violence" in row("claims", "c003_kosovo_accuses_serbia")["paraphrase"]


# §2 row 27: the autumn-2023 windows keep their end of 31 October 2023, which no article prints;
# each row must then say that the bound is the course's judgement, with its marked background.
AUTUMN = ["c002_vucic_no_invasion", "serbian_buildup_2023", "blinken_calls_vucic_2023",
          "us_urges_serbia_withdraw_2023", "vucic_announces_drawdown_2023",
          "nato_authorises_reinforcements_2023", "uk_battalion_to_kfor_2023"]


@pytest.mark.parametrize("key", AUTUMN)
def test_autumn_2023_end_bound_says_it_is_a_judgement(key):
    record = row("claims" if key.startswith("c0") else "events", key)
    assert record["date_end"] == "2023-10-31"
    note = record["date_note"]
    assert "course's judgement" in note and "31 December 2023" in note, "§2 row 27"
    assert BACKGROUND_MARKER in note


@pytest.mark.parametrize(("item", "name", "key", "column"), [
    ("§5 ohr", "actors", "ohr", "affiliation_note"),
    ("§5 nagorno_karabakh", "places", "nagorno_karabakh", "note"),
    ("§5 iwm_vienna", "actors", "iwm_vienna", "description"),
    ("§5/§6.39 f_short_nato_posture", "forecasts", "f_short_nato_posture", "note"),
    ("§5 c003_schmidt_authority", "claims", "c003_schmidt_authority", "note"),
])
def test_background_in_these_rows_is_marked(item, name, key, column):
    assert BACKGROUND_MARKER in cell(name, key, column), item


def test_high_representative_note_gives_both_sides():
    # §5: the objectors' reason and the answer of those who appoint the High Representative.
    note = row("claims", "c003_schmidt_authority")["note"]
    assert "Republika Srpska and Russia contest" in note
    assert "Peace Implementation Council" in note


def test_eufor_is_not_left_as_a_nato_force_without_a_note():
    # §6 row 39: the brief counts EUFOR Althea as NATO's; the row says whose operation it is.
    assert "European Union operation" in row("forecasts", "f_short_nato_posture")["note"]


def test_no_row_keeps_the_course_voice_wordings_of_section_8():
    # §8.1 and §8.3: "NATO's intervention" and "border crossing" only as an article's label.
    for name in ["events", "places", "actors", "claims"]:
        for record in table(name):
            for column, text in record.items():
                own_voice = text.replace("'NATO's intervention' (IRIA)", "")  # a cited label
                assert "NATO's intervention" not in own_voice, (name, column)
                assert "border crossing" not in text, (name, column)


def test_p8_lesson_05_helper_does_not_call_the_pledge_a_campaign_promise():
    # P8/D3: the portal article does not say the pledge was made in a campaign; the helper that
    # writes lesson 05's tables and widget labels each kind of figure.
    from balkan_course.data import load_table
    from balkan_course.money import comparison_cautions, describe_money

    described = describe_money(load_table("money"))
    pledge = described.loc[described["money_id"] == "kurti_security_pledge"]
    assert len(pledge) == 1
    assert not described.astype(str).apply(lambda column: column.str.contains(
        "campaign")).any().any()
    cautions = " ".join(comparison_cautions(described))
    assert "pledge" in cautions and "campaign" not in cautions
