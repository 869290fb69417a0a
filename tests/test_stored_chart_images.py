"""Committed notebooks show their charts on GitHub and nbviewer, and stay small.

GitHub and nbviewer run no JavaScript widgets: they show a chart only if its stored output
carries a picture. `balkan_course.charts.setup_charts()` stores a PNG next to the live chart;
this test checks that every stored chart output still has one (a notebook executed with
another renderer would not), and that no single output bloats the repository.
Fast: it reads the notebook files, runs nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (REPO / folder).glob("*.ipynb"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_OUTPUT_BYTES = 1_500_000
MAX_WIDGET_STATE_BYTES = 1_500_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def text(value) -> str:
    """nbformat stores multi-line strings as lists of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def widget_models(notebook: dict) -> dict:
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    return state.get("state", {})


def is_chart(output: dict, models: dict) -> bool:
    """An Altair chart: our text summary, Altair's own reprs, or a stored JupyterChart view."""
    data = output.get("data", {})
    plain = text(data.get("text/plain", ""))
    if plain.startswith(("<Altair ", "alt.", "JupyterChart(")):
        return True
    if any(key.startswith("application/vnd.vega") for key in data):
        return True
    if "vegaEmbed" in text(data.get("text/html", "")):
        return True
    view = data.get(WIDGET_VIEW)
    if view:
        model = models.get(view.get("model_id"), {})
        return "vega" in json.dumps(model.get("state", {}))[:200_000]
    return False


def png_problem(output: dict) -> str | None:
    """Why the output's PNG would not show (None: it is a valid, non-empty PNG)."""
    encoded = output.get("data", {}).get("image/png")
    if encoded is None:
        return "no image/png output (GitHub and nbviewer show nothing)"
    try:
        picture = base64.b64decode(text(encoded), validate=False)
    except (binascii.Error, ValueError) as error:
        return f"image/png is not valid base64: {error}"
    if not picture.startswith(PNG_SIGNATURE):
        return "image/png does not start with the PNG signature"
    if len(picture) < 100:
        return f"image/png is only {len(picture)} bytes"
    return None


def label(cell: dict, index: int) -> str:
    return f"cell {index} (id {cell.get('id', '?')})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(REPO).as_posix() for p in NOTEBOOKS])
def test_stored_charts_have_images_and_outputs_stay_small(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    models = widget_models(notebook)
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        for number, output in enumerate(cell.get("outputs", [])):
            where = f"{label(cell, index)}, output {number}"
            size = len(json.dumps(output))
            if size > MAX_OUTPUT_BYTES:
                problems.append(
                    f"{where} is {size / 1e6:.1f} MB (limit {MAX_OUTPUT_BYTES / 1e6} MB)"
                )
            if is_chart(output, models):
                problem = png_problem(output)
                if problem:
                    problems.append(f"{where} is a chart with {problem}")
    state_size = len(json.dumps(models))
    if state_size > MAX_WIDGET_STATE_BYTES:
        problems.append(
            f"stored widget state is {state_size / 1e6:.1f} MB "
            f"(limit {MAX_WIDGET_STATE_BYTES / 1e6} MB): clear it before committing"
        )
    assert not problems, f"{path.relative_to(REPO)}:\n- " + "\n- ".join(problems)
