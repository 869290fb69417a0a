"""The rerun on hidden test data cannot be skipped (issue 19, item B).

A question with hidden test data reruns the student's answer code on a changed copy of the
table; a filter that gives the right rows only by coincidence then gives other rows. Four
ways around it once kept the first verdict: a comment containing `check(` in the answer cell
(the cell was found by searching its text), `x, = [...]` (not seen as assigning x), code that
raises or assigns nothing on the changed table, and rerun helpers patched in the kernel (a
rerun that gave no value counted as passed). Each now fails the check, in the real grader
and in the self-check, while honest answers (split over an added cell, unpacked, reading a
name from an earlier question, with a check call of their own) still pass.

The course is a small drill built here (its keys recorded from its solution, as `make
exercises` does): a question without hidden data, then one with it.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from hostile_submissions import write_drill_notebook
from jupyter_client.manager import KernelManager

from balkan_course import load_table
from balkan_course.grading import answers, checks, hidden_data, runner
from balkan_course.grading import grade as grading
from balkan_course.grading import keys as key_files
from balkan_course.grading.build import build

NOTEBOOK = "00_rerun_drill"
RERUN_ID, PLAIN_ID = "00-kfor-rows", "00-n-rows"
SETUP = ("from balkan_course import load_table\n"
         "from balkan_course.grading.checks import check\n\n"
         'troop_figures = load_table("troop_figures")')
RIGHT_FILTER = ('troop_figures[(troop_figures["mission_id"] == "kfor")\n'
                '              & (troop_figures["measure"] == "strength")]')
# Right on the course's table, by coincidence: on the changed copy (figures x 1.37) it is not.
BY_VALUE = ('troop_figures[(troop_figures["mission_id"] == "kfor")\n'
            '              & troop_figures["value"].between(4000, 6000)]')
REAL_ROWS = len(load_table("troop_figures"))
DRILL = [  # (id, type, tags, metadata, source)
    ("intro", "markdown", [], {}, "# Drill: hidden test data"),
    ("setup", "code", [], {}, SETUP),
    ("q1-prompt", "markdown", [], {}, "## Exercise 1 (1 point)\nThe number of rows, `n_rows`."),
    ("q1-answer", "code", ["answer"], {}, "# BEGIN SOLUTION\nn_rows = len(troop_figures)\n"
                                          "# STUB: n_rows = ...\n# END SOLUTION"),
    ("q1-check", "code", ["check"], {"check_id": PLAIN_ID, "points": 1},
     f'check("{PLAIN_ID}", n_rows)'),
    ("q2-prompt", "markdown", [], {}, "## Exercise 2 (2 points)\nKFOR's strength figures, "
                                      "`kfor_rows`."),
    ("q2-answer", "code", ["answer"], {}, f"# BEGIN SOLUTION\nkfor_rows = {RIGHT_FILTER}\n"
                                          "# STUB: kfor_rows = ...\n# END SOLUTION"),
    ("q2-check", "code", ["check"], {"check_id": RERUN_ID, "points": 2},
     f'check("{RERUN_ID}", kfor_rows, ignore_row_order=True, rerun=["troop_figures"])'),
]

PATCH_HELPERS = """
import balkan_course.grading.hidden_data as helpers_module
helpers_module.rerun_answer = lambda *args, **kwargs: ...
helpers_module.run_answer_cells = lambda sources, name, namespace, *rest: (namespace[name], None)
helpers_module.perturbed = lambda frame, keep=frozenset(): frame
helpers_module.with_test_rows = lambda frame, rows: frame
"""

# student -> (answer cells by id, added cells as (after cell id, source), passes q2?)
HONEST = {
    "a_right": ({"q2-answer": f"kfor_rows = {RIGHT_FILTER}"}, []),
    "a_split_over_an_added_cell": (
        {"q2-answer": 'kfor_rows = troop_figures[is_kfor & (troop_figures["measure"] == '
                      '"strength")]'},
        [("q2-prompt", 'is_kfor = troop_figures["mission_id"] == "kfor"')]),
    "a_unpacked": ({"q2-answer": f"kfor_rows, = [{RIGHT_FILTER}]"}, []),
    "a_walrus": ({"q2-answer": f"print(len(kfor_rows := {RIGHT_FILTER}))"}, []),
    "a_reads_an_earlier_name": (
        {"q1-answer": 'n_rows = len(troop_figures)\nmission = "kfor"',
         "q2-answer": 'kfor_rows = troop_figures[(troop_figures["mission_id"] == mission) & '
                      '(troop_figures["measure"] == "strength")]'}, []),
    "a_checks_in_its_answer_cell": (
        {"q2-answer": f"kfor_rows = {RIGHT_FILTER}  # check(...) below, as I like it\n"
                      f'check("{RERUN_ID}", kfor_rows)'}, []),
}
HOSTILE = {
    "h_comment_with_check": ({"q2-answer": f"kfor_rows = {BY_VALUE}  # check( skip me"}, []),
    "h_unpacking": ({"q2-answer": f"kfor_rows, = [{BY_VALUE}]"}, []),
    "h_starred": ({"q2-answer": f"*_, kfor_rows = [0, {BY_VALUE}]"}, []),
    "h_raises_on_test_data": (
        {"q2-answer": f"if len(troop_figures) != {REAL_ROWS}:\n"
                      "    raise ValueError('not the real table')\n"
                      f"kfor_rows = {BY_VALUE}"}, []),
    "h_no_value_on_test_data": (
        {"q2-answer": f"kfor_rows = {BY_VALUE}\nif len(troop_figures) != {REAL_ROWS}:\n"
                      "    del kfor_rows"}, []),
    "h_patches_rerun_helpers": (
        {"q1-answer": "n_rows = len(troop_figures)\n" + PATCH_HELPERS,
         "q2-answer": f"kfor_rows = {BY_VALUE}"}, []),
}
# How each hostile case fails: the code was run again and gave another answer, or none.
ANOTHER_ANSWER, NO_VALUE = checks.RERUN_HINT[:60], "so it cannot be checked"
HOW = {"h_comment_with_check": ANOTHER_ANSWER, "h_unpacking": ANOTHER_ANSWER,
       "h_starred": ANOTHER_ANSWER, "h_raises_on_test_data": "raised ValueError",
       "h_no_value_on_test_data": "did not assign kfor_rows",
       "h_patches_rerun_helpers": ANOTHER_ANSWER}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """(solutions folder, keys folder, exercise notebook path) of the drill, keys recorded."""
    folder = tmp_path_factory.mktemp("rerun-drill")
    solutions, exercises, keys = folder / "solutions", folder / "exercises", folder / "keys"
    solutions.mkdir()
    write_drill_notebook(solutions / f"{NOTEBOOK}.ipynb", DRILL)
    build(solutions, exercises, keys)
    return solutions, keys, exercises / f"{NOTEBOOK}.ipynb"


@pytest.fixture(scope="module")
def drill_keys(course):
    _, keys, _ = course
    return json.loads((keys / f"{NOTEBOOK}.json").read_text())["checks"]


def student_notebook(exercise_path, answers_by_id: dict, added: list[tuple[str, str]]):
    """The exercise with these answers (question 1 answered right unless given) and cells."""
    nb = nbformat.read(exercise_path, as_version=4)
    answers_by_id = {"q1-answer": "n_rows = len(troop_figures)", **answers_by_id}
    for cell in nb.cells:
        if cell["id"] in answers_by_id:
            cell.source = answers_by_id[cell["id"]]
    for after, source in added:
        index = next(i for i, c in enumerate(nb.cells) if c["id"] == after)
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def test_the_drill_key_asks_for_hidden_data(drill_keys):
    assert drill_keys[RERUN_ID]["facts"]["rerun"]["tables"] == ["troop_figures"]
    assert "rerun" not in drill_keys[PLAIN_ID]["facts"]


# ---------------------------------------------------------------- the real grader


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    solutions, keys, exercise = course
    folder = tmp_path_factory.mktemp("rerun-class")
    submissions, out = folder / "submissions", folder / "out"
    for student, (answers_by_id, added) in {**HONEST, **HOSTILE}.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(student_notebook(exercise, answers_by_id, added),
                       submissions / student / f"{NOTEBOOK}.ipynb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(checks.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})
        results = grading.grade(submissions, out, solutions, workers=2, cell_timeout=30,
                                memory_mb=1500, preload=False)
    return {result["student"]: result for result in results}


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_answers_still_pass_in_the_grader(graded, student):
    result = graded[student]
    assert result["checks"][RERUN_ID]["awarded"] == 2, result["checks"][RERUN_ID]["shown"]
    assert result["checks"][PLAIN_ID]["awarded"] == 1


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_each_way_around_the_rerun_fails_in_the_grader(graded, student):
    result = graded[student]
    check = result["checks"][RERUN_ID]
    assert check["awarded"] == 0, check["shown"]
    assert HOW[student] in check["shown"], check["shown"]
    assert result["checks"][PLAIN_ID]["awarded"] == 1  # a check without hidden data: as before


def test_the_job_records_each_checks_answer_cells_by_structure(course):
    """make_job gives every check part the sources of its answer cells (the instructor's
    answer cells and the cells added since the previous check), whatever they say."""
    solutions, _, exercise = course
    instructor = nbformat.read(solutions / f"{NOTEBOOK}.ipynb", as_version=4)
    answers_by_id, added = HOSTILE["h_comment_with_check"][0], [("q2-prompt", "helper = 1")]
    nb = json.loads(nbformat.writes(student_notebook(exercise, answers_by_id, added)))
    submission = grading.Submission("s", NOTEBOOK, exercise)
    job = grading.make_job(instructor, grading.validate_structure(nb, instructor, submission),
                           submission)
    parts = {p["check_id"]: p for c in job["cells"] for p in c.get("parts", [])}
    assert parts[RERUN_ID]["answer_sources"] == ["helper = 1", answers_by_id["q2-answer"]]
    assert parts[PLAIN_ID]["answer_sources"] == ["n_rows = len(troop_figures)"]


# ---------------------------------------------------------------- one kernel, direct


@pytest.fixture(scope="module")
def kernel(course):
    """A kernel with the drill's keys, for the self-check and for mutated graders."""
    _, keys, _ = course
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env={**os.environ, checks.KEYS_DIR_ENV: str(keys)})
    running = runner.Kernel(manager, runner.Limits(cell_timeout=60))
    assert running.run(SETUP).status == "ok"
    yield running
    running.close()


