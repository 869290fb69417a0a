"""Grade a class: one command, scores a teacher can defend (see docs/grading.md).

    python -m balkan_course.grading SUBMISSIONS_DIR --out OUT_DIR [--workers N] [--cell-timeout S]

SUBMISSIONS_DIR/<student>/NN_name.ipynb are the students' exercise notebooks. The pipeline:
1. load_instructor_notebooks: the solutions (their set-up code, checks and points);
2. find_submissions: every file in every student folder gets a row, graded or not (symbolic
   links and device files are refused, near-miss names and sub-folders are matched and said);
3. for each submission: read_submission (capped, no links followed, JSON checked),
   match_cells (by cell id, or by position and content when ids were stripped) and make_job:
   the INSTRUCTOR's set-up code and checks around the student's answer cells;
4. run_workers: N worker processes (runner.py), each in a sandbox when the machine allows
   (user, PID, mount and network namespaces: no network, the grader's folders hidden), run the
   jobs; a point is decided in the worker from the VALUE of the answer, judged there against
   the key, never from what the kernel prints; a worker that dies costs only its notebook;
5. collect_results and write_reports: grades.csv, feedback, written answers, class summary.
A re-run skips the submissions whose result is already on disk for the same file content.
"""

from __future__ import annotations

import sys

# Before nbformat is imported: see kernel.py (saves ~1 s of start-up).
sys.modules.setdefault("rfc3987_syntax", None)

import argparse  # noqa: E402 (this whole block: after the line above, on purpose)
import ast  # noqa: E402
import builtins  # noqa: E402
import difflib  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
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
    check_parts,
    course_meta,
    exercise_cell,
    source_of,
    tags,
)
from balkan_course.grading.gradebook import write_gradebook_outputs  # noqa: E402
from balkan_course.grading.report import (  # noqa: E402
    checks_of,
    free_text_of,
    status_of,
    write_reports,
)
from balkan_course.grading.runner import (  # noqa: E402
    HOST_SOCKETS,
    OPENING_SECONDS,
    result_path,
    write_json_atomically,
)
from balkan_course.grading.shards import parse_shard, select_shard, write_manifest  # noqa: E402
from balkan_course.grading.variants import (  # noqa: E402
    notebook_variant_keys,
    public_key_file,
    student_variant,
    variant_count,
    variant_notebook,
)

ROOT = Path(__file__).resolve().parent.parent.parent
SOLUTIONS_DIR = ROOT / "solutions"
MAX_SUBMISSION_BYTES = 20 * 2**20
CELL_TYPES = ("code", "markdown", "raw")
SKIPPED_FOLDERS = (".ipynb_checkpoints",)  # Jupyter's autosave copies, never a submission


class GradingSetupError(RuntimeError):
    """The instructor's material cannot be graded against (nothing about a student)."""


@dataclass
class Submission:
    student: str
    notebook: str
    path: Path
    sha256: str = ""
    statuses: list[str] = field(default_factory=list)
    refused: str = ""  # why this file is not graded at all (a row says so)


# ---------------------------------------------------------------- instructor's material


def load_instructor_notebooks(solutions_dir: Path) -> dict[str, nbformat.NotebookNode]:
    """The solution notebooks, refusing any check whose answer key is missing."""
    from balkan_course.grading.checks import load_keys

    keys = load_keys()
    instructors = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if CHECK in tags(cell):
                missing = [part for part in check_parts(cell) if part not in keys]
                if missing:
                    raise GradingSetupError(f"{path}: no answer key for {', '.join(missing)}; "
                                            "run `make exercises` to record the keys")
                check_expressions(cell)  # raises for a check cell the grader cannot read
        instructors[path.stem] = nb
    if not instructors:
        raise GradingSetupError(f"no solution notebooks in {solutions_dir}")
    return instructors


