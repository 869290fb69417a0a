"""CSV injection: no cell of a CSV the grader writes starts a spreadsheet formula.

Students control text that lands in those files (their folder and file names, their names in
an LMS download). A hostile class goes through the real pipeline here: an LMS import, a grading
run (as a shard of one, then merged), the teacher's marks from the marking desk, the reports
again and the export for each LMS. Every CSV cell written must be safe (OWASP: no leading
`=`, `+`, `-`, `@`, tab or carriage return, unless it is a plain number), numbers must stay
numbers, and what the course reads back (written marks, students.csv) must come back exactly.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import gradebook, lms_import, shards
from balkan_course.grading.feedback_html import _markdown
from balkan_course.grading.marking_desk import MarkingDesk
from balkan_course.grading.safe_csv import read_back, spreadsheet_safe
from balkan_course.grading.written_marks import load_marks, written_questions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOK = "00_start_here"
QUESTION = "00-why-differ"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A student folder, a file that matches no exercise, another student with only such a file.
STUDENT = '=HYPERLINK("evil.example","open")'
STRAY_FILE = "=cmd|' calc'!A0.ipynb"
OTHER_STUDENT = "@SUM(1+1)"
OTHER_FILE = "-2+3.ipynb"
ANSWER = ("<script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>\n\n"
          "### bob — 00-why-differ\n\n=HYPERLINK(\"evil.example\")\n")
COMMENT = "-0.5: no source named. =see the rubric"  # what a teacher may well type
ROSTER_NAME = '=HYPERLINK("evil.example") Ana'


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1+cmd", "'+1+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("ana", "ana"), ("", ""), ("a=b", "a=b"), (" =1", " =1"),
    ("-1", "-1"), ("+2.5", "+2.5"), ("-1e3", "-1e3"), ("12.5", "12.5"),  # plain numbers
    (1.5, 1.5), (-1, -1), (None, None),  # not text: left to csv.writer
    ("'=1", "''=1"), ("''", "'''"), ("'-1", "''-1"), ("'ok", "'ok"), ("'", "'"),
])
def test_text_a_spreadsheet_would_run_gets_a_quote_and_nothing_else_does(value, written):
    assert spreadsheet_safe(value) == written


@pytest.mark.parametrize("text", ["=1+1", "-0.5: no", "'", "''", "'=", "''=x", "'-1", "-1",
                                  "'ok", "", "\r", "'\t", "@", "+", "plain"])
def test_what_is_written_reads_back_exactly(text):
    assert read_back(spreadsheet_safe(text)) == text


# ---------------------------------------------------------------- the pipeline


def write_class(submissions: Path) -> None:
    exercise = nbformat.read(ROOT / "exercises" / f"{NOTEBOOK}.ipynb", as_version=4)
    for cell in exercise.cells:
        if cell["id"] == "q7-answer":
            cell.source = ANSWER
    (submissions / STUDENT).mkdir(parents=True)
    nbformat.write(exercise, submissions / STUDENT / f"{NOTEBOOK}.ipynb")
    (submissions / STUDENT / STRAY_FILE).write_text("{}", encoding="utf-8")
    (submissions / OTHER_STUDENT).mkdir()
    (submissions / OTHER_STUDENT / OTHER_FILE).write_text("{}", encoding="utf-8")


def write_moodle_download(folder: Path) -> None:
    exercise = (ROOT / "exercises" / f"{NOTEBOOK}.ipynb").read_bytes()
    entry = folder / f"{ROSTER_NAME}_123_assignsubmission_file_"
    entry.mkdir(parents=True)
    (entry / f"{NOTEBOOK}.ipynb").write_bytes(exercise)
    (folder / "@evil_9_assignsubmission_onlinetext_").mkdir()
    (folder / "@evil_9_assignsubmission_onlinetext_" / "onlinetext.html").write_text("x")


def cells_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """The class imported, graded, marked, reported and exported; returns the folders."""
    folder = tmp_path_factory.mktemp("csv_injection")
    instructors = grading.load_instructor_notebooks(SOLUTIONS)
    imported = folder / "imported"
    write_moodle_download(folder / "moodle")
    for _ in range(2):  # the second import reads students.csv back
        lms_import.import_archive("moodle", folder / "moodle", imported,
                                  lms_import.solution_cell_ids(SOLUTIONS))
    submissions = folder / "submissions"
    write_class(submissions)
    shard, out = folder / "shard", folder / "out"
    grading.grade(submissions, shard, workers=1, cell_timeout=30, shard=(1, 1))
    shards.merge([shard], out, submissions, SOLUTIONS)
    # The teacher marks the answer at the desk; the next run merges the mark.
    desk = MarkingDesk(out, SOLUTIONS)
    desk.view()
    desk.rows[STUDENT]["comment"].value = COMMENT
    desk.rows[STUDENT]["points"].value = 1.5
    gradebook.write_gradebook_outputs(
        [r for r in gradebook.read_results(out / "results") if r["notebook"] in instructors],
        out, instructors, submissions)
    roster = folder / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["student", "name", "email", "lms_user_id"],
                                      [STUDENT, ROSTER_NAME, "ana@school.example", "1001"]])
    for lms in gradebook.LMS_CHOICES:
        gradebook.write_export(lms, out, instructors, roster)
    return {"folder": folder, "out": out, "shard": shard, "imported": imported,
            "instructors": instructors, "desk": desk}


def test_every_csv_cell_the_grader_writes_is_safe_in_a_spreadsheet(pipeline):
    written = sorted(p for p in pipeline["folder"].rglob("*.csv") if p.name != "roster.csv")
    names = {p.relative_to(pipeline["folder"]).as_posix() for p in written}
    assert {"out/grades.csv", "out/class_summary.csv", "out/totals.csv", "out/grades_long.csv",
            "out/written_marks.csv", "out/gradebook_canvas.csv", "out/gradebook_moodle.csv",
            "out/gradebook_classroom.csv", "shard/grades.csv", "imported/import_report.csv",
            "imported/students.csv"} <= names
    unsafe = [(p.name, cell) for p in written for row in cells_of(p) for cell in row
              if cell[:1] in FORMULA_STARTS and not is_number(cell)]
    assert unsafe == []


def test_the_hostile_names_are_there_as_text(pipeline):
    grades = {(r[0], r[1]): r for r in cells_of(pipeline["out"] / "grades.csv")[1:]}
    assert ("'" + STUDENT, NOTEBOOK) in grades
    assert ("'" + STUDENT, "'" + STRAY_FILE) in grades  # the file name: a formula no more
    assert ("'" + OTHER_STUDENT, "'" + OTHER_FILE) in grades
    moodle = cells_of(pipeline["out"] / "gradebook_moodle.csv")
    assert moodle[1][:2] == ["'" + ROSTER_NAME, "ana@school.example"]
    entries = [r[1] for r in cells_of(pipeline["imported"] / "import_report.csv")]
    assert "'@evil_9_assignsubmission_onlinetext_/onlinetext.html" in entries


def test_numbers_stay_numbers(pipeline):
    header, *rows = cells_of(pipeline["out"] / "grades.csv")
    graded = next(r for r in rows if r[1] == NOTEBOOK)
    for column in ("total", "max", "percent"):
        assert is_number(graded[header.index(column)]), column
    long_header, *long_rows = cells_of(pipeline["out"] / "grades_long.csv")
    written = next(r for r in long_rows if r[long_header.index("question")] == QUESTION)
    assert written[long_header.index("points")] == "1.5"
    assert written[long_header.index("comment")] == "'" + COMMENT
    totals = {t.student: t for t in gradebook.totals_of(
        gradebook.read_results(pipeline["out"] / "results"), pipeline["instructors"],
        load_marks(pipeline["out"] / "written_marks.csv"))}
    for lms in gradebook.LMS_CHOICES:
        _, points = gradebook.read_gradebook(lms, pipeline["out"] / f"gradebook_{lms}.csv")
        key = "1001" if lms == "canvas" else "ana@school.example"
        assert float(points[(key, "00 Start here")]) == totals[STUDENT].total == 1.5 + \
            totals[STUDENT].automatic


def test_what_the_course_reads_back_is_what_was_typed(pipeline):
    questions = written_questions(pipeline["instructors"])
    mark = load_marks(pipeline["out"] / "written_marks.csv", questions)[
        (STUDENT, NOTEBOOK, QUESTION)]
    assert (mark.student, mark.points, mark.comment) == (STUDENT, 1.5, COMMENT)
    assert "saved" in pipeline["desk"].rows[STUDENT]["state"].value
    # students.csv, read back by the second import and as a roster: the name as the LMS gave it.
    people = lms_import.People("moodle", pipeline["imported"], None)
    assert [row["name"] for row in people.known.values()] == [ROSTER_NAME]
    roster = gradebook.load_roster(pipeline["imported"] / "students.csv")
    assert [row["name"] for row in roster.values()] == [ROSTER_NAME]
    assert len(list((pipeline["imported"]).iterdir())) == 3  # one student folder, two CSVs


def test_the_hostile_answer_is_text_on_the_desk_the_feedback_page_and_free_text(pipeline):
    desk_html = pipeline["desk"].rows[STUDENT]["answer"].value
    assert "<script" not in desk_html and "<img" not in desk_html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in desk_html
    page = next((pipeline["out"] / "feedback_html").rglob(f"{NOTEBOOK}.html")).read_text(
        encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    result = json.loads(next((pipeline["out"] / "results").rglob(f"{NOTEBOOK}.json"))
                        .read_text(encoding="utf-8"))
    assert result["student"] == STUDENT and "window.__pwned" in \
        result["free_text"][QUESTION]["answer"]
    # free_text/: the answer in a fenced block, so its "### bob" is no student's heading there.
    digest = (pipeline["out"] / "free_text" / f"{NOTEBOOK}__{QUESTION}.md").read_text(
        encoding="utf-8")
    rendered = _markdown(digest)
    assert re.findall(r"<h3>(.*?)</h3>", rendered) == [html.escape(STUDENT)]
    assert "<script" not in rendered and "<img" not in rendered
    assert "### bob — 00-why-differ" in digest.split(f"### {STUDENT}")[1]
