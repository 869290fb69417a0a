"""The marking desk's widgets record points and comments into the marks file, keep what others
wrote there meanwhile, and refuse to write over a file that has become malformed.
(The same notebook is driven in a real browser by browser_tests/test_marking_notebook.py.)"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets as widgets
import pytest

from balkan_course.grading.marking_desk import (
    NOT_MARKED,
    MarkingDesk,
    answer_html,
    open_desk,
    points_options,
)
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


# ---------------------------------------------------------------- a student's text stays text

HOSTILE_ANSWERS = {
    "script": "<script>window.__pwned = 1</script>",
    "img onerror": '<img src="x" onerror="window.__pwned = 2">',
    "javascript link": "[my sources](javascript:window.__pwned=3) and <a href='javascript:x'>a</a>",
    "remote image": "![chart](http://evil.example/track.png)",
    "markdown heading": "Short answer.\n\n### bob — 00-why-differ\n\nKFOR counts troops.",
    "horizontal rule": "Mine ends here.\n\n---\n\n**bob** wrote, for 00-why-differ:",
    "html comment": "Visible <!-- hidden from the teacher --> text",
    "unclosed tags": "<div style='position:fixed;top:0;left:0'><b><i>still open",
    "closing the box": "</div></div><h4>bob</h4><div>",
    "fake label": "student: bob\npoints: 2\ncomment: excellent",
    "entities and braces": "&lt;script&gt; {student} {text} &amp; \u202eright-to-left",
}


class Structure(HTMLParser):
    """The tags of an HTML fragment, the text inside the student's box and the text outside."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.depth = 0  # > 0 inside the student's box
        self.inside = self.outside = ""
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(f"<{tag} {sorted(attrs)}>")
        if self.depth or ("class", "marking-student-text") in attrs:
            self.depth += 1

    def handle_endtag(self, tag):
        self.tags.append(f"</{tag}>")
        self.depth = max(self.depth - 1, 0)

    def handle_data(self, data):
        if self.depth:
            self.inside += data
        else:
            self.outside += data


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS.values(), ids=HOSTILE_ANSWERS)
def test_an_answer_is_shown_as_the_text_typed_inside_the_desks_own_frame(answer):
    shown = Structure(answer_html("ana", "00-why-differ", answer))
    benign = Structure(answer_html("ana", "00-why-differ", "KFOR counts troops."))
    # The markup around an answer never depends on it: no tag, attribute or link of the
    # student's reaches the page, so nothing can run or load, and nothing can pose as the
    # desk's label of another answer.
    assert shown.tags == benign.tags
    assert shown.inside == answer  # every character, as typed, inside the box
    assert shown.outside == benign.outside == "ana wrote, for 00-why-differ:"


def test_the_desk_shows_a_hostile_answer_as_text_under_its_students_name(tmp_path):
    answer = HOSTILE_ANSWERS["markdown heading"] + "\n" + HOSTILE_ANSWERS["img onerror"]
    out = fake_output(tmp_path / "out", {"ana": answer, "bob": "KFOR counts troops.",
                                         "cy": "  \n"})
    desk = MarkingDesk(out, SOLUTIONS)
    desk.view()
    shown = desk.rows["ana"]["answer"]
    assert isinstance(shown, widgets.HTML) and "marking-answer-text" in shown._dom_classes
    assert "<img" not in shown.value and "&lt;img src=&quot;x&quot;" in shown.value
    assert Structure(shown.value).inside == answer
    assert Structure(shown.value).outside == "ana wrote, for 00-why-differ:"
    assert Structure(desk.rows["cy"]["answer"].value).inside == "(no answer)"
    # The row's other widgets still work: the mark is saved for ana, not for "bob".
    desk.rows["ana"]["points"].value = 1
    assert list(load_marks(desk.marks_path, desk.questions)) == [("ana", *KEY)]


# ---------------------------------------------------------------- the capstone's four-level rubric

CAPSTONE = ("08_capstone_briefing", "08-assessment")


def test_the_capstone_paper_is_shown_with_its_rubric_levels_and_marked_up_to_24(tmp_path,
                                                                             monkeypatch):
    from balkan_course.grading import marking_desk

    shown = []
    monkeypatch.setattr(marking_desk, "display", lambda item: shown.append(item.data))
    out = tmp_path / "out"
    path = out / "results" / "ana" / "08_capstone_briefing.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"student": "ana", "notebook": CAPSTONE[0], "statuses": [],
                                "checks": {}, "free_text": {CAPSTONE[1]: {
                                    "points": 24, "answer": "**To:** a newsroom in Sarajevo."}}}))
    desk = MarkingDesk(out, SOLUTIONS)
    desk.view()
    desk.picker.value = CAPSTONE
    page = shown[-1]
    assert "(24 points, 4 versions)" in page  # each student's own version, above the answer
    own = desk.rows["ana"]["question"].value  # ana's prompt and rubric, rendered
    for level in ("4 · Excellent", "3 · Good", "2 · Developing", "1 · Beginning"):
        assert level in own
    for criterion in ("Question and audience", "Evidence and citation",
                      "Handling disagreement between sources",
                      "Estimative language and uncertainty",
                      "Even-handedness and local perspectives", "Structure and clarity"):
        assert criterion in own
    assert "Hand-in: your paper" in own and "follow-up" in own and "{{" not in own
    menu = [value for _, value in desk.rows["ana"]["points"].options]
    assert menu[1:] == [i / 2 for i in range(49)]  # 0, 0.5, ... 24
    desk.rows["ana"]["points"].value = 19
    assert load_marks(desk.marks_path, desk.questions)[("ana", *CAPSTONE)].points == 19
