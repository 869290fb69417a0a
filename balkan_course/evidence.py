"""Lesson 01 helpers: cite every row, and lay the reported figures side by side.

Every table in data/ carries a `source_id`. The functions here turn it into a short citation
("Kosova Alfa Press/REL (10 Mar 2025)"), show how precisely each article is dated, and collect
every figure reported for one quantity (a mission and a measure, e.g. KFOR's strength) with its
source, date and qualifier, as a table and as a chart. The notebook shows the pandas steps in the
open first; these functions package them so that the widget and the tests can call them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from balkan_course.charts import COLOURBLIND_SAFE, READABLE_LABELS, sourced_title
from balkan_course.data import SHORT_NAMES, date_label, source_labels

# SHORT_NAMES and source_labels live in data.py, below charts.py, which names the articles in
# every chart's subtitle; lesson 01 still imports them from here.

MISSION_NAMES = {
    "kfor": "KFOR",
    "eufor_althea": "EUFOR Althea",
    "us_forces_in_europe": "US forces in Europe",
}

MEASURE_NAMES = {
    "strength": "strength",
    "reserve": "reserve forces",
    "contributing_nations": "contributing nations",
    "reinforcement": "reinforcements",
    "national_contingent": "national contingent",
    "initial_strength": "initial strength",
    "total_in_europe": "total in Europe",
}

UNIT_PLURALS = {"battalion": "battalions"}

# One fixed order, so that a qualifier keeps its shape from one chart to the next.
QUALIFIERS = ["exact", "about", "approximately", "roughly", "more_than", "over", "dozens"]
QUALIFIER_SHAPES = ["circle", "square", "diamond", "triangle-down", "triangle-up",
                    "triangle-right", "cross"]

REPORTED_COLUMNS = [
    "source_id", "citation", "reporting_origin", "value", "unit", "qualifier", "wording",
    "as_of_date", "as_of_date_end", "date_precision", "date_label", "figure_id", "note",
]


def with_citation(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a citation column, joined on source_id (every row must find its article)."""
    labels = source_labels(sources)[["source_id", "citation"]]
    joined = frame.merge(labels, on="source_id", how="left", validate="many_to_one")
    orphans = joined.loc[joined["citation"].isna(), "source_id"].unique().tolist()
    if orphans:
        raise ValueError(f"These source_id values have no row in sources: {orphans}")
    return joined


def source_dates(sources: pd.DataFrame) -> pd.DataFrame:
    """When each article was written, as a window, with how it was dated and how wide it is."""
    dates = sources[
        ["source_id", "text_type", "date", "date_end", "date_precision", "date_basis"]
    ].merge(source_labels(sources), on="source_id", validate="one_to_one")
    dates["window_days"] = (dates["date_end"] - dates["date"]).dt.days + 1
    # A window that ends on 31 December really ends at midnight on 1 January: draw it so.
    dates["draw_end"] = dates["date_end"] + pd.Timedelta(days=1)
    return dates.sort_values(["date", "source_id"]).reset_index(drop=True)


def source_dates_chart(sources: pd.DataFrame) -> alt.LayerChart:
    """Bars from the earliest to the latest possible date of each article, plus a dot per day."""
    dates = source_dates(sources)
    order = dates["citation"].tolist()
    tooltip = [
        alt.Tooltip("citation:N", title="Article"),
        alt.Tooltip("text_type:N", title="Type of text"),
        alt.Tooltip("date_label:N", title="Written"),
        alt.Tooltip("date_basis:N", title="Date is"),
        alt.Tooltip("window_days:Q", title="Window (days)"),
    ]
    base = alt.Chart(dates).encode(
        # No axis title: the article names say what the rows are (and a title beside these
        # long labels overlapped them in the stored picture); the rows run earliest first.
        y=alt.Y("citation:N", sort=order, title=None),
        color=alt.Color(
            "date_basis:N",
            scale=alt.Scale(domain=["printed", "inferred"]),
            title="Date printed or inferred",
        ),
        tooltip=tooltip,
    )
    windows = base.mark_bar(opacity=0.8).encode(
        x=alt.X("date:T", title="When the article was written"),
        x2="draw_end:T",
    )
    days = base.transform_filter(alt.datum.date_precision == "day").mark_point(
        filled=True, size=90, opacity=1
    ).encode(x="date:T")
    return alt.layer(windows, days).properties(
        title=sourced_title("When was each article written, and how sure are we of the date?",
                            dates["source_id"]),
        description=(
            f"Timeline of the {len(dates)} articles: a bar from the earliest to the latest date "
            "each could have been written, coloured by whether the date is printed or inferred, "
            "with a dot where the day is known."
        ),
        width=480,
        height=200,
    )


