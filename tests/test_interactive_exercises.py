"""The two interactive-chart exercises: every reasonable right answer passes, wrong ones fail.

00-interactive-chart asks for a bar chart filtered by radio buttons (solutions/00, exercise 8);
07-legend-selection for a bar chart whose legend highlights a stance through opacity
(solutions/07, exercise 10). Both checks compare `interaction_summary(chart)` against the key
that `make exercises` recorded.
"""

from __future__ import annotations

import altair as alt
import pytest

from balkan_course import load_table
from balkan_course.charts import interaction_summary
from balkan_course.grading import checks

KEYS = checks.load_keys()
RADIO = ["KFOR", "EUFOR Althea"]


def strength():
    figures = load_table("troop_figures")
    names = {"kfor": "KFOR", "eufor_althea": "EUFOR Althea"}
    return figures[figures["measure"] == "strength"].assign(
        mission=lambda table: table["mission_id"].map(names))


def judge(check_id: str, chart) -> tuple[bool, str]:
    return checks.judge(check_id, interaction_summary(chart), KEYS[check_id])


def radio_param_chart(data):
    choice = alt.param(value="KFOR", bind=alt.binding_radio(options=RADIO, name="Mission "))
    return (alt.Chart(data).mark_bar().encode(x="value:Q", y="source_id:N")
            .transform_filter(alt.datum.mission == choice).add_params(choice))


def radio_selection_chart(data):
    pick = alt.selection_point(fields=["mission"], value="EUFOR Althea",
                               bind=alt.binding_radio(options=RADIO))
    return (alt.Chart(data, title="Reported strength").mark_bar()
            .encode(x=alt.X("value:Q", title="Troops"), y="source_id:N", color="mission:N",
                    tooltip=["wording:N"])
            .add_params(pick).transform_filter(pick))


@pytest.mark.parametrize("build", [radio_param_chart, radio_selection_chart])
def test_radio_filter_passes_as_a_parameter_or_a_selection_with_extras(build):
    passed, message = judge("00-interactive-chart", build(strength()))
    assert passed, message


def test_radio_filter_wrong_answers_fail_with_a_hint():
    data = strength()
    bars = alt.Chart(data).mark_bar().encode(x="value:Q", y="source_id:N")
    radio = alt.param(value="KFOR", bind=alt.binding_radio(options=RADIO))
    listed = alt.param(value="KFOR", bind=alt.binding_select(options=RADIO))
    cases = {
        "radio buttons": bars,  # no parameter at all
        "nothing uses them": bars.add_params(radio),
        "not a drop-down": bars.add_params(listed).transform_filter(alt.datum.mission == listed),
        "bar chart": alt.Chart(data).mark_point().encode(x="value:Q", y="source_id:N")
        .add_params(radio).transform_filter(alt.datum.mission == radio),
    }
    for words, chart in cases.items():
        passed, message = judge("00-interactive-chart", chart)
        assert not passed, words
        assert message.startswith("❌ 00-interactive-chart: not yet")
    passed, message = checks.judge("00-interactive-chart", ..., KEYS["00-interactive-chart"])
    assert not passed and "not answered" in message


def legend_chart(data, **extra):
    pick = alt.selection_point(fields=["stance"], bind="legend")
    return alt.Chart(data).mark_bar().encode(
        x="count():Q", y=alt.Y("theme:N", sort="-x"), color="stance:N",
        opacity=alt.condition(pick, alt.value(1), alt.value(0.3)), **extra,
    ).add_params(pick)


def test_legend_selection_passes_with_other_opacities_sorting_and_tooltips():
    claims = load_table("claims")
    for chart in (legend_chart(claims), legend_chart(claims, tooltip=["stance:N", "count():Q"])):
        passed, message = judge("07-legend-selection", chart)
        assert passed, message


def test_legend_selection_wrong_answers_fail():
    claims = load_table("claims")
    bars = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N")
    click = alt.selection_point(fields=["stance"])
    legend = alt.selection_point(fields=["stance"], bind="legend")
    for chart in (
        bars,
        bars.add_params(legend),
        bars.encode(opacity=alt.condition(click, alt.value(1.0), alt.value(0.2)))
        .add_params(click),
        bars.encode(color=alt.condition(legend, "stance:N", alt.value("lightgray")))
        .add_params(legend),
    ):
        passed, message = judge("07-legend-selection", chart)
        assert not passed, message


def test_without_interaction_keeps_the_drawing_and_drops_what_a_click_switches():
    """07-stance-bars judges the bars apart from the highlight (a point per part)."""
    from balkan_course.charts import without_interaction

    claims = load_table("claims")
    pick = alt.selection_point(fields=["stance"], bind="legend")
    highlighted = alt.Chart(claims).mark_bar().encode(
        x="count():Q", y="theme:N",
        color=alt.condition(pick, "stance:N", alt.value("lightgray")),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)
    spec = without_interaction(highlighted).to_dict()
    assert "params" not in spec
    assert set(spec["encoding"]) == {"x", "y", "color"}  # opacity only switched values
    assert spec["encoding"]["color"]["field"] == "stance"  # the switched field is kept
    plain = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N")
    assert without_interaction(highlighted).to_dict()["encoding"] == plain.to_dict()["encoding"]
    assert without_interaction(...) is ...
