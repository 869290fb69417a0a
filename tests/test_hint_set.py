"""Hints reviewed as a set (issue 23, item 5): every declared hint can be reached, no hint names
the wrong candidates one by one, and no message contradicts itself.

A declared wrong answer earns its hint only when it is what the check judges: when the check
cell passes `length_verdict(assessment)`, a wrong text declared as it is (not as its verdict)
never meets a student's answer, and the student gets the generic hint instead. The self-check
test (tests/test_checks.py) cannot see this: it judges each declared value as declared.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.grading import checks
from balkan_course.grading.keys import load_keys

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _calls(source: str, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == name]


def _wrapped_by(node, function: str) -> bool:
    """Is a declared wrong value the check's function applied to something (or several)?"""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Several":
        return all(_wrapped_by(arg.value if isinstance(arg, ast.Starred) else arg, function)
                   for arg in node.args)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _wrapped_by(node.elt, function)
    return False


def declared_values() -> list[tuple[str, str, str, ast.AST]]:
    """(notebook, check id, the function the check cell applies or "", declared value node)."""
    found = []
    for path in SOLUTIONS:
        nb = nbformat.read(path, as_version=4)
        applied: dict[str, str] = {}
        for cell in nb.cells:
            if cell.cell_type == "code" and "check" in _tags(cell):
                for call in _calls(cell.source, "check"):
                    expression = call.args[1]
                    applied[call.args[0].value] = (
                        expression.func.id if isinstance(expression, ast.Call)
                        and isinstance(expression.func, ast.Name) else "")
        for cell in nb.cells:
            if cell.cell_type == "code" and "wrong-answers" in _tags(cell):
                for call in _calls(cell.source, "wrong_answers"):
                    check_id = call.args[0].value
                    for value in getattr(call.args[1], "values", []):
                        found.append((path.stem, check_id, applied.get(check_id, ""), value))
    return found


def test_every_declared_wrong_answer_is_what_the_check_judges():
    """A check that judges f(answer) declares its wrong answers as f(wrong answer)."""
    unreachable = [f"{stem} {check_id}: {ast.unparse(value)[:80]}"
                   for stem, check_id, function, value in declared_values()
                   if function and not _wrapped_by(value, function)]
    assert not unreachable, "declared hints no student can reach:\n" + "\n".join(unreachable)


def test_no_hint_names_the_wrong_candidates_one_by_one():
    """A hint that names the wrong id a student chose lets them find the right one by
    elimination (04-us-share named each wrong whole)."""
    ids = set(load_table("troop_figures")["figure_id"]) | set(load_table("claims")["claim_id"])
    naming = [f"{check_id}: {probe['hint']}" for check_id, key in load_keys().items()
              for probe in key["probes"]
              if any(re.search(rf"\b{re.escape(found)}\b", probe["hint"]) for found in ids)]
    assert not naming, "\n".join(naming)


def test_a_chart_with_the_right_number_of_rows_is_not_told_to_change_it():
    """07-voice-chart said "has 118 rows; draw it from the table ... (118 rows)"."""
    import altair as alt

    table = pd.DataFrame({"who": ["a", "b", "c"], "n": [1, 2, 3]})
    other = table.assign(n=[3, 2, 9])
    key = checks.make_key("t-chart", alt.Chart(table).mark_bar().encode(x="n:Q", y="who:N"))
    passed, message = checks.judge("t-chart", alt.Chart(other).mark_bar().encode(
        x="n:Q", y="who:N"), key)
    assert not passed and "3 rows" not in message and "right number of rows" in message


@pytest.mark.parametrize(("title", "passes"), [
    ("Who speaks most?", True), ("Who makes the most claims, and with which voice?", True),
    ("Speakers", False), ("Claims per speaker", False)])
def test_a_question_title_may_be_short_if_it_asks(title, passes):
    import altair as alt

    table = pd.DataFrame({"who": ["a", "b"], "n": [1, 2]})
    bars = alt.Chart(table).mark_bar().encode(x="n:Q", y="who:N").properties(
        description="Bars of the number of claims of each speaker.")
    key = checks.make_key("t-title", bars.properties(title="Who makes the most claims?"),
                          {"title": "question"})
    assert checks.judge("t-title", bars.properties(title=title), key)[0] is passes


def test_an_id_on_an_axis_gets_a_hint_to_use_the_label():
    import altair as alt

    table = pd.DataFrame({"source_id": ["x", "y"], "article": ["X (2025)", "Y (2024)"],
                          "n": [1, 2]})
    key = checks.make_key("t-id", alt.Chart(table).mark_bar().encode(x="n:Q", y="article:N"))
    passed, message = checks.judge("t-id", alt.Chart(table).mark_bar().encode(
        x="n:Q", y="source_id:N"), key)
    assert not passed and "label" in message