SELF_CHECK = f"""
import contextlib, io
_printed = io.StringIO()
with contextlib.redirect_stdout(_printed):
    check("{RERUN_ID}", kfor_rows)
self_check_line = _printed.getvalue()
"""


def self_check(kernel, student: str) -> str:
    """The line the self-check prints after the student's cells ran in the kernel."""
    answers_by_id, added = {**HONEST, **HOSTILE}[student]
    for source in [s for _, s in added] + list(answers_by_id.values()):
        kernel.run(source)
    assert kernel.run(SELF_CHECK).status == "ok"
    line = answers.decode(runner.request_values(kernel, ["self_check_line"])
                          ["self_check_line"]["ok"])
    reset(kernel)
    return line


def reset(kernel) -> None:
    """Undo a student's cells for the next one (silently: kept out of the cell history)."""
    assert kernel.run("import importlib, balkan_course.grading.checks as _c\n"
                      "import balkan_course.grading.hidden_data as _h\n"
                      "importlib.reload(_h)\nimportlib.reload(_c)\n"
                      "from balkan_course.grading.checks import check\n"
                      "for _name in ('kfor_rows', 'is_kfor', 'mission'):\n"
                      "    globals().pop(_name, None)", silent=True).status == "ok"


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_answers_pass_the_self_check(kernel, student):
    assert self_check(kernel, student).startswith(f"✅ {RERUN_ID}: correct")


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_each_way_around_the_rerun_fails_the_self_check(kernel, student):
    line = self_check(kernel, student)
    assert line.startswith(f"❌ {RERUN_ID}: not yet"), line
    assert HOW[student] in line, line


