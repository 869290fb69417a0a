"""The teacher's marking desk for written answers (ipywidgets), used by
teacher/mark_written_answers.ipynb.

Question by question it shows the prompt, the rubric and every student's answer (from the
grader's results/), with a points menu and a comment box per answer. Each change is written at
once to written_marks.csv (written_marks.save_marks: atomic, previous version kept as .bak),
re-reading the file first so that marks typed elsewhere in the meantime (a colleague, a
spreadsheet) are kept: only the one answer just marked changes. If the file on disk has become
malformed, nothing is written and the desk says which row and column to fix.

A written question with versions (versions.py; released with `make release`) is shown as each
student's own prompt and rubric above their answer: the version of the notebook they were
graded against (`variant` in their result), or, for a class graded without its roster, the
one the release recorded (releases/<class>/variants.csv, `release_dir`).

A student's answer is shown as text, never rendered (answer_html): in the teacher's JupyterLab,
HTML in an answer would run (a script, an image's onerror), and a heading or a "student:" line
typed in it could pose as the desk's own label for a classmate's answer.
"""

from __future__ import annotations

import csv
import datetime
import html
from pathlib import Path

import ipywidgets as widgets
from IPython.display import Markdown, display

from balkan_course.grading.feedback_html import _markdown
from balkan_course.grading.gradebook import read_results
from balkan_course.grading.written_marks import (
    Mark,
    MarksFileError,
    WrittenPrompts,
    answer_fingerprint,
    default_marks_path,
    load_marks,
    save_marks,
    written_questions,
)

NOT_MARKED = "not marked"
PAGE_SIZE = 25  # answers shown at once


def load_solutions(solutions_dir: Path) -> dict:
    import nbformat

    return {p.stem: nbformat.read(p, as_version=4)
            for p in sorted(Path(solutions_dir).glob("*.ipynb"))}


def points_options(maximum: float, step: float = 0.5) -> list[tuple[str, float | None]]:
    steps = int(round(maximum / step))
    return [(NOT_MARKED, None)] + [(f"{i * step:g}", i * step) for i in range(steps + 1)]


