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

import warnings

_results: dict[str, bool] = {}


def check(check_id: str, answer, *, hint: str | None = None, **options) -> None:
    """Print whether `answer` is right, with a hint when it is not. Never raises.

    Options (set by the author in the solution and recorded in the key): ignore_row_order,
    ignore_column_order, ignore_column_names, index_matters, digits, sorted_by={"col":
    "ascending"|"descending"}, decimals=n (rounding the prompt asks for), title="any"|"question"
    (what a chart's title must do). `hint` is shown when no more precise hint applies. The
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
    """Print how many of the notebook's checks passed in this session."""
    from balkan_course.grading import recording
    from balkan_course.grading.keys import load_keys

    keys = {check_id: key for check_id, key in load_keys().items()
            if key["notebook"] == notebook}
    if recording._record_path() is not None:
        keys = {check_id: {} for check_id in recording._recorded}
    if not keys:
        print(f"No checks are known for {notebook!r}.")
        return
    passed = [check_id for check_id in keys if _results.get(check_id)]
    width = 20
    filled = round(width * len(passed) / len(keys))
    print(f"Progress: {len(passed)} of {len(keys)} checks passed  "
          f"[{'#' * filled}{'.' * (width - filled)}]")
    for check_id in keys:
        if check_id not in _results:
            mark = "⏳ not run yet"
        else:
            mark = "✅ passed" if _results[check_id] else "❌ not yet"
        print(f"  {check_id}: {mark}")
    if len(passed) == len(keys):
        print("All done: well done! Remember to save the notebook before you hand it in.")
    elif _results:
        print("Keep going: re-run a check cell after changing its answer.")


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