def test_the_self_check_says_when_it_cannot_find_the_answer_cell(kernel):
    """An answer bound at run time only (globals()[...]) cannot be told from the history."""
    assert kernel.run("get_ipython().run_line_magic('reset', '-f in')", silent=True
                      ).status == "ok"  # no earlier student's cell in the history
    kernel.run(f"globals()['kfor_rows'] = {RIGHT_FILTER}")
    assert kernel.run(SELF_CHECK).status == "ok"
    line = answers.decode(runner.request_values(kernel, ["self_check_line"])
                          ["self_check_line"]["ok"])
    reset(kernel)
    assert line.startswith(f"❌ {RERUN_ID}: not yet") and "cannot find the cell" in line


# ---------------------------------------------------------------- what holds (mutations)


def old_text_search(name: str, sources: list[str]) -> str | None:
    """The answer cell as it was once found: by searching the cells' text."""
    return next((s for s in reversed(sources)
                 if name in hidden_data._assigned_names(s) and "check(" not in s), None)


def judged(kernel, drill_keys, student: str) -> dict:
    """judge_part on the hidden-data question after the student's cells ran in the kernel."""
    answers_by_id, added = {**HONEST, **HOSTILE}[student]
    cells = [s for _, s in added] + [answers_by_id["q2-answer"]]
    for source in [s for _, s in added] + list(answers_by_id.values()):
        kernel.run(source)
    part = {"check_id": RERUN_ID, "names": ["kfor_rows"], "expression": "kfor_rows",
            "answer_sources": cells}
    result = runner.judge_part(part, kernel, {}, drill_keys)
    reset(kernel)
    return result


