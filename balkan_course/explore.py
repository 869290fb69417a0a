"""`explore(function, **controls)`: a lesson's widget in one call.

A lesson shows the part a student can learn from: a plain function that turns a choice into a
chart, a table or a sentence, and the control(s) that make the choice. Then one line,

    explore(strength_chart, missions=mission_picker)

shows the controls with the function's result below them, and shows it again whenever a control
changes: like Data 8's `interact(...)`. Everything in this file is plumbing a student may ignore
(ipywidgets callbacks, a live Altair chart widget, hiding and showing); only the call matters.
"""

from __future__ import annotations

import html
import os

import altair as alt
import ipywidgets as widgets
import pandas as pd

from balkan_course.charts import EMBED_OPTIONS, TEXT_ONLY_ENV, enable_offline_chart_widget


def explore(function, **controls) -> widgets.VBox:
    """Show the controls and what `function(**their values)` returns, redrawn on each change.

    `controls` are ipywidgets controls, each named after the argument of `function` it gives
    (`explore(strength_chart, missions=mission_picker)` calls
    `strength_chart(missions=mission_picker.value)`). What the function returns is shown so:
    - an Altair chart: a live chart, updated in place (no flicker);
    - a table (DataFrame) or `IPython.display.HTML`: as a table or HTML;
    - a string: as a message, with nothing else shown (say why there is nothing to draw);
    - a tuple of these: one below the other (a table and its chart, say).
    A control left empty (nothing chosen in a list, an empty text box) gives a message naming
    it instead of calling the function; an error in the function gives one line, not a
    traceback. The chart a choice hides comes back with the next good choice.

    Returns the box shown: its children are the row of controls, the message (an HTML widget)
    and one view per part of the result (a chart widget, or an HTML widget for the rest).
    """
    if not os.environ.get(TEXT_ONLY_ENV):  # (a grader's kernel draws nothing)
        enable_offline_chart_widget()  # draw without the internet, as setup_charts() does
    message = widgets.HTML()
    controls_row = widgets.HBox(list(controls.values()),
                                layout=widgets.Layout(flex_flow="row wrap"))
    box = widgets.VBox([controls_row, message])
    views: list[widgets.DOMWidget] = []  # one per part of the result, in order

    def view_for(position: int, part) -> widgets.DOMWidget:
        """The view at `position`, made (or replaced) when the part's kind changes."""
        wants_chart = isinstance(part, alt.TopLevelMixin)
        if position < len(views) and isinstance(views[position], alt.JupyterChart) == wants_chart:
            return views[position]
        view = (alt.JupyterChart(part, embed_options=EMBED_OPTIONS) if wants_chart
                else widgets.HTML())
        views[position:position + 1] = [view]
        box.children = (controls_row, message, *views)
        return view

    def show(change=None) -> None:
        result = empty_control_message(controls)
        if result is None:
            try:
                result = function(**{name: control.value for name, control in controls.items()})
            except Exception as error:  # noqa: BLE001 - one line for the student, not a traceback
                result = f"This choice could not be shown ({type(error).__name__}: {error})"
        parts = [] if isinstance(result, str) or result is None else (
            list(result) if isinstance(result, tuple) else [result])
        message.value = f"<p><b>{html.escape(result)}</b></p>" if isinstance(result, str) else ""
        for position, part in enumerate(parts):
            view = view_for(position, part)
            if isinstance(view, alt.JupyterChart):
                view.chart = part
            else:
                view.value = as_html(part)
            view.layout.display = None
        for view in views[len(parts):]:  # hidden, not removed: a later choice reuses it
            view.layout.display = "none"

    for control in controls.values():
        control.observe(show, names="value")
    show()
    return box


def empty_control_message(controls: dict) -> str | None:
    """A sentence naming the first control left empty, or None when every control has a value."""
    for name, control in controls.items():
        label = getattr(control, "description", "") or name.replace("_", " ")
        value = control.value
        if isinstance(value, tuple) and not value:
            return f"Choose at least one item in “{label}” to see a result."
        if value is None or (isinstance(value, str) and not value.strip()):
            return f"“{label}” is empty: type or choose something to see a result."
    return None


def as_html(part) -> str:
    """A table as an HTML table without the index; HTML as itself; anything else as text."""
    if isinstance(part, pd.DataFrame):
        return part.to_html(index=False)
    if hasattr(part, "_repr_html_"):
        return part._repr_html_()
    return f"<p>{html.escape(str(part))}</p>"
