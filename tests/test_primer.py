"""The Python primer practises with the course's own check() (issue 20), and is never graded.

Its master is solutions/00a_python_primer.ipynb (practice: `{"balkan_course": {"practice":
true}}`); the build writes the lesson, notebooks/00a_python_primer.ipynb, and the key file
balkan_course/grading/answer_keys/00a_python_primer.json. Here, on those committed files:

- the lesson as a student gets it runs without a traceback and every check says "not answered";
- each plausible mistake gets its own advice (the advice the primer's old hand-written judge
  gave), judged by the committed keys in the namespace the lesson's cells make; the right
  answers, several idioms per exercise, are in tests/answer_corpus/s00a_python_primer.py
  (tests/test_answer_corpus.py judges them);
- practice keys never reach what counts or grades (show_progress, the grader and gradebook's
  instructor notebooks, a release), while a normal set's keys do; a submitted primer is
  reported as practice, not graded.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import nbformat
import pytest
from answer_corpus import evaluate, namespaces

from balkan_course.grading import checks
from balkan_course.grading.build import CHECK, CHECK_IMPORT, tags
from balkan_course.grading.instructor import load_instructor_notebooks, practice_notebooks
from balkan_course.grading.keys import KEYS_DIR
from balkan_course.grading.release import load_solutions
from balkan_course.grading.submissions import find_submissions

ROOT = Path(__file__).resolve().parent.parent
PRIMER = "00a_python_primer"
LESSON = ROOT / "notebooks" / f"{PRIMER}.ipynb"
SOLUTIONS = ROOT / "solutions"
GRADED = "00_start_here"  # a normal exercise set, the other side of each practice test

# check id -> [(a plausible wrong answer, the advice it must get)]: the advice of the primer's
# old judge (balkan_course/primer.py's RULES), now declared in the master's wrong-answers cells.
ADVICE = {
    "p1-gap": [
        ("gap = 4600 - 5000", "subtract the smallest figure from the largest, not the reverse"),
        ('gap = "400"', "a number, please: no quotes around it"),
    ],
    "p2-lookup": [
        ('eufor = "1100"', "look the value up in the dictionary; do not type it as text"),
        ('eufor = strength["KFOR"]',
         "that is the other mission's figure: use the key of EUFOR Althea"),
    ],
    "p3-above": [
        ("above = [f for f in reported_kfor if f >= 4600]",
         "keep only the figures strictly above 4,600: an if with >, not >="),
        ("above = [4700, 5000]", "keep the figures in the order of reported_kfor"),
    ],
    "p4-function": [
        ("def per_nation(troops, nations):\n    return troops / nations",
         "divide the troops by the nations, then round to a whole number with round(...)"),
        ("def per_nation(troops, nations):\n    return troops // nations",
         "round(...) rounds to the nearest whole number; // and int(...) always round down"),
        ("def per_nation(troops, nations):\n    return round(nations / troops)",
         "divide the troops by the nations, not the reverse"),
        # print instead of return: the check's own line for None says it
        ("def per_nation(troops, nations):\n    print(round(troops / nations))",
         "the check cannot compare None (did the cell end with a function that prints "
         "instead of returning?)"),
    ],
    "p5-count": [
        ('n_kfor = len(figures["mission"] == "KFOR")',
         "count only the True values of the mask: .sum(), not len(...)"),
        ('n_kfor = (figures["mission"] == "EUFOR Althea").sum()',
         'that counts the other mission\'s rows: compare mission with "KFOR"'),
    ],
    "p6-and": [
        ('kfor_2025 = figures[figures["mission"] == "KFOR"]',
         "also keep only the year 2025: join the second condition with &"),
        ('kfor_2025 = (figures["mission"] == "KFOR") & (figures["year"] == 2025)',
         "keep rows of the table, not the mask itself: figures[mask]"),
    ],
    "p7-or": [
        ('either = figures[(figures["mission"] == "EUFOR Althea") & (figures["year"] == 2023)]',
         "& keeps rows where both are True; here either will do: |"),
        ('either = (figures["mission"] == "EUFOR Althea") | (figures["year"] == 2023)',
         "keep rows of the table, not the mask itself: figures[mask]"),
    ],
    "p8-not": [
        ('unhedged = figures[figures["qualifier"].isin(["about", "approximately", "roughly"])]',
         "~ turns the whole isin mask round: put it in front, ~figures[...].isin([...])"),
    ],
    "p9-missing": [
        ('n_missing = figures["nations"].notna().sum()',
         "that counts the figures that have a number of nations: use isna()"),
        ("n_missing = len(figures)", "count only the missing values: .isna().sum()"),
    ],
    "p10-lambda": [
        ('in_thousands = figures.assign(thousands=lambda table: table["value"] * 1000)',
         "divide by 1000, do not multiply"),
        ("in_thousands = figures", "add a column named thousands with assign(...)"),
    ],
    "p11-chain": [
        ('eufor_values = figures[figures["mission"] == "EUFOR Althea"].sort_values("value")'
         '["value"].tolist()', "largest first: ascending=False"),
        ('eufor_values = figures.sort_values("value", ascending=False)["value"].tolist()',
         "keep only EUFOR Althea's rows before sorting"),
    ],
}


@pytest.fixture(scope="module")
def key_file() -> dict:
    return json.loads((KEYS_DIR / f"{PRIMER}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def before_checks() -> dict:
    return namespaces(PRIMER)


def test_the_primer_is_practice_with_a_key_for_every_exercise(key_file):
    assert key_file["practice"] is True
    assert key_file["order"] == list(ADVICE)
    solution = nbformat.read(SOLUTIONS / f"{PRIMER}.ipynb", as_version=4)
    assert solution.metadata["balkan_course"]["practice"] is True
    # The lesson's check cells are the exercises' kind: the course's check, imported first.
    lesson = nbformat.read(LESSON, as_version=4)
    check_cells = [cell for cell in lesson.cells if CHECK in tags(cell)]
    assert [cell.metadata["balkan_course"]["check_id"] for cell in check_cells] == list(ADVICE)
    assert all(cell.source.startswith(CHECK_IMPORT) for cell in check_cells)
    assert "generated" in lesson.cells[0].metadata["balkan_course"]


def test_the_lesson_as_given_says_not_answered_for_every_exercise():
    """The student's copy, run top to bottom in this process: no traceback (but the cell
    that shows an error on purpose), and each check cell prints the "not answered" line."""
    namespace: dict = {"__name__": "__primer__"}
    said = {}
    for cell in nbformat.read(LESSON, as_version=4).cells:
        if cell.cell_type != "code" or "raises-exception" in tags(cell):
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(cell.source, cell["id"], "exec"), namespace)  # noqa: S102
        if CHECK in tags(cell):
            said[cell.metadata["balkan_course"]["check_id"]] = printed.getvalue()
    assert set(said) == set(ADVICE)
    for check_id, line in said.items():
        assert line == f"❌ {check_id}: {checks.NOT_ANSWERED}\n", line


@pytest.mark.parametrize("check_id", list(ADVICE))
def test_each_plausible_mistake_gets_its_advice(check_id, before_checks, key_file):
    namespace, expression = before_checks[check_id]
    key = {**key_file["checks"][check_id], "notebook": PRIMER}
    for code, advice in ADVICE[check_id]:
        with contextlib.redirect_stdout(io.StringIO()):  # a function that prints, above
            answer = evaluate(code, namespace, expression)
        assert checks.judge(check_id, answer, key) == (
            False, f"❌ {check_id}: not yet: {advice}"), code


def test_show_progress_counts_a_set_but_not_the_practice(capsys):
    checks.show_progress(PRIMER)
    assert capsys.readouterr().out.startswith(f"{PRIMER} is practice: nothing in it is counted")
    checks.show_progress(GRADED)
    assert capsys.readouterr().out.startswith("Progress: 0 of ")


def test_the_grader_gradebook_and_release_leave_the_practice_out():
    # The grader and the gradebook both grade against load_instructor_notebooks.
    instructors = load_instructor_notebooks(SOLUTIONS)
    assert GRADED in instructors and PRIMER not in instructors
    released = load_solutions(SOLUTIONS)
    assert GRADED in released and PRIMER not in released
    assert practice_notebooks(SOLUTIONS) == [PRIMER]


def test_a_submitted_primer_is_reported_as_practice_not_graded(tmp_path):
    student = tmp_path / "ana"
    student.mkdir()
    for stem in (PRIMER, GRADED):
        (student / f"{stem}.ipynb").write_text("{}", encoding="utf-8")
    found = {s.path.stem: s for s in find_submissions(
        tmp_path, load_instructor_notebooks(SOLUTIONS), practice_notebooks(SOLUTIONS))}
    assert found[PRIMER].refused.startswith("practice, not graded: ")
    assert found[GRADED].notebook == GRADED and not found[GRADED].refused


def test_after_a_restart_a_primer_check_says_in_one_line_what_to_run():
    """The restart handler of the exercises (tests/test_restart.py) works in the primer: a
    check cell run first in a fresh kernel prints its one line, no traceback."""
    from jupyter_client.manager import KernelManager

    sources = {cell["id"]: cell.source for cell in nbformat.read(LESSON, as_version=4).cells}
    shown: list[dict] = []
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(LESSON.parent))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(sources["p4-check"], timeout=60,
                                           output_hook=lambda message: shown.append(message))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    errors = [m["content"]["traceback"] for m in shown if m["msg_type"] == "error"]
    assert reply["content"]["status"] == "error"
    assert errors == [[checks.missing_name_line("p4-function", "per_nation")]]
