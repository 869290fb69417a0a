"""Budgets, a pledge and a plan: money figures in comparable units (lesson 05).

The articles give four money figures (data/money.csv): Kosovo's defence budget for 2025 and
its rise on 2024, Albin Kurti's pledge for the security forces, and the European
defence plan that Jeta Losaj mentions. They differ in size by more than three orders of
magnitude, and also in kind: one year or several, a planned budget or a promise, a firm number
or a lower bound. The functions below keep those differences visible.

- `derive_previous_budget` and `growth_rate`: the arithmetic behind "54 million more".
- `with_previous_budget`: the money table plus one derived row (Kosovo's 2024 budget), marked
  as derived so it can never pass for a printed figure.
- `describe_money`: one row per figure with who pays, what kind of figure it is and for how long.
- `convert_units`: euros to million or billion euros.
- `compare_figures`: the widget's table (or a message when the selection makes no sense).
- `comparison_cautions`: plain-language warnings when a comparison mixes kinds of figures.
- `comparison_chart` and `money_comparison`: the chart for a selection, on a linear or log scale.
- `capability_claims`: what the articles say about military capabilities, with the speaker.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from balkan_course.charts import source_lines

# Divide an amount in euros by these to express it in the unit.
UNITS = {"euros": 1.0, "million euros": 1e6, "billion euros": 1e9}
SCALES = ("linear", "log")

PREVIOUS_BUDGET_ID = "kosovo_mod_budget_2024_derived"

# Short names for charts and the widget's list (the `item` column is a full sentence).
SHORT_LABELS = {
    "kosovo_mod_budget_2025": "Kosovo defence budget 2025",
    PREVIOUS_BUDGET_ID: "Kosovo defence budget 2024 (derived)",
    "kosovo_mod_increase_2025": "Rise in Kosovo's budget, 2024 to 2025",
    "kurti_security_pledge": "Kurti's pledge for the security forces",
    "europe_defence_plan_800bn": "European defence plan",
}

# What kind of figure each measure is, and whether it is money already committed.
KIND_OF_MEASURE = {
    "annual_budget": "budget for one year",
    "increase": "change between two budgets",
    # The portal article says only that Kurti pledged while seeking a new term, not where.
    "pledge": "pledge",
    "plan": "announced plan",
}
STATUS_OF_MEASURE = {
    "annual_budget": "planned (budgeted), not yet spent",
    "increase": "difference of two planned budgets",
    "pledge": "promised, not budgeted",
    "plan": "announced, not budgeted",
}
# Who would pay, in our words (the `actor_id` says who budgets, pledges or plans).
PAYER_OF_ACTOR = {
    "kosovo_ministry_of_defence": "Kosovo (state budget)",
    "albin_kurti": "Kosovo (state budget, if the promise is kept)",
    "europe": "European states (who exactly is not said)",
}
LOWER_BOUND_QUALIFIERS = ("more_than", "over")
QUALIFIER_WORDS = {"exact": "", "about": "about", "approximately": "approximately",
                   "roughly": "roughly", "more_than": "more than", "over": "over",
                   "derived": "derived:"}


def derive_previous_budget(current: float, increase: float) -> float:
    """The earlier budget, when a source gives this year's budget and the rise on last year."""
    return current - increase


def growth_rate(previous: float, current: float) -> float:
    """Percent change from `previous` to `current` (35.0 means +35 %)."""
    if previous == 0:
        raise ValueError("The previous value is 0: a growth rate from zero is not defined.")
    return (current - previous) / previous * 100


def convert_units(amount, unit: str):
    """An amount in euros expressed in `unit` ("euros", "million euros", "billion euros").

    Works on a number or element-wise on a pandas Series.
    """
    if unit not in UNITS:
        raise ValueError(f"Unknown unit {unit!r}. Choose one of: {', '.join(UNITS)}.")
    return amount / UNITS[unit]


def format_euros(amount: float) -> str:
    """A readable amount: '207.8 million euros', '800 billion euros', '1 billion euros'."""
    for unit, factor in (("billion", 1e9), ("million", 1e6)):
        if abs(amount) >= factor:
            return f"{amount / factor:,.1f}".removesuffix(".0") + f" {unit} euros"
    return f"{amount:,.0f} euros"


