"""The student-facing front of the grader: `check("00-columns", answer)` prints one friendly line.

This module holds only what a student's notebook calls: `check` and `show_progress`. Importing
it costs nearly nothing (no module of the course, no pandas); the judging is imported the first
time a check runs. The roles behind it, one file each (docs/grading.md, "Architecture"):

- budget.py: how large an answer may be and how long judging it may take;
- canonical.py: an answer's comparable form, whatever way it was written;
- keys.py: what an answer key holds (salted hashes, never answers) and where keys are read;
- hints.py and judge.py: the verdict and the one-line message that says what is wrong;
- hidden_data.py: a right answer computed again on a changed copy of its tables;
- recording.py: the solution's answers recorded as keys, and the authors' `wrong_answers` and
  `hidden_rows` cells.

On success `check` prints a receipt: a hash of the canonical answer under another salt than the
key's. The instructor's solution notebooks store those lines as expected outputs and the grader
compares them outside the student's kernel, so printing a fake success line earns nothing
without the right answer. Every accepted variant of an answer has the same canonical form (see
the tolerance rules in docs/authoring_exercises.md), so every accepted variant prints the same
line.

After a kernel restart (Binder's idle cut, Kernel → Restart, a notebook opened again) the
answers are still in the notebook but no longer in the kernel. A check cell run then would
stop on a NameError before `check` even runs; importing this module in IPython registers a
handler (`_install_missing_name_handler`) that turns a NameError in a cell that only checks
into one line saying what is missing and what to run (`missing_name_line`, which the grader's
feedback also uses), and leaves every other NameError to IPython's usual traceback.
`show_progress` reads the saved notebook to tell an answer waiting to be run again from one
not written yet.

Modes, chosen by environment variables (the builder and the tests set them; keys.py names
them): by default, judge the answer against the keys and print the verdict;
BALKAN_COURSE_RECORD_KEYS=path: the solution is running, record its answers as the keys;
BALKAN_COURSE_SELFTEST=path: judge, and also save every verdict (and the verdict on each
declared wrong answer) to a JSON file for tests/test_checks.py.

The names that lived here before the roles had files of their own (`wrong_answers` and
`hidden_rows`, which the solutions' wrong-answers cells import from here, `judge`, `make_key`,
`load_keys`, `KEYS_DIR`, ...) are still importable from this module: `__getattr__` below fetches
them from their new home on first use, so a kernel that only checks never imports them early.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings

_results: dict[str, bool] = {}

RUN_ABOVE = "Run → Run All Above Selected Cell"
CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([^"']+)["']""")  # as build.CHECK_CALL
FRONT_NAMES = ("check", "show_progress")  # what the set-up cell imports from here


def missing_name_line(check_id: str | None, name: str) -> str:
    """The one line for a check whose answer has no value: after a kernel restart in
    JupyterLab (the answer cell not run again), and in the grader's feedback (the answer cell
    did not set it). One wording for both, so a student reads the same advice twice."""
    if name in FRONT_NAMES:
        return (f"⏳ `{name}` is not defined yet: the set-up cell at the top has not run since "
                f"the kernel started: run the cells above first ({RUN_ABOVE}), then this one")
    where = f"❌ {check_id}: " if check_id else "❌ "
    return (f"{where}not answered: `{name}` has no value when this check runs: its answer cell "
            f"must set it ({name} = ...), and the cells above must have run since the kernel "
            f"started ({RUN_ABOVE})")


def check(check_id: str, answer, *, hint: str | None = None, **options) -> None:
    """Print whether `answer` is right, with a hint when it is not. Never raises, unless
    BALKAN_COURSE_STRICT=1 is set (a student's self-check under `pytest --nbval-lax`): then a
    miss also raises AssertionError with the same line, so the check's cell fails.

    Options (set by the author in the solution and recorded in the key): ignore_row_order,
    ignore_column_order, ignore_column_names, index_matters, digits, sorted_by={"col":
    "ascending"|"descending"}, decimals=n (rounding the prompt asks for), title="any"|"question"
    (what a chart's title must do), interaction="filter"|"legend" (an interactive chart judged
    by what each choice shows). `hint` is shown when no more precise hint applies. The
    rules for choosing them are in docs/authoring_exercises.md.
    """
    from balkan_course.grading import hidden_data, recording
    from balkan_course.grading.judge import judge
    from balkan_course.grading.keys import load_keys

    if hidden_data._in_rerun():
        return  # an answer cell that also checks, run again on hidden data: judged outside
    record = recording._record_path()
    if record is not None:
        message = recording.record_check(check_id, answer, hint, options, record)
        _results[check_id] = True
        print(message)
        return
    try:
        key = load_keys().get(check_id)
        if key is None:
            passed, message = False, (f"❌ {check_id}: there is no answer key for this check "
                                      "(ask your teacher)")
        else:
            with warnings.catch_warnings():
                # A warning printed here would change the output that the grader compares.
                warnings.simplefilter("ignore")
                passed, message = judge(check_id, answer, key)
                passed, message = _judge_on_hidden_data(check_id, key, passed, message)
    except Exception as problem:  # the check itself must never bury a student in a traceback
        passed, message = False, f"❌ {check_id}: the check failed to run ({problem!r})"
    _results[check_id] = passed
    if recording._selftest_path() is not None:
        recording._append_selftest({"check_id": check_id, "role": "answer", "passed": passed,
                                    "message": message})
    print(message)
    if not passed and os.environ.get("BALKAN_COURSE_STRICT") == "1":
        raise AssertionError(message)


