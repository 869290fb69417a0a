"""Self-checks for the exercises: `check("00-columns", answer)` prints one friendly line.

The answer keys (balkan_course/grading/answer_keys/NN_name.json) hold no answers: only salted
hashes of a canonical form of each expected answer, plus hints that do not give the answer away
(expected type, column names, row count) and hashes of common mistakes (units, order, the
author's own plausible wrong answers) so that the feedback can say what is wrong. A chart's key
holds its required structure (mark, channels, tooltip fields): the prompt states all of it.

On success `check` prints a receipt: a hash of the canonical answer under a different salt than
the key. The instructor's solution notebooks store those lines as expected outputs and the
grader compares them outside the student's kernel, so printing a fake success line earns nothing
without the right answer. Every accepted variant of an answer has the same canonical form (see
the tolerance rules in docs/authoring_exercises.md), so every accepted variant prints the same line.

Modes, chosen by environment variables (the builder and the tests set them):
- default: judge the answer against the keys and print the verdict;
- BALKAN_COURSE_RECORD_KEYS=path: the solution is running; record its answers as the key;
- BALKAN_COURSE_SELFTEST=path: judge, and also save every verdict (and the verdict on each
  declared wrong answer) to a JSON file for tests/test_checks.py.

Only the standard library is imported here: pandas and Altair are looked up in sys.modules when
an answer is one of theirs, so importing this module costs nothing.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import datetime as _dt
import hashlib
import io
import json
import math
import numbers
import os
import re
import sys
import time
import warnings
from pathlib import Path

KEYS_DIR = Path(__file__).resolve().parent / "answer_keys"
KEYS_DIR_ENV = "BALKAN_COURSE_KEYS_DIR"  # tests point this at their own keys
RELEASED_KEYS = "answer_keys"  # a student's release: their variant's keys, beside the notebooks
RECORD_ENV = "BALKAN_COURSE_RECORD_KEYS"
SELFTEST_ENV = "BALKAN_COURSE_SELFTEST"

# Two salts, so a key hash can never be turned into a receipt.
_KEY_SALT = "balkan-course/key/v1"
_RECEIPT_SALT = "balkan-course/receipt/v1"
# Floats are compared at this many significant digits (sums in a different order still match).
DIGITS = 6
# "check your units": the answer is the expected one times one of these.
_UNIT_FACTORS = {1000: "1000", 0.001: "1000", 1e6: "a million", 1e-6: "a million",
                 100: "100", 0.01: "100"}
_OPTIONS = ("ignore_row_order", "ignore_column_order", "ignore_column_names", "index_matters",
            "digits", "sorted_by", "decimals", "title", "rerun")
# A Series' index and values, named for the canonical form (a Series' own name is free).
INDEX, VALUES = "(index)", "(values)"
# Chart channels a student may add freely: they decorate, they do not move a mark.
DECORATIVE_CHANNELS = {"color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity",
                       "strokeWidth", "strokeDash", "size", "shape", "order", "detail",
                       "tooltip", "href", "description", "key"}
# Titles that say nothing: a check whose prompt asks for a title refuses them.
_EMPTY_TITLES = {"chart", "title", "my chart", "a chart", "plot", "graph", "untitled", "test",
                 "bar chart", "point chart", "map", "my title", "chart title", "..."}
QUESTION_TITLE_WORDS = 4

NOT_ANSWERED = "not answered yet: replace the `...` with your answer, then run this cell again"


class _Unreadable(Exception):
    """The answer is of a kind the checks cannot compare."""


# ---------------------------------------------------------------- bounds on judging
#
# The same bounds hold in the grader (runner.judge_part: decoding, the check's expression and
# the judging share one budget) and in the self-check (`check` in the student's kernel): both
# go through `judge`, which opens a budget unless one is open already.

# The largest answer the course asks for is 07's chart of the 118 claims with 17 columns
# (about 2,000 values); the largest table a student may hand in by mistake, a whole course
# table or a join of two, holds under 10,000. A value is judged when its canonical form holds
# at most this many values: ten times such a join, fifty times the largest answer.
JUDGE_MAX_VALUES = 100_000
# A chart's data is also rebuilt and read by Altair (about 0.1 ms a row, ten times that for
# rows written inline), so its rows times its columns are capped lower: still ten times the
# largest chart of the course, and more than any whole table of it.
JUDGE_MAX_CHART_VALUES = 20_000
# A right answer is canonicalised and judged in milliseconds, the largest value the caps above
# let through in about a second: 5 s leaves a loaded machine room, and stops anything slower.
JUDGE_MAX_SECONDS = 5.0
TOO_LARGE = "too large or too slow to judge"


class TooLarge(Exception):
    """The answer is past the size or time budget of judging (JUDGE_MAX_*)."""


class _Budget:
    """What judging one value may still spend. The limits are read when a budget opens, so a
    test can change them."""

    def __init__(self):
        self.values = JUDGE_MAX_VALUES
        self.chart_values = JUDGE_MAX_CHART_VALUES
        self.seconds = JUDGE_MAX_SECONDS
        self.deadline = time.monotonic() + JUDGE_MAX_SECONDS


_budget: contextvars.ContextVar = contextvars.ContextVar("balkan_course_judging", default=None)


@contextlib.contextmanager
def judging_budget():
    """One size and time budget for judging one value; a budget already open is shared (the
    grader opens one around decoding, the check's expression and `judge`)."""
    if _budget.get() is not None:
        yield _budget.get()
        return
    token = _budget.set(_Budget())
    try:
        yield _budget.get()
    finally:
        _budget.reset(token)


def check_size(values: int, chart: bool = False) -> None:
    """Raise TooLarge when a value of this many values may not be judged (inside a budget)."""
    budget = _budget.get()
    if budget is None:
        return
    limit = budget.chart_values if chart else budget.values
    if values > limit:
        what = "a chart's data of" if chart else "an answer of"
        raise TooLarge(f"{what} {values:,} values; the check reads at most {limit:,}")
    check_time()


def check_time() -> None:
    """Raise TooLarge once the open budget's time is spent."""
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise TooLarge(f"judging it took more than {budget.seconds:g} s")


def _ticking(items, every: int = 256):
    """The items, with the budget's clock looked at every `every` of them."""
    for number, item in enumerate(items):
        if number % every == 0:
            check_time()
        yield item


def too_large_message(check_id: str, problem) -> str:
    return f"❌ {check_id}: not graded: your answer is {TOO_LARGE} ({problem})"


# ---------------------------------------------------------------- canonical forms


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def _type_name(value) -> str:
    return type(value).__name__


def _canon_scalar(value, digits: int = DIGITS):
    """A JSON-ready form of one value: numbers rounded, dates ISO, text stripped."""
    if _is_missing(value):
        return None
    if isinstance(value, bool) or _type_name(value) in ("bool_", "bool"):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e15:
            return int(value)  # 4600.0 and 4600 are the same answer
        return float(f"{value:.{digits}g}")
    if isinstance(value, str):
        return value.strip()
    if _type_name(value) in ("Timedelta", "timedelta", "timedelta64"):
        pandas = sys.modules.get("pandas")
        delta = pandas.Timedelta(value) if pandas is not None else value
        return {"time difference": str(delta)}
    if isinstance(value, _dt.datetime) or _type_name(value) in ("Timestamp", "datetime64"):
        pandas = sys.modules.get("pandas")
        stamp = pandas.Timestamp(value) if pandas is not None else value
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None) if hasattr(stamp, "tz_convert") else stamp
        if (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0, 0):
            return stamp.date().isoformat()
        return stamp.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if _type_name(value) == "Period":
        return str(value)
    if _type_name(value) == "DateOffset":
        raise _Unreadable("a date offset (add it to a date to get a date)")
    raise _Unreadable(f"a value of type {_type_name(value)} inside the answer")