def check_expressions(cell) -> list[dict]:
    """[{check_id, expression, names}] of each check(...) call in an instructor's check cell:
    the expression is evaluated by the grader, on values taken from the student's kernel."""
    parts = []
    for node in ast.walk(ast.parse(source_of(cell))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", None)) == "check" and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)):
            continue
        expression = node.args[1]
        names = sorted({n.id for n in ast.walk(expression) if isinstance(n, ast.Name)})
        parts.append({"check_id": node.args[0].value, "expression": ast.unparse(expression),
                      "names": names})
    wanted = list(check_parts(cell))
    if sorted(p["check_id"] for p in parts) != sorted(wanted):
        raise GradingSetupError(f"check cell {cell.get('id')}: expected check(...) calls for "
                                f"{wanted}, found {[p['check_id'] for p in parts]}")
    return parts


def grader_imports(instructor) -> list[str]:
    """The import lines of the instructor's set-up code (a check may call what they import)."""
    lines = []
    for cell in instructor.cells:
        if cell.cell_type != "code" or {ANSWER, CHECK, *INSTRUCTOR_ONLY} & set(tags(cell)):
            continue
        try:
            tree = ast.parse(source_of(cell))
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, (ast.Import, ast.ImportFrom))]
    return lines


# ---------------------------------------------------------------- finding submissions


NEAR_MISS = re.compile(r"^(?P<number>\d\d)(?:[_\- ].*)?$")


def match_notebook_name(stem: str, known: list[str]) -> str | None:
    """The exercise a file name stands for: exact, or a near miss such as
    `00_start_here-Copy1`, `04_peacekeeping_forces (1)` or `04 peacekeeping` (same number)."""
    if stem in known:
        return stem
    for name in known:
        if stem.startswith(name):
            return name
    match = NEAR_MISS.match(stem.strip())
    if match:
        same_number = [name for name in known if name.startswith(match["number"] + "_")]
        if len(same_number) == 1:
            return same_number[0]
    return None


MAX_FOLDER_DEPTH = 8


def _walk(folder: Path, found: list[tuple[Path, str]], depth: int = 0) -> None:
    """Every entry under folder that may be a submission: (path, kind) with kind file, link,
    other (device, pipe, socket); sub-folders are walked (8 deep at most), links never
    followed."""
    if depth > MAX_FOLDER_DEPTH:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            found.append((path, "link"))
        elif entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_FOLDERS:
                _walk(path, found, depth + 1)
        elif entry.is_file(follow_symlinks=False):
            found.append((path, "file"))
        else:
            found.append((path, "other"))


def find_submissions(submissions_dir: Path, instructors: dict) -> list[Submission]:
    """One Submission per file handed in (and per refused entry), each to get a row."""
    known = sorted(instructors)
    found: list[Submission] = []
    for entry in sorted(os.scandir(submissions_dir), key=lambda e: e.name):
        student_dir = Path(entry.path)
        if entry.name in SKIPPED_FOLDERS:
            continue
        if entry.is_symlink():
            found.append(Submission(entry.name, "(folder)", student_dir,
                                    refused="refused: the student folder is a symbolic link"))
            continue
        if not entry.is_dir(follow_symlinks=False):
            if entry.name.endswith(".ipynb"):
                found.append(Submission("(no folder)", entry.name, student_dir,
                                        refused="not graded: a notebook outside any student "
                                                "folder (put it in a folder named after the "
                                                "student)"))
            continue
        candidates: dict[str, list[Submission]] = {}
        files: list[tuple[Path, str]] = []
        _walk(student_dir, files)
        for path, kind in files:
            if not path.name.endswith(".ipynb") and kind == "file":
                continue
            relative = path.relative_to(student_dir)
            stem = path.name[: -len(".ipynb")] if path.name.endswith(".ipynb") else path.name
            notebook = match_notebook_name(stem, known)
            submission = Submission(entry.name, notebook or str(relative), path)
            if kind == "link":
                submission.refused = f"refused: {relative} is a symbolic link, not a notebook"
            elif kind == "other":
                submission.refused = f"refused: {relative} is not a regular file"
            elif notebook is None:
                submission.refused = (f"not graded: no exercise matches the file name "
                                      f"{relative} (expected one of {', '.join(known)})")
            if notebook is None or submission.refused:
                found.append(submission)
                continue
            if str(relative) != f"{notebook}.ipynb":
                submission.statuses.append(f"graded the file {relative} as {notebook}")
            if entry.name.startswith("."):
                submission.statuses.append("the student folder's name starts with a dot")
            candidates.setdefault(notebook, []).append(submission)
        if not any(path.name.endswith(".ipynb") or kind != "file" for path, kind in files):
            found.append(Submission(entry.name, "(none)", student_dir,
                                    refused="not graded: no notebook in the student's folder"))
        for notebook, options in candidates.items():
            # The exact name at the top wins, then the shallowest, then the first by name.
            options.sort(key=lambda s: (s.path.name != f"{notebook}.ipynb",
                                        len(s.path.relative_to(student_dir).parts),
                                        str(s.path)))
            chosen, others = options[0], options[1:]
            if others:
                chosen.statuses.append("other files for this exercise not graded: " + ", ".join(
                    str(o.path.relative_to(student_dir)) for o in others))
            found.append(chosen)
    return found


