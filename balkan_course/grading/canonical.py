"""Canonical values: the comparable form of an answer, whatever way it was written.

`canonical(value, options)` turns a table, a Series, a list, a dict, a number, a text, a date or
an Altair chart into plain JSON-ready data: numbers rounded to DIGITS significant digits, dates
as ISO text, rows sorted when the order is free, a chart as its mark, channels and data. Every
accepted variant of an answer has the same canonical form (the tolerance rules are in
docs/authoring_exercises.md); keys.py hashes it, judge.py compares it.

Only the standard library is imported: pandas and Altair are looked up in sys.modules when an
answer is one of theirs. Reading a value stays within the judging budget (budget.py).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import re
import sys

from balkan_course.grading.budget import _ticking, check_size, check_time

# Floats are compared at this many significant digits (sums in a different order still match).
DIGITS = 6


_OPTIONS = ("ignore_row_order", "ignore_column_order", "ignore_column_names", "index_matters",
            "digits", "sorted_by", "decimals", "title", "rerun", "interaction")
# A Series' index and values, named for the canonical form (a Series' own name is free).
INDEX, VALUES = "(index)", "(values)"


class _Unreadable(Exception):
    """The answer is of a kind the checks cannot compare."""


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
    "interaction": "an interactive Altair chart",
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


# The keys of a Vega-Lite spec that make it a compound chart (several views).
COMPOUND_KEYS = ("layer", "hconcat", "vconcat", "concat", "facet", "repeat")


def single_chart_spec(chart) -> dict:
    """A chart's specification, or _Unreadable if it is no dict or a compound chart (the
    questions ask for a single chart)."""
    spec = chart.to_dict()
    if not isinstance(spec, dict):
        raise _Unreadable("a chart whose specification is not a dict")
    if any(key in spec for key in COMPOUND_KEYS):
        raise _Unreadable("a compound chart (the question asks for a single chart)")
    return spec


def _chart_parts(chart) -> dict:
    """The parts of a chart's specification that a check compares (not colours or sizes)."""
    data = getattr(chart, "data", None)
    shape = getattr(data, "shape", None)
    if kind_of(data) == "table" and isinstance(shape, tuple) and len(shape) == 2:
        check_size(shape[0] * shape[1], chart=True)  # before Altair writes it out
    spec = single_chart_spec(chart)
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
        "description": _title_text(spec.get("description")),
        "transforms": _sorted_distinct(next(iter(step)) for step in steps
                                       if isinstance(step, dict) and step),
        "column_values": _column_values(rows, columns),
    }


# ------------------------------------------------ interactive charts: judged by behaviour

# Channels that draw a legend a click can select from.
LEGEND_CHANNELS = ("color", "fill", "stroke", "shape")
# Channels whose drawn values a filter chart is judged on (colours and tooltips are free).
_DRAWN_CHANNELS = ("x", "y", "x2", "y2", "theta", "text")
_PARAM_FILTER = re.compile(
    r"^\(*\s*(?:datum\.(?P<f1>\w+)|datum\[['\"](?P<f2>[^'\"]+)['\"]\])\s*===?\s*(?P<p1>\w+)\s*\)*$"
    r"|^\(*\s*(?P<p2>\w+)\s*===?\s*(?:datum\.(?P<f3>\w+)|datum\[['\"](?P<f4>[^'\"]+)['\"]\])"
    r"\s*\)*$")


def _input_kind(param: dict) -> str:
    """What the reader uses to change a parameter: an input kind, the legend, a click, a drag."""
    bind = param.get("bind")
    if isinstance(bind, dict):
        return str(bind.get("input", "input"))
    if bind == "legend":
        return "legend"
    select = param.get("select")
    kind = select.get("type") if isinstance(select, dict) else select
    return {"point": "click", "interval": "drag"}.get(kind, "none")


def _selected_fields(param: dict, encoding: dict) -> list[str]:
    """The fields a selection chooses by: its `fields`, or the fields of its `encodings`."""
    select = param.get("select")
    if not isinstance(select, dict):
        return []
    fields = [str(field) for field in select.get("fields") or []]
    for channel in select.get("encodings") or []:
        definition = encoding.get(channel)
        if isinstance(definition, dict):
            field = definition.get("field") or (definition.get("condition") or {}).get("field")
            if field:
                fields.append(str(field))
    return fields


def _channel_field(definition) -> str | None:
    """The field a channel shows, also when a condition switches it on and off."""
    if not isinstance(definition, dict):
        return None
    if definition.get("field"):
        return str(definition["field"])
    condition = definition.get("condition")
    if isinstance(condition, dict) and condition.get("field"):
        return str(condition["field"])
    return None


def _conditioned_channels(encoding: dict, name: str) -> list[str]:
    """The channels a parameter switches through alt.condition."""
    found = []
    for channel, definition in encoding.items():
        conditions = definition.get("condition") if isinstance(definition, dict) else None
        conditions = conditions if isinstance(conditions, list) else [conditions]
        if any(isinstance(c, dict) and c.get("param") == name for c in conditions):
            found.append(str(channel))
    return found


def _filter_test(step, params: dict, choice, chooser: str):
    """A test of a row for one filter step while the reader has chosen `choice` with the
    parameter `chooser`; the forms the course teaches: `alt.datum.field == parameter`, a
    selection, and a comparison with a fixed value."""
    if isinstance(step, dict) and step.get("param") in params:
        name = step["param"]
        fields = _selected_fields(params[name], {})
        if name != chooser or not fields:
            return lambda row: True
        return lambda row: all(_dump(row.get(field)) == _dump(choice) for field in fields[:1])
    if isinstance(step, str):
        found = _PARAM_FILTER.match(step.strip())
        if found:
            field = found["f1"] or found["f2"] or found["f3"] or found["f4"]
            name = found["p1"] or found["p2"]
            if name == chooser:
                return lambda row: _dump(row.get(field)) == _dump(choice)
            if name in params:
                value = params[name].get("value")
                return lambda row: _dump(row.get(field)) == _dump(value)
    raise _Unreadable("a filter the check cannot read (write it as "
                      "alt.datum.field == parameter, or filter by a selection)")