def quantities(troop_figures: pd.DataFrame) -> pd.DataFrame:
    """Every (mission, measure) the articles give a figure for, with the number of reports."""
    counts = (
        troop_figures.groupby(["mission_id", "measure", "unit"], as_index=False)
        .agg(n_reports=("figure_id", "size"), n_sources=("source_id", "nunique"))
        .sort_values(["n_reports", "mission_id", "measure"], ascending=[False, True, True])
        .reset_index(drop=True)
    )
    mission = counts["mission_id"].map(MISSION_NAMES).fillna(counts["mission_id"])
    measure = counts["measure"].map(MEASURE_NAMES).fillna(counts["measure"])
    plural = counts["n_reports"].map(lambda n: "report" if n == 1 else "reports")
    # Name the unit where one measure is counted in several units (troops vs a battalion).
    several = counts.groupby(["mission_id", "measure"])["unit"].transform("size") > 1
    unit = counts["unit"].where(several, "").map(
        lambda u: f"in {UNIT_PLURALS.get(u, u)}, " if u else ""
    )
    counts["label"] = (
        mission + ": " + measure + " (" + unit + counts["n_reports"].astype(str) + " "
        + plural + ")"
    )
    return counts


def reported_values(
    troop_figures: pd.DataFrame, sources: pd.DataFrame, mission_id: str, measure: str,
    unit: str | None = None,
) -> pd.DataFrame:
    """Every figure reported for one mission and measure, with source, date and qualifier.

    `unit` (troops, nations, battalion) narrows the choice when a measure is counted in more
    than one unit; None keeps every unit. Sorted by the date the figure applies to (then by
    source). Empty if nothing is reported.
    """
    keep = (troop_figures["mission_id"] == mission_id) & (troop_figures["measure"] == measure)
    if unit is not None:
        keep &= troop_figures["unit"] == unit
    chosen = troop_figures.loc[keep]
    cited = with_citation(chosen, sources).merge(
        sources[["source_id", "reporting_origin"]], on="source_id", validate="many_to_one"
    )
    cited["date_label"] = [
        date_label(start, end, precision)
        for start, end, precision in zip(
            cited["as_of_date"], cited["as_of_date_end"], cited["date_precision"], strict=True
        )
    ]
    return (
        cited.sort_values(["as_of_date", "source_id"])[REPORTED_COLUMNS]
        .reset_index(drop=True)
    )


def no_figures_message(troop_figures: pd.DataFrame, mission_id: str, measure: str) -> str:
    """A friendly sentence for a selection that no article gives a figure for."""
    mission = MISSION_NAMES.get(mission_id, mission_id)
    measure_name = MEASURE_NAMES.get(measure, measure)
    offered = quantities(troop_figures)
    here = offered.loc[offered["mission_id"] == mission_id, "measure"].unique().tolist()
    if here:
        options = ", ".join(MEASURE_NAMES.get(m, m) for m in here)
        return (f"No article gives a figure for {mission}'s {measure_name}. "
                f"For {mission} the articles report: {options}.")
    return (f"No article gives any troop figure for {mission!r}. "
            "Pick one of the quantities in the list.")


def article_scale(names) -> alt.Scale:
    """A colour scale in which each article keeps one colour in every chart of the course.

    `names` are short names (values of SHORT_NAMES); only those present get a legend entry,
    in the order of SHORT_NAMES, each with its own Okabe-Ito colour.
    """
    order = list(SHORT_NAMES.values())
    present = [n for n in order if n in set(names)]
    present += sorted(set(names) - set(order))
    colours = [COLOURBLIND_SAFE[order.index(n)] if n in order else COLOURBLIND_SAFE[-1]
               for n in present]
    return alt.Scale(domain=present, range=colours)