RERUN_NO_CELL = ("right for this table, but the check cannot find the cell that computes "
                 "{name}, to run it again on a changed copy of the table: assign {name} in "
                 "the answer cell ({name} = ...), then run that cell and this one again")


def _judge_on_hidden_data(check_id: str, key: dict, passed: bool, message: str):
    """A right answer is run again on hidden test data when its check asks for it: the cells
    _rerun_attempts finds in the history of what ran (the kernel does not know the notebook's
    structure, which the grader uses). As in the grader, a rerun that gives no value fails.
    Without a history the verdict stands, and the grader reruns anyway: outside IPython (a
    plain Python process, as in the course's tests), or when the running cell is not in the
    history (a front end that runs cells without keeping them, as nbval does)."""
    from balkan_course.grading import hidden_data

    rerun = key.get("facts", {}).get("rerun")
    shell = hidden_data._ipython()
    if not passed or not rerun or shell is None or hidden_data._in_rerun():
        return passed, message
    cells = hidden_data._history()
    if not cells or not hidden_data._calls_check(cells[-1]):
        return passed, message
    attempts = hidden_data._rerun_attempts(rerun["name"], rerun["tables"], cells)
    if not attempts:
        return False, f"❌ {check_id}: not yet: " + RERUN_NO_CELL.format(name=rerun["name"])
    # The earlier answers this one reads (claims_voice, say) are computed again too, from
    # the last cells that made them, so that they change with the tables.
    earlier = [cell for cell in (hidden_data._answer_cell(derived)
                                 for derived in rerun.get("derived", [])) if cell]
    value, first_why = None, None
    for cells in attempts:
        value, why = hidden_data.run_answer_cells([*earlier, *cells], rerun["name"],
                                                  shell.user_ns, rerun["tables"],
                                                  rerun.get("rows"), rerun.get("setup", []))
        if why is None:
            break
        first_why = first_why or why
    failure = hidden_data.hidden_data_failure(check_id, key, value, why and first_why)
    return (False, failure) if failure else (passed, message)


def show_progress(notebook: str) -> None:
    """Print how many of the notebook's checks passed in this session. A check not run since
    the kernel started is told apart, from the saved notebook when it can be read, as
    "answered in the notebook" (run it again) or "not answered yet"."""
    from balkan_course.grading import recording
    from balkan_course.grading.keys import load_keys

    keys = {check_id: key for check_id, key in load_keys().items()
            if key["notebook"] == notebook}
    if recording._record_path() is not None:
        keys = {check_id: {} for check_id in recording._recorded}
    if keys and all(key.get("practice") for key in keys.values()):
        # The primer: each check's own line is its feedback; nothing is counted or graded.
        print(f"{notebook} is practice: nothing in it is counted or graded; each check's line "
              "says how you did.")
        return
    if not keys:
        print(f"No checks are known for {notebook!r}.")
        return
    passed = [check_id for check_id in keys if _results.get(check_id)]
    answered = saved_answers(notebook) if any(c not in _results for c in keys) else None
    width = 20
    filled = round(width * len(passed) / len(keys))
    print(f"Progress: {len(passed)} of {len(keys)} checks passed  "
          f"[{'#' * filled}{'.' * (width - filled)}]")
    waiting = 0
    for check_id in keys:
        if check_id in _results:
            mark = "✅ passed" if _results[check_id] else "❌ not yet"
        elif answered is None:
            mark = "⏳ not run yet"
        elif answered.get(check_id):
            mark = "📝 answered in the notebook, not run since the kernel started"
            waiting += 1
        else:
            mark = "⏳ not answered yet"
        print(f"  {check_id}: {mark}")
    if len(passed) == len(keys):
        print("All done: well done! Remember to save the notebook before you hand it in.")
    elif waiting:
        print(f"Your answers are still in the notebook: {waiting} only need running again "
              "since the kernel started (after a restart, a break or reopening the notebook): "
              "Run → Run All Cells.")
    elif answered is None and not _results:
        print("No check has run since the kernel started: if you answered some before a "
              "restart, your answers are still in the notebook: Run → Run All Cells.")
    elif _results:
        print("Keep going: re-run a check cell after changing its answer.")


