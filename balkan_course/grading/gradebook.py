"""Totals with the teacher's written marks, a long tidy CSV, and gradebook files for the LMSs.

    python -m balkan_course.grading.gradebook export --out grading_output --lms canvas \\
        --roster roster.csv [--assignments assignments.csv]

What the grader writes after every run (write_gradebook_outputs, see docs/grading.md):
- `totals.csv`: per student and notebook, the automatic points, the written points the
  teacher gave (written_marks.csv), how many written answers are still unmarked, total, max;
- `grades_long.csv`: the tidy table, one row per student, notebook and question
  (kind `auto` or `written`), for pandas, R or a spreadsheet's pivot table;
- `feedback_html/<student>/<notebook>.html` (feedback_html.py).

What `export` writes, for a gradebook's CSV import: `gradebook_canvas.csv`, `gradebook_moodle.csv`
or `gradebook_classroom.csv`, one row per student of the roster, one column per notebook
(points of the automatic checks plus the written marks), and the maxima where the LMS reads
them. The formats and where they come from are in docs/gradebook.md.

The roster (roster.csv) says who a student folder is in the LMS:
    student,name,email,lms_user_id,sis_user_id,sis_login_id,section,id_number
Only `student` (the folder name under submissions/) is required; each LMS needs its own id
column (Canvas: lms_user_id or sis_user_id or sis_login_id; Moodle: email or id_number;
Classroom: email). `lms_import` writes a first draft of it (submissions/students.csv).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from balkan_course.grading import safe_csv
from balkan_course.grading.safe_csv import TableFileError, read_table
from balkan_course.grading.written_marks import (
    MarksFileError,
    default_marks_path,
    load_marks,
    unmatched_marks,
    written_questions,
    written_result,
)

ROSTER_COLUMNS = ("student", "name", "email", "lms_user_id", "sis_user_id", "sis_login_id",
                  "section", "id_number")
LMS_CHOICES = ("canvas", "moodle", "classroom")
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_FIXED = ("Full name", "Email address", "ID number")
CLASSROOM_FIXED = ("Last Name", "First Name", "Email Address")
CLASSROOM_POINTS_ROW = "Points"


# A roster, assignments or marks file cannot be used; the message says where and why. (The
# same error as safe_csv.read_table's, which reads the rosters for release.py too.)
GradebookError = TableFileError


# ---------------------------------------------------------------- totals


@dataclass
class Total:
    student: str
    notebook: str
    automatic: float
    automatic_max: float
    written: float
    written_max: float
    unmarked: int
    changed_since_marked: int
    status: str

    @property
    def total(self) -> float:
        return self.automatic + self.written

    @property
    def maximum(self) -> float:
        return self.automatic_max + self.written_max


def checks_of(nb) -> dict[str, float]:
    from balkan_course.grading.build import check_cells

    return {check_id: info["points"] for check_id, info in check_cells(nb).items()}


def totals_of(results: list[dict], instructors: dict, marks: dict) -> list[Total]:
    """One Total per result: the automatic checks plus the teacher's written marks."""
    questions = written_questions(instructors)
    totals = []
    for result in sorted(results, key=lambda r: (r["student"], r["notebook"])):
        notebook = result["notebook"]
        checks = checks_of(instructors[notebook])
        automatic = sum(result.get("checks", {}).get(c, {}).get("awarded", 0) for c in checks)
        written = written_max = 0.0
        unmarked = changed = 0
        for (nb, check_id), question in questions.items():
            if nb != notebook:
                continue
            written_max += question["points"]
            given = written_result(result, check_id, marks)
            if given["points"] is None:
                unmarked += 1
            else:
                written += given["points"]
            changed += given["changed_since_marked"]
        totals.append(Total(result["student"], notebook, automatic, sum(checks.values()),
                            written, written_max, unmarked, changed,
                            "; ".join(result.get("statuses", [])) or "ok"))
    return totals


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def write_totals_csv(totals: list[Total], path: Path) -> None:
    rows = [["student", "notebook", "automatic", "automatic_max", "written", "written_max",
             "written_unmarked", "total", "max", "percent", "status"]]
    for t in totals:
        notes = [t.status] if t.status != "ok" else []
        if t.changed_since_marked:
            notes.append(f"{t.changed_since_marked} written answer(s) changed since marked")
        rows.append([t.student, t.notebook, _number(t.automatic), _number(t.automatic_max),
                     _number(t.written), _number(t.written_max), str(t.unmarked),
                     _number(t.total), _number(t.maximum),
                     f"{100 * t.total / t.maximum:.1f}" if t.maximum else "",
                     "; ".join(notes) or "ok"])
    _write_csv(path, rows)


