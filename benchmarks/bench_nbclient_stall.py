"""How often does nbclient stall on a notebook's cells? Figures, not a test.

    python benchmarks/bench_nbclient_stall.py [NOTEBOOK] [--runs 20] [--timeout 30] [--cell ID]

Runs the notebook RUNS times in fresh kernels, as `jupyter nbconvert --execute` does (nbclient,
cell by cell), and prints, per run, the slowest cell and whether any cell waited out (nearly)
the whole cell timeout: the stall teachers would see as a hang (jupyter/nbclient#312 describes
the same symptom for cells with widgets). With --cell, prints that cell's time on every run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run_once(path: Path, timeout: int) -> dict[str, float]:
    """Seconds per cell id for one fresh-kernel run of the notebook."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                            resources={"metadata": {"path": str(path.parent)}})
    seconds = {}
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            started = time.perf_counter()
            client.execute_cell(cell, index)
            seconds[cell.get("id", str(index))] = time.perf_counter() - started
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", nargs="?", type=Path,
                        default=ROOT / "notebooks" / "00_start_here.ipynb")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=int, default=30, help="nbclient's cell timeout (s)")
    parser.add_argument("--cell", help="a cell id whose time to print on every run")
    args = parser.parse_args(argv)
    stalls, totals, watched = 0, [], []
    for run in range(1, args.runs + 1):
        seconds = run_once(args.notebook, args.timeout)
        slowest = max(seconds, key=seconds.get)
        stalled = seconds[slowest] >= 0.9 * args.timeout
        stalls += stalled
        totals.append(sum(seconds.values()))
        if args.cell:
            watched.append(seconds.get(args.cell, float("nan")))
        print(f"run {run:2d}: {totals[-1]:6.1f} s; slowest cell {slowest} "
              f"{seconds[slowest]:.1f} s{'  <- STALL' if stalled else ''}"
              + (f"; {args.cell} {watched[-1]:.2f} s" if args.cell else ""), flush=True)
    print(f"{args.notebook.name}: {stalls} stall(s) in {args.runs} runs; run time median "
          f"{statistics.median(totals):.1f} s, max {max(totals):.1f} s"
          + (f"; {args.cell} median {statistics.median(watched):.2f} s" if watched else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