def _is_array(value) -> bool:
    """A numpy array, a pandas Index or a pandas array (what `.values` or `.unique()` give)."""
    module = type(value).__module__ or ""
    return (module.startswith(("numpy", "pandas")) and hasattr(value, "__len__")
            and hasattr(value, "__array__") and getattr(value, "ndim", 1) == 1)


def kind_of(value) -> str:
    """The family of an answer, in words a student knows."""
    module = type(value).__module__ or ""
    pandas = sys.modules.get("pandas")
    if value is Ellipsis:
        return "nothing"
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return "table"
    if pandas is not None and isinstance(value, pandas.Series):
        return "series"
    if module.startswith("altair") and hasattr(value, "to_dict"):
        return "chart"
    if isinstance(value, bool) or _type_name(value) == "bool_":
        return "true/false"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple, set, frozenset)) or _is_array(value):
        return "list"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (_dt.date, _dt.datetime)) or _type_name(value) in ("Timestamp",
                                                                            "datetime64"):
        return "date"
    if _type_name(value) in ("Timedelta", "timedelta"):
        return "time difference"
    if _type_name(value) == "DateOffset":
        return "date offset"
    if value is None:
        return "None"
    return "other"


_KIND_WORDS = {
    "table": "a table (DataFrame)",
    "series": "a column of values (Series)",
    "chart": "an Altair chart",
    "number": "a number",
    "text": "a piece of text (str)",
    "list": "a list",
    "dict": "a dict",
    "date": "a date",
    "time difference": "a time difference (Timedelta)",
    "date offset": "a date offset (add it to a date to get a date)",
    "true/false": "True or False",
    "nothing": "nothing yet",
    "None": "None (did the cell end with a function that prints instead of returning?)",
    "other": "something the check cannot compare",
}


def _describe(kind: str) -> str:
    return _KIND_WORDS.get(kind, "something the check cannot compare")


# ------------------------------------------------ containers that mean the same thing


def _plain_index(index) -> bool:
    """An index that only numbers the rows (what a filter or a list leaves behind)."""
    return index.nlevels == 1 and index.name is None


def coerce(answer, expected_kind: str | None):
    """The answer in the container the key expects, when it carries the same information.

    A list, tuple, array or pandas Index equals a Series without labels; a dict equals a Series
    whose index holds the dict's keys; a one-column table equals a Series; a Series without
    labels equals a list. Anything else is left as it is (and judged as what it is).
    """
    pandas = sys.modules.get("pandas")
    kind = kind_of(answer)
    if pandas is None or kind == expected_kind:
        return answer
    if expected_kind == "series":
        if kind == "list" and not isinstance(answer, (set, frozenset)):
            return pandas.Series(list(answer))
        if kind == "dict":
            return pandas.Series(list(answer.values()),
                                 index=pandas.Index(list(answer.keys()), name=INDEX))
        if kind == "table" and answer.shape[1] == 1:
            return answer.iloc[:, 0]
    if expected_kind == "list":
        if kind == "series" and _plain_index(answer.index):
            return list(answer)
    if expected_kind == "number" and kind == "list" and _is_array(answer) and len(answer) == 1:
        return answer[0]
    return answer


def _flat_columns(frame):
    """Column labels as text; levels that are the same for every column are dropped, so
    pivot_table(values="v", aggfunc=["min", "max"]) and agg({"v": ["min", "max"]}) both give
    min and max."""
    columns = frame.columns
    if columns.nlevels > 1:
        keep = [level for level in range(columns.nlevels)
                if len(set(columns.get_level_values(level))) > 1]
        if not keep:
            keep = [columns.nlevels - 1]
        return ["_".join(str(label[level]) for level in keep) for label in columns]
    return [str(column) for column in columns]


def _as_table(value, options: dict):
    """A DataFrame or Series as {columns, rows}; the index is kept only when it means something."""
    frame = value
    series = kind_of(value) == "series"
    if series:
        # A Series' own name rarely matters (value_counts() says "count", size() says nothing),
        # nor does its index's name (a dict has none).
        frame = value.to_frame(name=VALUES)
        if frame.index.nlevels == 1 and frame.index.name is not None:
            frame.index = frame.index.rename(INDEX)
    index = frame.index
    check_size(len(index) * (frame.shape[1] + index.nlevels))
    meaningful = index.nlevels > 1 or any(name is not None for name in index.names)
    body = list(_ticking(frame.itertuples(index=False, name=None)))
    columns = _flat_columns(frame)
    if meaningful or options.get("index_matters"):
        names = [str(name) if name is not None else (INDEX if series else "index")
                 for name in index.names]
        labels = [label if index.nlevels > 1 else (label,) for label in index]
        body = [tuple(label) + row for label, row in zip(labels, body, strict=True)]
        columns = names + columns
    digits = options.get("digits", DIGITS)
    rows = [[_canon_scalar(cell, digits) for cell in row] for row in _ticking(body)]
    return columns, rows


def _sort_spec(options: dict) -> list[tuple[str, bool]]:
    """[(column, ascending)] from the option sorted_by={"col": "ascending"|"descending"}."""
    spec = options.get("sorted_by") or []
    pairs = spec.items() if isinstance(spec, dict) else spec
    aliases = {"index": INDEX, "values": VALUES}  # a Series is sorted by its index or values
    return [(aliases.get(str(column), str(column)), str(way).startswith("asc"))
            for column, way in pairs]


def _order_status(columns: list, rows: list, spec: list[tuple[str, bool]]) -> str:
    """"sorted" when rows follow the sort spec (ties in any order), "reversed" when the first
    sort column runs the other way, else "unsorted". Missing values go last, as pandas does."""
    if not spec or any(column not in columns for column, _ in spec):
        return "sorted"
    positions = [(columns.index(column), ascending) for column, ascending in spec]

    def follows(flip: bool, keys: list[tuple[int, bool]]) -> bool:
        for before, after in _ticking(zip(rows, rows[1:], strict=False)):
            for i, ascending in keys:
                a, b = before[i], after[i]
                if a == b:
                    continue
                if a is None or b is None:
                    if a is None:
                        return False  # a missing value before a present one
                    break
                try:
                    rising = a < b
                except TypeError:
                    return False
                if rising != (ascending != flip):
                    return False
                break
        return True

    if follows(False, positions):
        return "sorted"
    if len(rows) > 1 and follows(True, positions[:1]):
        return "reversed"  # the main sort column runs the other way
    return "unsorted"


