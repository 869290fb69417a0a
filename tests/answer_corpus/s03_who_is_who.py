# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 03 (who is who)."""

from .charts import add_descriptions

A_COLS = '["actor_id", "name", "actor_type"]'
CV_COLS = '["claim_id", "speaker_id", "voice", "actor_type", "source_id"]'
ONE = 'one = claims_voice[claims_voice["source_id"] == "kap_rutte_2025_03_10"]\n'
TIP = '["name:N", "voice:N", "claims:Q"]'
TWO = 'two = claims_voice[claims_voice["speaker_id"].isin(["mark_rutte", "albin_kurti"])]\n'

CORPUS = {
    "03-analysts": {
        "right": [
            f'one_voice = actors.loc[actors["voice"] == "analyst", {A_COLS}]\n'
            'one_voice = one_voice.sort_values("name")',
            f'one_voice = actors[actors["voice"] == "analyst"].sort_values("name")[{A_COLS}]',
            f'one_voice = actors.query("voice == \'analyst\'")[{A_COLS}].sort_values(by="name", '
            'ignore_index=True)',
            f'one_voice = actors.sort_values("name").loc[lambda t: t["voice"].eq("analyst"), '
            f'{A_COLS}]',
        ],
        "wrong": [
            f'one_voice = actors.loc[actors["voice"] == "official", {A_COLS}].sort_values("name")',
            f'one_voice = actors.loc[actors["voice"] == "analyst", {A_COLS}]',
            f'one_voice = actors.loc[actors["voice"].isin(["analyst", "journalist"]), {A_COLS}]'
            '.sort_values("name")',
            f'one_voice = actors.loc[actors["voice"] == "analyst", {A_COLS}].sort_values("name", '
            'ascending=False)',
            f'one_voice = actors.loc[actors["voice"] == "analyst", {A_COLS}].sort_values('
            '"actor_id")',
        ],
    },
    "03-claims-voice": {
        "right": [
            'claims_voice = claims.merge(actors[["actor_id", "voice", "actor_type"]], '
            f'left_on="speaker_id", right_on="actor_id", how="left")[{CV_COLS}]',
            'claims_voice = claims.merge(actors, left_on="speaker_id", right_on="actor_id")'
            f'[{CV_COLS}].sort_values("claim_id")',
            'speaker = actors.set_index("actor_id")\n'
            'claims_voice = claims.assign(voice=claims["speaker_id"].map(speaker["voice"]), '
            f'actor_type=claims["speaker_id"].map(speaker["actor_type"]))[{CV_COLS}]',
            'claims_voice = actors[["actor_id", "voice", "actor_type"]].rename(columns={"actor_id": '
            f'"speaker_id"}}).merge(claims, on="speaker_id", how="right")[{CV_COLS}]',
        ],
        "wrong": [
            'claims_voice = claim_sources.merge(claims[["claim_id", "speaker_id"]], on='
            '"claim_id").merge(actors, left_on="speaker_id", '
            f'right_on="actor_id")[{CV_COLS}]',
            'claims_voice = claims.merge(actors, left_on="source_id", '
            f'right_on="actor_id")[{CV_COLS}]',
            'claims_voice = claims.merge(actors[["actor_id", "voice"]], left_on="speaker_id", '
            'right_on="actor_id")[["claim_id", "speaker_id", "voice", "source_id"]]',
            'claims_voice = claims.merge(actors, left_on="speaker_id", right_on="actor_id")'
            '[["claim_id", "voice", "actor_type", "speaker_id", "source_id"]]',
        ],
    },
    "03-voice-counts": {
        "right": [
            ONE + 'per_voice = one["voice"].value_counts()',
            'per_voice = claims_voice.query("source_id == \'kap_rutte_2025_03_10\'")'
            '.groupby("voice").size()',
            ONE + 'per_voice = one["voice"].value_counts().to_dict()',
            'per_voice = claims_voice.loc[claims_voice["source_id"].eq("kap_rutte_2025_03_10")]'
            '.groupby("voice")["claim_id"].count().sort_values()',
        ],
        "wrong": [
            'per_voice = actors["voice"].value_counts()',
            'per_voice = claims_voice["voice"].value_counts()',
            ONE + 'per_voice = one["voice"].value_counts(normalize=True)',
            ONE + 'per_voice = one.groupby("voice")["speaker_id"].nunique()',
        ],
    },
    "03-analyst-percent": {
        "right": [
            # the same result from another set-up table (claims + actors)
            'both = claims.merge(actors, left_on="speaker_id", right_on="actor_id", how="left")\nvoice_percent = round(100 * (both["voice"] == "analyst").mean(), 1)',
            'voice_percent = round(100 * (claims_voice["voice"] == "analyst").sum() / '
            'len(claims_voice), 1)',
            'voice_percent = round((claims_voice["voice"] == "analyst").mean() * 100, 1)',
            'voice_percent = round(claims_voice["voice"].value_counts(normalize=True)'
            '["analyst"] * 100, 1)',
            'import numpy as np\nvoice_percent = np.round(100 * claims_voice["voice"].eq('
            '"analyst").mean(), 1)',
        ],
        "wrong": [
            'voice_percent = round(100 * (actors["voice"] == "analyst").mean(), 1)',
            'w = claim_sources.merge(claims_voice[["claim_id", "voice"]], on="claim_id")\n'
            'voice_percent = round(100 * (w["voice"] == "analyst").mean(), 1)',
            'voice_percent = 100 * (claims_voice["voice"] == "analyst").mean()',
            'voice_percent = round((claims_voice["voice"] == "analyst").mean(), 1)',
            'voice_percent = int((claims_voice["voice"] == "analyst").sum())',
        ],
    },
    "03-rutte-kurti": {
        "right": [
            TWO + 'two_speakers = pd.crosstab(two["speaker_id"], two["source_id"])',
            TWO + 'two_speakers = two.pivot_table(index="speaker_id", columns="source_id", '
            'values="claim_id", aggfunc="count", fill_value=0)',
            TWO + 'two_speakers = two.groupby(["speaker_id", "source_id"]).size().unstack('
            'fill_value=0)',
            TWO + 'two_speakers = pd.crosstab(two["speaker_id"], two["source_id"]).loc['
            '["mark_rutte", "albin_kurti"]].iloc[:, ::-1]',
            TWO + 'two_speakers = pd.crosstab(two["speaker_id"], two["source_id"]).reset_index()',
        ],
        "wrong": [
            TWO + 'two_speakers = pd.crosstab(two["source_id"], two["speaker_id"])',
            TWO + 'two_speakers = two.pivot_table(index="speaker_id", columns="source_id", '
            'values="claim_id", aggfunc="count")',
            'two_speakers = pd.crosstab(claims_voice["speaker_id"], claims_voice["source_id"])',
            TWO + 'two_speakers = pd.crosstab(two["speaker_id"], two["source_id"], margins=True)',
            TWO + 'two_speakers = two.pivot_table(index="speaker_id", columns="source_id", '
            'values="claim_id", aggfunc="count", fill_value=0).astype(bool)',
        ],
    },
    "03-kosovo-partners": {
        "right": [
            'as_a = pairs[pairs["actor_a"] == "kosovo"].rename(columns={"actor_b": "partner"})\n'
            'as_b = pairs[pairs["actor_b"] == "kosovo"].rename(columns={"actor_a": "partner"})\n'
            'partners = pd.concat([as_a, as_b]).sort_values(["total", "partner"], '
            'ascending=[False, True])[["partner", "total"]].head(5).reset_index(drop=True)',
            'w = pairs[(pairs["actor_a"] == "kosovo") | (pairs["actor_b"] == "kosovo")].copy()\n'
            'w["partner"] = w["actor_a"].where(w["actor_b"] == "kosovo", w["actor_b"])\n'
            'partners = w.sort_values(["total", "partner"], ascending=[False, True])'
            '[["partner", "total"]].head(5).reset_index(drop=True)',
            'both = pd.concat([pairs[pairs["actor_a"] == "kosovo"].rename(columns={"actor_b": '
            '"partner"}), pairs[pairs["actor_b"] == "kosovo"].rename(columns={"actor_a": '
            '"partner"})])\npartners = both.sort_values(["total", "partner"], '
            'ascending=[False, True])[["partner", "total"]].head(5).reset_index(drop=True)',
            'import numpy as np\nw = pairs.query("actor_a == \'kosovo\' or actor_b == '
            '\'kosovo\'").assign(partner=lambda t: np.where(t["actor_a"] == "kosovo", '
            't["actor_b"], t["actor_a"]))\npartners = w[["partner", "total"]]'
            '.sort_values(["total", "partner"], ascending=[False, True]).iloc[:5]'
            '.reset_index(drop=True)',
            'rows = [(b if a == "kosovo" else a, t) for a, b, t in zip(pairs["actor_a"], '
            'pairs["actor_b"], pairs["total"]) if "kosovo" in (a, b)]\n'
            'partners = pd.DataFrame(sorted(rows, key=lambda r: (-r[1], r[0]))[:5], '
            'columns=["partner", "total"])',
        ],
        "wrong": [
            'as_a = pairs[pairs["actor_a"] == "kosovo"].rename(columns={"actor_a": "partner"})\n'
            'as_b = pairs[pairs["actor_b"] == "kosovo"].rename(columns={"actor_b": "partner"})\n'
            'partners = pd.concat([as_a, as_b]).sort_values(["total", "partner"], '
            'ascending=[False, True])[["partner", "total"]].head(5).reset_index(drop=True)',
            'as_a = pairs[pairs["actor_a"] == "kosovo"].rename(columns={"actor_b": "partner"})\n'
            'as_b = pairs[pairs["actor_b"] == "kosovo"].rename(columns={"actor_a": "partner"})\n'
            'partners = pd.concat([as_a, as_b]).sort_values(["total", "partner"], '
            'ascending=[False, True])[["partner", "claims"]].head(5).reset_index(drop=True)',
            'w = pairs[pairs["actor_a"] == "kosovo"].rename(columns={"actor_b": "partner"})\n'
            'partners = w.sort_values(["total", "partner"], ascending=[False, True])'
            '[["partner", "total"]].head(5).reset_index(drop=True)',
            'w = pairs[pairs["actor_b"] == "kosovo"].rename(columns={"actor_a": "partner"})\n'
            'partners = w.sort_values(["total", "partner"], ascending=[False, True])'
            '[["partner", "total"]].head(5).reset_index(drop=True)',
            'w = pairs[(pairs["actor_a"] == "kosovo") | (pairs["actor_b"] == "kosovo")].copy()\n'
            'w["partner"] = w["actor_a"].where(w["actor_b"] == "kosovo", w["actor_b"])\n'
            'partners = w.sort_values(["total", "partner"], ascending=[False, True])'
            '[["partner", "total"]].reset_index(drop=True)',
            'w = pairs[(pairs["actor_a"] == "kosovo") | (pairs["actor_b"] == "kosovo")].copy()\n'
            'w["partner"] = w["actor_b"]\n'
            'partners = w.sort_values(["total", "partner"], ascending=[False, True])'
            '[["partner", "total"]].head(5).reset_index(drop=True)',
            'w = pairs[(pairs["actor_a"] == "kosovo") | (pairs["actor_b"] == "kosovo")].copy()\n'
            'w["partner"] = w["actor_a"].where(w["actor_b"] == "kosovo", w["actor_b"])\n'
            'partners = w.sort_values("total")[["partner", "total"]].tail(5)'
            '.reset_index(drop=True)',
        ],
    },
    "03-speaker-chart": {
        "right": [
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x=alt.X("claims:Q", '
            'title="Claims"), y=alt.Y("name:N", title=None, sort="-x"), color=alt.Color('
            f'"voice:N", title="Voice"), tooltip={TIP}).properties(title="Who makes the most '
            'claims, and with which voice?")',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            'y=alt.Y("name:N", sort=alt.EncodingSortField(field="claims", order="descending")), '
            f'color=alt.Color("voice:N", sort=["official", "analyst", "journalist", "other"]), '
            f'tooltip={TIP}).properties(title="Which ten speakers make the most claims?")',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims", '
            'y=alt.Y("name", sort="-x"), color="voice", tooltip=["name", "voice", "claims"])'
            '.properties(title="Who speaks most often in the articles, and as what?", '
            'width=400)',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            'y=alt.Y("name:N", sort="-x"), color=alt.Color("voice:N", scale=alt.Scale('
            'scheme="dark2")), tooltip=[alt.Tooltip("name:N", title="Speaker"), '
            'alt.Tooltip("voice:N"), alt.Tooltip("claims:Q", title="Claims")]).properties('
            'title="Busiest speakers: officials or analysts?")',
        ],
        "wrong": [
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            f'y=alt.Y("name:N", sort="-x"), tooltip={TIP}).properties(title="Who makes the '
            'most claims?")',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            f'y="name:N", color="voice:N", tooltip={TIP}).properties(title="Who makes the '
            'most claims?")',
            'speaker_chart = alt.Chart(speaker_counts).mark_point().encode(x="claims:Q", '
            f'y=alt.Y("name:N", sort="-x"), color="voice:N", tooltip={TIP}).properties('
            'title="Who makes the most claims?")',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            f'y=alt.Y("name:N", sort="-x"), color="voice:N", tooltip={TIP}).properties('
            'title="Speakers")',
            'speaker_chart = alt.Chart(speaker_counts).mark_bar().encode(x="claims:Q", '
            f'y=alt.Y("name:N", sort="x"), color="voice:N", tooltip={TIP}).properties('
            'title="Who makes the most claims?")',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "03-speaker-chart": ("speaker_chart", "Bars of the claims of the busiest speakers, coloured by a trait of each."),
})