def qualifier_scale(qualifiers) -> alt.Scale:
    """A shape scale in which each qualifier keeps one shape in every chart of the course."""
    present = [q for q in QUALIFIERS if q in set(qualifiers)]
    return alt.Scale(domain=present, range=[QUALIFIER_SHAPES[QUALIFIERS.index(q)]
                                            for q in present])


def reported_values_chart(
    troop_figures: pd.DataFrame, sources: pd.DataFrame, mission_id: str, measure: str,
    unit: str | None = None,
) -> alt.LayerChart | str:
    """Every reported value of one quantity against the date it applies to.

    A point per report (colour = article, shape = the article's hedge word), a horizontal line
    over the report's date window when it is wider than a day, and the article's own wording
    next to the point. Returns a message (str) when no article reports that quantity, or when
    the figures count different units (troops and battalions cannot share an axis).
    """
    table = reported_values(troop_figures, sources, mission_id, measure, unit)
    if table.empty:
        return no_figures_message(troop_figures, mission_id, measure)
    units = sorted(table["unit"].unique())
    if len(units) > 1:
        return (f"These figures count different things ({', '.join(units)}), so they cannot "
                "share one axis: pick one unit.")
    # Two reports of the same value would print their words on top of each other:
    # the second one goes below its point.
    repeat = table.groupby("value").cumcount()
    table = table.assign(
        draw_end=table["as_of_date_end"] + pd.Timedelta(days=1),
        middle=(table["as_of_date"] + (table["as_of_date_end"] - table["as_of_date"]) / 2)
        .dt.normalize(),
        value=table["value"].astype("float64"),
        short_name=table["source_id"].map(SHORT_NAMES).fillna(table["citation"]),
        label_below=repeat % 2 == 1,
    )
    mission = MISSION_NAMES.get(mission_id, mission_id)
    measure_name = MEASURE_NAMES.get(measure, measure)
    tooltip = [
        alt.Tooltip("citation:N", title="Article"),
        alt.Tooltip("wording:N", title="Words used"),
        alt.Tooltip("value:Q", title="Value", format=",.0f"),
        alt.Tooltip("qualifier:N", title="Qualifier"),
        alt.Tooltip("date_label:N", title="Applies to"),
        alt.Tooltip("source_id:N", title="source_id"),
    ]
    base = alt.Chart(table).encode(
        y=alt.Y("value:Q", title=f"Reported {measure_name} ({units[0]})",
                scale=alt.Scale(zero=False, padding=25), axis=alt.Axis(format=",.0f")),
        color=alt.Color("short_name:N", scale=article_scale(table["short_name"]),
                        title="Article"),
        tooltip=tooltip,
    )
    windows = base.mark_rule(opacity=0.6).encode(
        # (the theme's date labels show days on a short span, months on a long one)
        x=alt.X("as_of_date:T", title="Date the figure applies to"),
        x2="draw_end:T",
    )
    points = base.mark_point(filled=True, size=140, opacity=1).encode(
        x="middle:T",
        shape=alt.Shape("qualifier:N", scale=qualifier_scale(table["qualifier"]),
                        title="Qualifier", legend=alt.Legend(labelExpr=READABLE_LABELS)),
    )
    above = base.transform_filter(~alt.datum.label_below).mark_text(
        align="left", dx=8, dy=-11, fontSize=11
    ).encode(x="middle:T", text="wording:N")
    below = base.transform_filter(alt.datum.label_below).mark_text(
        align="left", dx=8, dy=13, fontSize=11
    ).encode(x="middle:T", text="wording:N")
    values = ", ".join(table["wording"].drop_duplicates())
    return alt.layer(windows, points, above, below).properties(
        title=sourced_title(f"{mission}: every reported figure for its {measure_name}",
                            table["source_id"]),
        description=(
            f"Dot chart of the {len(table)} reported values of {mission}'s {measure_name} "
            f"against the date each applies to, one colour per article: {values}."
        ),
        width=480,
        height=260,
    )
