"""Lesson 02 helpers: filter the events and draw them with their honest time precision.

An event known only to the month is drawn as a bar over that whole month, an event known to the
year as a bar over the whole year, and only a day-precise event as a point (the convention of
conflict data sets such as ACLED and UCDP: record the window you know, not a made-up day).
Events with an unknown date have only a latest possible date; they are listed, never drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from balkan_course.charts import COLOURBLIND_SAFE, source_lines
from balkan_course.data import date_label
from balkan_course.evidence import SHORT_NAMES

# Precision levels that can be drawn, in a fixed order so each keeps its colour.
DRAWN_PRECISIONS = ["day", "month", "year", "range"]
PRECISION_COLOURS = [COLOURBLIND_SAFE[5], COLOURBLIND_SAFE[0], COLOURBLIND_SAFE[1],
                     COLOURBLIND_SAFE[2]]

# The six themes with most events keep their own colour; the others share "other themes".
MAIN_THEMES = ["history", "peacekeeping", "northern_kosovo", "republika_srpska",
               "nato_commitment", "ukraine_shift"]
OTHER_THEMES = "other themes"
# The themes as a reader names them, for legends and tooltips (proper nouns keep capitals).
THEME_NAMES = {"history": "History", "peacekeeping": "Peacekeeping",
               "northern_kosovo": "Northern Kosovo", "republika_srpska": "Republika Srpska",
               "nato_commitment": "NATO commitment", "ukraine_shift": "Ukraine shift",
               OTHER_THEMES: "Other themes"}
# Six Okabe-Ito colours for the main themes, a neutral grey for the rest.
THEME_COLOURS = COLOURBLIND_SAFE[:6] + ["#999999"]


def reported_by(event_sources: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per event: how many articles report it and which (short names, oldest first)."""
    cited = event_sources[["event_id", "source_id"]].merge(
        sources[["source_id", "date"]], on="source_id", how="left", validate="many_to_one"
    )
    cited["short_name"] = cited["source_id"].map(SHORT_NAMES).fillna(cited["source_id"])
    cited = cited.sort_values(["event_id", "date", "source_id"])
    return (
        cited.groupby("event_id", as_index=False)
        .agg(n_sources=("source_id", "nunique"),
             reported_by=("short_name", "; ".join),
             source_ids=("source_id", ", ".join))
    )


def prepare_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events with the columns a timeline needs.

    - `date_label`: the date window in words ('Sep 2023', '1998–1999', 'by 2 Apr 2025');
    - `span_days`: how many days the window covers (empty when the start is unknown);
    - `draw_end`: the day after `date_end`, so that a bar covers the whole last day;
    - `theme_group`: the theme, or "other themes" for the small ones.
    """
    out = events.copy()
    out["date_label"] = [
        date_label(start, end, precision)
        for start, end, precision in zip(
            out["date_start"], out["date_end"], out["date_precision"], strict=True
        )
    ]
    out["span_days"] = ((out["date_end"] - out["date_start"]).dt.days + 1).astype("Int64")
    out["draw_end"] = out["date_end"] + pd.Timedelta(days=1)
    out["theme_group"] = out["theme"].where(out["theme"].isin(MAIN_THEMES), OTHER_THEMES)
    return out


def filter_events(
    events: pd.DataFrame,
    countries: Sequence[str] | None = None,
    themes: Sequence[str] | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The events of the chosen countries and themes that touch the chosen years.

    `None` means "no filter"; an empty list keeps nothing. `years` is (first, last), both
    included: an event is kept if its window overlaps those years, so the 1998-1999 war is
    kept for (1999, 2025). An event with an unknown start is kept when its latest possible
    date falls in the years. The result is sorted by start date (unknown starts last).
    """
    keep = pd.Series(True, index=events.index)
    if countries is not None:
        keep &= events["country"].isin(list(countries))
    if themes is not None:
        keep &= events["theme"].isin(list(themes))
    if years is not None:
        first, last = years
        start_year = events["date_start"].dt.year
        end_year = events["date_end"].dt.year
        dated = start_year.notna()
        overlaps = dated & (start_year <= last) & (end_year >= first)
        undated_in = ~dated & end_year.between(first, last)
        keep &= overlaps | undated_in
    return (
        events.loc[keep]
        .sort_values(["date_start", "date_end", "event_id"], na_position="last")
        .reset_index(drop=True)
    )


def cited_sources(events: pd.DataFrame) -> list[str]:
    """The source_ids behind the events (from the `source_ids` column `reported_by` adds)."""
    if "source_ids" not in events:
        return []
    return [s for ids in events["source_ids"].dropna() for s in ids.split(", ")]