def long_rows(results: list[dict], instructors: dict, marks: dict) -> list[dict]:
    """The tidy table: one row per student, notebook and question."""
    questions = written_questions(instructors)
    rows = []
    for result in sorted(results, key=lambda r: (r["student"], r["notebook"])):
        notebook, status = result["notebook"], "; ".join(result.get("statuses", [])) or "ok"
        # The version graded against (0: the default), so a grade can be traced to its question.
        base = {"student": result["student"], "notebook": notebook,
                "variant": str(result.get("variant", 0))}
        for check_id, points in checks_of(instructors[notebook]).items():
            got = result.get("checks", {}).get(check_id, {})
            rows.append({**base, "question": check_id, "kind": "auto",
                         "points": _number(got.get("awarded", 0)), "max_points": _number(points),
                         "marked": "yes", "comment": "", "status": status})
        for (nb, check_id), question in questions.items():
            if nb != notebook:
                continue
            given = written_result(result, check_id, marks)
            note = "answer changed since marked" if given["changed_since_marked"] else "ok"
            rows.append({**base, "question": check_id, "kind": "written",
                         "points": "" if given["points"] is None else _number(given["points"]),
                         "max_points": _number(question["points"]),
                         "marked": "no" if given["points"] is None else "yes",
                         "comment": given["comment"], "status": note})
    return rows


LONG_COLUMNS = ("student", "notebook", "variant", "question", "kind", "points", "max_points",
                "marked", "comment", "status")


def write_long_csv(rows: list[dict], path: Path) -> None:
    _write_csv(path, [list(LONG_COLUMNS)] + [[row[c] for c in LONG_COLUMNS] for row in rows])


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    safe_csv.writer(buffer, lineterminator="\n").writerows(rows)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(buffer.getvalue(), encoding="utf-8")
    partial.replace(path)


def write_gradebook_outputs(results: list[dict], out_dir: Path, instructors: dict,
                            submissions_dir: Path | None = None) -> list[str]:
    """totals.csv, grades_long.csv and the HTML feedback pages; returns warnings to print.

    Called after the grader's own reports (grade.grade and shards.merge). It only READS the
    teacher's written_marks.csv; if that file is malformed the outputs are written without
    the marks and the warning says where the file is wrong.
    """
    from balkan_course.grading.feedback_html import write_feedback_pages

    out_dir = Path(out_dir)
    warnings = []
    marks_path = default_marks_path(out_dir)
    try:
        marks = load_marks(marks_path, written_questions(instructors))
    except MarksFileError as problem:
        warnings.append(f"written marks NOT merged (the file is left as it is): {problem}")
        marks = {}
    lost = unmatched_marks(marks, results)
    if lost:
        warnings.append(f"{len(lost)} written mark(s) in {marks_path} belong to no graded "
                        "notebook (kept in the file): " + ", ".join(
                            "/".join(m.key) for m in lost[:5]))
    totals = totals_of(results, instructors, marks)
    write_totals_csv(totals, out_dir / "totals.csv")
    write_long_csv(long_rows(results, instructors, marks), out_dir / "grades_long.csv")
    write_feedback_pages(results, out_dir / "feedback_html", instructors, marks,
                         submissions_dir)
    return warnings


# ---------------------------------------------------------------- roster and assignments


def load_roster(path: Path) -> dict[str, dict]:
    """student folder -> the roster row; errors name file, row and column."""
    rows = read_table(path, required=("student",))
    roster = {}
    for line, row in rows:
        student = row.get("student", "").strip()
        if not student:
            raise GradebookError(f"{path}, row {line}, column student: empty")
        if student in roster:
            raise GradebookError(f"{path}, row {line}, column student: {student} appears twice")
        roster[student] = {c: (row.get(c) or "").strip() for c in ROSTER_COLUMNS}
    return roster


