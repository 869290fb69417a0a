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
RIGHT = ('kfor_sizes = troop_figures[(troop_figures["mission_id"] == "kfor") & '
         '(troop_figures["measure"] == "strength")]')
HIDDEN_WRONG = ('kfor_sizes = troop_figures[(troop_figures["mission_id"] == "kfor") & '
                '(troop_figures["value"].between(4000, 6000))]')
PART = {"check_id": "00-kfor-strength", "names": ["kfor_sizes"], "expression": "kfor_sizes"}


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
    assert runner.judge_part(PART, kernel, {}, checks.load_keys(), [])["passed"] is True


def test_the_rerun_leaves_the_students_tables_as_they_were(kernel):
    assert kernel.run("rows_before = len(troop_figures)").status == "ok"
    judged(kernel, RIGHT)
    unchanged = kernel.run("assert len(troop_figures) == rows_before\n"
                           "assert not troop_figures['source_id'].str.endswith('(test row)').any()")
    assert unchanged.status == "ok", unchanged.error
