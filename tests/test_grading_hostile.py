"""The grader against a class of hostile and broken submissions (tests/hostile_submissions.py),
all graded in ONE run of the real pipeline, in the sandbox of namespaces the grader uses
whenever the machine allows it (user, PID, mount and network namespaces, no Docker).

The central test is the mutation-style one: no hostile case may earn a single point, and the
same detector, given a copy of the grades where any one hostile case earned a point, must fail.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import hostile_submissions as hostile
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import keys as key_files

CELL_TIMEOUT = 4
NOTEBOOK_TIMEOUT = 9


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    submissions, out = folder / "submissions", folder / "out"
    with pytest.MonkeyPatch.context() as patch:
        solutions, keys = hostile.make_drill_course(folder / "instructor")
        patch.setenv(key_files.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})
        cases = hostile.cases(out, [solutions, grading.SOLUTIONS_DIR], submissions)
        hostile.write_class(submissions, cases)
        # No preloaded course imports: the drill needs none, and the batch stays fast.
        results = grading.grade(submissions, out, solutions, workers=2,
                                cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT,
                                memory_mb=250, preload=False)
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {(row["student"], row["notebook"]): row for row in csv.DictReader(handle)}
    return folder, cases, results, rows


def row_of(rows, case):
    return rows[(case.student, case.notebook)]


def points_of(row) -> dict[str, float]:
    return {check_id: float(row[check_id] or 0) for check_id in hostile.POINTS}


def holes(rows, cases) -> list[str]:
    """Every case given more than it deserves (the detector the mutation test exercises)."""
    found = []
    for case in cases:
        row = rows.get((case.student, case.notebook))
        if row is None:
            continue
        points = points_of(row)
        if case.expect == hostile.NOTHING and any(points.values()):
            found.append(f"{case.student}: {points}")
        elif isinstance(case.expect, set) and any(
                points[c] > case.partial.get(c, 0) for c in hostile.POINTS
                if c not in case.expect):
            found.append(f"{case.student}: {points}")
    return found


def test_the_class_has_at_least_forty_hostile_kinds(graded):
    _, cases, _, _ = graded
    assert len([c for c in cases if c.expect == hostile.NOTHING]) >= 40


def test_no_hostile_case_earns_a_point(graded):
    _, cases, _, rows = graded
    assert holes(rows, cases) == []


def test_the_detector_fails_when_any_hostile_case_earns_a_point(graded):
    """Mutation-style: give each hostile row one point in turn; the detector must notice."""
    _, cases, _, rows = graded
    for case in cases:
        if case.expect != hostile.NOTHING:
            continue
        mutated = {key: dict(row) for key, row in rows.items()}
        mutated[(case.student, case.notebook)][next(iter(hostile.POINTS))] = "1"
        assert holes(mutated, cases), f"a point for {case.student} went unnoticed"


def test_every_entry_gets_a_row_and_its_status(graded):
    _, cases, _, rows = graded
    for case in cases:
        row = row_of(rows, case)
        assert case.status in row["status"], (case.student, row["status"])


def test_honest_work_in_odd_packaging_gets_every_point(graded):
    _, cases, _, rows = graded
    for case in cases:
        if case.expect == hostile.FULL:
            row = row_of(rows, case)
            assert float(row["total"]) == sum(hostile.POINTS.values()), (case.student, row)
        elif isinstance(case.expect, set):
            points = points_of(row_of(rows, case))
            passed = {c for c, p in points.items() if p == hostile.POINTS[c]}
            assert passed == case.expect, (case.student, points)
            for check_id, expected in case.partial.items():
                assert points[check_id] == expected, (case.student, points)


def test_the_run_was_sandboxed(graded):
    folder, _, _, _ = graded
    if not grading.sandbox_available():
        pytest.skip("this machine cannot make user, PID, mount and network namespaces "
                    "(unshare refused): the sandbox could not be tested here")
    log = (folder / "out" / "grader.log").read_text(encoding="utf-8")
    assert "sandbox: yes" in log
    assert str(folder / "instructor" / "solutions") in log


def test_forged_replies_reach_the_judge_and_fail_there(graded):
    """The forger sees the nonce and answers the request itself: its claim is judged as a value
    (and is wrong), or refused when it is not a well-formed answer to this request."""
    _, _, results, _ = graded
    shown = {r["student"]: "\n".join(c["shown"] for c in r["checks"].values())
             for r in results if r["checks"]}
    assert "not yet" in shown["h41_forged_reply_with_guessed_numbers"]
    assert "expected a number" in shown["h06_forges_emit"] or "not yet" in shown["h06_forges_emit"]
    assert "does not answer this request" in shown["h42_forged_reply_with_another_nonce"]
    for refused in ("h08_huge_reply", "h09_deeply_nested_reply", "h10_forged_structure_with_code"):
        assert "not graded" in shown[refused], (refused, shown[refused])


def test_a_forged_result_file_is_not_trusted(graded):
    folder, _, results, rows = graded
    student = "h19_writes_forged_results"
    stored = json.loads((folder / "out" / "results" / student / f"{hostile.NOTEBOOK}.json")
                        .read_text(encoding="utf-8"))
    assert stored["submission_sha256"] != "x"
    assert float(rows[(student, hostile.NOTEBOOK)]["total"]) == 0


def test_feedback_shows_the_students_own_error(graded):
    folder, _, _, _ = graded
    feedback = (folder / "out" / "feedback" / "r03_error_in_answer.md").read_text()
    assert "TypeError: list indices must be integers or slices, not str" in feedback
    untouched = (folder / "out" / "feedback" / "a_untouched.md").read_text()
    assert "not answered yet" in untouched


def test_a_stuck_notebook_does_not_stop_the_class(graded):
    _, _, results, _ = graded
    slow = [r for r in results if r["student"] == "h32_ignores_sigint_and_prints"][0]
    assert slow["seconds"] < CELL_TIMEOUT + 3 * 3 + 20


def test_nothing_escaped_the_kernel(graded):
    assert not Path("/tmp/pwned").exists()


def test_partial_credit_per_part_with_feedback_per_part(graded):
    folder, _, _, rows = graded
    assert rows[("r05_one_part_of_two", hostile.NOTEBOOK)]["00-parts"] == "1"
    feedback = (folder / "out" / "feedback" / "r05_one_part_of_two.md").read_text()
    assert "00-parts: 1 of 2" in feedback
    assert "✅ 00-sorted" in feedback and "❌ 00-distinct" in feedback


@pytest.fixture(scope="module")
def graded_without_sandbox(tmp_path_factory):
    """A few kinds graded with --isolation off, as on a machine without namespaces."""
    folder = tmp_path_factory.mktemp("no-sandbox")
    submissions, out = folder / "submissions", folder / "out"
    wanted = {"a_honest", "h01_replays_success_lines", "h06_forges_emit",
              "h21_symlink_to_solution", "h33_ignores_sigint_busy", "h34_kills_its_worker"}
    with pytest.MonkeyPatch.context() as patch:
        solutions, keys = hostile.make_drill_course(folder / "instructor")
        patch.setenv(key_files.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})
        cases = [c for c in hostile.cases(out, [solutions], submissions) if c.student in wanted]
        hostile.write_class(submissions, cases)
        # The killer graded first too, then every other student on the same (single) worker
        # slot: graded by replacement workers, whose kernels' folders and ids must not be
        # those the dead workers' kernels still hold.
        shutil.copytree(submissions / "h34_kills_its_worker", submissions / "a0_kills_first")
        shutil.copytree(submissions / "a_honest", submissions / "zz_after_the_killer")
        results = grading.grade(submissions, out, solutions, workers=1,
                                cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT,
                                memory_mb=250, preload=False, isolation="off")
    return folder, cases, {r["student"]: r for r in results}


def test_without_the_sandbox_a_killed_worker_costs_one_notebook(graded_without_sandbox):
    folder, cases, results = graded_without_sandbox
    assert "sandbox: no" in (folder / "out" / "grader.log").read_text(encoding="utf-8")
    assert len(cases) == 6
    assert set(results) == {c.student for c in cases} | {"a0_kills_first",
                                                          "zz_after_the_killer"}
    for killer in (results["a0_kills_first"], results["h34_kills_its_worker"]):
        assert any("grading worker stopped" in s for s in killer["statuses"]), killer["statuses"]
    for student, result in results.items():
        awarded = sum(c["awarded"] for c in result["checks"].values())
        honest = student in ("a_honest", "zz_after_the_killer")
        assert awarded == (5 if honest else 0), (student, result["statuses"])