def load_assignments(path: Path | None, notebooks: list[str]) -> dict[str, dict]:
    """notebook -> {title, canvas_assignment_id}; titles default to the notebook's name."""
    assignments = {nb: {"title": default_title(nb), "canvas_assignment_id": ""}
                   for nb in notebooks}
    if path is None:
        return assignments
    for line, row in read_table(path, required=("notebook",)):
        notebook = row["notebook"].strip()
        if notebook not in assignments:
            raise GradebookError(f"{path}, row {line}, column notebook: {notebook!r} is not a "
                                 f"graded notebook ({', '.join(notebooks)})")
        if row.get("title", "").strip():
            assignments[notebook]["title"] = row["title"].strip()
        canvas_id = (row.get("canvas_assignment_id") or "").strip()
        if canvas_id and not canvas_id.isdigit():
            raise GradebookError(f"{path}, row {line}, column canvas_assignment_id: "
                                 f"{canvas_id!r} is not a number")
        assignments[notebook]["canvas_assignment_id"] = canvas_id
    return assignments


def default_title(notebook: str) -> str:
    """`00_start_here` -> `00 Start here`."""
    words = notebook.split("_")
    return " ".join([words[0], *(w.capitalize() if i == 0 else w
                                 for i, w in enumerate(words[1:]))])


# ---------------------------------------------------------------- the LMS files


def split_name(name: str) -> tuple[str, str]:
    """(first, last): the last word is taken as the family name (documented assumption)."""
    parts = name.split()
    if len(parts) < 2:
        return (name, "")
    return (" ".join(parts[:-1]), parts[-1])


def export_rows(lms: str, totals: list[Total], roster: dict[str, dict],
                assignments: dict[str, dict]) -> list[list[str]]:
    """The rows of the gradebook file one LMS imports."""
    notebooks = list(assignments)
    by_student: dict[str, dict[str, Total]] = {}
    for t in totals:
        by_student.setdefault(t.student, {})[t.notebook] = t
    maxima = {}
    for t in totals:
        maxima.setdefault(t.notebook, t.maximum)

    def cells(student):
        mine = by_student.get(student, {})
        return [_number(mine[nb].total) if nb in mine else "" for nb in notebooks]

    maximum_cells = [_number(maxima[nb]) if nb in maxima else "" for nb in notebooks]
    unknown = sorted(set(by_student) - set(roster))
    if unknown:
        raise GradebookError("students graded but not in the roster (add a row each): "
                             + ", ".join(unknown))
    titles = [assignments[nb]["title"] for nb in notebooks]
    students = sorted(roster, key=lambda s: (roster[s]["name"] or s).casefold())
    if lms == "canvas":
        header = [*CANVAS_FIXED, *[f"{a['title']} ({a['canvas_assignment_id']})"
                                   if a["canvas_assignment_id"] else a["title"]
                                   for a in assignments.values()]]
        rows = [header, [CANVAS_POINTS_ROW, "", "", "", "", *maximum_cells]]
        for student in students:
            person = roster[student]
            _require(person, student, ("lms_user_id", "sis_user_id", "sis_login_id"), "Canvas")
            rows.append([_canvas_name(person["name"] or student), person["lms_user_id"],
                         person["sis_user_id"], person["sis_login_id"], person["section"],
                         *cells(student)])
        return rows
    if lms == "moodle":
        rows = [[*MOODLE_FIXED, *titles]]
        for student in students:
            person = roster[student]
            _require(person, student, ("email", "id_number"), "Moodle")
            rows.append([person["name"] or student, person["email"], person["id_number"],
                         *cells(student)])
        return rows
    if lms == "classroom":
        rows = [[*CLASSROOM_FIXED, *titles], [CLASSROOM_POINTS_ROW, "", "", *maximum_cells]]
        for student in students:
            person = roster[student]
            _require(person, student, ("email",), "Google Classroom")
            first, last = split_name(person["name"] or student)
            rows.append([last, first, person["email"], *cells(student)])
        return rows
    raise GradebookError(f"unknown LMS {lms!r}; choose one of {', '.join(LMS_CHOICES)}")


