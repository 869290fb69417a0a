# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to the Python primer's practice exercises (p1-p11; practice: never graded), in the
namespace its cells make: the primer's idioms first, then other routes a student may take."""

FIGURES = "[5000, 4600, 4700, 4600]"
KFOR = 'figures["mission"] == "KFOR"'
EUFOR = 'figures["mission"] == "EUFOR Althea"'
HEDGES = '["about", "approximately", "roughly"]'

CORPUS = {
    "p1-gap": {
        "right": [
            "gap = 5000 - 4600",
            f"kfor_figures = {FIGURES}\ngap = max(kfor_figures) - min(kfor_figures)",
            f"gap = sorted({FIGURES})[-1] - sorted({FIGURES})[0]",
            "gap = max(5000, 4600, 4700, 4600) - min(5000, 4600, 4700, 4600)",
            "gap = 5_000 - 4_600",
        ],
        "wrong": [
            "gap = 4600 - 5000",
            'gap = "400"',
            "gap = 5000 - 4700",
            f"gap = max({FIGURES})",
            "gap = 4700 - 4600",
        ],
    },
    "p2-lookup": {
        "right": [
            'eufor = strength["EUFOR Althea"]',
            'eufor = strength.get("EUFOR Althea")',
            "eufor = list(strength.values())[1]",
            'eufor = dict(strength)["EUFOR Althea"]',
        ],
        "wrong": [
            'eufor = strength["KFOR"]',
            'eufor = "1100"',
            "eufor = len(strength)",
            'eufor = strength["EUFOR Althea"] / 1000',
        ],
    },
    "p3-above": {
        "right": [
            "above = [figure for figure in reported_kfor if figure > 4600]",
            "above = []\nfor figure in reported_kfor:\n    if figure > 4600:\n        above.append(figure)",
            "above = list(filter(lambda figure: figure > 4600, reported_kfor))",
            "above = [f for f in reported_kfor if not f <= 4600]",
            "above = (5000, 4700)",
        ],
        "wrong": [
            "above = [figure for figure in reported_kfor if figure >= 4600]",
            "above = sorted(figure for figure in reported_kfor if figure > 4600)",
            "above = [figure > 4600 for figure in reported_kfor]",
            "above = [figure for figure in reported_kfor if figure < 4600]",
            "above = max(reported_kfor)",
        ],
    },
    "p4-function": {
        "right": [
            "def per_nation(troops, nations):\n    return round(troops / nations)",
            "per_nation = lambda troops, nations: round(troops / nations)  # noqa: E731",
            "def per_nation(troops, nations):\n    result = troops / nations\n    return round(result)",
            "def per_nation(troops, nations):\n    return int(round(troops / nations))",
            "def per_nation(troops, nations):\n    return round(troops / nations, 0)",
        ],
        "wrong": [
            "def per_nation(troops, nations):\n    return troops / nations",
            "def per_nation(troops, nations):\n    return troops // nations",
            "def per_nation(troops, nations):\n    return int(troops / nations)",
            "def per_nation(troops, nations):\n    return round(nations / troops)",
            "def per_nation(troops, nations):\n    print(round(troops / nations))",
        ],
    },
    "p5-count": {
        "right": [
            f"n_kfor = ({KFOR}).sum()",
            f"n_kfor = int(({KFOR}).sum())",
            'n_kfor = figures["mission"].eq("KFOR").sum()',
            f"n_kfor = len(figures[{KFOR}])",
            f"n_kfor = sum({KFOR})",
        ],
        "wrong": [
            f"n_kfor = len({KFOR})",
            'n_kfor = (figures["mission"] != "KFOR").sum()',
            f"n_kfor = {KFOR}",
            'n_kfor = (figures["mission"] == "kfor").sum()',
        ],
    },
    "p6-and": {
        "right": [
            f'kfor_2025 = figures[({KFOR}) & (figures["year"] == 2025)]',
            f'kfor_2025 = figures.loc[({KFOR}) & (figures["year"] == 2025)]',
            "kfor_2025 = figures.query('mission == \"KFOR\" and year == 2025')",
            f'kfor = figures[{KFOR}]\nkfor_2025 = kfor[kfor["year"] == 2025]',
            f'kfor_2025 = figures[({KFOR}) & (figures["year"] == 2025)].reset_index(drop=True)',
        ],
        "wrong": [
            f"kfor_2025 = figures[{KFOR}]",
            f'kfor_2025 = figures[({KFOR}) | (figures["year"] == 2025)]',
            f'kfor_2025 = ({KFOR}) & (figures["year"] == 2025)',
            f'kfor_2025 = figures[({KFOR}) & (figures["year"] == 2023)]',
            'kfor_2025 = figures[figures["year"] == 2025]',
        ],
    },
    "p7-or": {
        "right": [
            f'either = figures[({EUFOR}) | (figures["year"] == 2023)]',
            f'either = figures.loc[({EUFOR}) | (figures["year"] == 2023)]',
            "either = figures.query('mission == \"EUFOR Althea\" or year == 2023')",
            f'either = pd.concat([figures[{EUFOR}], figures[figures["year"] == 2023]])',
            f'either = figures[~(~({EUFOR}) & (figures["year"] != 2023))]',
        ],
        "wrong": [
            f'either = figures[({EUFOR}) & (figures["year"] == 2023)]',
            f'either = ({EUFOR}) | (figures["year"] == 2023)',
            f"either = figures[{EUFOR}]",
            'either = figures[figures["year"] != 2023]',
        ],
    },
    "p8-not": {
        "right": [
            f'unhedged = figures[~figures["qualifier"].isin({HEDGES})]',
            f'unhedged = figures.loc[~figures["qualifier"].isin({HEDGES})]',
            "unhedged = figures.query(\"qualifier not in ['about', 'approximately', 'roughly']\")",
            f'unhedged = figures[figures["qualifier"].isin({HEDGES}) == False]  # noqa: E712',
            'unhedged = figures[(figures["qualifier"] != "about") & (figures["qualifier"] != '
            '"approximately") & (figures["qualifier"] != "roughly")]',
        ],
        "wrong": [
            f'unhedged = figures[figures["qualifier"].isin({HEDGES})]',
            f'unhedged = ~figures["qualifier"].isin({HEDGES})',
            'unhedged = figures[~figures["qualifier"].isin(["about"])]',
            'unhedged = figures[figures["qualifier"] != "about"]',
        ],
    },
    "p9-missing": {
        "right": [
            'n_missing = figures["nations"].isna().sum()',
            'n_missing = figures["nations"].isnull().sum()',
            'n_missing = len(figures) - figures["nations"].count()',
            'n_missing = int(figures["nations"].isna().sum())',
            'n_missing = len(figures[figures["nations"].isna()])',
        ],
        "wrong": [
            'n_missing = figures["nations"].notna().sum()',
            "n_missing = len(figures)",
            'n_missing = figures["nations"].count()',
            'n_missing = (figures["nations"] == None).sum()  # noqa: E711',
            'n_missing = figures["nations"].isna()',
        ],
    },
    "p10-lambda": {
        "right": [
            'in_thousands = figures.assign(thousands=lambda table: table["value"] / 1000)',
            'in_thousands = figures.assign(thousands=figures["value"] / 1000)',
            "in_thousands = figures.assign(thousands=lambda t: t.value / 1000)",
            'in_thousands = figures.copy()\nin_thousands["thousands"] = in_thousands["value"] / 1000',
            'in_thousands = figures.assign(thousands=lambda table: table["value"] * 0.001)',
        ],
        "wrong": [
            'in_thousands = figures.assign(thousands=lambda table: table["value"] * 1000)',
            "in_thousands = figures",
            'in_thousands = figures.assign(thousand=lambda table: table["value"] / 1000)',
            'in_thousands = figures.assign(thousands=lambda table: table["value"] // 1000)',
            'in_thousands = figures.assign(thousands=lambda table: table["value"] / 1000)["thousands"]',
        ],
    },
    "p11-chain": {
        "right": [
            f'eufor_values = figures[{EUFOR}].sort_values("value", ascending=False)["value"].tolist()',
            "eufor_values = figures.query('mission == \"EUFOR Althea\"').sort_values(\"value\", ascending=False)[\"value\"].tolist()",
            f'eufor_values = sorted(figures[{EUFOR}]["value"], reverse=True)',
            f'eufor_values = list(figures.loc[{EUFOR}, "value"].sort_values(ascending=False))',
            f'eufor_values = figures[{EUFOR}].sort_values("value", ascending=False)["value"]',
        ],
        "wrong": [
            f'eufor_values = figures[{EUFOR}].sort_values("value")["value"].tolist()',
            'eufor_values = figures.sort_values("value", ascending=False)["value"].tolist()',
            f'eufor_values = figures[{EUFOR}]["value"].tolist()',
            f'eufor_values = figures[{EUFOR}].sort_values("value", ascending=False)',
        ],
    },
}