def _drawn(rows: list, encoding: dict) -> list:
    """What the chart draws from some rows: one entry per mark, each channel's value (an
    aggregated channel holds its group's count, sum or mean), in a free order."""
    channels = [c for c in _DRAWN_CHANNELS if isinstance(encoding.get(c), dict)]
    grouped = [c for c in channels if not encoding[c].get("aggregate")]
    summed = [c for c in channels if encoding[c].get("aggregate")]
    groups: dict[str, list] = {}
    for row in _ticking(rows, every=16):
        row = row if isinstance(row, dict) else {}
        label = _dump([row.get(encoding[c].get("field")) for c in grouped])
        groups.setdefault(label, []).append(row)
    marks = []
    for label, members in groups.items():
        mark = dict(zip(grouped, json.loads(label), strict=True)) if summed else None
        if not summed:
            marks.extend({c: row.get(encoding[c].get("field")) for c in grouped}
                         for row in members)
            continue
        for channel in summed:
            op, field = encoding[channel]["aggregate"], encoding[channel].get("field")
            numbers_ = [row.get(field) for row in members
                        if isinstance(row.get(field), (int, float))]
            mark[channel] = (len(members) if op == "count" else sum(numbers_) if op == "sum"
                             else sum(numbers_) / len(numbers_) if op == "mean" and numbers_
                             else op)
        marks.append(mark)
    return sorted(_dump({c: _canon_scalar(v) if not isinstance(v, (dict, list)) else None
                          for c, v in mark.items()}) for mark in marks)


def _interaction_canon(chart, mode: str) -> dict:
    """An interactive chart judged by what it does: for each value a reader can choose (each
    radio option, each legend item), what the chart shows.

    mode "filter": the mark, and for each option of the parameter bound to radio buttons (or
    a drop-down), the marks drawn from the rows the filter keeps, channel by channel (x, y,
    text, theta; colours and tooltips are free). mode "legend": the channels that a selection
    bound to the legend switches, whether the selected field has a legend to click (a colour,
    fill or shape channel on it), and for each legend item the number of rows it highlights;
    not the mark or the axes (another part of the question judges them)."""
    spec = single_chart_spec(chart)
    encoding = spec.get("encoding", {})
    encoding = encoding if isinstance(encoding, dict) else {}
    params = {str(p.get("name")): p for p in spec.get("params") or [] if isinstance(p, dict)}
    check_size(len(params), chart=True)
    inputs = _sorted_distinct(_input_kind(p) for p in params.values()) or ["none"]
    steps = [step.get("filter") for step in spec.get("transform") or []
             if isinstance(step, dict) and "filter" in step]
    changes = _sorted_distinct(channel for name in params
                               for channel in _conditioned_channels(encoding, name))
    if any(_dump(step).find(_dump(name)[1:-1]) >= 0 for step in steps for name in params):
        changes = _sorted_distinct([*changes, "filter"])
    rows, _ = chart_data_columns(spec)
    canon = {"kind": "interaction", "inputs": inputs, "changes": changes or ["nothing"]}
    if mode == "legend":
        chooser = next((p for p in params.values() if p.get("bind") == "legend"), None)
        fields = _selected_fields(chooser, encoding) if chooser else []
        legend = sorted(c for c in LEGEND_CHANNELS if fields and
                        _channel_field(encoding.get(c)) == fields[0])
        canon["legend"] = bool(legend)
        counts: dict[str, int] = {}
        for row in _ticking(rows, every=16):
            if legend and isinstance(row, dict):
                item = _dump(_canon_scalar(row.get(fields[0])))
                counts[item] = counts.get(item, 0) + 1
        canon["choices"] = [[json.loads(item), count] for item, count in sorted(counts.items())]
        return canon
    mark = spec.get("mark", {})
    canon["mark"] = mark.get("type") if isinstance(mark, dict) else mark
    chooser = next((name for name, p in params.items() if isinstance(p.get("bind"), dict)
                    and isinstance(p["bind"].get("options"), list)), None)
    options = params[chooser]["bind"]["options"] if chooser else []
    check_size(len(options) * max(len(rows), 1), chart=True)
    choices = []
    for option in options:
        tests = [_filter_test(step, params, option, chooser) for step in steps]
        kept = [row for row in rows if isinstance(row, dict) and all(t(row) for t in tests)]
        choices.append([_canon_scalar(option), _drawn(kept, encoding)])
    canon["choices"] = choices
    return canon


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
    if kind == "chart" and options.get("interaction"):
        return _interaction_canon(value, options["interaction"])
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


def _clean_options(options: dict | None) -> dict:
    cleaned = {k: v for k, v in (options or {}).items() if k in _OPTIONS and v}
    if isinstance(cleaned.get("sorted_by"), dict):
        # Pairs, not a dict: the key file sorts dict keys, and the first column sorts first.
        cleaned["sorted_by"] = [[column, way] for column, way in cleaned["sorted_by"].items()]
    return cleaned


def _receipt_canon(canon: dict) -> dict:
    """The part of a canonical form that every accepted variant shares."""
    if canon["kind"] == "chart":
        return _chart_fingerprint(canon)
    return {k: v for k, v in canon.items() if k != "order"}


def _chart_fingerprint(canon: dict) -> dict:
    return {k: canon[k] for k in ("kind", "mark", "channels", "data_rows", "data_columns")}
