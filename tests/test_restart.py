"""When students come back (issue 26): a kernel restarted under a notebook that holds answers.

After Binder's idle cut, Kernel → Restart or a notebook opened again, the answers are in the
notebook but not in the kernel. Run in a real kernel (jupyter_client, as the grader starts
them), restarted: a check cell run first prints one line saying what to run, never a
traceback; any other NameError keeps IPython's traceback; show_progress tells "answered, not run
since the kernel started" from "not answered yet" by reading the saved notebook; the grader's
feedback says the same line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

from balkan_course.grading import checks, runner

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_sources_and_evidence"
RIGHT_ANSWER = ('inferred = sources[sources["date_basis"] == "inferred"][\n'
                '    ["source_id", "text_type", "date", "date_end"]].sort_values("date")\n'
                "inferred")
RUN_ABOVE = "Run → Run All Above Selected Cell"


def cells_by_id(path: Path) -> dict[str, str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return {cell["id"]: "".join(cell["source"]) for cell in nb["cells"]}


def answered_copy(folder: Path) -> Path:
    """The exercise as a student saved it: exercise 1 answered, the others still stubs."""
    nb = json.loads((ROOT / "exercises" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["id"] == "q1-answer":
            cell["source"] = RIGHT_ANSWER
    path = folder / f"{NOTEBOOK}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


class Session:
    """A kernel in the notebook's folder, as JupyterLab starts it (JPY_SESSION_NAME set)."""

    def __init__(self, folder: Path, session_name: str | None):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("JPY_SESSION_NAME", None)
        if session_name:
            env["JPY_SESSION_NAME"] = session_name
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(folder), env=env)
        self._connect()

    def _connect(self):
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def restart(self):
        self.client.stop_channels()
        self.manager.restart_kernel(now=True)
        self._connect()

    def run(self, code: str) -> tuple[str, list[dict]]:
        """(the reply's status, the outputs: {"type", ...content})."""
        msg_id = self.client.execute(code)
        outputs = []
        while True:
            msg = self.client.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind in ("stream", "error", "execute_result", "display_data"):
                outputs.append({"type": kind, **msg["content"]})
        while True:
            reply = self.client.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]["status"], outputs

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def text_of(outputs: list[dict]) -> str:
    return "\n".join(o.get("text", "") + "\n".join(o.get("traceback", [])) for o in outputs)


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """A student's session: set-up, answer 1 and its check run; then the kernel restarted."""
    folder = tmp_path_factory.mktemp("student")
    path = answered_copy(folder)
    cells = cells_by_id(path)
    session = Session(folder, str(path))
    for cell_id in ("setup", "q1-answer"):
        assert session.run(cells[cell_id])[0] == "ok"
    status, outputs = session.run(cells["q1-check"])
    assert status == "ok" and "✅ 01-inferred-dates" in text_of(outputs)
    session.restart()
    yield session, cells
    session.close()


def test_a_check_run_first_after_a_restart_prints_one_line_and_no_traceback(restarted):
    session, cells = restarted
    status, outputs = session.run(cells["q1-check"])
    # Still an error for the front end (Run All stops, nbval sees it), shown as one line.
    assert status == "error"
    assert [o["type"] for o in outputs] == ["error"]
    shown = outputs[0]["traceback"]
    assert shown == [checks.missing_name_line("01-inferred-dates", "inferred")]
    assert "Traceback" not in shown[0] and "\x1b[" not in shown[0]
    assert "`inferred`" in shown[0] and RUN_ABOVE in shown[0] and "\n" not in shown[0]


def test_the_progress_cell_before_the_set_up_cell_says_to_run_the_set_up_cell(restarted):
    session, cells = restarted
    session.run(cells["q1-check"])  # imports the checker, as a check cell does
    status, outputs = session.run('show_progress("01_sources_and_evidence")')
    assert status == "error" and len(outputs) == 1
    assert outputs[0]["traceback"] == [checks.missing_name_line(None, "show_progress")]
    assert "set-up cell" in outputs[0]["traceback"][0]


def test_any_other_name_error_keeps_its_traceback(restarted):
    session, cells = restarted
    session.run(cells["q1-check"])
    # A student's answer cell, and a check whose argument calls a function that fails inside:
    # real mistakes, shown as IPython shows them.
    assert session.run("def broken():\n    return no_such_table")[0] == "ok"
    for code in ("inferred = sources.head()", "check('01-inferred-dates', broken())"):
        status, outputs = session.run(code)
        text = text_of(outputs)
        assert status == "error" and "Traceback" in text and "NameError" in text, code
        assert RUN_ABOVE not in text