def test_the_structure_finds_the_cell_a_text_search_passed_over(kernel, drill_keys):
    """The comment trick: the text search finds no answer cell (so no rerun, and the first
    verdict stood); by the structure the cell is run again and gives another answer."""
    source = HOSTILE["h_comment_with_check"][0]["q2-answer"]
    assert old_text_search("kfor_rows", [SETUP, source]) is None
    result = judged(kernel, drill_keys, "h_comment_with_check")
    assert not result["passed"] and result["message"].endswith(checks.RERUN_HINT)


def test_every_assignment_form_is_seen():
    seen = {
        "x, = [1]": "x", "[a, (x, b)] = 1, (2, 3)": "x", "*_, x = [1, 2]": "x",
        "x: int = 3": "x", "x += 1": "x", "print(x := 2)": "x", "[y for y in (x := [1])]": "x",
        "for x in [1]: pass": "x", "with open('f') as (x, y): pass": "x",
        "import pandas as x": "x", "import x.path": "x", "from m import y as x": "x",
        "def x(): pass": "x", "class x: pass": "x", "def f():\n    global x\n    x = 1": "x",
        "match 1:\n    case [*x]: pass": "x", "a = x = 2": "x",
        "x = 1\nif False:\n    del x": "x",
    }
    for source, name in seen.items():
        assert name in hidden_data._assigned_names(source), source
    unseen = {"x: int": "x", "def f():\n    x = 1": "x", "x = 1\ndel x": "x",
              "obj.x = 1": "x", "d['x'] = 1": "x", "lambda: (x := 1)": "x",
              "x = 1\nif x:\n    del y\ndel x": "x",
              "# x = 1  check(": "x"}
    for source, name in unseen.items():
        assert name not in hidden_data._assigned_names(source), source


def test_without_failing_a_rerun_that_gives_no_value_those_answers_pass(
        kernel, drill_keys, monkeypatch):
    """Mutation: give a rerun without a value the old leniency (the first verdict stands):
    the answers that raise or assign nothing on the changed table pass again."""
    strict = hidden_data.hidden_data_failure

    def lenient(check_id, key, value, why):
        return None if why is not None else strict(check_id, key, value, why)

    for student in ("h_raises_on_test_data", "h_no_value_on_test_data"):
        assert not judged(kernel, drill_keys, student)["passed"]
    monkeypatch.setattr(hidden_data, "hidden_data_failure", lenient)
    for student in ("h_raises_on_test_data", "h_no_value_on_test_data"):
        assert judged(kernel, drill_keys, student)["passed"], student


OLD_STYLE_RERUN = (
    "from balkan_course.grading.hidden_data import run_answer_cells as _rerun\n"
    "_shell = get_ipython()\n"
    "_value, _why = _rerun([_shell.transform_cell(s) for s in {sources!r}], {name!r}, "
    "_shell.user_ns, {tables!r}, {rows!r})\n"
    "NAMESPACE = {{{name!r}: _value}} if _why is None else {{}}\n"
    "ERRORS = {{}} if _why is None else {{{name!r}: _why}}\n")


def test_the_rerun_does_not_reach_functions_the_student_can_rebind(
        kernel, drill_keys, monkeypatch):
    """Mutation: a rerun that imports its function from the course's module (as it once did)
    runs whatever the student put there; the rerun sent whole with the request does not.
    Shown with an honest answer and a student who replaced hidden_data.run_answer_cells with a
    function that gives no value: the rerun sent whole passes, the imported one fails."""
    sabotage = ("import balkan_course.grading.hidden_data as _h\n"
                "_h.run_answer_cells = lambda *args, **kwargs: (None, 'replaced by the student')")
    HONEST["a_sabotaged_helper"] = (
        {"q1-answer": "n_rows = len(troop_figures)\n" + sabotage,
         "q2-answer": f"kfor_rows = {RIGHT_FILTER}"}, [])
    try:
        assert judged(kernel, drill_keys, "a_sabotaged_helper")["passed"] is True

        def old_style(sources, name, tables, nonce, rows=None, setup=()):
            code = OLD_STYLE_RERUN.format(sources=list(sources), name=name, tables=tables,
                                          rows=rows or {})
            return (f"exec({code + answers._kernel_source()!r}, {{'__name__': 'old', "
                    f"'get_ipython': get_ipython, 'NAMES': [{name!r}], 'NONCE': {nonce!r}}})")

        monkeypatch.setattr(answers, "rerun_request_code", old_style)
        result = judged(kernel, drill_keys, "a_sabotaged_helper")
        assert not result["passed"] and "replaced by the student" in result["message"]
    finally:
        HONEST.pop("a_sabotaged_helper")
