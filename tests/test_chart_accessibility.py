"""Every chart speaks in words: a description, its sources on the chart, no raw ids as labels.

Two halves: the chart helpers of the lessons, built from the real tables; and the committed
lessons, read from disk (fast: nothing is executed), whose stored chart outputs carry the
description and subtitle in their text summary and the specification in their metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balkan_course import load_table
from balkan_course.evidence import reported_values_chart, source_dates_chart
from balkan_course.flashpoints import flashpoint_map, incidents_with_places
from balkan_course.forces import scenario_for_figure
from balkan_course.money import money_comparison, with_previous_budget
from balkan_course.narratives import (
    claims_for_scenario,
    forecast_timeline_chart,
    scenario_chart,
)
from balkan_course.timeline import events_per_year_chart, reported_by, timeline_chart

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
# Channels a reader sees as axis labels, legend entries or text (tooltips may show ids).
VISIBLE_CHANNELS = ("x", "y", "color", "fill", "shape", "size", "row", "column", "facet",
                    "xOffset", "yOffset", "text")


def visible_id_fields(spec) -> list[str]:
    """Fields named like ids (`..._id`) used by a visible channel anywhere in a spec."""
    found = []
    if isinstance(spec, dict):
        for channel, definition in (spec.get("encoding") or {}).items():
            if channel in VISIBLE_CHANNELS and isinstance(definition, dict):
                field = definition.get("field", "")
                if isinstance(field, str) and field.endswith("_id"):
                    found.append(f"{channel}={field}")
        for value in spec.values():
            found += visible_id_fields(value)
    elif isinstance(spec, list):
        for value in spec:
            found += visible_id_fields(value)
    return found


def subtitle_text(spec: dict) -> str:
    title = spec.get("title", {})
    subtitle = title.get("subtitle", "") if isinstance(title, dict) else ""
    return " ".join(subtitle) if isinstance(subtitle, list) else subtitle


def helper_charts():
    """One chart from every lesson helper that draws one, named for the test ids."""
    sources, troops = load_table("sources"), load_table("troop_figures")
    events, event_sources = load_table("events"), load_table("event_sources")
    cited = events.merge(reported_by(event_sources, sources), on="event_id", how="left")
    claims, actors = load_table("claims"), load_table("actors")
    incidents = incidents_with_places(events, load_table("places"), event_sources)
    money = with_previous_budget(load_table("money"))
    return {
        "reported_values_chart": reported_values_chart(troops, sources, "kfor", "strength"),
        "source_dates_chart": source_dates_chart(sources),
        "timeline_chart": timeline_chart(cited),
        "events_per_year_chart": events_per_year_chart(cited),
        "scenario_for_figure": scenario_for_figure("kfor_strength_001", 600, 0, troops)[1],
        "money_comparison": money_comparison(
            money, ["kosovo_mod_budget_2025", "kosovo_mod_increase_2025"], "million euros"),
        "flashpoint_map": flashpoint_map(incidents, load_table("places"), zoom="north"),
        "forecast_timeline_chart": forecast_timeline_chart(load_table("forecasts"), "2026-01-01"),
        "scenario_chart": scenario_chart(
            claims_for_scenario(claims, {"eu_attention_balkans": "low"}, actors)),
    }


HELPER_CHARTS = helper_charts()


@pytest.mark.parametrize("name", sorted(HELPER_CHARTS))
def test_helper_charts_describe_themselves_and_name_their_sources(name):
    chart = HELPER_CHARTS[name]
    assert not isinstance(chart, str), chart
    spec = chart.to_dict()
    assert len(spec.get("description", "")) > 40, "a description of a sentence or more"
    assert "Source: " in subtitle_text(spec) or "Sources: " in subtitle_text(spec)
    assert "_20" not in subtitle_text(spec), "articles named in words, not by source_id"
    assert visible_id_fields(spec) == []


def test_visible_id_fields_finds_an_id_on_an_axis_but_not_in_a_tooltip():
    spec = {"layer": [{"encoding": {"y": {"field": "source_id"},
                                    "tooltip": [{"field": "source_id"}]}},
                      {"encoding": {"color": {"field": "mission"},
                                    "tooltip": {"field": "figure_id"}}}]}
    assert visible_id_fields(spec) == ["y=source_id"]


# --------------------------------------------------------------- the committed lessons


def chart_outputs(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            if text.startswith("<Altair "):
                found.append({"cell": cell.get("id"), "text": text,
                              "spec": output.get("metadata", {}).get("balkan_course", {})
                              .get("vega_lite")})
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_stored_lesson_chart_has_description_sources_and_spec(path):
    charts = chart_outputs(path)
    for chart in charts:
        where = f"{path.name} cell {chart['cell']}"
        lines = chart["text"].split("\n")
        assert any(line.startswith("Description: ") for line in lines), f"{where}: no description"
        subtitle = next((line for line in lines if line.startswith("Subtitle: ")), "")
        if "First draft" not in chart["text"]:  # a lesson's bare first step may skip sources
            assert "Source" in subtitle or "Boundaries" in subtitle, f"{where}: no sources"
        assert chart["spec"], f"{where}: no stored specification (re-run make notebooks)"
        spec = json.loads(chart["spec"])
        assert visible_id_fields(spec) == [], f"{where}: ids as labels"


def interactive(spec: dict) -> bool:
    """A chart with an Altair parameter bound to an input or a selection (runs without Python)."""
    params = [p for key in ("params",) for p in spec.get(key, [])]
    for layer in spec.get("layer", []):
        params += layer.get("params", [])
    return any("bind" in p or "select" in p for p in params)


def test_at_least_four_lessons_have_charts_that_respond_without_a_kernel():
    lessons = {path.name for path in LESSONS for chart in chart_outputs(path)
               if chart["spec"] and interactive(json.loads(chart["spec"]))}
    assert len(lessons) >= 4, lessons


def jupyter_chart_calls(source: str) -> list[str]:
    """The text of every alt.JupyterChart(...) call in a cell, parentheses balanced."""
    calls, start = [], source.find("alt.JupyterChart(")
    while start != -1:
        depth, end = 0, start
        for end in range(start + len("alt.JupyterChart"), len(source)):
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            if depth == 0:
                break
        calls.append(source[start:end + 1])
        start = source.find("alt.JupyterChart(", end)
    return calls


def test_every_live_chart_widget_hides_the_unlabelled_export_menu():
    """vega-embed's "..." menu is a <summary> without a name (axe: serious). setup_charts()
    turns it off for displayed charts; a JupyterChart made by hand needs EMBED_OPTIONS too."""
    import nbformat

    root = Path(__file__).resolve().parent.parent
    assert jupyter_chart_calls("a = alt.JupyterChart(f(g(1), h(2)))\nalt.JupyterChart(c)") == \
        ["alt.JupyterChart(f(g(1), h(2)))", "alt.JupyterChart(c)"]
    missing = [f"{path.name} {cell.get('id')}"
               for folder in ("notebooks", "solutions")
               for path in sorted((root / folder).glob("*.ipynb"))
               for cell in nbformat.read(path, as_version=4).cells
               for call in jupyter_chart_calls(cell.source)
               if "embed_options=EMBED_OPTIONS" not in call]
    assert missing == []
