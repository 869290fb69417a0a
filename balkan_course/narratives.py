"""Claims, forecasts and scenarios: how the sources reason about the future (lesson 07).

The functions take the course's tables as DataFrames (load them with
`balkan_course.load_table`) and return DataFrames, charts or a friendly message string, so
that a notebook can show them, a widget can call them and a test can check them.

- `ICD203_SCALE` is the public US scale of estimative words (Intelligence Community
  Directive 203) with its probability ranges; `OUR_MAPPINGS` lists words that are not on it
  and how *we* read them (an assumption of this course, not part of the directive).
- `forecast_probabilities` puts a probability range next to each forecast's wording.
- `forecast_windows` and `horizons_passed` turn "3-12 months" into calendar dates and say,
  for a chosen date, whether each horizon has ended. They never say whether a forecast
  came true: the sources stop in April 2025.
- `forecast_timeline_chart` draws the forecasts as probability ranges over their horizons.
- `recode` and `coding_agreement` let a student code claims differently and compare.
- `SCENARIO_RULES` is a hand-written, open rule table linking claims to the settings of a
  "what if Europe changes focus" scenario; `claims_for_scenario` and `scenario_chart`
  apply it. The rules are our reading of the claims and can be argued with.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from balkan_course.charts import source_lines, sourced_title

# ---------------------------------------------------------------- coding scheme

STANCE_ORDER = ["warning", "neutral", "reassuring"]
# Vermilion, grey and blue stay apart for the common kinds of colour blindness.
STANCE_COLOURS = ["#D55E00", "#BBBBBB", "#0072B2"]

# The lesson's four threads, each a group of the codebook's themes.
THREADS = {
    "Europe's attention and Ukraine": ["reallocation_to_ukraine", "ukraine_shift"],
    "Russia and disinformation": ["russia_role", "disinformation"],
    "The US posture": ["us_posture"],
    "The Republika Srpska crisis": ["republika_srpska"],
}


def claims_with_speakers(claims: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Claims with the speaker's name and voice (official, analyst, journalist, other)."""
    speakers = actors[["actor_id", "name", "voice"]].rename(
        columns={"actor_id": "speaker_id", "name": "speaker"})
    return claims.merge(speakers, on="speaker_id", how="left", validate="many_to_one")


def thread_claims(claims: pd.DataFrame, actors: pd.DataFrame, thread: str) -> pd.DataFrame | str:
    """The claims of one thread (see THREADS), oldest first, with speaker and source."""
    if thread not in THREADS:
        return f"Unknown thread {thread!r}. Choose one of: {', '.join(THREADS)}."
    rows = claims_with_speakers(claims, actors)
    rows = rows.loc[rows["theme"].isin(THREADS[thread])]
    columns = ["claim_id", "speaker", "voice", "theme", "stance", "paraphrase", "source_id"]
    return rows.sort_values(["date_end", "claim_id"])[columns].reset_index(drop=True)


def recode(claims: pd.DataFrame, changes: dict, column: str = "stance") -> pd.DataFrame:
    """A copy of `claims` in which some claims get a different code in `column`.

    `changes` maps claim_id -> new code. Unknown claim ids or codes raise ValueError with a
    message that says what to fix (a typo should not pass silently).
    """
    unknown = sorted(set(changes) - set(claims["claim_id"]))
    if unknown:
        raise ValueError(f"No claim with the id(s) {', '.join(unknown)}: check the spelling.")
    allowed = set(claims[column].dropna())
    bad = sorted({code for code in changes.values() if code not in allowed})
    if bad:
        raise ValueError(f"{', '.join(map(repr, bad))} is not a code of {column!r}; "
                         f"use one of {', '.join(sorted(allowed))}.")
    recoded = claims.copy()
    rows = recoded["claim_id"].isin(list(changes))
    recoded.loc[rows, column] = recoded.loc[rows, "claim_id"].map(changes)
    return recoded


