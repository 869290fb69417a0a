"""The accessibility audit can fail: a page with known faults, one per place, is audited.

A small page built like a notebook in JupyterLab (the class names the audit sorts by) holds one
fault of each kind: an image without a text alternative in rendered markdown (the course), an
unnamed slider in an output (a library's control), an unnamed cell editor (JupyterLab's own
listed defect) and an unnamed toolbar button (JupyterLab, not listed). The audit must find each
fault in its place, fail on all but JupyterLab's listed defect, and report that one. The page
also holds a chart wider than its output, which the chart-width check must find.
"""

from __future__ import annotations

from accessibility import AUDIT_SCRIPT, AXE_CORE, failures, own_selectors

FAULTY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Faults, one per place</title></head>
<body><main>
  <div class="jp-Cell" id="cell-id=markdown-cell">
    <div class="jp-MarkdownOutput"><p>A map:</p>
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20"></div>
  </div>
  <div class="jp-Cell" id="cell-id=widget-cell">
    <div class="jp-OutputArea"><div class="jp-OutputArea-output">
      <div role="slider" tabindex="0" aria-valuemin="0" aria-valuemax="9" aria-valuenow="3"
           style="width: 40px; height: 10px"></div>
    </div></div>
    <div class="cm-content" role="textbox" contenteditable="true">print(1)</div>
  </div>
  <button class="jp-ToolbarButton" style="width: 20px; height: 20px"></button>
  <div class="jp-OutputArea"><div class="jp-OutputArea-output" style="width: 300px; overflow: auto">
    <div class="vega-embed" role="figure" aria-label="A chart too wide for its output"
         style="width: 500px; height: 20px"></div>
  </div></div>
  <div class="jp-OutputArea"><div class="jp-OutputArea-output" style="width: 300px; overflow: auto">
    <div class="vega-embed" role="figure" aria-label="A chart that fits"
         style="width: 280px; height: 20px"></div>
  </div></div>
</main></body></html>
"""


def test_each_fault_is_found_in_its_place_and_all_but_jupyterlabs_own_fail(lab, browser_context):
    (lab.workspace / "faulty_page.html").write_text(FAULTY_PAGE, encoding="utf-8")
    page = browser_context.new_page()
    try:
        page.goto(f"{lab.base_url}/files/faulty_page.html?token={lab.token}")
        page.add_script_tag(path=str(AXE_CORE))
        found = page.evaluate(AUDIT_SCRIPT, {"root": None, "frame": "jupyterlab",
                                             "own": own_selectors()})
        wide = page.evaluate("() => window.__bt.wideCharts()")
    finally:
        page.close()
    places = {v["id"]: v["places"] for v in found}
    assert places["image-alt"] == {"course": 1}
    assert places["aria-input-field-name"] == {"outputs": 1, "jupyterlab_own": 1}
    assert places["button-name"] == {"jupyterlab": 1}
    examples = {v["id"]: v["examples"] for v in found}
    assert examples["image-alt"]["course"][0].startswith("cell markdown-cell: ")

    messages = failures(found)
    assert any("image-alt" in m and "in course" in m for m in messages)
    assert any("aria-input-field-name" in m and "in outputs" in m for m in messages)
    assert any("button-name" in m and "in jupyterlab" in m for m in messages)
    assert not any("jupyterlab_own" in m for m in messages)

    # The chart-width check (run on every notebook) finds the wide chart, not the one that fits.
    assert [(w["width"], w["shown"]) for w in wide] == [(500, 300)]
