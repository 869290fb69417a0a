"""The primer's self-checks (balkan_course.primer) accept right answers written in the primer's
idioms and reject wrong ones with advice, on the data the primer itself builds.

The answers run in the namespace the primer's own cells make (its `lists` and `masks` cells), so
the test fails when the primer's data and the checks' expected values drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balkan_course.primer import RULES, self_check

PRIMER = Path(__file__).resolve().parent.parent / "notebooks" / "00a_python_primer.ipynb"

RIGHT = {
    "p1-gap": ["gap = max(reported_kfor) - min(reported_kfor)", "gap = 5000 - 4600"],
    "p2-lookup": ['eufor = strength["EUFOR Althea"]'],
    "p3-above": ["above = [f for f in reported_kfor if f > 4600]",
                 "above = []\nfor f in reported_kfor:\n    if f > 4600:\n        above.append(f)"],
    "p4-function": ["def per_nation(troops, nations):\n    return round(troops / nations)"],
    "p5-count": ['n_kfor = (figures["mission"] == "KFOR").sum()'],
    "p6-and": ['kfor_2025 = figures[(figures["mission"] == "KFOR") & (figures["year"] == 2025)]'],
    "p7-or": ['either = figures[(figures["mission"] == "EUFOR Althea") | '
              '(figures["year"] == 2023)]'],
    "p8-not": ['unhedged = figures[~figures["qualifier"].isin(["about", "approximately", '
               '"roughly"])]'],
    "p9-missing": ['n_missing = figures["nations"].isna().sum()'],
    "p10-lambda": ['in_thousands = figures.assign(thousands=lambda table: table["value"] / 1000)'],
    "p11-chain": ['eufor_values = figures[figures["mission"] == "EUFOR Althea"].sort_values('
                  '"value", ascending=False)["value"].tolist()'],
}
WRONG = {
    "p1-gap": ["gap = min(reported_kfor) - max(reported_kfor)", 'gap = "400"'],
    "p2-lookup": ['eufor = strength["KFOR"]', 'eufor = "1100"'],
    "p3-above": ["above = [f for f in reported_kfor if f >= 4600]", "above = [4700, 5000]"],
    "p4-function": ["def per_nation(troops, nations):\n    print(round(troops / nations))",
                    "def per_nation(troops, nations):\n    return troops / nations",
                    "per_nation = 162"],
    "p5-count": ['n_kfor = len(figures["mission"] == "KFOR")',
                 'n_kfor = (figures["mission"] == "EUFOR Althea").sum()'],
    "p6-and": ['kfor_2025 = figures[figures["mission"] == "KFOR"]',
               'kfor_2025 = (figures["mission"] == "KFOR") & (figures["year"] == 2025)'],
    "p7-or": ['either = figures[(figures["mission"] == "EUFOR Althea") & '
              '(figures["year"] == 2023)]'],
    "p8-not": ['unhedged = figures[figures["qualifier"].isin(["about", "approximately", '
               '"roughly"])]'],
    "p9-missing": ['n_missing = figures["nations"].notna().sum()', "n_missing = len(figures)"],
    "p10-lambda": ['in_thousands = figures.assign(thousands=lambda table: table["value"] * 1000)',
                   "in_thousands = figures"],
    "p11-chain": ['eufor_values = figures[figures["mission"] == "EUFOR Althea"].sort_values('
                  '"value")["value"].tolist()',
                  'eufor_values = figures.sort_values("value", ascending=False)["value"]'
                  '.tolist()'],
}
NAMES = {"p1-gap": "gap", "p2-lookup": "eufor", "p3-above": "above", "p4-function": "per_nation",
         "p5-count": "n_kfor", "p6-and": "kfor_2025", "p7-or": "either", "p8-not": "unhedged",
         "p9-missing": "n_missing", "p10-lambda": "in_thousands", "p11-chain": "eufor_values"}


@pytest.fixture(scope="module")
def primer_namespace() -> dict:
    """The names the primer's data cells define (its lists, dictionary and table)."""
    cells = {c["id"]: "".join(c["source"])
             for c in json.loads(PRIMER.read_text(encoding="utf-8"))["cells"]}
    namespace: dict = {}
    for cell_id in ("values", "lists", "masks"):
        exec(cells[cell_id], namespace)  # noqa: S102 - the primer's own code
    return namespace


def answer(code: str, exercise: str, namespace: dict):
    scope = dict(namespace)
    exec(code, scope)  # noqa: S102 - an answer as a student types it
    return scope[NAMES[exercise]]


def test_every_exercise_of_the_primer_has_a_check_and_answers_here():
    cells = json.loads(PRIMER.read_text(encoding="utf-8"))["cells"]
    called = {line.split('"')[1] for c in cells for line in "".join(c["source"]).splitlines()
              if line.startswith("self_check(")}
    assert called == set(RULES) | {"p4-function"} == set(RIGHT) == set(WRONG)


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_right_answers_pass(exercise, primer_namespace, capsys):
    for code in RIGHT[exercise]:
        self_check(exercise, answer(code, exercise, primer_namespace))
        assert capsys.readouterr().out == f"✅ {exercise}: correct\n", code


@pytest.mark.parametrize("exercise", sorted(WRONG))
def test_wrong_answers_fail_with_one_line_of_advice(exercise, primer_namespace, capsys):
    for code in WRONG[exercise]:
        self_check(exercise, answer(code, exercise, primer_namespace))
        # the last line is the check's (a wrong answer may print things of its own first)
        printed = capsys.readouterr().out.splitlines()
        assert printed[-1].startswith(f"❌ {exercise}: not yet: ")
        assert sum(line.startswith(("❌", "✅")) for line in printed) == 1


def test_an_unanswered_exercise_says_so(capsys):
    self_check("p1-gap", ...)
    assert capsys.readouterr().out.startswith("❌ p1-gap: not answered yet")


def test_an_unknown_exercise_is_an_error():
    with pytest.raises(KeyError):
        self_check("p99-nothing", 1)
