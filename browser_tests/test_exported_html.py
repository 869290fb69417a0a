"""Lessons exported as web pages (`make html`): their charts draw and respond with no kernel.

For every lesson whose stored charts include one with an Altair parameter that responds in the
page (bound to an input or to the legend, or a point or interval selection made on the chart
itself; found when the tests are collected), the page made by scripts/export_html.py is opened
from the test's JupyterLab server (its /files/ address: a plain file, no kernel) in the offline
Chromium, whose guard lets only loopback addresses through:
- every chart is drawn from its stored specification, with its description as aria-label;
- moving the first bound input (radio button, slider, drop-down), or failing that clicking the
  first legend entry of a legend-bound selection, or failing that clicking a mark of a chart
  with a point selection, changes what a chart shows;
- nothing is requested from outside loopback (the JavaScript is written into the page).

Every lesson's exported page (what a student sees on a course website) also gets the axe-core
audit of the notebooks in JupyterLab (accessibility.py), once its charts are drawn: a serious
or critical violation anywhere on the page fails; all findings go to
browser_tests/screenshots/accessibility_exported_html.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from accessibility import AUDIT_SCRIPT, AXE_CORE, failures, own_selectors, report, summary

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import export_html  # noqa: E402 - the script under test lives in scripts/

LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))


def responsive_parameters(node) -> list[str]:
    """What kind of parameter in a Vega-Lite specification responds in the page, with no kernel:
    "input" (bound to a radio button, slider...), "legend", "scales" (zoom and pan), or the
    selection made on the chart itself ("point", "interval"). A plain variable gives nothing."""
    kinds = []
    if isinstance(node, dict):
        for param in node.get("params") or []:
            bind, select = param.get("bind"), param.get("select")
            if bind in ("legend", "scales"):
                kinds.append(bind)
            elif bind:
                kinds.append("input")
            elif select:
                kinds.append(select if isinstance(select, str) else select["type"])
        for value in node.values():
            kinds += responsive_parameters(value)
    elif isinstance(node, list):
        for value in node:
            kinds += responsive_parameters(value)
    return kinds


def has_responsive_parameter(notebook: Path) -> bool:
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            spec = export_html.stored_spec(output)
            if spec and responsive_parameters(json.loads(spec)):
                return True
    return False


INTERACTIVE = [p for p in LESSONS if has_responsive_parameter(p)]

CHARTS = """() => [...document.querySelectorAll('.balkan-chart')].map((el) => ({
  label: el.getAttribute('aria-label') || '',
  marks: el.querySelectorAll('svg g[class*="mark-"] path, svg g[class*="mark-"] rect, '
    + 'svg g[class*="mark-"] text').length,
}))"""
SHOWN = """() => [...document.querySelectorAll('.balkan-chart svg')]
  .map((svg) => svg.outerHTML).join('')"""
# The first bound input, or failing that the first legend entry of a legend-bound selection.
CHANGE = """() => {
  const radio = [...document.querySelectorAll('.vega-bindings input[type=radio]')]
    .find((r) => !r.checked);
  if (radio) { radio.click(); return 'radio'; }
  const range = document.querySelector('.vega-bindings input[type=range]');
  if (range) {
    range.value = String(Number(range.min) + (Number(range.max) - Number(range.min)) / 2);
    range.dispatchEvent(new Event('input', {bubbles: true}));
    return 'range';
  }
  const select = document.querySelector('.vega-bindings select');
  if (select && select.options.length > 1) {
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event('change', {bubbles: true}));
    return 'select';
  }
  return null;
}"""


# Where on the page the first legend symbol of a chart with a legend-bound selection is.
LEGEND_SYMBOL = """() => {
  const chart = [...document.querySelectorAll('.balkan-chart')]
    .find((el) => el.nextElementSibling.textContent.includes('"bind":"legend"'));
  const symbol = chart && chart.querySelector('g.role-legend-symbol path');
  if (!symbol) return null;
  symbol.scrollIntoView({block: 'center'});
  const rect = symbol.getBoundingClientRect();
  return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2};
}"""


# Where on the page a mark of a chart with a point selection (not bound to the legend) is: one
# that the selection fades, if any, so that clicking it changes the selection.
SELECTABLE_MARK = """() => {
  const selects = (node) => Array.isArray(node) ? node.some(selects)
    : node !== null && typeof node === 'object' && (
      (node.params || []).some((p) => !p.bind && (p.select === 'point'
        || (p.select && p.select.type === 'point')))
      || Object.values(node).some(selects));
  const chart = [...document.querySelectorAll('.balkan-chart')]
    .find((el) => selects(JSON.parse(el.nextElementSibling.textContent)));
  const marks = chart ? [...chart.querySelectorAll('g.role-mark path, g.role-mark rect')] : [];
  const mark = marks.find((m) => Number(m.getAttribute('opacity') ?? 1) < 1) || marks[0];
  if (!mark) return null;
  mark.scrollIntoView({block: 'center'});
  const rect = mark.getBoundingClientRect();
  return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2};
}"""


@pytest.fixture(scope="module")
def exported(lab):
    """Every lesson exported into the JupyterLab workspace, served under /files/."""
    out = lab.workspace / "exported_html"
    out.mkdir(exist_ok=True)
    import vl_convert

    script = export_html.bundle_url(vl_convert.javascript_bundle())
    return {path.name: export_html.export(path, out, script) for path in LESSONS}


# lesson -> axe-core's violations on its exported page
EXPORTED_AUDITS: dict[str, list[dict]] = {}


def test_responsive_parameters_are_told_from_plain_ones():
    """Both sides of the count below: what responds in the page, and what does not."""
    slider = {"name": "year", "value": 2020, "bind": {"input": "range"}}
    legend = {"name": "pick", "select": {"type": "point", "fields": ["m"]}, "bind": "legend"}
    linked = {"vconcat": [{"mark": "bar", "params": [{"name": "pick", "select": "point"}]},
                          {"mark": "text"}]}
    brush = {"layer": [{"params": [{"name": "b", "select": {"type": "interval"}}]}]}
    assert responsive_parameters({"params": [slider, legend]}) == ["input", "legend"]
    assert responsive_parameters(linked) == ["point"]
    assert responsive_parameters(brush) == ["interval"]
    assert responsive_parameters({"params": [{"name": "size", "value": 3}], "mark": "bar"}) == []
    assert responsive_parameters({"mark": "point", "encoding": {}}) == []


def test_at_least_four_lessons_have_charts_with_bound_parameters():
    """Charts that respond with no kernel: bound inputs, legend bindings and selections."""
    assert len(INTERACTIVE) >= 4, [p.name for p in INTERACTIVE]


@pytest.mark.parametrize("lesson", INTERACTIVE, ids=lambda p: p.stem)
def test_exported_lesson_charts_draw_and_respond_without_a_kernel(
    lesson, lab, exported, browser_context, blocked_requests
):
    target, live_charts = exported[lesson.name]
    blocked_before = len(blocked_requests)
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{lab.base_url}/files/exported_html/{target.name}?token={lab.token}")
        page.wait_for_function(
            f"() => document.querySelectorAll('.balkan-chart svg').length >= {live_charts}",
            timeout=30_000,
        )
        charts = page.evaluate(CHARTS)
        assert len(charts) == live_charts
        assert all(chart["marks"] > 0 for chart in charts), charts
        assert all(chart["label"] for chart in charts), "every chart has its description"

        before = page.evaluate(SHOWN)
        action = page.evaluate(CHANGE)
        if action is None:  # no bound input: click the first legend entry, or else a mark
            box, action = page.evaluate(LEGEND_SYMBOL), "legend"
            if not box:
                box, action = page.evaluate(SELECTABLE_MARK), "selection"
            assert box, "no legend of a legend-bound selection, no mark of a point selection"
            # Vega listens on the whole SVG and finds the item under the pointer: click there.
            page.mouse.click(box["x"], box["y"])
        page.wait_for_function(f"before => ({SHOWN})() !== before", arg=before,
                               timeout=10_000)
    finally:
        page.close()
    assert not errors, errors
    assert blocked_requests[blocked_before:] == [], "requests outside loopback"
    print(f"{lesson.name}: {live_charts} live charts; {action} changed a chart")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_exported_lesson_passes_the_accessibility_audit(
    lesson, lab, exported, browser_context, blocked_requests, screenshot_dir
):
    assert AXE_CORE.is_file(), f"axe-core not found at {AXE_CORE}: run `make test-browser`"
    target, live_charts = exported[lesson.name]
    blocked_before = len(blocked_requests)
    page = browser_context.new_page()
    try:
        page.goto(f"{lab.base_url}/files/exported_html/{target.name}?token={lab.token}")
        page.wait_for_function(
            f"() => document.querySelectorAll('.balkan-chart svg').length >= {live_charts}",
            timeout=30_000,
        )
        page.add_script_tag(path=str(AXE_CORE))
        violations = page.evaluate(AUDIT_SCRIPT, {"root": None, "frame": "page",
                                                  "own": own_selectors()})
    finally:
        page.close()
    EXPORTED_AUDITS[lesson.name] = violations
    (screenshot_dir / "accessibility_exported_html.json").write_text(
        json.dumps(report(EXPORTED_AUDITS), indent=1), encoding="utf-8")
    assert blocked_requests[blocked_before:] == [], "requests outside loopback"
    problems = failures(violations)
    assert not problems, f"{target.name}:\n- " + "\n- ".join(problems)
    print(f"{target.name}: axe-core {summary(violations)}")