class MarkingDesk:
    """Everything the marking notebook shows and records."""

    def __init__(self, grading_output: Path, solutions_dir: Path, marks_path: Path | None = None,
                 release_dir: Path | None = None):
        self.grading_output = Path(grading_output)
        self.marks_path = Path(marks_path) if marks_path else default_marks_path(grading_output)
        solutions = load_solutions(solutions_dir)
        self.questions = written_questions(solutions)
        self.prompts = WrittenPrompts(solutions)
        self.released = released_variants(release_dir)
        self.results = read_results(self.grading_output / "results")
        self.marks = load_marks(self.marks_path, self.questions)  # refuses a malformed file
        self.rows: dict[str, dict] = {}  # student -> that answer's widgets, for the tests
        self.message = widgets.HTML()
        self.progress = widgets.HTML()
        self.prompt = widgets.Output()
        self.answers = widgets.VBox()
        choices = [(f"{nb}: {check_id} ({q['points']:g} points)", (nb, check_id))
                   for (nb, check_id), q in self.questions.items()
                   if any(r["notebook"] == nb for r in self.results)]
        self.picker = widgets.Dropdown(options=choices, description="Question",
                                       layout=widgets.Layout(width="36rem"))
        self.picker.add_class("marking-question")
        self.pager = widgets.Dropdown(description="Show", layout=widgets.Layout(width="24rem"))
        self.pager.add_class("marking-page")
        self.turning_pages = True
        self.pager.observe(self._page_chosen, names="value")
        self.picker.observe(lambda change: self.show_question(change["new"]), names="value")

    # ------------------------------------------------------------ what is shown

    def view(self) -> widgets.Widget:
        if not self.picker.options:
            return widgets.HTML(f"<p>No written answers to mark in {self.grading_output}/"
                                "results: grade the class first (<code>make grade</code>).</p>")
        self.show_question(self.picker.value)
        return widgets.VBox([self.picker, self.progress, self.prompt, self.message,
                             self.pager, self.answers])

    def results_for(self, notebook: str) -> list[dict]:
        return sorted((r for r in self.results if r["notebook"] == notebook),
                      key=lambda r: r["student"])

    def show_question(self, key) -> None:
        notebook, check_id = key
        question = self.questions[key]
        self.prompt.clear_output()
        with self.prompt:
            if question["versions"] > 1:
                display(Markdown(
                    f"### The question ({question['points']:g} points, "
                    f"{question['versions']} versions)\n\nEach student answered their own "
                    "version: its prompt and rubric are shown above their answer."))
            else:
                display(Markdown(f"### The question\n\n{question['prompt']}\n\n"
                                 f"### Rubric ({question['points']:g} points)\n\n"
                                 f"{question['rubric'] or '(none in the solution)'}"))
        results = self.results_for(notebook)
        pages = [(f"students {i + 1}-{min(i + PAGE_SIZE, len(results))} of {len(results)}", i)
                 for i in range(0, len(results), PAGE_SIZE)]
        self.turning_pages = False  # new options set below are not a teacher's choice
        self.pager.options = pages or [("no answers", 0)]
        self.pager.value = 0
        self.pager.layout.display = "" if len(pages) > 1 else "none"
        self.turning_pages = True
        self.show_page(0)
        self.update_progress()

    def _page_chosen(self, change) -> None:
        if self.turning_pages:
            self.show_page(change["new"])

    def show_page(self, start: int) -> None:
        """A page of answers: a class of hundreds is not drawn as one column of widgets."""
        notebook, check_id = self.picker.value
        points = self.questions[(notebook, check_id)]["points"]
        self.rows = {}
        self.answers.children = [self.answer_row(result, check_id, points) for result in
                                 self.results_for(notebook)[start:start + PAGE_SIZE]]

    def variant_of(self, result: dict) -> int:
        """The notebook version a student answered: the grader's record, else the release's."""
        return int(result.get("variant") or 0) or self.released.get(
            (result["student"], result["notebook"]), 0)

    def their_question(self, result: dict, check_id: str) -> dict:
        return self.prompts.question(result["notebook"], check_id, self.variant_of(result))

    def answer_row(self, result: dict, check_id: str, maximum: float) -> widgets.Widget:
        student = result["student"]
        answer = result.get("free_text", {}).get(check_id, {}).get("answer", "")
        mark = self.marks.get((student, result["notebook"], check_id))
        # widgets.HTML sets innerHTML: no script runs, and answer_html escapes every character.
        text = widgets.HTML(answer_html(student, check_id, answer))
        text.add_class("marking-answer-text")
        options = points_options(maximum)
        if mark is not None and mark.points is not None and \
                mark.points not in [v for _, v in options]:
            options.append((f"{mark.points:g}", mark.points))  # typed in a spreadsheet
        points = widgets.Dropdown(options=options, value=mark.points if mark else None,
                                  description="Points", layout=widgets.Layout(width="14rem"))
        points.add_class("marking-points")
        comment = widgets.Textarea(value=mark.comment if mark else "", continuous_update=False,
                                   placeholder="A comment the student will read",
                                   layout=widgets.Layout(width="36rem", height="4rem"))
        comment.add_class("marking-comment")
        state = widgets.HTML(self.state_text(mark, answer))
        state.add_class("marking-state")

        def record(_change):
            state.value = self.record(student, result["notebook"], check_id, answer,
                                      points.value, comment.value)
            self.update_progress()

        points.observe(record, names="value")
        comment.observe(record, names="value")
        mine = self.their_question(result, check_id)
        self.rows[student] = {"answer": text, "points": points, "comment": comment,
                              "state": state, "version": mine["version"]}
        shown = [text, widgets.HBox([points, state]), comment]
        if mine["versions"] > 1:
            # The solutions' own text (not the student's): rendered as Markdown.
            question = widgets.HTML(question_html(student, mine))
            question.add_class("marking-their-question")
            self.rows[student]["question"] = question
            shown.insert(0, question)
        box = widgets.VBox(shown)
        box.add_class("marking-answer")
        return box

    @staticmethod
    def state_text(mark: Mark | None, answer: str) -> str:
        if mark is None or mark.points is None:
            return "<span>not marked yet</span>"
        if mark.answer_sha256 and mark.answer_sha256 != answer_fingerprint(answer):
            return "<span style='color:#a40e26'>marked, but the answer changed since</span>"
        return "<span style='color:#116329'>marked</span>"

    def update_progress(self) -> None:
        notebook, check_id = self.picker.value
        results = self.results_for(notebook)
        done = sum(1 for r in results if (m := self.marks.get((r["student"], notebook,
                                                                 check_id))) is not None
                   and m.points is not None)
        self.progress.value = (f"<p><b>{done} of {len(results)}</b> answers marked; marks are "
                               f"saved as you go in <code>{_escape(str(self.marks_path))}"
                               "</code>.</p>")

    # ------------------------------------------------------------ what is recorded

    def record(self, student: str, notebook: str, check_id: str, answer: str,
               points: float | None, comment: str) -> str:
        """Save one answer's mark; returns the state text to show next to it."""
        key = (student, notebook, check_id)
        try:
            on_disk = load_marks(self.marks_path, self.questions)
        except MarksFileError as problem:
            self.message.value = (f"<p style='color:#a40e26'><b>Not saved:</b> "
                                  f"{_escape(str(problem))}. Fix the file, then change the "
                                  "mark again.</p>")
            return "<span style='color:#a40e26'>NOT saved (see above)</span>"
        self.message.value = ""
        previous = on_disk.get(key)
        if points is None and not comment.strip():
            on_disk.pop(key, None)
        else:
            on_disk[key] = Mark(student, notebook, check_id, points, comment,
                                answer_fingerprint(answer),
                                datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                                previous.extra if previous else {})
        save_marks(self.marks_path, on_disk)
        self.marks = on_disk
        return "<span style='color:#116329'>saved</span>" if points is not None else \
            "<span>comment saved; not marked yet</span>"


