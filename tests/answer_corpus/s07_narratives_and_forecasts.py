# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 07 (narratives and forecasts): lesson 07's own idioms included
(crosstab(...)[STANCE_ORDER], colour sorted by STANCE_ORDER, an Order channel, a sort field)."""

from .charts import add_descriptions

U_COLS = '["claim_id", "speaker_id", "stance", "source_id"]'
R_COLS = '["forecast_id", "term", "p_low", "p_high"]'
TIP = '["voice:N", "stance:N", "count():Q"]'
ORDER = 'from balkan_course.narratives import STANCE_ORDER\n'

CORPUS = {
    "07-us-claims": {
        "right": [
            # the same result from another set-up table (coded)
            'theme_claims = coded.loc[coded["theme"] == "us_posture", ["claim_id", "speaker_id", "stance", "source_id"]].sort_values("claim_id")',
            f'theme_claims = claims.loc[claims["theme"] == "us_posture", {U_COLS}].sort_values('
            '"claim_id")',
            f'theme_claims = claims[claims["theme"] == "us_posture"].sort_values("claim_id")[{U_COLS}]',
            f'theme_claims = claims.query("theme == \'us_posture\'")[{U_COLS}].sort_values('
            '"claim_id", ignore_index=True)',
            f'theme_claims = claims.sort_values("claim_id").loc[claims["theme"].eq("us_posture"), '
            f'{U_COLS}]',
            # theme is coded (an enum in datapackage.json): no other code contains us_posture
            f'theme_claims = claims.loc[claims["theme"].str.contains("us_posture"), {U_COLS}]'
            '.sort_values("claim_id")',
        ],
        "wrong": [
            f'theme_claims = claims.loc[claims["theme"] == "nato_commitment", {U_COLS}].sort_values('
            '"claim_id")',
            f'theme_claims = claims.loc[claims["theme"] == "us_posture", {U_COLS}]',
            'theme_claims = claims.loc[claims["theme"] == "us_posture", ["claim_id", "speaker_id", '
            '"source_id"]].sort_values("claim_id")',
            f'theme_claims = claims.loc[claims["theme"] == "us_posture", {U_COLS}].sort_values('
            '"speaker_id")',
            f'theme_claims = claims.loc[claims["theme"].isin(["us_posture", "nato_commitment"]), '
            f'{U_COLS}].sort_values("claim_id")',
        ],
    },
    "07-stance-by-theme": {
        "right": [
            # the same result from another set-up table (coded)
            'pair_counts = pd.crosstab(coded["theme"], coded["stance"])',
            'pair_counts = pd.crosstab(claims["theme"], claims["stance"])',
            ORDER + 'pair_counts = pd.crosstab(claims["theme"], claims["stance"])[STANCE_ORDER]',
            'pair_counts = claims.pivot_table(index="theme", columns="stance", '
            'values="claim_id", aggfunc="count", fill_value=0)',
            'pair_counts = claims.groupby(["theme", "stance"]).size().unstack(fill_value=0)'
            '.sort_values("warning", ascending=False)',
        ],
        "wrong": [
            'pair_counts = pd.crosstab(claims["stance"], claims["theme"])',
            'pair_counts = pd.crosstab(claims["theme"], claims["stance"], normalize="index")',
            'pair_counts = pd.crosstab(claims["theme"], claims["stance"], margins=True)',
            'pair_counts = claims.groupby(["theme", "stance"]).size().unstack()',
            'pair_counts = pd.crosstab(claims["theme"], claims["claim_type"])',
        ],
    },
    "07-warning-change": {
        "right": [
            'before = int((claims["stance"] == "warning").sum())\nafter = int((recode(claims, '
            'other_codes)["stance"] == "warning").sum())\nstance_change = after - before',
            'stance_change = recode(claims, other_codes)["stance"].value_counts()["warning"] - '
            'claims["stance"].value_counts()["warning"]',
            'stance_change = int(recode(claims, other_codes)["stance"].eq("warning").sum() - '
            'claims["stance"].eq("warning").sum())',
            'new = recode(claims, other_codes)\nstance_change = len(new[new["stance"] == '
            '"warning"]) - len(claims[claims["stance"] == "warning"])',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'stance_change = -1',
            'stance_change = int((claims["stance"] == "warning").sum() - (recode(claims, '
            'other_codes)["stance"] == "warning").sum())',
            'stance_change = int((recode(claims, other_codes)["stance"] == "warning").sum())',
            'stance_change = 0',
            'stance_change = len(other_codes)',
            'stance_change = int((recode(claims, other_codes)["stance"] == "neutral").sum() - '
            '(claims["stance"] == "neutral").sum())',
        ],
    },
    "07-ranges": {
        "right": [
            'words = forecasts.assign(term=forecasts["estimative_word"].replace({"highly likely":'
            ' "very likely"}))\n'
            f'ranges = words.merge(ICD203_SCALE, on="term")[{R_COLS}]',
            'f = forecasts.copy()\nf["term"] = f["estimative_word"].str.replace("highly likely", '
            f'"very likely")\nranges = f.merge(ICD203_SCALE, on="term", how="left")[{R_COLS}]'
            '.sort_values("forecast_id")',
            'f = forecasts.assign(term=forecasts["estimative_word"].map(lambda w: "very likely" '
            f'if w == "highly likely" else w))\nranges = ICD203_SCALE.merge(f, on="term")[{R_COLS}]',
            'scale = ICD203_SCALE.set_index("term")\nterm = forecasts["estimative_word"].replace('
            '"highly likely", "very likely")\nranges = pd.DataFrame({"forecast_id": '
            'forecasts["forecast_id"], "term": term, "p_low": term.map(scale["p_low"]), '
            '"p_high": term.map(scale["p_high"])})',
        ],
        "wrong": [
            'u = forecasts.assign(term=forecasts["estimative_word"])\nranges = u.merge('
            f'ICD203_SCALE, on="term")[{R_COLS}]',
            'u = forecasts.assign(term=forecasts["estimative_word"])\nranges = u.merge('
            f'ICD203_SCALE, on="term", how="left")[{R_COLS}]',
            'u = forecasts.assign(term=forecasts["estimative_word"].replace({"highly likely": '
            f'"likely"}}))\nranges = u.merge(ICD203_SCALE, on="term")[{R_COLS}]',
            'u = forecasts.assign(term=forecasts["estimative_word"].replace({"highly likely": '
            '"very likely"}))\nranges = u.merge(ICD203_SCALE, on="term")[["forecast_id", '
            '"p_low", "p_high"]]',
            'u = forecasts.assign(term=forecasts["estimative_word"].replace({"highly likely": '
            '"almost certain"}))\nranges = u.merge(ICD203_SCALE, on="term")'
            f'[{R_COLS}]',
        ],
    },
    "07-medium-end": {
        "right": [
            'window = [issued + pd.DateOffset(months=3), issued + pd.DateOffset(months=12)]',
            'window = [issued + pd.DateOffset(months=m) for m in (3, 12)]',
            'window = pd.Series([issued + pd.DateOffset(months=3), issued + '
            'pd.DateOffset(years=1)])',
        ],
        "wrong": [
            'window = [issued + pd.Timedelta(days=90), issued + pd.Timedelta(days=365)]',
            # typed in: the dates of this brief, not computed from issued_date
            'window = [pd.Timestamp("2025-07-02"), pd.Timestamp("2026-04-02")]',
            'import datetime\nwindow = [datetime.date(2025, 7, 2), '
            'datetime.date(2026, 4, 2)]',
            'window = [issued + pd.Timedelta(days=3 * 30), issued + '
            'pd.Timedelta(days=12 * 30)]',
            'window = [issued, issued + pd.DateOffset(months=12)]',
            'window = [issued + pd.DateOffset(months=12), issued + pd.DateOffset(months=3)]',
            'window = issued + pd.DateOffset(months=12)',
            'window = [issued + pd.DateOffset(months=3), issued + pd.DateOffset(months=12)'
            ', issued + pd.DateOffset(months=24)]',
        ],
    },
    "07-checkable": {
        "right": [
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = status.loc['
            'status["horizon_passed"], "forecast_id"].tolist()',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = list(status.query('
            '"horizon_passed")["forecast_id"])[::-1]',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = status[status['
            '"horizon_passed"]]["forecast_id"]',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = status.loc['
            'status["horizon_passed"] == True, "forecast_id"].to_numpy()',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = set(status.loc['
            'status["horizon_passed"], "forecast_id"])',
        ],
        "wrong": [
            'checkable = forecasts["forecast_id"].tolist()',
            'checkable = ["f_short_nato_posture"]',
            'status = horizons_passed(forecasts, "2025-09-01")\ncheckable = status.loc['
            'status["horizon_passed"], "forecast_id"].tolist()',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = status.loc['
            '~status["horizon_passed"], "forecast_id"].tolist()',
            'status = horizons_passed(forecasts, "2026-06-30")\ncheckable = int(status['
            '"horizon_passed"].sum())',
        ],
    },
    "07-voice-chart": {
        "right": [
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x=alt.X("count():Q", title="Number of claims"), y=alt.Y("voice:N", sort="-x"), color=alt.Color("stance:N", title="Stance"), tooltip=["voice:N", "stance:N", "count():Q"]).properties(title="Who warns and who reassures?", description="Bar chart of the claims per voice, split by stance.")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x=alt.X("count():Q", title="Number'
            ' of claims"), y=alt.Y("voice:N", sort="-x"), color=alt.Color("stance:N"), '
            f'tooltip={TIP}).properties(title="Who warns and who reassures?")',
            ORDER + 'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y('
            '"voice:N", sort="-x"), color=alt.Color("stance:N", sort=STANCE_ORDER), '
            f'order=alt.Order("stance:N"), tooltip={TIP}).properties(title="Claims by voice")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y("voice:N", '
            'sort=alt.EncodingSortField(op="count", order="descending")), color="stance:N", '
            f'tooltip={TIP}).properties(title="Stance of the claims, voice by voice")',
            ORDER + 'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y('
            '"voice:N", sort="-x"), color=alt.Color("stance:N", scale=alt.Scale('
            'domain=STANCE_ORDER)), tooltip=["voice:N", "stance:N", "count():Q", "theme:N"])'
            '.transform_calculate(rank="indexof([\'warning\', \'neutral\', \'reassuring\'], '
            'datum.stance)").properties(title="Who warns, who reassures?")',
            'who_warns_chart = alt.Chart(coded[["claim_id", "voice", "stance"]]).mark_bar().encode('
            f'x="count():Q", y=alt.Y("voice:N", sort="-x"), color="stance:N", tooltip={TIP})'
            '.properties(title="Who warns and who reassures?")',
        ],
        "wrong": [
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y("speaker:N",'
            f' sort="-x"), color="stance:N", tooltip={TIP}).properties(title="Claims by voice")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y("voice:N", '
            f'sort="-x"), tooltip={TIP}).properties(title="Claims by voice")',
            'who_warns_chart = alt.Chart(coded).mark_point().encode(x="count():Q", y=alt.Y("voice:N",'
            f' sort="-x"), color="stance:N", tooltip={TIP}).properties(title="Claims by voice")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y("voice:N", '
            f'sort="-x"), color="stance:N", tooltip={TIP}).properties(title=" ")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y=alt.Y("voice:N", '
            f'sort="-x"), color="stance:N", tooltip={TIP}).transform_filter('
            '"datum.stance != \'neutral\'").properties(title="Claims by voice")',
            'who_warns_chart = alt.Chart(coded).mark_bar().encode(x="count():Q", y="voice:N", '
            f'color="stance:N", tooltip={TIP}).properties(title="Claims by voice")',
        ],
    },
    "07-stance-bars": {
        "right": [
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            ORDER + 'stance_chart = alt.Chart(claims).mark_bar().encode(x=alt.X("count()", title="Claims"), y=alt.Y("theme", sort="-x"), color=alt.Color("stance", sort=STANCE_ORDER), tooltip=["theme", "stance", "count()"])',
            'stance_chart = alt.Chart(claims).mark_bar().encode(alt.X("count():Q"), alt.Y("theme:N"), alt.Color("stance:N")).properties(title="Claims per theme and stance")',
            'stance_chart = alt.Chart(claims[["theme", "stance"]]).mark_bar(stroke="white").encode(y="theme:N", x="count():Q", color="stance:N")',
        ],
        "wrong": [
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="theme:N", y="count():Q", color="stance:N")',
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N")',
            'stance_chart = alt.Chart(claims).mark_point().encode(x="count():Q", y="theme:N", color="stance:N")',
            # the wrong mark with the right highlight: this part's point is lost, not the other's
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_point().encode(x="count():Q", y="theme:N", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="stance:N", color="theme:N")',
            'stance_chart = alt.Chart(forecasts).mark_bar().encode(x="count():Q", y="horizon:N", color="estimative_word:N")',
        ],
    },
    "07-legend-selection": {
        "right": [
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims[["theme", "stance"]]).mark_bar().encode(x="count():Q", y=alt.Y("theme:N", sort="-x"), color="stance:N", opacity=alt.condition(pick, alt.value(1), alt.value(0.3)), tooltip=["stance:N", "count():Q"]).add_params(pick)',
            'sel = alt.selection_point(name="stance_pick", fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x=alt.X("count():Q", title="Claims"), y="theme:N", color="stance:N", opacity=alt.condition(sel, alt.value(0.9), alt.value(0.15))).add_params(sel).properties(title="Stances")',
            # the wrong mark, the right highlight: the highlight's point is earned
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_point().encode(x="count():Q", y="theme:N", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            # another route: the selection chooses by the colour channel, not by a field name
            'pick = alt.selection_point(encodings=["color"], bind="legend")\n'
            'stance_chart = alt.Chart(claims[["theme", "stance"]]).mark_bar().encode(y="theme:N", x="count():Q", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25))).add_params(pick)',
        ],
        "wrong": [
            # a legend selection with nothing to select: no colour channel on the stance
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            # a selection on the wrong field (the themes, not the stances)
            'pick = alt.selection_point(fields=["theme"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="theme:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N")',
            'pick = alt.selection_point(fields=["stance"], bind="legend")\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N").add_params(pick)',
            'pick = alt.selection_point(fields=["stance"])\n'
            'stance_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N", color="stance:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2))).add_params(pick)',
        ],
    },
    "07-picked-source": {
        "right": [
            'picked_source = "kap_rutte_2025_03_10"',
            'picked_source = " kap_rutte_2025_03_10 "',
            'picked_source = in_threads.loc[(in_threads["thread"] == "The US posture") & (in_threads["stance"] == "reassuring"), "source_id"].unique()[0]',
            'segment = in_threads[(in_threads["thread"] == "The US posture") & (in_threads["stance"] == "reassuring")]\npicked_source = segment["source_id"].value_counts().index[0]',
        ],
        "wrong": [
            'picked_source = "Kosova Alfa Press/REL"',
            'picked_source = "Kosova Alfa Press"',
            'picked_source = "reaction_2023"',
            'picked_source = "iria_2023"',
            'picked_source = "kap_rutte"',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "07-voice-chart": ("who_warns_chart", "Bars of the claims per group of speakers, split by stance."),
    "07-stance-bars": ("stance_chart", "Bars of the number of claims per category, coloured by stance."),
})