def _table_canon(columns: list, rows: list, options: dict) -> dict:
    order = _order_status(columns, rows, _sort_spec(options))
    if options.get("ignore_column_order"):
        positions = sorted(range(len(columns)), key=lambda i: columns[i])
        columns = [columns[i] for i in positions]
        rows = [[row[i] for i in positions] for row in rows]
    if options.get("ignore_row_order") or options.get("sorted_by"):
        rows = sorted(rows, key=_dump)
    canon = {"kind": "table", "rows": rows}
    if not options.get("ignore_column_names"):
        canon["columns"] = columns
    if order != "sorted":
        canon["order"] = order  # never in a key: the key's answer is sorted
    return canon


# ---------------------------------------------------------------- charts


def _sort_of(channel: str, definition: dict, encoding: dict):
    """What a channel's sort means, whichever way it was written: ("count"|field, order),
    an explicit list, or None for the default order."""
    sort = definition.get("sort")
    if sort in (None, "ascending"):
        return None  # Vega-Lite's default order
    if isinstance(sort, str) and sort.lstrip("-") in encoding:
        other = encoding[sort.lstrip("-")]
        other = other[0] if isinstance(other, list) else other
        by = "count" if other.get("aggregate") == "count" else other.get("field")
        return [by, "descending" if sort.startswith("-") else "ascending"]
    if isinstance(sort, str):
        return [definition.get("field"), sort]
    if isinstance(sort, dict):
        by = "count" if sort.get("op") == "count" else sort.get("field")
        return [by, sort.get("order", "ascending")]
    if isinstance(sort, list):
        return ["list", [str(item) for item in sort]]
    return [str(sort)]


def _channel_parts(channel: str, definition: dict, encoding: dict) -> dict:
    """What a check compares in one encoding: field, type, aggregation, order, and a scale
    type other than the default (a question may ask for a log axis; colours are free)."""
    parts = {key: definition[key] for key in ("field", "type", "aggregate", "bin", "timeUnit")
             if key in definition}
    if parts.get("aggregate") == "count":
        parts.pop("field", None)  # count() and count(event_id) count the same rows
    sort = _sort_of(channel, definition, encoding)
    if sort is not None:
        parts["sort"] = sort
    scale = definition.get("scale")
    if isinstance(scale, dict) and scale.get("type") not in (None, "linear"):
        parts["scale"] = scale["type"]
    return parts


def _tooltip_fields(definitions: list) -> list[str]:
    """The fields a tooltip shows ("count()" for a count), without types or titles."""
    fields = []
    for item in definitions:
        if isinstance(item, dict):
            if item.get("aggregate") == "count":
                fields.append("count()")
            elif item.get("aggregate"):
                fields.append(f"{item['aggregate']}({item.get('field')})")
            elif item.get("field"):
                fields.append(str(item["field"]))
    return _sorted_distinct(fields)


def _sorted_distinct(texts) -> list[str]:
    """Distinct texts in order, deduplicated by sorting (no hashing: a forged answer cannot
    choose values whose hashes collide and make it slow)."""
    out: list[str] = []
    for text in sorted(texts):
        if not out or out[-1] != text:
            out.append(text)
    return out


def _title_text(title) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, (list, tuple)):
        title = " ".join(str(line) for line in title)
    return str(title or "").strip()


def _chart_rows(spec: dict) -> list:
    """The rows a single chart draws (its named dataset or its inline values), else []."""
    datasets = spec.get("datasets")
    data = spec.get("data")
    if not isinstance(data, dict):
        return []
    name, values = data.get("name"), data.get("values")
    if isinstance(datasets, dict) and isinstance(name, str) and \
            isinstance(datasets.get(name), list):
        return datasets[name]
    return values if isinstance(values, list) else []


def chart_data_columns(spec: dict) -> tuple[list, list[str]]:
    """(rows, the columns any row has) of a chart's data, within the budget: the canonical
    form holds one value per row and column, so rows times columns is what is capped (14,000
    rows of one column each, all different, would be 196 million)."""
    rows = _chart_rows(spec)
    check_size(len(rows), chart=True)
    keys = 0
    for row in _ticking(rows):
        keys += len(row) if isinstance(row, dict) else 0
        check_size(keys, chart=True)
    columns = _sorted_distinct(str(key) for row in rows if isinstance(row, dict) for key in row)
    check_size(len(rows) * len(columns), chart=True)
    return rows, columns


def _column_values(rows: list, columns: list[str]) -> dict[str, list[str]]:
    """Each column's values (as JSON text, sorted): the chart's data, whatever its row order."""
    values: dict[str, list[str]] = {column: [] for column in columns}
    for row in _ticking(rows, every=16):
        row = row if isinstance(row, dict) else {}
        for column in columns:
            values[column].append(_dump(row.get(column)))
    return {column: sorted(found) for column, found in values.items()}


def _chart_parts(chart) -> dict:
    """The parts of a chart's specification that a check compares (not colours or sizes)."""
    data = getattr(chart, "data", None)
    shape = getattr(data, "shape", None)
    if kind_of(data) == "table" and isinstance(shape, tuple) and len(shape) == 2:
        check_size(shape[0] * shape[1], chart=True)  # before Altair writes it out
    spec = chart.to_dict()
    if not isinstance(spec, dict):
        raise _Unreadable("a chart whose specification is not a dict")
    if any(key in spec for key in ("layer", "hconcat", "vconcat", "concat", "facet", "repeat")):
        raise _Unreadable("a compound chart (the question asks for a single chart)")
    mark = spec.get("mark", {})
    mark = mark.get("type") if isinstance(mark, dict) else mark
    encoding = spec.get("encoding", {})
    channels = {}
    if not isinstance(encoding, dict):
        raise _Unreadable("a chart whose encoding is not a dict")
    check_size(len(encoding), chart=True)
    for channel, definition in _ticking(sorted(encoding.items()), every=16):
        definitions = definition if isinstance(definition, list) else [definition]
        if channel == "tooltip":
            channels[channel] = _tooltip_fields(definitions)
            continue
        channels[channel] = sorted((_channel_parts(channel, item, encoding)
                                    for item in definitions if isinstance(item, dict)), key=_dump)
    rows, columns = chart_data_columns(spec)
    steps = spec.get("transform", [])
    steps = steps if isinstance(steps, list) else []
    check_size(len(steps), chart=True)
    return {
        "kind": "chart",
        "mark": mark,
        "channels": channels,
        "data_rows": len(rows),
        "data_columns": columns,
        "title": _title_text(spec.get("title")),
        "transforms": _sorted_distinct(next(iter(step)) for step in steps
                                       if isinstance(step, dict) and step),
        "column_values": _column_values(rows, columns),
    }


def _title_problem(title: str, rule: str | None) -> str | None:
    """Why a chart title does not do what the prompt asks, or None."""
    if rule is None:
        return None
    words = re.findall(r"[^\W\d_]{2,}", title)
    if not words or title.casefold().strip(" .!?:") in _EMPTY_TITLES:
        return "give the chart a title that says what it shows"
    if rule == "question" and (len(words) < QUESTION_TITLE_WORDS):
        return ("make the title state the question the chart answers, in a few words "
                "(for example a question that ends with ?)")
    return None


