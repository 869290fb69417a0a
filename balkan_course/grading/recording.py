"""Recording keys, and the cells only authors write: `wrong_answers` and `hidden_rows`.

In record mode (BALKAN_COURSE_RECORD_KEYS=path, set by `make exercises` and by the release of
variants), every `check(...)` of a solution notebook records the solution's answer as its key,
with the author's declared wrong answers (`wrong_answers`, in a hidden `wrong-answers` cell) and
hand-made hidden test rows (`hidden_rows`), and the answer on hidden test data; the key file is
written again after every check. In self-test mode (BALKAN_COURSE_SELFTEST=path) every verdict,
and the verdict on each declared wrong answer, is saved for tests/test_checks.py.

The solutions import wrong_answers and hidden_rows from checks.py, which hands them over from
here on first use: a student's kernel never imports this module unless a check runs.
"""

from __future__ import annotations

import ast
import json
import os
import warnings
from pathlib import Path

from balkan_course.grading import hidden_data
from balkan_course.grading.canonical import _clean_options, canonical, kind_of
from balkan_course.grading.hidden_data import (
    _answer_cell,
    _checked_name,
    _rerun_hash,
    run_answer_cells,
)
from balkan_course.grading.judge import judge
from balkan_course.grading.keys import (
    RECORD_ENV,
    SELFTEST_ENV,
    load_keys,
    make_key,
    wrong_items,
)

_recorded: dict[str, dict] = {}
_test_rows: dict[str, dict] = {}  # check id -> {table: [rows]}, in record mode
_wrong: dict[str, dict] = {}
_made_keys: dict[str, tuple] = {}  # check id -> (its _recorded entry, its _wrong, its key)


def _record_path() -> Path | None:
    value = os.environ.get(RECORD_ENV)
    return Path(value) if value else None


def _selftest_path() -> Path | None:
    value = os.environ.get(SELFTEST_ENV)
    return Path(value) if value else None


def _write_record(path: Path) -> None:
    """Keys of the notebook being recorded, the whole file written on every call. A key is
    made again only when its check or its wrong answers were recorded again since (making
    every key on every call cost seconds per notebook)."""
    checks = {}
    for check_id, entry in _recorded.items():
        wrong = _wrong.get(check_id)
        made = _made_keys.get(check_id)
        if made is None or made[0] is not entry or made[1] is not wrong:
            # The cache holds the objects themselves, so `is` cannot match a recycled id.
            made = _made_keys[check_id] = (entry, wrong, make_key(
                check_id, entry["answer"], entry["options"], entry["hint"], wrong,
                entry.get("rerun")))
        checks[check_id] = made[2]
    data = {"notebook": path.stem, "order": list(_recorded), "checks": checks}
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _append_selftest(entry: dict) -> None:
    path = _selftest_path()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


SOLUTION_MARK = "# BEGIN SOLUTION"
_AUTHORS_CALLS = ("check", "wrong_answers", "hidden_rows")


def _authors_cell(code: str) -> bool:
    """A check or wrong-answers cell of a solution: it derives nothing a rerun needs."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True
    return any(isinstance(node, ast.Call) and (getattr(node.func, "id", None) in _AUTHORS_CALLS
                                               or getattr(node.func, "attr", None)
                                               in _AUTHORS_CALLS)
               for node in ast.walk(tree))


def _record_rerun(check_id: str, answer, options: dict) -> dict | None:
    """In record mode: the solution's answer on hidden test data, for the key, with what the
    rerun needs to compute it as the notebook does: the set-up statements that derive tables
    from the replaced ones (`setup`), and the earlier answers the answer reads (`derived`:
    their cells run again too, the student's own in the grader and the self-check)."""
    tables = options.get("rerun")
    name = _checked_name()
    found = _answer_cell(name) if (tables and name) else None
    if not found:
        return None
    rows = _test_rows.get(check_id, {})
    stray = sorted(set(rows) - set(tables))
    if stray:
        raise ValueError(f"{check_id}: test rows for {stray}, which the check does not rerun on")
    history = hidden_data._history()[:-1]  # the running check cell last
    at = max(i for i, code in enumerate(history) if name in hidden_data._assigned_names(code))
    before = history[:at]
    setup = hidden_data.setup_statements(
        [code for code in before if SOLUTION_MARK not in code and not _authors_cell(code)],
        list(tables))
    namespace = hidden_data._ipython().user_ns
    earlier: dict[str, str] = {}
    for code in before:
        if SOLUTION_MARK in code:
            for bound in hidden_data._assigned_names(code):
                earlier[bound] = code
    derived = sorted(n for n in hidden_data.read_names(found) if n in earlier and n != name
                     and n not in tables and kind_of(namespace.get(n)) == "table")
    value, why = run_answer_cells([*(earlier[n] for n in derived), found], name, namespace,
                                  list(tables), rows, setup)
    if why is not None:
        raise ValueError(f"{check_id}: the solution cannot run on hidden test data ({why})")
    kind = canonical(answer, _clean_options(options))["kind"]
    rerun = {"name": name, "tables": list(tables),
             "hash": _rerun_hash(check_id, value, kind, _clean_options(options))}
    if setup:
        rerun["setup"] = setup
    if derived:
        rerun["derived"] = derived
    if rows:
        rerun["rows"] = rows
    return rerun


def record_check(check_id: str, answer, hint: str | None, options: dict, path: Path) -> str:
    """`check(...)` in record mode: the solution's answer becomes the check's key (the key file
    at `path` is written again); returns the success line. Raises when the solution's own
    answer fails the key just made from it."""
    _recorded[check_id] = {"answer": answer, "options": options, "hint": hint,
                           "rerun": _record_rerun(check_id, answer, options)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _write_record(path)
        passed, message = judge(check_id, answer, make_key(
            check_id, answer, options, hint, _wrong.get(check_id)))
    if not passed:
        raise ValueError(f"the solution's own answer fails its check: {message}")
    return message


def hidden_rows(check_id: str, **tables: list[dict]) -> None:
    """Declare hand-made hidden test rows for a check that reruns on tables (`rerun=[...]`):
    hidden_rows("02-overlap-1999", events=[{"event_id": "test", "date_end": "1998-06-30"}]).
    Lives in the hidden `wrong-answers` cell, before the check; see with_test_rows."""
    if _record_path() is not None:
        _test_rows[check_id] = {table: [dict(row) for row in rows]
                                for table, rows in tables.items()}


def wrong_answers(check_id: str, answers: dict) -> None:
    """Declare plausible wrong answers for a check: {hint shown to the student: wrong value}.

    Lives in a hidden cell tagged `wrong-answers` (dropped from the exercises). The keys get
    each one's hash so the student sees the author's hint; the tests check each one fails.
    """
    record = _record_path()
    if record is not None:
        _wrong[check_id] = dict(answers)
        if check_id in _recorded:
            _write_record(record)
        return
    if _selftest_path() is None:
        return
    key = load_keys().get(check_id)
    for wrong_hint, value in wrong_items(answers):
        passed, message = judge(check_id, value, key) if key else (False, "no key")
        _append_selftest({"check_id": check_id, "role": "wrong", "declared_hint": wrong_hint,
                          "passed": passed, "message": message})
    passed, message = judge(check_id, ..., key) if key else (False, "no key")
    _append_selftest({"check_id": check_id, "role": "unanswered", "passed": passed,
                      "message": message})
