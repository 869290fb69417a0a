"""Print each notebook's run time and peak memory, as a student's kernel would spend them.

Usage: .venv/bin/python benchmarks/bench_notebooks.py [NOTEBOOK ...]
       (default: every notebook in notebooks/, solutions/ and exercises/)

Each notebook runs top to bottom in a fresh kernel (nbclient), as "Restart Kernel and Run All"
does. Time is wall-clock from kernel start to the last cell; the kernel start and the imports
are included because a student waits for them too. Memory is the kernel process's peak
resident set, sampled every 20 ms. The lessons' target is under 10 s on one core and well
under Binder's 2 GB. This script prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from peak_memory import PeakMemory

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
TARGET_SECONDS = 10
# nbclient now and then waits out a cell's whole timeout in a notebook that shows widgets, then
# carries on with the right outputs (seen in lesson 00 in one run of five or so; it looks like
# jupyter/nbclient#312; JupyterLab and nbval are not affected). A short timeout keeps such a
# stall cheap, and a notebook over target is timed a second time.
CELL_TIMEOUT = 30


def run_notebook(path: Path) -> tuple[float, int, int]:
    """Execute one notebook; return (seconds, peak bytes, cells that raised)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    with PeakMemory() as memory:
        start = time.perf_counter()
        with client.setup_kernel():
            memory.pid = client.km.provisioner.process.pid
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
    errors = sum(
        any(output.get("output_type") == "error" for output in cell.get("outputs", []))
        for cell in notebook.cells if cell.cell_type == "code"
    )
    return seconds, memory.peak, errors


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to run (default: notebooks/, solutions/, exercises/)")
    paths = parser.parse_args(arguments).notebooks or [
        p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))
    ]
    print(f"{'notebook':48} {'seconds':>8} {'peak MB':>8} {'errors':>6}")
    for path in paths:
        seconds, peak, errors = run_notebook(path)
        flag = ""
        if seconds > TARGET_SECONDS:
            again, _, _ = run_notebook(path)
            flag = f"  <- over target; second run {again:.1f} s"
            if again <= TARGET_SECONDS and seconds >= CELL_TIMEOUT:
                flag += " (the first run hit the nbclient stall)"
        name = path.resolve().relative_to(ROOT)
        print(f"{str(name):48} {seconds:8.1f} {peak / 2**20:8.0f} {errors:6d}{flag}")
    print(f"(target: under {TARGET_SECONDS} s each on one core; {psutil.cpu_count()} cores here)")


if __name__ == "__main__":
    main(sys.argv[1:])