# ---------------------------------------------------------------- canonical form


def canonical(value, options: dict | None = None) -> dict:
    """The comparable form of an answer (raises _Unreadable for things it cannot compare)."""
    options = _clean_options(options)
    check_time()
    kind = kind_of(value)
    if kind in ("table", "series"):
        canon = _table_canon(*_as_table(value, options), options)
        canon["kind"] = kind
        return canon
    if kind == "chart":
        return _chart_parts(value)
    if kind == "list":
        if hasattr(value, "__len__"):
            check_size(len(value))
        items = [canonical(item, options)["value"] if kind_of(item) not in ("table", "chart",
                                                                            "list", "dict")
                 else _raise_nested() for item in _ticking(value)]
        if isinstance(value, (set, frozenset)) or options.get("ignore_row_order"):
            items = sorted(items, key=_dump)
        return {"kind": "list", "items": items}
    if kind == "dict":
        check_size(len(value))
        if any(kind_of(item) in ("table", "series", "chart", "list", "dict")
               for item in _ticking(value.values())):
            raise _Unreadable("a dict whose entries hold tables, columns or lists "
                              "(each entry should be one value)")
        return {"kind": "dict", "items": sorted(
            ([str(key), canonical(item, options)["value"]]
             for key, item in _ticking(value.items())), key=_dump)}
    if kind in ("other", "None"):
        raise _Unreadable(_describe(kind))
    return {"kind": kind, "value": _canon_scalar(value, options.get("digits", DIGITS))}


def _raise_nested():
    raise _Unreadable("a list of tables, charts or lists (give one flat list of values)")


def _dump(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(salt: str, check_id: str, obj) -> str:
    text = f"{salt}\0{check_id}\0{_dump(obj)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _key_hash(check_id: str, obj) -> str:
    return _hash(_KEY_SALT, check_id, obj)


def receipt(check_id: str, canon: dict) -> str:
    """The proof of a right answer that a correct check prints (cannot be made from the key)."""
    return _hash(_RECEIPT_SALT, check_id, canon)[:10]


def _success_line(check_id: str, canon: dict) -> str:
    return f"✅ {check_id}: correct, well done! (receipt {receipt(check_id, canon)})"


# ---------------------------------------------------------------- keys: recording


def _scaled(canon: dict, factor: float, column: int | None = None) -> dict:
    """The canonical form of the same answer with its numbers (or one column) times factor."""

    def scale(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        return _canon_scalar(value * factor)

    scaled = dict(canon)
    if "value" in canon:
        scaled["value"] = scale(canon["value"])
    elif "rows" in canon:
        scaled["rows"] = [[scale(cell) if column in (None, i) else cell
                           for i, cell in enumerate(row)] for row in canon["rows"]]
    return scaled


def _numeric_columns(canon: dict) -> list[int]:
    rows = canon.get("rows") or []
    if not rows:
        return []
    return [i for i in range(len(rows[0]))
            if all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool)
                   for row in rows if row[i] is not None)
            and any(row[i] is not None for row in rows)]


def _column_words(name) -> str:
    """A canonical column name as a student would call it."""
    return {VALUES: "the values", INDEX: "the labels (the index)"}.get(name, repr(name))


def _generic_probes(check_id: str, canon: dict, options: dict, is_count: bool) -> list[dict]:
    """Hashes of common mistakes made on the expected answer, each with its hint."""
    probes = []
    kind = canon["kind"]
    if kind == "number":
        value = canon["value"]
        if isinstance(value, (int, float)) and value != 0:
            for factor, words in _UNIT_FACTORS.items():
                probes.append({"hash": _key_hash(check_id, _scaled(canon, 1 / factor)),
                               "hint": f"check your units: your number is off by a factor of "
                                       f"{words}"})
        if is_count and isinstance(value, int):
            is_year = 1900 <= value <= 2100
            hint = ("check the year boundaries: off by one year" if is_year else
                    "off by one: check the boundaries of your count or range (< or <=?)")
            for step in (1, -1):
                if value + step != 0 and abs(value) >= 2:  # 0 is "nothing", not a boundary
                    probes.append({"hash": _key_hash(check_id, {**canon, "value": value + step}),
                                   "hint": hint})
    if kind in ("table", "series"):
        for column in _numeric_columns(canon):
            name = canon.get("columns", [None] * (column + 1))[column]
            where = f" in column {name!r}" if name not in (None, VALUES, INDEX) else ""
            for factor, words in _UNIT_FACTORS.items():
                probes.append({"hash": _key_hash(check_id, _scaled(canon, 1 / factor, column)),
                               "hint": f"check the units{where}: off by a factor of {words}"})
    ordered = not (options.get("ignore_row_order") or options.get("sorted_by"))
    if kind in ("table", "series", "list") and ordered:
        field = "rows" if "rows" in canon else "items"
        if len(canon[field]) > 1 and canon[field] != canon[field][::-1]:
            reverse = {**canon, field: canon[field][::-1]}
            probes.append({"hash": _key_hash(check_id, reverse),
                           "hint": "the rows are in reverse order: keep the order the question "
                                   "asks for"})
    return probes


def _chart_facts(canon: dict, options: dict) -> dict:
    """What a chart must have: the prompt states all of it, so it may sit in the key."""
    channels = {channel: defs for channel, defs in canon["channels"].items()}
    return {
        "mark": canon["mark"],
        "channels": channels,
        "data_rows": canon["data_rows"],
        "data_columns": canon["data_columns"],
        "title_rule": options.get("title") or ("any" if canon["title"] else None),
    }


def _hint_facts(check_id: str, canon: dict, options: dict, is_count: bool) -> dict:
    """What the feedback may say about the expected answer without giving it away."""
    facts = {"kind": canon["kind"]}
    if "rows" in canon:
        facts["n_rows"] = len(canon["rows"])
        facts["columns"] = canon.get("columns")
        facts["sorted_hash"] = _key_hash(check_id, sorted(canon["rows"], key=_dump))
        facts["column_hashes"] = _column_hashes(check_id, canon)
    if canon["kind"] == "list":
        facts["n_items"] = len(canon["items"])
        facts["sorted_hash"] = _key_hash(check_id, sorted(canon["items"], key=_dump))
    if canon["kind"] == "number":
        facts["whole"] = is_count
    if canon["kind"] == "text":
        facts["loose_hash"] = _key_hash(check_id, " ".join(str(canon["value"]).casefold().split()))
    if canon["kind"] == "chart":
        facts["chart"] = _chart_facts(canon, options)
        facts["data_hashes"] = {column: _key_hash(check_id, values)
                                for column, values in canon["column_values"].items()}
    return facts


def _column_hashes(check_id: str, canon: dict) -> list[str]:
    """One order-free hash per column, to say which column's values are wrong."""
    rows = canon["rows"]
    width = len(rows[0]) if rows else len(canon.get("columns") or [])
    return [_key_hash(check_id, sorted(_dump(row[i]) for row in rows)) for i in range(width)]


