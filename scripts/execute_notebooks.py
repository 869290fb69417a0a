"""Execute notebooks in a fresh kernel and store outputs fit for committing.

Usage: .venv/bin/python scripts/execute_notebooks.py [NOTEBOOK ...]
       (default: every notebook in notebooks/ and solutions/; `make notebooks` runs this)

Why not plain `jupyter nbconvert --execute`: a live chart is a widget whose JavaScript
(~900 KB) would be stored in the notebook's widget state, and a stored widget view without
that state shows "Error displaying widget: model not found" in JupyterLab until the cell is
re-run. So after running, this script
- stores no widget state;
- keeps each chart's PNG and text summary and drops its widget view: GitHub, nbviewer and a
  freshly opened JupyterLab show the picture; re-running the cell brings the live chart back;
- replaces a control's widget view (a list, a slider) with a one-line note to run the cell.
nbval ignores widget views and PNGs and compares the text, so outputs still reproduce.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from balkan_course.grading.build import merged_streams

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CONTROL_NOTE = "(An interactive control: run this cell to use it.)"


def committed_outputs(outputs: list) -> list:
    """Outputs with widget views replaced by what a reader without a kernel can see."""
    kept = []
    for output in outputs:
        data = output.get("data", {})
        if WIDGET_VIEW not in data:
            kept.append(output)
        elif "image/png" in data:
            del data[WIDGET_VIEW]
            kept.append(output)
        elif not any(k.get("data", {}).get("text/plain") == CONTROL_NOTE for k in kept):
            output["data"] = {"text/plain": CONTROL_NOTE}
            kept.append(output)
    return kept


def execute(path: Path) -> float:
    """Run one notebook top to bottom in a fresh kernel and write it back; return seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        # store_widget_state=False trips nbclient over Output widgets (KeyError): keep the
        # default and drop the widget state and the cells' timings after the run.
        # Short: nbclient now and then waits out a whole cell timeout in a notebook with
        # widgets before carrying on (like jupyter/nbclient#312); no cell of ours needs 30 s.
        notebook, kernel_name="python3", timeout=30,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    # Cell by cell, in one kernel, as "Restart Kernel and Run All" does.
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merged_streams(committed_outputs(cell.outputs))
            cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return seconds


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to execute (default: notebooks/ and solutions/)")
    paths = parser.parse_args(arguments).notebooks or [
        p for folder in ("notebooks", "solutions") for p in sorted((ROOT / folder).glob("*.ipynb"))
    ]
    for path in paths:
        seconds = execute(path)
        size = path.stat().st_size / 1024
        print(f"{path}: executed in {seconds:.1f} s, {size:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
