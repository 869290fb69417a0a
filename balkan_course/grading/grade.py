"""Grade a class: one command, scores a teacher can defend (see docs/grading.md).

    python -m balkan_course.grading SUBMISSIONS_DIR --out OUT_DIR [--workers N] [--cell-timeout S]

SUBMISSIONS_DIR/<student>/NN_name.ipynb are the students' exercise notebooks. The pipeline:
1. load_instructor_notebooks: the solutions, whose check cells hold the expected output
   (a success line with a receipt only the right answer produces);
2. for each submission: load_submission (size, JSON, cells), validate_structure (cell ids,
   types, duplicates), merge_into_instructor_notebook: the INSTRUCTOR's notebook with only the
   students' answer cells swapped in by cell id; every non-check cell's output is ignored;
3. run_nbval: one pytest session with nbval over all prepared copies, in parallel, each in its
   own kernel and folder, with per-cell time, memory and output limits; nbval compares each
   check cell's output with the instructor's, outside the student's kernel; a point is
   awarded iff that comparison passes. grading_plugin writes each notebook's result on finish;
4. collect_results and write_reports: grades.csv, feedback/<student>.md,
   free_text/<notebook>__<check>.md, class_summary.csv and class_summary.png.
A re-run skips the submissions whose result is already on disk for the same file content.
"""

from __future__ import annotations

import sys

# Before nbformat is imported: see grading_kernel (saves ~1 s of start-up).
sys.modules.setdefault("rfc3987_syntax", None)

import argparse  # noqa: E402 (this whole block: after the line above, on purpose)
import copy  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402

from balkan_course.grading.build import (  # noqa: E402
    ANSWER,
    ANSWER_TEXT,
    CHECK,
    INSTRUCTOR_ONLY,
    TEXT_PLACEHOLDER,
    course_meta,
    source_of,
    stub_solution,
    tags,
)
from balkan_course.grading.gradebook import write_gradebook_outputs  # noqa: E402
from balkan_course.grading.plugin import (  # noqa: E402
    GRADING_META,
    result_path,
    write_json_atomically,
)
from balkan_course.grading.report import (  # noqa: E402
    checks_of,
    free_text_of,
    status_of,
    write_reports,
)
from balkan_course.grading.shards import parse_shard, select_shard, write_manifest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
SOLUTIONS_DIR = ROOT / "solutions"
MAX_SUBMISSION_BYTES = 20 * 2**20
CELL_TYPES = ("code", "markdown", "raw")


class GradingSetupError(RuntimeError):
    """The instructor's material cannot be graded against (nothing about a student)."""


@dataclass
class Submission:
    student: str
    notebook: str
    path: Path
    sha256: str = ""
    statuses: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- instructor's material


def load_instructor_notebooks(solutions_dir: Path) -> dict[str, nbformat.NotebookNode]:
    """The solution notebooks, refusing any whose check cells lack a stored success line."""
    instructors = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if CHECK not in tags(cell):
                continue
            check_id = course_meta(cell).get("check_id")
            text = "".join(o.get("text", "") for o in cell.get("outputs", []))
            if cell.get("execution_count") is None or not text.startswith(f"✅ {check_id}:") \
                    or "(receipt " not in text:
                # nbval does not compare an unrun cell: grading would then give every point away.
                raise GradingSetupError(f"{path}: check {check_id} has no stored success output; "
                                        "run `make exercises` to execute the solutions")
        instructors[path.stem] = nb
    if not instructors:
        raise GradingSetupError(f"no solution notebooks in {solutions_dir}")
    return instructors


# ---------------------------------------------------------------- one submission


def find_submissions(submissions_dir: Path, instructors: dict) -> list[Submission]:
    """SUBMISSIONS_DIR/<student>/NN_name.ipynb for every known NN_name (others are reported)."""
    found = []
    for student_dir in sorted(p for p in submissions_dir.iterdir() if p.is_dir()):
        if student_dir.name.startswith("."):
            continue
        for path in sorted(student_dir.glob("*.ipynb")):
            if path.stem in instructors:
                found.append(Submission(student_dir.name, path.stem, path))
            else:
                print(f"skipping {path}: no solution named {path.name}", file=sys.stderr)
    return found


