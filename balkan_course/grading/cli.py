"""`python -m balkan_course.grading SUBMISSIONS --out OUT`: grade a class (docs/grading.md).

    python -m balkan_course.grading SUBMISSIONS_DIR --out OUT_DIR [--workers N] [--cell-timeout S]

The command line of the pipeline in grade.py, and nothing else: the top of the grader's layers
(docs/grading.md, "Architecture"), so nothing imports it back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from balkan_course.grading.grade import grade
from balkan_course.grading.instructor import SOLUTIONS_DIR, GradingSetupError
from balkan_course.grading.report import status_of
from balkan_course.grading.shards import parse_shard


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of <student>/NN_name.ipynb")
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=float, default=600,
                        help="seconds per notebook, all cells together")
    parser.add_argument("--memory-mb", type=int, default=2000, help="memory per kernel")
    parser.add_argument("--output-kb", type=int, default=256, help="output allowed per cell")
    parser.add_argument("--isolation", choices=("auto", "on", "off"), default="auto",
                        help="run kernels in a sandbox of namespaces (auto: when possible)")
    parser.add_argument("--hide", action="append", default=[],
                        help="(sandbox) another folder kernels must not see, e.g. a copy of "
                             "the solutions")
    parser.add_argument("--no-prestart", action="store_true",
                        help="do not start the next kernel ahead of time")
    parser.add_argument("--kernel-uid-base", type=int, default=None,
                        help="(as root, e.g. in a container) run each kernel as its own "
                             "numeric user, starting at this uid")
    parser.add_argument("--regrade", action="store_true",
                        help="grade again even the submissions already graded in --out")
    parser.add_argument("--keep-work", action="store_true", help="keep the prepared jobs")
    parser.add_argument("--roster", type=Path, default=None,
                        help="roster.csv of a class released with per-student variants (make "
                             "release): each student is graded against their own variant")
    parser.add_argument("--class", dest="class_name", default=None,
                        help="the class name given to make release (with --roster)")
    parser.add_argument("--shard", type=parse_shard, default=None, metavar="K/N",
                        help="grade only shard K of N (1 <= K <= N); join the shards' outputs "
                             "with `python -m balkan_course.grading.shards merge`")
    args = parser.parse_args(argv)
    if args.kernel_uid_base is not None and os.geteuid() != 0:
        parser.error("--kernel-uid-base needs the grader to run as root (e.g. in a container)")
    started = time.monotonic()
    try:
        results = grade(args.submissions, args.out, args.solutions, args.workers,
                        args.cell_timeout, args.memory_mb, args.output_kb,
                        not args.no_prestart, args.kernel_uid_base, args.regrade, args.keep_work,
                        args.shard, args.notebook_timeout, args.isolation, tuple(args.hide),
                        roster=args.roster, class_name=args.class_name)
    except GradingSetupError as problem:
        print(f"cannot grade: {problem}", file=sys.stderr)
        return 2
    not_ok = sum(1 for r in results if status_of(r) != "ok")
    print(f"graded {len(results)} notebook(s) in {time.monotonic() - started:.1f} s; "
          f"{not_ok} with a status other than ok; reports in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