def saved_notebook_path(notebook: str):
    """The notebook file this kernel runs, or None: JupyterLab 4 (jupyter-server 2) names it
    in JPY_SESSION_NAME; else NN_name.ipynb in the kernel's folder, where it starts."""
    from pathlib import Path

    session = os.environ.get("JPY_SESSION_NAME", "")
    for candidate in (Path(session) if session.endswith(".ipynb") else None,
                      Path.cwd() / f"{notebook}.ipynb"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def saved_answers(notebook: str) -> dict[str, bool] | None:
    """check id -> whether its answer cells (tagged `answer`, between the check before and
    this one) are filled in the saved notebook: no `...` stub left, some code. None when the
    notebook cannot be read."""
    import json

    path = saved_notebook_path(notebook)
    if path is None:
        return None
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found, section = {}, []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        cell_tags = (cell.get("metadata") or {}).get("tags") or []
        if "answer" in cell_tags:
            section.append(source)
        elif "check" in cell_tags:
            for check_id in CHECK_CALL.findall(source):
                found[check_id] = bool(section) and all(map(_filled, section))
            section = []
    return found


def _filled(source: str) -> bool:
    """An answer cell with code of its own: not the stub (`name = ...`, or only comments and
    the name shown at the end). Code that does not parse is filled (wrong, but written)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return True
    if any(isinstance(node, ast.Constant) and node.value is Ellipsis
           for node in ast.walk(tree)):
        return False
    return any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Name))
               for node in tree.body)


def _only_checks(source: str) -> bool:
    """A cell that only imports and calls check(...) or show_progress(...): a check cell or
    the progress cell, never a student's answer cell."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    calls = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    return bool(calls) and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id in FRONT_NAMES
        for node in calls)


def _missing_name_handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom handler for NameError (set_custom_exc): in a cell that only checks,
    an error whose text is the one line of missing_name_line, no traceback; anywhere else
    (an answer cell, a function called from the cell) IPython's usual traceback."""
    import linecache

    frame = tb
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    code = frame.tb_frame.f_code if frame is not None else None
    source = "".join(linecache.getlines(code.co_filename)) if code is not None else ""
    name = getattr(value, "name", None)
    if code is None or code.co_name != "<module>" or not name or not _only_checks(source):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    lines = source.splitlines()[:frame.tb_lineno]
    called = [found for line in lines for found in CHECK_CALL.findall(line)]
    # Still an error (the cell failed: nbval and Run All see it), whose whole "traceback" is
    # the one line: JupyterLab shows it alone.
    shell._showtraceback(etype, value, [missing_name_line(called[-1] if called else None,
                                                          name)])
    return None


def _install_missing_name_handler() -> None:
    """In an IPython kernel (already loaded: importing IPython here would cost a plain
    Python process its start-up), unless someone else's handler is set."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    if shell.custom_exceptions and not getattr(shell, "_balkan_course_handler", False):
        return
    shell.set_custom_exc((NameError,), _missing_name_handler)
    shell._balkan_course_handler = True


# Where each name that lived in this module before the split lives now.
_MOVED = {
    "budget": ("JUDGE_MAX_VALUES", "JUDGE_MAX_CHART_VALUES", "JUDGE_MAX_SECONDS", "TOO_LARGE",
               "TooLarge", "judging_budget", "check_size", "check_time", "too_large_message"),
    "canonical": ("DIGITS", "INDEX", "VALUES", "kind_of", "coerce", "canonical",
                  "chart_data_columns"),
    "keys": ("KEYS_DIR", "KEYS_DIR_ENV", "RELEASED_KEYS", "RECORD_ENV", "SELFTEST_ENV",
             "receipt", "make_key", "load_keys", "Several"),
    "hints": ("DECORATIVE_CHANNELS", "QUESTION_TITLE_WORDS"),
    "judge": ("NOT_ANSWERED", "judge"),
    "hidden_data": ("RERUN_HINT", "DECOY", "SCALE", "RERUN_FILENAME", "RERUN_FUNCTIONS",
                    "RERUN_NO_VALUE", "coded_columns", "perturbed", "with_test_rows",
                    "run_answer_cells", "rerun_answer", "rerun_source", "hidden_data_failure",
                    "rerun_judge"),
    "recording": ("wrong_answers", "hidden_rows"),
}


_install_missing_name_handler()


def __getattr__(name: str):
    """A name that moved out of this module, imported from its new home on first use
    (PEP 562): `from balkan_course.grading.checks import wrong_answers` keeps working. Any
    other name (the import system asks for `__path__` on every `from ... import`) imports
    nothing."""
    home = next((home for home, names in _MOVED.items() if name in names), None)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from balkan_course.grading import (
        budget,
        canonical,
        hidden_data,
        hints,
        judge,
        keys,
        recording,
    )

    homes = {"budget": budget, "canonical": canonical, "keys": keys, "hints": hints,
             "judge": judge, "hidden_data": hidden_data, "recording": recording}
    return getattr(homes[home], name)
