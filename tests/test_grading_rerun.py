"""The grader applies a check's hidden test data as the self-check does (issue 12's reruns).

A filter that happens to give the right rows on the course's table (KFOR's strength figures
picked by a value range) earns the point in neither: the grader runs the answer cell again, in
the student's kernel, on a changed copy of the table, and judges that value here.
"""

from __future__ import annotations

import pytest
from jupyter_client.manager import KernelManager

from balkan_course.grading import checks, runner

ROOT_SOLUTIONS = checks.KEYS_DIR.parent.parent.parent / "solutions"
SETUP = "from balkan_course import load_table\ntroop_figures = load_table('troop_figures')"
RIGHT = ('mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
         '(troop_figures["measure"] == "strength")]')
HIDDEN_WRONG = ('mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
                '(troop_figures["value"].between(4000, 6000))]')
PART = {"check_id": "00-kfor-strength", "names": ["mission_figures"],
        "expression": "mission_figures"}


@pytest.fixture(scope="module")
def kernel():
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(ROOT_SOLUTIONS))
    running = runner.Kernel(manager, runner.Limits(cell_timeout=60))
    assert running.run(SETUP).status == "ok"
    yield running
    running.close()


def judged(kernel, answer: str) -> dict:
    assert kernel.run(answer).status == "ok"
    return runner.judge_part(PART, kernel, {}, checks.load_keys(), [SETUP, answer])


def test_the_key_asks_for_hidden_test_data():
    assert checks.load_keys()["00-kfor-strength"]["facts"]["rerun"]["tables"] == ["troop_figures"]


def test_a_right_filter_holds_on_hidden_data(kernel):
    assert judged(kernel, RIGHT)["passed"] is True


def test_a_filter_the_data_hides_fails_in_grading_as_in_the_self_check(kernel):
    result = judged(kernel, HIDDEN_WRONG)
    assert result["passed"] is False
    assert checks.RERUN_HINT in result["message"]


def test_without_the_rerun_the_hidden_mistake_would_pass(kernel):
    """The guard above is the rerun, not the first comparison."""
    assert kernel.run(HIDDEN_WRONG).status == "ok"
    key = checks.load_keys()["00-kfor-strength"]
    without_rerun = {**key, "facts": {k: v for k, v in key["facts"].items() if k != "rerun"}}
    assert runner.judge_part(PART, kernel, {}, {"00-kfor-strength": without_rerun},
                             [HIDDEN_WRONG])["passed"] is True


def test_the_rerun_leaves_the_students_tables_as_they_were(kernel):
    assert kernel.run("rows_before = len(troop_figures)").status == "ok"
    judged(kernel, RIGHT)
    unchanged = kernel.run("assert len(troop_figures) == rows_before\n"
                           "assert not troop_figures['source_id'].str.endswith('(test row)').any()")
    assert unchanged.status == "ok", unchanged.error


# ---------------------------------------------------------------- hand-made test rows


def test_test_rows_change_a_row_by_id_and_add_one_in_the_table_s_dtypes():
    from balkan_course import load_table

    events = load_table("events")
    out = checks.with_test_rows(events, [
        {"event_id": events.loc[0, "event_id"], "date_end": "2030-01-31"},
        {"event_id": "test_event", "date_start": "1997-03-01", "date_end": "1998-06-30"}])
    assert len(out) == len(events) + 1
    assert out.loc[0, "date_end"].year == 2030
    added = out.iloc[-1]
    assert added["event_id"] == "test_event" and added["date_end"].year == 1998
    assert out.dtypes.equals(events.dtypes)  # nothing upcast: the answer code sees the same kind
    assert events.loc[0, "date_end"].year != 2030  # the student's own table is untouched


def test_test_rows_naming_an_unknown_column_or_no_id_are_refused():
    from balkan_course import load_table

    events = load_table("events")
    with pytest.raises(ValueError, match="unknown"):
        checks.with_test_rows(events, [{"event_id": "x", "no_such_column": 1}])
    with pytest.raises(ValueError, match="event_id"):
        checks.with_test_rows(events, [{"date_end": "1998-06-30"}])


@pytest.mark.parametrize(("check_id", "table"), [
    ("00-kfor-strength", "troop_figures"), ("01-inferred-dates", "sources"),
    ("02-overlap-1999", "events"), ("05-kosovo-rows", "money"),
    ("05-us-share-kfor", "troop_figures")])
def test_the_keys_carry_the_authors_test_rows(check_id, table):
    """The boundary cases the real tables lack travel with the key, to the self-check and to
    the grader alike (the wrong answers they catch are in tests/answer_corpus)."""
    rerun = checks.load_keys()[check_id]["facts"]["rerun"]
    assert table in rerun["tables"] and rerun["rows"][table]


def test_the_grader_applies_the_test_rows_in_the_kernel(kernel):
    """05-us-share-kfor: 13 (no decimal) equals the rounded 13.0 on the real table; on the test
    rows (another contingent size) only the rounding the question asks gives the key's answer."""
    by_id = 'v = troop_figures.set_index("figure_id")["value"]\n'
    part = {"check_id": "05-us-share-kfor", "names": ["share_pct"],
            "expression": "share_pct"}

    def verdict(code):
        assert kernel.run(code).status == "ok"
        return runner.judge_part(part, kernel, {}, checks.load_keys(), [SETUP, code])

    right = by_id + ('share_pct = round(v["kfor_us_contingent_001"] / '
                     'v["kfor_strength_001"] * 100, 1)')
    no_decimal = by_id + ('share_pct = round(v["kfor_us_contingent_001"] / '
                          'v["kfor_strength_001"] * 100)')
    assert verdict(right)["passed"]
    result = verdict(no_decimal)
    assert not result["passed"] and checks.RERUN_HINT in result["message"]