def coding_agreement(first: pd.DataFrame, second: pd.DataFrame,
                     column: str = "stance") -> pd.DataFrame:
    """How far two codings of the same claims agree: one row of figures.

    Columns: claims (compared), agreed, percent_agreed, and cohen_kappa, which discounts the
    agreement two coders would reach by chance if each kept their own mix of codes
    (1 = perfect, 0 = no better than chance).
    """
    both = first[["claim_id", column]].merge(second[["claim_id", column]], on="claim_id",
                                            suffixes=("_first", "_second"))
    a, b = both[f"{column}_first"], both[f"{column}_second"]
    n = len(both)
    agreed = int((a == b).sum())
    observed = agreed / n if n else float("nan")
    shares_a, shares_b = a.value_counts(normalize=True), b.value_counts(normalize=True)
    expected = float(sum(shares_a.get(code, 0) * shares_b.get(code, 0) for code in shares_a.index))
    kappa = (observed - expected) / (1 - expected) if n and expected < 1 else float("nan")
    return pd.DataFrame({"claims": [n], "agreed": [agreed],
                         "percent_agreed": [round(100 * observed, 1)],
                         "cohen_kappa": [round(kappa, 3)]})


# ---------------------------------------------------------------- estimative words

# ICD 203 (US Office of the Director of National Intelligence, 2015), "Analytic Standards":
# each pair of words shares one probability range, in percent.
ICD203_SCALE = pd.DataFrame(
    [
        ("almost no chance", "remote", 1, 5),
        ("very unlikely", "highly improbable", 5, 20),
        ("unlikely", "improbable", 20, 45),
        ("roughly even chance", "roughly even odds", 45, 55),
        ("likely", "probable", 55, 80),
        ("very likely", "highly probable", 80, 95),
        ("almost certainly", "nearly certain", 95, 99),
    ],
    columns=["term", "synonym", "p_low", "p_high"],
)

# Words the brief uses that are not on the ICD 203 scale, and how this course reads them.
OUR_MAPPINGS = {
    "highly likely": ("very likely",
                      "our mapping: 'highly likely' is not an ICD 203 term; read as very likely"),
}


def estimate_range(word: str) -> tuple[str | None, float, float, str]:
    """(ICD 203 term, low %, high %, how we got there) for one estimative word."""
    text = " ".join(str(word).casefold().split())
    for row in ICD203_SCALE.itertuples(index=False):
        if text in (row.term, row.synonym):
            return row.term, row.p_low, row.p_high, "ICD 203 term"
    if text in OUR_MAPPINGS:
        term, note = OUR_MAPPINGS[text]
        row = ICD203_SCALE.loc[ICD203_SCALE["term"] == term].iloc[0]
        return term, row["p_low"], row["p_high"], note
    return None, float("nan"), float("nan"), "not on the scale: no range given"


