"""A lesson's chart cell shows what the chart means; the course's theme does the styling.

`setup_charts()` (balkan_course/charts.py, `_theme`) sets label widths, level category labels,
dated time labels, legends below the chart, facet headers, rule widths and map shapes. A chart
cell in notebooks/ or solutions/ keeps the mark, the encodings (field, type, title), sort,
scales and domains, the chart's size and its sourced title and description. This test reads
every code cell with `ast` and fails, naming notebook, cell id and argument, when a cell styles
a chart itself:

- in `alt.Axis(...)`, `alt.Legend(...)` or `alt.Header(...)`, any argument of GUIDE_COSMETICS:
  label and title widths, angles, fonts, alignment and placement, legend place, direction and
  columns, label rewriting (`labelExpr`), tick count and date format. (`title`, `values`,
  `tickMinStep` and `grid` stay allowed: a count axis with `tickMinStep=1` says that counts are
  whole numbers, which is meaning, not look);
- in a `mark_*(...)` call, any argument of MARK_COSMETICS: font size, line width, and a bar's
  fixed thickness (`height=`/`width=`; the theme's bar gaps give every bar chart the same look);
- a `.configure_*(...)` call, which would override the theme for one chart;
- `labelExpr=` anywhere, or the READABLE_LABELS expression: give the data readable values
  instead (`.str.replace("_", " ")`), so that the tooltip reads the same words.

Mark placement (`align`, `dx`, `dy`), colours, opacity and point size are not on the lists: they
differ from chart to chart and say which mark is which.

ALLOWANCE lists the few arguments a chart genuinely needs, each with its reason; a cell that
keeps one says why in a comment too.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from balkan_course.charts import READABLE_LABELS, setup_charts

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])

GUIDE_COSMETICS = frozenset({
    "labelLimit", "labelAngle", "labelFontSize", "labelFont", "labelFontWeight", "labelColor",
    "labelAlign", "labelAnchor", "labelBaseline", "labelOrient", "labelOverlap", "labelPadding",
    "labelExpr", "titleFontSize", "titleFont", "titleLimit", "titlePadding", "titleOrient",
    "titleAnchor", "titleAngle", "orient", "direction", "columns", "symbolLimit", "format",
    "tickCount",
})
MARK_COSMETICS = frozenset({"fontSize", "font", "strokeWidth", "height", "width", "thickness"})
GUIDES = frozenset({"Axis", "Legend", "Header"})

# (notebook, cell id, argument): why the chart needs it.
ALLOWANCE = {
    ("notebooks/03_who_is_who.ipynb", "heatmap", "labelAngle"):
        "a heat map has actor names on both axes; level names would overlap under the "
        "35-pixel squares, so the x labels stand upright",
}

# The lessons' chart helpers (balkan_course/*.py) follow the same rule; charts.py is the theme.
HELPERS = sorted(p for p in (ROOT / "balkan_course").glob("*.py") if p.name != "charts.py")

# (module, function, argument): why the helper's chart needs it.
HELPER_ALLOWANCE = {
    ("evidence.py", "reported_values_chart", "READABLE_LABELS"):
        "the qualifier legend reads words ('more than'), while the shape scale's domain and the "
        "tooltip keep the codebook's values; Vega ignores a legend labelExpr set in the theme",
    ("evidence.py", "reported_values_chart", "labelExpr"): "the same legend as above",
    ("evidence.py", "reported_values_chart", "fontSize"):
        "the wording printed beside each point, smaller than the axis labels so that two "
        "neighbouring wordings do not overlap",
    ("evidence.py", "reported_values_chart", "format"):
        "troop numbers as whole numbers with a thousands comma, not '1.1k'",
    ("flashpoints.py", "flashpoint_map", "fontSize"):
        "country and place names sized by the map's zoom (the north's close view has room for "
        "larger names), smaller than the axis-sized text of the theme",
    ("flashpoints.py", "flashpoint_map", "strokeWidth"):
        "the dashed Kosovo-Serbia boundary line and the incident markers' outlines, drawn "
        "heavier than the countries' outlines so that they read as the map's subject",
    ("money.py", "comparison_chart", "format"):
        "a log scale's ticks as plain euro amounts (1,000), not '1e+3'",
    ("narratives.py", "forecast_timeline_chart", "fontSize"):
        "the probability words printed inside each forecast's box",
    ("narratives.py", "forecast_timeline_chart", "strokeWidth"):
        "a thin outline around each forecast's box, so that overlapping boxes stay apart",
}

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _parsable(source: str) -> str:
    """A cell's code without IPython magics and with {{placeholders}} as plain names."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return _PLACEHOLDER.sub(r"\1", "\n".join(lines))


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def cosmetic_arguments(source: str) -> list[str]:
    """The styling a cell's code passes to a chart, as argument names (or call names)."""
    found = []
    for node in ast.walk(ast.parse(_parsable(source))):
        if isinstance(node, ast.Name) and node.id == "READABLE_LABELS":
            found.append("READABLE_LABELS")
        elif isinstance(node, ast.Constant) and node.value == READABLE_LABELS:
            found.append("labelExpr")
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name.startswith("configure"):
            found.append(name)
        cosmetic = (GUIDE_COSMETICS if name in GUIDES
                    else MARK_COSMETICS if name.startswith("mark_") else {"labelExpr"})
        found += [kw.arg for kw in node.keywords if kw.arg in cosmetic]
    return sorted(set(found))


