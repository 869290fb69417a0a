"""Run notebooks' code cells in this one plain Python process, one fresh namespace each, and
write what each code cell printed and raised to <out_dir>/<stem>.cells.json.

    python tests/notebooks_in_process.py OUT_DIR [--selftest] NOTEBOOK.ipynb ...

With --selftest, each `check` and each declared `wrong_answers` also writes its verdict to
<out_dir>/<stem>.jsonl (BALKAN_COURSE_SELFTEST). A notebook stops at its first error, as "Run
All" does. Charts are shown as text: no picture is needed here.

Why not a kernel each: tests/test_checks.py and tests/test_build_exercises.py need only what
the course's own code does, and one process does nine notebooks in a tenth of the time (the
verdicts were compared line for line with nine kernels' when this replaced them). Kernels
still run every lesson and solution (nbval) and every exercise (make test-browser).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from pathlib import Path

import nbformat

from balkan_course.charts import TEXT_ONLY_ENV
from balkan_course.grading.checks import RECORD_ENV, SELFTEST_ENV


def run(notebook: Path) -> list[dict]:
    """{id, stdout, error} of each code cell run, in order."""
    os.chdir(notebook.parent)  # as a kernel started beside the notebook
    namespace = {"__name__": "__main__"}
    ran = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        printed, error = io.StringIO(), None
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(cell.source, f"{notebook.name} cell {cell.get('id')}", "exec"),  # noqa: S102
                     namespace)
        except Exception:  # noqa: BLE001 - reported, as a notebook shows it
            # A cell tagged raises-exception (the primer's error to read) fails on purpose.
            if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                error = traceback.format_exc(limit=-3)
        ran.append({"id": cell.get("id"), "stdout": printed.getvalue(), "error": error})
        if error:
            break
    return ran


def main(argv: list[str]) -> int:
    out_dir, rest = Path(argv[0]), argv[1:]
    selftest = "--selftest" in rest
    notebooks = [Path(p).resolve() for p in rest if p != "--selftest"]
    os.environ[TEXT_ONLY_ENV] = "1"
    os.environ.pop(RECORD_ENV, None)
    for notebook in notebooks:
        if selftest:
            os.environ[SELFTEST_ENV] = str(out_dir / f"{notebook.stem}.jsonl")
        cells = run(notebook)
        (out_dir / f"{notebook.stem}.cells.json").write_text(json.dumps(cells, indent=1),
                                                              encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