def _clean_options(options: dict | None) -> dict:
    cleaned = {k: v for k, v in (options or {}).items() if k in _OPTIONS and v}
    if isinstance(cleaned.get("sorted_by"), dict):
        # Pairs, not a dict: the key file sorts dict keys, and the first column sorts first.
        cleaned["sorted_by"] = [[column, way] for column, way in cleaned["sorted_by"].items()]
    return cleaned


def make_key(check_id: str, answer, options: dict | None = None, hint: str | None = None,
             wrong: dict | None = None, rerun: dict | None = None) -> dict:
    """The key entry for one check, from the solution's answer (and the declared wrong ones)."""
    options = _clean_options(options)
    canon = canonical(answer, options)
    if canon.get("order"):
        raise ValueError(f"{check_id}: the solution's answer is not sorted as sorted_by says")
    is_count = isinstance(answer, numbers.Integral) and not isinstance(answer, bool)
    key = {
        "options": options,
        "hash": _key_hash(check_id, _receipt_canon(canon)),
        "facts": _hint_facts(check_id, canon, options, is_count),
        "probes": [],
    }
    if hint:
        key["hint"] = hint
    if rerun:
        key["facts"]["rerun"] = rerun
    for wrong_hint, wrong_answer in (wrong or {}).items():
        try:
            wrong_canon = canonical(coerce(wrong_answer, canon["kind"]), options)
        except _Unreadable:
            continue  # a wrong answer of a kind that cannot be read gets the generic message
        wrong_hash = _key_hash(check_id, _receipt_canon(wrong_canon))
        if wrong_hash == key["hash"]:
            if wrong_canon.get("order"):
                # The right rows in the wrong order: the hint is given when the order is judged.
                key["facts"].setdefault("order_hints", {})[wrong_canon["order"]] = wrong_hint
                continue
            raise ValueError(f"{check_id}: the wrong answer for hint {wrong_hint!r} equals the "
                             "right answer; change the wrong answer (or the data)")
        key["probes"].append({"hash": wrong_hash, "hint": wrong_hint})
    known = {probe["hash"] for probe in key["probes"]}
    for probe in _generic_probes(check_id, canon, options, is_count):
        if probe["hash"] not in known and probe["hash"] != key["hash"]:
            known.add(probe["hash"])
            key["probes"].append(probe)
    return key


def _receipt_canon(canon: dict) -> dict:
    """The part of a canonical form that every accepted variant shares."""
    if canon["kind"] == "chart":
        return _chart_fingerprint(canon)
    return {k: v for k, v in canon.items() if k != "order"}


def _chart_fingerprint(canon: dict) -> dict:
    return {k: canon[k] for k in ("kind", "mark", "channels", "data_rows", "data_columns")}


# ---------------------------------------------------------------- keys: judging


_keys_cache: dict[str, dict] = {}


def load_keys(keys_dir: Path | None = None) -> dict[str, dict]:
    """Every check's key, by check id, from all key files (check ids are unique course-wide).

    A student's own release (`make release`) puts the keys of their variant of each question
    in an `answer_keys/` folder beside the notebooks; the kernel runs in the notebook's folder,
    so those keys take the place of the course's default ones."""
    if not _keys_cache:
        folders = [keys_dir or Path(os.environ.get(KEYS_DIR_ENV) or KEYS_DIR)]
        beside = Path.cwd() / RELEASED_KEYS
        if keys_dir is None and not os.environ.get(KEYS_DIR_ENV) and beside.is_dir():
            folders.append(beside)
        for folder in folders:
            for path in sorted(folder.glob("*.json")):
                data = json.loads(path.read_text(encoding="utf-8"))
                for check_id in data.get("order", sorted(data["checks"])):
                    _keys_cache[check_id] = {**data["checks"][check_id],
                                             "notebook": data["notebook"]}
    return _keys_cache


def judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    """(passed, one-line message) for an answer; never raises. Bounded: past the budget of
    JUDGE_MAX_VALUES, JUDGE_MAX_CHART_VALUES or JUDGE_MAX_SECONDS, the message says the answer
    is too large or too slow to judge (and the check fails)."""
    if answer is Ellipsis:
        return False, f"❌ {check_id}: {NOT_ANSWERED}"
    with judging_budget():
        try:
            return _judge(check_id, answer, key)
        except TooLarge as problem:
            return False, too_large_message(check_id, problem)
        except RecursionError:
            return False, too_large_message(check_id, "nested too deeply")


