"""The two interactive-chart exercises: every reasonable right answer passes, wrong ones fail.

00-interactive-chart asks for a bar chart filtered by radio buttons (solutions/00, exercise 8);
07-legend-selection for a bar chart whose legend highlights a stance through opacity
(solutions/07, exercise 10). Both checks judge the chart by what it does (check(...,
interaction="filter"|"legend"), canonical._interaction_canon): for each radio option the bars
left after the filter, for each legend item the rows it highlights, against the key that
`make exercises` recorded. 07-legend-selection judges the highlight only, not the mark or axes:
the bars are 07-stance-bars' point.
"""

from __future__ import annotations

import altair as alt
import pytest

from balkan_course import load_table
from balkan_course.charts import without_interaction
from balkan_course.evidence import MISSION_NAMES, source_labels
from balkan_course.grading import checks

KEYS = checks.load_keys()
RADIO = ["KFOR", "EUFOR Althea"]


def strength():
    """The table solutions/00 makes for exercise 8: missions and articles by name."""
    figures = load_table("troop_figures")
    labels = source_labels(load_table("sources")).set_index("source_id")["citation"]
    return figures[figures["measure"] == "strength"].assign(
        mission=lambda table: table["mission_id"].map(MISSION_NAMES),
        article=lambda table: table["source_id"].map(labels))


def judge(check_id: str, chart) -> tuple[bool, str]:
    return checks.judge(check_id, chart, KEYS[check_id])


def radio_param_chart(data):
    choice = alt.param(value="KFOR", bind=alt.binding_radio(options=RADIO, name="Mission "))
    return (alt.Chart(data).mark_bar().encode(x="value:Q", y="article:N")
            .transform_filter(alt.datum.mission == choice).add_params(choice))


def radio_selection_chart(data):
    pick = alt.selection_point(fields=["mission"], value="EUFOR Althea",
                               bind=alt.binding_radio(options=RADIO))
    return (alt.Chart(data, title="Reported strength").mark_bar()
            .encode(x=alt.X("value:Q", title="Troops"), y="article:N", color="mission:N",
                    tooltip=["wording:N"])
            .add_params(pick).transform_filter(pick))


@pytest.mark.parametrize("build", [radio_param_chart, radio_selection_chart])
def test_radio_filter_passes_as_a_parameter_or_a_selection_with_extras(build):
    passed, message = judge("00-interactive-chart", build(strength()))
    assert passed, message


def test_radio_filter_wrong_answers_fail_with_a_hint():
    data = strength()
    bars = alt.Chart(data).mark_bar().encode(x="value:Q", y="article:N")
    radio = alt.param(value="KFOR", bind=alt.binding_radio(options=RADIO))
    listed = alt.param(value="KFOR", bind=alt.binding_select(options=RADIO))
    cases = {
        "radio buttons": bars,  # no parameter at all
        "nothing uses them": bars.add_params(radio),
        "not a drop-down": bars.add_params(listed).transform_filter(alt.datum.mission == listed),
        "bar chart": alt.Chart(data).mark_point().encode(x="value:Q", y="article:N")
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


def test_radio_filter_is_judged_by_the_bars_each_button_leaves():
    data = strength()
    radio = alt.param(value="KFOR", bind=alt.binding_radio(options=RADIO))
    by_id = alt.param(value="kfor", bind=alt.binding_radio(options=["kfor", "eufor_althea"]))
    bars = alt.Chart(data).mark_bar()
    empty = (bars.encode(x="value:Q", y="article:N")
             .transform_filter(alt.datum.mission_id == radio).add_params(radio))
    passed, message = judge("00-interactive-chart", empty)
    assert not passed and "empty whichever option" in message
    swapped = (bars.encode(y="value:Q", x="article:N")
               .transform_filter(alt.datum.mission == radio).add_params(radio))
    assert not judge("00-interactive-chart", swapped)[0]
    # options that are ids, compared with the id column: the same bars for each button, but
    # the buttons offer other values than the question's
    ids = (bars.encode(x="value:Q", y="article:N")
           .transform_filter(alt.datum.mission_id == by_id).add_params(by_id))
    assert not judge("00-interactive-chart", ids)[0]
    as_text = (bars.encode(x="value:Q", y="article:N").add_params(radio)
               .transform_filter(f"{radio.name} === datum.mission"))
    assert judge("00-interactive-chart", as_text)[0]


def test_a_wrong_mark_costs_the_bars_point_only_and_a_missing_highlight_the_other():
    """The two parts of 07's chart each judge their own part: 1 of 2 points either way."""
    claims = load_table("claims")
    pick = alt.selection_point(fields=["stance"], bind="legend")
    fade = alt.condition(pick, alt.value(1.0), alt.value(0.2))
    described = {"description": "Bars of the claims per theme, coloured by stance."}
    points = alt.Chart(claims).mark_point().encode(
        x="count():Q", y="theme:N", color="stance:N", opacity=fade).add_params(pick).properties(
        **described)
    plain = alt.Chart(claims).mark_bar().encode(
        x="count():Q", y="theme:N", color="stance:N").properties(**described)

    def score(chart):
        return sum(checks.judge(check_id, answer, KEYS[check_id])[0] for check_id, answer in (
            ("07-stance-bars", without_interaction(chart)), ("07-legend-selection", chart)))

    assert score(points) == 1 and score(plain) == 1
    assert score(plain.encode(opacity=fade).add_params(pick)) == 2
    no_legend = alt.Chart(claims).mark_bar().encode(
        x="count():Q", y="theme:N", opacity=fade).add_params(pick)
    passed, message = judge("07-legend-selection", no_legend)
    assert not passed and "legend to click" in message
