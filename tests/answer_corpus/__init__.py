"""A corpus of student answers for every auto-graded check of the course.

One module per exercise set (``s00_start_here.py`` ... ``s08_capstone_briefing.py``), each with
``CORPUS = {check_id: {"right": [...], "wrong": [...]}}``. Every answer is a piece of code as a
student would type it into the answer cell: it assigns the answer's variable (the name the check
cell passes to ``check``). ``namespaces()`` rebuilds, for each check, the namespace a student has
when running the check cell: the solution notebook's code cells run in order in this process
(no kernel), with the check and wrong-answers cells left out.

Used by tests/test_answer_corpus.py and scripts/answer_corpus_figures.py.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import warnings
from pathlib import Path

import nbformat

from balkan_course.grading.cells import is_practice

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
SKIPPED_TAGS = {"wrong-answers", "check"}


def corpus_modules() -> dict[str, dict]:
    """notebook stem -> its CORPUS dict."""
    found = {}
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        try:
            module = importlib.import_module(f"{__name__}.s{path.stem}")
        except ModuleNotFoundError:
            found[path.stem] = {}
            continue
        found[path.stem] = module.CORPUS
    return found


def _check_calls(source: str) -> list[tuple[str, str]]:
    """(check_id, the source of the answer expression) of each call in a check cell (one per
    part of a question that gives points per part)."""
    tree = ast.parse(source)
    calls = [(node.args[0].value, ast.get_source_segment(source, node.args[1]))
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check"]
    if not calls:
        raise ValueError(f"no check(...) call in {source!r}")
    return calls


def _quiet_exec(code: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<cell>", "exec"), namespace)  # noqa: S102 - our own notebooks


@contextlib.contextmanager
def _no_chart_renderer():
    import balkan_course.charts as charts

    setup = charts.setup_charts
    charts.setup_charts = lambda *args, **kwargs: None  # no renderer needed outside a kernel
    try:
        yield
    finally:
        charts.setup_charts = setup


def _run_cells(nb, namespace: dict, with_checks: bool) -> dict[str, tuple[dict, str]]:
    """Run a notebook's code cells in order in `namespace`; return check_id -> (a copy of the
    namespace just before its check cell, the answer expression). The wrong-answers and check
    cells are left out, or, `with_checks`, run in a copy (the student's namespace stays as it
    was), with the history IPython would keep in `In`."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "check" in tags:
            for check_id, expression in _check_calls(cell.source):
                found[check_id] = (dict(namespace), expression)
        if tags & SKIPPED_TAGS and not with_checks or "raises-exception" in tags:
            continue  # (the primer shows an error on purpose: its cell is meant to fail)
        if with_checks:
            namespace["In"].append(cell.source)
        _quiet_exec(cell.source, dict(namespace) if tags & SKIPPED_TAGS else namespace)
    return found


def namespaces(stem: str, nb=None) -> dict[str, tuple[dict, str]]:
    """check_id -> (the namespace just before its check cell, the answer expression); of the
    solution notebook, or of `nb` (a version of it)."""
    nb = nb or nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    with _no_chart_renderer():
        return _run_cells(nb, {"__name__": "__corpus__"}, with_checks=False)


class _History:
    """What the checks read of IPython in record mode: the cells run so far (`In`), so that
    the hidden test data's rerun finds the answer cell, as in a kernel."""

    def __init__(self, namespace: dict):
        self.user_ns = namespace

    @staticmethod
    def transform_cell(source: str) -> str:
        return source


def recorded_version(nb, key_file: Path) -> tuple[dict[str, tuple[dict, str]], dict]:
    """A version of a solution run in this process in record mode, as `make release` records
    it in a kernel: (check_id -> (namespace before its check cell, answer expression), the
    keys its checks recorded, hidden test data included). The checks module's record state
    is restored after."""
    import os

    from balkan_course.grading import checks, hidden_data, recording
    from balkan_course.grading.keys import RECORD_ENV

    state = (recording._recorded, recording._wrong, recording._test_rows, checks._results,
             recording._made_keys, hidden_data._ipython)
    (recording._recorded, recording._wrong, recording._test_rows, checks._results,
     recording._made_keys) = {}, {}, {}, {}, {}
    before = os.environ.get(RECORD_ENV)
    os.environ[RECORD_ENV] = str(key_file)
    namespace: dict = {"__name__": "__corpus__", "In": [""]}
    hidden_data._ipython = lambda: _History(namespace)
    try:
        with _no_chart_renderer():
            found = _run_cells(nb, namespace, with_checks=True)
    finally:
        (recording._recorded, recording._wrong, recording._test_rows, checks._results,
         recording._made_keys, hidden_data._ipython) = state
        if before is None:
            os.environ.pop(RECORD_ENV, None)
        else:
            os.environ[RECORD_ENV] = before
    return found, json.loads(key_file.read_text(encoding="utf-8"))["checks"]


def answer_cells(stem: str, nb=None) -> dict[str, str]:
    """name -> the source of the last answer cell that assigns it, in the solution (or in `nb`,
    a version of it): the earlier answers a rerun on hidden data computes again."""
    from balkan_course.grading import hidden_data

    nb = nb or nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "answer" in cell.get("metadata", {}).get("tags", []):
            for name in hidden_data._assigned_names(cell.source):
                found[name] = cell.source
    return found


def fresh(namespace: dict) -> dict:
    """A copy of a namespace in which an answer may change tables without harming the next."""
    pandas = importlib.import_module("pandas")
    return {name: value.copy() if isinstance(value, pandas.DataFrame) else value
            for name, value in namespace.items()}


def evaluate(code: str, namespace: dict, expression: str):
    """Run one corpus answer in a copy of the namespace; return what the check cell passes."""
    scope = fresh(namespace)
    _quiet_exec(code, scope)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expression, scope)  # noqa: S307 - the check cell's own expression


def figures(judged, corpus: dict) -> dict[str, dict[str, int]]:
    """Per set: right answers accepted / written, wrong answers rejected / written (the wrong
    answers include the "undetected" ones, which the checks accept)."""
    counts = {}
    for stem in sorted(corpus):
        records = judged(stem, corpus)
        right = [r for r in records if r["role"] == "right"]
        wrong = [r for r in records if r["role"] in ("wrong", "undetected")]
        counts[stem] = {"right": len(right), "accepted": sum(r["passed"] is True for r in right),
                        "wrong": len(wrong), "rejected": sum(r["passed"] is False for r in wrong)}
    return counts


def readme_sentence(counts: dict[str, dict[str, int]]) -> str:
    """The README's figures, one sentence, from the counts."""
    right = sum(c["right"] for c in counts.values())
    accepted = sum(c["accepted"] for c in counts.values())
    wrong = sum(c["wrong"] for c in counts.values())
    rejected = sum(c["rejected"] for c in counts.values())
    practice = [stem for stem in counts if is_practice(
        nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4))]
    sets = f"the {len(counts) - len(practice)} exercise sets" + (
        " and the primer's practice exercises" if practice else "")
    return (f"On the answer corpus ({right + wrong} answers to {sets}), "
            f"the checks accept {accepted} of {right} correct answers "
            f"({100 * accepted / right:.1f} %) and reject {rejected} of {wrong} wrong ones "
            f"({100 * rejected / wrong:.1f} %).")
