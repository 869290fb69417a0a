"""The grader's clocks: the instructor's opening cells (imports, before any student code) are
the grader's time, not the student's. On a loaded machine a cold `import pandas` can pass a
tight cell limit; that must not cost an honest student the whole notebook."""

from __future__ import annotations

import csv

import hostile_submissions as hostile
import nbformat
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import keys as key_files

CELL_TIMEOUT = 2
NOTEBOOK_TIMEOUT = 4
SLOW_OPENING = f"\nimport time\ntime.sleep({CELL_TIMEOUT + NOTEBOOK_TIMEOUT})"


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clock")
    submissions, out = folder / "submissions", folder / "out"
    with pytest.MonkeyPatch.context() as patch:
        solutions, keys = hostile.make_drill_course(folder / "instructor", SLOW_OPENING)
        patch.setenv(key_files.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})
        honest = hostile.solution()
        slow_student = hostile.solution()
        answer = next(c for c in slow_student.cells if c["id"] == "q1-answer")
        answer["source"] = f"import time\ntime.sleep({CELL_TIMEOUT + 2})\n" + answer["source"]
        for student, notebook in (("honest", honest), ("slow_student", slow_student)):
            (submissions / student).mkdir(parents=True)
            nbformat.write(notebook, submissions / student / f"{hostile.NOTEBOOK}.ipynb")
        grading.grade(submissions, out, solutions, workers=2, cell_timeout=CELL_TIMEOUT,
                      notebook_timeout=NOTEBOOK_TIMEOUT, memory_mb=250, preload=False)
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_a_slow_opening_cell_costs_an_honest_student_nothing(rows):
    row = rows["honest"]
    assert row["status"] == "ok", row
    assert float(row["total"]) == sum(hostile.POINTS.values()), row


def test_a_slow_student_cell_still_hits_the_cell_limit(rows):
    row = rows["slow_student"]
    assert "time limit hit in cell q1-answer" in row["status"], row
    assert float(row["00-total"] or 0) == 0, row
