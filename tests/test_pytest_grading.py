"""`pytest --grade SUBMISSIONS`: one test per student and check, judged by the same grader as
`make grade` (same points, same statuses), points in the JUnit XML, `-k` choosing whom to grade.
On the small drill course of tests/hostile_submissions.py, to stay fast."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import hostile_submissions as drill
import nbformat
import pytest

from balkan_course.grading import checks

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "balkan_course.grading.pytest_plugin"
PRACTICE = "00p_practice"  # a practice notebook's name in the drill course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The drill course, and a class: alice right everywhere, bob right on the first question,
    carol nothing, and dave's folder without a notebook (a row the grader refuses)."""
    folder = tmp_path_factory.mktemp("pytest_grading")
    solutions, keys = drill.make_drill_course(folder / "instructor")
    submissions = folder / "submissions"
    notebooks = {"alice": drill.completed(),
                 "bob": drill.completed({"q2-answer": "largest = min(figures)",
                                         "q3-answer": "ordered = figures\ndistinct = 4"}),
                 "carol": drill.exercise()}
    for student, notebook in notebooks.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / f"{drill.NOTEBOOK}.ipynb")
    (submissions / "dave").mkdir()
    (submissions / "dave" / "notes.txt").write_text("I forgot to upload it")
    # a practice notebook (as the primer is) among the solutions, and erin hands hers in
    practice = drill.solution()
    practice.metadata.setdefault("balkan_course", {})["practice"] = True
    nbformat.write(practice, solutions / f"{PRACTICE}.ipynb")
    (submissions / "erin").mkdir()
    nbformat.write(drill.completed(), submissions / "erin" / f"{PRACTICE}.ipynb")
    return folder, solutions, keys, submissions


def run_pytest(course, out: Path, *more: str) -> tuple[subprocess.CompletedProcess, dict]:
    """`pytest --grade` as a teacher types it; returns the run and {(student, item): (outcome,
    {property: value}, message)} read from its JUnit XML."""
    folder, solutions, keys, submissions = course
    junit = out.with_suffix(".xml")
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{checks.KEYS_DIR_ENV: str(keys)})
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", PLUGIN, "-p", "no:cacheprovider", "-q",
         "--grade", str(submissions), "--grade-out", str(out), "--grade-solutions",
         str(solutions), "--grade-workers", "2", f"--junitxml={junit}", *more],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    cases = {}
    if junit.exists():
        for case in ElementTree.parse(junit).iter("testcase"):
            properties = {p.get("name"): p.get("value") for p in case.iter("property")}
            failure = case.find("failure")
            if failure is None:
                failure = case.find("skipped")
            # JUnit's classname is the node id's head: "alice.00_drill" for alice::00_drill::x
            student, _, notebook = case.get("classname").partition(".")
            name = f"{notebook}::{case.get('name')}" if notebook else case.get("name")
            outcome = ("passed" if failure is None
                       else "skipped" if failure.tag == "skipped" else "failed")
            cases[(student, name)] = (
                outcome, properties,
                failure.get("message", "") + (failure.text or "") if failure is not None
                else "")
    return done, cases


