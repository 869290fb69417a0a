"""Grade a class: one command, scores a teacher can defend (see docs/grading.md).

    python -m balkan_course.grading SUBMISSIONS_DIR --out OUT_DIR [--workers N] [--cell-timeout S]

(the command line is cli.py). SUBMISSIONS_DIR/<student>/NN_name.ipynb are the students'
exercise notebooks. The pipeline, `grade`:
1. load_instructor_notebooks (instructor.py): the solutions (their set-up code, checks, points);
2. find_submissions (submissions.py): every file in every student folder gets a row, graded or
   not (symbolic links and device files are refused, near-miss names and sub-folders are
   matched and said);
3. for each submission: read_submission (capped, no links followed, JSON checked),
   validate_structure (by cell id, or by position and content when ids were stripped) and
   make_job: the INSTRUCTOR's set-up code and checks around the student's answer cells; with a
   roster, the student's own version of the notebook and its keys (release.ClassVariants);
4. run_workers: N worker processes (runner.py), each in a sandbox when the machine allows
   (sandbox.py: user, PID, mount and network namespaces: no network, the grader's folders
   hidden), run the jobs; a point is decided in the worker from the VALUE of the answer, judged
   there against the key, never from what the kernel prints; a worker that dies costs only its
   notebook;
5. collect_results, then write_reports (report.py) and write_gradebook_outputs (gradebook.py):
   grades.csv, feedback, written answers, class summary, totals, the long CSV, HTML pages.
A re-run skips the submissions whose result is already on disk for the same file content.

The names the pipeline's parts had when they lived here are importable from here still
(tests/test_grading_jail.py and others use them).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from balkan_course.grading.gradebook import write_gradebook_outputs
from balkan_course.grading.instructor import (  # noqa: F401 (names importable from here)
    ROOT,
    SOLUTIONS_DIR,
    GradingSetupError,
    check_expressions,
    grader_imports,
    load_instructor_notebooks,
    practice_notebooks,
)
from balkan_course.grading.progress import Progress
from balkan_course.grading.release import (  # noqa: F401
    ClassVariants,
    load_class_variants,
)
from balkan_course.grading.report import write_reports
from balkan_course.grading.runner import (
    HOST_SOCKETS,
    OPENING_SECONDS,
    result_path,
    write_json_atomically,
)
from balkan_course.grading.sandbox import (  # noqa: F401
    KERNEL_SANDBOX_FLAGS,
    SANDBOX_FLAGS,
    CourseChangedError,
    check_course_unchanged,
    check_kernel_user_can_start,
    course_digest,
    list_host_sockets,
    sandbox_available,
)
from balkan_course.grading.shards import select_shard, write_manifest
from balkan_course.grading.submissions import (  # noqa: F401
    MAX_SUBMISSION_BYTES,
    Structure,
    StudentCell,
    Submission,
    already_graded,
    collect_results,
    find_submissions,
    make_job,
    match_notebook_name,
    read_submission,
    unrunnable_result,
    validate_structure,
)
from balkan_course.grading.versions import variant_notebook


def import_everything_used_after_the_kernels() -> None:
    """Every module the grading process uses once kernels have run is imported before: even
    if a kernel could write a file of the course, nothing it wrote would be run here."""
    import importlib

    # checks.py imports its roles (budget ... recording) on first use, gradebook.py its pages.
    for module in ("checks", "budget", "canonical", "keys", "hints", "judge", "hidden_data",
                   "recording", "feedback_html", "build", "written_marks", "report",
                   "gradebook"):
        importlib.import_module(f"balkan_course.grading.{module}")


@dataclass
class RunOptions:
    workers: int = 2
    cell_timeout: float = 60
    notebook_timeout: float = 600
    memory_mb: int = 2000
    output_kb: int = 256
    prestart: bool = True
    uid_base: int | None = None
    sandbox: bool = False
    preload: bool = True
    jobs: int = 10**6  # how many notebooks the run has (no kernel is started beyond)
    hide: list[str] = field(default_factory=list)


def worker_command(options: RunOptions, work_dir: Path, results_dir: Path, index: int):
    command = [sys.executable, "-m", "balkan_course.grading.runner",
               # absolute: the worker runs in work_dir, where a relative --out means nothing
               "--results", str(results_dir.resolve()), "--work-dir", str(work_dir.resolve()),
               "--worker-index", str(index), "--cell-timeout", str(options.cell_timeout),
               "--notebook-timeout", str(options.notebook_timeout),
               "--memory-mb", str(options.memory_mb), "--output-kb", str(options.output_kb)]
    if not options.prestart:
        command.append("--no-prestart")
    if not options.preload:
        command.append("--no-preload")
    # One worker leaves a CPU free: two kernels start ahead, so a notebook shorter than a
    # kernel's start-up does not wait for the next one.
    command += ["--ahead", "2" if options.workers == 1 else "1",
                "--expected", str(-(-options.jobs // options.workers))]
    if options.uid_base is not None:
        command += ["--uid-base", str(options.uid_base)]
    if options.sandbox:
        command = ["unshare", *SANDBOX_FLAGS, *command, "--sandbox",
                   *[f"--hide={path}" for path in options.hide]]
    return command


def run_workers(jobs: list[tuple[Path, Submission, object]], options: RunOptions,
                work_dir: Path, results_dir: Path, log, progress: Progress | None = None) -> None:
    """Run every job on N worker processes; a worker that dies (killed by the notebook it ran,
    or past the notebook's time) costs that notebook only: it is replaced, the batch goes on.
    `progress` hears of each notebook as a worker takes it and as it finishes."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        JUPYTER_RUNTIME_DIR=str(work_dir / "runtime"))
    # Past this, the worker itself stopped answering (the opening cells' allowance, the
    # notebook's limit, then a margin for judging and writing).
    hard_limit = OPENING_SECONDS + options.notebook_timeout + 120

    def start(index):
        return subprocess.Popen(worker_command(options, work_dir, results_dir, index),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                text=True, cwd=work_dir, env=env, start_new_session=True)

    def serve(index):
        process, started = None, 0
        while True:
            try:
                job_path, submission, instructor = todo.get_nowait()
            except queue.Empty:
                break
            item = f"{submission.student}/{submission.notebook}"
            if progress is not None:
                progress.start(item)
            if process is None or process.poll() is not None:
                # A replacement worker gets an index no worker had: its kernels' folders and
                # user ids must not be those the dead worker's kernels still hold.
                process = start(index + options.workers * started)
                started += 1
            answered = _ask(process, job_path, hard_limit).startswith("done")
            if progress is not None:
                progress.done(item, "" if answered else "its worker stopped")
            if not answered:
                _end(process)
                process = None
                write_json_atomically(
                    result_path(results_dir, submission.student, submission.notebook),
                    unrunnable_result(submission, instructor,
                                      "the grading worker stopped while running this notebook "
                                      "(its code may have killed it): no points could be "
                                      "given"))
        if process is not None:
            try:
                process.stdin.close()
                process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                _end(process)

    threads = [threading.Thread(target=serve, args=(i,)) for i in range(options.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _ask(process, job_path: Path, timeout: float) -> str:
    """Hand a job to a worker; its answer line, or "" if it died or did not answer in time."""
    answer: list[str] = []
    try:
        process.stdin.write(f"{job_path}\n")
        process.stdin.flush()
    except OSError:
        return ""
    reader = threading.Thread(target=lambda: answer.append(process.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    return answer[0] if answer else ""


def _end(process) -> None:
    try:
        os.killpg(process.pid, 9)
    except OSError:
        pass
    process.wait()


# ---------------------------------------------------------------- the command


def grade(submissions_dir: Path, out_dir: Path, solutions_dir: Path = SOLUTIONS_DIR,
          workers: int = 2, cell_timeout: float = 60, memory_mb: int = 2000,
          output_kb: int = 256, prestart: bool = True, uid_base: int | None = None,
          regrade: bool = False, keep_work: bool = False,
          shard: tuple[int, int] | None = None, notebook_timeout: float = 600,
          isolation: str = "auto", hide: tuple[str, ...] = (), preload: bool = True,
          roster: Path | None = None, class_name: str | None = None) -> list[dict]:
    """Grade every submission (or shard K of N of them); returns the results (also written).
    With a roster and a class name, each student against their own variants."""
    # Absolute: the workers run in a folder of their own (`--out grading_output` was lost).
    submissions_dir, out_dir = Path(submissions_dir).resolve(), Path(out_dir).resolve()
    instructors = load_instructor_notebooks(solutions_dir)
    variants = load_class_variants(roster, class_name, solutions_dir)
    if uid_base is not None:
        check_kernel_user_can_start(uid_base)
    sandbox = isolation == "on" or (isolation == "auto" and uid_base is None
                                    and sandbox_available())
    if isolation == "on" and not sandbox_available():
        raise GradingSetupError("--isolation on: this machine cannot build the sandbox (user, "
                                "PID, mount, IPC and network namespaces with `unshare`, and "
                                "Linux 5.12 or newer for read-only mounts)")
    submissions = find_submissions(submissions_dir, instructors,
                                   practice_notebooks(solutions_dir))
    # Several machines (balkan_course/grading/shards.py): this run's stable part only.
    submissions = select_shard(submissions, shard)
    write_manifest(out_dir, shard, submissions)
    results_dir = out_dir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(out_dir, 0o700)
    work_dir = Path(tempfile.mkdtemp(prefix="balkan-grading-"))
    hidden = sorted({str(p.resolve()) for p in (
        solutions_dir, SOLUTIONS_DIR, submissions_dir, out_dir, work_dir, ROOT / ".git",
        *map(Path, hide)) if p.exists()})
    options = RunOptions(workers=workers, cell_timeout=cell_timeout,
                         notebook_timeout=notebook_timeout, memory_mb=memory_mb,
                         output_kb=output_kb, prestart=prestart, uid_base=uid_base,
                         sandbox=sandbox, hide=hidden, preload=preload)
    log = (out_dir / "grader.log").open("w", encoding="utf-8")
    untrusted = False
    try:
        jobs = []
        (work_dir / "jobs").mkdir(mode=0o700)
        for number, submission in enumerate(submissions):
            if submission.refused:
                continue
            data = read_submission(submission)
            instructor = instructors[submission.notebook]
            variant = variants.variant_of(submission, instructor) if variants else 0
            if not regrade and already_graded(results_dir, submission, variant):
                continue
            # The student's own version (the default without a roster): its set-up cells,
            # prompts and, below, its keys.
            instructor = variant_notebook(instructor, variant)
            if data is None:
                write_json_atomically(
                    result_path(results_dir, submission.student, submission.notebook),
                    unrunnable_result(submission, instructor))
                continue
            structure = validate_structure(data, instructor, submission)
            job_path = work_dir / "jobs" / f"{number:05d}.json"
            job = make_job(instructor, structure, submission)
            if variant:
                job.update(variant=variant, keys=variants.keys_of(submission.notebook, variant))
            job_path.write_text(json.dumps(job, ensure_ascii=True), encoding="utf-8")
            jobs.append((job_path, submission, instructor))
        if jobs:
            if uid_base is not None:  # kernels under their own uids pass through, read nothing
                os.chmod(work_dir, 0o711)
                (work_dir / "runtime").mkdir(mode=0o711)
            if sandbox:
                (work_dir / HOST_SOCKETS).write_text("\n".join(list_host_sockets()),
                                                     encoding="utf-8")
            log.write(f"sandbox: {'yes' if sandbox else 'no'}; hidden from kernels: "
                      f"{', '.join(hidden) if sandbox else '(nothing)'}\n")
            log.flush()
            options.jobs = len(jobs)
            import_everything_used_after_the_kernels()
            guarded = [ROOT / "balkan_course", ROOT / "data", solutions_dir]
            before = course_digest(guarded)
            # A class of 30 is about 4 minutes: say how far it is (progress.py).
            with Progress("grade", total=len(jobs)) as progress:
                run_workers(jobs, options, work_dir, results_dir, log, progress)
            try:
                check_course_unchanged(before, guarded)
            except CourseChangedError:
                for _, submission, _ in jobs:  # nothing of this batch is trusted or kept
                    result_path(results_dir, submission.student,
                                submission.notebook).unlink(missing_ok=True)
                untrusted = True
                raise
    finally:
        log.close()
        if keep_work:
            print(f"prepared jobs kept in {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
        if not untrusted:  # (also after an interruption: the reports of what was graded)
            with Progress("grade: reports", total=2) as progress:
                progress.start("grades, feedback and summary")
                results = collect_results(results_dir, submissions)
                write_reports(results, out_dir, instructors)
                progress.done("grades, feedback and summary")
                # Written marks merged into totals, the tidy CSV and HTML pages (gradebook.py);
                # rows of files that are not an exercise (refused, unmatched) stay in
                # grades.csv.
                progress.start("gradebook and pages")
                exercises = [r for r in results if r["notebook"] in instructors
                             and not r.get("refused")]
                for warning in write_gradebook_outputs(exercises, out_dir, instructors,
                                                       submissions_dir):
                    print(f"warning: {warning}", file=sys.stderr)
                progress.done("gradebook and pages")
    return results