def load_submission(submission: Submission) -> dict | None:
    """The submission's JSON, or None with a status saying why it cannot be graded."""
    try:
        if submission.path.stat().st_size > MAX_SUBMISSION_BYTES:
            submission.statuses.append("invalid notebook: file larger than 20 MB")
            return None
        raw = submission.path.read_bytes()
    except OSError as problem:
        submission.statuses.append(f"invalid notebook: cannot read the file ({problem})")
        return None
    submission.sha256 = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        submission.statuses.append("invalid notebook: not valid JSON (was it saved completely?)")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        submission.statuses.append("invalid notebook: no list of cells")
        return None
    if not data["cells"]:
        submission.statuses.append("invalid notebook: no cells")
        return None
    return data


@dataclass
class Structure:
    answers: dict[str, str]          # answer cell id -> the student's source
    texts: dict[str, str]            # answer-text cell id -> the student's text
    extra_code: dict[str | None, list[str]]  # preceding known cell id -> added code cells


def validate_structure(data: dict, instructor, submission: Submission) -> Structure:
    """Match the student's cells to the instructor's by cell id; report what does not match."""
    known = {cell["id"]: cell for cell in instructor.cells}
    by_id: dict[str, list[dict]] = {}
    extra: dict[str | None, list[str]] = {}
    previous_known = None
    malformed = 0
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES or not \
                isinstance(cell.get("source", ""), (str, list)):
            malformed += 1
            continue
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and cell_id in known:
            by_id.setdefault(cell_id, []).append(cell)
            previous_known = cell_id
        elif cell["cell_type"] == "code":
            extra.setdefault(previous_known, []).append(_text(cell.get("source", "")))
    if malformed:
        submission.statuses.append(f"{malformed} malformed cell(s) ignored")
    duplicated = sorted(cell_id for cell_id, cells in by_id.items() if len(cells) > 1)
    if duplicated:
        submission.statuses.append(f"duplicate cell ids (ignored): {', '.join(duplicated)}")
    missing, changed, lost = [], [], []
    answers, texts = {}, {}
    for cell_id, cell in known.items():
        if any(tag in tags(cell) for tag in INSTRUCTOR_ONLY):
            continue
        mine = by_id.get(cell_id, [])
        graded = ANSWER in tags(cell) or ANSWER_TEXT in tags(cell)
        if len(mine) != 1:
            if not mine:
                (lost if graded else missing).append(cell_id)
            continue
        if mine[0]["cell_type"] != cell.cell_type:
            changed.append(cell_id)
            continue
        if ANSWER in tags(cell):
            answers[cell_id] = _text(mine[0].get("source", ""))
        elif ANSWER_TEXT in tags(cell):
            texts[cell_id] = _text(mine[0].get("source", ""))
    if lost:
        submission.statuses.append("answer cells missing (graded as unanswered): "
                                   + ", ".join(lost))
    if changed:
        submission.statuses.append("cell type changed (graded as unanswered): "
                                   + ", ".join(changed))
    if missing:
        submission.statuses.append(f"deleted cells restored from the instructor's copy: "
                                   f"{', '.join(missing)}")
    return Structure(answers, texts, extra)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def merge_into_instructor_notebook(instructor, structure: Structure,
                                   submission: Submission) -> nbformat.NotebookNode:
    """The instructor's notebook with the student's answers in; only check outputs are compared."""
    merged = copy.deepcopy(instructor)
    cells = []
    added = 0

    def add_extra(after):
        nonlocal added
        for source in structure.extra_code.get(after, []):
            added += 1
            extra = nbformat.v4.new_code_cell(source=source,
                                              metadata={"tags": ["nbval-ignore-output"]})
            extra["id"] = f"student-added-{added}"
            cells.append(extra)

    add_extra(None)
    for cell in merged.cells:
        cell_tags = tags(cell)
        if any(tag in cell_tags for tag in INSTRUCTOR_ONLY):
            continue
        if ANSWER in cell_tags:
            cell.source = structure.answers.get(cell["id"], stub_solution(source_of(cell)))
        if ANSWER_TEXT in cell_tags:
            cell.source = structure.texts.get(cell["id"], TEXT_PLACEHOLDER)
        if cell.cell_type == "code" and CHECK not in cell_tags:
            cell.metadata["tags"] = [t for t in cell_tags if t != "raises-exception"] + \
                ["nbval-ignore-output"]
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        add_extra(cell["id"])
    merged.cells = cells
    free_text = {}
    for check_id, info in free_text_of(instructor).items():
        answer = structure.texts.get(info["cell_id"], "").strip()
        free_text[check_id] = {"points": info["points"],
                               "answer": answer if answer and answer != TEXT_PLACEHOLDER else ""}
    merged.metadata[GRADING_META] = {
        "student": submission.student,
        "notebook": submission.notebook,
        "submission_sha256": submission.sha256,
        "statuses": submission.statuses,
        "checks": checks_of(instructor),
        "free_text": free_text,
    }
    return merged


