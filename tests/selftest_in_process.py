"""Run solution notebooks' code cells in this one Python process, in self-test mode, so each
`check` and each declared `wrong_answers` writes its verdict to <log_dir>/<stem>.jsonl.

    python tests/selftest_in_process.py LOG_DIR SOLUTION.ipynb ...

Used by tests/test_checks.py. The verdicts are those of the check functions, the same as in a
kernel (compared line for line when this replaced nine kernel runs, 38 s -> 5 s); nbval still
runs every solution in a real kernel. Charts are shown as text: no picture is needed here.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import nbformat

from balkan_course.charts import TEXT_ONLY_ENV
from balkan_course.grading.checks import RECORD_ENV, SELFTEST_ENV


def run(solution: Path, log: Path) -> None:
    os.environ[SELFTEST_ENV] = str(log)
    os.chdir(solution.parent)  # as a kernel started beside the notebook
    namespace = {"__name__": "__main__"}
    nb = nbformat.read(solution, as_version=4)
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{solution.name} cell {cell.get('id')}", "exec"),  # noqa: S102
                     namespace)


def main(argv: list[str]) -> int:
    log_dir, solutions = Path(argv[0]), [Path(p).resolve() for p in argv[1:]]
    os.environ[TEXT_ONLY_ENV] = "1"
    os.environ.pop(RECORD_ENV, None)
    for solution in solutions:
        run(solution, log_dir / f"{solution.stem}.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