def _escape(text: str) -> str:
    return html.escape(text)


ANSWER_FRAME = ("<div class='marking-frame' style='margin:.6rem 0 .3rem'>"
                "<div class='marking-label' style='font-weight:600;margin-bottom:.2rem'>"
                "{student} <span style='font-weight:400'>wrote, for {check_id}:</span></div>"
                "<div class='marking-student-text' style='white-space:pre-wrap;"
                "overflow-wrap:anywhere;border:1px solid #bbb;border-left:4px solid #0072B2;"
                "background:#f6f8fa;padding:.4rem .6rem'>{text}</div></div>")


def answer_html(student: str, check_id: str, answer: str) -> str:
    """One answer as the desk shows it: the desk's label (student and question) above a box
    holding the answer as the characters the student typed (escaped, line breaks kept).
    Nothing in an answer is rendered: Markdown, HTML, a comment, a heading or a fake label
    stay visible text inside the box, and the markup around it never depends on the answer."""
    text = _escape(answer) if answer.strip() else "<em>(no answer)</em>"
    return ANSWER_FRAME.format(student=_escape(student), check_id=_escape(check_id), text=text)


QUESTION_FRAME = ("<details open class='marking-version' style='margin:.8rem 0 0'>"
                  "<summary><b>{student}'s question</b> (version {version} of {versions})"
                  "</summary><div style='border-left:4px solid #E69F00;padding:0 .6rem'>"
                  "{prompt}<p><b>Rubric for this version</b></p>{rubric}</div></details>")


def question_html(student: str, question: dict) -> str:
    """A student's own version of a written question: its prompt and rubric (the solutions'
    Markdown, rendered with every raw HTML tag escaped)."""
    return QUESTION_FRAME.format(student=_escape(student), version=question["version"],
                                 versions=question["versions"],
                                 prompt=_markdown(question["prompt"]),
                                 rubric=_markdown(question["rubric"] or "(none)"))


def released_variants(release_dir: Path | None) -> dict[tuple[str, str], int]:
    """(student, notebook) -> notebook version, from a release's variants.csv (none: {})."""
    if release_dir is None or not (Path(release_dir) / "variants.csv").is_file():
        return {}
    with (Path(release_dir) / "variants.csv").open(encoding="utf-8", newline="") as handle:
        return {(row["student"], row["notebook"]): int(row["variant"])
                for row in csv.DictReader(handle)}


def open_desk(grading_output: Path, solutions_dir: Path,
              release_dir: Path | None = None) -> widgets.Widget:
    """The desk's widget, or a message saying what to do first (never a traceback)."""
    if not (Path(grading_output) / "results").is_dir():
        return widgets.HTML(f"<p>No grading output in <code>{_escape(str(grading_output))}"
                            "</code> yet: grade the class first (<code>make grade</code>), or "
                            "set GRADING_OUTPUT above.</p>")
    try:
        return MarkingDesk(grading_output, solutions_dir, release_dir=release_dir).view()
    except MarksFileError as problem:
        return widgets.HTML(f"<p style='color:#a40e26'><b>The marks file cannot be read, so "
                            f"nothing will be changed:</b> {_escape(str(problem))}</p>")