def unrunnable_result(submission: Submission, instructor) -> dict:
    """The result of a submission that could not be run: 0 for every check."""
    checks = {check_id: {"points": info["points"], "awarded": 0, "passed": False, "shown": "",
                         "ran": False} for check_id, info in checks_of(instructor).items()}
    free_text = {check_id: {"points": info["points"], "answer": ""}
                 for check_id, info in free_text_of(instructor).items()}
    return {"student": submission.student, "notebook": submission.notebook,
            "submission_sha256": submission.sha256, "statuses": submission.statuses,
            "checks": checks, "free_text": free_text, "seconds": 0}


def already_graded(results_dir: Path, submission: Submission) -> bool:
    path = result_path(results_dir, submission.student, submission.notebook)
    if not path.exists() or not submission.sha256:
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8"))["submission_sha256"] == \
            submission.sha256
    except (ValueError, KeyError):
        return False


# ---------------------------------------------------------------- the run


def run_nbval(work_dir: Path, results_dir: Path, workers: int, cell_timeout: float,
              memory_mb: int, output_kb: int, prestart: bool, uid_base: int | None) -> int:
    """One pytest session over every prepared notebook; returns pytest's exit code."""
    ini = work_dir / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "pytest", str(work_dir), "-c", str(ini), "--rootdir", str(work_dir),
        "-p", "no:cacheprovider", "-p", "balkan_course.grading.plugin",
        "--nbval", "--nbval-current-env", f"--nbval-cell-timeout={cell_timeout}",
        "--grading-results", str(results_dir), "--grading-work-dir", str(work_dir),
        f"--grading-memory-mb={memory_mb}",
        f"--grading-output-kb={output_kb}", "-q", "--color=no", "--no-header", "-rN",
        "--tb=no", "-W", "ignore::DeprecationWarning",
    ]
    # No sanitize file: only check cells are compared, and their lines are ours, exact.
    if workers > 1:
        command += ["-n", str(workers), "--dist", "loadfile"]
    else:
        command += ["-p", "no:xdist"]
    if not prestart:
        command.append("--grading-no-prestart")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    if uid_base is not None:
        command.append(f"--grading-uid-base={uid_base}")
        runtime = work_dir / "runtime"
        runtime.mkdir(mode=0o711, exist_ok=True)
        env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    completed = subprocess.run(command, cwd=work_dir, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    (results_dir.parent / "pytest.log").write_text(completed.stdout, encoding="utf-8")
    return completed.returncode


def check_kernel_user_can_start(uid_base: int) -> None:
    """In --kernel-uid-base mode, Python itself must be usable by an unprivileged user."""
    try:
        probe = subprocess.run([sys.executable, "-c", "import balkan_course.grading.checks"],
                               user=uid_base, group=uid_base, extra_groups=[],
                               capture_output=True, text=True, cwd="/",
                               env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)})
        problem = probe.stderr.strip()[-300:] if probe.returncode else ""
    except OSError as error:
        problem = str(error)
    if problem:
        raise GradingSetupError(
            f"a kernel cannot run as uid {uid_base}: {sys.executable} or the course files are "
            f"not readable by other users (e.g. installed under /root): {problem}")


