"""The term checklist's pictures (docs/term_checklist.md), taken by doing what it says.

In the served copy of the course: a Canvas bulk download of three students' set 00 is written
as `submissions.zip`; the file browser is opened on `exercises/`; an exercise set is opened
with the Run menu showing; a class notebook `my_class.ipynb` is made from the checklist's own
Python cells (import, grade, export) and run in JupyterLab; the marking desk is run and one
answer marked; the grading and export are run again (so the marks reach the files) and the
gradebook file and a student's feedback page are shown. Each step saves a picture into
docs/images/checklist/, the files the checklist links (tests/test_term_plans.py checks that
they exist). Nothing is requested outside loopback.
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
from jupyterlab_page import NotebookPage, wait_for

REPO = Path(__file__).resolve().parent.parent
CHECKLIST = REPO / "docs" / "term_checklist.md"
IMAGES = REPO / "docs" / "images" / "checklist"
VIEW = {"width": 1100, "height": 720}  # small pictures: the checklist is one page
# Canvas's names: studentname_userid_submissionid_original.ipynb (docs/gradebook.md).
STUDENTS = {"kovacana_1001_5001": "solution", "gashiblerim_1002_5002": "half",
            "petrovicmilica_1003_5003": "solution"}


def class_cells() -> list[str]:
    """The checklist's Python cells, in order: what the teacher pastes into my_class.ipynb."""
    blocks = re.findall(r"```python\n(.*?)```", CHECKLIST.read_text(encoding="utf-8"), flags=re.S)
    return [textwrap.dedent(block).strip() for block in blocks]  # inside a list item


def student_notebook(kind: str) -> str:
    solution = nbformat.read(REPO / "solutions" / "00_start_here.ipynb", as_version=4)
    if kind == "solution":
        return nbformat.writes(solution)
    exercise = nbformat.read(REPO / "exercises" / "00_start_here.ipynb", as_version=4)
    answers = {c["id"]: c.source for c in solution.cells if "answer" in c.metadata.get("tags", [])}
    for cell in exercise.cells:
        if cell["id"] in ("q1-answer", "q2-answer"):
            cell.source = answers[cell["id"]].replace("# BEGIN SOLUTION\n", "")
        if cell["id"] == "q7-answer":
            cell.source = "The figures differ because the articles count at different dates."
    return nbformat.writes(exercise)


def write_download(workspace: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for prefix, kind in STUDENTS.items():
            bundle.writestr(f"{prefix}_00_start_here.ipynb", student_notebook(kind))
    (workspace / "submissions.zip").write_bytes(buffer.getvalue())


def write_class_notebook(workspace: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code.strip()) for code in class_cells()]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, workspace / "my_class.ipynb")


def shot(page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEW)
    page.wait_for_timeout(600)
    page.screenshot(path=str(IMAGES / name))


def run_again(workspace: Path, cells: list[str]) -> None:
    """The grading and export cells once more, as the checklist's step 5 says; each cell's
    last call returns what the command would exit with."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for code in cells[1:]:
        tree = ast.parse(code)
        tree.body[-1] = ast.parse(f"raise SystemExit({ast.unparse(tree.body[-1].value)})").body[0]
        done = subprocess.run([sys.executable, "-c", ast.unparse(tree)], env=env,
                              cwd=workspace, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]


def test_checklist_pictures(lab, browser_context, blocked_requests, request):
    workspace = lab.workspace
    cells = class_cells()
    assert len(cells) == 3, "the checklist's class notebook has three cells"
    write_download(workspace)
    write_class_notebook(workspace)
    blocked_before = len(blocked_requests)
    timeout = request.config.getoption("--run-timeout")

    # 1. The file browser on exercises/.
    page = browser_context.new_page()
    try:
        page.set_viewport_size(VIEW)
        page.goto(lab.url("exercises"), wait_until="domcontentloaded")
        page.locator(".jp-DirListing-item", has_text="00_start_here.ipynb").first.wait_for()
        shot(page, "01_file_browser.png")
    finally:
        page.close()

    # 2. An exercise set with the Run menu open.
    exercise = NotebookPage(browser_context, lab, "exercises/00_start_here.ipynb")
    try:
        exercise.open()
        exercise.page.set_viewport_size(VIEW)
        exercise.page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        exercise.page.locator(".lm-Menu-item",
                              has_text="Restart Kernel and Run All Cells").first.wait_for()
        shot(exercise.page, "02_run_all.png")
        exercise.page.keyboard.press("Escape")
    finally:
        exercise.close()

    # 3. The class notebook: import, grade, export, run in JupyterLab.
    klass = NotebookPage(browser_context, lab, "my_class.ipynb")
    try:
        klass.open()
        klass.run_all(timeout)
        shown = klass.cells()
        assert not [c for c in shown if c["errors"]], shown
        assert (workspace / "submissions" / "import_report.csv").exists()
        assert (workspace / "grading_output" / "gradebook_canvas.csv").exists()
        text = klass.page.locator(".jp-Notebook").inner_text()
        assert "3 imported" in text and "graded 3 notebook(s)" in text, text[-2000:]
        klass.view_screenshot(IMAGES / "03_class_notebook.png", cell=0)
    finally:
        klass.close()

    # 4. The marking desk: one answer marked.
    desk = NotebookPage(browser_context, lab, "teacher/mark_written_answers.ipynb")
    marks = workspace / "grading_output" / "written_marks.csv"
    try:
        desk.open()
        desk.run_all(timeout)
        answers = desk.page.locator(".marking-answer")
        answers.first.wait_for(timeout=30_000)
        assert answers.count() == len(STUDENTS)
        half = desk.page.locator(".marking-answer", has_text="gashiblerim").first
        half.locator(".marking-points select").select_option(label="1")
        comment = half.locator(".marking-comment textarea")
        comment.fill("Name the date of each figure, and its article.")
        comment.evaluate("el => el.blur()")
        assert wait_for(lambda: marks.exists() and "Name the date" in marks.read_text(),
                    timeout_s=60)
        desk.page.set_viewport_size(VIEW)
        desk.view_screenshot(IMAGES / "04_marking_desk.png", cell=4)
    finally:
        desk.close()

    # 5. Grade and export again (the marks reach the files); the gradebook file in JupyterLab.
    run_again(workspace, cells)
    page = browser_context.new_page()
    try:
        page.set_viewport_size(VIEW)
        page.goto(lab.url("grading_output/gradebook_canvas.csv"), wait_until="domcontentloaded")
        page.locator(".jp-CSVViewer").first.wait_for()
        page.wait_for_timeout(1500)  # the grid draws on a canvas
        shot(page, "05_gradebook_file.png")
    finally:
        page.close()

    # 6. A student's feedback page (self-contained HTML), with the mark and comment.
    feedback = next((workspace / "grading_output" / "feedback_html").glob(
        "*gashi*/00_start_here.html"))
    html = feedback.read_text(encoding="utf-8")
    assert "Name the date of each figure" in html
    page = browser_context.new_page()
    try:
        page.set_viewport_size(VIEW)
        page.set_content(html)
        shot(page, "06_feedback_page.png")
    finally:
        page.close()

    assert blocked_requests[blocked_before:] == [], "requests left the machine"
    written = sorted(p.name for p in IMAGES.glob("*.png"))
    assert written == sorted(re.findall(r"images/checklist/([\w.]+\.png)",
                                        CHECKLIST.read_text(encoding="utf-8")))
