"""Every notebook, opened and run in JupyterLab as a student would, shows what it should.

For each notebook in notebooks/ and exercises/ (found when the tests are collected):
- all cells run, and no cell shows an error; in exercises/ a cell tagged `answer` (a stub
  for the student to fill in) may raise, and so may a cell tagged `raises-exception`;
- every chart is drawn: marks in an SVG or ink on a canvas, never a fallback text, and at
  least as many charts as the committed notebook stores Altair outputs;
- in a lesson (notebooks/), changing a widget changes what the outputs show;
- every chart carries a description (in a lesson) and a drawn chart gives it to a screen
  reader (Vega's aria-label), and fits the notebook's width (no sideways scrolling);
- an axe-core audit of the notebook as shown finds no serious or critical violation in what
  the course wrote (markdown, charts), in the outputs the lessons' code draws with libraries
  (pandas tables, ipywidgets controls), or in JupyterLab's interface, except JupyterLab's own
  defects that no setting removes (accessibility.JUPYTERLAB_OWN, each with its upstream
  issue), which are counted and reported. All of them go to
  browser_tests/screenshots/accessibility.json with counts by place and rule;
- nothing is requested from outside loopback (no CDN): offline classrooms work;
- a full-page screenshot and a one-window view (the widget that worked, or the first check)
  land in browser_tests/screenshots/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from accessibility import AXE_CORE, report, summary
from accessibility import failures as accessibility_failures
from jupyterlab_page import NotebookPage

# notebook -> its axe-core violations, written next to the screenshots after every notebook.
ACCESSIBILITY: dict[str, list[dict]] = {}
ALLOWED_ERROR_TAGS = {"raises-exception"}
EXERCISE_ALLOWED_ERROR_TAGS = {"answer"}


def stored_chart_outputs(notebook: Path) -> int:
    """How many outputs of the notebook as stored on disk are Altair charts."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    count = 0
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            if "".join(text).startswith("<Altair "):
                count += 1
    return count


def write_accessibility_report(path: Path) -> None:
    """Every audited notebook's violations, with totals by place and rule, as JSON."""
    path.write_text(json.dumps(report(ACCESSIBILITY), indent=1), encoding="utf-8")