# ---------------------------------------------------------------- reading one submission


def read_submission(submission: Submission) -> dict | None:
    """The submission's JSON, or None with a status saying why it cannot be graded. Never
    follows a link, never reads more than the size limit, never blocks on a device."""
    try:
        handle = os.open(submission.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as problem:
        submission.statuses.append(f"invalid notebook: cannot open the file ({problem.strerror})")
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            submission.statuses.append("invalid notebook: not a regular file")
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            raw = stream.read(MAX_SUBMISSION_BYTES + 1)
    except OSError as problem:
        submission.statuses.append(f"invalid notebook: cannot read the file ({problem.strerror})")
        return None
    finally:
        os.close(handle)
    submission.sha256 = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_SUBMISSION_BYTES:
        submission.statuses.append("invalid notebook: file larger than 20 MB")
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        submission.statuses.append("invalid notebook: not valid JSON (was it saved completely?)")
        return None
    except RecursionError:
        submission.statuses.append("invalid notebook: JSON nested too deeply")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        submission.statuses.append("invalid notebook: no list of cells")
        return None
    if not data["cells"]:
        submission.statuses.append("invalid notebook: no cells")
        return None
    return data


def _clean_text(text: str, submission: Submission) -> str:
    """Text as valid Unicode (a lone surrogate cannot be written anywhere)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        note = "characters that are not valid Unicode were replaced"
        if note not in submission.statuses:
            submission.statuses.append(note)
        return text.encode("utf-8", "replace").decode("utf-8")


@dataclass
class StudentCell:
    cell_type: str
    source: str
    cell_id: str | None


def student_cells(data: dict, submission: Submission) -> list[StudentCell]:
    cells, malformed = [], 0
    for cell in data["cells"]:
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES or \
                not isinstance(source, str):
            malformed += 1
            continue
        cell_id = cell.get("id") if isinstance(cell.get("id"), str) else None
        cells.append(StudentCell(cell["cell_type"], _clean_text(source, submission), cell_id))
    if malformed:
        submission.statuses.append(f"{malformed} malformed cell(s) ignored")
    return cells


def _shape(cell_type: str, source: str) -> str:
    return cell_type + ":" + " ".join(source.split())


def match_by_position(cells: list[StudentCell], instructor, submission: Submission) -> None:
    """Give id-less cells the ids of the instructor's cells they stand for: unchanged cells
    (prompts, set-up, checks) match by content, and an answer cell is the student's cell of
    the same type in the same place between them."""
    exercise = [c for c in (exercise_cell(cell) for cell in instructor.cells) if c is not None]
    theirs = [_shape(c.cell_type, c.source) for c in cells]
    ours = [_shape(c.cell_type, source_of(c)) for c in exercise]
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                cells[j1 + k].cell_id = exercise[i1 + k]["id"]
        elif tag == "replace":
            free = list(range(j1, j2))
            for ours_index in range(i1, i2):
                wanted = exercise[ours_index]
                match = next((j for j in free if cells[j].cell_type == wanted.cell_type), None)
                if match is not None:
                    cells[match].cell_id = wanted["id"]
                    free.remove(match)
    submission.statuses.append("cell ids missing (saved by another editor?): cells matched by "
                               "position and content")


@dataclass
class Structure:
    answers: dict[str, list[str]]  # answer cell id -> the student's source(s)
    texts: dict[str, str]          # answer-text cell id -> the student's text
    extra_code: dict[str | None, list[str]]  # preceding known cell id -> added code cells


def validate_structure(data: dict, instructor, submission: Submission) -> Structure:
    """Match the student's cells to the instructor's; report what does not match."""
    known = {cell["id"]: cell for cell in instructor.cells}
    cells = student_cells(data, submission)
    if cells and sum(1 for c in cells if c.cell_id in known) < len(cells) / 2:
        for cell in cells:
            cell.cell_id = None
        match_by_position(cells, instructor, submission)
    by_id: dict[str, list[StudentCell]] = {}
    extra: dict[str | None, list[str]] = {}
    previous_known = None
    for cell in cells:
        if cell.cell_id in known:
            by_id.setdefault(cell.cell_id, []).append(cell)
            previous_known = cell.cell_id
        elif cell.cell_type == "code":
            extra.setdefault(previous_known, []).append(cell.source)
    duplicated = sorted(cell_id for cell_id, found in by_id.items() if len(found) > 1)
    if duplicated:
        submission.statuses.append(f"duplicate cell ids: {', '.join(duplicated)} (for answers, "
                                   "every copy is run in order)")
    restored, changed, lost = [], [], []
    answers, texts = {}, {}
    for cell_id, cell in known.items():
        if any(tag in tags(cell) for tag in INSTRUCTOR_ONLY):
            continue
        mine = [c for c in by_id.get(cell_id, []) if c.cell_type == cell.cell_type]
        graded = ANSWER in tags(cell) or ANSWER_TEXT in tags(cell)
        if not mine:
            if by_id.get(cell_id):
                changed.append(cell_id)
            elif graded:
                lost.append(cell_id)
            elif cell.cell_type == "code":
                restored.append(cell_id)
            continue
        if ANSWER in tags(cell):
            answers[cell_id] = [c.source for c in mine]
        elif ANSWER_TEXT in tags(cell):
            texts[cell_id] = mine[-1].source
    if lost:
        submission.statuses.append("answer cells missing (their code cells typed in their "
                                   "place are graded as the answer): " + ", ".join(lost))
    if changed:
        submission.statuses.append("cell type changed (that cell is not run): "
                                   + ", ".join(changed))
    if restored:
        submission.statuses.append("deleted cells restored from the instructor's copy: "
                                   + ", ".join(restored))
    return Structure(answers, texts, extra)


def make_job(instructor, structure: Structure, submission: Submission) -> dict:
    """What a worker runs: the instructor's set-up code and checks, the student's answers and
    added cells in place. Check cells are not run in the kernel: the worker judges them.

    Each check part records its answer cells' sources (`answer_sources`: the student's cells
    in the instructor's answer cells, and the cells they added, since the previous check, in
    the order they run): the cells the worker runs again on hidden test data. They are found
    by the notebook's structure (cell ids and tags), not by what the cells say."""
    cells = []
    since_check: list[str] = []
    sources_since_check: list[str] = []
    added = 0

    def add_extra(after):
        nonlocal added
        for source in structure.extra_code.get(after, []):
            added += 1
            cells.append({"id": f"added-{added}", "role": "added", "source": source})
            since_check.append(f"added-{added}")
            sources_since_check.append(source)

    add_extra(None)
    checks = {}
    for cell in instructor.cells:
        cell_tags = tags(cell)
        if any(tag in cell_tags for tag in INSTRUCTOR_ONLY) or cell.cell_type != "code":
            add_extra(cell["id"])
            continue
        if ANSWER in cell_tags:
            for source in structure.answers.get(cell["id"], []):
                cells.append({"id": cell["id"], "role": "answer", "source": source})
                since_check.append(cell["id"])
                sources_since_check.append(source)
        elif CHECK in cell_tags:
            meta = course_meta(cell)
            builtin_names = set(dir(builtins))
            parts = [{**part, "names": [n for n in part["names"] if n not in builtin_names],
                      "answer_sources": list(sources_since_check)}
                     for part in check_expressions(cell)]
            cells.append({"id": cell["id"], "role": "check", "parts": parts})
            checks[meta["check_id"]] = {"cell_id": cell["id"], "points": meta["points"],
                                        "parts": check_parts(cell),
                                        "answer_cells": list(dict.fromkeys(since_check))}
            since_check, sources_since_check = [], []
        else:
            cells.append({"id": cell["id"], "role": "setup", "source": source_of(cell)})
        add_extra(cell["id"])
    imported = grader_imports(instructor)
    bound = set()
    for line in imported:
        for node in ast.walk(ast.parse(line)):
            if isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
    for cell in cells:
        for part in cell.get("parts", []):
            part["names"] = [n for n in part["names"] if n not in bound]
    free_text = {}
    for check_id, info in free_text_of(instructor).items():
        answer = structure.texts.get(info["cell_id"], "").strip()
        free_text[check_id] = {"points": info["points"],
                               "answer": answer if answer and answer != TEXT_PLACEHOLDER else ""}
    return {"student": submission.student, "notebook": submission.notebook,
            "submission_sha256": submission.sha256, "statuses": submission.statuses,
            "cells": cells, "checks": checks, "free_text": free_text,
            "grader_imports": imported}