def _judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    facts = key.get("facts", {})
    options = key.get("options", {})
    try:
        answer = coerce(answer, facts.get("kind"))
        canon = canonical(answer, options)
    except TooLarge:
        raise
    except _Unreadable as problem:
        return False, f"❌ {check_id}: not yet: the check cannot compare {problem}"
    except Exception as problem:  # a student's object can fail in any way
        return False, (f"❌ {check_id}: not yet: the check could not read your answer "
                       f"({type(problem).__name__}: {str(problem)[:120]})")
    if canon["kind"] == "chart" and "chart" in facts:
        return _judge_chart(check_id, canon, key)
    answer_hash = _key_hash(check_id, _receipt_canon(canon))
    if answer_hash == key["hash"]:
        if canon.get("order"):
            return False, f"❌ {check_id}: not yet: {_order_hint(canon['order'], key)}"
        return True, _success_line(check_id, _receipt_canon(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == answer_hash:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {_structural_hint(check_id, canon, key)}"


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
    if got == "text":
        loose = _key_hash(check_id, " ".join(str(canon["value"]).casefold().split()))
        if loose == facts.get("loose_hash"):
            return "almost: check capitals and spaces"
        return fallback
    return fallback


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


def _judge_chart(check_id: str, canon: dict, key: dict) -> tuple[bool, str]:
    problem = _chart_problem(check_id, canon, key)
    if problem is None:
        return True, _success_line(check_id, {"chart": key["hash"]})
    fingerprint = _key_hash(check_id, _chart_fingerprint(canon))
    for probe in key.get("probes", []):
        if probe["hash"] == fingerprint:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {problem}"


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
    if (canon["data_rows"] != expected["data_rows"] or not same_columns
            or not used <= set(canon["data_columns"])):
        return (f"the chart's data has {canon['data_rows']} rows; draw it from the table the "
                f"question names ({expected['data_rows']} rows)")
    return _title_problem(canon["title"], expected.get("title_rule"))


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
        if any(have.get(part) != want.get(part) for part in core):
            return f"the {channel} channel is not right yet (check its field and aggregate)"
        if "sort" in want and have.get("sort") != want["sort"]:
            return f"check the order of the {channel} channel (its sort): the question says which"
    return None


# ---------------------------------------------------------------- hidden test data


RERUN_HINT = ("right for this table, but your code does not follow the rule the question "
              "states: on a changed copy of the table (rows in another order, other figures, "
              "more rows) it gives another answer. Check each step against the question: "
              "filter on the columns it names, sort by the column it names, round as it asks, "
              "and take numbers from the table instead of typing them in")
DECOY = " (test row)"
SCALE = 1.37


def coded_columns(table: str) -> set[str]:
    """The columns whose values come from a fixed list (an `enum` in data/datapackage.json):
    test rows keep their values valid, so that `date_basis != "printed"` stays as right as
    `date_basis == "inferred"`, as on any table that passes validation."""
    try:
        from balkan_course.data import _resource
        fields = _resource(table)["schema"]["fields"]
    except Exception:  # noqa: BLE001 - a table the package does not describe: no codes known
        return set()
    return {f["name"] for f in fields if "enum" in f.get("constraints", {})}


def perturbed(frame, keep: set[str] = frozenset()):
    """Hidden test data: a copy of a table with its rows reversed, its large numbers (above
    100: troops, euros, not codes or coordinates) times 1.37, and a test copy of every row
    whose every text is changed (except the coded columns in `keep`), so that it matches no
    filter on an id or name the question names exactly but does match a filter on a number
    or a part of a text."""
    pandas = sys.modules["pandas"]
    types = pandas.api.types
    out = frame.iloc[::-1].copy()
    for column in out.columns:
        values = out[column]
        if (types.is_numeric_dtype(values) and not types.is_bool_dtype(values)
                and values.abs().max() > 100):
            out[column] = values * SCALE
    decoys = out.copy()
    for column in decoys.columns:
        if column in keep:
            continue
        if types.is_string_dtype(decoys[column]) or types.is_object_dtype(decoys[column]):
            text = decoys[column].astype("string")
            decoys[column] = text.where(text.isna(), text + DECOY)
    if types.is_integer_dtype(frame.index) and len(frame):
        start = int(max(frame.index)) + 1
        labels = range(start, start + len(decoys))
    else:
        labels = [f"test_row_{i}" for i in range(len(decoys))]
    decoys.index = pandas.Index(labels, name=frame.index.name)
    return pandas.concat([out, decoys])


def _cast_like(value, column):
    """A value an author typed (a date as text, say) in the dtype of the column it joins."""
    pandas = sys.modules["pandas"]
    if pandas.api.types.is_datetime64_any_dtype(column):
        return pandas.Series(pandas.to_datetime([value])).astype(column.dtype).iloc[0]
    return pandas.Series([value]).astype(column.dtype).iloc[0]


def with_test_rows(frame, rows: list[dict]):
    """Hidden test data made by hand: each row names its id (the table's first column). A row
    whose id is in the table changes those fields of it; a new id adds a row, its other fields
    copied from the table's first row. So an author writes the boundary case the real data
    lacks (an event that ends in 1998, a ministry row from another article) in a line."""
    if not rows:
        return frame
    pandas = sys.modules["pandas"]
    out = frame.copy()
    id_column = out.columns[0]
    for number, row in enumerate(rows):
        unknown = sorted(set(row) - set(out.columns))
        if unknown or id_column not in row:
            raise ValueError(f"test row {number}: needs the id column {id_column!r} and only "
                             f"the table's columns (unknown: {unknown})")
        same = out[id_column] == row[id_column]
        if same.any():
            for column, value in row.items():
                out.loc[same, column] = _cast_like(value, out[column])
            continue
        added = out.iloc[[0]].copy()
        for column, value in row.items():
            added[column] = _cast_like(value, out[column])
        if pandas.api.types.is_integer_dtype(out.index):
            added.index = pandas.Index([int(out.index.max()) + 1], name=out.index.name)
        else:
            added.index = pandas.Index([f"test_row_added_{number}"], name=out.index.name)
        out = pandas.concat([out, added])
    return out


def _target_names(target, names: set[str]) -> None:
    """The names an assignment target binds: x, (x, y), [x, *rest], nested (a, (b, c));
    an attribute or an item (obj.x, d["x"]) binds no name."""
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _target_names(element, names)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, names)


def _assigned_names(source: str) -> set[str]:
    """The names a cell binds in the notebook's namespace, statement by statement: `=` (with
    unpacking, starred and chained targets), annotated with a value, augmented, `:=` (in a
    comprehension too), for and with targets, match captures, import and import-as, def and
    class, and names a function of the cell declares global; a `del` at the top of the cell
    unbinds (one inside a branch may not run). Names bound inside a function or class body are
    not the notebook's. Names a cell binds only at run time
    (`globals()["x"] = ...`, `exec`, `from m import *`) cannot be seen: the self-check then
    says it cannot find the answer's cell, and the grader, which reruns the answer cells by
    the notebook's structure, needs no names at all."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in (*node.decorator_list, *getattr(node, "bases", []),
                         *getattr(node, "keywords", [])):
                visit(part)
            names.add(node.name)
            names.update(name for inner in ast.walk(node) if isinstance(inner, ast.Global)
                         for name in inner.names)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Assign):
            visit(node.value)
            for target in node.targets:
                _target_names(target, names)
            return
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:  # `x: int` alone binds nothing
                visit(node.value)
                _target_names(node.target, names)
            return
        if isinstance(node, (ast.AugAssign, ast.NamedExpr)):
            visit(node.value)
            _target_names(node.target, names)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            _target_names(node.target, names)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            _target_names(node.optional_vars, names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if alias.name != "*")
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        if isinstance(statement, ast.Delete):  # only a `del` the cell always runs unbinds
            gone: set[str] = set()
            for target in statement.targets:
                _target_names(target, gone)
            names.difference_update(gone)
        else:
            visit(statement)
    return names


# The name of the code a rerun runs: `check` called from inside it does not rerun again.
RERUN_FILENAME = "<answer on hidden test data>"


def run_answer_cells(sources: list[str], name: str, namespace: dict, tables: list[str],
                     rows: dict | None = None) -> tuple[object, str | None]:
    """Run an answer's cells again, in order, on hidden test data: in a copy of the namespace,
    with the named tables replaced by their perturbed copies plus the author's test rows for
    them, and without `name`, so that its value can only come from the cells. A cell that
    raises stops there and the next one runs, as in the notebook. Returns (the new value of
    `name`, None), or (None, why there is none: a cell raised, or none assigned `name`).

    The grader sends this function's source, with the functions it calls, to the kernel with
    each rerun (answers.rerun_request_code), where it runs in a namespace made for that
    request: reassigning names in the notebook or in this module changes nothing there."""
    scope = dict(namespace)
    scope.pop(name, None)
    for table in tables:
        if kind_of(scope.get(table)) != "table":
            return None, f"found no table named {table}"
        scope[table] = with_test_rows(perturbed(scope[table], coded_columns(table)),
                                      (rows or {}).get(table, []))
    capture = contextlib.nullcontext()
    if "IPython" in sys.modules:
        from IPython.utils.capture import capture_output
        capture = capture_output()
    first_error = None
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), capture:
        warnings.simplefilter("ignore")
        for source in sources:
            try:
                exec(compile(source, RERUN_FILENAME, "exec"), scope)  # noqa: S102
            except Exception as problem:  # noqa: BLE001 - judged below, as the notebook would
                first_error = first_error or f"{type(problem).__name__}: {str(problem)[:160]}"
    if name in scope:
        return scope[name], None
    if first_error:
        return None, f"raised {first_error}"
    return None, f"did not assign {name}"


def rerun_answer(source: str, name: str, namespace: dict, tables: list[str],
                 rows: dict | None = None):
    """run_answer_cells for one cell: the new value of `name`, or Ellipsis when there is none."""
    value, why = run_answer_cells([source], name, namespace, tables, rows)
    return Ellipsis if why is not None else value


# The functions run_answer_cells needs in the kernel, sent with each rerun request.
RERUN_FUNCTIONS = ("_type_name", "_is_array", "kind_of", "coded_columns", "perturbed",
                   "_cast_like", "with_test_rows", "run_answer_cells")


def rerun_source() -> str:
    """run_answer_cells and what it calls, as one piece of code with its imports and
    constants: the kernel half of a rerun (answers.rerun_request_code)."""
    import inspect

    module = sys.modules[__name__]
    parts = ["import contextlib, datetime as _dt, io, numbers, sys, warnings",
             f"DECOY = {DECOY!r}", f"SCALE = {SCALE!r}", f"RERUN_FILENAME = {RERUN_FILENAME!r}",
             *(inspect.getsource(getattr(module, name)) for name in RERUN_FUNCTIONS)]
    return "\n".join(parts)


def _rerun_hash(check_id: str, value, kind: str, options: dict) -> str | None:
    try:
        canon = canonical(coerce(value, kind), options)
    except TooLarge:
        raise
    except Exception:  # noqa: BLE001
        return None
    return _key_hash(check_id, {"rerun": _receipt_canon(canon), "order": canon.get("order")})


RERUN_NO_VALUE = ("right for this table, but on a changed copy of the table (rows in another "
                  "order, other figures, more rows) your answer cell {why}, so it cannot be "
                  "checked: compute {name} in the answer cell from the table the question "
                  "names, in a way that works on any version of that table")


def hidden_data_failure(check_id: str, key: dict, value, why: str | None) -> str | None:
    """The failing message of a check whose answer, run again on hidden test data, gave
    `value` (or no value, and `why`); None when it gives the solution's answer there too.
    A rerun that gives no value fails: only a check with no hidden test keeps its verdict."""
    rerun = key.get("facts", {}).get("rerun")
    if not rerun:
        return None
    if why is not None:
        return f"❌ {check_id}: not yet: " + RERUN_NO_VALUE.format(why=str(why)[:240],
                                                                  name=rerun["name"])
    with judging_budget():
        try:
            same = _rerun_hash(check_id, value, key["facts"]["kind"],
                               key.get("options", {})) == rerun["hash"]
        except TooLarge as problem:
            return too_large_message(check_id, f"on hidden test data: {problem}")
    return None if same else f"❌ {check_id}: not yet: {RERUN_HINT}"


def rerun_judge(check_id: str, source: str, namespace: dict, key: dict) -> bool | None:
    """Does the answer's code give the solution's answer on hidden test data too? None when the
    check has no hidden test; False when it gives another answer, raises there, or does not
    assign the answer's name."""
    rerun = key.get("facts", {}).get("rerun")
    if not rerun:
        return None
    value, why = run_answer_cells([source], rerun["name"], namespace, rerun["tables"],
                                  rerun.get("rows"))
    return hidden_data_failure(check_id, key, value, why) is None


def _ipython():
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _history() -> list[str]:
    """The cells run so far in this kernel, the running one last, as IPython runs them."""
    shell = _ipython()
    cells = []
    for source in list(getattr(shell, "user_ns", {}).get("In", [])) if shell else []:
        try:
            cells.append(shell.transform_cell(source))
        except Exception:  # noqa: BLE001 - a cell IPython cannot read binds nothing
            cells.append("")
    return cells


def _answer_cell(name: str) -> str | None:
    """The source (as IPython runs it) of the last cell run that assigns `name`, the running
    cell included, when running in IPython (a kernel); else None. Cells are told apart by
    what their code does (_assigned_names), never by their text: a comment is no code."""
    return next((code for code in reversed(_history()) if name in _assigned_names(code)), None)


def _calls_check(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) and "check" in (getattr(node.func, "id", None),
                                                         getattr(node.func, "attr", None))
               for node in ast.walk(tree))


