"""Checks that judge the rule, not the coincidence (issue 23).

Every check whose answer is computed from the course's tables reruns the answer on hidden test
data (docs/authoring_exercises.md, rule 7); the few that do not are listed here, each with its
reason. The hidden data changes every computed result: each row's numbers move by a factor of
their own (one common factor would leave a percentage as it is), and the set-up cells are run
again on it, so that a table derived from a replaced one (a join, a coded copy) changes too.
"""

from __future__ import annotations

import pandas as pd
import pytest

from balkan_course.grading import checks, hidden_data
from balkan_course.grading.keys import load_keys

# Checks without a rerun on hidden data, and why. Keep this list short: a check whose answer
# is computed from the tables reruns it.
WITHOUT_RERUN = {
    # Charts: the check compares the chart's own rows and encodings; a chart of typed-in rows
    # fails the comparison of its data, and there is no single value to compute again.
    "00-chart": "a chart: its rows and encodings are compared as drawn",
    "01-eufor-chart": "a chart: its rows and encodings are compared as drawn",
    "02-month-bars": "a chart: its rows and encodings are compared as drawn",
    "03-speaker-chart": "a chart: its rows and encodings are compared as drawn",
    "04-compare-chart": "a chart: its rows and encodings are compared as drawn",
    "05-log-chart": "a chart: its rows and encodings are compared as drawn",
    "06-points-map": "a chart: its rows and encodings are compared as drawn",
    "07-voice-chart": "a chart: its rows and encodings are compared as drawn",
    "07-stance-bars": "a chart: its rows and encodings are compared as drawn",
    "00-interactive-chart": "an interactive chart: judged by what it shows for each choice",
    "07-legend-selection": "an interactive chart: judged by what it highlights for each choice",
    # Values the question asks the student to read off a widget or a chart and type in.
    "02-slider-years": "typed in from what the year slider shows (the prompt says so)",
    "04-reserve-ratio": "typed in from two numbers read off the linked view (the prompt says so)",
    "07-picked-source": "typed in from the article the linked view lists (the prompt says so)",
    # Set 08: the capstone, being rewritten (issue 20); its checks judge the student's own
    # briefing (a checklist of a chart or table they choose, the length and citations of their
    # text), not a value computed from a stated rule.
    "08-chart": "a checklist of the student's own chart",
    "08-table": "a checklist of the student's own table",
    "08-length": "the length of the student's own text",
    "08-citations": "the citations of the student's own text",
}


def test_every_computed_check_reruns_on_hidden_data_or_says_why_not():
    # The primer's practice checks are left out: its tables are typed into the lesson.
    keys = {check_id: key for check_id, key in load_keys().items() if not key.get("practice")}
    without = {check_id for check_id, key in keys.items() if not key["facts"].get("rerun")}
    unlisted = sorted(without - set(WITHOUT_RERUN))
    assert not unlisted, f"checks without a rerun and without a reason: {unlisted}"
    stale = sorted(set(WITHOUT_RERUN) - without)
    assert not stale, f"listed as without a rerun, but they rerun (or are gone): {stale}"
    assert len(WITHOUT_RERUN) <= len(keys) // 3, "the list of checks without a rerun grows"


def test_hidden_data_moves_each_row_by_its_own_factor():
    """A percentage of two figures, typed in or computed, differs on the hidden data."""
    frame = pd.DataFrame({"figure_id": ["old", "new"], "value": [5000, 4700],
                          "when": pd.to_datetime(["2023-10-01", "2025-04-02"]),
                          "latitude": [42.66, 42.89]})
    hidden = hidden_data.perturbed(frame)
    real = hidden.set_index("figure_id")["value"]
    change = round(100 * (real["new"] - real["old"]) / real["old"], 1)
    assert change != round(100 * (4700 - 5000) / 5000, 1)
    assert list(hidden["figure_id"][:2]) == ["new", "old"]  # reversed, then the test copies
    assert len(hidden) == 4 and hidden["figure_id"].str.endswith(hidden_data.DECOY).sum() == 2
    assert (hidden["when"][:2].dt.day != frame["when"][::-1].dt.day).all()  # dates move too
    assert (hidden["latitude"][:2].to_numpy() != frame["latitude"][::-1].to_numpy()).all()


def test_setup_statements_keep_what_derives_from_the_replaced_tables():
    cells = ['import pandas as pd\nclaims = load_table("claims")\nactors = load_table("actors")\n'
             'coded = claims.merge(actors)\ncoded.head()',
             'other = load_table("sources")\nlabels = other["x"]',
             'per_voice = coded["voice"].value_counts()\nsetup_charts()']
    assert hidden_data.setup_statements(cells, ["claims"]) == [
        "coded = claims.merge(actors)", 'per_voice = coded["voice"].value_counts()']


def test_a_rerun_runs_the_set_up_again_so_a_derived_table_changes_too():
    """Issue 23: an answer taken from `coded` (made from claims in the set-up) was "right for
    this table, but not the rule": the rerun replaced claims only. With the set-up run again on
    the hidden claims, the answer from claims and the one from coded agree."""
    claims = pd.DataFrame({"claim_id": ["a", "b", "c"], "theme": ["us", "us", "eu"]})
    namespace = {"claims": claims, "coded": claims.assign(voice="x")}
    setup = ['coded = claims.assign(voice="x")']
    from_claims = 'rows = claims.loc[claims["theme"] == "us", ["claim_id"]]'
    from_coded = 'rows = coded.loc[coded["theme"] == "us", ["claim_id"]]'
    key = checks.make_key("t-setup", claims.loc[claims["theme"] == "us", ["claim_id"]],
                          {"ignore_row_order": True}, rerun={
                              "name": "rows", "tables": ["claims"], "setup": setup,
                              "hash": hidden_data._rerun_hash(
                                  "t-setup", hidden_data.run_answer_cells(
                                      [from_claims], "rows", namespace, ["claims"], None,
                                      setup)[0], "table", {"ignore_row_order": True})})
    assert checks.rerun_judge("t-setup", from_claims, namespace, key) is True
    assert checks.rerun_judge("t-setup", from_coded, namespace, key) is True
    key_without = {**key, "facts": {**key["facts"], "rerun": {
        k: v for k, v in key["facts"]["rerun"].items() if k != "setup"}}}
    assert checks.rerun_judge("t-setup", from_coded, namespace, key_without) is False
    typed = 'rows = pd.DataFrame({"claim_id": ["a", "b"]})'
    assert checks.rerun_judge("t-setup", typed, {**namespace, "pd": pd}, key) is False


@pytest.mark.parametrize("check_id", ["04-kfor-sourced", "01-eufor-outlets", "06-located",
                                      "07-us-claims", "03-claims-voice"])
def test_joins_rerun_on_every_table_they_join(check_id):
    """Hidden rows lost in an inner join test nothing: a check on a join reruns on both sides,
    whose test copies match each other."""
    rerun = load_keys()[check_id]["facts"]["rerun"]
    assert len(rerun["tables"]) >= 2, rerun["tables"]
