"""How fast is the grader? Prints figures; asserts nothing (machines differ).

    .venv/bin/python benchmarks/bench_grading.py [--n 20] [--notebook 00_start_here]

Grades N copies of a complete submission (the solution) three ways and prints, for each,
seconds per submission and the peak memory of the whole process tree (sampled with psutil):
- plain: each notebook executed with nbclient in a fresh kernel, one after the other (what
  nbgrader's autograde costs, give or take its bookkeeping);
- the grader with 1 worker and with 2 workers (the whole command: reading, sandbox, workers that
  run the notebooks and judge the answers' values, reports).
- the same two without prestarted kernels (--no-prestart), to show what parallel workers
  give when each notebook pays its own kernel start.
Then the ratios the issue asks for: grader (1 worker) / plain, and 1 worker / 2 workers.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from peak_memory import PeakMemory

ROOT = Path(__file__).resolve().parent.parent


def make_submissions(folder: Path, notebook: str, n: int) -> None:
    solution = ROOT / "solutions" / f"{notebook}.ipynb"
    for i in range(n):
        student = folder / f"student{i:03d}"
        student.mkdir(parents=True)
        shutil.copy(solution, student / solution.name)


PLAIN = """
import sys, pathlib, nbformat
from nbclient import NotebookClient
for path in sorted(pathlib.Path(sys.argv[1]).glob("*/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
"""


SPIN = ("import time; t = time.perf_counter(); sum(range(40_000_000)); "
        "print(time.perf_counter() - t)")


def cpu_parallelism() -> float:
    """How many CPUs' worth of work two busy processes get here (2.0 on two real cores)."""
    alone = float(subprocess.run([sys.executable, "-c", SPIN], capture_output=True,
                                 text=True).stdout)
    pair = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    together = max(float(process.communicate()[0]) for process in pair)
    return 2 * alone / together


def timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        _, errors = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        sys.exit(f"{command[:4]} failed:\n{errors[-2000:]}")
    return seconds, memory.peak


def print_phases(out: Path, total: float, n: int) -> None:
    """Where the 1-worker run's time went, from the timings each result records."""
    import json

    phases: dict[str, float] = {}
    for path in (out / "results").glob("*/*.json"):
        for phase, seconds in json.loads(path.read_text())["timings"].items():
            phases[phase] = phases.get(phase, 0.0) + seconds
    in_jobs = sum(phases.values())
    print("  per submission: " + ", ".join(f"{phase} {seconds / n:.2f} s"
                                          for phase, seconds in phases.items())
          + f"; outside the notebooks (start, reading, reports) {(total - in_jobs) / n:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="number of submissions")
    parser.add_argument("--notebook", default="00_start_here")
    parser.add_argument("--quick", action="store_true",
                        help="only plain nbclient and the grader with 1 worker (the ratio)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        make_submissions(work / "submissions", args.notebook, args.n)
        runs = {"plain nbclient, serial": [sys.executable, "-c", PLAIN,
                                           str(work / "submissions")]}
        for prestart in (True,) if args.quick else (True, False):
            for workers in (1,) if args.quick else (1, 2):
                name = f"grader, {workers} worker{'s' if workers > 1 else ''}"
                out = work / f"out{workers}{'' if prestart else '-no-prestart'}"
                runs[name + ("" if prestart else ", no prestart")] = [
                    sys.executable, "-m", "balkan_course.grading", str(work / "submissions"),
                    "--out", str(out), "--workers", str(workers),
                    *([] if prestart else ["--no-prestart"])]
        figures = {}
        print(f"{args.n} copies of solutions/{args.notebook}.ipynb, "
              f"{psutil.cpu_count()} CPUs giving {cpu_parallelism():.2f}x the work of one "
              "when two processes are busy\n")
        print(f"{'run':40} {'total s':>8} {'s/submission':>13} {'peak MB (tree)':>15}")
        for name, command in runs.items():
            seconds, peak = timed(command)
            figures[name] = seconds
            print(f"{name:40} {seconds:8.1f} {seconds / args.n:13.2f} {peak / 2**20:15.0f}")
        plain = figures["plain nbclient, serial"]
        one = figures["grader, 1 worker"]
        print(f"\ngrader 1 worker / plain nbclient: {one / plain:.2f}x (target <= 0.25x)")
        print_phases(work / "out1", one, args.n)
        if args.quick:
            return
        two = figures["grader, 2 workers"]
        print(f"grader 2 workers / plain nbclient: {two / plain:.2f}x")
        print(f"speed-up of 2 workers over 1:     {one / two:.2f}x (target >= 1.8x)")
        cold_one = figures["grader, 1 worker, no prestart"]
        cold_two = figures["grader, 2 workers, no prestart"]
        print(f"  the same without prestarted kernels: {cold_one / cold_two:.2f}x "
              f"({cold_one / plain:.2f}x and {cold_two / plain:.2f}x plain); prestarting "
              "already puts the next kernel's start-up on the other CPU")
        for workers in (1, 2):
            grades = (work / f"out{workers}" / "grades.csv").read_text().splitlines()[1:]
            full = sum(1 for row in grades if ",100.0,ok" in row)
            print(f"check: {full} of {len(grades)} rows at 100% with {workers} worker(s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