def unrunnable_result(submission: Submission, instructor, why: str | None = None) -> dict:
    """The result of a submission that could not be run: 0 for every check."""
    checks = {check_id: {"points": info["points"], "awarded": 0, "passed": False, "shown": "",
                         "ran": False}
              for check_id, info in (checks_of(instructor) if instructor else {}).items()}
    free_text = {check_id: {"points": info["points"], "answer": ""}
                 for check_id, info in (free_text_of(instructor) if instructor else {}).items()}
    return {"student": submission.student, "notebook": submission.notebook,
            "submission_sha256": submission.sha256,
            "statuses": [*submission.statuses, *([why] if why else [])],
            "checks": checks, "free_text": free_text, "seconds": 0}


def already_graded(results_dir: Path, submission: Submission, variant: int = 0) -> bool:
    path = result_path(results_dir, submission.student, submission.notebook)
    if not path.exists() or not submission.sha256:
        return False
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
        return result["submission_sha256"] == submission.sha256 and \
            result.get("variant", 0) == variant
    except (ValueError, KeyError, OSError):
        return False


@dataclass
class ClassVariants:
    """With a roster (--roster, --class): each student is graded against their own variant
    of each notebook (variants.py), rebuilt from the solutions, with that variant's keys."""
    class_name: str
    students: set[str]
    solutions_dir: Path
    keys: dict[str, dict[int, dict]] = field(default_factory=dict)

    def variant_of(self, submission: Submission, instructor) -> int:
        if submission.student not in self.students:
            submission.statuses.append(f"not in the roster of class {self.class_name}: graded "
                                       "against the default variant")
            return 0
        return student_variant(self.class_name, submission.student, submission.notebook,
                               variant_count(instructor))

    def keys_of(self, notebook: str, variant: int) -> dict:
        if notebook not in self.keys:
            self.keys[notebook] = notebook_variant_keys(
                self.solutions_dir / f"{notebook}.ipynb", public_key_file(notebook))
        data = self.keys[notebook][variant]
        return {check_id: {**key, "notebook": notebook}
                for check_id, key in data["checks"].items()}