def stored_controls(notebook: Path) -> bool:
    """Whether the stored lesson has a control: a widget (stored as a note to run the cell,
    by scripts/execute_notebooks.py) or an Altair parameter bound to an input or a legend."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            spec = output.get("metadata", {}).get("balkan_course", {}).get("vega_lite", "")
            if text.startswith("(An interactive control") or '"bind":' in spec:
                return True
    return False


def allowed_to_fail(cell: dict, in_exercises: bool) -> bool:
    tags = set(cell["tags"])
    return bool(tags & ALLOWED_ERROR_TAGS) or (
        in_exercises and bool(tags & EXERCISE_ALLOWED_ERROR_TAGS)
    )


def describe(cell: dict) -> str:
    return f"cell {cell['index']} (id {cell['id']}, `{cell['source']}`)"


def test_notebook_in_jupyterlab(
    request, notebook, lab, browser_context, blocked_requests, screenshot_dir, timings
):
    root = Path(request.config.getoption("--notebook-root")).resolve()
    name = notebook.relative_to(root).as_posix()
    in_exercises = name.startswith("exercises/")
    is_lesson = name.startswith("notebooks/")
    # A lesson with controls must show one working (the Python primer has none).
    needs_control = is_lesson and stored_controls(notebook)
    expected_charts = stored_chart_outputs(notebook)
    blocked_before = len(blocked_requests)
    failures: list[str] = []
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[phase] = now - clock
        clock = now

    page = NotebookPage(browser_context, lab, name)
    try:
        page.open()
        lap("open")
        try:
            page.run_all(request.config.getoption("--run-timeout"))
        except Exception as error:  # noqa: BLE001 - reported with everything else below
            failures.append(f"running all cells failed: {error}")
        lap("run")
        cells = page.cells()

        # 1. Every cell ran, and none shows an error it is not allowed to show.
        for cell in cells:
            if not cell["blank"] and cell["executionCount"] is None:
                failures.append(f"{describe(cell)} never ran")
            if cell["errors"] and not allowed_to_fail(cell, in_exercises):
                failures.append(f"{describe(cell)} shows an error: {cell['errors'][0]}")

        # 2. Every chart is drawn, in the output that should hold it.
        page.wait_for_charts(expected_charts)
        cells = page.cells()  # again, now that the charts had time to draw
        charts = page.charts()
        lap("draw")
        for cell in cells:
            for chart in cell["charts"]:
                if not chart["state"]["drawn"]:
                    failures.append(
                        f"{describe(cell)}: chart {chart['summary']} is not drawn; "
                        f"shown instead: {chart['state']}"
                    )
        undrawn = [state for state in charts if not state["drawn"]]
        if undrawn:
            failures.append(f"{len(undrawn)} of {len(charts)} charts not drawn: {undrawn}")
        if len(charts) < expected_charts:
            failures.append(
                f"{len(charts)} charts drawn, but the stored notebook has "
                f"{expected_charts} chart outputs"
            )

        # 2b. Every chart speaks: a lesson's charts all carry a description, and a drawn
        # chart hands its description to a screen reader.
        for cell in cells:
            for chart in cell["charts"]:
                if chart["description"] is None:
                    if is_lesson:
                        failures.append(f"{describe(cell)}: chart {chart['summary']} has no "
                                        "description")
                elif chart["description"] not in chart["shownLabels"]:
                    failures.append(
                        f"{describe(cell)}: the description of chart {chart['summary']} is not "
                        f"in the page (aria-labels shown: {chart['shownLabels']})"
                    )
        failures.extend(
            f"cell {wide['index']} (id {wide['id']}): a chart {wide['width']} px wide in an "
            f"output {wide['shown']} px wide: a student has to scroll sideways to see all of it"
            for wide in page.wide_charts()
        )

        # 3. In a lesson, a widget changes what is shown.
        interaction = page.change_widgets() if needs_control else None
        if needs_control and interaction.changed_by is None:
            failures.append(
                "no widget changed what the outputs show; "
                f"controls found: {interaction.controls or 'none'}; tried: {interaction.tried}"
            )
        lap("widget")

        # A window's worth as a student sees it: the control that worked, or the first check.
        first_check = next((c["index"] for c in cells if "check" in c["tags"]), None)
        try:
            page.view_screenshot(
                screenshot_dir / f"{name.replace('/', '__').removesuffix('.ipynb')}__view.png",
                control=interaction.changed_by["index"] if interaction and interaction.changed_by
                else None,
                cell=first_check,
            )
        except Exception as error:  # noqa: BLE001 - reported with everything else below
            failures.append(f"no view screenshot: {error}")

        # 3b. An accessibility audit of the notebook as shown (axe-core, WCAG rules).
        if not AXE_CORE.is_file():
            failures.append(f"axe-core not found at {AXE_CORE}: run `make test-browser`, which "
                            "installs it from the npm registry")
        else:
            violations = page.audit_accessibility(AXE_CORE)
            ACCESSIBILITY[name] = violations
            write_accessibility_report(screenshot_dir / "accessibility.json")
            failures.extend(accessibility_failures(violations, name))
        lap("audit")

        # 4. Nothing failed to show (widget errors, tracebacks inside widget outputs).
        failures.extend(f"an output shows a failure: {text}" for text in page.problems())
        failures.extend(f"uncaught JavaScript error: {text}" for text in page.page_errors)
    finally:
        screenshot = screenshot_dir / f"{name.replace('/', '__').removesuffix('.ipynb')}.png"
        try:
            page.screenshot(screenshot)
        except Exception as error:  # noqa: BLE001 - must not hide the test's own error
            failures.append(f"no screenshot: {error}")
        page.close()
        lap("screenshot")
        timings[name] = phases

    # 5. Nothing left the machine.
    leaks = blocked_requests[blocked_before:]
    if leaks:
        failures.append(f"requests outside loopback (aborted): {sorted(set(leaks))}")

    if failures:
        details = "\n- ".join(failures)
        console = "\n  ".join(page.console_errors[:20]) or "none"
        pytest.fail(
            f"{name} in JupyterLab:\n- {details}\nscreenshot: {screenshot}\n"
            f"browser console errors:\n  {console}",
            pytrace=False,
        )
    summary_line = (
        f"{name}: {len(charts)} charts drawn (stored: {expected_charts}), axe-core "
        f"{summary(ACCESSIBILITY.get(name, []))}, "
        f"widget: {interaction.changed_by['action'] if interaction else 'not required'}, "
        f"console errors: {len(page.console_errors)}"
    )
    print(summary_line)