def _rerun_attempts(name: str, tables: list[str], cells: list[str]) -> list[list[str]]:
    """The cells the self-check runs again on hidden data, in the order it tries them: the
    last cell that assigns `name` (as the key was recorded), then, should that give no value
    (it uses a helper of an earlier cell, say), every cell run since the previous check cell,
    except those that load the tables (set-up code would replace the hidden data). `cells`:
    the history, the running cell last."""
    last = next((code for code in reversed(cells) if name in _assigned_names(code)), None)
    if last is None:
        return []
    earlier, current = cells[:-1], cells[-1:]
    start = max((i + 1 for i, code in enumerate(earlier) if _calls_check(code)), default=0)
    since = [code for code in earlier[start:] + [c for c in current if name in
                                                 _assigned_names(c)]
             if not _assigned_names(code) & set(tables)]
    found = [[last]]
    if since != [last] and any(name in _assigned_names(code) for code in since):
        found.append(since)
    return found


def _in_rerun() -> bool:
    """Is this check called by an answer cell that a rerun is running again?"""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == RERUN_FILENAME:
            return True
        frame = frame.f_back
    return False


def _checked_name() -> str | None:
    """The variable the running check cell passes: check("id", name)."""
    shell = _ipython()
    history = list(getattr(shell, "user_ns", {}).get("In", [])) if shell else []
    if not history:
        return None
    try:
        tree = ast.parse(shell.transform_cell(history[-1]))
    except Exception:  # noqa: BLE001
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check"
                and len(node.args) > 1 and isinstance(node.args[1], ast.Name)):
            return node.args[1].id
    return None


def _record_rerun(check_id: str, answer, options: dict) -> dict | None:
    """In record mode: the solution's answer on hidden test data, for the key."""
    tables = options.get("rerun")
    name = _checked_name()
    found = _answer_cell(name) if (tables and name) else None
    if not found:
        return None
    rows = _test_rows.get(check_id, {})
    stray = sorted(set(rows) - set(tables))
    if stray:
        raise ValueError(f"{check_id}: test rows for {stray}, which the check does not rerun on")
    value, why = run_answer_cells([found], name, _ipython().user_ns, list(tables), rows)
    if why is not None:
        raise ValueError(f"{check_id}: the solution cannot run on hidden test data ({why})")
    kind = canonical(answer, _clean_options(options))["kind"]
    rerun = {"name": name, "tables": list(tables),
             "hash": _rerun_hash(check_id, value, kind, _clean_options(options))}
    if rows:
        rerun["rows"] = rows
    return rerun


# ---------------------------------------------------------------- the functions cells call


_results: dict[str, bool] = {}
_recorded: dict[str, dict] = {}
_test_rows: dict[str, dict] = {}  # check id -> {table: [rows]}, in record mode
_wrong: dict[str, dict] = {}
_made_keys: dict[str, tuple] = {}  # check id -> (its _recorded entry, its _wrong, its key)


def _record_path() -> Path | None:
    value = os.environ.get(RECORD_ENV)
    return Path(value) if value else None


def _selftest_path() -> Path | None:
    value = os.environ.get(SELFTEST_ENV)
    return Path(value) if value else None