def load_class_variants(roster: Path | None, class_name: str | None,
                        solutions_dir: Path) -> ClassVariants | None:
    from balkan_course.grading.release import RosterError, load_class_roster

    if roster is None:
        if class_name:
            raise GradingSetupError("--class needs --roster (who is in the class)")
        return None
    if not class_name:
        raise GradingSetupError("--roster needs --class: the class name the exercises were "
                                "released under (make release CLASS=...)")
    try:
        return ClassVariants(class_name, set(load_class_roster(roster)), solutions_dir)
    except RosterError as problem:
        raise GradingSetupError(str(problem)) from problem


# ---------------------------------------------------------------- the run


def sandbox_available() -> bool:
    """Can this machine build the whole sandbox: user, PID, mount, IPC and network namespaces
    for each worker, and inside them each kernel's read-only root (kernel.py --probe)?"""
    if shutil.which("unshare") is None:
        return False
    kernel_script = str(Path(__file__).with_name("kernel.py"))
    try:
        return subprocess.run(
            ["unshare", *SANDBOX_FLAGS, *KERNEL_SANDBOX_FLAGS, sys.executable, kernel_script,
             "--probe", "-f", "-"], capture_output=True, timeout=30, cwd="/",
            env=dict(os.environ, PYTHONPATH=str(ROOT))).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


