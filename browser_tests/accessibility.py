"""The accessibility audit of the browser tests: run axe-core, sort what it finds, decide.

axe-core (from the npm registry, installed by `make test-browser` into .venv/npm) audits a page
against its WCAG rules. Every element that fails a rule is put in one place:

- `course`: what the course wrote: rendered markdown, the charts and the output box holding a
  chart (a chart too wide for its box makes an unreachable scroll box);
- `outputs`: other outputs, drawn by libraries from the lessons' code (pandas tables, ipywidgets
  controls). The lessons choose them, so they can avoid the failures: a narrower table, a
  labelled control;
- `jupyterlab_own`: JupyterLab's interface, for the defects listed in JUPYTERLAB_OWN: no
  setting removes them, each has its upstream issue;
- `jupyterlab`: anything else in JupyterLab's interface (a new defect, or one a setting could
  remove);
- `page`: the rest of an exported web page (nbconvert's template: code, prompts).

A *serious* or *critical* violation fails the test in every place but `jupyterlab_own`, which is
counted and reported; the only other exceptions are those listed in AWAITING_FIX, while they
last. The sorting is done in the browser (AUDIT_SCRIPT, it needs the page); the decision
(`failures`) and the counts are plain Python, unit-tested on recorded audits in
tests/test_accessibility_audit.py.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

# axe-core from the npm registry, installed by `make test-browser` (never fetched at run time).
REPO = Path(__file__).resolve().parent.parent
AXE_CORE = Path(os.environ.get("AXE_CORE", REPO / ".venv/npm/node_modules/axe-core/axe.min.js"))
BLOCKING_IMPACTS = {"serious", "critical"}
PLACES = ("course", "outputs", "jupyterlab", "jupyterlab_own", "page")
NOT_BLOCKING_PLACES = {"jupyterlab_own"}

# JupyterLab 4.6's own defects that no setting removes (its notebook settings, the CodeMirror
# settings and the ipywidgets manager were checked): rule -> (the element, what, upstream).
JUPYTERLAB_OWN = {
    "aria-input-field-name": (
        ".cm-content",
        "the cell editor (CodeMirror 6) is a textbox without a name; CodeMirror leaves naming "
        "to the application and JupyterLab gives none",
        "https://github.com/jupyter/notebook/issues/6671, "
        "https://github.com/codemirror/dev/issues/1127",
    ),
    "aria-required-children": (
        ".jp-WindowedPanel-viewport",
        "the cell list has role=feed but its cells have no role=article (true in every "
        "windowingMode: the role is set when the list is built)",
        "https://github.com/jupyterlab/jupyterlab/issues/13704, "
        "https://github.com/jupyterlab/jupyterlab/issues/14765",
    ),
    "button-name": (
        ".jp-collapseHeadingButton",
        "the button that folds a heading's section has no text and no label (axe sees the "
        "active cell's only: the others are hidden until hovered)",
        "https://github.com/jupyterlab/jupyterlab/issues/16890 (WCAG 4.1.2 findings; no issue "
        "names this button yet)",
    ),
}

# Violations whose fix belongs to another part of the course (not to a lesson or the tests):
# (notebook, rule, place) -> where they are fixed. Reported, not failed on, while they last; a
# listed one that no longer occurs fails the test, so that its entry is removed once fixed.
# Empty now: the exercises' set-up tables (wide pandas tables, five sets) were narrowed to the
# columns the questions start from.
AWAITING_FIX: dict[tuple[str, str, str], str] = {}

# Runs in the page, after axe.min.js was added. Argument: {root: 'notebook' (the notebook open
# in JupyterLab, window.__btPanel) or null (the whole page), frame: 'jupyterlab' or 'page',
# own: {rule: selector}}.
AUDIT_SCRIPT = r"""
async ({root, frame, own}) => {
  const context = root === 'notebook' ? window.__btPanel.content.node : document;
  const result = await axe.run(context, {resultTypes: ['violations']});
  const CHART = '.vega-embed, .balkan-chart';
  const place = (rule, el) => {
    if (!el) return frame;
    if (el.closest('.jp-MarkdownOutput, ' + CHART)) return 'course';
    if (el.matches('.jp-OutputArea-output') && el.querySelector(CHART)) return 'course';
    if (el.closest('.jp-OutputArea')) return 'outputs';
    if (frame === 'jupyterlab' && own[rule] && el.matches(own[rule])) return 'jupyterlab_own';
    return frame;
  };
  // Which cell an element is in: the notebook's cell id in JupyterLab, nbconvert's id in a page.
  const cellOf = (el) => {
    const cell = el && el.closest('.jp-Cell');
    if (!cell) return null;
    const panel = window.__btPanel;
    const widget = panel && panel.content.widgets.find((w) => w.node === cell);
    if (widget) return widget.model.id;
    return (cell.id || '').replace(/^cell-id=/, '') || null;
  };
  return result.violations.map((v) => {
    const nodes = v.nodes.map((n) => {
      const el = document.querySelector(n.target[0]);
      return {place: place(v.id, el), cell: cellOf(el), target: n.target.join(' ')};
    });
    const places = {};
    nodes.forEach((n) => { places[n.place] = (places[n.place] || 0) + 1; });
    const examples = {};
    nodes.forEach((n) => {
      const list = examples[n.place] = examples[n.place] || [];
      if (list.length < 3) list.push((n.cell ? `cell ${n.cell}: ` : '') + n.target);
    });
    return {id: v.id, impact: v.impact, help: v.help, places, examples};
  });
}
"""


def own_selectors() -> dict[str, str]:
    """The AUDIT_SCRIPT argument naming the elements of JupyterLab's known defects."""
    return {rule: selector for rule, (selector, _, _) in JUPYTERLAB_OWN.items()}


