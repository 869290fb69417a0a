# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 04 (peacekeeping forces)."""

from .charts import add_descriptions

E_COLS = '["figure_id", "value", "qualifier", "as_of_date", "source_id"]'
EUFOR = ('troop_figures[(troop_figures["mission_id"] == "eufor_althea") & '
         '(troop_figures["measure"] == "strength")]')
K_COLS = '["figure_id", "value", "source_id", "outlet", "text_type"]'
KFOR = ('troop_figures[(troop_figures["mission_id"] == "kfor") & '
        '(troop_figures["measure"] == "strength")]')
TIP = '["mission:N", "article:N", "value:Q", "qualifier:N"]'
BY_ID = 'v = troop_figures.set_index("figure_id")["value"]\n'

CORPUS = {
    "04-eufor-strength": {
        "right": [
            f'mission_strength = {EUFOR}[{E_COLS}].sort_values("as_of_date", ascending=False)',
            f'mission_strength = troop_figures.loc[(troop_figures["mission_id"] == "eufor_althea") '
            f'& (troop_figures["measure"] == "strength"), {E_COLS}].sort_values("as_of_date", '
            'ascending=False, ignore_index=True)',
            f'mission_strength = troop_figures.query("mission_id == \'eufor_althea\' and measure '
            f'== \'strength\'").sort_values(["as_of_date", "figure_id"], ascending=False)'
            f'[{E_COLS}]',
            f'mission_strength = {EUFOR}.sort_values("as_of_date")[{E_COLS}].iloc[::-1]',
        ],
        "wrong": [
            'eufor = troop_figures[troop_figures["mission_id"] == "eufor_althea"]\n'
            f'mission_strength = eufor.sort_values("as_of_date", ascending=False)[{E_COLS}]',
            f'mission_strength = {EUFOR}[{E_COLS}].sort_values("as_of_date")',
            f'mission_strength = {EUFOR}[{E_COLS}]',
            f'mission_strength = {EUFOR}[{E_COLS}].sort_values("value", ascending=False)',
            f'mission_strength = {EUFOR}[{E_COLS}].sort_values("figure_id", ascending=False)',
        ],
    },
    "04-min-max": {
        "right": [
            'strength_rows = troop_figures[troop_figures["measure"] == "strength"]\n'
            'spread = strength_rows.groupby("mission_id")["value"].agg(["min", "max"])',
            'spread = troop_figures[troop_figures["measure"] == "strength"].pivot_table('
            'index="mission_id", values="value", aggfunc=["min", "max"])',
            'spread = troop_figures.query("measure == \'strength\'").groupby("mission_id").agg('
            'min=("value", "min"), max=("value", "max"))',
            'spread = troop_figures[troop_figures["measure"] == "strength"].groupby('
            '"mission_id")["value"].agg(["min", "max"]).reset_index()',
            'spread = troop_figures[troop_figures["measure"] == "strength"].groupby('
            '"mission_id").agg({"value": ["min", "max"]}).sort_index(ascending=False)',
        ],
        "wrong": [
            'sizes = troop_figures[troop_figures["measure"].isin(["strength", '
            '"initial_strength"])]\nspread = sizes.groupby("mission_id")["value"].agg(["min", '
            '"max"])',
            'spread = troop_figures[troop_figures["measure"] == "strength"].groupby('
            '"mission_id")["value"].agg(["mean"])',
            'spread = troop_figures[troop_figures["unit"] == "troops"].groupby("mission_id")'
            '["value"].agg(["min", "max"])',
            'spread = troop_figures[troop_figures["measure"] == "strength"].groupby('
            '"mission_id")["value"].agg(["max", "min"])',
            'spread = troop_figures[troop_figures["measure"] == "strength"].groupby('
            '"mission_id")["value"].agg(["min", "median"])',
            't = troop_figures[(troop_figures["unit"] == "troops") & (troop_figures["measure"] '
            '!= "initial_strength")]\nspread = t[t["value"] > 500].groupby("mission_id")'
            '["value"].agg(["min", "max"])',
        ],
    },
    "04-change-percent": {
        "right": [
            BY_ID + 'change_percent = round(100 * (v["kfor_strength_003"] - v["kfor_strength_002"])'
            ' / v["kfor_strength_002"], 1)',
            'old = troop_figures.loc[troop_figures["figure_id"] == "kfor_strength_002", '
            '"value"].item()\nnew = troop_figures.loc[troop_figures["figure_id"] == '
            '"kfor_strength_003", "value"].item()\nchange_percent = round((new - old) / old * '
            '100, 1)',
            BY_ID + 'change_percent = round((v["kfor_strength_003"] / v["kfor_strength_002"] - 1)'
            ' * 100, 1)',
            BY_ID + 'change_percent = float(round(100 * (v.loc["kfor_strength_003"] / '
            'v.loc["kfor_strength_002"] - 1), 1))',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'change_percent = round((4700 - 5000) / 5000 * 100, 1)',
            'change_percent = -6.0',
            BY_ID + 'change_percent = round(100 * (v["kfor_strength_003"] - v["kfor_strength_002"])'
            ' / v["kfor_strength_003"], 1)',
            BY_ID + 'change_percent = round(100 * (v["kfor_strength_001"] - v["kfor_strength_002"])'
            ' / v["kfor_strength_002"], 1)',
            BY_ID + 'change_percent = round(100 * (v["kfor_strength_002"] - v["kfor_strength_003"])'
            ' / v["kfor_strength_002"], 1)',
            BY_ID + 'change_percent = round((v["kfor_strength_003"] - v["kfor_strength_002"])'
            ' / v["kfor_strength_002"], 1)',
            BY_ID + 'change_percent = round(100 * (v["kfor_strength_000"] - v["kfor_strength_002"])'
            ' / v["kfor_strength_002"], 1)',
        ],
    },
    "04-kfor-sourced": {
        "right": [
            f'sourced = {KFOR}.merge(sources, on="source_id")[{K_COLS}]',
            f'sourced = {KFOR}.merge(sources, on="source_id", how="left", '
            f'validate="many_to_one")[{K_COLS}].sort_values("value")',
            f'sourced = sources.merge({KFOR}, on="source_id")[{K_COLS}]',
            f'j = troop_figures.merge(sources, on="source_id")\nsourced = j[(j["mission_id"]'
            f' == "kfor") & (j["measure"] == "strength")][{K_COLS}].reset_index(drop=True)',
        ],
        "wrong": [
            # a rule that matches today's data by coincidence (the ids of today's rows)
            'kfor_rows = troop_figures[troop_figures["figure_id"].str.startswith("kfor_strength")]\nsourced = kfor_rows.merge(sources, on="source_id")[["figure_id", "value", "source_id", "outlet", "text_type"]]',
            f'sourced = troop_figures.merge(sources, on="source_id")[{K_COLS}]',
            'j = troop_figures.merge(sources, on="source_id")\nsourced = j[j["mission_id"] '
            f'== "kfor"][{K_COLS}]',
            f'sourced = {KFOR}.merge(sources, on="source_id", how="outer")[{K_COLS}]',
            f'sourced = {KFOR}.merge(sources, on="source_id")[["figure_id", "value", '
            '"outlet", "text_type"]]',
            f'sourced = {KFOR}.merge(sources, on="source_id")[["figure_id", "source_id", '
            '"value", "outlet", "text_type"]]',
        ],
    },
    "04-us-share": {
        "right": [
            'figures = troop_figures.set_index("figure_id")\n'
            'part_source = figures.loc["kfor_us_contingent_001", "source_id"]\n'
            'part_date = figures.loc["kfor_us_contingent_001", "as_of_date"]\n'
            'part_value = figures.loc["kfor_us_contingent_001", "value"]\n'
            'same_report = troop_figures[(troop_figures["mission_id"] == "kfor") & '
            '(troop_figures["measure"] == "strength") & (troop_figures["source_id"] == '
            'part_source) & (troop_figures["as_of_date"] == part_date)]\n'
            'part_share = {"whole": same_report["figure_id"].item(), "percent": round(100 * '
            'part_value / same_report["value"].item(), 1)}',
            'by_id = troop_figures.set_index("figure_id")\npart = by_id.loc['
            '"kfor_us_contingent_001"]\nsame = troop_figures[(troop_figures["mission_id"] == '
            '"kfor") & (troop_figures["measure"] == "strength") & (troop_figures["source_id"] == '
            'part["source_id"]) & (troop_figures["as_of_date"] == part["as_of_date"])]\n'
            'whole = same.iloc[0]\npart_share = {"whole": whole["figure_id"], "percent": '
            'round(100 * part["value"] / whole["value"], 1)}',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = {"percent": round(100 '
            '* v["kfor_us_contingent_001"] / v["kfor_strength_001"], 1), "whole": '
            '"kfor_strength_001"}',
            'kap = troop_figures[(troop_figures["source_id"] == "kap_rutte_2025_03_10") & '
            '(troop_figures["mission_id"] == "kfor")].set_index("measure")\npart_share = dict(whole=kap.loc["strength", "figure_id"], '
            'percent=round(kap.loc["national_contingent", "value"] / kap.loc["strength", '
            '"value"] * 100, 1))',
            'import numpy as np\nv = troop_figures.set_index("figure_id")["value"]\n'
            'part_share = {"whole": "kfor_strength_001", "percent": np.round(100 * '
            'v["kfor_us_contingent_001"] / v["kfor_strength_001"], 1)}',
        ],
        "wrong": [
            'figures = troop_figures.set_index("figure_id")\n'
            'part_source = figures.loc["kfor_us_contingent_001", "source_id"]\n'
            'part_value = figures.loc["kfor_us_contingent_001", "value"]\n'
            'same_report = troop_figures[(troop_figures["source_id"] == part_source) & '
            '(troop_figures["measure"] == "strength")]\n'
            'whole = same_report[same_report["mission_id"] == "eufor_althea"]\n'
            'part_share = {"whole": whole["figure_id"].item(), "percent": round(100 * '
            'part_value / whole["value"].item(), 1)}',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = {"whole": '
            '"kfor_strength_000", "percent": round(100 * v["kfor_us_contingent_001"] / '
            'v["kfor_strength_000"], 1)}',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = {"whole": '
            '"kfor_strength_003", "percent": round(100 * v["kfor_us_contingent_001"] / '
            'v["kfor_strength_003"], 1)}',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = {"whole": '
            '"us_forces_europe_001", "percent": round(100 * v["kfor_us_contingent_001"] / '
            'v["us_forces_europe_001"], 1)}',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = round(100 * '
            'v["kfor_us_contingent_001"] / v["kfor_strength_001"], 1)',
            'v = troop_figures.set_index("figure_id")["value"]\npart_share = {"whole": '
            '"kfor_strength_001", "percent": round(v["kfor_us_contingent_001"] / '
            'v["kfor_strength_001"], 3)}',
        ],
    },
    "04-scenario": {
        "right": [
            # the figure by its id through a Series
            'v = troop_figures.set_index("figure_id")["value"]\nsteps = scenario(v["kfor_strength_003"], 600, 300)\nscenario_change = steps.loc[steps["step"] == "Percent change", "value"].item()',
            'baseline = troop_figures.set_index("figure_id").loc["kfor_strength_003", "value"]\n'
            'steps = scenario(baseline, leaving=600, arriving=300)\nscenario_change = steps.loc['
            'steps["step"] == "Percent change", "value"].item()',
            'b = troop_figures.loc[troop_figures["figure_id"] == "kfor_strength_003", "value"]'
            '.item()\ns = scenario(b, 600, 300)\nscenario_change = float(s[s["step"] == '
            '"Percent change"]["value"].iloc[0])',
        ],
        "wrong": [
            # the starting figure typed in, another route
            'steps = scenario(4700, leaving=600, arriving=300)\nscenario_change = steps.query('
            '"step == \'Percent change\'")["value"].to_numpy()',
            # the starting figure typed in: the question asks for it from the table
            'steps = scenario(4700, leaving=600, arriving=300)\nscenario_change = steps.set_index('
            '"step").loc["Percent change", "value"]',
            # typed in: right on today's data, not computed from the table
            'scenario_change = -6.4',
            's = scenario(4700, 600, 0)\nscenario_change = s.loc[s["step"] == "Percent change", '
            '"value"].item()',
            's = scenario(4600, 600, 300)\nscenario_change = s.loc[s["step"] == "Percent change", '
            '"value"].item()',
            'scenario_change = scenario(4700, 600, 300)',
            's = scenario(4700, 300, 600)\nscenario_change = s.loc[s["step"] == "Percent change", '
            '"value"].item()',
            's = scenario(5000, 600, 300)\nscenario_change = s.loc[s["step"] == "Percent change", '
            '"value"].item()',
        ],
    },
    "04-compare-chart": {
        "right": [
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x=alt.X("value:Q", '
            'title="Reported troops"), y=alt.Y("article:N", title="Article"), '
            'yOffset="mission:N", color=alt.Color("mission:N", title="Mission"), '
            f'tooltip={TIP}).properties(title="How big is each mission in 2025, article by '
            'article?", description="Bars side by side for the two missions in each article.")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            'y=alt.Y("article:N", sort="-x"), yOffset=alt.YOffset("mission:N", sort=["KFOR", '
            f'"EUFOR Althea"]), color=alt.Color("mission:N", sort=["KFOR", "EUFOR Althea"]), '
            f'tooltip={TIP}).properties(title="How do KFOR and EUFOR compare in each 2025 '
            'article?")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            'y="article:N", yOffset="mission:N", color="mission:N", tooltip=['
            '"mission", "article", "value", "qualifier", "source_id"]).properties('
            'title="Which mission is larger, according to each 2025 article?", height=220)',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            'y=alt.Y("article:N", sort="-x"), yOffset="mission:N", color="mission:N", '
            'opacity=alt.value(0.9), tooltip=["mission:N", "article:N", "value:Q", '
            '"qualifier:N"]).properties(title=alt.TitleParams("How many troops does each '
            'mission have in 2025?", subtitle="By article"))',
        ],
        "wrong": [
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            f'y="article:N", color="mission:N", tooltip={TIP}).properties(title="How big '
            'is each mission in 2025?")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            f'y="article:N", yOffset="mission:N", tooltip={TIP}).properties(title="How '
            'big is each mission in 2025?")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            'y="article:N", yOffset="mission:N", color="mission:N").properties('
            'title="How big is each mission in 2025?")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            f'y="article:N", yOffset="mission:N", color="mission:N", tooltip={TIP})'
            '.properties(title="chart")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            f'y="source_id:N", yOffset="mission:N", color="mission:N", tooltip={TIP})'
            '.properties(title="How big is each mission in 2025?")',
            'compare_chart = alt.Chart(figures_2025).mark_bar().encode(x="value:Q", '
            f'y="mission:N", yOffset="article:N", color="mission:N", tooltip={TIP})'
            '.properties(title="How big is each mission in 2025?")',
        ],
    },
    "04-reserve-ratio": {
        "right": [
            'reserve_ratio = round(3500 / 1100, 1)',
            'reserve_ratio = 3.2',
            'figures = troop_figures.set_index("figure_id")\nreserve_ratio = round('
            'figures.loc["eufor_reserve_000", "value"] / figures.loc["eufor_strength_000", '
            '"value"], 1)',
            'reserve = 3500  # portal article\nstrength = 1100  # same article\n'
            'reserve_ratio = round(reserve / strength, 1)',
        ],
        "wrong": [
            'reserve_ratio = round(3500 / 1000, 1)',
            'reserve_ratio = round(1100 / 3500, 1)',
            'reserve_ratio = round(3500 / 4600, 1)',
            'reserve_ratio = round((3500 + 1100) / 1100, 1)',
            'reserve_ratio = round(3500 / 1100)',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "04-compare-chart": ("compare_chart", "Bars for the two missions side by side in each 2025 article."),
})