SANDBOX_FLAGS = ["--user", "--map-root-user", "--net", "--mount", "--pid", "--ipc", "--fork",
                 "--kill-child", "--mount-proc"]
# Each kernel, inside its worker's namespaces: namespaces of its own (runner.KernelPool).
KERNEL_SANDBOX_FLAGS = ["unshare", "--mount", "--pid", "--ipc", "--fork", "--kill-child",
                        "--mount-proc"]


def list_host_sockets() -> list[str]:
    """The paths of the unix sockets bound on this machine (its network namespace): a session
    bus, a Docker socket... A network namespace does not cover sockets in the file system, so
    the sandbox covers each one that lies in a folder a kernel can see."""
    try:
        lines = Path("/proc/net/unix").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    paths = []
    for line in lines.splitlines()[1:]:
        fields = line.split(maxsplit=7)
        if len(fields) == 8 and fields[7].startswith("/"):
            paths.append(fields[7])
    return sorted(set(paths))


def course_digest(folders=None) -> dict[str, str]:
    """sha256 of every file of the grader's own code and keys (and the solutions): a kernel
    cannot write them in the sandbox; this proves it after every batch."""
    folders = folders if folders is not None else [ROOT / "balkan_course"]
    digests = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def import_everything_used_after_the_kernels() -> None:
    """Every module the grading process uses once kernels have run is imported before: even
    if a kernel could write a file of the course, nothing it wrote would be run here."""
    import importlib

    for module in ("balkan_course.grading.checks", "balkan_course.grading.feedback_html",
                   "balkan_course.grading.build", "balkan_course.grading.written_marks",
                   "balkan_course.grading.report", "balkan_course.grading.gradebook"):
        importlib.import_module(module)


class CourseChangedError(RuntimeError):
    """The grader's code, keys or solutions changed during a batch: its grades are not used."""


def check_course_unchanged(before: dict[str, str], folders) -> None:
    after = course_digest(folders)
    changed = sorted(set(before) ^ set(after) | {p for p in before
                                                 if p in after and before[p] != after[p]})
    if changed:
        raise CourseChangedError(
            "the course's code, keys or solutions changed while kernels ran (" +
            ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "") + "): this run's "
            "grades were not written; restore the files (git status shows them) and grade "
            "again")


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
                work_dir: Path, results_dir: Path, log) -> None:
    """Run every job on N worker processes; a worker that dies (killed by the notebook it ran,
    or past the notebook's time) costs that notebook only: it is replaced, the batch goes on."""
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
            if process is None or process.poll() is not None:
                # A replacement worker gets an index no worker had: its kernels' folders and
                # user ids must not be those the dead worker's kernels still hold.
                process = start(index + options.workers * started)
                started += 1
            if not _ask(process, job_path, hard_limit).startswith("done"):
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
        if submission.refused:
            results.append({"student": submission.student, "notebook": submission.notebook,
                            "statuses": [submission.refused, *submission.statuses],
                            "checks": {}, "free_text": {}, "refused": True})
            continue
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
    submissions = find_submissions(submissions_dir, instructors)
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
            run_workers(jobs, options, work_dir, results_dir, log)
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
            results = collect_results(results_dir, submissions)
            write_reports(results, out_dir, instructors)
            # Written marks merged into totals, the tidy CSV and HTML pages (gradebook.py);
            # rows of files that are not an exercise (refused, unmatched) stay in grades.csv.
            exercises = [r for r in results if r["notebook"] in instructors
                         and not r.get("refused")]
            for warning in write_gradebook_outputs(exercises, out_dir, instructors,
                                                   submissions_dir):
                print(f"warning: {warning}", file=sys.stderr)
    return results


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
