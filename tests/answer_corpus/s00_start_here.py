# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 00 (start here): the lesson's idioms first, then other routes."""

from .charts import add_descriptions

COLUMNS = '["mission_id", "measure", "value", "qualifier", "source_id"]'

R = 'options=["KFOR", "EUFOR Althea"]'

CORPUS = {
    "00-columns": {
        "right": [
            f"figures = troop_figures[{COLUMNS}]",
            f"figures = troop_figures.loc[:, {COLUMNS}]",
            f"figures = troop_figures.filter(items={COLUMNS})",
            f"figures = troop_figures[{COLUMNS}].copy()",
            f"figures = troop_figures.reindex(columns={COLUMNS})",
        ],
        "wrong": [
            'figures = troop_figures[["mission_id", "measure", "value", "source_id"]]',
            'figures = troop_figures[["source_id", "mission_id", "measure", "value", '
            '"qualifier"]]',
            'figures = troop_figures["value"]',
            "figures = troop_figures",
            f"figures = troop_figures[{COLUMNS}].head()",
        ],
    },
    "00-kfor-strength": {
        "right": [
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["measure"] == "strength")]',
            'mission_figures = troop_figures.query("mission_id == \'kfor\' and measure == '
            '\'strength\'")',
            'mission_figures = troop_figures.loc[troop_figures["mission_id"].eq("kfor") & '
            'troop_figures["measure"].eq("strength")]',
            'kfor = troop_figures[troop_figures["mission_id"] == "kfor"]\n'
            'mission_figures = kfor[kfor["measure"] == "strength"]',
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["measure"] == "strength")].reset_index(drop=True)',
        ],
        "wrong": [
            'mission_figures = troop_figures[troop_figures["mission_id"] == "kfor"]',
            'mission_figures = troop_figures[troop_figures["measure"] == "strength"]',
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") | '
            '(troop_figures["measure"] == "strength")]',
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["measure"] == "strength")][["mission_id", "value"]]',
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["unit"] == "troops")]',
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["value"].between(4000, 6000))]',
            # caught by hidden test rows since the data alone hid it: on this table only
            # KFOR's strength figures are hedged, a filter on the qualifier gives the same rows
            'mission_figures = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["qualifier"] != "exact")]',
        ],
    },
    "00-since-2023": {
        "right": [
            'since_year = int((events["date_start"].dt.year >= 2023).sum())',
            'since_year = (events["date_start"].dt.year >= 2023).sum()',
            'since_year = len(events[events["date_start"].dt.year >= 2023])',
            'since_year = int((events["date_start"] >= "2023-01-01").sum())',
            'since_year = events.loc[events["date_start"].dt.year > 2022].shape[0]',
            'since_year = len(events[(events["date_start"].dt.year >= 2023)])',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'since_year = 22',
            'since_year = int((events["date_start"].dt.year > 2023).sum())',
            "since_year = len(events)",
            'since_year = int((events["date_start"].dt.year == 2023).sum())',
            'since_year = int((events["date_end"].dt.year >= 2023).sum())',
            'since_year = int((events["date_start"].dt.year < 2023).sum())',
            # the filtered table, or the mask itself, instead of the number
            'since_year = events[events["date_start"].dt.year >= 2023]',
            'since_year = events["date_start"].dt.year >= 2023',
        ],
    },
    "00-per-theme": {
        "right": [
            'per_value = events["theme"].value_counts()',
            'per_value = events.groupby("theme").size()',
            'per_value = events["theme"].value_counts().sort_index()',
            'per_value = events["theme"].value_counts().to_dict()',
            'per_value = events.groupby("theme")["event_id"].count()',
            'per_value = events["theme"].value_counts(ascending=True)',
        ],
        "wrong": [
            'per_value = events["country"].value_counts()',
            'per_value = events.dropna(subset=["date_start"])["theme"].value_counts()',
            'per_value = events["theme"].value_counts(normalize=True)',
            'per_value = events["theme"].nunique()',
            'per_value = list(events["theme"].value_counts())',
        ],
    },
    "00-largest": {
        "right": [
            'in_troops = troop_figures[troop_figures["unit"] == "troops"]\n'
            'largest = in_troops.sort_values("value", ascending=False)[["mission_id", "measure", '
            '"value"]]',
            'largest = troop_figures.loc[troop_figures["unit"] == "troops", ["mission_id", '
            '"measure", "value"]].sort_values("value", ascending=False)',
            'largest = troop_figures.query("unit == \'troops\'")[["mission_id", "measure", '
            '"value"]].sort_values(by="value", ascending=False).reset_index(drop=True)',
            'largest = troop_figures[troop_figures["unit"] == "troops"].sort_values("value", '
            'ascending=False, kind="stable")[["mission_id", "measure", "value"]]',
        ],
        "wrong": [
            # keeps every row only while the table has fewer than 20 in troops (hidden test
            # data has more)
            'largest = troop_figures[troop_figures["unit"] == "troops"].nlargest(20, "value")'
            '[["mission_id", "measure", "value"]]',
            'largest = troop_figures[troop_figures["unit"] == "troops"].sort_values("value")'
            '[["mission_id", "measure", "value"]]',
            'largest = troop_figures.sort_values("value", ascending=False)[["mission_id", '
            '"measure", "value"]]',
            'largest = troop_figures[troop_figures["unit"] == "troops"][["mission_id", '
            '"measure", "value"]]',
            'largest = troop_figures[troop_figures["unit"] == "troops"].sort_values("value", '
            'ascending=False)[["mission_id", "value"]]',
            'largest = troop_figures[troop_figures["unit"] == "troops"].sort_values('
            '"mission_id")[["mission_id", "measure", "value"]]',
            'largest = troop_figures[troop_figures["value"] > 100].sort_values("value", '
            'ascending=False)[["mission_id", "measure", "value"]]',
        ],
    },
    "00-chart": {
        "right": [
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x"), tooltip=["country:N", "count():Q"]).properties(title="Events per '
            'country")',
            'chart = alt.Chart(events).mark_bar().encode(x=alt.X("count()", title="Events"), '
            'y=alt.Y("country", sort="-x", title=None), tooltip=["country", "count()"])'
            '.properties(title="Where did the events happen?")',
            'chart = alt.Chart(events).mark_bar(color="teal").encode(x="count():Q", '
            'y=alt.Y("country:N", sort=alt.EncodingSortField(op="count", order="descending")), '
            'tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("count():Q", '
            'title="Events")]).properties(title="Events by country", width=400)',
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x"), color="country:N", tooltip=["country:N", "count():Q", "theme:N"])'
            '.properties(title="Events per country in the five articles")',
            'chart = alt.Chart(events[["event_id", "country"]]).mark_bar().encode('
            'x="count():Q", y=alt.Y("country:N", sort="-x"), tooltip=["country:N", '
            '"count():Q"]).properties(title="Events per country")',
        ],
        "wrong": [
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x")).properties(title="Events per country")',
            'chart = alt.Chart(events).mark_point().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x"), tooltip=["country:N", "count():Q"]).properties(title="Events per '
            'country")',
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y="country:N", '
            'tooltip=["country:N", "count():Q"]).properties(title="Events per country")',
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x"), tooltip=["country:N", "count():Q"])',
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("country:N", '
            'sort="-x"), tooltip=["country:N", "count():Q"]).properties(title=" ")',
            'chart = alt.Chart(events).mark_bar().encode(x="count():Q", y=alt.Y("theme:N", '
            'sort="-x"), tooltip=["theme:N", "count():Q"]).properties(title="Events")',
            'chart = alt.Chart(events.dropna(subset=["date_start"])).mark_bar().encode('
            'x="count():Q", y=alt.Y("country:N", sort="-x"), tooltip=["country:N", '
            '"count():Q"]).properties(title="Events per country")',
        ],
    },
    "00-interactive-chart": {
        "right": [
            'choice = alt.param(value="KFOR", bind=alt.binding_radio(options=["KFOR", "EUFOR Althea"]))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N")'
            '.transform_filter(alt.datum.mission == choice).add_params(choice)',
            'pick = alt.selection_point(fields=["mission"], value="KFOR", bind=alt.binding_radio(options=["KFOR", "EUFOR Althea"]))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N").add_params(pick).transform_filter(pick)',
            'm = alt.param(name="mission_choice", value="EUFOR Althea", bind=alt.binding_radio(options=["KFOR", "EUFOR Althea"], name="Mission "))\n'
            'mission_chart = alt.Chart(strength, title="Strength").mark_bar().encode(x=alt.X("value:Q", title="Troops"), y="article:N", tooltip=["wording:N"]).add_params(m).transform_filter(alt.datum.mission == m)',
            # an equivalent route: the filter as a Vega expression, the parameter on the right
            f'choice = alt.param(name="pick", value="KFOR", bind=alt.binding_radio({R}))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(y="article:N", x="value:Q").add_params(choice).transform_filter("pick == datum.mission")',
        ],
        "wrong": [
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N")',
            'choice = alt.param(value="KFOR", bind=alt.binding_radio(options=["KFOR", "EUFOR Althea"]))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N").add_params(choice)',
            'choice = alt.param(value="KFOR", bind=alt.binding_select(options=["KFOR", "EUFOR Althea"]))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N").transform_filter(alt.datum.mission == choice).add_params(choice)',
            # ids compared with display names: the chart is empty whichever button is chosen
            f'choice = alt.param(value="KFOR", bind=alt.binding_radio({R}))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(x="value:Q", y="article:N").transform_filter(alt.datum.mission_id == choice).add_params(choice)',
            # swapped axes
            f'choice = alt.param(value="KFOR", bind=alt.binding_radio({R}))\n'
            'mission_chart = alt.Chart(strength).mark_bar().encode(y="value:Q", x="article:N").transform_filter(alt.datum.mission == choice).add_params(choice)',
            # drawn from a table without the field the filter compares
            f'choice = alt.param(value="KFOR", bind=alt.binding_radio({R}))\n'
            'mission_chart = alt.Chart(troop_figures[troop_figures["measure"] == "strength"]).mark_bar().encode(x="value:Q", y="source_id:N").transform_filter(alt.datum.mission == choice).add_params(choice)',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "00-chart": ("chart", "Bars of the number of events per group, the longest on top."),
})
