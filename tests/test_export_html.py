"""scripts/export_html.py shows error outputs' tracebacks without ANSI colours.

nbconvert renders the escape codes as `ansi-*` classes whose colours fail WCAG's contrast on
the error output's background (axe-core's color-contrast in browser_tests/test_exported_html.py);
lesson 09 shows tracebacks on purpose.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import export_html  # noqa: E402 - the script under test lives in scripts/

# What IPython stores for `1 / 0`: bold red names, green arrows, reset codes.
COLOURED_TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[1], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241;43m1\x1b[39;49m"
    "\x1b[43m \x1b[49m\x1b[38;5;241;43m/\x1b[39;49m\x1b[43m \x1b[49m"
    "\x1b[38;5;241;43m0\x1b[39;49m\n",
    "\x1b[0;31mZeroDivisionError\x1b[0m: \x1b[1mdivision by zero\x1b[0m",
]


def notebook_with_an_error():
    cell = nbformat.v4.new_code_cell("1 / 0", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                           evalue="division by zero",
                                           traceback=list(COLOURED_TRACEBACK))]
    return nbformat.v4.new_notebook(cells=[cell])


def test_nbconvert_alone_colours_the_traceback_with_ansi_classes():
    """The other side: without the script's step the page has the failing classes."""
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook_with_an_error())
    assert 'class="ansi-' in body


def test_exported_page_shows_the_traceback_plain(tmp_path):
    source = tmp_path / "lesson_with_error.ipynb"
    nbformat.write(notebook_with_an_error(), source)
    target, charts = export_html.export(source, tmp_path, "data:text/javascript;base64,")
    page = target.read_text(encoding="utf-8")
    assert charts == 0
    assert 'class="ansi-' not in page  # (the stylesheets still name the classes)
    assert "\x1b" not in page
    # The traceback itself is still there, words and arrow.
    assert "ZeroDivisionError" in page
    assert "division by zero" in page
    assert "----&gt; 1" in page


def test_only_error_outputs_are_changed():
    notebook = notebook_with_an_error()
    notebook.cells[0].outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                            text="\x1b[1mbold\x1b[0m"))
    plain = export_html.with_plain_tracebacks(notebook)
    error, stream = plain.cells[0].outputs
    assert error.traceback[-1] == "ZeroDivisionError: division by zero"
    assert all("\x1b" not in line for line in error.traceback)
    assert stream.text == "\x1b[1mbold\x1b[0m"