def timeline_chart(events: pd.DataFrame, title: str = "Timeline of the events") -> alt.LayerChart:
    """Each dated event on its own row: a bar over its window, a point if known to the day.

    Colour shows the date precision. Events with an unknown start are left out (list them
    next to the chart). Tooltips give the window in words, place, theme and the reporting
    articles when the table has a `reported_by` column.
    """
    table = prepare_events(events)
    table = table.loc[table["date_start"].notna()].sort_values(
        ["date_start", "date_end", "event_id"]
    )
    if "reported_by" not in table:
        table = table.assign(reported_by="")
    source_ids = cited_sources(table)
    columns = ["event_id", "title", "country", "theme", "date_precision", "date_label",
               "date_start", "draw_end", "reported_by"]
    table = table[columns]
    order = table["title"].tolist()
    tooltip = [
        alt.Tooltip("title:N", title="Event"),
        alt.Tooltip("date_label:N", title="When"),
        alt.Tooltip("date_precision:N", title="Precision"),
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("theme:N", title="Theme"),
        alt.Tooltip("reported_by:N", title="Reported by"),
    ]
    # The event names are the axis title; the subtitle says how the rows are ordered.
    y = alt.Y("title:N", sort=order, title=None)  # long names: the theme gives 360 px
    colour = alt.Color(
        "date_precision:N",
        scale=alt.Scale(domain=DRAWN_PRECISIONS, range=PRECISION_COLOURS),
        title="Date known to the",  # (the theme puts legends under the chart)
    )
    layers = []
    windows = table.loc[table["date_precision"] != "day"]
    days = table.loc[table["date_precision"] == "day"]
    x_axis = alt.X("date_start:T", title="Date")
    if not windows.empty:
        layers.append(
            alt.Chart(windows).mark_bar().encode(
                x=x_axis, x2="draw_end:T", y=y, color=colour, tooltip=tooltip
            )
        )
    if not days.empty:
        layers.append(
            alt.Chart(days).mark_point(filled=True, size=70, opacity=1, shape="diamond").encode(
                x=x_axis, y=y, color=colour, tooltip=tooltip
            )
        )
    subtitle = ["One row per event, earliest at the top; a bar spans every day the date allows."]
    if source_ids:
        subtitle.extend(source_lines(source_ids))
    first, last = table["date_label"].iloc[0], table["date_label"].iloc[-1]
    return alt.layer(*layers).properties(
        title=alt.TitleParams(text=title, subtitle=subtitle),
        description=(
            f"Timeline of {len(table)} dated events from {first} to {last}, one row per event; "
            "a bar covers the whole month or year when only that is known, a diamond marks an "
            "event known to the day. Colour shows how precisely the date is known."
        ),
        width=400,
        height=max(60, 17 * len(order)),
    )


def undated_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events with no known start, with their latest possible date in words."""
    table = prepare_events(events)
    undated = table.loc[table["date_start"].isna()]
    return undated[["event_id", "title", "country", "theme", "date_label"]].reset_index(drop=True)


def timeline_view(
    events: pd.DataFrame,
    countries: Sequence[str] | None = None,
    themes: Sequence[str] | None = None,
    years: tuple[int, int] | None = None,
) -> alt.LayerChart | str:
    """The widget's work: filter, then a timeline chart, or a sentence saying why there is none."""
    if countries is not None and len(countries) == 0:
        return "Pick at least one country (hold Ctrl or Cmd to pick several)."
    if themes is not None and len(themes) == 0:
        return "Pick at least one theme (hold Ctrl or Cmd to pick several)."
    if years is not None and years[0] > years[1]:
        return f"The first year ({years[0]}) comes after the last year ({years[1]})."
    chosen = filter_events(events, countries, themes, years)
    period = "" if years is None else f" between {years[0]} and {years[1]}"
    if chosen.empty:
        return (f"No event in the data matches this choice{period}. "
                "Try more countries, more themes or a longer period.")
    dated = chosen.loc[chosen["date_start"].notna()]
    if dated.empty:
        titles = "; ".join(chosen["title"])
        return (f"{len(chosen)} event(s) match, but none has a known date, so none can be "
                f"drawn: {titles}.")
    span = "" if years is None else f", {years[0]}–{years[1]}"
    return timeline_chart(dated, title=f"Timeline: {len(dated)} dated event(s){span}")


def events_per_year(events: pd.DataFrame) -> pd.DataFrame:
    """Dated events counted by the year they started and by theme group."""
    table = prepare_events(events)
    table = table.loc[table["date_start"].notna()]
    return (
        table.assign(year=table["date_start"].dt.year.astype(int))
        .groupby(["year", "theme_group"], as_index=False)
        .agg(n_events=("event_id", "size"))
        .sort_values(["year", "theme_group"])
        .reset_index(drop=True)
    )


def events_per_year_chart(events: pd.DataFrame, first: int = 1990, last: int = 2025) -> alt.Chart:
    """Stacked bars of events per start year, coloured by theme group, every year on the axis."""
    counts = events_per_year(events)
    counts = counts.loc[counts["year"].between(first, last)]
    # Theme names as a reader writes them, in the legend and the tooltip alike.
    counts = counts.assign(theme_group=counts["theme_group"].map(THEME_NAMES))
    source_ids = cited_sources(events)
    busiest = counts.groupby("year")["n_events"].sum().sort_values(ascending=False)
    themes = [THEME_NAMES[theme] for theme in MAIN_THEMES + [OTHER_THEMES]]
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year the event started",
                    scale=alt.Scale(domain=list(range(first, last + 1)))),
            y=alt.Y("sum(n_events):Q", title="Number of events"),
            color=alt.Color("theme_group:N",
                            scale=alt.Scale(domain=themes, range=THEME_COLOURS),
                            title="Theme"),
            order=alt.Order("theme_group:N"),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("theme_group:N", title="Theme"),
                alt.Tooltip("n_events:Q", title="Events"),
            ],
        )
        .properties(
            title=alt.Title(
                "In which years do the articles' events fall?",
                subtitle=source_lines(source_ids) if source_ids else "",
            ),
            description=(
                f"Bar chart of the number of dated events per year from {first} to {last}, "
                f"stacked by theme; {int(counts['n_events'].sum())} events in all, most in "
                f"{busiest.index[0]} ({int(busiest.iloc[0])} events)."
            ),
            width=480, height=240,
        )
    )
