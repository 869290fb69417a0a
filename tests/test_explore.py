"""explore(): the lessons' one-call widget, driven without a browser.

Each test sets a control's `.value` (what a click does) and reads what a student would see: the
message, the chart widget's chart and whether it is shown (`layout.display`), the HTML parts.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd
import pytest
from IPython.display import HTML

from balkan_course.explore import as_html, empty_control_message, explore

STRENGTH = pd.DataFrame({"mission": ["KFOR", "KFOR", "EUFOR"], "value": [4600, 4500, 1100],
                         "article": ["a", "b", "c"]})


def strength_chart(missions):
    """A bar chart of the chosen missions, or a message when none is left."""
    chosen = STRENGTH[STRENGTH["mission"].isin(missions)]
    if chosen.empty:
        return "No figure for this choice."
    return alt.Chart(chosen).mark_bar().encode(x="value:Q", y="article:N")


def parts(box):
    """(message HTML, the views below it) of an explore box."""
    controls_row, message, *views = box.children
    assert isinstance(controls_row, widgets.HBox)
    return message.value, views


def shown(view) -> bool:
    return view.layout.display != "none"


def plotted_missions(chart_view) -> set[str]:
    return set(chart_view.chart.data["mission"])


@pytest.fixture
def picker():
    return widgets.SelectMultiple(options=["KFOR", "EUFOR"], value=("KFOR",),
                                  description="Missions")


def test_the_first_choice_is_drawn_as_one_live_chart_widget_without_export_menu(picker):
    box = explore(strength_chart, missions=picker)
    message, views = parts(box)
    assert message == ""
    assert len(views) == 1 and isinstance(views[0], alt.JupyterChart) and shown(views[0])
    assert plotted_missions(views[0]) == {"KFOR"}
    assert views[0].embed_options == {"actions": False}
    assert picker in box.children[0].children


def test_a_change_updates_the_same_chart_widget_in_place(picker):
    box = explore(strength_chart, missions=picker)
    chart_view = parts(box)[1][0]
    picker.value = ("KFOR", "EUFOR")
    assert parts(box)[1] == [chart_view]  # the same widget: no new chart, no flicker
    assert plotted_missions(chart_view) == {"KFOR", "EUFOR"}


def test_an_empty_list_names_the_control_hides_the_chart_and_a_choice_brings_it_back(picker):
    calls = []
    box = explore(lambda missions: calls.append(missions) or strength_chart(missions),
                  missions=picker)
    picker.value = ()
    message, views = parts(box)
    assert "Choose at least one" in message and "Missions" in message
    assert not shown(views[0]) and len(calls) == 1  # the function is not called empty-handed
    picker.value = ("EUFOR",)
    message, views = parts(box)
    assert message == "" and shown(views[0]) and plotted_missions(views[0]) == {"EUFOR"}


def test_a_string_result_is_the_message_and_hides_the_chart(picker):
    box = explore(lambda missions: strength_chart(missions) if "KFOR" in missions
                  else "<No> KFOR & no chart", missions=picker)
    picker.value = ("EUFOR",)
    message, views = parts(box)
    assert message == "<p><b>&lt;No&gt; KFOR &amp; no chart</b></p>"  # escaped, not markup
    assert not shown(views[0])


def test_an_error_in_the_function_is_one_line_and_the_next_choice_recovers(picker):
    def fragile(missions):
        if "EUFOR" in missions:
            raise KeyError("mission_id")
        return strength_chart(missions)

    box = explore(fragile, missions=picker)
    picker.value = ("EUFOR",)
    message, views = parts(box)
    assert message.count("\n") == 0 and "KeyError" in message and "mission_id" in message
    assert "Traceback" not in message and not shown(views[0])
    picker.value = ("KFOR",)
    assert parts(box)[0] == "" and shown(parts(box)[1][0])


def test_several_controls_each_give_their_argument_by_name():
    unit = widgets.Dropdown(options=["troops", "thousands"], value="troops", description="Unit")
    smallest = widgets.BoundedIntText(value=0, min=0, max=10_000, description="At least")
    seen = []

    def table(unit, smallest):
        seen.append((unit, smallest))
        rows = STRENGTH[STRENGTH["value"] >= smallest]
        return rows.assign(value=rows["value"] / (1000 if unit == "thousands" else 1))

    box = explore(table, unit=unit, smallest=smallest)
    smallest.value = 2000
    unit.value = "thousands"
    assert seen == [("troops", 0), ("troops", 2000), ("thousands", 2000)]
    html_view = parts(box)[1][0]
    assert isinstance(html_view, widgets.HTML)
    assert "<table" in html_view.value and "4.6" in html_view.value and "1.1" not in html_view.value
    assert "<th></th>" not in html_view.value  # no index column


def test_a_tuple_shows_each_part_in_order_and_hides_parts_no_longer_returned(picker):
    def table_and_chart(missions):
        if "EUFOR" in missions:
            return HTML("<i>only a note</i>")
        return STRENGTH[STRENGTH["mission"].isin(missions)], strength_chart(missions)

    box = explore(table_and_chart, missions=picker)
    table_view, chart_view = parts(box)[1]
    assert isinstance(table_view, widgets.HTML) and "<table" in table_view.value
    assert isinstance(chart_view, alt.JupyterChart) and shown(chart_view)
    picker.value = ("EUFOR",)
    views = parts(box)[1]
    assert views[0].value == "<i>only a note</i>" and shown(views[0])
    assert views[1] is chart_view and not shown(chart_view)  # kept for a later choice
    picker.value = ("KFOR",)
    assert parts(box)[1][1] is chart_view and shown(chart_view)


def test_an_empty_text_box_names_it_and_a_space_counts_as_empty():
    text_box = widgets.Textarea(value="Some text", description="Assessment")
    box = explore(lambda text: HTML(f"<p>{len(text.split())} words</p>"), text=text_box)
    assert "2 words" in parts(box)[1][0].value
    text_box.value = "   "
    message, views = parts(box)
    assert "Assessment" in message and "empty" in message and not shown(views[0])


def test_empty_control_message_names_the_argument_when_a_control_has_no_description():
    assert empty_control_message({"first_year": widgets.IntText(value=0)}) is None  # 0 is a value
    assert empty_control_message({"actor_id": widgets.Text(value="x")}) is None
    assert "actor id" in empty_control_message({"actor_id": widgets.Text(value="")})
    assert "at least one" in empty_control_message(
        {"themes": widgets.SelectMultiple(options=["a"], value=())})


def test_as_html_escapes_plain_values_and_keeps_html():
    assert as_html("<b>") == "<p>&lt;b&gt;</p>"
    assert as_html(HTML("<b>bold</b>")) == "<b>bold</b>"
    assert as_html(pd.DataFrame({"a": [1]})).startswith("<table")


def test_lesson_times_counts_an_explore_call_as_a_control_and_a_plain_call_not():
    """The time rule gives each control four minutes; a widget cell is now one explore() call."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "lesson_times.py"
    spec = importlib.util.spec_from_file_location("lesson_times", script)
    lesson_times = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lesson_times)

    def controls(source):
        notebook = {"cells": [{"cell_type": "markdown", "source": ["# A lesson"]},
                              {"cell_type": "code", "source": [source]}]}
        return lesson_times.sections(notebook)[0]["controls"]

    assert controls("explore(strength_chart, missions=mission_picker)") == 1
    assert controls("strength_chart(['kfor'])") == 0
