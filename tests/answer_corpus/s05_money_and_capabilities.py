# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 05 (money and capabilities)."""

from .charts import add_descriptions

M_COLS = '["money_id", "measure", "amount", "source_id"]'
GET = ('b25 = money.loc[money["money_id"] == "kosovo_mod_budget_2025", "amount"].item()\n'
       'inc = money.loc[money["money_id"] == "kosovo_mod_increase_2025", "amount"].item()\n')
BY_ID = 'v = troop_figures.set_index("figure_id")["value"]\n'
LOG_X = 'alt.X("amount_bn:Q", scale=alt.Scale(type="log"))'

CORPUS = {
    "05-kosovo-rows": {
        "right": [
            f'ministry_rows = money.loc[money["actor_id"] == "kosovo_ministry_of_defence", {M_COLS}]',
            f'ministry_rows = money[money["actor_id"] == "kosovo_ministry_of_defence"][{M_COLS}]',
            f'ministry_rows = money.query("actor_id == \'kosovo_ministry_of_defence\'")[{M_COLS}]'
            '.sort_values("amount")',
            f'ministry_rows = money[money["actor_id"].isin(["kosovo_ministry_of_defence"])]'
            f'[{M_COLS}].reset_index(drop=True)',
        ],
        "wrong": [
            f'ministry_rows = money.loc[money["measure"] == "annual_budget", {M_COLS}]',
            f'ministry_rows = money[{M_COLS}]',
            'ministry_rows = money.loc[money["actor_id"] == "kosovo_ministry_of_defence", '
            '["money_id", "amount", "measure", "source_id"]]',
            'ministry_rows = money.loc[money["actor_id"] == "kosovo_ministry_of_defence"]',
            f'ministry_rows = money.loc[money["actor_id"] != "kosovo_ministry_of_defence", {M_COLS}]',
            f'ministry_rows = money.loc[money["amount"] < 1e9, {M_COLS}]',
            f'ministry_rows = money.loc[money["money_id"].str.startswith("kosovo"), {M_COLS}]',
            f'ministry_rows = money[money["actor_id"].str.contains("ministry")][{M_COLS}]',
            # caught by hidden test rows since the data alone hid it: the first row's article
            # happens to give exactly the ministry's two rows
            f'ministry_rows = money.loc[money["source_id"] == money.loc[0, "source_id"], {M_COLS}]',
        ],
    },
    "05-budget-2024": {
        "right": [
            GET + 'budget_2024_m = (b25 - inc) / 1e6',
            'a = money.set_index("money_id")["amount"]\nbudget_2024_m = (a['
            '"kosovo_mod_budget_2025"] - a["kosovo_mod_increase_2025"]) / 1_000_000',
            GET + 'budget_2024_m = round((b25 - inc) / 1e6, 1)',
            GET + 'budget_2024_m = b25 / 1e6 - inc / 1e6',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'budget_2024_m = 153.8',
            'budget_2024_m = (207_800_000 - 54_000_000) / 1e6',
            GET + 'budget_2024_m = (b25 + inc) / 1e6',
            GET + 'budget_2024_m = b25 - inc',
            GET + 'budget_2024_m = b25 / 1e6',
            GET + 'budget_2024_m = (b25 - inc) / 1e9',
            GET + 'budget_2024_m = inc / 1e6',
        ],
    },
    "05-growth": {
        "right": [
            GET + 'growth_pct = round(inc / (b25 - inc) * 100, 1)',
            GET + 'growth_pct = round(100 * (b25 / (b25 - inc) - 1), 1)',
            'a = money.set_index("money_id")["amount"]\nold = a["kosovo_mod_budget_2025"] - '
            'a["kosovo_mod_increase_2025"]\ngrowth_pct = round((a["kosovo_mod_budget_2025"] - '
            'old) / old * 100, 1)',
            GET + 'import numpy as np\ngrowth_pct = float(np.round(inc / (b25 - inc) * 100, 1))',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'growth_pct = 35.1',
            'growth_pct = round(54 / 153.8 * 100, 1)',
            GET + 'growth_pct = round(inc / b25 * 100, 1)',
            GET + 'growth_pct = round(inc / (b25 - inc), 3)',
            GET + 'growth_pct = inc / (b25 - inc) * 100',
            GET + 'growth_pct = round(inc / (b25 - inc) * 100)',
            GET + 'growth_pct = round(b25 / (b25 - inc) * 100, 1)',
        ],
    },
    "05-in-billions": {
        "right": [
            'in_billions = (money.assign(amount_bn=money["amount"] / 1e9).sort_values('
            '"amount_bn", ascending=False)[["money_id", "amount_bn"]])',
            'in_billions = money.sort_values("amount", ascending=False).assign(amount_bn='
            'lambda t: t["amount"] / 1_000_000_000)[["money_id", "amount_bn"]]',
            'import pandas as pd\nin_billions = pd.DataFrame({"money_id": money["money_id"], "amount_bn": '
            'money["amount"] / 10**9}).sort_values("amount_bn", ascending=False, '
            'ignore_index=True)',
            'b = money[["money_id"]].copy()\nb["amount_bn"] = money["amount"] * 1e-9\n'
            'in_billions = b.nlargest(len(b), "amount_bn")',
        ],
        "wrong": [
            'in_billions = money.assign(amount_bn=money["amount"] / 1e6).sort_values('
            '"amount_bn", ascending=False)[["money_id", "amount_bn"]]',
            'in_billions = money.assign(amount_bn=money["amount"] / 1e9).sort_values('
            '"amount_bn")[["money_id", "amount_bn"]]',
            'in_billions = money.assign(amount_bn=money["amount"] / 1e9)[["money_id", '
            '"amount_bn"]]',
            'in_billions = money.assign(amount_bn=money["amount"] / 1e9).sort_values('
            '"amount_bn", ascending=False)[["money_id", "amount"]]',
            'in_billions = money.assign(amount_bn=money["amount"] / 1e9).sort_values('
            '"money_id")[["money_id", "amount_bn"]]',
        ],
    },
    "05-magnitudes": {
        "right": [
            'magnitudes = money.assign(log10_amount=np.log10(money["amount"]).round(2))['
            '["money_id", "log10_amount"]]',
            'import pandas as pd\nmagnitudes = pd.DataFrame({"money_id": money["money_id"], "log10_amount": '
            'np.round(np.log10(money["amount"]), 2)})',
            'import math\nmagnitudes = money[["money_id"]].assign(log10_amount=[round('
            'math.log10(a), 2) for a in money["amount"]])',
            'm = money.copy()\nm["log10_amount"] = np.log10(m["amount"].astype(float)).round(2)\n'
            'magnitudes = m[["money_id", "log10_amount"]].reset_index(drop=True)',
        ],
        "wrong": [
            'magnitudes = money.assign(log10_amount=np.log(money["amount"]).round(2))['
            '["money_id", "log10_amount"]]',
            'magnitudes = money.assign(log10_amount=np.log10(money["amount"] / 1e6).round(2))'
            '[["money_id", "log10_amount"]]',
            'magnitudes = money.assign(log10_amount=np.log10(money["amount"]))[["money_id", '
            '"log10_amount"]]',
            'magnitudes = money.assign(log10_amount=np.log10(money["amount"]).round(2))'
            '.sort_values("log10_amount")[["money_id", "log10_amount"]]',
            'magnitudes = money.assign(log10_amount=np.log10(money["amount"]).round(0))'
            '[["money_id", "log10_amount"]]',
        ],
    },
    "05-us-share-kfor": {
        "right": [
            BY_ID + 'share_pct = round(v["kfor_us_contingent_001"] / v["kfor_strength_001"] '
            '* 100, 1)',
            'us = troop_figures.loc[troop_figures["figure_id"] == "kfor_us_contingent_001", '
            '"value"].item()\nkfor = troop_figures.loc[troop_figures["figure_id"] == '
            '"kfor_strength_001", "value"].item()\nshare_pct = round(100 * us / kfor, 1)',
            BY_ID + 'share_pct = float(f"{100 * v[\'kfor_us_contingent_001\'] / '
            'v[\'kfor_strength_001\']:.1f}")',
            BY_ID + 'import numpy as np\nshare_pct = np.round(v["kfor_us_contingent_001"] * '
            '100 / v["kfor_strength_001"], 1)',
        ],
        "wrong": [
            BY_ID + 'share_pct = round(v["kfor_us_contingent_001"] / v["us_forces_europe_001"]'
            ' * 100, 1)',
            BY_ID + 'share_pct = round(v["kfor_us_contingent_001"] / v["kfor_strength_001"], 3)',
            BY_ID + 'share_pct = round(v["kfor_us_contingent_001"] / v["kfor_strength_003"] '
            '* 100, 1)',
            BY_ID + 'share_pct = v["kfor_us_contingent_001"] / v["kfor_strength_001"] * 100',
            BY_ID + 'share_pct = round(v["kfor_strength_001"] / v["kfor_us_contingent_001"], 1)',
            # caught by hidden test rows since the data alone hid it: rounded to no decimal,
            # 13 is the same number as 13.0, the one-decimal answer
            BY_ID + 'share_pct = round(v["kfor_us_contingent_001"] / v["kfor_strength_001"] '
            '* 100)',
        ],
    },
    "05-defence-voices": {
        "right": [
            'd = claims.loc[claims["theme"] == "kosovo_defence"]\nw = d.merge(actors[['
            '"actor_id", "voice"]], left_on="speaker_id", right_on="actor_id")\n'
            'theme_voices = w["voice"].value_counts()',
            'w = claims.merge(actors, left_on="speaker_id", right_on="actor_id")\n'
            'theme_voices = w[w["theme"] == "kosovo_defence"].groupby("voice").size()',
            'voice = claims["speaker_id"].map(actors.set_index("actor_id")["voice"])\n'
            'theme_voices = voice[claims["theme"] == "kosovo_defence"].value_counts()'
            '.to_dict()',
            'w = claims.query("theme == \'kosovo_defence\'").merge(actors, left_on='
            '"speaker_id", right_on="actor_id")\ntheme_voices = w["voice"].value_counts()'
            '.sort_index()',
        ],
        "wrong": [
            'w = claims.merge(actors, left_on="speaker_id", right_on="actor_id")\n'
            'theme_voices = w["voice"].value_counts()',
            'w = claims.merge(actors, left_on="speaker_id", right_on="actor_id")\n'
            'theme_voices = w.loc[w["theme"] == "kosovo_defence", "stance"].value_counts()',
            'theme_voices = claims.loc[claims["theme"] == "kosovo_defence", "speaker_id"]'
            '.value_counts()',
            'w = claims.merge(actors, left_on="speaker_id", right_on="actor_id")\n'
            'theme_voices = w[w["theme"] == "kosovo_defence"]["voice"].nunique()',
        ],
    },
    "05-log-chart": {
        "right": [
            'chart = alt.Chart(in_billions).mark_point(filled=True, size=100).encode(x=alt.X('
            '"amount_bn:Q", title="Billion euros (log scale)", scale=alt.Scale(type="log")), '
            'y=alt.Y("money_id:N", title=None), tooltip=["money_id:N", "amount_bn:Q"])'
            '.properties(title="Four money figures on one log axis")',
            f'chart = alt.Chart(in_billions).mark_point().encode(x={LOG_X}, y=alt.Y('
            '"money_id:N", sort="-x"), tooltip=["money_id", "amount_bn"]).properties('
            'title="Money in billion euros")',
            f'chart = alt.Chart(in_billions).mark_point(color="darkred").encode(x={LOG_X}, '
            'y="money_id:N", color="money_id:N", tooltip=[alt.Tooltip("money_id:N"), '
            'alt.Tooltip("amount_bn:Q", format=".3f")]).properties(title="Budgets, pledges '
            'and plans on a log scale", width=350)',
            f'chart = alt.Chart(in_billions).mark_point().encode(x={LOG_X}, y="money_id:N", '
            'tooltip=["money_id:N", "amount_bn:Q", "money_id:N"]).properties(title='
            '"How far apart are the sums?")',
        ],
        "wrong": [
            f'chart = alt.Chart(in_billions).mark_bar().encode(x={LOG_X}, y="money_id:N", '
            'tooltip=["money_id:N", "amount_bn:Q"]).properties(title="Money")',
            'chart = alt.Chart(in_billions).mark_point().encode(x="amount_bn:Q", '
            'y="money_id:N", tooltip=["money_id:N", "amount_bn:Q"]).properties(title="Money")',
            f'chart = alt.Chart(in_billions).mark_point().encode(x={LOG_X}, y="money_id:N")'
            '.properties(title="Money")',
            'chart = alt.Chart(money).mark_point().encode(x=alt.X("amount:Q", scale=alt.Scale('
            'type="log")), y="money_id:N", tooltip=["money_id:N", "amount:Q"]).properties('
            'title="Money")',
            f'chart = alt.Chart(in_billions).mark_point().encode(x={LOG_X}, y="money_id:N", '
            'tooltip=["money_id:N", "amount_bn:Q"])',
            f'chart = alt.Chart(in_billions).mark_point().encode(y={LOG_X.replace("X", "Y")}, '
            'x="money_id:N", tooltip=["money_id:N", "amount_bn:Q"]).properties(title="Money")',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "05-log-chart": ("chart", "Money figures in billion euros as points on a log axis."),
})
