"""The teacher's marks for written answers: their own file, which no re-grade ever touches.

The grader scores code checks by itself; the written answers (cells tagged `answer-text`) are
read and scored by the teacher, in the marking notebook (teacher/mark_written_answers.ipynb) or
in a spreadsheet. Those marks live in ONE CSV file, by default `<grading output>/written_marks.csv`:

    student,notebook,check_id,points,comment,answer_sha256,marked_at
    ana_kovac,00_start_here,00-why-differ,1.5,"Good sources; no comparison.",3f2a...,2026-...

- one row per student, notebook and written question; `points` empty means "not marked yet";
- `answer_sha256` is a fingerprint of the answer the teacher read: when a student's answer
  changes after marking, the mark is kept and flagged ("answer changed since marked");
- any other column (a later `variant`, a `marker`) is kept as it is when the file is saved.

The grader only READS this file (to merge the marks into totals, exports and feedback). It is
written only by `save_marks`, atomically (a temporary file, then a rename), keeping the previous
version as `written_marks.csv.bak`. A malformed file is refused with an error naming the file,
the row, the column and the rule broken; nothing is guessed and nothing is overwritten.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from balkan_course.grading import safe_csv
from balkan_course.grading.build import ANSWER_TEXT, RUBRIC, course_meta, source_of, tags
from balkan_course.grading.versions import declared_variants, variant_notebook, written_version

MARKS_FILE_NAME = "written_marks.csv"
KEY_COLUMNS = ("student", "notebook", "check_id")
COLUMNS = (*KEY_COLUMNS, "points", "comment", "answer_sha256", "marked_at")


class MarksFileError(ValueError):
    """The marks file cannot be read as marks; the message names file, row and column."""


@dataclass
class Mark:
    student: str
    notebook: str
    check_id: str
    points: float | None  # None: not marked yet
    comment: str = ""
    answer_sha256: str = ""
    marked_at: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # columns this version does not know

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.student, self.notebook, self.check_id)


def default_marks_path(out_dir: Path) -> Path:
    return Path(out_dir) / MARKS_FILE_NAME


def answer_fingerprint(answer: str) -> str:
    """A short hash of a written answer, blind to trailing spaces and line-ending styles."""
    normal = "\n".join(line.rstrip() for line in answer.strip().splitlines())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- questions (from the solutions)


def written_questions(instructors: dict, variants: dict[str, int] | None = None
                      ) -> dict[tuple[str, str], dict]:
    """(notebook, check_id) -> {points, prompt, rubric, cell_id, versions, version, parameters}
    for every written question, in order: the prompt and rubric of the notebook version
    `variants[notebook]` gives (0, the default, for the others), templates filled in."""
    questions = {}
    for notebook, nb in sorted(instructors.items()):
        rendered = variant_notebook(nb, (variants or {}).get(notebook, 0))
        cells = rendered.cells
        for position, cell in enumerate(cells):
            if ANSWER_TEXT not in tags(cell):
                continue
            check_id = course_meta(cell)["check_id"]
            prompt = next((source_of(c) for c in reversed(cells[:position])
                           if c.cell_type == "markdown" and not tags(c)), "")
            rubric = "\n\n".join(source_of(c) for c in cells if RUBRIC in tags(c)
                                 and course_meta(c).get("check_id") == check_id)
            version, parameters = written_version(nb, position, (variants or {}).get(notebook, 0))
            questions[(notebook, check_id)] = {
                "points": course_meta(cell)["points"], "prompt": prompt, "rubric": rubric,
                "cell_id": cell["id"], "versions": len(declared_variants(nb.cells[position])),
                "version": version, "parameters": parameters}
    return questions


class WrittenPrompts:
    """Each student's own written questions: the version of the notebook they were graded
    against (`variant` in their result), rendered once per notebook and version."""

    def __init__(self, instructors: dict):
        self.instructors = instructors
        self.rendered: dict[tuple[str, int], dict] = {}

    def of_notebook(self, notebook: str, variant: int = 0) -> dict[tuple[str, str], dict]:
        if (notebook, variant) not in self.rendered:
            self.rendered[notebook, variant] = written_questions(
                {notebook: self.instructors[notebook]}, {notebook: variant})
        return self.rendered[notebook, variant]

    def question(self, notebook: str, check_id: str, variant: int = 0) -> dict:
        return self.of_notebook(notebook, variant)[(notebook, check_id)]


# ---------------------------------------------------------------- reading


def load_marks(path: Path, questions: dict | None = None) -> dict[tuple[str, str, str], Mark]:
    """The marks in `path` (an empty dict if there is no file yet).

    With `questions` (from written_questions), every row must name a known written question and
    give at most its points. Raises MarksFileError naming file, row, column and rule.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may add a byte-order mark
    except UnicodeDecodeError as problem:
        raise MarksFileError(f"{path}: not UTF-8 text (byte {problem.start}); save it as "
                             "CSV UTF-8") from problem
    reader = csv.DictReader(io.StringIO(text, newline=""))
    # save_marks quotes text a spreadsheet would run (safe_csv); read it back as it was typed.
    header = reader.fieldnames = [safe_csv.read_back(c) for c in reader.fieldnames or []]
    missing = [c for c in (*KEY_COLUMNS, "points") if c not in header]
    if missing:
        raise MarksFileError(f"{path}, row 1 (header): column(s) {', '.join(missing)} missing; "
                             f"the header must hold {', '.join(COLUMNS)}")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise MarksFileError(f"{path}, row 1 (header): column(s) {', '.join(duplicated)} "
                             "appear twice")
    marks: dict[tuple[str, str, str], Mark] = {}
    try:
        for row in reader:
            line = reader.line_num
            marks_row = _mark_from_row(safe_csv.read_back_row(row), path, line, questions)
            if marks_row is None:
                continue
            if marks_row.key in marks:
                raise MarksFileError(f"{path}, row {line}: {'/'.join(marks_row.key)} is marked "
                                     "twice (keep one row per student, notebook and question)")
            marks[marks_row.key] = marks_row
    except csv.Error as problem:
        raise MarksFileError(f"{path}, row {reader.line_num}: not valid CSV ({problem})") \
            from problem
    return marks