def styled_cells(notebook: Path) -> list[tuple[str, str, str]]:
    """(notebook, cell id, argument) for each cosmetic argument in the notebook's code cells."""
    relative = notebook.relative_to(ROOT).as_posix()
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [(relative, cell.get("id", "?"), argument)
            for cell in cells if cell["cell_type"] == "code"
            for argument in cosmetic_arguments("".join(cell["source"]))]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_chart_cells_leave_the_styling_to_the_theme(notebook):
    styled = [found for found in styled_cells(notebook) if found not in ALLOWANCE]
    assert not styled, (
        "chart styling in a cell (notebook, cell id, argument): move it to _theme() in "
        f"balkan_course/charts.py, or justify it in ALLOWANCE: {styled}")


def styled_functions(module: Path) -> list[tuple[str, str, str]]:
    """(module, function, argument) for each cosmetic argument in a helper module's charts."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return sorted({(module.name, node.name, argument) for node in ast.walk(tree)
                   if isinstance(node, ast.FunctionDef)
                   for argument in cosmetic_arguments(ast.unparse(node))})


@pytest.mark.parametrize("module", HELPERS, ids=lambda path: path.name)
def test_the_lessons_chart_helpers_leave_the_styling_to_the_theme(module):
    styled = [found for found in styled_functions(module) if found not in HELPER_ALLOWANCE]
    assert not styled, (
        "chart styling in a helper (module, function, argument): move it to _theme() in "
        f"balkan_course/charts.py, or justify it in HELPER_ALLOWANCE: {styled}")


def test_every_helper_allowance_is_still_used():
    used = {found for module in HELPERS for found in styled_functions(module)}
    assert set(HELPER_ALLOWANCE) <= used, f"allowed but gone: {set(HELPER_ALLOWANCE) - used}"


def test_a_styled_helper_function_is_named(tmp_path):
    module = tmp_path / "helper.py"
    module.write_text("import altair as alt\n\n\ndef chart(data):\n"
                      "    return alt.Chart(data).mark_bar().encode(\n"
                      "        y=alt.Y('a:N', axis=alt.Axis(labelLimit=300)))\n",
                      encoding="utf-8")
    assert styled_functions(module) == [("helper.py", "chart", "labelLimit")]


def test_every_allowance_is_still_used():
    used = {found for notebook in NOTEBOOKS for found in styled_cells(notebook)}
    assert set(ALLOWANCE) <= used, f"allowed but no longer in the cell: {set(ALLOWANCE) - used}"


@pytest.mark.parametrize("code, expected", [
    ('alt.Y("article:N", axis=alt.Axis(labelLimit=300))', ["labelLimit"]),
    ('alt.Color("m:N", legend=alt.Legend(orient="bottom", direction="vertical"))',
     ["direction", "orient"]),
    ('alt.Row("p:N", header=alt.Header(labelAngle=0))', ["labelAngle"]),
    ('alt.X("d:T", axis=alt.Axis(format="%b %Y"))', ["format"]),
    ("base.mark_text(fontSize=11)", ["fontSize"]),
    ("base.mark_rule(strokeWidth=4)", ["strokeWidth"]),
    ("base.mark_bar(height=14)", ["height"]),
    ("chart.configure_axis(labelFontSize=14)", ["configure_axis"]),
    ("alt.Legend(labelExpr=READABLE_LABELS)", ["READABLE_LABELS", "labelExpr"]),
    ("%matplotlib inline\nalt.Y(\"{{column}}:N\", axis=alt.Axis(labelAngle=-90))", ["labelAngle"]),
])
def test_a_cell_that_styles_its_chart_is_named(code, expected):
    assert cosmetic_arguments(code) == expected


def test_a_cell_with_only_encodings_passes():
    code = '''
alt.Chart(strength).mark_bar().encode(
    x=alt.X("count():Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
    y=alt.Y("article:N", title=None, sort="-x"),
    color=alt.Color("mission:N", title="Mission", scale=alt.Scale(domain=["KFOR"])),
    tooltip=[alt.Tooltip("value:Q", format=",")],
).properties(title="A question", description="What the chart shows.", width=380)
base.mark_text(align="left", dx=4).encode(text=alt.Text("value:Q", format=","))
'''
    assert cosmetic_arguments(code) == []


def test_a_styled_notebook_cell_is_reported_with_notebook_and_cell_id(tmp_path, monkeypatch):
    notebook = tmp_path / "notebooks" / "99_test.ipynb"
    notebook.parent.mkdir()
    cell = {"cell_type": "code", "id": "styled", "metadata": {}, "outputs": [],
            "execution_count": None, "source": ["alt.Axis(labelLimit=300)\n"]}
    notebook.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert styled_cells(notebook) == [("notebooks/99_test.ipynb", "styled", "labelLimit")]


# ------------------------------------------------------------ what the theme gives the lessons

# The longest event title of lesson 02's timeline.
LONG_NAME = "EUFOR takes over from NATO's SFOR in Bosnia and Herzegovina"


@pytest.fixture(scope="module")
def themed_spec():
    setup_charts()
    frame = pd.DataFrame({"value": [4600, 1100], "article": [LONG_NAME, "Asllani brief"],
                          "mission": ["KFOR", "EUFOR Althea"]})
    # As narrow as lesson 02's timeline of events, so that the long labels fit beside it.
    return alt.Chart(frame).mark_bar().encode(
        x="value:Q", y="article:N", color="mission:N").properties(width=360).to_dict()


def test_the_theme_carries_the_settings_the_lessons_rely_on(themed_spec):
    config = themed_spec["config"]
    assert config["axisY"]["labelLimit"] >= 300  # the long article and event names
    assert config["axisXDiscrete"]["labelAngle"] == 0
    assert config["axisTemporal"]["format"]["month"] == "%b %Y"
    assert config["legend"]["orient"] == "bottom"
    assert config["legend"]["columns"] == 1
    assert config["headerRow"]["labelOrient"] == "top"
    assert config["headerRow"]["labelAngle"] == 0
    assert config["rule"]["strokeWidth"] > 1
    assert config["geoshape"]["fill"] == "#E8E8E8"


def test_a_long_label_is_drawn_whole_and_the_chart_fits_the_output_area(themed_spec):
    svg = vlc.vegalite_to_svg(themed_spec)
    assert LONG_NAME in _texts(svg)  # drawn whole, not cut with "…"
    width = float(re.search(r'<svg[^>]*\swidth="([0-9.]+)"', svg).group(1))
    assert width <= 760


def test_without_the_theme_the_same_label_is_cut(themed_spec):
    bare = {key: value for key, value in themed_spec.items() if key != "config"}
    cut = [text for text in _texts(vlc.vegalite_to_svg(bare)) if text.startswith("EUFOR takes")]
    assert cut and cut[0].endswith("…")


def _texts(svg: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r">([^<>]+)</text>", svg)]
