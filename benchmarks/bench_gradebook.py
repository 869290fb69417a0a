"""Figures for the gradebook round trip on a large made-up class (no kernel is started).

    .venv/bin/python benchmarks/bench_gradebook.py [--students 2000]

Prints: the time to import a Canvas download of that many notebooks; the time to write
totals.csv, grades_long.csv and one HTML page per student after a run; the time to export each
LMS's gradebook file; how evenly --shard spreads 10,000 names over 8 and 32 shards.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balkan_course.grading import gradebook, lms_import, shards  # noqa: E402
from balkan_course.grading.marking_desk import load_solutions  # noqa: E402
from balkan_course.grading.written_marks import Mark, save_marks, written_questions  # noqa: E402

NOTEBOOK = "00_start_here"


def timed(label: str, action):
    started = time.perf_counter()
    value = action()
    print(f"{time.perf_counter() - started:8.2f} s  {label}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    count = parser.parse_args().students
    exercise = (ROOT / "exercises" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    instructors = {NOTEBOOK: load_solutions(ROOT / "solutions")[NOTEBOOK]}
    checks = gradebook.checks_of(instructors[NOTEBOOK])
    questions = written_questions(instructors)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        archive = folder / "submissions.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for i in range(count):
                bundle.writestr(f"student{i:05d}_{10000 + i}_{50000 + i}_{NOTEBOOK}.ipynb",
                                exercise)
        print(f"{count} students, one notebook each ({archive.stat().st_size / 2**20:.1f} MB "
              "zip)")
        into = folder / "submissions"
        cells = lms_import.solution_cell_ids(ROOT / "solutions")
        timed("import the Canvas download", lambda: lms_import.import_archive(
            "canvas", archive, into, cells))
        out = folder / "out"
        results = []
        for i, student in enumerate(sorted(p.name for p in into.iterdir() if p.is_dir())):
            results.append({"student": student, "notebook": NOTEBOOK, "statuses": [],
                            "submission_sha256": "", "seconds": 1,
                            "checks": {c: {"points": p, "awarded": p * (i % 2), "passed": i % 2,
                                           "shown": "" if i % 2 else f"❌ {c}: not yet",
                                           "ran": True} for c, p in checks.items()},
                            "free_text": {cid: {"points": q["points"], "answer": "Because."}
                                          for (_, cid), q in questions.items()}})
        marks = {(r["student"], NOTEBOOK, cid): Mark(r["student"], NOTEBOOK, cid, 1, "Fine.")
                 for r in results[::2] for (_, cid) in questions}
        timed(f"save a marks file of {len(marks)} rows (atomically)",
              lambda: save_marks(out / "written_marks.csv", marks))
        timed("totals.csv, grades_long.csv and one HTML page per student",
              lambda: gradebook.write_gradebook_outputs(results, out, instructors, into))
        roster = folder / "roster.csv"
        roster.write_text("student,name,email,lms_user_id\n" + "".join(
            f"{r['student']},Student {i},s{i}@school.example,{10000 + i}\n"
            for i, r in enumerate(results)), encoding="utf-8")
        for r in results:
            path = out / "results" / r["student"] / f"{NOTEBOOK}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(r), encoding="utf-8")
        for lms in gradebook.LMS_CHOICES:
            timed(f"export the {lms} gradebook file", lambda lms=lms: gradebook.write_export(
                lms, out, instructors, roster))
    names = [f"student_{i:05d}" for i in range(10_000)]
    for n in (8, 32):
        sizes = [0] * n
        for name in names:
            sizes[shards.shard_of(name, n) - 1] += 1
        print(f"shards of 10,000 names, N={n}: {min(sizes)} to {max(sizes)} per shard "
              f"(expected {10_000 / n:.0f})")


if __name__ == "__main__":
    main()