def with_previous_budget(money: pd.DataFrame) -> pd.DataFrame:
    """The money table plus a derived row for Kosovo's 2024 defence budget.

    The row is computed (2025 budget minus the increase), not printed in any article: its
    `qualifier` is "derived" and the new column `derived` is True for it only.
    """
    budget = money.loc[money["money_id"] == "kosovo_mod_budget_2025"]
    increase = money.loc[money["money_id"] == "kosovo_mod_increase_2025"]
    table = money.copy()
    table["derived"] = False
    if budget.empty or increase.empty:
        return table
    current = float(budget["amount"].iloc[0])
    rise = float(increase["amount"].iloc[0])
    row = {
        "money_id": PREVIOUS_BUDGET_ID,
        "actor_id": "kosovo_ministry_of_defence",
        "mentioned_by_id": pd.NA,
        "item": "Budget of Kosovo's Ministry of Defence for 2024, derived from the 2025 budget "
                "and its increase",
        "measure": "annual_budget",
        "amount": derive_previous_budget(current, rise),
        "currency": "EUR",
        "qualifier": "derived",
        "wording": "",
        "period": "2024",
        "year": 2024,
        "source_id": budget["source_id"].iloc[0],
        "note": "Not printed in the article: 2025 budget minus the rise on 2024.",
        "derived": True,
    }
    extra = pd.DataFrame([{column: row.get(column, pd.NA) for column in table.columns}])
    extra = extra.astype(table.dtypes.to_dict())
    return pd.concat([table, extra], ignore_index=True)


def _period_kind(period: str) -> str:
    if period == "multi-year":
        return "several years"
    if period == "unspecified" or pd.isna(period):
        return "not stated"
    return "one year"


def describe_money(money: pd.DataFrame) -> pd.DataFrame:
    """One row per money figure: label, who pays, kind, period, status, lower bound, source."""
    table = money.copy()
    if "derived" not in table:
        table["derived"] = False
    table["label"] = table["money_id"].map(SHORT_LABELS).fillna(table["item"])
    table["payer"] = table["actor_id"].map(PAYER_OF_ACTOR).fillna(table["actor_id"])
    table["kind"] = table["measure"].map(KIND_OF_MEASURE).fillna(table["measure"])
    table["period_kind"] = table["period"].map(_period_kind)
    table["status"] = table["measure"].map(STATUS_OF_MEASURE).fillna("")
    table["lower_bound"] = table["qualifier"].isin(LOWER_BOUND_QUALIFIERS)
    table["reported"] = [f"{QUALIFIER_WORDS.get(q, q)} {format_euros(a)}".strip()
                         for q, a in zip(table["qualifier"], table["amount"], strict=True)]
    columns = ["money_id", "label", "payer", "kind", "period", "period_kind", "status",
               "reported", "amount", "qualifier", "lower_bound", "derived", "source_id"]
    return table[columns]


def compare_figures(money: pd.DataFrame, ids, unit: str = "million euros") -> pd.DataFrame | str:
    """The chosen figures in one unit, largest first, or a message if the choice is empty or odd.

    `money` is the money table (with or without the derived 2024 row); `ids` the chosen
    money_id values; `unit` one of UNITS. Adds `value` (the amount in the unit) and
    `orders_of_magnitude` (log10 of the amount in euros: 8.3 means about 2 x 10^8 euros).
    """
    ids = list(ids or [])
    if not ids:
        return "Choose at least one figure in the list to compare."
    if unit not in UNITS:
        return f"Unknown unit {unit!r}. Choose one of: {', '.join(UNITS)}."
    unknown = sorted(set(ids) - set(money["money_id"]))
    if unknown:
        return (f"No money figure has the id {', '.join(unknown)}. "
                f"Known ids: {', '.join(money['money_id'])}.")
    table = describe_money(money.loc[money["money_id"].isin(ids)])
    table["unit"] = unit
    table["value"] = convert_units(table["amount"].astype(float), unit)
    table["orders_of_magnitude"] = [round(math.log10(a), 2) if a > 0 else float("nan")
                                    for a in table["amount"].astype(float)]
    return table.sort_values(["amount", "money_id"], ascending=[False, True], ignore_index=True)


def comparison_cautions(table: pd.DataFrame) -> list[str]:
    """Warnings, in plain words, about what a comparison of these figures mixes up."""
    if isinstance(table, str) or table.empty:
        return []
    cautions = []
    kinds = sorted(set(table["period_kind"]))
    if len(kinds) > 1:
        groups = "; ".join(
            f"{kind}: {', '.join(table.loc[table['period_kind'] == kind, 'label'])}"
            for kind in kinds
        )
        cautions.append(f"Mixed periods ({groups}). A yearly figure and a figure spread over "
                        "several (or unstated) years cannot be compared head-on.")
    if table["kind"].nunique() > 1:
        cautions.append("Mixed kinds of figure: "
                        + ", ".join(sorted(set(table["kind"])))
                        + ". A budget, a promise and a plan are not the same sort of money.")
    if table["payer"].nunique() > 1:
        cautions.append("Different payers: " + "; ".join(sorted(set(table["payer"]))) + ".")
    for label in table.loc[table["lower_bound"], "label"]:
        cautions.append(f"{label} is a lower bound ('more than'): the true amount is higher.")
    for label in table.loc[table["derived"].astype(bool), "label"]:
        cautions.append(f"{label} is computed by us from two printed figures, not printed itself.")
    return cautions


