"""Written marks, totals, the tidy CSV, the LMS gradebook files and the HTML feedback pages,
on results shaped like the grader's (results/<student>/<notebook>.json), without running it."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import gradebook, written_marks
from balkan_course.grading.feedback_html import write_feedback_pages
from balkan_course.grading.gradebook import GradebookError
from balkan_course.grading.written_marks import (
    Mark,
    MarksFileError,
    answer_fingerprint,
    load_marks,
    save_marks,
    written_questions,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_start_here", "01_sources_and_evidence")


@pytest.fixture(scope="module")
def instructors():
    return {nb: nbformat.read(ROOT / "solutions" / f"{nb}.ipynb", as_version=4)
            for nb in NOTEBOOKS}


@pytest.fixture(scope="module")
def questions(instructors):
    return written_questions(instructors)


def result(student, notebook, instructors, passed=(), answers=None, statuses=()):
    checks = gradebook.checks_of(instructors[notebook])
    free = {cid: {"points": q["points"], "answer": (answers or {}).get(cid, "")}
            for (nb, cid), q in written_questions(instructors).items() if nb == notebook}
    return {"student": student, "notebook": notebook, "submission_sha256": "x",
            "statuses": list(statuses), "seconds": 1.0, "free_text": free,
            "checks": {cid: {"points": p, "awarded": p if cid in passed else 0,
                             "passed": cid in passed,
                             "shown": "" if cid in passed else f"❌ {cid}: not yet: try again",
                             "ran": True} for cid, p in checks.items()}}


def written_ids(questions, notebook):
    return [cid for (nb, cid) in questions if nb == notebook]


def test_the_course_has_written_questions_with_prompts_and_rubrics(questions):
    assert ("00_start_here", "00-why-differ") in questions
    question = questions[("00_start_here", "00-why-differ")]
    assert question["points"] == 2 and question["prompt"] and question["rubric"]


# ---------------------------------------------------------------- the marks file


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "student,notebook,check_id,points,comment,answer_sha256,marked_at\n"


@pytest.mark.parametrize("text, message", [
    ("student,notebook,points\nana,00_start_here,1\n", "row 1 (header): column(s) check_id"),
    (HEADER + "ana,00_start_here,00-why-differ,one,,,\n", "row 2, column points: 'one' is not"),
    (HEADER + "ana,00_start_here,00-why-differ,-1,,,\n", "row 2, column points: '-1' must be"),
    (HEADER + "ana,00_start_here,00-why-differ,3,,,\n", "row 2, column points: 3 is more than"),
    (HEADER + "ana,00_start_here,00-nope,1,,,\n", "row 2, column check_id: 00_start_here/00-nope"),
    (HEADER + ",00_start_here,00-why-differ,1,,,\n", "row 2, column student: empty"),
    (HEADER + "ana,00_start_here,00-why-differ,1,,,\n\nana,00_start_here,00-why-differ,2,,,\n",
     "row 4: ana/00_start_here/00-why-differ is marked twice"),
    (HEADER + "ana,00_start_here,00-why-differ,1,,,,surplus\n", "row 2: more cells"),
])
def test_a_malformed_marks_file_is_refused_naming_file_row_and_column(tmp_path, questions, text,
                                                                      message):
    path = write(tmp_path / "written_marks.csv", text)
    with pytest.raises(MarksFileError) as refused:
        load_marks(path, questions)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_marks_read_from_a_spreadsheet_export(tmp_path, questions):
    text = ("\ufeff" + HEADER.strip() + ",marker\n"
            'ana,00_start_here,00-why-differ,"1,5","Good, but no source.",,,MB\n'
            "\n"  # blank lines from a spreadsheet are fine
            "bob,00_start_here,00-why-differ,,still to read,,,\n")
    marks = load_marks(write(tmp_path / "m.csv", text), questions)
    ana = marks[("ana", "00_start_here", "00-why-differ")]
    assert ana.points == 1.5 and ana.comment == "Good, but no source."
    assert ana.extra == {"marker": "MB"}
    assert marks[("bob", "00_start_here", "00-why-differ")].points is None


def test_saving_is_atomic_keeps_a_backup_and_unknown_columns(tmp_path, questions):
    path = tmp_path / "written_marks.csv"
    first = {("ana", "00_start_here", "00-why-differ"):
             Mark("ana", "00_start_here", "00-why-differ", 2, "Excellent", extra={"marker": "MB"})}
    save_marks(path, first)
    before = path.read_bytes()
    second = load_marks(path, questions)
    second[("ana", "00_start_here", "00-why-differ")].points = 1
    save_marks(path, second)
    assert path.with_name("written_marks.csv.bak").read_bytes() == before
    again = load_marks(path, questions)[("ana", "00_start_here", "00-why-differ")]
    assert again.points == 1 and again.extra == {"marker": "MB"}
    assert not list(tmp_path.glob("*.partial"))


def test_a_failed_save_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "written_marks.csv"
    save_marks(path, {("a", "00_start_here", "00-why-differ"):
                      Mark("a", "00_start_here", "00-why-differ", 1)})
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(written_marks.os, "replace", broken)
    with pytest.raises(OSError):
        save_marks(path, {})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


# ---------------------------------------------------------------- totals and the tidy table


@pytest.fixture
def class_results(instructors):
    return [
        result("ana", "00_start_here", instructors, passed=("00-columns", "00-kfor-strength"),
               answers={"00-why-differ": "The sources count differently."}),
        result("ana", "01_sources_and_evidence", instructors, passed=("01-inferred-dates",)),
        result("bob", "00_start_here", instructors, answers={"00-why-differ": "Old answer"},
               statuses=["time limit hit in cell q3-answer"]),
    ]


def marks_for(class_results):
    ana = class_results[0]["free_text"]["00-why-differ"]["answer"]
    return {("ana", "00_start_here", "00-why-differ"):
            Mark("ana", "00_start_here", "00-why-differ", 1.5, "Name a source.",
                 answer_fingerprint(ana)),
            ("bob", "00_start_here", "00-why-differ"):
            Mark("bob", "00_start_here", "00-why-differ", 2, "",
                 answer_fingerprint("An answer he later changed"))}


def test_totals_add_the_written_marks(instructors, class_results, questions):
    totals = {(t.student, t.notebook): t for t in
              gradebook.totals_of(class_results, instructors, marks_for(class_results))}
    ana = totals[("ana", "00_start_here")]
    # ana's only mark is 00-why-differ: set 00's other written questions (the open task) wait
    written_00 = [q for (nb, _), q in questions.items() if nb == "00_start_here"]
    assert (ana.automatic, ana.written, ana.unmarked) == (3, 1.5, len(written_00) - 1)
    auto_max = sum(gradebook.checks_of(instructors["00_start_here"]).values())
    assert ana.maximum == auto_max + sum(q["points"] for q in written_00) and ana.total == 4.5
    bob = totals[("bob", "00_start_here")]
    assert bob.written == 2 and bob.changed_since_marked == 1
    ana01 = totals[("ana", "01_sources_and_evidence")]
    assert ana01.unmarked == len(written_ids(questions, "01_sources_and_evidence")) > 0


def test_the_long_table_has_one_row_per_student_notebook_and_question(instructors,
                                                                        class_results):
    rows = gradebook.long_rows(class_results, instructors, marks_for(class_results))
    per_notebook = {nb: len(gradebook.checks_of(instructors[nb]))
                    + len([1 for (n, _) in written_questions(instructors) if n == nb])
                    for nb in NOTEBOOKS}
    assert len(rows) == 2 * per_notebook["00_start_here"] + per_notebook[
        "01_sources_and_evidence"]
    keyed = {(r["student"], r["notebook"], r["question"]): r for r in rows}
    assert keyed[("ana", "00_start_here", "00-why-differ")] | {} == {
        "student": "ana", "notebook": "00_start_here", "variant": "0", "question": "00-why-differ",
        "kind": "written", "points": "1.5", "max_points": "2", "marked": "yes",
        "comment": "Name a source.", "status": "ok"}
    assert keyed[("bob", "00_start_here", "00-why-differ")]["status"] == \
        "answer changed since marked"
    assert keyed[("ana", "00_start_here", "00-columns")]["points"] == "1"


def test_the_long_table_names_the_version_each_student_was_graded_against(instructors,
                                                                           class_results):
    graded = [dict(r, variant=3) if r["student"] == "bob" else r for r in class_results]
    rows = gradebook.long_rows(graded, instructors, marks_for(graded))
    assert {r["variant"] for r in rows if r["student"] == "bob"} == {"3"}
    assert {r["variant"] for r in rows if r["student"] == "ana"} == {"0"}


# ---------------------------------------------------------------- LMS gradebook files


ROSTER = ("student,name,email,lms_user_id,sis_user_id,sis_login_id,section,id_number\n"
          "ana,Ana Kovač,ana@school.example,1001,S-1,akovac,Section A,7001\n"
          "bob,Bob Marić,bob@school.example,1002,S-2,bmaric,Section B,7002\n"
          "cvet,Cvetana Ilić,cvet@school.example,1003,S-3,cilic,Section A,7003\n")


@pytest.mark.parametrize("lms", gradebook.LMS_CHOICES)
def test_each_gradebook_file_reads_back_to_the_totals(tmp_path, instructors, class_results,
                                                      lms):
    marks = marks_for(class_results)
    totals = gradebook.totals_of(class_results, instructors, marks)
    roster = gradebook.load_roster(write(tmp_path / "roster.csv", ROSTER))
    assignments = gradebook.load_assignments(
        write(tmp_path / "assignments.csv", "notebook,title,canvas_assignment_id\n"
              "00_start_here,Lesson 0: start here,555\n"), list(NOTEBOOKS))
    path = tmp_path / f"gradebook_{lms}.csv"
    gradebook._write_csv(path, gradebook.export_rows(lms, totals, roster, assignments))
    maxima, points = gradebook.read_gradebook(lms, path)
    ids = {"canvas": "lms_user_id", "moodle": "email", "classroom": "email"}[lms]
    column = {"canvas": "Lesson 0: start here (555)"}.get(lms, "Lesson 0: start here")
    second = "01 Sources and evidence"
    for t in totals:
        title = column if t.notebook == "00_start_here" else second
        assert float(points[(roster[t.student][ids], title)]) == t.total
        if lms != "moodle":  # Moodle takes the maximum from its own grade item
            assert float(maxima[title]) == t.maximum
    # Cvetana has no submission: her cells stay empty (the LMS then changes nothing).
    assert points[(roster["cvet"][ids], second)] == ""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    if lms == "canvas":
        assert header.startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
        assert path.read_text(encoding="utf-8").splitlines()[1].startswith(
            "    Points Possible,,,,,")
        assert "\"Kovač, Ana\"" in path.read_text(encoding="utf-8")


def test_an_export_without_ids_or_with_unknown_students_is_refused(tmp_path, instructors,
                                                                   class_results):
    totals = gradebook.totals_of(class_results, instructors, {})
    assignments = gradebook.load_assignments(None, list(NOTEBOOKS))
    no_email = gradebook.load_roster(write(tmp_path / "r.csv", "student,name\nana,Ana\n"
                                           "bob,Bob\n"))
    with pytest.raises(GradebookError, match="ana has none of email"):
        gradebook.export_rows("classroom", totals, no_email, assignments)
    partial = gradebook.load_roster(write(tmp_path / "p.csv", "student,email\nana,a@x\n"))
    with pytest.raises(GradebookError, match="not in the roster .*: bob"):
        gradebook.export_rows("moodle", totals, partial, assignments)
    with pytest.raises(GradebookError, match=r"r2.csv, row 3, column student: ana appears twice"):
        gradebook.load_roster(write(tmp_path / "r2.csv", "student\nana\nana\n"))
    with pytest.raises(GradebookError, match="row 2, column notebook: '99_x'"):
        gradebook.load_assignments(write(tmp_path / "a.csv", "notebook,title\n99_x,X\n"),
                                   list(NOTEBOOKS))


def test_export_command_writes_the_file_and_warns_about_unmarked_answers(
        tmp_path, instructors, class_results, capsys):
    out = tmp_path / "grading_output"
    for r in class_results:
        path = out / "results" / r["student"] / f"{r['notebook']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(r), encoding="utf-8")
    save_marks(out / "written_marks.csv", marks_for(class_results))
    target, warnings = gradebook.write_export("canvas", out, instructors,
                                              write(tmp_path / "roster.csv", ROSTER))
    assert target == out / "gradebook_canvas.csv" and target.exists()
    assert any("not marked yet" in w for w in warnings)
    assert any("cvet" in w for w in warnings)
    write(out / "written_marks.csv", HEADER + "ana,00_start_here,00-why-differ,9,,,\n")
    with pytest.raises(GradebookError, match="cannot export before the marks file is fixed"):
        gradebook.write_export("canvas", out, instructors, tmp_path / "roster.csv")


# ---------------------------------------------------------------- after every grading run


def test_grading_outputs_merge_marks_and_never_write_the_marks_file(tmp_path, instructors,
                                                                    class_results):
    out = tmp_path / "out"
    out.mkdir()
    save_marks(out / "written_marks.csv", marks_for(class_results))
    before = (out / "written_marks.csv").read_bytes()
    warnings = gradebook.write_gradebook_outputs(class_results, out, instructors)
    assert warnings == []
    with (out / "totals.csv").open(encoding="utf-8") as handle:
        totals = {(r["student"], r["notebook"]): r for r in csv.DictReader(handle)}
    assert totals[("ana", "00_start_here")]["written"] == "1.5"
    assert "changed since marked" in totals[("bob", "00_start_here")]["status"]
    assert (out / "written_marks.csv").read_bytes() == before
    # A broken marks file: outputs still written, without marks, the file left alone.
    broken = HEADER + "ana,00_start_here,00-why-differ,lots,,,\n"
    write(out / "written_marks.csv", broken)
    warnings = gradebook.write_gradebook_outputs(class_results, out, instructors)
    assert len(warnings) == 1 and "row 2, column points" in warnings[0]
    assert (out / "written_marks.csv").read_text(encoding="utf-8") == broken
    with (out / "totals.csv").open(encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["written"] == "0"


# ---------------------------------------------------------------- HTML feedback


def test_feedback_page_shows_points_hints_code_and_the_teachers_comment(tmp_path, instructors,
                                                                        class_results):
    submissions = tmp_path / "submissions"
    exercise = json.loads((ROOT / "exercises" / "00_start_here.ipynb").read_text())
    for cell in exercise["cells"]:
        if cell["id"] == "q3-answer":
            cell["source"] = "recent = events[events.year > 2023]  # <script>alert(1)</script>"
    (submissions / "ana").mkdir(parents=True)
    (submissions / "ana" / "00_start_here.ipynb").write_text(json.dumps(exercise))
    graded = (submissions / "ana" / "00_start_here.ipynb").read_bytes()
    class_results[0]["submission_sha256"] = hashlib.sha256(graded).hexdigest()
    # Bob's notebook changed after grading: his page must not show code he was not graded on.
    (submissions / "bob").mkdir(parents=True)
    (submissions / "bob" / "00_start_here.ipynb").write_text(json.dumps(exercise))
    class_results[0]["free_text"]["00-why-differ"]["answer"] = "<img src=x onerror=alert(1)>"
    marks = marks_for(class_results)
    marks[("ana", "00_start_here", "00-why-differ")].answer_sha256 = ""
    pages = write_feedback_pages(class_results, tmp_path / "feedback_html", instructors, marks,
                                 submissions)
    assert len(pages) == 3
    page = (tmp_path / "feedback_html" / "ana" / "00_start_here.html").read_text()
    assert "4.5 of" in page and "3 of" in page
    assert "❌ not yet: try again" in page  # the hint of a failed check
    assert "recent = events[events.year &gt; 2023]" in page  # the student's own code, escaped
    assert "<script>" not in page and "<img" not in page
    assert "Your teacher gave 1.5 of 2 points" in page and "Name a source." in page
    bob = (tmp_path / "feedback_html" / "bob" / "00_start_here.html").read_text()
    assert "time limit hit in cell q3-answer" in bob
    assert "changed after it was marked" in bob
    assert "Your code is not shown" in bob and "recent = events" not in bob
    ana01 = (tmp_path / "feedback_html" / "ana" / "01_sources_and_evidence.html").read_text()
    assert "Not marked yet." in ana01


# ---------------------------------------------------------------- the capstone's 24-point paper


def test_the_capstone_paper_and_its_24_points_survive_the_round_trip(tmp_path):
    capstone = "08_capstone_briefing"
    instructors = {capstone: nbformat.read(ROOT / "solutions" / f"{capstone}.ipynb",
                                           as_version=4)}
    questions = written_questions(instructors)
    assert {cid: q["points"] for (_, cid), q in questions.items()} == {
        "08-assessment": 24, "08-open": 3}
    checks = gradebook.checks_of(instructors[capstone])
    ana = result("ana", capstone, instructors, passed=tuple(checks),
                 answers={"08-assessment": "**To:** a ministry in Pristina.",
                          "08-open": "A table."})
    marks_path = tmp_path / "written_marks.csv"
    save_marks(marks_path, {
        ("ana", capstone, cid): Mark("ana", capstone, cid, points, "",
                                     answer_fingerprint(ana["free_text"][cid]["answer"]))
        for cid, points in (("08-assessment", 19), ("08-open", 2.5))})
    marks = load_marks(marks_path, questions)
    [total] = gradebook.totals_of([ana], instructors, marks)
    assert (total.automatic, total.written, total.maximum) == (11, 21.5, 38)
    row = {r["question"]: r for r in gradebook.long_rows([ana], instructors, marks)}
    assert (row["08-assessment"]["points"], row["08-assessment"]["max_points"]) == ("19", "24")
    roster = gradebook.load_roster(write(tmp_path / "roster.csv", ROSTER))
    assignments = gradebook.load_assignments(
        write(tmp_path / "assignments.csv", "notebook,title,canvas_assignment_id\n"
              f"{capstone},Capstone paper,808\n"), [capstone])
    path = tmp_path / "gradebook_canvas.csv"
    gradebook._write_csv(path, gradebook.export_rows("canvas", [total], roster, assignments))
    maxima, points = gradebook.read_gradebook("canvas", path)
    assert float(points[(roster["ana"]["lms_user_id"], "Capstone paper (808)")]) == 32.5
    assert float(maxima["Capstone paper (808)"]) == 38
    # a mark above the paper's 24 points is refused, naming the row
    header = "student,notebook,check_id,points,comment,answer_sha256,marked_at\n"
    with pytest.raises(MarksFileError, match="row 2, column points: 25 is more than"):
        load_marks(write(tmp_path / "too_many.csv",
                         header + f"ana,{capstone},08-assessment,25,,,\n"), questions)
