"""A student comes back (issue 26), in JupyterLab as a student would meet it.

A copy of exercise set 01 with exercise 1 answered and saved is opened; its kernel is
restarted (as Binder's idle cut or Kernel → Restart leave it) and the check cell is run first:
its output must be one line saying what to run, with no traceback. The progress cell run next
says to run the set-up cell; after the set-up cell, show_progress finds the saved notebook
through the kernel's JPY_SESSION_NAME (set by jupyter-server, checked here under a name that is
not the exercise's) and says exercise 1 is answered but not run since the kernel started.
Last, File → Download gives the notebook itself, answer included: the way the exercises'
opening cell tells Binder users to keep their work.
"""

from __future__ import annotations

import json
from pathlib import Path

from jupyterlab_page import NotebookPage

EXERCISE = "exercises/01_sources_and_evidence.ipynb"
COPY = "exercises/my_restart_copy.ipynb"  # not the exercise's name: found by the session name
ANSWER = ('inferred = sources[sources["date_basis"] == "inferred"][\n'
          '    ["source_id", "text_type", "date", "date_end"]].sort_values("date")\n'
          "inferred")

RUN_CELL = """async (id) => {
  const app = window.jupyterapp, nb = window.__btPanel;
  const index = nb.content.widgets.findIndex((c) => c.model.id === id);
  nb.content.activeCellIndex = index;
  await app.commands.execute('notebook:run-cell');
  const kernel = nb.sessionContext.session.kernel;
  while (kernel.status !== 'idle') await new Promise((r) => setTimeout(r, 100));
  const cell = nb.content.widgets[index];
  return {text: cell.outputArea.node.innerText,
          types: cell.model.outputs.toJSON().map((o) => o.output_type)};
}"""
RESTART = """async () => {
  const nb = window.__btPanel;
  await nb.sessionContext.session.kernel.restart();
  const kernel = nb.sessionContext.session.kernel;
  while (kernel.status !== 'idle') await new Promise((r) => setTimeout(r, 100));
  return kernel.status;
}"""


def write_answered_copy(workspace: Path) -> dict[str, str]:
    nb = json.loads((workspace / EXERCISE).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["id"] == "q1-answer":
            cell["source"] = ANSWER
    (workspace / COPY).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return {cell["id"]: "".join(cell["source"]) for cell in nb["cells"]}


def test_a_restarted_kernel_and_the_download_route(lab, browser_context, blocked_requests,
                                                   screenshot_dir):
    sources = write_answered_copy(lab.workspace)
    progress_cell = next(cell_id for cell_id, source in sources.items()
                         if "show_progress(" in source and "check(" not in source)
    notebook = NotebookPage(browser_context, lab, COPY)
    try:
        notebook.open()
        assert notebook.js(RESTART) == "idle"

        shown = notebook.js(RUN_CELL, "q1-check")
        lines = [line for line in shown["text"].splitlines() if line.strip()]
        assert len(lines) == 1, shown
        assert "Traceback" not in shown["text"] and "NameError" not in shown["text"]
        assert "`inferred`" in lines[0] and "Run → Run All Above Selected Cell" in lines[0]
        assert shown["types"] == ["error"]  # still a failed cell for Run All and nbval

        # The progress cell imports what it calls: run before the set-up cell, it still works.
        shown = notebook.js(RUN_CELL, progress_cell)
        assert "Traceback" not in shown["text"] and "error" not in shown["types"], shown
        assert ("01-inferred-dates: 📝 answered in the notebook, not run since the kernel "
                "started") in shown["text"], shown

        assert "error" not in notebook.js(RUN_CELL, "setup")["types"]
        shown = notebook.js(RUN_CELL, progress_cell)
        assert ("01-inferred-dates: 📝 answered in the notebook, not run since the kernel "
                "started") in shown["text"], shown
        assert "01-window-days: ⏳ not answered yet" in shown["text"], shown
        notebook.page.screenshot(path=str(screenshot_dir / "restart_then_progress.png"))

        # File → Download, from the menu bar as a student would.
        page = notebook.page
        with page.expect_download(timeout=60_000) as started:
            page.locator(".lm-MenuBar-item", has_text="File").first.click()
            page.locator('.lm-Menu-item[data-command="docmanager:download"]').click()
        download = started.value
        assert download.suggested_filename == Path(COPY).name
        saved = json.loads(Path(download.path()).read_text(encoding="utf-8"))
        answer = next(c for c in saved["cells"] if c["id"] == "q1-answer")
        assert "".join(answer["source"]) == ANSWER
        intro = "".join(saved["cells"][0]["source"])
        assert "File → Download" in intro and "Upload" in intro
    finally:
        notebook.close()
    assert not blocked_requests, blocked_requests
