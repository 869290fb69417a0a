"""What the students handed in, read without trusting it, and the jobs made from it.

1. find_submissions: every file in every student folder gets a row, graded or not (symbolic
   links and device files are refused, near-miss names and sub-folders are matched and said);
2. read_submission: capped, no links followed, JSON checked;
3. validate_structure: the student's cells matched to the instructor's (by cell id, or by
   position and content when ids were stripped);
4. make_job: the INSTRUCTOR's set-up code and checks around the student's answer cells, for a
   worker (runner.py) to run;
5. collect_results: each submission's result, as the workers wrote it (or a row saying why
   there is none).
"""

from __future__ import annotations

import ast
import builtins
import difflib
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from balkan_course.grading.build import (
    ANSWER,
    ANSWER_TEXT,
    CHECK,
    INSTRUCTOR_ONLY,
    TEXT_PLACEHOLDER,
    check_cells,
    check_parts,
    course_meta,
    exercise_cell,
    free_text_of,
    source_of,
    tags,
)
from balkan_course.grading.instructor import check_expressions, grader_imports
from balkan_course.grading.runner import result_path

MAX_SUBMISSION_BYTES = 20 * 2**20
CELL_TYPES = ("code", "markdown", "raw")
SKIPPED_FOLDERS = (".ipynb_checkpoints",)  # Jupyter's autosave copies, never a submission


@dataclass
class Submission:
    student: str
    notebook: str
    path: Path
    sha256: str = ""
    statuses: list[str] = field(default_factory=list)
    refused: str = ""  # why this file is not graded at all (a row says so)


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


def find_submissions(submissions_dir: Path, instructors: dict,
                     practice: list[str] = ()) -> list[Submission]:
    """One Submission per file handed in (and per refused entry), each to get a row. A file
    named after a practice notebook (the primer: instructor.practice_notebooks) gets a row
    that says it is practice, not graded."""
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
            elif notebook is None and match_notebook_name(stem, sorted(practice)):
                submission.refused = (f"practice, not graded: {relative} is the "
                                      f"{match_notebook_name(stem, sorted(practice))} lesson, "
                                      "whose self-checks are for the student alone")
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
              for check_id, info in (check_cells(instructor) if instructor else {}).items()}
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
