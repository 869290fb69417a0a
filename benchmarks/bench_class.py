"""A term's grading for a simulated class: prints figures; asserts nothing (machines differ).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_class.py [--students 30] [--sets 00 03]
        [--workers 2]

For every exercise set (or those named with --sets), makes one submissions folder of N
students from the set's solution: most students hand in the solution as it is, one in three
spoils the first answer (the solution's code, then the name set to None: a wrong value), and
one in ten leaves the first answer as the exercise's stub (not answered). Then it times the
teacher's command, `python -m balkan_course.grading SUBMISSIONS --out OUT --workers W`, once
per set, in a fresh process, and prints seconds per set and per student, and the class's mean
automatic score as a check that the grading ran. docs/term_plans.md quotes the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
ASSIGNED = re.compile(r"^(\w+)\s*=", flags=re.M)


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def source(cell: dict) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def first_answer(notebook: dict) -> dict:
    return next(c for c in notebook["cells"] if "answer" in tags(c) and c["cell_type"] == "code")


def spoiled(solution: dict) -> dict:
    """The solution with its first answer overwritten by a wrong value."""
    notebook = json.loads(json.dumps(solution))
    cell = first_answer(notebook)
    code = source(cell)
    name = ASSIGNED.findall(code)[-1]
    cell["source"] = f"{code}\n{name} = None  # a wrong answer\n{name}"
    return notebook


def unanswered(solution: dict, exercise: dict) -> dict:
    """The solution with its first answer put back to the exercise's stub."""
    notebook = json.loads(json.dumps(solution))
    cell = first_answer(notebook)
    stub = next(c for c in exercise["cells"] if c.get("id") == cell["id"])
    cell["source"] = source(stub)
    return notebook


def make_class(folder: Path, notebook_name: str, students: int) -> dict[str, int]:
    """N students' submissions of one set; how many of each kind were written."""
    solution = json.loads((ROOT / "solutions" / notebook_name).read_text(encoding="utf-8"))
    exercise = json.loads((ROOT / "exercises" / notebook_name).read_text(encoding="utf-8"))
    kinds = {"solution": 0, "wrong first answer": 0, "first answer left blank": 0}
    for i in range(students):
        if i % 10 == 9:
            notebook, kind = unanswered(solution, exercise), "first answer left blank"
        elif i % 3 == 1:
            notebook, kind = spoiled(solution), "wrong first answer"
        else:
            notebook, kind = solution, "solution"
        kinds[kind] += 1
        path = folder / f"student{i:02d}" / notebook_name
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(notebook), encoding="utf-8")
    return kinds


def mean_percent(out: Path) -> float:
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sum(float(row["percent"] or 0) for row in rows) / len(rows)


def grade(submissions: Path, out: Path, workers: int) -> float:
    command = [sys.executable, "-m", "balkan_course.grading", str(submissions),
               "--out", str(out), "--workers", str(workers)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"grading failed:\n{done.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30, help="class size (default 30)")
    parser.add_argument("--sets", nargs="*", default=None,
                        help="set numbers to run, e.g. 00 03 (default: every set)")
    parser.add_argument("--workers", type=int, default=2,
                        help="grading workers, as `make grade` (default 2)")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    if args.sets:
        names = [n for n in names if n.split("_")[0] in args.sets]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{date.today().isoformat()}, {platform.machine()}, {psutil.cpu_count()} CPUs, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GB, Python "
          f"{platform.python_version()}, load average {load:.1f} at the start; "
          f"{args.students} students per set, {args.workers} workers\n")
    print(f"{'set':28} {'seconds':>8} {'s/student':>10} {'mean %':>7}  class")
    work = Path(tempfile.mkdtemp(prefix="bench-class-"))
    total = 0.0
    try:
        for name in names:
            submissions = work / name / "submissions"
            kinds = make_class(submissions, name, args.students)
            out = work / name / "out"
            seconds = grade(submissions, out, args.workers)
            total += seconds
            made = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if n)
            print(f"{name.removesuffix('.ipynb'):28} {seconds:8.1f} "
                  f"{seconds / args.students:10.2f} {mean_percent(out):7.1f}  {made}",
                  flush=True)
        if names:
            print(f"\n{len(names)} sets: {total:.0f} s in all ({total / 60:.1f} min), "
                  f"{total / len(names):.0f} s a set, "
                  f"{total / len(names) / args.students:.2f} s per student and set")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