def forecast_probabilities(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Each forecast with the probability range its estimative word stands for.

    Adds icd203_term, p_low and p_high (percent) and mapping, which says whether the word is
    on the ICD 203 scale or read through OUR_MAPPINGS. The ranges translate words, they do not
    measure anything: the brief itself gives no numbers.
    """
    ranges = [estimate_range(word) for word in forecasts["estimative_word"]]
    result = forecasts[["forecast_id", "horizon", "horizon_label", "subject",
                        "estimative_word", "source_id"]].copy()
    result["icd203_term"] = [r[0] for r in ranges]
    result["p_low"] = pd.array([r[1] for r in ranges], dtype="Float64")
    result["p_high"] = pd.array([r[2] for r in ranges], dtype="Float64")
    result["mapping"] = [r[3] for r in ranges]
    return result


# ---------------------------------------------------------------- horizons

HORIZON_ORDER = ["short", "medium", "long"]
STATUS_ORDER = ["ended", "running", "running, no end date", "not started"]


def forecast_windows(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The calendar window of each forecast: issued date + horizon_months_min/max.

    window_end is empty (NaT) for an open-ended horizon such as '>1 year'.
    """
    windows = forecasts[["forecast_id", "horizon", "horizon_label", "subject", "issued_date",
                         "source_id"]].copy()
    starts, ends = [], []
    for row in forecasts.itertuples(index=False):
        starts.append(row.issued_date + pd.DateOffset(months=int(row.horizon_months_min)))
        if pd.isna(row.horizon_months_max):
            ends.append(pd.NaT)
        else:
            ends.append(row.issued_date + pd.DateOffset(months=int(row.horizon_months_max)))
    windows["window_start"] = pd.to_datetime(pd.Series(starts, index=windows.index))
    windows["window_end"] = pd.to_datetime(pd.Series(ends, index=windows.index))
    return windows


def _as_timestamp(as_of) -> pd.Timestamp | None:
    if as_of is None or (not isinstance(as_of, str) and pd.isna(as_of)):
        return None
    try:
        date = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(date) else date.normalize()


def horizons_passed(forecasts: pd.DataFrame, as_of) -> pd.DataFrame | str:
    """For a chosen date, whether each forecast's horizon has ended, is running or is ahead.

    Returns the windows of `forecast_windows` with status ('ended', 'running',
    'running, no end date', 'not started') and horizon_passed (True once the window is over),
    or a message if the date is missing, unreadable or earlier than the forecasts themselves.
    A passed horizon means the forecast can now be checked, not that it was right or wrong.
    """
    date = _as_timestamp(as_of)
    if date is None:
        return "Pick a date to see which forecast horizons have passed."
    if forecasts.empty:
        return "There are no forecasts to look at."
    issued = forecasts["issued_date"].min()
    if date < issued:
        return (f"{date:%-d %B %Y} is before the forecasts were issued ({issued:%-d %B %Y}): "
                "pick a later date.")
    windows = forecast_windows(forecasts)
    status = []
    for start, end in zip(windows["window_start"], windows["window_end"], strict=True):
        if date < start:
            status.append("not started")
        elif pd.isna(end):
            status.append("running, no end date")
        elif date >= end:
            status.append("ended")
        else:
            status.append("running")
    windows["as_of"] = date
    windows["status"] = status
    windows["horizon_passed"] = windows["status"].eq("ended")
    return windows.drop(columns=["issued_date"]).reset_index(drop=True)


def forecast_timeline_chart(forecasts: pd.DataFrame, as_of,
                            years_shown: int = 3) -> alt.FacetChart | str:
    """Each forecast as a box: its horizon on the time axis, its probability range upwards.

    One small panel per forecast, a dashed rule at `as_of`. Open-ended horizons are drawn to
    the edge of the chart (issued date + `years_shown` years). Returns the message of
    `horizons_passed` for a missing or too early date.
    """
    windows = horizons_passed(forecasts, as_of)
    if isinstance(windows, str):
        return windows
    data = windows.merge(forecast_probabilities(forecasts)[
        ["forecast_id", "estimative_word", "icd203_term", "p_low", "p_high", "mapping"]],
        on="forecast_id")
    edge = forecasts["issued_date"].min() + pd.DateOffset(years=years_shown)
    data["window_end_shown"] = data["window_end"].fillna(edge)
    data["window_end_text"] = [f"{end:%-d %b %Y}" if pd.notna(end) else "no end date"
                               for end in data["window_end"]]
    data["range_text"] = [f"{word}: {low:.0f}-{high:.0f}%" for word, low, high in
                          zip(data["estimative_word"], data["p_low"], data["p_high"], strict=True)]
    data["panel"] = data["horizon_label"] + " · " + data["subject"]
    order = data.sort_values(["window_start", "forecast_id"])["panel"].tolist()
    data = data.astype({"p_low": "float64", "p_high": "float64"})
    columns = ["forecast_id", "panel", "horizon", "window_start", "window_end_shown",
               "window_end_text", "status", "estimative_word", "icd203_term", "p_low",
               "p_high", "mapping", "range_text", "as_of", "source_id"]
    data = data[columns]

    x_scale = alt.Scale(domain=[f"{forecasts['issued_date'].min():%Y-%m-%d}",
                                f"{edge:%Y-%m-%d}"])
    base = alt.Chart(data)
    boxes = base.mark_rect(opacity=0.75, stroke="black", strokeWidth=0.5).encode(
        x=alt.X("window_start:T", title="Date (horizon counted from the brief's date)",
                scale=x_scale),
        x2="window_end_shown:T",
        y=alt.Y("p_low:Q", title="Probability (%)", scale=alt.Scale(domain=[0, 100])),
        y2="p_high:Q",
        color=alt.Color("horizon:N", title="Horizon", sort=HORIZON_ORDER),
        tooltip=[
            alt.Tooltip("forecast_id:N", title="Forecast"),
            alt.Tooltip("estimative_word:N", title="Brief's word"),
            alt.Tooltip("icd203_term:N", title="ICD 203 term"),
            alt.Tooltip("p_low:Q", title="From (%)"),
            alt.Tooltip("p_high:Q", title="To (%)"),
            alt.Tooltip("mapping:N", title="Mapping"),
            alt.Tooltip("window_start:T", title="Horizon starts", format="%d %b %Y"),
            alt.Tooltip("window_end_text:N", title="Horizon ends"),
            alt.Tooltip("status:N", title="Status on the chosen date"),
            alt.Tooltip("source_id:N", title="Source"),
        ],
    )
    labels = base.mark_text(align="left", dx=4, dy=-8, fontSize=11).encode(
        x="window_start:T", y="p_high:Q", text="range_text:N")
    rule = base.mark_rule(strokeDash=[4, 3], color="black").encode(
        x="as_of:T", tooltip=[alt.Tooltip("as_of:T", title="Chosen date", format="%d %b %Y")])
    date = data["as_of"].iloc[0]
    return (
        alt.layer(boxes, labels, rule)
        .properties(width=520, height=70)
        .facet(row=alt.Row("panel:N", sort=order, title=None))  # labels: the theme's
        .properties(title={
            "text": "The brief's forecasts: horizon on the time axis, probability upwards",
            "subtitle": [f"Dashed line: {date:%-d %b %Y}. Ranges translate the brief's words "
                         "(ICD 203 scale, our mapping for 'highly likely').",
                         *source_lines(data["source_id"])],
        }, description=(
            f"{len(data)} small panels, one per forecast of the brief. In each, a box spans the "
            "forecast's time horizon and its probability range; a dashed line marks "
            f"{date:%-d %b %Y}. Ranges: " + "; ".join(data["range_text"]) + "."
        ))
    )


# ---------------------------------------------------------------- scenario explorer

ASSUMPTIONS = {
    "european_troops_to_ukraine": ("European troops sent to Ukraine", ["yes", "no"]),
    "us_presence_reduced": ("US military presence in Europe reduced", ["yes", "no"]),
    "eu_attention_balkans": ("Europe's attention to the Balkans", ["high", "low"]),
}

RELATIONS = {
    "supports": "the source expects this setting, or reports steps towards it",
    "opposes": "the source expects the opposite, or reports obstacles to this setting",
    "warns": "the source says this setting would raise risks in the Balkans",
    "reassures": "the source says the Balkans would stay secure even in this setting",
}

# Our reading of the claims, one row per (setting, claim). Left out on purpose, as examples for
# discussion: c000_rutte_too_early (sets a condition, takes no side),
# c003_us_withdrawal_narratives (the brief files stories of a US withdrawal under
# disinformation without saying they are false) and c000_less_two_scenarios for 'high'
# attention (is more militarisation a comfort or a risk?).
_RULES = [
    # European troops sent to Ukraine
    ("european_troops_to_ukraine", "yes", "c000_uk_france_lead", "supports",
     "Britain and France are already putting such a force together."),
    ("european_troops_to_ukraine", "yes", "c000_healey_guarantees", "supports",
     "A minister of one lead country describes the planning as under way."),
    ("european_troops_to_ukraine", "yes", "c000_macron_paris", "supports",
     "Leaders agreed to study the legal side of a force: a step towards it."),
    ("european_troops_to_ukraine", "yes", "c000_less_no_mission", "opposes",
     "Less doubts the mission will be formed at all."),
    ("european_troops_to_ukraine", "yes", "c000_lavrov_unacceptable", "opposes",
     "Moscow's objection is one of the obstacles Less has in mind."),
    ("european_troops_to_ukraine", "yes", "c000_starmer_us_role", "opposes",
     "The mission needs US help that Washington seems slow to offer."),
    ("european_troops_to_ukraine", "yes", "c000_rutte_rethink_presence", "warns",
     "Rutte says it could lead to a rethink of foreign forces in the Balkans."),
    ("european_troops_to_ukraine", "yes", "c000_analysts_less_attention", "warns",
     "Analysts tie a turn towards Ukraine to more risk for Kosovo."),
    ("european_troops_to_ukraine", "yes", "c000_losaj_800bn", "reassures",
     "Losaj expects Europe's forces and new money to cover Kosovo too."),
    ("european_troops_to_ukraine", "no", "c000_less_no_mission", "supports",
     "Less expects no mission, because of the objections."),
    ("european_troops_to_ukraine", "no", "c000_lavrov_unacceptable", "supports",
     "Moscow's objection makes a mission harder to agree."),
    ("european_troops_to_ukraine", "no", "c000_starmer_us_role", "supports",
     "Without US backing the mission may not happen."),
    ("european_troops_to_ukraine", "no", "c000_less_frontline_states", "supports",
     "Less expects Europe to reinforce its eastern members instead."),
    ("european_troops_to_ukraine", "no", "c000_uk_france_lead", "opposes",
     "Work on the force has started."),
    ("european_troops_to_ukraine", "no", "c000_less_two_scenarios", "warns",
     "Backing the eastern states instead would still pull resources from the Balkans."),
    # US presence reduced
    ("us_presence_reduced", "yes", "c001_hegseth_not_forever", "supports",
     "The US defence secretary tells Europe not to count on US troops for ever."),
    ("us_presence_reduced", "yes", "c000_less_kremlin_pressure", "supports",
     "Less reads Washington's signals as less involvement in Europe."),
    ("us_presence_reduced", "yes", "c001_dod_no_changes", "opposes",
     "The Pentagon said no changes to US positions were planned for now."),
    ("us_presence_reduced", "yes", "c001_vejvoda_us_stays_6m", "opposes",
     "Vejvoda doubts US troops could leave Kosovo within six months."),
    ("us_presence_reduced", "yes", "c001_rutte_us_commitment", "opposes",
     "Rutte sees no sign of a dramatic change in the US commitment."),
    ("us_presence_reduced", "yes", "c000_less_kremlin_pressure", "warns",
     "Less expects the Kremlin to feel less pressure, in the Balkans too."),
    ("us_presence_reduced", "yes", "c001_kastrati_cannot_defend", "warns",
     "A smaller foreign presence weighs more if Kosovo cannot defend itself."),
    ("us_presence_reduced", "yes", "c001_vejvoda_kfor_without_us", "reassures",
     "Vejvoda thinks KFOR would stay stable without US soldiers."),
    ("us_presence_reduced", "yes", "c001_vejvoda_guarantee_europeans", "reassures",
     "KFOR's European troops are expected to stay whatever the US does."),
    ("us_presence_reduced", "no", "c001_dod_no_changes", "supports",
     "The Pentagon said no changes were planned for now."),
    ("us_presence_reduced", "no", "c001_vejvoda_us_stays_6m", "supports",
     "Vejvoda expects US troops to stay for at least six months."),
    ("us_presence_reduced", "no", "c001_rutte_us_commitment", "supports",
     "Rutte expects the US commitment to NATO to hold."),
    ("us_presence_reduced", "no", "c001_hegseth_not_forever", "opposes",
     "Hegseth warns Europe that US troops will not stay for ever."),
    # Europe's attention to the Balkans
    ("eu_attention_balkans", "high", "c000_losaj_on_radar", "supports",
     "Losaj expects the Balkans to stay on Europe's agenda."),
    ("eu_attention_balkans", "high", "c000_nato_official_commitment", "supports",
     "NATO says it will keep contributing, whatever else it takes on."),
    ("eu_attention_balkans", "high", "c001_eufor_temporary_increase", "supports",
     "EUFOR added troops as a precaution in March 2025."),
    ("eu_attention_balkans", "high", "c003_missions_increased", "supports",
     "The brief reports that both missions have grown."),
    ("eu_attention_balkans", "high", "c003_visit_reaffirmed", "supports",
     "The brief reads Rutte's tour as a renewed commitment."),
    ("eu_attention_balkans", "low", "c000_losaj_on_radar", "opposes",
     "Losaj expects the region to stay on Europe's agenda."),
    ("eu_attention_balkans", "low", "c000_nato_official_commitment", "opposes",
     "NATO says its commitment to the region continues."),
    ("eu_attention_balkans", "low", "c001_rutte_not_1992", "opposes",
     "Rutte says NATO will not let a security vacuum arise."),
    ("eu_attention_balkans", "low", "c000_analysts_less_attention", "warns",
     "Less attention, in the analysts' view, means more risk for Kosovo."),
    ("eu_attention_balkans", "low", "c000_less_two_scenarios", "warns",
     "Less expects resources to move from the Balkans to the eastern states."),
    ("eu_attention_balkans", "low", "c000_less_signal_to_serbia", "warns",
     "Less thinks Serbia would read it as a free hand."),
    ("eu_attention_balkans", "low", "c000_karcic_security_gaps", "warns",
     "Karčić expects gaps in security and violence that could spread."),
    ("eu_attention_balkans", "low", "c000_karcic_russia_vacuum", "warns",
     "Karčić expects Russia to fill any gap the West leaves."),
    ("eu_attention_balkans", "low", "c000_karcic_troops_deter_serbia", "warns",
     "Karčić credits foreign troops with deterring Serbia."),
    ("eu_attention_balkans", "low", "c002_marshall_only_barrier", "warns",
     "Marshall (via Reaction, 2023) sees the peacekeepers as the main barrier."),
    ("eu_attention_balkans", "low", "c002_fortify_flank", "warns",
     "Reaction (2023) calls leaving the tensions alone short-sighted."),
    ("eu_attention_balkans", "low", "c001_kastrati_cannot_defend", "warns",
     "Kastrati says Kosovo cannot yet defend itself."),
    ("eu_attention_balkans", "low", "c003_wb_unstable", "warns",
     "The brief expects the region to stay unstable and to need NATO and the EU."),
]

SCENARIO_RULES = pd.DataFrame(_RULES, columns=["assumption", "setting", "claim_id", "relation",
                                               "why"])


def _clean_assumptions(assumptions) -> dict | str:
    """{assumption: setting} for the assumptions that are set, or a message."""
    if not isinstance(assumptions, dict):
        return "Give the assumptions as a dict, e.g. {'us_presence_reduced': 'yes'}."
    chosen = {}
    for key, setting in assumptions.items():
        if key not in ASSUMPTIONS:
            return f"Unknown assumption {key!r}. Use: {', '.join(ASSUMPTIONS)}."
        if setting in (None, "", "any"):
            continue
        label, settings = ASSUMPTIONS[key]
        if setting not in settings:
            return (f"{setting!r} is not a setting of {key!r} ({label}); "
                    f"use {' or '.join(settings)}, or 'any' to leave it open.")
        chosen[key] = setting
    if not chosen:
        return ("Set at least one assumption (the others can stay on 'any') to see which "
                "claims bear on it.")
    return chosen


def claims_for_scenario(claims: pd.DataFrame, assumptions: dict,
                        actors: pd.DataFrame | None = None) -> pd.DataFrame | str:
    """The claims that bear on the chosen settings, and how (SCENARIO_RULES).

    `assumptions` maps an assumption of ASSUMPTIONS to its setting ('yes'/'no',
    'high'/'low'; 'any' or None leaves it open). One row per rule that applies: assumption
    (in words), setting, relation, claim_id, speaker, paraphrase, why (our reading) and
    source_id. Returns a message for an empty or odd selection. The table shows what the
    sources say, not what will happen.
    """
    chosen = _clean_assumptions(assumptions)
    if isinstance(chosen, str):
        return chosen
    picked = pd.DataFrame(list(chosen.items()), columns=["assumption", "setting"])
    rows = SCENARIO_RULES.merge(picked, on=["assumption", "setting"])
    rows = rows.merge(claims[["claim_id", "speaker_id", "paraphrase", "source_id"]],
                      on="claim_id", how="inner", validate="many_to_one")
    if actors is not None:
        names = actors.set_index("actor_id")["name"]
        rows["speaker"] = rows["speaker_id"].map(names).fillna(rows["speaker_id"])
    else:
        rows["speaker"] = rows["speaker_id"]
    rows["assumption_order"] = rows["assumption"].map(
        {key: i for i, key in enumerate(ASSUMPTIONS)})
    rows["relation_order"] = rows["relation"].map({key: i for i, key in enumerate(RELATIONS)})
    rows = rows.sort_values(["assumption_order", "relation_order", "claim_id"])
    rows["assumption"] = rows["assumption"].map(lambda key: ASSUMPTIONS[key][0])
    columns = ["assumption", "setting", "relation", "claim_id", "speaker", "paraphrase", "why",
               "source_id"]
    return rows[columns].reset_index(drop=True)


def scenario_chart(table: pd.DataFrame | str) -> alt.Chart | str:
    """Bars counting, for each chosen setting, the claims that support, oppose, warn or reassure.

    Takes the result of `claims_for_scenario` (a message passes straight through).
    """
    if isinstance(table, str):
        return table
    counts = (table.assign(choice=table["assumption"] + ": " + table["setting"])
              .groupby(["choice", "relation"], as_index=False)
              .agg(claims=("claim_id", "size"), sources=("source_id", "nunique")))
    counts["relation_order"] = counts["relation"].map({key: i for i, key in enumerate(RELATIONS)})
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("claims:Q", title="Number of claims", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("choice:N", title=None),
            color=alt.Color("relation:N", title="Relation to the setting",
                            sort=list(RELATIONS), scale=alt.Scale(domain=list(RELATIONS))),
            order=alt.Order("relation_order:Q"),
            tooltip=[alt.Tooltip("choice:N", title="Setting"),
                     alt.Tooltip("relation:N", title="Relation"),
                     alt.Tooltip("claims:Q", title="Claims"),
                     alt.Tooltip("sources:Q", title="Articles")],
        )
        .properties(
            title=sourced_title("What the sources say about the chosen settings",
                                table["source_id"]),
            description=(
                f"Stacked bars counting {len(table)} claims for each chosen setting, coloured "
                "by whether a claim supports, opposes, warns about or plays down the setting."
            ),
            width=420,
        )
    )