def grades_csv(out: Path) -> dict[tuple[str, str], dict]:
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        return {(row["student"], row["notebook"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(course):
    folder, solutions, _, submissions = course
    done, cases = run_pytest(course, folder / "as_tests")
    # `make grade`'s own command on the same class, for comparison
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{checks.KEYS_DIR_ENV: str(course[2])})
    make_grade = subprocess.run(
        [sys.executable, "-m", "balkan_course.grading", str(submissions), "--out",
         str(folder / "make_grade"), "--solutions", str(solutions)],
        env=env, capture_output=True, text=True, timeout=600)
    assert make_grade.returncode == 0, make_grade.stderr
    return done, cases, grades_csv(folder / "make_grade")


def test_one_item_per_student_and_check_with_the_graders_points(graded):
    done, cases, by_make_grade = graded
    assert done.returncode == 1, done.stdout + done.stderr  # bob and carol miss checks
    checks_of_drill = drill.POINTS
    for student in ("alice", "bob", "carol"):
        row = by_make_grade[(student, drill.NOTEBOOK)]
        for check_id, points in checks_of_drill.items():
            outcome, properties, message = cases[(student, f"{drill.NOTEBOOK}::{check_id}")]
            awarded = float(properties["points"])
            assert awarded == float(row[check_id]), (student, check_id)
            assert float(properties["max_points"]) == points
            assert properties["status"] == row["status"]
            assert outcome == ("passed" if awarded == points else "failed"), (student, check_id)
            if outcome == "failed":
                assert f"❌ {check_id}: {awarded:g} of {points}" in message
    assert {s: by_make_grade[(s, drill.NOTEBOOK)]["total"] for s in ("alice", "bob", "carol")} \
        == {"alice": "5", "bob": "1", "carol": "0"}


def test_a_file_the_grader_refuses_is_a_failing_item_with_its_status(graded):
    _, cases, by_make_grade = graded
    ((name, (outcome, properties, message)),) = [
        (name, case) for (student, name), case in cases.items() if student == "dave"]
    assert outcome == "failed"
    assert properties["status"] in by_make_grade[("dave", name)]["status"]
    assert "no notebook" in message


def test_a_handed_in_practice_notebook_is_skipped_not_failed(graded):
    """The primer is practice: handed in, it is neither graded nor counted against anyone."""
    _, cases, by_make_grade = graded
    ((name, (outcome, properties, message)),) = [
        (name, case) for (student, name), case in cases.items() if student == "erin"]
    assert outcome == "skipped" and name.startswith(PRACTICE)
    assert properties["status"].startswith("practice, not graded")
    assert by_make_grade[("erin", name)]["status"].startswith("practice, not graded")
    assert "practice, not graded" in message


def test_the_failure_is_the_graders_message_not_a_traceback(graded):
    done, _, _ = graded
    assert "Traceback" not in done.stdout and "CheckFailed" not in done.stdout
    assert "❌ 00-largest" in done.stdout  # bob's miss, as his feedback says it


def test_k_grades_only_the_chosen_student(course):
    folder = course[0]
    out = folder / "only_alice"  # given relative, as a teacher types it (the default is too)
    done, cases = run_pytest(course, out, "-k", "alice", "--grade-out", out.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {student for student, _ in cases} == {"alice"}
    assert {outcome for outcome, _, _ in cases.values()} == {"passed"}
    assert {student for student, _ in grades_csv(out)} == {"alice"}  # nobody else was run
    assert sorted(p.name for p in (out / "results").iterdir()) == ["alice"]


def test_without_grade_the_plugin_collects_nothing_of_its_own(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert True\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", PLUGIN, "-p",
                           "no:cacheprovider", "-q", str(tmp_path)], cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout
    wrong = subprocess.run([sys.executable, "-m", "pytest", "-p", PLUGIN, "-p",
                            "no:cacheprovider", "--grade", str(tmp_path / "missing")],
                           cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                           capture_output=True, text=True)
    assert wrong.returncode == 4 and "not a folder" in wrong.stderr


# ---------------------------------------------------------------- a student's own self-check


def self_check(course, notebook: Path, strict: bool) -> subprocess.CompletedProcess:
    """What the README tells a student to type, on one of their notebooks."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{checks.KEYS_DIR_ENV: str(course[2])})
    env.pop("BALKAN_COURSE_STRICT", None)
    if strict:
        env["BALKAN_COURSE_STRICT"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--color=no",
         "--nbval-lax", "--nbval-current-env", str(notebook)],
        cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=300)


def test_nbval_self_check_names_the_failing_checks_of_an_unanswered_exercise(course, tmp_path):
    notebook = tmp_path / f"{drill.NOTEBOOK}.ipynb"
    nbformat.write(drill.exercise(), notebook)
    done = self_check(course, notebook, strict=True)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)  # the kernel's traceback colours
    assert done.returncode == 1, shown
    assert "3 failed, 5 passed" in shown  # the three check cells, and nothing else
    for check_id in ("00-total", "00-largest", "00-sorted"):
        assert f"AssertionError: ❌ {check_id}: not answered yet" in shown
    assert "BEGIN SOLUTION" not in shown and "sum(figures)" not in shown
    # without the variable the checks only print, as they do in JupyterLab: nothing fails
    assert self_check(course, notebook, strict=False).returncode == 0


def test_nbval_self_check_passes_a_solved_exercise(course, tmp_path):
    notebook = tmp_path / f"{drill.NOTEBOOK}.ipynb"
    nbformat.write(drill.completed(), notebook)
    done = self_check(course, notebook, strict=True)
    assert done.returncode == 0, done.stdout