def _write_record(path: Path) -> None:
    """Keys of the notebook being recorded, the whole file written on every call. A key is
    made again only when its check or its wrong answers were recorded again since (making
    every key on every call cost seconds per notebook)."""
    checks = {}
    for check_id, entry in _recorded.items():
        wrong = _wrong.get(check_id)
        made = _made_keys.get(check_id)
        if made is None or made[0] is not entry or made[1] is not wrong:
            # The cache holds the objects themselves, so `is` cannot match a recycled id.
            made = _made_keys[check_id] = (entry, wrong, make_key(
                check_id, entry["answer"], entry["options"], entry["hint"], wrong,
                entry.get("rerun")))
        checks[check_id] = made[2]
    data = {"notebook": path.stem, "order": list(_recorded), "checks": checks}
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _append_selftest(entry: dict) -> None:
    path = _selftest_path()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def check(check_id: str, answer, *, hint: str | None = None, **options) -> None:
    """Print whether `answer` is right, with a hint when it is not. Never raises, unless
    BALKAN_COURSE_STRICT=1 is set (a student's self-check under `pytest --nbval-lax`): then a
    miss also raises AssertionError with the same line, so the check's cell fails.

    Options (set by the author in the solution and recorded in the key): ignore_row_order,
    ignore_column_order, ignore_column_names, index_matters, digits, sorted_by={"col":
    "ascending"|"descending"}, decimals=n (rounding the prompt asks for), title="any"|"question"
    (what a chart's title must do). `hint` is shown when no more precise hint applies. The
    rules for choosing them are in docs/authoring_exercises.md.
    """
    if _in_rerun():
        return  # an answer cell that also checks, run again on hidden data: judged outside
    record = _record_path()
    if record is not None:
        _recorded[check_id] = {"answer": answer, "options": options, "hint": hint,
                               "rerun": _record_rerun(check_id, answer, options)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _write_record(record)
            passed, message = judge(check_id, answer, make_key(
                check_id, answer, options, hint, _wrong.get(check_id)))
        if not passed:
            raise ValueError(f"the solution's own answer fails its check: {message}")
        _results[check_id] = True
        print(message)
        return
    try:
        key = load_keys().get(check_id)
        if key is None:
            passed, message = False, (f"❌ {check_id}: there is no answer key for this check "
                                      "(ask your teacher)")
        else:
            with warnings.catch_warnings():
                # A warning printed here would change the output that the grader compares.
                warnings.simplefilter("ignore")
                passed, message = judge(check_id, answer, key)
                passed, message = _judge_on_hidden_data(check_id, key, passed, message)
    except Exception as problem:  # the check itself must never bury a student in a traceback
        passed, message = False, f"❌ {check_id}: the check failed to run ({problem!r})"
    _results[check_id] = passed
    if _selftest_path() is not None:
        _append_selftest({"check_id": check_id, "role": "answer", "passed": passed,
                          "message": message})
    print(message)
    if not passed and os.environ.get("BALKAN_COURSE_STRICT") == "1":
        raise AssertionError(message)


RERUN_NO_CELL = ("right for this table, but the check cannot find the cell that computes "
                 "{name}, to run it again on a changed copy of the table: assign {name} in "
                 "the answer cell ({name} = ...), then run that cell and this one again")


def _judge_on_hidden_data(check_id: str, key: dict, passed: bool, message: str):
    """A right answer is run again on hidden test data when its check asks for it: the cells
    _rerun_attempts finds in the history of what ran (the kernel does not know the notebook's
    structure, which the grader uses). As in the grader, a rerun that gives no value fails.
    Without a history the verdict stands, and the grader reruns anyway: outside IPython (a
    plain Python process, as in the course's tests), or when the running cell is not in the
    history (a front end that runs cells without keeping them, as nbval does)."""
    rerun = key.get("facts", {}).get("rerun")
    shell = _ipython()
    if not passed or not rerun or shell is None or _in_rerun():
        return passed, message
    cells = _history()
    if not cells or not _calls_check(cells[-1]):
        return passed, message
    attempts = _rerun_attempts(rerun["name"], rerun["tables"], cells)
    if not attempts:
        return False, f"❌ {check_id}: not yet: " + RERUN_NO_CELL.format(name=rerun["name"])
    value, first_why = None, None
    for cells in attempts:
        value, why = run_answer_cells(cells, rerun["name"], shell.user_ns, rerun["tables"],
                                      rerun.get("rows"))
        if why is None:
            break
        first_why = first_why or why
    failure = hidden_data_failure(check_id, key, value, why and first_why)
    return (False, failure) if failure else (passed, message)


def hidden_rows(check_id: str, **tables: list[dict]) -> None:
    """Declare hand-made hidden test rows for a check that reruns on tables (`rerun=[...]`):
    hidden_rows("02-overlap-1999", events=[{"event_id": "test", "date_end": "1998-06-30"}]).
    Lives in the hidden `wrong-answers` cell, before the check; see with_test_rows."""
    if _record_path() is not None:
        _test_rows[check_id] = {table: [dict(row) for row in rows]
                                for table, rows in tables.items()}


def wrong_answers(check_id: str, answers: dict) -> None:
    """Declare plausible wrong answers for a check: {hint shown to the student: wrong value}.

    Lives in a hidden cell tagged `wrong-answers` (dropped from the exercises). The keys get
    each one's hash so the student sees the author's hint; the tests check each one fails.
    """
    record = _record_path()
    if record is not None:
        _wrong[check_id] = dict(answers)
        if check_id in _recorded:
            _write_record(record)
        return
    if _selftest_path() is None:
        return
    key = load_keys().get(check_id)
    for wrong_hint, value in answers.items():
        passed, message = judge(check_id, value, key) if key else (False, "no key")
        _append_selftest({"check_id": check_id, "role": "wrong", "declared_hint": wrong_hint,
                          "passed": passed, "message": message})
    passed, message = judge(check_id, ..., key) if key else (False, "no key")
    _append_selftest({"check_id": check_id, "role": "unanswered", "passed": passed,
                      "message": message})


def show_progress(notebook: str) -> None:
    """Print how many of the notebook's checks passed in this session."""
    keys = {check_id: key for check_id, key in load_keys().items()
            if key["notebook"] == notebook}
    if _record_path() is not None:
        keys = {check_id: {} for check_id in _recorded}
    if not keys:
        print(f"No checks are known for {notebook!r}.")
        return
    passed = [check_id for check_id in keys if _results.get(check_id)]
    width = 20
    filled = round(width * len(passed) / len(keys))
    print(f"Progress: {len(passed)} of {len(keys)} checks passed  "
          f"[{'#' * filled}{'.' * (width - filled)}]")
    for check_id in keys:
        if check_id not in _results:
            mark = "⏳ not run yet"
        else:
            mark = "✅ passed" if _results[check_id] else "❌ not yet"
        print(f"  {check_id}: {mark}")
    if len(passed) == len(keys):
        print("All done: well done! Remember to save the notebook before you hand it in.")
    elif _results:
        print("Keep going: re-run a check cell after changing its answer.")
