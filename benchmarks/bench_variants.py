"""What do per-student variants cost? Prints figures; asserts nothing (machines differ).

    .venv/bin/python benchmarks/bench_variants.py [--students 30] [--notebook 03_who_is_who]
        [--graded 6]

- release: `release.py` for a roster of N students, all notebooks, with an empty key cache
  (cold: every version's keys recorded by executing the solution) and again (warm: cached);
- grading: the same `--graded` submissions of one notebook (each student's own answers for
  their version) graded without and with the roster (the roster run builds each student's
  version of the instructor notebook and reads the cached keys), seconds for each run.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balkan_course.grading import grade as grading  # noqa: E402
from balkan_course.grading import variants  # noqa: E402
from balkan_course.grading.build import ANSWER, tags  # noqa: E402
from balkan_course.grading.release import release  # noqa: E402

CLASS = "bench-class"


def write_roster(path: Path, students: int) -> list[str]:
    ids = [f"student_{i:03d}" for i in range(students)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["student"], *[[s] for s in ids]])
    return ids


def own_answers(solution, version: int) -> dict[str, str]:
    nb = variants.variant_notebook(solution, version)
    return {c["id"]: c.source.replace("# BEGIN SOLUTION\n", "").replace("# END SOLUTION", "")
            for c in nb.cells if ANSWER in tags(c)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--notebook", default="03_who_is_who")
    parser.add_argument("--graded", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        roster = folder / "roster.csv"
        students = write_roster(roster, args.students)
        cache = folder / "cache"
        for label in ("cold", "warm"):
            started = time.monotonic()
            release(CLASS, roster, folder / "releases", cache_dir=cache)
            print(f"release, {args.students} students, all notebooks, {label} key cache: "
                  f"{time.monotonic() - started:.1f} s")
        versions = sum(len(list(p.glob("*.json"))) for p in cache.iterdir())
        print(f"  versions recorded: {versions}")
        # The grader reads build/variants/; warm it with this run's keys.
        variants.CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stem_folder in cache.iterdir():
            target = variants.CACHE_DIR / stem_folder.name
            target.mkdir(exist_ok=True)
            for key_file in stem_folder.glob("*.json"):
                (target / key_file.name).write_bytes(key_file.read_bytes())
        solution = nbformat.read(ROOT / "solutions" / f"{args.notebook}.ipynb", as_version=4)
        count = variants.variant_count(solution)
        submissions = folder / "submissions"
        for student in students[: args.graded]:
            version = variants.student_variant(CLASS, student, args.notebook, count)
            nb = nbformat.read(folder / "releases" / CLASS / student /
                               f"{args.notebook}.ipynb", as_version=4)
            answers = own_answers(solution, version)
            for cell in nb.cells:
                if cell["id"] in answers:
                    cell.source = answers[cell["id"]]
            (submissions / student).mkdir(parents=True)
            nbformat.write(nb, submissions / student / f"{args.notebook}.ipynb")
        for label, extra in (("without roster", {}),
                             ("with roster", {"roster": roster, "class_name": CLASS})):
            started = time.monotonic()
            results = grading.grade(submissions, folder / f"out-{label}", workers=2, **extra)
            seconds = time.monotonic() - started
            full = sum(all(c["passed"] for c in r["checks"].values()) for r in results)
            print(f"grading {args.graded} x {args.notebook} {label}: {seconds:.1f} s "
                  f"({full} with full marks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