def _mark_from_row(row: dict, path: Path, line: int, questions: dict | None) -> Mark | None:
    if None in row:
        raise MarksFileError(f"{path}, row {line}: more cells than the header has columns")
    values = {k: (v or "").strip() for k, v in row.items()}
    if not any(values.values()):
        return None  # a blank line left by a spreadsheet
    for column in KEY_COLUMNS:
        if not values.get(column):
            raise MarksFileError(f"{path}, row {line}, column {column}: empty (every row needs "
                                 "student, notebook and check_id)")
    points = None
    raw = values.get("points", "").replace(",", ".") if values.get("points") else ""
    if raw:
        try:
            points = float(raw)
        except ValueError:
            raise MarksFileError(f"{path}, row {line}, column points: {values['points']!r} is "
                                 "not a number (leave it empty when not marked yet)") from None
        if not math.isfinite(points) or points < 0:
            raise MarksFileError(f"{path}, row {line}, column points: {values['points']!r} "
                                 "must be a number of at least 0")
    if questions is not None:
        question = questions.get((values["notebook"], values["check_id"]))
        if question is None:
            raise MarksFileError(
                f"{path}, row {line}, column check_id: {values['notebook']}/{values['check_id']} "
                "is not a written question of the solutions")
        if points is not None and points > question["points"]:
            raise MarksFileError(f"{path}, row {line}, column points: {raw} is more than the "
                                 f"question's {question['points']} points")
    known = set(COLUMNS)
    return Mark(values["student"], values["notebook"], values["check_id"], points,
                comment=row.get("comment") or "", answer_sha256=values.get("answer_sha256", ""),
                marked_at=values.get("marked_at", ""),
                extra={k: v or "" for k, v in row.items() if k not in known})


# ---------------------------------------------------------------- writing


def marks_text(marks: dict[tuple[str, str, str], Mark]) -> str:
    extra_columns = sorted({c for m in marks.values() for c in m.extra})
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, *extra_columns])
    for key in sorted(marks):
        mark = marks[key]
        writer.writerow([mark.student, mark.notebook, mark.check_id, _number(mark.points),
                         mark.comment, mark.answer_sha256, mark.marked_at,
                         *[mark.extra.get(c, "") for c in extra_columns]])
    return buffer.getvalue()


def save_marks(path: Path, marks: dict[tuple[str, str, str], Mark]) -> None:
    """Write the whole file atomically; the previous version stays as <file>.bak."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                       dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(marks_text(marks))
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            backup = path.with_name(path.name + ".bak")
            backup.write_bytes(path.read_bytes())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _number(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---------------------------------------------------------------- merging into totals


def written_result(result: dict, check_id: str, marks: dict) -> dict:
    """What the teacher gave one written answer: points (None = not marked), comment, flags."""
    answer = result.get("free_text", {}).get(check_id, {}).get("answer", "")
    mark = marks.get((result["student"], result["notebook"], check_id))
    if mark is None:
        return {"points": None, "comment": "", "changed_since_marked": False, "answer": answer}
    changed = bool(mark.answer_sha256) and mark.answer_sha256 != answer_fingerprint(answer)
    return {"points": mark.points, "comment": mark.comment, "changed_since_marked": changed,
            "answer": answer}


def unmatched_marks(marks: dict, results: list[dict]) -> list[Mark]:
    """Marks whose student and notebook have no result (kept, but reported to the teacher)."""
    graded = {(r["student"], r["notebook"]) for r in results}
    return [m for m in marks.values() if (m.student, m.notebook) not in graded]
