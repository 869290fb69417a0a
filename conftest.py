"""pytest's hook for the committed notebooks (`pytest --nbval notebooks solutions`).

nbval compares each cell's text outputs with the stored ones and, by design, never the
pictures (it skips image/png and widget views). A chart's text output is its summary line:
its spec's fingerprint and its description (balkan_course/charts.py), so that is what proves a
chart reproduces. The kernels nbval starts therefore show charts as text only
(charts.TEXT_ONLY_ENV, as the grader's kernels do) and skip drawing a picture nobody compares:
about a fifth of the notebooks' run time. Every chart is still drawn by `make test-binder`
(each notebook executed as Binder runs it), `make test-browser` (JupyterLab, Chromium) and
`scripts/execute_notebooks.py`, which writes the stored pictures.
"""

from __future__ import annotations

import os

import pytest

TEXT_ONLY_ENV = "BALKAN_COURSE_CHARTS_AS_TEXT"  # balkan_course.charts.TEXT_ONLY_ENV


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """The first cell of a notebook starts its kernel: it inherits this variable."""
    if type(item).__module__ != "nbval.plugin":
        yield
        return
    before = os.environ.get(TEXT_ONLY_ENV)
    os.environ[TEXT_ONLY_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[TEXT_ONLY_ENV]
        else:
            os.environ[TEXT_ONLY_ENV] = before
