# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 01 (sources and evidence)."""

from .charts import add_descriptions

INF_COLS = '["source_id", "text_type", "date", "date_end"]'
EU_COLS = '["figure_id", "measure", "value", "outlet"]'
TIP = '["source_id:N", "wording:N", "value:Q"]'

CORPUS = {
    "01-inferred-dates": {
        "right": [
            f'inferred = sources.loc[sources["date_basis"] == "inferred", {INF_COLS}]'
            '.sort_values("date")',
            f'inferred = sources[sources["date_basis"] == "inferred"].sort_values("date")[{INF_COLS}]',
            f'inferred = sources.query("date_basis == \'inferred\'")[{INF_COLS}]'
            '.sort_values("date", ignore_index=True)',
            f'inferred = sources[sources["date_basis"] != "printed"][{INF_COLS}].sort_values("date")',
        ],
        "wrong": [
            f'inferred = sources.loc[sources["date_basis"] == "printed", {INF_COLS}].sort_values("date")',
            f'inferred = sources.loc[sources["date_basis"] == "inferred", {INF_COLS}]',
            'inferred = sources.loc[sources["date_basis"] == "inferred", ["source_id", "date", '
            '"date_end", "text_type"]].sort_values("date")',
            f'inferred = sources.loc[sources["date_basis"] == "inferred", {INF_COLS}]'
            '.sort_values("date", ascending=False)',
            f'inferred = sources.loc[sources["date_basis"] == "inferred", {INF_COLS}]'
            '.sort_values("date_end", ascending=False)',
            # caught by hidden test rows since the data alone hid it: the three inferred
            # dates happen to be in the alphabetical order of their source ids
            f'inferred = sources.loc[sources["date_basis"] == "inferred", {INF_COLS}]'
            '.sort_values("source_id")',
        ],
    },
    "01-window-days": {
        "right": [
            # the lesson's idiom: copy the column, add the new one, sort by two keys
            'windows = sources[["source_id"]].copy()\nwindows["window_days"] = '
            '(sources["date_end"] - sources["date"]).dt.days + 1\n'
            'windows = windows.sort_values(["window_days", "source_id"], ascending=[False, True])',
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]).dt.days + 1).sort_values(["window_days", "source_id"], '
            'ascending=[False, True])',
            'windows = sources.assign(window_days=(sources["date_end"] - sources["date"])'
            '.dt.days + 1)[["source_id", "window_days"]].sort_values(["window_days", '
            '"source_id"], ascending=[False, True], ignore_index=True)',
            'w = sources.copy()\nw["window_days"] = (w["date_end"] - w["date"]).dt.days + 1\n'
            'windows = w.sort_values(["window_days", "source_id"], ascending=[False, True])'
            '[["source_id", "window_days"]]',
            'windows = pd.DataFrame({"source_id": sources["source_id"], "window_days": '
            '(sources["date_end"] - sources["date"]) / pd.Timedelta(days=1) + 1})'
            '.sort_values(["window_days", "source_id"], ascending=[False, True])',
        ],
        "wrong": [
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]).dt.days).sort_values(["window_days", "source_id"], '
            'ascending=[False, True])',
            'windows = sources[["source_id"]].copy()\nwindows["window_days"] = '
            '(sources["date_end"] - sources["date"]).dt.days + 1\n'
            'windows = windows.sort_values(["window_days", "source_id"], ascending=[True, True])',
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]).dt.days + 1).sort_values(["window_days", "source_id"])',
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]).dt.days + 1)',
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]) + pd.Timedelta(days=1)).sort_values(["window_days", "source_id"], '
            'ascending=[False, True])',
            'windows = sources[["source_id"]].assign(window_days=(sources["date_end"] - '
            'sources["date"]).dt.days + 1).sort_values(["window_days", "source_id"], '
            'ascending=[False, False])',
        ],
    },
    "01-dotted-thousands": {
        "right": [
            'digits = translated["wording"].str.extract(r"([\\d.,]+)")[0]\n'
            'parsed = pd.to_numeric(digits.str.replace(".", "", regex=False))',
            'parsed = translated["wording"].str.extract(r"(\\d[\\d.]*)")[0]'
            '.str.replace(".", "", regex=False).astype(int)',
            'parsed = [int(w.split()[0].replace(".", "")) if w.split()[0][0].isdigit() else '
            'int([t for t in w.split() if t[0].isdigit()][0].replace(".", "")) '
            'for w in translated["wording"]]',
            'parsed = pd.to_numeric(translated["wording"].str.replace(".", "", regex=False)'
            '.str.extract(r"(\\d+)")[0]).to_numpy()',
            'parsed = translated["wording"].str.replace(r"[^\\d]", "", regex=True).astype(float)',
        ],
        "wrong": [
            'parsed = pd.to_numeric(translated["wording"].str.extract(r"([\\d.,]+)")[0])',
            'parsed = translated.merge(troop_figures[["figure_id", "value"]], on="figure_id", '
            'how="left")["value"]',
            'parsed = pd.to_numeric(troop_figures["wording"].str.extract(r"([\\d.,]+)")[0]'
            '.str.replace(".", "", regex=False).str.replace(",", "", regex=False), '
            'errors="coerce")',
            'parsed = pd.to_numeric(translated["wording"].str.extract(r"(\\d+)")[0])',
            'parsed = translated["wording"].str.extract(r"([\\d.,]+)")[0]'
            '.str.replace(".", "", regex=False)',
        ],
    },
    "01-eufor-outlets": {
        "right": [
            'eufor_cited = troop_figures.loc[troop_figures["mission_id"] == "eufor_althea"]'
            '.merge(sources[["source_id", "outlet"]], on="source_id", how="left", '
            f'validate="many_to_one")[{EU_COLS}].sort_values("figure_id")',
            'eufor_cited = troop_figures[troop_figures["mission_id"] == "eufor_althea"]'
            f'.merge(sources, on="source_id")[{EU_COLS}].sort_values("figure_id")',
            'eufor_cited = sources[["source_id", "outlet"]].merge(troop_figures.query('
            f'"mission_id == \'eufor_althea\'"), on="source_id", how="right")[{EU_COLS}]'
            '.sort_values("figure_id", ignore_index=True)',
            'e = troop_figures[troop_figures["mission_id"] == "eufor_althea"].copy()\n'
            'e["outlet"] = e["source_id"].map(sources.set_index("source_id")["outlet"])\n'
            f'eufor_cited = e.sort_values("figure_id")[{EU_COLS}]',
        ],
        "wrong": [
            'eufor_cited = troop_figures.loc[troop_figures["mission_id"] == "kfor"]'
            f'.merge(sources, on="source_id", how="left")[{EU_COLS}].sort_values("figure_id")',
            'eufor_cited = troop_figures.loc[troop_figures["mission_id"] == "eufor_althea"]'
            f'.merge(sources, on="source_id", how="outer")[{EU_COLS}].sort_values("figure_id")',
            'eufor_cited = troop_figures.loc[troop_figures["mission_id"] == "eufor_althea"]'
            f'.merge(sources, on="source_id", how="left")[{EU_COLS}]',
            'eufor_cited = troop_figures.loc[troop_figures["mission_id"] == "eufor_althea"]'
            f'.merge(sources, on="source_id", how="left")[{EU_COLS}].sort_values("value")',
            'eufor_cited = troop_figures.loc[(troop_figures["mission_id"] == "eufor_althea") & '
            '(troop_figures["measure"] == "strength")].merge(sources, on="source_id")'
            f'[{EU_COLS}].sort_values("figure_id")',
        ],
    },
    "01-original-claims": {
        "right": [
            'originals = claim_sources[claim_sources["relation"] == "original"]\n'
            'claims_per_article = originals.groupby("source_id").size()',
            'claims_per_article = claim_sources.loc[claim_sources["relation"] == "original", '
            '"source_id"].value_counts()',
            'claims_per_article = claim_sources.query("relation == \'original\'")["source_id"]'
            '.value_counts().to_dict()',
            'claims_per_article = claim_sources[claim_sources["relation"] == "original"]'
            '.groupby("source_id")["claim_id"].nunique().sort_values()',
        ],
        "wrong": [
            # a rule that matches today's data by coincidence (originals listed first today)
            'claims_per_article = claim_sources.drop_duplicates("claim_id").groupby("source_id").size()',
            'claims_per_article = claim_sources.groupby("source_id").size()',
            'claims_per_article = claim_sources[claim_sources["relation"] == "also_reports"]'
            '.groupby("source_id").size()',
            'claims_per_article = claim_sources["relation"].value_counts()',
            'claims_per_article = claim_sources.loc[claim_sources["relation"] == "original", '
            '"source_id"].value_counts().reset_index(drop=True)',
        ],
    },
    "01-eufor-chart": {
        "right": [
            'chart = alt.Chart(eufor).mark_point(filled=True, size=120).encode(x=alt.X('
            '"as_of_date:T", title="Date"), y=alt.Y("value:Q", scale=alt.Scale(zero=False)), '
            f'shape=alt.Shape("qualifier:N"), tooltip={TIP}).properties(title="How big is '
            'EUFOR Althea, according to each article?")',
            'chart = alt.Chart(eufor).mark_point().encode(x="as_of_date:T", y="value:Q", '
            'shape="qualifier:N", tooltip=["source_id", "wording", "value", "figure_id"])'
            '.properties(title="How many troops does EUFOR Althea have, source by source?")',
            'chart = alt.Chart(eufor).mark_point(color="black").encode(x="as_of_date:T", '
            f'y="value:Q", shape="qualifier:N", color="source_id:N", tooltip={TIP})'
            '.properties(title=["EUFOR Althea strength:", "what does each article report?"])',
            'chart = alt.Chart(eufor[["value", "qualifier", "wording", "as_of_date", '
            '"source_id"]]).mark_point().encode(x="as_of_date:T", y="value:Q", '
            f'shape="qualifier:N", tooltip={TIP}).properties(title="EUFOR Althea\'s size '
            'according to three articles")',
        ],
        "wrong": [
            'chart = alt.Chart(eufor).mark_point().encode(x="as_of_date:T", y="value:Q", '
            f'tooltip={TIP}).properties(title="How big is EUFOR Althea?")',
            'chart = alt.Chart(eufor).mark_bar().encode(x="as_of_date:T", y="value:Q", '
            f'shape="qualifier:N", tooltip={TIP}).properties(title="How big is EUFOR Althea?")',
            'chart = alt.Chart(eufor).mark_point().encode(x="as_of_date:T", y="value:N", '
            f'shape="qualifier:N", tooltip={TIP}).properties(title="How big is EUFOR Althea?")',
            'chart = alt.Chart(troop_figures).mark_point().encode(x="as_of_date:T", '
            f'y="value:Q", shape="qualifier:N", tooltip={TIP}).properties(title="How big is '
            'EUFOR Althea?")',
            'chart = alt.Chart(eufor).mark_point().encode(x="as_of_date:T", y="value:Q", '
            f'shape="qualifier:N", tooltip={TIP}).properties(title="chart")',
            'chart = alt.Chart(eufor).mark_point().encode(x="as_of_date:T", y="value:Q", '
            f'shape="qualifier:N", tooltip={TIP}).properties(title="EUFOR")',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "01-eufor-chart": ("chart", "Points for the reported strengths of EUFOR Althea by date, shaped by the hedge word."),
})
