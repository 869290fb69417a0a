"""The self-checks: right answers pass, plausible wrong ones fail with a hint, keys hide answers.

The notebook-level tests run every solution in judge mode with BALKAN_COURSE_SELFTEST set, so
each `check` and each declared `wrong_answers` reports its verdict to a file; later lessons are
covered without new test code. They run in one plain Python process, not a kernel each (nbval
runs them in kernels): the verdicts are the same, in a tenth of the time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from balkan_course.grading import checks, hidden_data, recording
from balkan_course.grading import keys as key_files
from balkan_course.grading.build import key_ids

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
KEY_FIELDS = {"hash", "facts", "probes", "options", "hint"}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[str, list[dict]]:
    """notebook name -> the verdicts its checks and wrong answers reported (the solutions run
    in one fresh process: tests/notebooks_in_process.py)."""
    logs = tmp_path_factory.mktemp("selftest")
    subprocess.run([sys.executable, str(ROOT / "tests" / "notebooks_in_process.py"), str(logs),
                    "--selftest", *map(str, SOLUTIONS)], check=True, cwd=ROOT)
    for path in SOLUTIONS:
        failed = [c for c in json.loads((logs / f"{path.stem}.cells.json").read_text())
                  if c["error"]]
        assert not failed, f"{path.name} cell {failed[0]['id']}:\n{failed[0]['error']}"
    return {path.stem: [json.loads(line) for line in
                        (logs / f"{path.stem}.jsonl").read_text().splitlines()]
            for path in SOLUTIONS}


def keys_of(notebook: str) -> dict:
    return json.loads((checks.KEYS_DIR / f"{notebook}.json").read_text())["checks"]


def test_there_are_solutions_to_check():
    assert SOLUTIONS, "no solution notebooks found"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_cell_has_a_key_and_no_key_is_orphaned(path):
    nb = nbformat.read(path, as_version=4)
    key_file = checks.KEYS_DIR / f"{path.stem}.json"
    assert key_file.exists(), f"no answer key for {path.name}: run `make exercises`"
    keys = json.loads(key_file.read_text())
    assert keys["order"] == key_ids(nb), "keys are stale: run `make exercises`"
    assert set(keys["checks"]) == set(key_ids(nb))


def test_solution_answers_pass(verdicts):
    for notebook, records in verdicts.items():
        answered = {r["check_id"]: r for r in records if r["role"] == "answer"}
        assert set(answered) == set(keys_of(notebook)), f"{notebook}: not every check ran"
        for check_id, record in answered.items():
            assert record["passed"], f"{notebook} {check_id}: {record['message']}"
            assert record["message"].startswith(f"✅ {check_id}: correct")
            assert "(receipt " in record["message"]


def test_every_check_declares_at_least_two_wrong_answers(verdicts):
    for notebook, records in verdicts.items():
        for check_id in keys_of(notebook):
            wrong = [r for r in records if r["role"] == "wrong" and r["check_id"] == check_id]
            assert len(wrong) >= 2, f"{notebook} {check_id}: declare two plausible wrong answers"


def test_each_wrong_answer_fails_with_a_hint_not_a_traceback(verdicts):
    for notebook, records in verdicts.items():
        for record in (r for r in records if r["role"] == "wrong"):
            where = f"{notebook} {record['check_id']} ({record['declared_hint']})"
            assert not record["passed"], f"{where}: a wrong answer passes the check"
            assert record["message"].startswith(f"❌ {record['check_id']}: not yet: "), where
            assert "Traceback" not in record["message"] and "could not read" not in \
                record["message"], where
            assert record["message"].endswith(record["declared_hint"]), where


def test_unanswered_says_not_answered_yet(verdicts):
    for notebook, records in verdicts.items():
        unanswered = [r for r in records if r["role"] == "unanswered"]
        assert unanswered
        for record in unanswered:
            assert not record["passed"] and checks.NOT_ANSWERED in record["message"]
        for check_id, key in keys_of(notebook).items():
            passed, message = checks.judge(check_id, ..., key)
            assert not passed and checks.NOT_ANSWERED in message


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_keys_store_hashes_and_hints_not_answers(path):
    for check_id, key in keys_of(path.stem).items():
        assert set(key) <= KEY_FIELDS, f"{check_id}: unexpected key fields {set(key)}"
        assert not {"value", "rows", "items"} & set(key["facts"]), check_id


def test_check_ids_are_unique_across_the_course():
    seen = {}
    for path in checks.KEYS_DIR.glob("*.json"):
        for check_id in json.loads(path.read_text())["checks"]:
            assert check_id not in seen, f"{check_id} in {seen.get(check_id)} and {path.name}"
            seen[check_id] = path.name


# ---------------------------------------------------------------- the machinery on toy answers


@pytest.fixture
def events():
    return pd.DataFrame({
        "year": [2021, 2022, 2023, 2023, 2024],
        "place": ["Jarinje", "Zvečan", "Banjska", "Leposavić", "Zvečan"],
        "troops": [3700, 3800, 4500, 4550, 4600],
    })


TITLE = "Troops per year"
DESCRIPTION = "Bars of the troops reported for each year."  # the rule asks every chart for one
LABELLED = {"title": TITLE, "description": DESCRIPTION}


def verdict(check_id, expected, answer, **options):
    return checks.judge(check_id, answer, checks.make_key(check_id, expected, options))


def test_right_answer_passes_with_a_receipt_that_is_not_in_the_key(events):
    key = checks.make_key("t-cols", events[["year", "place"]])
    passed, message = checks.judge("t-cols", events[["year", "place"]].copy(), key)
    assert passed and message.startswith("✅ t-cols: correct")
    receipt = message.split("receipt ")[1].rstrip(")")
    assert receipt not in json.dumps(key)


def test_filtered_rows_keep_no_index_but_a_named_index_counts(events):
    recent = events[events["year"] >= 2023]
    assert verdict("t-f", recent, recent.reset_index(drop=True))[0]
    per_place = events.groupby("place").size()
    assert verdict("t-g", per_place, events["place"].value_counts(), ignore_row_order=True)[0]
    assert not verdict("t-g2", per_place, events.groupby("year").size(), ignore_row_order=True)[0]


def test_units_probe_says_check_your_units(events):
    total = events["troops"].sum() / 1000
    passed, message = verdict("t-u", total, events["troops"].sum())
    assert not passed and "units" in message
    table = events.assign(thousands=events["troops"] / 1000)[["place", "thousands"]]
    wrong = events.assign(thousands=events["troops"])[["place", "thousands"]]
    assert "units in column 'thousands'" in verdict("t-ut", table, wrong)[1]


def test_order_hints(events):
    ranked = events.sort_values("troops", ascending=False)
    assert "reverse order" in verdict("t-o", ranked, events)[1]
    shuffled = events.iloc[[2, 0, 4, 1, 3]]
    assert "not in the expected order" in verdict("t-o2", ranked, shuffled)[1]
    assert verdict("t-o3", ranked, shuffled, ignore_row_order=True)[0]


def test_type_column_and_row_hints(events):
    table = events[["place"]]
    assert "double brackets" in verdict("t-t", table, events["place"])[1]
    assert "missing column(s) 'troops'" in verdict("t-c", events, events[["year", "place"]])[1]
    assert "in this order" in verdict("t-c2", events, events[["place", "year", "troops"]])[1]
    assert "4 rows; the expected one has 5" in verdict("t-r", events, events.iloc[1:])[1]
    assert "'troops' are not right" in verdict(
        "t-v", events, events.assign(troops=events["troops"] + 7))[1]
    assert "expected a number" in verdict("t-n", 5, "5")[1]
    assert "year boundaries" in verdict("t-y", 2023, 2024)[1]
    assert "capitals" in verdict("t-s", "Leposavić", "leposavić ")[1]


def test_chart_hints(events):
    import altair as alt

    base = alt.Chart(events)
    right = base.mark_bar().encode(x="year:O", y="troops:Q", tooltip=["place"]).properties(
        title=TITLE)
    assert verdict("t-ch", right, base.mark_bar().encode(
        x="year:O", y="troops:Q", tooltip=["place"]).properties(**LABELLED))[0]
    cases = {
        "expected a bar chart": base.mark_line().encode(x="year:O", y="troops:Q",
                                                       tooltip=["place"]).properties(**LABELLED),
        "add the encoding channel(s): tooltip": base.mark_bar().encode(
            x="year:O", y="troops:Q").properties(**LABELLED),
        "type of the x channel": base.mark_bar().encode(
            x="year:Q", y="troops:Q", tooltip=["place"]).properties(**LABELLED),
        "give the chart a title": base.mark_bar().encode(
            x="year:O", y="troops:Q", tooltip=["place"]),
        "chart's data has 2 rows": alt.Chart(events.head(2)).mark_bar().encode(
            x="year:O", y="troops:Q", tooltip=["place"]).properties(**LABELLED),
        "scale of the y axis": base.mark_bar().encode(
            x="year:O", y=alt.Y("troops:Q", scale=alt.Scale(type="log")),
            tooltip=["place"]).properties(**LABELLED),
    }
    for expected_hint, chart in cases.items():
        passed, message = verdict("t-ch", right, chart)
        assert not passed and expected_hint in message, message


def test_a_chart_check_sees_a_log_scale_but_not_colours_or_a_linear_default(events):
    import altair as alt

    base = alt.Chart(events).mark_point().encode(tooltip=["place"]).properties(**LABELLED)
    log_y = base.encode(x="year:O", y=alt.Y("troops:Q", scale=alt.Scale(type="log")))
    passed, message = verdict("t-log", log_y, base.encode(x="year:O", y="troops:Q"))
    assert not passed and "scale of the y axis" in message, message
    assert verdict("t-log", log_y, base.encode(
        x="year:O", y=alt.Y("troops:Q", scale=alt.Scale(type="log", domain=[1, 10_000]))))[0]
    linear = base.encode(x="year:O", y="troops:Q")
    assert verdict("t-lin", linear, base.encode(
        x="year:O", y=alt.Y("troops:Q", scale=alt.Scale(type="linear", zero=False))))[0]


def test_judge_never_raises_on_strange_answers(events):
    class Broken(pd.DataFrame):
        def itertuples(self, *args, **kwargs):
            raise RuntimeError("boom")

    key = checks.make_key("t-x", events)
    for answer in (Broken(events), object(), [events], lambda: 1, {"a": object()}, None):
        passed, message = checks.judge("t-x", answer, key)
        assert not passed and message.startswith("❌ t-x: not yet")


def test_check_prints_one_line_and_never_raises(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(key_files, "_keys_cache", {})
    monkeypatch.setenv(checks.KEYS_DIR_ENV, str(tmp_path))
    (tmp_path / "zz.json").write_text(json.dumps(
        {"notebook": "zz", "order": ["zz-n"], "checks": {"zz-n": checks.make_key("zz-n", 42)}}))
    checks.check("zz-n", 42)
    checks.check("zz-n", 42000)
    checks.check("zz-missing", 1)
    checks.check("zz-n", ...)
    lines = capsys.readouterr().out.splitlines()
    assert [line[:1] for line in lines] == ["✅", "❌", "❌", "❌"]
    assert "units" in lines[1] and "no answer key" in lines[2] and "not answered" in lines[3]
    checks.show_progress("zz")
    assert "0 of 1 checks passed" in capsys.readouterr().out  # the last attempt counts


def test_record_mode_prints_the_same_line_judge_mode_prints(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(recording, "_recorded", {})
    monkeypatch.setattr(recording, "_wrong", {})
    monkeypatch.setenv(checks.RECORD_ENV, str(tmp_path / "rec.json"))
    checks.wrong_answers("rec-n", {"not seven": 7})
    checks.check("rec-n", 8)
    recorded_line = capsys.readouterr().out.strip()
    key = json.loads((tmp_path / "rec.json").read_text())["checks"]["rec-n"]
    assert checks.judge("rec-n", 8, key) == (True, recorded_line)
    assert checks.judge("rec-n", 7, key) == (False, "❌ rec-n: not yet: not seven")


def test_a_wrong_answer_equal_to_the_right_one_is_refused():
    with pytest.raises(ValueError, match="equals the right answer"):
        checks.make_key("t-eq", 3, wrong={"oops": 3.0})


# ---------------------------------------------------------------- tolerance rules (issue 12)


def test_containers_that_carry_the_same_information_are_equal(events):
    import numpy as np

    counts = events["place"].value_counts()
    for same in (counts.to_dict(), events.groupby("place").size(), counts.sort_index()):
        assert verdict("t-cont", counts, same, ignore_row_order=True)[0]
    numbers = events["troops"] / 100
    for same in (list(numbers), numbers.to_numpy(), numbers.array, tuple(numbers)):
        assert verdict("t-seq", numbers, same)[0], type(same)
    ids = sorted(events["place"].unique())
    assert verdict("t-list", ids, pd.Series(ids))[0]
    assert verdict("t-list", ids, np.array(ids))[0]
    passed, message = verdict("t-cont", counts, list(counts), ignore_row_order=True)
    assert not passed and "label" in message  # labels lost: not the same information


def test_flattened_pivot_tables_equal_agg(events):
    expected = events.groupby("place")["troops"].agg(["min", "max"])
    assert verdict("t-agg", expected, events.pivot_table(
        index="place", values="troops", aggfunc=["min", "max"]), ignore_row_order=True)[0]
    assert verdict("t-agg", expected, events.groupby("place").agg(
        {"troops": ["min", "max"]}), ignore_row_order=True)[0]


def test_sorted_by_accepts_any_order_of_ties_and_names_the_direction(events):
    expected = events.sort_values("year", kind="stable")
    tie_swapped = events.iloc[[0, 1, 3, 2, 4]]
    assert verdict("t-sort", expected, tie_swapped, sorted_by={"year": "ascending"})[0]
    passed, message = verdict("t-sort", expected, events.iloc[::-1],
                              sorted_by={"year": "ascending"})
    assert not passed and "wrong way round: sort by year (ascending)" in message
    passed, message = verdict("t-sort", expected, events.iloc[[1, 0, 2, 3, 4]],
                              sorted_by={"year": "ascending"})
    assert not passed and "not in the order asked" in message


def test_number_hints_do_not_mislead():
    passed, message = verdict("t-share", 13.0, 13.043478, decimals=1)
    assert not passed and "round your result to one decimal" in message
    assert "whole number" not in message
    assert "whole number" not in verdict("t-neg", -90.8, -90.6, decimals=1)[1]
    assert "off by one" not in verdict("t-zero", 1, 0)[1]  # 0 is "nothing", not a boundary
    assert "off by one" in verdict("t-count", 7, 8)[1]
    assert "expected a number" in verdict("t-td", 3, pd.Timedelta(days=3))[1]


def test_hints_name_no_internals(events):
    counts = events["place"].value_counts()
    for answer in (counts * 2, counts.iloc[:2], events["troops"].array, pd.Timedelta(days=1)):
        message = verdict("t-int", counts, answer, ignore_row_order=True)[1]
        assert "(values)" not in message and "Array" not in message, message


def test_chart_decorations_and_column_subsets_pass_but_titles_must_say_something(events):
    import altair as alt

    right = alt.Chart(events).mark_bar().encode(
        x="count():Q", y=alt.Y("place:N", sort="-x"), tooltip=["place:N", "count():Q"]
    ).properties(title="Where did the events happen?", description=DESCRIPTION)
    variants = [
        alt.Chart(events[["place", "year"]]).mark_bar(color="teal").encode(
            x=alt.X("count()", title="Events"),
            y=alt.Y("place", sort=alt.EncodingSortField(op="count", order="descending")),
            color="year:O", order=alt.Order("year:O"),
            tooltip=["place", "count()", "year"]).properties(title="Events in each place",
                                                             description=DESCRIPTION),
    ]
    for chart in variants:
        assert verdict("t-deco", right, chart, title="question")[0]
    for title, words in ((" ", "title that says what it shows"),
                         ("chart", "title that says what it shows"),
                         ("Events", "state the question")):
        passed, message = verdict("t-deco", right, right.properties(title=title),
                                  title="question")
        assert not passed and words in message, message


def test_hidden_test_data_catches_a_filter_on_the_wrong_column():
    frame = pd.DataFrame({"mission_id": ["kfor", "kfor", "eufor"],
                          "measure": ["strength", "nations", "strength"],
                          "value": [4600, 29, 1100]})
    changed = checks.perturbed(frame)
    assert len(changed) == 6
    # Reversed, each row times a factor of its own (1.37, 1.38, 1.39), whole numbers kept whole:
    # one common factor would leave a share of two figures unchanged.
    assert list(changed["value"][:3]) == [round(1100 * 1.37), round(29 * 1.38),
                                          round(4600 * 1.39)]
    assert (changed["mission_id"].iloc[3:] == [m + checks.DECOY for m in
                                              ["eufor", "kfor", "kfor"]]).all()
    right_code = 'answer = frame[frame["measure"] == "strength"]'
    key = checks.make_key("t-rerun", frame[frame["measure"] == "strength"],
                          {"ignore_row_order": True, "rerun": ["frame"]},
                          rerun={"name": "answer", "tables": ["frame"],
                                 "hash": hidden_data._rerun_hash(
                                     "t-rerun", checks.rerun_answer(
                                         right_code, "answer", {"frame": frame}, ["frame"]),
                                     "table", {"ignore_row_order": True})})
    assert checks.rerun_judge("t-rerun", right_code, {"frame": frame}, key) is True
    by_number = 'answer = frame[frame["value"] > 1000]'
    assert checks.judge("t-rerun", frame[frame["value"] > 1000], key)[0]  # the data hides it
    assert checks.rerun_judge("t-rerun", by_number, {"frame": frame}, key) is False
    # Code that gives no value on the hidden data fails (it cannot be shown to hold there).
    assert checks.rerun_judge("t-rerun", "answer = 1 / 0", {"frame": frame}, key) is False
