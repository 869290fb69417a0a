"""KFOR and EUFOR Althea in numbers: reported strengths and what-if arithmetic (lesson 04).

Every figure comes from one article at one date. The functions keep them apart (never
averaged) and label them with their source, so a chart or table can always be traced back.

- `strength_over_time` lists the reported sizes of a mission with source labels and dates.
- `baseline_options` lists the reported strengths a scenario can start from.
- `scenario` does the arithmetic of troops leaving and arriving, step by step, and returns a
  table, or a message explaining why the inputs make no sense.
- `scenario_chart` draws the same steps as a bar chart labelled as an assumption.
- `scenario_for_figure` joins the three for a widget: figure id in, (table, chart) out.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from balkan_course.charts import source_lines
from balkan_course.data import date_label

MISSION_NAMES = {"kfor": "KFOR", "eufor_althea": "EUFOR Althea",
                 "us_forces_in_europe": "US forces in Europe"}

# Measures that count soldiers of the whole mission at one time.
SIZE_MEASURES = ("strength", "initial_strength")

# One label per article, the same everywhere in the course: evidence.SHORT_NAMES and the
# article's date window, as `evidence.source_labels` writes its citation (a test checks it).
SOURCE_LABELS = {
    "rel_focus_2025_04": "Portal republishing REL (27 Mar–30 Apr 2025)",
    "kap_rutte_2025_03_10": "Kosova Alfa Press/REL (10 Mar 2025)",
    "reaction_2023": "Reaction commentary (Oct–Dec 2023)",
    "brief_2025_04_02": "Asllani brief (2 Apr 2025)",
    "iria_2023": "IRIA (Sep–Dec 2023)",
}


# How each qualifier of the codebook reads in a sentence ('exact' adds no hedge word).
QUALIFIER_WORDS = {"exact": "", "about": "about", "approximately": "approximately",
                   "roughly": "roughly", "more_than": "more than", "over": "over"}


def describe_figure(value: int, qualifier: str) -> str:
    """A figure as a short phrase with its hedge: 'more than 4,600', 'about 1,000', '600'."""
    words = QUALIFIER_WORDS.get(qualifier, qualifier.replace("_", " "))
    return f"{words} {int(value):,}".strip()


def strength_over_time(
    troop_figures: pd.DataFrame,
    sources: pd.DataFrame,
    mission_id: str | None = None,
    measures: tuple[str, ...] = SIZE_MEASURES,
) -> pd.DataFrame:
    """Reported sizes of the missions, one row per figure and source, oldest first.

    Adds: mission (short name), figure (the number with its hedge, e.g. 'more than 4,600'),
    outlet, source_label, when (the date window in words) and
    date_mid, the middle of the window, to place a figure on a time axis. Figures are never
    combined: two sources for the same month stay two rows.
    """
    rows = troop_figures.loc[troop_figures["measure"].isin(measures)]
    if mission_id is not None:
        rows = rows.loc[rows["mission_id"] == mission_id]
    rows = rows.merge(sources[["source_id", "outlet"]], on="source_id", how="left")
    rows["mission"] = rows["mission_id"].map(MISSION_NAMES).fillna(rows["mission_id"])
    rows["source_label"] = rows["source_id"].map(SOURCE_LABELS).fillna(rows["source_id"])
    rows["figure"] = [describe_figure(v, q) for v, q in
                      zip(rows["value"], rows["qualifier"], strict=True)]
    rows["date_mid"] = rows["as_of_date"] + (rows["as_of_date_end"] - rows["as_of_date"]) / 2
    rows["date_mid"] = rows["date_mid"].dt.normalize()
    rows["when"] = [date_label(s, e, p) for s, e, p in zip(
        rows["as_of_date"], rows["as_of_date_end"], rows["date_precision"], strict=True)]
    columns = ["figure_id", "mission_id", "mission", "measure", "value", "qualifier", "figure",
               "as_of_date", "as_of_date_end", "date_mid", "when", "source_id", "source_label",
               "outlet"]
    return rows[columns].sort_values(["date_mid", "mission_id", "figure_id"], ignore_index=True)


def baseline_options(troop_figures: pd.DataFrame, mission_id: str) -> list[tuple[str, str]]:
    """(label, figure_id) pairs: the reported strengths of one mission a scenario may start from.

    Newest first; the label gives the number with the source's hedge, the source and the date.
    """
    rows = troop_figures.loc[(troop_figures["mission_id"] == mission_id)
                             & (troop_figures["measure"] == "strength")]
    rows = rows.sort_values(["as_of_date_end", "figure_id"], ascending=[False, True])
    return [
        (f"{describe_figure(row.value, row.qualifier)} · "
         f"{SOURCE_LABELS.get(row.source_id, row.source_id)}", row.figure_id)
        for row in rows.itertuples(index=False)
    ]


def _signed(number: float, decimals: int = 0) -> str:
    """A number with its sign and a true minus sign: '+500', '−600', '−13.0'."""
    text = f"{abs(number):,.{decimals}f}"
    return ("−" if number < 0 else "+") + text


def _check_inputs(baseline, leaving, arriving, us_contingent) -> str | None:
    """A message explaining what is wrong with the inputs, or None when they are usable."""
    for name, value in (("baseline", baseline), ("leaving", leaving), ("arriving", arriving)):
        if value is None or pd.isna(value):
            return f"Please give a number for '{name}'."
        if isinstance(value, bool) or int(value) != value:
            return f"'{name}' must be a whole number of soldiers, not {value!r}."
        if value < 0:
            return (f"'{name}' is {int(value):,}: a number of soldiers cannot be negative. "
                    "Use 0 for none.")
    if baseline == 0:
        return "The starting figure is 0: there is nothing to compare a change with."
    if leaving > baseline:
        return (f"{int(leaving):,} soldiers cannot leave a force of {int(baseline):,}: at most "
                f"{int(baseline):,} can leave. Lower the number leaving.")
    if us_contingent is not None and not (0 <= us_contingent <= baseline):
        return (f"A US contingent of {us_contingent:,} does not fit in a force of "
                f"{int(baseline):,}.")
    return None


def scenario(
    baseline: int,
    leaving: int = 0,
    arriving: int = 0,
    us_contingent: int | None = None,
    label: str = "reported strength",
    us_note: str = "",
) -> pd.DataFrame | str:
    """What-if arithmetic, one row per step; a message string if the inputs make no sense.

    The result is an ASSUMPTION worked out from a reported figure, not a prediction.
    Columns: step, arithmetic (the sum written out), value, unit ('troops' or '%').
    Steps: start, after departures, after arrivals, net change, percent change, and, when
    `us_contingent` is given, the US share of the start figure (`us_note` says where the US
    figure comes from).
    """
    problem = _check_inputs(baseline, leaving, arriving, us_contingent)
    if problem:
        return problem
    baseline, leaving, arriving = int(baseline), int(leaving), int(arriving)
    after_leaving = baseline - leaving
    result = after_leaving + arriving
    change = result - baseline
    percent = round(100 * change / baseline, 1)
    steps = [
        (f"Start: {label}", f"{baseline:,}", baseline, "troops"),
        ("After departures (assumption)", f"{baseline:,} − {leaving:,} = {after_leaving:,}",
         after_leaving, "troops"),
        ("After arrivals (assumption)", f"{after_leaving:,} + {arriving:,} = {result:,}",
         result, "troops"),
        ("Net change", f"{result:,} − {baseline:,} = {_signed(change)}", change, "troops"),
        ("Percent change", f"{_signed(change)} ÷ {baseline:,} × 100 = {_signed(percent, 1)} %",
         percent, "%"),
    ]
    if us_contingent is not None:
        share = round(100 * us_contingent / baseline, 1)
        steps.append((f"US share of the start figure{us_note}",
                      f"{us_contingent:,} ÷ {baseline:,} × 100 = {share:.1f} %", share, "%"))
    table = pd.DataFrame(steps, columns=["step", "arithmetic", "value", "unit"])
    return table.astype({"step": "str", "arithmetic": "str", "value": "float64", "unit": "str"})


def scenario_chart(
    baseline: int,
    leaving: int = 0,
    arriving: int = 0,
    mission: str = "KFOR",
    label: str = "reported strength",
    source_ids: tuple[str, ...] = (),
) -> alt.Chart | str:
    """Bars for the three troop levels of a scenario (start, after departures, after arrivals).

    Returns the message string of `scenario` when the inputs make no sense.
    """
    steps = scenario(baseline, leaving, arriving, label=label)
    if isinstance(steps, str):
        return steps
    levels = steps.loc[steps["unit"].eq("troops")].head(3).copy()
    levels["stage"] = ["1 Start (reported)", "2 After departures", "3 After arrivals"]
    levels["kind"] = ["reported figure", "assumption", "assumption"]
    levels["troops"] = levels["value"].astype("int64")
    change = steps.loc[steps["step"] == "Percent change", "value"].iloc[0]
    return (
        alt.Chart(levels[["stage", "kind", "troops", "arithmetic"]])
        .mark_bar()
        .encode(
            x=alt.X("stage:N", title="Step of the scenario"),
            y=alt.Y("troops:Q", title="Troops"),
            color=alt.Color("kind:N", title="Number", sort=["reported figure", "assumption"]),
            tooltip=[alt.Tooltip("stage:N", title="Step"),
                     alt.Tooltip("troops:Q", title="Troops", format=","),
                     alt.Tooltip("arithmetic:N", title="Arithmetic"),
                     alt.Tooltip("kind:N", title="Source of number")],
        )
        .properties(
            title={"text": f"{mission} scenario: an assumption, not a prediction",
                   "subtitle": [f"Start: {label}; {leaving:,} leave, {arriving:,} arrive; "
                                f"change {_signed(change, 1)} %"]
                   + (source_lines(source_ids) if source_ids else [])},
            description=(
                f"Three bars for {mission}'s troops in a what-if scenario: {baseline:,} at the "
                f"start (a reported figure), {int(levels['troops'].iloc[1]):,} after "
                f"{leaving:,} leave and {int(levels['troops'].iloc[2]):,} after {arriving:,} "
                "arrive (both assumptions)."
            ),
            width=360, height=240,
        )
    )


def scenario_for_figure(
    figure_id: str | None,
    leaving: int,
    arriving: int,
    troop_figures: pd.DataFrame,
) -> tuple[pd.DataFrame, alt.Chart] | str:
    """Run a scenario from one reported strength figure (for a widget).

    Looks up the figure's value, wording and source; for KFOR it adds the US share
    (the 600 US soldiers reported on 10 March 2025). Returns (table, chart), or a message.
    """
    if figure_id is None or figure_id == "":
        return "Pick a mission and a reported starting figure."
    row = troop_figures.loc[troop_figures["figure_id"] == figure_id]
    if row.empty:
        return f"There is no troop figure with the id '{figure_id}'."
    row = row.iloc[0]
    if row["measure"] != "strength":
        return (f"'{figure_id}' counts {row['measure']}, not the mission's strength: "
                "pick a strength figure to start from.")
    us = troop_figures.loc[(troop_figures["mission_id"] == row["mission_id"])
                           & (troop_figures["measure"] == "national_contingent")
                           & (troop_figures["contributor_id"] == "united_states"), "value"]
    us_contingent = int(us.iloc[0]) if len(us) else None
    label = f"{describe_figure(row['value'], row['qualifier'])} ({row['source_id']})"
    us_source = troop_figures.loc[us.index, "source_id"].iloc[0] if len(us) else ""
    table = scenario(int(row["value"]), leaving, arriving, us_contingent=us_contingent,
                     label=label, us_note=f" (US figure from {us_source})" if us_source else "")
    if isinstance(table, str):
        return table
    mission = MISSION_NAMES.get(row["mission_id"], row["mission_id"])
    # The chart names the article in words; the table keeps the source_id for tracing.
    chart_label = (f"{describe_figure(row['value'], row['qualifier'])} "
                   f"({SOURCE_LABELS.get(row['source_id'], row['source_id'])})")
    chart = scenario_chart(int(row["value"]), leaving, arriving, mission=mission,
                           label=chart_label, source_ids=(row["source_id"],))
    return table, chart