def test_an_unnamed_index_is_judged_as_the_labels_it_holds():
    frame = pd.DataFrame({"mission_id": ["kfor", "eufor", "kfor"], "value": [1, 2, 5]})
    right = frame.groupby("mission_id")["value"].agg(["min", "max"])
    key = checks.make_key("t-index", right, {"ignore_row_order": True})
    assert checks.judge("t-index", right.rename_axis(None), key)[0]
    counts = frame["mission_id"].value_counts()
    key = checks.make_key("t-labels", counts, {"ignore_row_order": True})
    assert checks.judge("t-labels", pd.Series(counts.to_dict()), key)[0]
    assert not checks.judge("t-labels", frame["mission_id"], key)[0]


# ------------------------------------------- no hint states the answer, in any version


def _answer_literals(value) -> set[str]:
    """The values that define an answer, as text a hint could spell out: a number (10 or more,
    small ones are decimals or counts any hint may name), a text of four or more characters,
    and the items of a short list, dict or column (a table's cells are too many to state)."""
    from balkan_course.grading.canonical import canonical

    try:
        canon = canonical(value)
    except Exception:  # noqa: BLE001 - a chart or a value the checks cannot read states nothing
        return set()
    if canon["kind"] in ("list", "dict"):
        items = canon["items"]
        items = [item[1] for item in items] if canon["kind"] == "dict" else items
    elif canon["kind"] == "series" and len(canon["rows"]) <= 10:
        items = [row[-1] for row in canon["rows"]]
    else:
        items = [canon.get("value")]
    found = set()
    for item in items if len(items) <= 10 else []:
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, (int, float)) and abs(item) >= 10:
            found |= {str(item), f"{item:,}"}
        elif isinstance(item, str) and len(item.strip()) >= 4:
            found.add(item.strip())
    return found


def _hints_of(key: dict) -> list[str]:
    return ([probe["hint"] for probe in key.get("probes", [])]
            + ([key["hint"]] if key.get("hint") else [])
            + list(key.get("facts", {}).get("order_hints", {}).values()))


def _stated(literal: str, hint: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(literal)}(?![\w-])", hint) is not None


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_no_hint_states_the_answer_in_the_default_or_any_version(path):
    """A hint may say what is wrong, never what is right: none holds a value of the answer
    (the default's, or any version's: a hint is the same text in every version)."""
    from answer_corpus import evaluate, namespaces

    from balkan_course.grading import variants

    keys = load_keys()
    nb = nbformat.read(path, as_version=4)
    stated = []
    for version in range(variants.variant_count(nb)):
        version_nb = variants.variant_notebook(nb, version) if version else None
        for check_id, (namespace, expression) in namespaces(path.stem, version_nb).items():
            answer = evaluate("", namespace, expression)
            for literal in _answer_literals(answer):
                stated += [f"{check_id} (version {version}): {literal!r} in {hint!r}"
                           for hint in _hints_of(keys[check_id]) if _stated(literal, hint)]
    assert not stated, "\n".join(stated)


def test_a_hint_that_states_the_answer_is_found():
    assert _answer_literals(["kfor_strength_003", 4700, 3]) == {"kfor_strength_003", "4700",
                                                                 "4,700"}
    assert _stated("4,700", "the answer is 4,700 troops")
    assert not _stated("4700", "figure kfor_4700_x")


def test_a_right_chart_needs_a_description_and_a_wrong_one_hears_of_its_mistake_first():
    import altair as alt

    table = pd.DataFrame({"who": ["a", "b"], "n": [1, 2]})
    bars = alt.Chart(table).mark_bar().encode(x="n:Q", y="who:N").properties(
        title="Who speaks most?")
    sentence = "Bars of the number of claims of each speaker."
    key = checks.make_key("t-desc", bars.properties(description=sentence), {})
    assert checks.judge("t-desc", bars.properties(description=sentence), key)[0] is True
    passed, message = checks.judge("t-desc", bars, key)
    assert not passed and "add a description" in message
    passed, message = checks.judge("t-desc", bars.properties(description="Bars"), key)
    assert not passed and "a sentence on what it shows" in message
    passed, message = checks.judge("t-desc", alt.Chart(table).mark_line().encode(
        x="n:Q", y="who:N"), key)
    assert not passed and "description" not in message  # the wrong mark is told first
