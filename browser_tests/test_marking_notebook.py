"""The teacher's marking notebook, used in JupyterLab as a teacher would use it.

A small grading output (results of three students in two notebooks) is written into the
served copy of the course; teacher/mark_written_answers.ipynb is opened and run; the test
then checks that the prompt, the rubric and each answer are shown, picks points and types a
comment in the widgets as a teacher would, and reads the marks file the notebook wrote. It
also switches to another question, and checks nothing was requested outside loopback.
A third student's answer is hostile (a script, an image whose onerror runs code, a link to
javascript:, a heading and a label posing as Ana's answer): no code of it may run, and it must
show as text inside that student's box.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from jupyterlab_page import NotebookPage, wait_for

NOTEBOOK = "teacher/mark_written_answers.ipynb"
ANSWERS = {
    ("ana_kovac", "00_start_here"): "KFOR counts **troops on the ground**; the other figure "
                                    "is a ceiling.",
    ("blerim_gashi", "00_start_here"): "",
    ("cvetan_hostile", "00_start_here"): (
        "<script>window.__pwned = 'script'</script>\n"
        "<img src=x onerror=\"window.__pwned = 'onerror'\">\n"
        "[my sources](javascript:window.__pwned='link')\n\n"
        "### ana_kovac wrote, for 00-why-differ:\n\n---\n\n"
        "<!-- a comment --><div style='position:fixed;top:0'>unclosed"),
    ("ana_kovac", "01_sources_and_evidence"): "The two outlets disagree on the date.",
}
QUESTIONS = {"00_start_here": "00-why-differ", "01_sources_and_evidence": "01-two-sources"}
POINTS = {"00_start_here": 2, "01_sources_and_evidence": 3}


def write_grading_output(workspace: Path) -> Path:
    out = workspace / "grading_output"
    shutil.rmtree(out, ignore_errors=True)
    for (student, notebook), answer in ANSWERS.items():
        path = out / "results" / student / f"{notebook}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        check_id = QUESTIONS[notebook]
        path.write_text(json.dumps({
            "student": student, "notebook": notebook, "submission_sha256": "0" * 64,
            "statuses": [], "checks": {}, "seconds": 1.0,
            "free_text": {check_id: {"points": POINTS[notebook], "answer": answer}}}),
            encoding="utf-8")
    return out


def read_marks(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def solution_text(workspace: Path, notebook: str, cell_id: str) -> str:
    """A cell of the solution's default version, its templates filled in (as the desk shows
    it to a student who answered the default)."""
    import nbformat

    from balkan_course.grading.versions import variant_notebook

    solution = nbformat.read(workspace / "solutions" / f"{notebook}.ipynb", as_version=4)
    return next(c.source for c in variant_notebook(solution, 0).cells if c.get("id") == cell_id)


def test_marking_notebook_records_points_and_comments(lab, browser_context, blocked_requests,
                                                      screenshot_dir, request):
    out = write_grading_output(lab.workspace)
    marks_file = out / "written_marks.csv"
    blocked_before = len(blocked_requests)
    page = NotebookPage(browser_context, lab, NOTEBOOK)
    try:
        page.open()
        page.run_all(request.config.getoption("--run-timeout"))
        cells = page.cells()
        errors = [c for c in cells if c["errors"]]
        assert not errors, f"cells show errors: {errors}"
        assert all(c["executionCount"] is not None for c in cells if not c["blank"])

        answers = page.page.locator(".marking-answer")
        answers.first.wait_for(timeout=30_000)
        assert answers.count() == 3  # the students who handed in lesson 00
        shown = page.page.locator(".jp-Notebook").inner_text()
        # A few words of the rubric's second line, without Markdown marks, as rendered.
        rubric = solution_text(lab.workspace, "00_start_here", "q7-rubric").splitlines()
        words = " ".join(rubric[min(1, len(rubric) - 1)].replace("*", "").replace("`", "")
                         .split()[:4])
        assert "The question" in shown and "Rubric (2 points)" in shown
        assert words in " ".join(shown.split()), words
        assert "**troops on the ground**" in shown  # shown as typed, not rendered
        assert "(no answer)" in shown

        # The hostile answer: nothing of it ran, no element of it exists, and its fake heading
        # and label are text inside its own box; the desk labels Ana's answer once.
        hostile = answers.nth(2)
        assert "cvetan_hostile" in hostile.locator(".marking-label").inner_text()
        typed = hostile.locator(".marking-student-text").inner_text()
        assert "<script>window.__pwned" in typed and "### ana_kovac wrote" in typed
        assert "<!-- a comment -->" in typed and "<div style=" in typed
        assert hostile.locator(".marking-student-text *").count() == 0  # text, no elements
        assert page.page.locator(".marking-answer img, .marking-answer script, "
                                 ".marking-answer a").count() == 0
        assert page.page.locator(".marking-label", has_text="ana_kovac").count() == 1
        assert page.page.evaluate("() => window.__pwned") is None

        # Mark Ana's answer as a teacher would: pick points, type a comment, leave the box.
        first = answers.nth(0)
        assert "ana_kovac" in first.inner_text()
        first.locator(".marking-points select").select_option(label="1.5")
        comment = first.locator(".marking-comment textarea")
        comment.fill("Good: name the source of each figure.")
        comment.evaluate("el => el.blur()")
        marked = wait_for(lambda: [r for r in read_marks(marks_file)
                                   if r["comment"].startswith("Good")])
        assert marked, f"no mark saved in {marks_file}: {read_marks(marks_file)}"
        assert (marked[0]["student"], marked[0]["notebook"], marked[0]["check_id"],
                marked[0]["points"]) == ("ana_kovac", "00_start_here", "00-why-differ", "1.5")
        assert wait_for(lambda: "saved" in first.locator(".marking-state").inner_text())
        assert wait_for(lambda: "1 of 3" in page.page.locator(".jp-Notebook").inner_text())

        # Blerim left the answer empty: 0 points, no comment.
        answers.nth(1).locator(".marking-points select").select_option(label="0")
        assert wait_for(lambda: len(read_marks(marks_file)) == 2)

        # Another question: only Ana handed in lesson 01.
        page.page.locator(".marking-question select").select_option(
            label="01_sources_and_evidence: 01-two-sources (3 points)")
        assert wait_for(lambda: page.page.locator(".marking-answer").count() == 1)
        assert wait_for(lambda: "disagree on the date" in
                        page.page.locator(".jp-Notebook").inner_text())
        page.page.locator(".marking-answer .marking-points select").select_option(label="3")
        assert wait_for(lambda: len(read_marks(marks_file)) == 3)
        page.view_screenshot(screenshot_dir / "teacher__mark_written_answers__view.png",
                             cell=4)
        assert page.page.evaluate("() => window.__pwned") is None  # nothing ran later either
        assert not page.page_errors, page.page_errors
    finally:
        try:
            page.screenshot(screenshot_dir / "teacher__mark_written_answers.png")
        finally:
            page.close()
    assert blocked_requests[blocked_before:] == [], "requests left the machine"
    rows = {(r["student"], r["notebook"]): r["points"] for r in read_marks(marks_file)}
    assert rows == {("ana_kovac", "00_start_here"): "1.5", ("blerim_gashi", "00_start_here"): "0",
                    ("ana_kovac", "01_sources_and_evidence"): "3"}