def comparison_chart(table: pd.DataFrame, scale: str = "linear") -> alt.Chart:
    """Bars (linear scale) or dots (log scale) for a table made by `compare_figures`.

    On a log scale a bar's length means nothing (the axis has no zero), so dots are drawn.
    """
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}. Choose one of: {', '.join(SCALES)}.")
    unit = table["unit"].iloc[0]
    data = table.drop(columns=["amount"]).assign(amount_eur=table["amount"].astype(float))
    x_title = f"Amount ({unit}{', log scale' if scale == 'log' else ''})"
    if scale == "log":
        # Gridlines at the powers of ten only: each one is ten times the one before.
        values = data["value"].loc[data["value"] > 0]
        low, high = math.floor(math.log10(values.min())), math.ceil(math.log10(values.max()))
        ticks = [10.0**k for k in range(low, high + 1)]
        x = alt.X("value:Q", title=x_title,
                  scale=alt.Scale(type="log", domain=[ticks[0], ticks[-1]]),
                  axis=alt.Axis(values=ticks, format=",~f"))
    else:
        x = alt.X("value:Q", title=x_title, scale=alt.Scale(zero=True),
                  axis=alt.Axis(format=",~f"))
    base = alt.Chart(data)
    mark = base.mark_point(filled=True, size=160) if scale == "log" else base.mark_bar()
    caution = comparison_cautions(table)
    title = alt.Title(
        f"How large are the chosen money figures? ({unit}, {scale} scale)",
        subtitle=(["Caution: these figures differ in period or kind (see the notes below)."]
                  if caution else ["All chosen figures are of the same kind."])
        + source_lines(table["source_id"]),
    )
    listed = "; ".join(f"{row.label}: {row.reported}" for row in data.itertuples())
    description = (
        f"{'Dot' if scale == 'log' else 'Bar'} chart comparing {len(data)} money figures in "
        f"{unit} on a {scale} scale, largest first: {listed}."
    )
    return mark.encode(
        x=x,
        y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("period_kind:N", title="Period covered",
                        sort=["one year", "several years", "not stated"]),
        tooltip=[
            alt.Tooltip("label:N", title="Figure"),
            alt.Tooltip("reported:N", title="As reported"),
            alt.Tooltip("value:Q", title=f"In {unit}", format=",.1f"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("period:N", title="Period"),
            alt.Tooltip("payer:N", title="Who pays"),
            alt.Tooltip("source_id:N", title="Source"),
        ],
    ).properties(title=title, description=description, width=420, height=alt.Step(34))


def money_comparison(money: pd.DataFrame, ids, unit: str = "million euros",
                     scale: str = "linear") -> alt.Chart | str:
    """The widget's result: a chart of the chosen figures, or a message explaining the problem."""
    if scale not in SCALES:
        return f"Unknown scale {scale!r}. Choose one of: {', '.join(SCALES)}."
    table = compare_figures(money, ids, unit)
    if isinstance(table, str):
        return table
    return comparison_chart(table, scale)


# What the articles say about military capabilities, and whose capabilities each claim is
# about (our coding; the claims themselves are in data/claims.csv).
CAPABILITY_CLAIMS = {
    "c000_kurti_pledge": "Kosovo",
    "c001_kastrati_cannot_defend": "Kosovo",
    "c000_less_build_army": "Kosovo",
    "c000_karcic_help_kosovo": "Kosovo",
    "c000_losaj_cooperation_initiative": "Kosovo",
    "c004_kurti_need_nato": "Serbia",
    "c004_kurti_cannot_compete": "Serbia",
    "c004_kurti_russia_china_equipment": "Serbia",
    "c004_kirby_buildup": "Serbia",
    "c002_russia_armed_serbia": "Serbia",
    "c002_marshall_rs_police": "Republika Srpska",
}


def capability_claims(claims: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """The claims about military capabilities, with speaker, voice and whose forces they concern."""
    rows = claims.loc[claims["claim_id"].isin(list(CAPABILITY_CLAIMS))]
    rows = rows.merge(actors[["actor_id", "name", "voice"]], left_on="speaker_id",
                      right_on="actor_id", how="left")
    rows["capabilities_of"] = rows["claim_id"].map(CAPABILITY_CLAIMS)
    columns = ["claim_id", "capabilities_of", "name", "voice", "stance", "paraphrase",
               "source_id"]
    order = {claim_id: i for i, claim_id in enumerate(CAPABILITY_CLAIMS)}
    rows = rows.assign(_order=rows["claim_id"].map(order)).sort_values("_order")
    return rows[columns].rename(columns={"name": "speaker"}).reset_index(drop=True)
