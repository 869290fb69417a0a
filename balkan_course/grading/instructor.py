"""The instructor's material a class is graded against: the solution notebooks.

load_instructor_notebooks reads solutions/ and refuses a check whose answer key is missing or
whose check cell the grader cannot read (GradingSetupError: nothing about a student). Practice
solutions (the primer) are left out: nothing in them is graded (practice_notebooks names them,
so that a submitted one is reported as practice). Each check
cell's `check(...)` calls become expressions the grader evaluates on the values it takes from a
student's kernel (check_expressions), with the imports of the instructor's set-up code
(grader_imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from balkan_course.grading.build import (
    ANSWER,
    CHECK,
    INSTRUCTOR_ONLY,
    check_parts,
    source_of,
    tags,
)
from balkan_course.grading.cells import is_practice
from balkan_course.grading.keys import load_keys

ROOT = Path(__file__).resolve().parent.parent.parent
SOLUTIONS_DIR = ROOT / "solutions"


class GradingSetupError(RuntimeError):
    """The instructor's material cannot be graded against (nothing about a student)."""


def load_instructor_notebooks(solutions_dir: Path) -> dict[str, nbformat.NotebookNode]:
    """The solution notebooks, refusing any check whose answer key is missing."""
    keys = load_keys()
    instructors = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if is_practice(nb):
            continue
        for cell in nb.cells:
            if CHECK in tags(cell):
                missing = [part for part in check_parts(cell) if part not in keys]
                if missing:
                    raise GradingSetupError(f"{path}: no answer key for {', '.join(missing)}; "
                                            "run `make exercises` to record the keys")
                check_expressions(cell)  # raises for a check cell the grader cannot read
        instructors[path.stem] = nb
    if not instructors:
        raise GradingSetupError(f"no solution notebooks in {solutions_dir}")
    return instructors


def practice_notebooks(solutions_dir: Path) -> list[str]:
    """The stems of the practice solutions (the primer): never graded."""
    return [path.stem for path in sorted(Path(solutions_dir).glob("*.ipynb"))
            if is_practice(nbformat.read(path, as_version=4))]


def check_expressions(cell) -> list[dict]:
    """[{check_id, expression, names}] of each check(...) call in an instructor's check cell:
    the expression is evaluated by the grader, on values taken from the student's kernel."""
    parts = []
    for node in ast.walk(ast.parse(source_of(cell))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", None)) == "check" and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)):
            continue
        expression = node.args[1]
        names = sorted({n.id for n in ast.walk(expression) if isinstance(n, ast.Name)})
        parts.append({"check_id": node.args[0].value, "expression": ast.unparse(expression),
                      "names": names})
    wanted = list(check_parts(cell))
    if sorted(p["check_id"] for p in parts) != sorted(wanted):
        raise GradingSetupError(f"check cell {cell.get('id')}: expected check(...) calls for "
                                f"{wanted}, found {[p['check_id'] for p in parts]}")
    return parts


def grader_imports(instructor) -> list[str]:
    """The import lines of the instructor's set-up code (a check may call what they import)."""
    lines = []
    for cell in instructor.cells:
        if cell.cell_type != "code" or {ANSWER, CHECK, *INSTRUCTOR_ONLY} & set(tags(cell)):
            continue
        try:
            tree = ast.parse(source_of(cell))
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, (ast.Import, ast.ImportFrom))]
    return lines
