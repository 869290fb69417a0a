"""Hints: what a wrong answer's message says, without giving the answer away.

Given an answer's canonical form and its key, these functions name the first thing that keeps
it from the expected answer: another kind of value, missing or extra columns, the row count,
the order, the values of one column, a chart's mark, channel, scale, data, title or description.
A declared wrong answer's own hint (the key's probes) comes first: judge.py looks for it before
asking here.
"""

from __future__ import annotations

import re

from balkan_course.grading.canonical import INDEX, VALUES, _describe, _dump, _sort_spec
from balkan_course.grading.keys import _column_hashes, _key_hash

# Chart channels a student may add freely: they decorate, they do not move a mark.
DECORATIVE_CHANNELS = {"color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity",
                       "strokeWidth", "strokeDash", "size", "shape", "order", "detail",
                       "tooltip", "href", "description", "key"}
# Titles that say nothing: a check whose prompt asks for a title refuses them.
_EMPTY_TITLES = {"chart", "title", "my chart", "a chart", "plot", "graph", "untitled", "test",
                 "bar chart", "point chart", "map", "my title", "chart title", "..."}
QUESTION_TITLE_WORDS = 4
# A chart's description is read aloud by a screen reader: a sentence, not a label.
DESCRIPTION_WORDS = 4
DESCRIPTION_HINT = ("add a description to your chart (.properties(description=...)): one sentence "
                    "on what it shows, for a screen reader")


def _title_problem(title: str, rule: str | None) -> str | None:
    """Why a chart title does not do what the prompt asks, or None."""
    if rule is None:
        return None
    words = re.findall(r"[^\W\d_]{2,}", title)
    if not words or title.casefold().strip(" .!?:") in _EMPTY_TITLES:
        return "give the chart a title that says what it shows"
    if rule == "question" and len(words) < QUESTION_TITLE_WORDS and not title.rstrip().endswith(
            "?"):  # "Who speaks most?" is a question, however short
        return ("make the title state the question the chart answers, in a few words "
                "(for example a question that ends with ?)")
    return None


def _description_problem(description: str) -> str | None:
    """Why a chart's description does not tell a screen reader's user what it shows, or None.
    Every chart check asks for one; it is judged last, so a student hears of a wrong mark,
    channel or table first."""
    words = re.findall(r"[^\W\d_]{2,}", description)
    if not words:
        return DESCRIPTION_HINT
    if len(words) < DESCRIPTION_WORDS:
        return ("make the chart's description a sentence on what it shows (a few words more), "
                "for a screen reader")
    return None


def _column_words(name) -> str:
    """A canonical column name as a student would call it."""
    return {VALUES: "the values", INDEX: "the labels (the index)"}.get(name, repr(name))


def _order_hint(order: str, key: dict) -> str:
    declared = key.get("facts", {}).get("order_hints", {})
    if order in declared:
        return declared[order]
    words = {INDEX: "the labels (the index)", VALUES: "the values"}
    spec = ", then ".join(f"{words.get(column, column)} "
                          f"({'ascending' if ascending else 'descending'})"
                          for column, ascending in _sort_spec(key.get("options", {})))
    if order == "reversed":
        return f"sorted the wrong way round: sort by {spec}"
    return f"the right rows, but not in the order asked: sort by {spec}"