def collect_results(results_dir: Path, submissions: list[Submission]) -> list[dict]:
    results = []
    for submission in submissions:
        path = result_path(results_dir, submission.student, submission.notebook)
        try:
            results.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            results.append({"student": submission.student, "notebook": submission.notebook,
                            "statuses": ["not graded: the run stopped before this notebook "
                                         "finished (run the command again)"],
                            "checks": {}, "free_text": {}, "missing": True})
    return results


# ---------------------------------------------------------------- the command


def grade(submissions_dir: Path, out_dir: Path, solutions_dir: Path = SOLUTIONS_DIR,
          workers: int = 2, cell_timeout: float = 60, memory_mb: int = 2000,
          output_kb: int = 256, prestart: bool = True, uid_base: int | None = None,
          regrade: bool = False, keep_work: bool = False,
          shard: tuple[int, int] | None = None) -> list[dict]:
    """Grade every submission (or shard K of N of them); returns the results (also written)."""
    instructors = load_instructor_notebooks(solutions_dir)
    if uid_base is not None:
        check_kernel_user_can_start(uid_base)
    submissions = find_submissions(submissions_dir, instructors)
    # Several machines (balkan_course/grading/shards.py): this run's stable part only.
    submissions = select_shard(submissions, shard)
    write_manifest(out_dir, shard, submissions)
    results_dir = out_dir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    if uid_base is not None:
        os.chmod(out_dir, 0o700)
    work_dir = Path(tempfile.mkdtemp(prefix="balkan-grading-"))
    try:
        to_run = 0
        for number, submission in enumerate(submissions):
            data = load_submission(submission)
            if not regrade and already_graded(results_dir, submission):
                continue
            instructor = instructors[submission.notebook]
            if data is None:
                write_json_atomically(
                    result_path(results_dir, submission.student, submission.notebook),
                    unrunnable_result(submission, instructor))
                continue
            structure = validate_structure(data, instructor, submission)
            merged = merge_into_instructor_notebook(instructor, structure, submission)
            # A folder of its own per submission: the kernel starts there.
            folder = work_dir / f"s{number:04d}"
            folder.mkdir(mode=0o700)
            target = folder / f"{submission.notebook}.ipynb"
            nbformat.write(merged, target)
            os.chmod(target, 0o600)
            to_run += 1
        if to_run:
            if uid_base is not None:
                os.chmod(work_dir, 0o711)
            run_nbval(work_dir, results_dir, workers, cell_timeout, memory_mb, output_kb,
                      prestart, uid_base)
    finally:
        if keep_work:
            print(f"prepared notebooks kept in {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
        results = collect_results(results_dir, submissions)
        write_reports(results, out_dir, instructors)
        # Written marks merged into totals, the tidy CSV and HTML pages (gradebook.py).
        for warning in write_gradebook_outputs(results, out_dir, instructors, submissions_dir):
            print(f"warning: {warning}", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of <student>/NN_name.ipynb")
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=2000, help="memory per kernel")
    parser.add_argument("--output-kb", type=int, default=256, help="output kept per cell")
    parser.add_argument("--no-prestart", action="store_true",
                        help="do not start the next kernel ahead of time")
    parser.add_argument("--kernel-uid-base", type=int, default=None,
                        help="(as root, e.g. in a container) run each kernel as its own "
                             "numeric user, starting at this uid")
    parser.add_argument("--regrade", action="store_true",
                        help="grade again even the submissions already graded in --out")
    parser.add_argument("--keep-work", action="store_true", help="keep the prepared copies")
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
                        args.shard)
    except GradingSetupError as problem:
        print(f"cannot grade: {problem}", file=sys.stderr)
        return 2
    not_ok = sum(1 for r in results if status_of(r) != "ok")
    print(f"graded {len(results)} notebook(s) in {time.monotonic() - started:.1f} s; "
          f"{not_ok} with a status other than ok; reports in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

