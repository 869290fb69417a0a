"""The browser tests' accessibility verdict (browser_tests/accessibility.py), on recorded audits.

The audit itself needs Chromium (`make test-browser`); what it decides from axe-core's findings
is plain Python and is checked here, in the normal suite: a serious or critical violation fails
in the course's markdown and charts, in library outputs, in JupyterLab's interface and in an
exported page, and only JupyterLab's own listed defects are reported without failing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "browser_accessibility", REPO / "browser_tests" / "accessibility.py")
accessibility = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(accessibility)


def violation(rule, impact, **places):
    return {"id": rule, "impact": impact, "help": f"help for {rule}", "places": places,
            "examples": {place: [f"cell c1: .{rule}"] for place in places}}


# Lesson 02 as audited in JupyterLab before this change (cut down to one element per kind).
RECORDED_BEFORE = [
    violation("aria-input-field-name", "serious", outputs=2, jupyterlab_own=23),
    violation("scrollable-region-focusable", "serious", course=3),
    violation("aria-required-children", "critical", jupyterlab_own=1),
    violation("button-name", "critical", jupyterlab_own=1),
    violation("empty-table-header", "minor", outputs=18),
]
# The same lesson after: only JupyterLab's own defects and pandas' minor one remain.
RECORDED_AFTER = [
    violation("aria-input-field-name", "serious", jupyterlab_own=23),
    violation("aria-required-children", "critical", jupyterlab_own=1),
    violation("button-name", "critical", jupyterlab_own=1),
    violation("empty-table-header", "minor", outputs=18),
]


def test_the_recorded_lesson_fails_on_its_slider_and_its_wide_charts_only():
    found = accessibility.failures(RECORDED_BEFORE)
    assert len(found) == 2
    assert "aria-input-field-name" in found[0] and "2 element(s) in outputs" in found[0]
    assert "scrollable-region-focusable" in found[1] and "3 element(s) in course" in found[1]
    assert "cell c1" in found[1]  # the message says where to look


def test_the_lesson_after_the_fix_passes_and_still_reports_jupyterlab_own_defects():
    assert accessibility.failures(RECORDED_AFTER) == []
    counts = accessibility.element_counts(RECORDED_AFTER)
    assert counts["jupyterlab_own"] == {"serious aria-input-field-name": 23,
                                        "critical aria-required-children": 1,
                                        "critical button-name": 1}
    assert counts["outputs"] == {"minor empty-table-header": 18}
    assert accessibility.serious_count(RECORDED_AFTER, "jupyterlab_own") == 25


@pytest.mark.parametrize("place", ["course", "outputs", "jupyterlab", "page"])
@pytest.mark.parametrize("impact", ["serious", "critical"])
def test_serious_or_critical_fails_everywhere_but_jupyterlab_own(place, impact):
    assert len(accessibility.failures([violation("some-rule", impact, **{place: 1})])) == 1


@pytest.mark.parametrize("impact", ["minor", "moderate", None])
def test_minor_and_moderate_are_only_counted(impact):
    found = [violation("some-rule", impact, course=2, outputs=1)]
    assert accessibility.failures(found) == []
    assert accessibility.element_counts(found)["course"] == {f"{impact} some-rule": 2}


def test_a_jupyterlab_defect_outside_the_known_list_fails():
    # The audit sorts an element into jupyterlab_own only if it is the known element of a
    # listed rule; any other JupyterLab element lands in `jupyterlab` and fails.
    found = accessibility.failures([violation("color-contrast", "serious", jupyterlab=4)])
    assert len(found) == 1 and "4 element(s) in jupyterlab" in found[0]


def test_every_jupyterlab_own_defect_names_its_element_and_an_upstream_issue():
    for rule, (selector, what, upstream) in accessibility.JUPYTERLAB_OWN.items():
        assert selector.startswith("."), rule
        assert what and "https://github.com/" in upstream, rule
    assert accessibility.own_selectors()["button-name"] == ".jp-collapseHeadingButton"


def test_report_totals_by_place():
    result = accessibility.report({"notebooks/02_timeline.ipynb": RECORDED_BEFORE,
                                   "notebooks/00_start_here.ipynb": RECORDED_AFTER})
    assert result["serious_or_critical_by_place"] == {
        "course": 3, "outputs": 2, "jupyterlab": 0, "jupyterlab_own": 50, "page": 0}
    assert "upstream" in result["jupyterlab_own_defects"]["aria-required-children"]
    assert accessibility.summary(RECORDED_BEFORE) == (
        "serious/critical elements: course 3, outputs 2, jupyterlab_own 25")


def test_a_violation_awaiting_its_fix_passes_while_it_lasts_and_fails_once_gone(monkeypatch):
    name = "exercises/00_start_here.ipynb"
    monkeypatch.setitem(accessibility.AWAITING_FIX, (name, "scrollable-region-focusable",
                                                     "outputs"),
                        "a set-up table too wide; fixed in solutions/00_start_here.ipynb")
    wide_table = violation("scrollable-region-focusable", "serious", outputs=1)
    assert accessibility.failures([wide_table], name) == []
    assert "solutions/00_start_here.ipynb" in accessibility.awaiting_fix([wide_table], name)[0]
    # The same violation elsewhere, or in another place, still fails.
    assert len(accessibility.failures([wide_table], "exercises/01_sources_and_evidence.ipynb")) == 1
    in_course = violation("scrollable-region-focusable", "serious", course=1)
    assert len(accessibility.failures([in_course], name)) == 2  # the chart, and the stale entry
    # Fixed: the entry must go.
    gone = accessibility.failures([], name)
    assert len(gone) == 1 and "remove the entry" in gone[0]