def _decimals_of(value: float) -> int:
    text = f"{value:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _structural_hint(check_id: str, canon: dict, key: dict) -> str:
    facts = key.get("facts", {})
    expected, got = facts.get("kind"), canon["kind"]
    fallback = key.get("hint") or "the values are not the expected ones yet"
    if {expected, got} == {"table", "series"}:
        advice = ("select with double brackets, df[['a']], to keep a table"
                  if expected == "table" else "select one column with single brackets, df['a']")
        return f"expected {_describe(expected)}, you gave {_describe(got)} ({advice})"
    if expected != got:
        extra = ""
        if expected == "number" and got in ("table", "series", "list"):
            extra = " (pick the single value out, e.g. with .iloc[0] or .item())"
        if expected == "number" and got == "time difference":
            extra = " (.days gives the number of days)"
        if expected == "date" and got == "text":
            extra = " (pd.Timestamp(...) turns text into a date)"
        return f"expected {_describe(expected)}, you gave {_describe(got)}{extra}"
    if got in ("table", "series"):
        return _table_hint(check_id, canon, facts, fallback)
    if got == "list":
        if len(canon["items"]) != facts.get("n_items"):
            return f"your list has {len(canon['items'])} items; the answer has {facts['n_items']}"
        if _key_hash(check_id, sorted(canon["items"], key=_dump)) == facts.get("sorted_hash"):
            return "the right items, but not in the expected order (check the sorting)"
        return fallback
    if got == "number":
        value, decimals = canon["value"], key.get("options", {}).get("decimals")
        if isinstance(value, float) and decimals is not None and _decimals_of(value) > decimals:
            places = "one decimal" if decimals == 1 else f"{decimals} decimals"
            return f"round your result to {places}, as the question asks (round(x, {decimals}))"
        if facts.get("whole") and not isinstance(value, int):
            return f"expected a whole number (a count); {fallback}"
        return fallback
    if got == "interaction":
        return _interaction_hint(canon, facts, fallback)
    if got == "text":
        loose = _key_hash(check_id, " ".join(str(canon["value"]).casefold().split()))
        if loose == facts.get("loose_hash"):
            return "almost: check capitals and spaces"
        return fallback
    return fallback


_INPUT_WORDS = {"radio": "radio buttons (alt.binding_radio)", "select": "a drop-down list",
                "legend": "a selection bound to the legend (bind=\"legend\")",
                "click": "a click selection", "drag": "a drag (interval) selection",
                "none": "no control"}


def _interaction_hint(canon: dict, facts: dict, fallback: str) -> str:
    """What an interactive chart does not do yet, from what it does (the expected choices'
    outcomes stay in the key's hash: a hint names the control, the channel, never a value)."""
    expected = facts.get("interaction", {})
    if expected.get("mark") and canon.get("mark") != expected["mark"]:
        return f"draw a {expected['mark']} chart (mark_{expected['mark']})"
    if canon["inputs"] != expected.get("inputs", canon["inputs"]):
        wanted = " and ".join(_INPUT_WORDS.get(i, i) for i in expected["inputs"])
        return f"the reader should choose with {wanted}; attach it with add_params"
    if "legend" in canon and not canon["legend"]:
        return ("a legend selection needs a legend to click: show the selected field in the "
                "colour (or fill, or shape) channel")
    if canon["changes"] != expected.get("changes", canon["changes"]):
        wanted = [c for c in expected["changes"] if c not in canon["changes"]]
        if wanted == ["filter"]:
            return "the chart should use the choice: filter its rows with transform_filter"
        if wanted:
            return (f"the choice should change the {', '.join(wanted)} channel "
                    "(alt.condition)")
        return "the choice changes more than the question asks: use it only where it asks"
    if canon.get("choices") and all(not drawn for _, drawn in canon["choices"]):
        return ("the chart is empty whichever option is chosen: does the filter compare a "
                "field with the values the options offer?")
    if "legend" in canon:
        return ("a click on a legend item does not highlight the expected bars: select by the "
                "field the question names, in the table it names")
    return ("for a chosen option the chart does not draw the expected bars: check the field "
            "on each axis and the table the chart is drawn from")


def _table_hint(check_id: str, canon: dict, facts: dict, fallback: str) -> str:
    columns, expected_columns = canon.get("columns"), facts.get("columns")
    if columns is not None and expected_columns is not None and columns != expected_columns:
        if facts.get("kind") == "series":
            if INDEX in expected_columns and INDEX not in columns:
                return ("each value needs its label: keep the index that value_counts() or "
                        "groupby() gives (do not reset it)")
            return fallback
        missing = [c for c in expected_columns if c not in columns]
        unexpected = [c for c in columns if c not in expected_columns]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
            if unexpected:
                parts.append(f"unexpected column(s) {', '.join(map(repr, unexpected))}")
            return "wrong columns: " + "; ".join(parts)
        return f"right columns, but put them in this order: {', '.join(expected_columns)}"
    n_rows = len(canon["rows"])
    if n_rows != facts.get("n_rows"):
        noun = "rows" if facts.get("kind") == "table" else "values"
        return (f"your answer has {n_rows} {noun}; the expected one has {facts.get('n_rows')} "
                "(check your filter or grouping)")
    if _key_hash(check_id, sorted(canon["rows"], key=_dump)) == facts.get("sorted_hash"):
        return "the right rows, but not in the expected order (check the sort column and direction)"
    wrong = [name for name, mine, theirs in zip(
        expected_columns or [f"#{i + 1}" for i in range(len(facts.get("column_hashes", [])))],
        _column_hashes(check_id, canon), facts.get("column_hashes", []), strict=False)
        if mine != theirs]
    if wrong == [VALUES]:
        return fallback
    if wrong:
        return (f"the values in {', '.join(_column_words(name) for name in wrong)} are not "
                f"right yet; {fallback}")
    return "the right values, but not matched up row by row as expected: " + fallback


