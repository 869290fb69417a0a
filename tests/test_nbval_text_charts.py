"""The root conftest.py: kernels started by nbval show charts as text (nothing compares their
pictures), and the variable it sets is the one balkan_course.charts reads."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from balkan_course.charts import TEXT_ONLY_ENV

ROOT = Path(__file__).resolve().parent.parent
PROBE = f"import os\nprint(os.environ.get({TEXT_ONLY_ENV!r}))"


def nbval_run(notebook: Path, *plugins: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != TEXT_ONLY_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins,
         "--nbval", "--nbval-current-env", str(notebook)],
        cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=300)


def probe_notebook(tmp_path: Path, stored: str) -> Path:
    cell = nbformat.v4.new_code_cell(PROBE, execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=f"{stored}\n")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    return path


def test_the_hook_names_the_variable_the_charts_read():
    # Loaded by its path: "conftest" may name another folder's conftest in sys.modules
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    assert root_conftest.TEXT_ONLY_ENV == TEXT_ONLY_ENV


def test_a_kernel_nbval_starts_shows_charts_as_text(tmp_path):
    done = nbval_run(probe_notebook(tmp_path, "1"), "-p", "conftest")
    assert done.returncode == 0, done.stdout + done.stderr


def test_without_the_hook_the_kernel_would_draw(tmp_path):
    """The other side: the same probe, without the hook, sees no variable."""
    done = nbval_run(probe_notebook(tmp_path, "1"))
    assert done.returncode == 1 and "None" in done.stdout, done.stdout + done.stderr
