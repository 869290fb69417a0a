"""Grading a large class on several machines: `--shard K/N`, then one merge.

    python -m balkan_course.grading SUBMISSIONS --out shards/3 --shard 3/8     (on machine 3)
    python -m balkan_course.grading.shards merge shards/* --out grading_output \\
        --submissions SUBMISSIONS                                               (once, anywhere)

A shard is the set of students whose name hashes to K-1 modulo N (SHA-256 of the folder name):
- stable: a student's shard depends on nothing but their name and N, so adding a student
  moves nobody else, and re-running shard K grades the same students;
- whole students: all of a student's notebooks are in the same shard, so one feedback file
  per student is never split;
- balanced in expectation (a hash spreads names evenly; see docs for measured sizes).
Each shard run writes `shard.json` (K, N and the submissions it owned) next to its results.
`merge` checks that shards 1..N of the same N are all there and none overlaps, gathers their
result files into one results/ folder and writes the same reports a single run writes, with
the same code (report.write_reports and gradebook.write_gradebook_outputs): a merged output is
equal to a single run's, file for file (tested in tests/test_shards.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

from balkan_course.grading.gradebook import write_gradebook_outputs
from balkan_course.grading.instructor import (
    SOLUTIONS_DIR,
    GradingSetupError,
    load_instructor_notebooks,
    practice_notebooks,
)
from balkan_course.grading.progress import Progress
from balkan_course.grading.report import write_reports
from balkan_course.grading.runner import result_path
from balkan_course.grading.submissions import collect_results, find_submissions

SHARD_MANIFEST = "shard.json"
SHARD_PATTERN = re.compile(r"^(\d+)/(\d+)$")


class ShardError(ValueError):
    """Shard outputs that cannot be merged (missing, overlapping, of different N)."""


def parse_shard(text: str) -> tuple[int, int]:
    """`3/8` -> (3, 8); K counts from 1 (docs show the Kubernetes index, which starts at 0)."""
    match = SHARD_PATTERN.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"--shard wants K/N such as 2/8, not {text!r}")
    k, n = int(match[1]), int(match[2])
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard {text}: K must be between 1 and N")
    return k, n


def shard_of(student: str, shards: int) -> int:
    """The shard (1..N) a student belongs to."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def select_shard(submissions: list, shard: tuple[int, int] | None) -> list:
    """The submissions (objects with .student) of shard K of N; all of them if shard is None."""
    if shard is None:
        return submissions
    k, n = shard
    return [s for s in submissions if shard_of(s.student, n) == k]


def write_manifest(out_dir: Path, shard: tuple[int, int] | None, submissions: list) -> None:
    if shard is None:
        return
    manifest = {"shard": shard[0], "of": shard[1],
                "submissions": sorted([s.student, s.notebook] for s in submissions)}
    path = Path(out_dir) / SHARD_MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def read_manifests(shard_dirs: list[Path]) -> list[dict]:
    manifests = []
    for folder in shard_dirs:
        path = Path(folder) / SHARD_MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as problem:
            raise ShardError(f"{path}: not a shard's output ({problem}); was it graded with "
                             "--shard K/N?") from problem
        manifest["folder"] = Path(folder)
        manifests.append(manifest)
    sizes = {m["of"] for m in manifests}
    if len(sizes) != 1:
        raise ShardError(f"shards of different N cannot be merged: {sorted(sizes)}")
    n = sizes.pop()
    seen: dict[int, Path] = {}
    for m in manifests:
        if m["shard"] in seen:
            raise ShardError(f"shard {m['shard']}/{n} given twice: {seen[m['shard']]} and "
                             f"{m['folder']}")
        seen[m["shard"]] = m["folder"]
    missing = sorted(set(range(1, n + 1)) - set(seen))
    if missing:
        raise ShardError(f"shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing: run "
                         "them (or pass their folders) before merging")
    return sorted(manifests, key=lambda m: m["shard"])


def merge(shard_dirs: list[Path], out_dir: Path, submissions_dir: Path,
          solutions_dir: Path) -> list[dict]:
    """Join shard outputs into out_dir: the files a single run writes, from the same code."""
    manifests = read_manifests(shard_dirs)
    instructors = load_instructor_notebooks(solutions_dir)
    submissions = find_submissions(submissions_dir, instructors,
                                   practice_notebooks(solutions_dir))
    owned = {tuple(pair): m["shard"] for m in manifests for pair in m["submissions"]}
    strays = [f"{s.student}/{s.notebook}" for s in submissions
              if (s.student, s.notebook) not in owned]
    if strays:
        raise ShardError(f"{len(strays)} submission(s) belong to no shard (added after the "
                         f"shards ran?): {', '.join(strays[:10])}")
    # Three steps: copying is quick; the reports and the pages take the time of a class.
    with Progress("merge", total=3) as progress:
        progress.start("copying the shards' results")
        results = _gather_results(submissions, manifests, owned, Path(out_dir) / "results")
        progress.done("copying the shards' results")
        # Exactly what grade.grade does after its run, so the files are the same.
        progress.start("writing the reports")
        write_reports(results, Path(out_dir), instructors)
        progress.done("writing the reports")
        progress.start("writing the gradebook and its pages")
        exercises = [r for r in results if r["notebook"] in instructors
                     and not r.get("refused")]  # as grade.grade does
        for warning in write_gradebook_outputs(exercises, Path(out_dir), instructors,
                                               submissions_dir):
            print(f"warning: {warning}", file=sys.stderr)
        progress.done("writing the gradebook and its pages")
    return results


def _gather_results(submissions: list, manifests: list[dict], owned: dict,
                    results_dir: Path) -> list[dict]:
    """Each submission's result copied from its shard into results_dir; the results read."""
    results_dir.mkdir(parents=True, exist_ok=True)
    for submission in submissions:
        shard = owned[(submission.student, submission.notebook)]
        folder = next(m["folder"] for m in manifests if m["shard"] == shard)
        source = result_path(folder / "results", submission.student, submission.notebook)
        if source.exists():
            target = result_path(results_dir, submission.student, submission.notebook)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        else:  # not graded in its shard: never let an older merge's result stand in for it
            result_path(results_dir, submission.student, submission.notebook).unlink(
                missing_ok=True)
    return collect_results(results_dir, submissions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    join = commands.add_parser("merge", help="join shard outputs into one grading output")
    join.add_argument("shard_dirs", type=Path, nargs="+", help="the --out folders of the shards")
    join.add_argument("--out", type=Path, required=True)
    join.add_argument("--submissions", type=Path, required=True)
    join.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR)
    args = parser.parse_args(argv)
    try:
        results = merge(args.shard_dirs, args.out, args.submissions, args.solutions)
    except (ShardError, GradingSetupError) as problem:
        print(f"cannot merge: {problem}", file=sys.stderr)
        return 2
    print(f"merged {len(args.shard_dirs)} shard(s): {len(results)} notebook(s); reports in "
          f"{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