def _chart_problem(check_id: str, canon: dict, key: dict) -> str | None:
    """The first thing that keeps a chart from answering the question, or None."""
    facts = key["facts"]
    expected = facts["chart"]
    if canon["mark"] != expected["mark"]:
        return (f"expected a {expected['mark']} chart (mark_{expected['mark']}), "
                f"you made a {canon['mark']} chart")
    wanted = expected["channels"]
    missing = [channel for channel in wanted if channel not in canon["channels"]]
    if missing:
        return f"add the encoding channel(s): {', '.join(missing)}"
    extra = [channel for channel in canon["channels"]
             if channel not in wanted and channel not in DECORATIVE_CHANNELS]
    if extra:
        return f"the question does not ask for the channel(s): {', '.join(extra)}"
    for channel, defs in wanted.items():
        if channel != "tooltip":
            problem = _channel_problem(channel, defs, canon["channels"][channel])
            if problem:
                return problem
    absent = [field for field in wanted.get("tooltip", [])
              if field not in canon["channels"]["tooltip"]]
    if absent:
        return f"the tooltip should also show: {', '.join(absent)}"
    reshaping = [step for step in canon.get("transforms", []) if step != "calculate"]
    if reshaping:
        return ("prepare the rows with pandas before alt.Chart(...): the check compares the "
                f"table the chart draws, and a {reshaping[0]} transform changes it")
    data_hashes = facts.get("data_hashes", {})
    used = {d.get("field") for defs in wanted.values() if isinstance(defs, list)
            for d in defs if isinstance(d, dict)} | {
        field for field in wanted.get("tooltip", []) if "(" not in field}
    used.discard(None)
    same_columns = all(
        column not in data_hashes
        or _key_hash(check_id, canon["column_values"][column]) == data_hashes[column]
        for column in canon["data_columns"])
    if canon["data_rows"] != expected["data_rows"]:
        return (f"the chart's data has {canon['data_rows']} rows; draw it from the table the "
                f"question names ({expected['data_rows']} rows)")
    if not used <= set(canon["data_columns"]):
        return ("the chart's table lacks a column the chart needs: draw it from the table the "
                "question names")
    if not same_columns:
        return ("the chart has the right number of rows, but other values in them: draw it "
                "from the table the question names, as it is")
    return (_title_problem(canon["title"], expected.get("title_rule"))
            or _description_problem(canon.get("description", "")))


def _channel_problem(channel: str, wanted: list, mine: list) -> str | None:
    if len(wanted) != len(mine):
        return f"the {channel} channel is not right yet (check its field)"
    for want, have in zip(wanted, mine, strict=True):
        if have.get("type") != want.get("type"):
            return (f"check the type of the {channel} channel "
                    "(:Q quantitative, :N nominal, :O ordinal, :T time)")
        if have.get("scale", "linear") != want.get("scale", "linear"):
            return (f"check the scale of the {channel} axis (alt.Scale(type=...)): "
                    "the question says which kind it wants")
        core = ("field", "aggregate", "bin", "timeUnit")
        mine_field, wanted_field = str(have.get("field", "")), str(want.get("field", ""))
        if mine_field.endswith("_id") and mine_field != wanted_field \
                and not wanted_field.endswith("_id"):
            return (f"an id on the {channel} channel means little to a reader: use the column "
                    "that holds its label for readers (the question names it)")
        if any(have.get(part) != want.get(part) for part in core):
            return f"the {channel} channel is not right yet (check its field and aggregate)"
        if "sort" in want and have.get("sort") != want["sort"]:
            return f"check the order of the {channel} channel (its sort): the question says which"
    return None