def blocking(violation: dict, place: str) -> bool:
    return (violation["impact"] in BLOCKING_IMPACTS and place not in NOT_BLOCKING_PLACES
            and violation["places"].get(place, 0) > 0)


def failures(violations: list[dict], notebook: str = "") -> list[str]:
    """One message per rule and place with serious or critical violations that must go.

    `notebook` (as in AWAITING_FIX, e.g. "exercises/00_start_here.ipynb") lets its listed
    violations pass, and fails a listed one that is gone.
    """
    found, waived = [], set()
    for v in violations:
        for place in PLACES:
            if not blocking(v, place):
                continue
            if (notebook, v["id"], place) in AWAITING_FIX:
                waived.add((v["id"], place))
                continue
            examples = "; ".join(v["examples"].get(place, []))
            found.append(f"accessibility ({v['impact']}): {v['id']}: {v['help']} — "
                         f"{v['places'][place]} element(s) in {place}, e.g. {examples}")
    found.extend(
        f"accessibility: {rule} in {place} is listed in AWAITING_FIX for {notebook} but no "
        "longer occurs: remove the entry"
        for (name, rule, place) in AWAITING_FIX if name == notebook and (rule, place) not in waived
    )
    return found


def awaiting_fix(violations: list[dict], notebook: str) -> list[str]:
    """The notebook's serious violations that AWAITING_FIX lets pass, for the report."""
    return [f"{v['id']} ({v['places'][place]} in {place}): {AWAITING_FIX[key]}; "
            f"e.g. {'; '.join(v['examples'].get(place, []))}"
            for v in violations for place in PLACES
            if blocking(v, place) and (key := (notebook, v["id"], place)) in AWAITING_FIX]


def element_counts(violations: list[dict]) -> dict[str, dict[str, int]]:
    """Failing elements per place and rule ("impact rule-id": count)."""
    counts: dict[str, Counter] = {place: Counter() for place in PLACES}
    for v in violations:
        for place, n in v["places"].items():
            counts[place][f"{v['impact']} {v['id']}"] += n
    return {place: dict(c) for place, c in counts.items() if c}


def serious_count(violations: list[dict], place: str) -> int:
    """Serious or critical elements in one place."""
    return sum(v["places"].get(place, 0) for v in violations
               if v["impact"] in BLOCKING_IMPACTS)


def summary(violations: list[dict]) -> str:
    """One line: serious or critical elements per place, e.g. for `pytest -s`."""
    parts = [f"{place} {serious_count(violations, place)}" for place in PLACES
             if any(place in v["places"] for v in violations)]
    return "serious/critical elements: " + (", ".join(parts) if parts else "none")


def report(audits: dict[str, list[dict]]) -> dict:
    """Everything audited, with totals by place and rule and the upstream references."""
    every = [v for found in audits.values() for v in found]
    return {
        "elements_by_place_and_rule": element_counts(every),
        "serious_or_critical_by_place": {place: serious_count(every, place) for place in PLACES},
        "awaiting_fix": {name: waiting for name, found in audits.items()
                         if (waiting := awaiting_fix(found, name))},
        "jupyterlab_own_defects": {rule: {"element": selector, "what": what, "upstream": issue}
                                   for rule, (selector, what, issue) in JUPYTERLAB_OWN.items()},
        "pages": audits,
    }
