# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 08 (capstone briefing). The chart, table, length and citation
checks judge what the briefing helpers report, so these answers are whole charts, tables and
texts."""

Q_COLS = '["claim_id", "name", "voice", "stance", "source_id"]'
JOIN = 'j = claims.merge(actors, left_on="speaker_id", right_on="actor_id")\n'
# The themes are the student's to write (the third one differs between versions).
THEMES = 'question_themes = ["reallocation_to_ukraine", "ukraine_shift", "us_posture"]\n'
V = 'v = troop_figures.set_index("figure_id")["value"]\n'
WORDS = ("The articles report no cut in either mission so far, and officials say their "
         "commitment holds while analysts warn about signals of fading attention. ")

CORPUS = {
    "08-question-claims": {
        "right": [
            THEMES + f'question_claims = claims[claims["theme"].isin(question_themes)].merge(actors, '
            f'left_on="speaker_id", right_on="actor_id")[{Q_COLS}].sort_values("claim_id")',
            THEMES + JOIN + f'question_claims = j[j["theme"].isin(question_themes)].sort_values("claim_id")'
            f'[{Q_COLS}]',
            THEMES + JOIN + 'question_claims = j.query("theme in @question_themes")'
            f'[{Q_COLS}].sort_values("claim_id", ignore_index=True)',
            'question_claims = actors.merge(claims[claims["theme"].isin(["us_posture", '
            '"ukraine_shift", "reallocation_to_ukraine"])], left_on="actor_id", '
            f'right_on="speaker_id")[{Q_COLS}].sort_values("claim_id")',
            # theme is coded (an enum in datapackage.json): exactly the three codes match
            JOIN + f'question_claims = j[j["theme"].str.contains("ukraine|us_posture")][{Q_COLS}]'
            '.sort_values("claim_id")',
        ],
        "wrong": [
            THEMES + JOIN + 'question_claims = j[j["theme"].isin(question_themes[:2])]'
            f'[{Q_COLS}].sort_values("claim_id")',
            THEMES + JOIN + f'question_claims = j[j["theme"].isin(question_themes)][{Q_COLS}]'
            '.sort_values("name")',
            THEMES + JOIN + 'question_claims = j[j["theme"].isin(question_themes)][["claim_id", '
            '"speaker_id", "voice", "stance", "source_id"]].sort_values("claim_id")',
            JOIN + f'question_claims = j[{Q_COLS}].sort_values("claim_id")',
            THEMES + JOIN + f'question_claims = j[j["theme"].isin(question_themes)][{Q_COLS}]',
        ],
    },
    "08-stance-by-voice": {
        "right": [
            'stance_by_voice = pd.crosstab(question_claims["voice"], question_claims["stance"])',
            'stance_by_voice = question_claims.pivot_table(index="voice", columns="stance", '
            'values="claim_id", aggfunc="count", fill_value=0)',
            'stance_by_voice = question_claims.groupby(["voice", "stance"]).size().unstack('
            'fill_value=0)',
            'from balkan_course.narratives import STANCE_ORDER\nt = pd.crosstab('
            'question_claims["voice"], question_claims["stance"])\nstance_by_voice = t[[s for s '
            'in STANCE_ORDER if s in t.columns]].sort_index(ascending=False)',
        ],
        "wrong": [
            JOIN + 'stance_by_voice = pd.crosstab(j["voice"], j["stance"])',
            'stance_by_voice = pd.crosstab(question_claims["voice"], question_claims["stance"], '
            'normalize="index")',
            'stance_by_voice = pd.crosstab(question_claims["stance"], question_claims["voice"])',
            'stance_by_voice = pd.crosstab(question_claims["voice"], question_claims["stance"], '
            'margins=True)',
        ],
    },
    "08-kfor-change": {
        "right": [
            V + 'kfor_change_pct = round(100 * (v["kfor_strength_001"] - v["kfor_initial_002"]) / '
            'v["kfor_initial_002"], 1)',
            V + 'kfor_change_pct = round((v["kfor_strength_001"] / v["kfor_initial_002"] - 1) * '
            '100, 1)',
            'old = troop_figures.loc[troop_figures["figure_id"] == "kfor_initial_002", "value"]'
            '.item()\nnew = troop_figures.loc[troop_figures["figure_id"] == "kfor_strength_001", '
            '"value"].item()\nkfor_change_pct = round((new - old) / old * 100, 1)',
            V + 'import numpy as np\nkfor_change_pct = np.round(100 * (v["kfor_strength_001"] - '
            'v["kfor_initial_002"]) / v["kfor_initial_002"], 1)',
        ],
        "wrong": [
            V + 'kfor_change_pct = round(100 * (v["kfor_initial_002"] - v["kfor_strength_001"]) / '
            'v["kfor_initial_002"], 1)',
            V + 'kfor_change_pct = round(100 * v["kfor_strength_001"] / v["kfor_initial_002"], 1)',
            V + 'kfor_change_pct = int(v["kfor_strength_001"] - v["kfor_initial_002"])',
            V + 'kfor_change_pct = round(100 * (v["kfor_strength_001"] - v["kfor_initial_002"]) / '
            'v["kfor_strength_001"], 1)',
            V + 'kfor_change_pct = round(100 * (v["kfor_strength_003"] - v["kfor_initial_002"]) / '
            'v["kfor_initial_002"], 1)',
        ],
    },
    "08-chart": {
        "right": [
            'briefing_chart = alt.Chart(claims[["theme", "stance", "source_id"]]).mark_bar()'
            '.encode(x="count():Q", y="theme:N", '
            'color="stance:N", tooltip=["theme:N", "stance:N", "count():Q"]).properties('
            'title="Which themes warn, which reassure?")',
            'briefing_chart = alt.Chart(troop_figures[troop_figures["measure"] == "strength"])'
            '.mark_point().encode(x="as_of_date:T", y="value:Q", color="mission_id:N", '
            'tooltip=["source_id:N", "value:Q"]).properties(title="Have the missions shrunk '
            'since 2023?")',
            THEMES + 'briefing_chart = alt.Chart(claims[claims["theme"].isin(question_themes)]).mark_bar()'
            '.encode(x="count():Q", y=alt.Y("source_id:N", sort="-x"), color="stance:N", '
            'tooltip=["source_id", "count()"]).properties(title="Which articles warn about a '
            'shift to Ukraine?")',
        ],
        "wrong": [
            'briefing_chart = alt.Chart(pd.DataFrame({"mission": ["KFOR", "EUFOR"], "troops": '
            '[4600, 1100]})).mark_bar().encode(x="troops:Q", y="mission:N", tooltip=['
            '"troops:Q"]).properties(title="Size")',
            'briefing_chart = alt.Chart(claims).mark_bar().encode(x="count():Q", y="theme:N")',
            'briefing_chart = claims[["theme", "stance"]]',
            'briefing_chart = alt.Chart(claims[["theme", "stance", "source_id"]]).mark_bar()'
            '.encode(x="count():Q", y="theme:N", '
            'tooltip=["theme:N"])',
        ],
    },
    "08-table": {
        "right": [
            'briefing_table = troop_figures.loc[troop_figures["figure_id"].isin(['
            '"kfor_strength_001", "kfor_us_contingent_001"]), ["mission_id", "value", '
            '"source_id"]]',
            'briefing_table = question_claims.head(8)',
            'briefing_table = troop_figures[troop_figures["measure"] == "strength"][['
            '"figure_id", "mission_id", "value", "wording", "source_id"]]',
        ],
        "wrong": [
            'briefing_table = pd.DataFrame({"mission_id": ["kfor"], "value": [5500], '
            '"source_id": ["kap_rutte_2025_03_10"]})',
            'briefing_table = troop_figures[["mission_id", "measure", "value"]].head(4)',
            'briefing_table = claims[["claim_id", "theme", "stance", "source_id"]]',
            'briefing_table = troop_figures.head(0)',
        ],
    },
    "08-length": {
        "right": [
            'assessment = assessment',
            f'assessment = {WORDS * 40!r} + "[rel_focus_2025_04]"',
            f'assessment = "**To:** a newsroom in Sarajevo. " + {WORDS * 60!r}',
            'assessment = " ".join(["word"] * 800)',
        ],
        "wrong": [
            'assessment = " ".join(assessment.split()[:400])',
            'assessment = assessment + assessment',
            'assessment = ""',
            # the one-page note of lesson 08's worked example is far too short for the paper
            f'assessment = {WORDS * 6!r}',
            f'assessment = {WORDS * 70!r}',
            'assessment = " ".join(["word"] * 799)',
        ],
    },
    "08-citations": {
        "right": [
            'assessment = assessment',
            f'assessment = "{WORDS}[kap_rutte_2025_03_10] {WORDS}[brief_2025_04_02; '
            f'reaction_2023]"',
            f'assessment = "{WORDS}[rel_focus_2025_04] [iria_2023] and [brief_2025_04_02]."',
            # a claim id cites the article the claim comes from
            f'assessment = "{WORDS}[c001_rutte_not_1992] [c003_dodik_backed] and [reaction_2023]."',
        ],
        "wrong": [
            'import re\nassessment = re.sub(r"\\[[^\\]]*\\]", "", assessment) + " '
            '[kap_rutte_2025_03_10] [brief_2025_04_02] [kap_rutte_2025_03_10]"',
            'assessment = assessment + " [reuters_2025_05_01]"',
            'import re\nassessment = re.sub(r"\\[[^\\]]*\\]", "", assessment)',
            f'assessment = "{WORDS}(rel_focus_2025_04) (iria_2023) (brief_2025_04_02)"',
            # three claims, all from one article
            f'assessment = "{WORDS}[c001_rutte_not_1992] [c001_hegseth_not_forever] '
            f'[c001_dod_no_changes]"',
            f'assessment = "{WORDS}[c003_dodik_backd] [iria_2023] [reaction_2023] [rel_focus_2025_04]"',
        ],
    },
}
