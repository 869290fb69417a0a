# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 02 (timeline)."""

from .charts import add_descriptions

TIP = '["title:N", "country:N", "date_start:T", "date_end:T"]'

CORPUS = {
    "02-longest-window": {
        "right": [
            # the lesson's idiom: drop the undated rows, add the span as a column, group
            'dated = events.dropna(subset=["date_start"]).copy()\n'
            'dated["span_days"] = (dated["date_end"] - dated["date_start"]).dt.days + 1\n'
            'spans = dated.groupby("date_precision")["span_days"].max()',
            'dated = events.dropna(subset=["date_start"])\n'
            'span_days = (dated["date_end"] - dated["date_start"]).dt.days + 1\n'
            'spans = span_days.groupby(dated["date_precision"]).max()',
            'dated = events.dropna(subset=["date_start"]).assign(days=lambda t: (t["date_end"] '
            '- t["date_start"]).dt.days + 1)\nspans = dated.groupby("date_precision")["days"]'
            '.max().sort_values(ascending=False)',
            'd = events[events["date_start"].notna()].copy()\nd["len"] = (d["date_end"] - '
            'd["date_start"]).dt.days + 1\nspans = d.groupby("date_precision")["len"].max()'
            '.to_dict()',
            'd = events.dropna(subset=["date_start"])\nspans = d.assign(n=(d["date_end"] - '
            'd["date_start"]).dt.days + 1).pivot_table(index="date_precision", values="n", '
            'aggfunc="max")["n"]',
        ],
        "wrong": [
            'dated = events.dropna(subset=["date_start"])\nspans = (dated["date_end"] - '
            'dated["date_start"]).dt.days.groupby(dated["date_precision"]).max()',
            'dated = events.dropna(subset=["date_start"])\nspans = ((dated["date_end"] - '
            'dated["date_start"]).dt.days + 1).groupby(dated["date_precision"]).min()',
            'dated = events.dropna(subset=["date_start"])\nspans = ((dated["date_end"] - '
            'dated["date_start"]).dt.days + 1).groupby(dated["theme"]).max()',
            'import pandas as pd\ndated = events.dropna(subset=["date_start"])\nspans = '
            '(dated["date_end"] - dated["date_start"] + pd.Timedelta(days=1)).groupby(dated["date_precision"]).max()',
            'dated = events.dropna(subset=["date_start"])\nspans = ((dated["date_end"] - '
            'dated["date_start"]).dt.days + 1).groupby(dated["date_precision"]).mean()',
        ],
    },
    "02-overlap-1999": {
        "right": [
            'start_year = events["date_start"].dt.year\nend_year = events["date_end"].dt.year\n'
            'touching = sorted(events.loc[(start_year <= 1999) & (end_year >= 1999), '
            '"event_id"])',
            'touching = sorted(events.query("date_start <= \'1999-12-31\' and date_end >= '
            '\'1999-01-01\'")["event_id"])',
            'touching = events.loc[(events["date_start"].dt.year <= 1999) & '
            '(events["date_end"].dt.year >= 1999), "event_id"].sort_values().tolist()',
            'hit = (events["date_start"] < "2000-01-01") & (events["date_end"] >= '
            '"1999-01-01")\ntouching = events.loc[hit, "event_id"].sort_values().to_numpy()',
        ],
        "wrong": [
            # a rule that matches today's data by coincidence
            'touching = sorted(events.loc[events["date_end"].dt.year == 1999, "event_id"])',
            'touching = sorted(events.loc[events["date_start"].dt.year == 1999, "event_id"])',
            'touching = sorted(events.loc[events["date_end"].dt.year >= 1999, "event_id"])',
            'touching = events.loc[(events["date_start"].dt.year <= 1999) & '
            '(events["date_end"].dt.year >= 1999), "event_id"].tolist()[::-1]',
            'touching = sorted(events.loc[(events["date_start"].dt.year < 1999) & '
            '(events["date_end"].dt.year > 1999), "event_id"])',
            'touching = sorted(events.loc[events["date_start"].dt.year <= 1999, "event_id"])',
            # caught by hidden test rows since the data alone hid it: no event of the table
            # ends in 1998, so a boundary one year too early changes nothing
            'touching = sorted(events.loc[(events["date_start"].dt.year <= 1999) & '
            '(events["date_end"].dt.year >= 1998), "event_id"])',
        ],
    },
    "02-most-reported": {
        "right": [
            'tally = event_sources.groupby("event_id")["source_id"].nunique().reset_index('
            'name="n_sources")\nbusiest = tally[tally["n_sources"] >= 3]'
            '.sort_values(["n_sources", "event_id"], ascending=[False, True])',
            'n = event_sources.groupby("event_id").size().rename("n_sources").reset_index()\n'
            'busiest = n.query("n_sources >= 3").sort_values(["n_sources", "event_id"], '
            'ascending=[False, True], ignore_index=True)',
            'c = event_sources["event_id"].value_counts()\nbusiest = c[c >= 3]'
            '.rename_axis("event_id").reset_index(name="n_sources").sort_values(["n_sources", '
            '"event_id"], ascending=[False, True])',
            'tally = event_sources.groupby("event_id", as_index=False).agg(n_sources=('
            '"source_id", "nunique"))\nbusiest = tally[tally["n_sources"] > 2]'
            '.sort_values(["n_sources", "event_id"], ascending=[False, True])',
        ],
        "wrong": [
            # a rule that matches today's data by coincidence (as many rows as today's answer)
            'tally = event_sources.groupby("event_id")["source_id"].nunique().reset_index(name="n_sources")\nbusiest = tally.sort_values(["n_sources", "event_id"], ascending=[False, True]).head(6)',
            'c = event_sources.groupby("event_id")["source_id"].nunique().reset_index('
            'name="n_sources")\nbusiest = c[c["n_sources"] > 3].sort_values(["n_sources", '
            '"event_id"], ascending=[False, True])',
            'c = event_sources.groupby("event_id")["source_id"].nunique().reset_index('
            'name="n_sources")\nbusiest = c[c["n_sources"] >= 3].sort_values(["n_sources", '
            '"event_id"])',
            'c = event_sources.groupby("event_id")["source_id"].nunique().reset_index('
            'name="n_sources")\nbusiest = c.sort_values(["n_sources", "event_id"], '
            'ascending=[False, True])',
            'c = event_sources.groupby("event_id")["source_id"].nunique().reset_index('
            'name="n_sources")\nbusiest = c[c["n_sources"] >= 2].sort_values(["n_sources", "event_id"], '
            'ascending=[False, True])',
            'c = event_sources.groupby("event_id")["source_id"].nunique()\n'
            'busiest = c[c >= 3].sort_values(ascending=False)',
        ],
    },
    "02-undated-by-country": {
        "right": [
            'undated_counts = events.loc[events["date_start"].isna(), "country"]'
            '.value_counts()',
            'undated_counts = events[events["date_start"].isna()].groupby("country").size()',
            'undated_counts = events[events["date_start"].isnull()]["country"]'
            '.value_counts().to_dict()',
            'undated_counts = events.query("date_start.isna()", engine="python")'
            '.groupby("country")["event_id"].count().sort_index()',
        ],
        "wrong": [
            'undated_counts = events.loc[events["date_start"].notna(), "country"]'
            '.value_counts()',
            'undated_counts = events.loc[events["date_start"].isna(), "theme"].value_counts()',
            'undated_counts = events["country"].value_counts()',
            'undated_counts = events.loc[events["date_precision"] == "year", "country"]'
            '.value_counts()',
        ],
    },
    "02-recent-per-year": {
        "right": [
            # the lesson's idiom: two conditions joined with &
            'start_year = events["date_start"].dt.year\nin_range = (start_year >= 2021) & '
            '(start_year <= 2025)\nper_year = start_year[in_range].value_counts().sort_index()',
            'start_year = events["date_start"].dt.year\nper_year = start_year['
            'start_year.between(2021, 2025)].value_counts().sort_index()',
            'y = events["date_start"].dt.year\nper_year = events[y.between(2021, 2025)]'
            '.groupby(y).size()',
            'y = events["date_start"].dt.year\nper_year = y[(y >= 2021) & (y <= 2025)]'
            '.value_counts().sort_index().to_dict()',
            'per_year = events.assign(year=events["date_start"].dt.year).query('
            '"2021 <= year <= 2025").groupby("year")["event_id"].count()',
        ],
        "wrong": [
            'e = events["date_end"].dt.year\nper_year = e[e.between(2021, 2025)]'
            '.value_counts().sort_index()',
            'per_year = events["date_start"].dt.year.value_counts().sort_index()',
            'y = events["date_start"].dt.year\nper_year = y[y.between(2021, 2025)]'
            '.value_counts()',
            'y = events["date_start"].dt.year\nper_year = y[(y > 2021) & (y < 2025)]'
            '.value_counts().sort_index()',
            'y = events["date_start"].dt.year\nper_year = y[y.between(2021, 2025)]'
            '.value_counts().sort_index(ascending=False)',
        ],
    },
    "02-month-bars": {
        "right": [
            'chart = alt.Chart(months).mark_bar().encode(x=alt.X("date_start:T", title="Date"), '
            f'x2="date_end:T", y=alt.Y("title:N", title=None), tooltip={TIP}).properties('
            'title="When did the month-precise events happen?")',
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:T", x2="date_end:T", '
            'y=alt.Y("title:N", sort="x"), color="country:N", tooltip=["title", "date_start", '
            '"date_end", "country"]).properties(title="When did each month-precise event take '
            'place?")',
            'chart = alt.Chart(months).mark_bar(height=8).encode(x=alt.X("date_start:T"), '
            'x2=alt.X2("date_end:T"), y="title:N", tooltip=[alt.Tooltip("title:N"), '
            'alt.Tooltip("date_start:T", format="%B %Y"), alt.Tooltip("date_end:T"), '
            'alt.Tooltip("country:N", title="Country")])'
            '.properties(title="Events known only to the month: when did they happen?", '
            'width=500)',
            'chart = alt.Chart(months[["title", "country", "date_start", "date_end"]]).mark_bar().encode('
            f'x="date_start:T", x2="date_end:T", y="title:N", tooltip={TIP}).properties('
            'title=alt.TitleParams("In which months did these events happen?"))',
        ],
        "wrong": [
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:T", y="title:N", '
            f'tooltip={TIP}).properties(title="When did the events happen?")',
            'chart = alt.Chart(months).mark_point().encode(x="date_start:T", x2="date_end:T", '
            f'y="title:N", tooltip={TIP}).properties(title="When did the events happen?")',
            'chart = alt.Chart(events).mark_bar().encode(x="date_start:T", x2="date_end:T", '
            f'y="title:N", tooltip={TIP}).properties(title="When did the events happen?")',
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:T", x2="date_end:T", '
            f'y="title:N", tooltip={TIP}).properties(title="Events")',
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:N", x2="date_end:T", '
            f'y="title:N", tooltip={TIP}).properties(title="When did the events happen?")',
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:T", x2="date_end:T", '
            'y="title:N", tooltip=["title:N"]).properties(title="When did the events happen?")',
            # the tooltip lacks the field the question adds (country in the default version)
            'chart = alt.Chart(months).mark_bar().encode(x="date_start:T", x2="date_end:T", '
            'y="title:N", tooltip=["title:N", "date_start:T", "date_end:T"]).properties('
            'title="When did the events happen?")',
        ],
    },
    "02-slider-years": {
        # typed in after using the slider, or computed with the lesson's overlap test
        "right": [
            "years_with_events = [2004, 2008]",
            "years_with_events = [2008, 2004]",
            "years_with_events = (2004, 2008)",
            'start_year, end_year = events["date_start"].dt.year, events["date_end"].dt.year\n'
            "years_with_events = [y for y in range(2000, 2021) if ((start_year <= y) & "
            "(end_year >= y)).sum() > 0]",
        ],
        "wrong": [
            "years_with_events = [2004]",
            "years_with_events = [2008]",
            "years_with_events = [2004, 2008, 2021]",
            "years_with_events = list(range(2000, 2021))",
            "years_with_events = []",
            "years_with_events = [1999, 2004, 2008]",
            "years_with_events = 2",
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "02-month-bars": ("chart", "One bar per month-precise event, across the month it happened in."),
})
