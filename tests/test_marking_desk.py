"""The marking desk's widgets record points and comments into the marks file, keep what others
wrote there meanwhile, and refuse to write over a file that has become malformed.
(The same notebook is driven in a real browser by browser_tests/test_marking_notebook.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as widgets
import pytest

from balkan_course.grading.marking_desk import NOT_MARKED, MarkingDesk, open_desk, points_options
from balkan_course.grading.written_marks import load_marks, written_questions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
KEY = ("00_start_here", "00-why-differ")


def fake_output(folder: Path, answers: dict[str, str]) -> Path:
    """results/<student>/00_start_here.json as the grader writes them (only what the desk reads)."""
    for student, answer in answers.items():
        path = folder / "results" / student / "00_start_here.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"student": student, "notebook": "00_start_here",
                                    "statuses": [], "checks": {},
                                    "free_text": {"00-why-differ": {"points": 2,
                                                                    "answer": answer}}}))
    return folder


@pytest.fixture
def desk(tmp_path):
    out = fake_output(tmp_path / "grading_output",
                      {"ana": "KFOR counts troops **deployed**.", "bob": ""})
    desk = MarkingDesk(out, SOLUTIONS)
    desk.view()
    desk.picker.value = KEY
    return desk


def test_the_desk_shows_each_students_answer_with_a_points_menu(desk):
    assert set(desk.rows) == {"ana", "bob"}
    labels = [label for label, _ in desk.rows["ana"]["points"].options]
    assert labels == [NOT_MARKED, "0", "0.5", "1", "1.5", "2"]
    assert "0 of 2" in desk.progress.value


def test_points_and_comment_are_saved_at_once(desk):
    desk.rows["ana"]["points"].value = 1.5
    desk.rows["ana"]["comment"].value = "Which source says so?"
    marks = load_marks(desk.marks_path, desk.questions)
    mark = marks[("ana", *KEY)]
    assert (mark.points, mark.comment) == (1.5, "Which source says so?")
    assert mark.answer_sha256 and mark.marked_at
    assert "saved" in desk.rows["ana"]["state"].value and "1 of 2" in desk.progress.value
    desk.rows["ana"]["points"].value = None
    desk.rows["ana"]["comment"].value = ""
    assert load_marks(desk.marks_path, desk.questions) == {}  # unmarked again


def test_marks_typed_elsewhere_meanwhile_are_kept(desk):
    desk.rows["ana"]["points"].value = 2
    text = desk.marks_path.read_text(encoding="utf-8")
    desk.marks_path.write_text(text + "bob,00_start_here,00-why-differ,0,No answer.,,\n",
                               encoding="utf-8")
    desk.rows["ana"]["comment"].value = "Clear."
    marks = load_marks(desk.marks_path, desk.questions)
    assert marks[("bob", *KEY)].comment == "No answer." and marks[("ana", *KEY)].points == 2


def test_a_malformed_file_is_never_written_over(desk):
    broken = "student,notebook,check_id,points\nana,00_start_here,00-why-differ,many\n"
    desk.marks_path.write_text(broken, encoding="utf-8")
    desk.rows["bob"]["points"].value = 1
    assert desk.marks_path.read_text(encoding="utf-8") == broken
    assert "NOT saved" in desk.rows["bob"]["state"].value
    assert "row 2, column points" in desk.message.value


def test_opening_without_output_or_with_a_broken_file_explains_itself(tmp_path):
    message = open_desk(tmp_path / "nothing", SOLUTIONS)
    assert isinstance(message, widgets.HTML) and "grade the class first" in message.value
    out = fake_output(tmp_path / "out", {"ana": "x"})
    (out / "written_marks.csv").write_text("student\nana\n", encoding="utf-8")
    message = open_desk(out, SOLUTIONS)
    assert "cannot be read" in message.value and "column(s) notebook" in message.value


def test_every_written_question_of_the_course_can_be_marked_in_half_points():
    from balkan_course.grading.marking_desk import load_solutions

    for question in written_questions(load_solutions(SOLUTIONS)).values():
        assert points_options(question["points"])[-1][1] == question["points"]


def test_a_large_class_is_shown_a_page_at_a_time(tmp_path, monkeypatch):
    from balkan_course.grading import marking_desk

    monkeypatch.setattr(marking_desk, "PAGE_SIZE", 2)
    out = fake_output(tmp_path / "out", {f"s{i}": f"answer {i}" for i in range(5)})
    desk = MarkingDesk(out, SOLUTIONS)
    desk.view()
    assert set(desk.rows) == {"s0", "s1"}
    assert [label for label, _ in desk.pager.options] == [
        "students 1-2 of 5", "students 3-4 of 5", "students 5-5 of 5"]
    desk.pager.value = 4
    assert set(desk.rows) == {"s4"}
    desk.rows["s4"]["points"].value = 1
    assert load_marks(desk.marks_path, desk.questions)[("s4", *KEY)].points == 1
    assert "1 of 5" in desk.progress.value