def test_after_running_the_cells_above_the_check_passes_again(restarted):
    session, cells = restarted
    for cell_id in ("setup", "q1-answer"):
        assert session.run(cells[cell_id])[0] == "ok"
    status, outputs = session.run(cells["q1-check"])
    assert status == "ok" and text_of(outputs).startswith("✅ 01-inferred-dates")
    session.restart()  # leave the module's kernel as the other tests expect it


def test_show_progress_after_a_restart_tells_answered_from_unanswered(restarted):
    session, cells = restarted
    assert session.run(cells["setup"])[0] == "ok"
    status, outputs = session.run('show_progress("01_sources_and_evidence")')
    text = text_of(outputs)
    assert status == "ok"
    assert ("01-inferred-dates: 📝 answered in the notebook, not run since the kernel started"
            in text)
    assert "01-window-days: ⏳ not answered yet" in text
    assert "still in the notebook" in text and "Run All" in text
    session.restart()


def test_show_progress_without_a_readable_notebook_says_not_run_yet(tmp_path):
    """A kernel that cannot find its notebook (renamed, another folder): the old wording,
    and a word about answers kept in the notebook."""
    session = Session(tmp_path, None)
    try:
        status, outputs = session.run(
            "from balkan_course.grading.checks import show_progress\n"
            'show_progress("01_sources_and_evidence")')
    finally:
        session.close()
    text = text_of(outputs)
    assert status == "ok" and "01-inferred-dates: ⏳ not run yet" in text
    assert "answered in the notebook" not in text and "still in the notebook" in text


def test_the_session_name_finds_a_renamed_notebook(tmp_path, monkeypatch):
    renamed = answered_copy(tmp_path).rename(tmp_path / "my copy.ipynb")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert checks.saved_answers(NOTEBOOK) is None
    monkeypatch.setenv("JPY_SESSION_NAME", str(renamed))
    answered = checks.saved_answers(NOTEBOOK)
    assert answered["01-inferred-dates"] is True
    assert answered["01-window-days"] is False and len(answered) == 6


@pytest.mark.parametrize("source, filled", [
    ("inferred = ...  # your answer\ninferred", False),
    ("# Your code here", False),
    ("a = 1\nb = ...\nb", False),
    ('inferred = sources[sources["date_basis"] == "inferred"]\ninferred', True),
    ("inferred = sources[", True),  # written, wrong: an answer all the same
])
def test_a_stub_is_not_an_answer(source, filled):
    assert checks._filled(source) is filled


def test_only_cells_that_only_check_get_the_one_line():
    assert checks._only_checks('from balkan_course.grading.checks import check  # x\n\n'
                               'check("a", b, sorted_by={"d": "ascending"})')
    assert checks._only_checks('show_progress("01")')
    assert not checks._only_checks("inferred = x\ncheck('a', inferred)")
    assert not checks._only_checks("import pandas as pd")
    assert not checks._only_checks("print(x)")


def test_the_grader_gives_the_same_line_for_a_name_never_set(tmp_path):
    """The grader judges outside the kernel: a name the student's cells never set gets the
    line JupyterLab shows, and another error keeps its own words."""
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    kernel = runner.Kernel(manager, runner.Limits(cell_timeout=60))
    try:
        part = {"check_id": "01-inferred-dates", "names": ["inferred"],
                "expression": "inferred"}
        got = runner.judge_part(part, kernel, {}, checks.load_keys())
    finally:
        kernel.close()
    assert got["passed"] is False and got["missing"] == "inferred"
    assert got["message"] == checks.missing_name_line("01-inferred-dates", "inferred")


def test_the_solutions_have_no_check_cell_the_handler_would_change():
    """Every committed check cell calls check(...) only (the handler's rule), so a NameError
    there is always the restart case."""
    for folder in ("exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if "check" in cell.get("metadata", {}).get("tags", []):
                    assert checks._only_checks("".join(cell["source"])), (path, cell["id"])


def test_the_exercises_progress_cell_run_first_after_a_restart_works(restarted):
    """The generated progress cell imports show_progress itself, so it needs no cell above."""
    session, cells = restarted
    assert cells["progress"].startswith("from balkan_course.grading.checks import show_progress")
    session.restart()
    status, outputs = session.run(cells["progress"])
    shown = text_of(outputs)
    assert status == "ok", shown
    assert "Traceback" not in shown and "01-inferred-dates" in shown