def _canvas_name(name: str) -> str:
    first, last = split_name(name)
    return f"{last}, {first}" if last else first


def _require(person: dict, student: str, columns: tuple[str, ...], lms: str) -> None:
    if not any(person[c] for c in columns):
        raise GradebookError(f"roster: {student} has none of {', '.join(columns)}, which "
                             f"{lms} needs to know who the row is")


def write_export(lms: str, out_dir: Path, instructors: dict, roster_path: Path,
                 assignments_path: Path | None = None) -> tuple[Path, list[str]]:
    """Write gradebook_<lms>.csv in out_dir from its results; returns the path and warnings."""
    results = read_results(out_dir / "results")
    roster = load_roster(roster_path)
    notebooks = sorted({r["notebook"] for r in results})
    try:
        marks = load_marks(default_marks_path(out_dir), written_questions(instructors))
    except MarksFileError as problem:
        raise GradebookError(f"cannot export before the marks file is fixed: {problem}") \
            from problem
    totals = totals_of(results, instructors, marks)
    rows = export_rows(lms, totals, roster, load_assignments(assignments_path, notebooks))
    target = out_dir / f"gradebook_{lms}.csv"
    _write_csv(target, rows)
    warnings = []
    unmarked = sum(t.unmarked for t in totals)
    if unmarked:
        warnings.append(f"{unmarked} written answer(s) not marked yet: they count 0 in "
                        f"{target.name} (mark them in teacher/mark_written_answers.ipynb)")
    missing = sorted(set(roster) - {t.student for t in totals})
    if missing:
        warnings.append(f"{len(missing)} roster student(s) without any graded notebook "
                        f"(their cells are left empty): {', '.join(missing[:10])}")
    return target, warnings


def read_results(results_dir: Path) -> list[dict]:
    """Every result file under results/<student>/<notebook>.json."""
    import json

    results = []
    for path in sorted(Path(results_dir).glob("*/*.json")):
        results.append(json.loads(path.read_text(encoding="utf-8")))
    return results


# ---------------------------------------------------------------- reading them back


def read_gradebook(lms: str, path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Read an exported file back as the LMS would: (maxima by column, points by (id, column)).

    Canvas keys students by ID (else SIS User ID, SIS Login ID) and skips its Points Possible
    row; Moodle by email (else ID number); Classroom by email, skipping its Points row.
    """
    rows = list(csv.reader(Path(path).read_text(encoding="utf-8").splitlines()))
    header, body = rows[0], rows[1:]
    fixed = {"canvas": CANVAS_FIXED, "moodle": MOODLE_FIXED, "classroom": CLASSROOM_FIXED}[lms]
    columns = header[len(fixed):]
    maxima: dict[str, str] = {}
    points: dict[tuple[str, str], str] = {}
    for row in body:
        if row[0] in (CANVAS_POINTS_ROW, CLASSROOM_POINTS_ROW) and lms != "moodle":
            maxima = dict(zip(columns, row[len(fixed):], strict=True))
            continue
        if lms == "canvas":
            key = row[1] or row[2] or row[3]
        elif lms == "moodle":
            key = row[1] or row[2]
        else:
            key = row[2]
        for column, value in zip(columns, row[len(fixed):], strict=True):
            points[(key, column)] = value
    return maxima, points


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    from balkan_course.grading.instructor import (
        SOLUTIONS_DIR,
        GradingSetupError,
        load_instructor_notebooks,
    )

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a gradebook file an LMS can import")
    export.add_argument("--out", type=Path, required=True, help="the grader's output folder")
    export.add_argument("--lms", choices=LMS_CHOICES, required=True)
    export.add_argument("--roster", type=Path, required=True, help="roster.csv (see above)")
    export.add_argument("--assignments", type=Path, default=None,
                        help="assignments.csv: notebook,title,canvas_assignment_id")
    export.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR)
    args = parser.parse_args(argv)
    try:
        instructors = load_instructor_notebooks(args.solutions)
        target, warnings = write_export(args.lms, args.out, instructors, args.roster,
                                        args.assignments)
    except (GradebookError, GradingSetupError) as problem:
        print(f"cannot export: {problem}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
