"""GitHub Classroom's autograding (docs/github_classroom/classroom.yml): one test per check of
exercise set 00, worth the check's points, each run the way the command grader runs it (the
setup command, then the command; exit code 0 earns max-score); the reporter adds them up.

The workflow is read, not copied: its tests must be the solution's checks with their points,
and its commands are run here, on the small drill course of tests/hostile_submissions.py (the
same setup and command, with the drill's notebook and check ids in place of set 00's, to stay
fast), in one repository per student as Classroom makes them. The points must be those
`make grade` gives the same notebooks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hostile_submissions as drill
import nbformat
import pytest
import yaml

from balkan_course.grading import checks
from balkan_course.grading import grade as grading
from balkan_course.grading import keys as key_files

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "docs" / "github_classroom" / "classroom.yml"
GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grader-reporter@v1"
NOTEBOOK = "00_start_here"


def steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][
        "run-autograding-tests"]["steps"]


def grader_steps() -> list[dict]:
    return [step for step in steps() if step.get("uses") == GRADER]


def solution_checks(path: Path) -> list[tuple[str, float]]:
    from balkan_course.grading.report import checks_of

    found = checks_of(nbformat.read(path, as_version=4))
    return [(check_id, info["points"]) for check_id, info in found.items()]


def test_one_test_per_check_worth_its_points():
    expected = solution_checks(ROOT / "solutions" / f"{NOTEBOOK}.ipynb")
    tests = [(s["with"]["test-name"], s["with"]["max-score"]) for s in grader_steps()]
    assert tests == expected
    for step in grader_steps():
        check_id = step["with"]["test-name"]
        assert step["with"]["command"].endswith(f" -k {check_id}")
        # -k matches substrings: a check id inside another would select two items
        assert [c for c, _ in expected if check_id in c] == [check_id]
    assert f"exercises/{NOTEBOOK}.ipynb" in grader_steps()[0]["with"]["setup-command"]


def test_the_reporter_adds_up_every_test():
    (reporter,) = [step for step in steps() if step.get("uses") == REPORTER]
    ids = [step["id"] for step in grader_steps()]
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}"
                               for i in ids}


def run_like_the_runner(repo: Path, tests: list[dict], env: dict) -> dict[str, float]:
    """Each test as the command grader runs it: its setup command, then its command, in the
    repository's checkout; max-score if the command exits 0, else nothing."""
    scores = {}
    for test in tests:
        if test["setup-command"]:
            setup = subprocess.run(["bash", "-c", test["setup-command"]], cwd=repo, env=env,
                                   capture_output=True, text=True)
            assert setup.returncode == 0, setup.stderr
        done = subprocess.run(["bash", "-c", test["command"]], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=60 * test["timeout"])
        scores[test["test-name"]] = test["max-score"] if done.returncode == 0 else 0
    return scores


def drill_tests(solutions: Path) -> list[dict]:
    """The workflow's tests for the drill: its setup and its command, the drill's notebook and
    checks in place of set 00's, and the drill's solutions to grade against."""
    first, *_ = grader_steps()
    template = first["with"]["command"].rsplit(" -k ", 1)[0]
    template = template.replace("python -m pytest", f"{sys.executable} -m pytest", 1)
    tests = []
    for number, (check_id, points) in enumerate(drill.POINTS.items()):
        tests.append({
            "test-name": check_id, "max-score": points, "timeout": first["with"]["timeout"],
            "setup-command": first["with"]["setup-command"].replace(NOTEBOOK, drill.NOTEBOOK)
            if number == 0 else "",
            "command": f"{template} --grade-solutions {solutions} -k {check_id}"})
    return tests


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classroom")
    solutions, keys = drill.make_drill_course(folder / "instructor")
    notebooks = {"alice": drill.completed(),
                 # right, wrong, and half of the two-part question
                 "dora": drill.completed({"q2-answer": "largest = min(figures)",
                                          "q3-answer": "ordered = sorted(figures)\n"
                                                       "distinct = 4"})}
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{checks.KEYS_DIR_ENV: str(keys)})
    scores = {}
    for student, notebook in notebooks.items():
        repo = folder / student / "repo"  # the student's repository, as Classroom makes it
        (repo / "exercises").mkdir(parents=True)
        shutil.copy(ROOT / "pyproject.toml", repo)
        nbformat.write(notebook, repo / "exercises" / f"{drill.NOTEBOOK}.ipynb")
        scores[student] = run_like_the_runner(repo, drill_tests(solutions), env)
    # `make grade` on the same notebooks
    submissions = folder / "submissions"
    for student, notebook in notebooks.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / f"{drill.NOTEBOOK}.ipynb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(checks.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})  # another test's keys may be cached
        results = grading.grade(submissions, folder / "out", solutions, workers=1)
    awarded = {r["student"]: {c: r["checks"].get(c, {}).get("awarded", 0) for c in drill.POINTS}
               for r in results}
    return scores, awarded


def test_classroom_gives_the_points_make_grade_gives(classroom):
    scores, awarded = classroom
    assert scores["alice"] == awarded["alice"] == drill.POINTS
    assert sum(scores["alice"].values()) == 5
    for check_id in ("00-total", "00-largest"):
        assert scores["dora"][check_id] == awarded["dora"][check_id]
    assert scores["dora"]["00-total"] == 1 and scores["dora"]["00-largest"] == 0


def test_a_half_right_two_part_question_earns_nothing_in_classroom(classroom):
    """The command grader gives all or nothing per test; `make grade` gives part credit (the
    guide says so)."""
    scores, awarded = classroom
    assert awarded["dora"]["00-parts"] == 1 and scores["dora"]["00-parts"] == 0


def test_the_workflow_is_where_the_guide_says():
    guide = (ROOT / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    assert "docs/github_classroom/classroom.yml" in guide
    assert re.search(r"\.github/workflows/classroom\.yml", guide)
