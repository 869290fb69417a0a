"""Answers carried out of a student's kernel as plain data, and rebuilt for judging.

The grader never trusts what a kernel prints. After the student's cells have run, it asks the
kernel for the VALUE of each answer (`emit`, run in the kernel); the value travels as tagged
JSON (no pickle, nothing executable) and is rebuilt in the grading process (`decode`) into the
same kind of object (DataFrame, Series, chart, number, ...), which judge.judge compares with
the answer key there. `decode` accepts only the tags below, with strict types and limits: any
other structure is refused, and a refused answer earns nothing.

Tags: none, ellipsis, bool, int, float, str, datetime, date, timedelta, na, nat, period,
list, tuple, set, dict, array, index, series, frame, chart, unsupported.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import sys

from balkan_course.grading import budget, canonical, hidden_data

MIME = "application/x-balkan-course-answer+json"
MAX_DEPTH = 40           # nesting of containers inside one answer
# Decoded items (values, labels, names) in one answer: a table of budget.JUDGE_MAX_VALUES
# values with its labels fits; anything larger could not be judged anyway, so it is not built.
MAX_ITEMS = 250_000
# Items that Python or pandas put in a hash table while rebuilding an answer: set elements,
# dict keys, category values, multi-level index labels. Hashes of numbers and tuples can be
# chosen to collide, which makes each insertion compare with all the others (100,000 such
# values took minutes): at most 5,000 of them, whose worst case takes a tenth of a second.
# The largest such structure a right answer holds is a column of the 266 claim mentions.
MAX_HASHED = 5_000
# Columns of one table: the widest course table has 17, a join of three about 40.
MAX_COLUMNS = 1_000
# Numbers in a chart's specification: Vega-Lite's are JavaScript's, exact up to 2**53 (and
# Python's hashes of integers within it never collide).
MAX_CHART_INT = 2**53
MAX_PAYLOAD = 16 * 2**20  # characters of JSON for one request


class Refused(ValueError):
    """The data received is not an answer this module would have written."""


class TooLarge(Refused, budget.TooLarge):
    """An answer past the size, depth or time budget of judging: not rebuilt (and the check
    says it is too large or too slow to judge)."""


# ---------------------------------------------------------------- in the kernel


def _encode(value, depth: int = 0):
    if depth > MAX_DEPTH:
        raise Refused("the answer is nested too deeply")
    pandas, numpy = sys.modules.get("pandas"), sys.modules.get("numpy")
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if pandas is not None:
        if value is pandas.NA:
            return {"t": "na"}
        if value is pandas.NaT:
            return {"t": "nat"}
        if isinstance(value, pandas.DataFrame):
            return {"t": "frame", "columns": _encode_index(value.columns, depth),
                    "index": _encode_index(value.index, depth),
                    "data": [{"dtype": str(dtype), "values": [_encode(x, depth + 1)
                                                              for x in column.tolist()]}
                             for (_, column), dtype in zip(value.items(), value.dtypes,
                                                           strict=True)]}
        if isinstance(value, pandas.Series):
            return {"t": "series", "name": _encode(value.name, depth + 1),
                    "index": _encode_index(value.index, depth), "dtype": str(value.dtype),
                    "values": [_encode(x, depth + 1) for x in value.tolist()]}
        if isinstance(value, pandas.Index):
            return _encode_index(value, depth)
        if isinstance(value, pandas.Timestamp):
            return {"t": "datetime", "v": value.isoformat()}
        if isinstance(value, pandas.Timedelta):
            return {"t": "timedelta", "v": str(value.value)}
        if isinstance(value, pandas.Period):
            return {"t": "period", "v": str(value), "freq": value.freqstr}
    if numpy is not None and isinstance(value, numpy.ndarray):
        return {"t": "array", "dtype": str(value.dtype),
                "v": [_encode(x, depth + 1) for x in value.tolist()]}
    if numpy is not None and isinstance(value, numpy.generic):
        return _encode(value.item(), depth)
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, numbers.Integral):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, numbers.Real):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, _dt.datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"t": "date", "v": value.isoformat()}
    if isinstance(value, _dt.timedelta):
        return {"t": "timedelta", "v": str(round(value.total_seconds() * 1e9))}
    for kind, types in (("list", list), ("tuple", tuple), ("set", (set, frozenset))):
        if isinstance(value, types):
            return {"t": kind, "v": [_encode(x, depth + 1) for x in value]}
    if isinstance(value, dict):
        return {"t": "dict", "items": [[_encode(k, depth + 1), _encode(v, depth + 1)]
                                       for k, v in value.items()]}
    if (type(value).__module__ or "").startswith("altair") and hasattr(value, "to_dict"):
        return {"t": "chart", "spec": value.to_dict()}
    return {"t": "unsupported", "type": type(value).__name__[:80]}


def _encode_index(index, depth: int) -> dict:
    if index.nlevels > 1:
        return {"t": "index", "names": [_encode(n, depth + 1) for n in index.names],
                "tuples": [[_encode(x, depth + 2) for x in row] for row in index.tolist()]}
    return {"t": "index", "names": [_encode(index.name, depth + 1)], "dtype": str(index.dtype),
            "v": [_encode(x, depth + 1) for x in index.tolist()]}


def emit(namespace: dict, names: list[str], nonce: str, errors: dict | None = None) -> None:
    """(Runs in the kernel.) Publish the value of each name, or why it has none (`errors`:
    name -> why, from a rerun that gave no value)."""
    from IPython.display import publish_display_data

    values = {}
    for name in names:
        if errors and name in errors:
            values[name] = {"error": str(errors[name])[:300]}
            continue
        try:
            values[name] = {"ok": _encode(namespace[name])}
        except KeyError:
            values[name] = {"error": f"NameError: name '{name}' is not defined"}
        except Exception as problem:  # a student's object can fail in any way
            values[name] = {"error": f"{type(problem).__name__}: {str(problem)[:200]}"}
    publish_display_data({MIME: json.dumps({"nonce": nonce, "values": values},
                                           ensure_ascii=True, allow_nan=False)})


def _kernel_source() -> str:
    """This module's kernel half as one piece of code: sent whole with each request, so the
    kernel needs no import (no pandas for a notebook that never loaded it)."""
    import inspect

    parts = ["import datetime as _dt, json, numbers, sys",
             f"MAX_DEPTH = {MAX_DEPTH}", f"MIME = {MIME!r}",
             "class Refused(ValueError):\n    pass",
             *(inspect.getsource(f) for f in (_encode, _encode_index, emit)),
             "emit(NAMESPACE, NAMES, NONCE, globals().get('ERRORS'))"]
    return "\n".join(parts)


def request_code(names: list[str], nonce: str) -> str:
    """The code the grader sends to a kernel (silently) to get the values of `names`; it runs
    in a namespace of its own and leaves nothing behind in the student's."""
    global _KERNEL_SOURCE
    if _KERNEL_SOURCE is None:
        _KERNEL_SOURCE = _kernel_source()
    return (f"exec({_KERNEL_SOURCE!r}, {{'__name__': 'balkan_grader_request', "
            f"'NAMESPACE': get_ipython().user_ns, 'NAMES': {names!r}, 'NONCE': {nonce!r}}})")


_KERNEL_SOURCE = None


def rerun_request_code(sources: list[str] | str, name: str, tables: list[str], nonce: str,
                       rows: dict | None = None, setup: list[str] = ()) -> str:
    """The code that runs an answer's cells again on hidden test data in the kernel
    (hidden_data.run_answer_cells: the named tables replaced by changed copies, in a copy of the
    namespace without `name`) and hands over the new value of `name` like request_code does,
    or why there is none (a cell raised, none assigned `name`).

    What an attacker in the same kernel can and cannot do. The student's code ran first in
    that interpreter and owns it: it can rebind any name in the notebook, any attribute of any
    module (this package's included), builtins, pandas and IPython's hooks, or rewrite this
    request before it runs. So this code relies on no function reached through a name the
    notebook or a module holds: the functions of the rerun travel inside the request, as
    source, and are defined afresh in a namespace made for this one request (a dict nothing
    else refers to), with only the shell object handed in. Reassigning
    `hidden_data.run_answer_cells`, `hidden_data.perturbed` or `answers.emit`, or a variable
    named like them, changes nothing here. What stays possible is what is possible with any request:
    replacing the interpreter's own machinery (builtins, pandas, an input transformer) so that
    the reply says something else. That cannot pass the check either: the worker judges only
    the value in the reply against the key's hash of the solution's answer on the hidden data,
    and a reply with no value, an error, another nonce or a malformed value fails the check
    (runner.holds_on_hidden_data). A forged reply must carry the right answer on the changed
    table, which a student gets by computing it, i.e. by following the question's rule."""
    global _KERNEL_SOURCE
    if _KERNEL_SOURCE is None:
        _KERNEL_SOURCE = _kernel_source()
    if isinstance(sources, str):
        sources = [sources]
    rerun = (hidden_data.rerun_source() + "\n"
             "def _transformed(shell, sources):\n"
             "    cells = []\n"
             "    for source in sources:\n"
             "        try:\n"
             "            cells.append(shell.transform_cell(source))\n"
             "        except Exception:\n"
             "            cells.append(source)\n"
             "    return cells\n"
             "_shell = get_ipython()\n"
             f"_value, _why = run_answer_cells(_transformed(_shell, {list(sources)!r}), "
             f"{name!r}, _shell.user_ns, {list(tables)!r}, {rows or {}!r}, "
             f"{list(setup)!r})\n"
             f"NAMESPACE = {{{name!r}: _value}} if _why is None else {{}}\n"
             f"ERRORS = {{}} if _why is None else {{{name!r}: _why}}\n")
    return (f"exec({rerun + _KERNEL_SOURCE!r}, {{'__name__': 'balkan_grader_rerun', "
            f"'get_ipython': get_ipython, 'NAMES': [{name!r}], 'NONCE': {nonce!r}}})")


# ---------------------------------------------------------------- in the grading process


def parse_reply(text, nonce: str, names: list[str]) -> dict[str, dict]:
    """{name: {"ok": encoded} or {"error": text}} from a kernel's reply; Refused if forged."""
    if not isinstance(text, str):
        raise Refused("the reply is not text")
    if len(text) > MAX_PAYLOAD:
        raise TooLarge(f"the reply is not text of a sensible size ({len(text):,} characters, "
                       f"at most {MAX_PAYLOAD:,})")
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooLarge("the reply is not JSON of a sensible depth (RecursionError)") from None
    except ValueError as problem:
        raise Refused(f"the reply is not JSON ({type(problem).__name__})") from None
    if not isinstance(data, dict) or data.get("nonce") != nonce or \
            not isinstance(data.get("values"), dict) or set(data["values"]) != set(names):
        raise Refused("the reply does not answer this request")
    for entry in data["values"].values():
        if not isinstance(entry, dict) or len(entry) != 1 or \
                not ({"ok"} == set(entry) or ({"error"} == set(entry)
                                              and isinstance(entry["error"], str))):
            raise Refused("a value in the reply has the wrong form")
    return data["values"]


class _Budget:
    """What rebuilding one answer may still spend: items, hashed items, and the time of the
    judging budget it runs in (budget.judging_budget)."""

    def __init__(self):
        self.items = 0
        self.hashed = 0

    def spend(self, count: int = 1):
        self.items += count
        if self.items > MAX_ITEMS:
            raise TooLarge(f"the answer is too large (more than {MAX_ITEMS:,} items)")
        if self.items % 1024 < count:
            budget.check_time()

    def reserve(self, items: list) -> list:
        """A list about to be decoded item by item: refused at once when it cannot fit."""
        if self.items + len(items) > MAX_ITEMS:
            raise TooLarge(f"the answer is too large (more than {MAX_ITEMS:,} items)")
        return items

    def hash_table(self, count: int):
        """`count` more items are about to go into a hash table."""
        self.hashed += count
        if self.hashed > MAX_HASHED:
            raise TooLarge(f"more than {MAX_HASHED:,} set elements, dict keys, category "
                           "values or index labels")


def decode(node):
    """The object an encoded answer stands for (Refused for anything `_encode` cannot write;
    TooLarge past the limits above or the judging budget's time)."""
    with budget.judging_budget():
        try:
            return _decode(node, 0, _Budget())
        except budget.TooLarge as problem:
            raise problem if isinstance(problem, TooLarge) else TooLarge(str(problem)) from None
        except RecursionError:
            raise TooLarge("the answer is nested too deeply") from None


def _field(node: dict, name: str, kind):
    value = node.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Refused(f"field {name!r} of a {node.get('t')!r} has the wrong type")
    return value


_DTYPES = ("int64", "int32", "float64", "float32", "bool", "str", "string", "object",
           "Int64", "Float64", "boolean", "category", "datetime64[ns]", "datetime64[us]",
           "datetime64[ms]", "datetime64[s]", "timedelta64[ns]", "timedelta64[us]")


def _typed(values: list, dtype: str, budget: _Budget):
    """A Series of these values with the sender's dtype, when it is one we know."""
    import pandas

    if dtype == "category":
        budget.hash_table(len(values))  # pandas hashes every value to find the categories
    series = pandas.Series(values, dtype=object)
    if dtype in _DTYPES and dtype != "object":
        try:
            return series.astype(dtype)
        except (TypeError, ValueError):
            pass
    if dtype.startswith("datetime64[") and dtype.endswith(", UTC]"):
        return pandas.to_datetime(series, utc=True)
    return series.infer_objects() if dtype != "object" else series


def _decode(node, depth: int, budget: _Budget):
    if depth > MAX_DEPTH * 3:
        raise TooLarge(f"not an encoded value: nested more than {MAX_DEPTH * 3} deep")
    if not isinstance(node, dict):
        raise Refused("not an encoded value")
    budget.spend()
    tag = node.get("t")
    if tag == "none":
        return None
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bool":
        return _field(node, "v", bool)
    if tag == "int":
        text = _field(node, "v", str)
        if len(text) > 400 or not text.lstrip("-").isdigit():
            raise Refused("not an integer")
        return int(text)
    if tag == "float":
        text = _field(node, "v", str)
        if len(text) > 40:
            raise Refused("not a float")
        return float(text)  # ValueError -> Refused below
    if tag == "str":
        return _field(node, "v", str)
    if tag in ("datetime", "date", "timedelta", "na", "nat", "period"):
        return _decode_time(node, tag)
    if tag in ("list", "tuple", "set"):
        items = [_decode(x, depth + 1, budget) for x in budget.reserve(_field(node, "v", list))]
        if tag == "set":
            budget.hash_table(len(items))
        return {"list": list, "tuple": tuple, "set": _set_of}[tag](items)
    if tag == "dict":
        pairs = budget.reserve(_field(node, "items", list))
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise Refused("a dict item is not a pair")
        budget.hash_table(len(pairs))
        return {_hashable(_decode(k, depth + 1, budget)): _decode(v, depth + 1, budget)
                for k, v in pairs}
    if tag == "array":
        import numpy

        values = [_decode(x, depth + 1, budget) for x in budget.reserve(_field(node, "v", list))]
        dtype = _field(node, "dtype", str)
        try:
            return numpy.array(values, dtype=dtype if dtype in _DTYPES else object)
        except (TypeError, ValueError):
            return numpy.array(values, dtype=object)
    if tag == "index":
        return _decode_index(node, depth, budget)
    if tag == "series":
        import pandas

        values = [_decode(x, depth + 1, budget)
                  for x in budget.reserve(_field(node, "values", list))]
        index = _decode_index(_field(node, "index", dict), depth, budget)
        if len(index) != len(values):
            raise Refused("a series whose index and values differ in length")
        series = _typed(values, _field(node, "dtype", str), budget)
        series.index = index
        series.name = _hashable(_decode(_field(node, "name", dict), depth + 1, budget))
        return series if isinstance(series, pandas.Series) else pandas.Series(series)
    if tag == "frame":
        import pandas

        columns = _decode_index(_field(node, "columns", dict), depth, budget)
        index = _decode_index(_field(node, "index", dict), depth, budget)
        data = _field(node, "data", list)
        if len(data) != len(columns):
            raise Refused("a table whose columns and data differ")
        if len(columns) > MAX_COLUMNS:
            raise TooLarge(f"a table of {len(columns):,} columns (at most {MAX_COLUMNS:,})")
        series = []
        for column in data:
            if not isinstance(column, dict):
                raise Refused("a table column is not an object")
            values = [_decode(x, depth + 1, budget)
                      for x in budget.reserve(_field(column, "values", list))]
            if len(values) != len(index):
                raise Refused("a table column of the wrong length")
            series.append(_typed(values, _field(column, "dtype", str), budget).set_axis(index))
        frame = pandas.concat(series, axis=1) if series else pandas.DataFrame(index=index)
        frame.columns = columns
        return frame
    if tag == "chart":
        return _decode_chart(_field(node, "spec", dict), budget)
    if tag == "unsupported":
        name = str(_field(node, "type", str))[:80]
        return type(name if name.isidentifier() else "object", (Unsupported,), {})()
    raise Refused(f"unknown tag {str(tag)[:40]!r}")


def _set_of(items):
    return {_hashable(item) for item in items}  # budget.hash_table counted them (_decode)


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        raise Refused("an unhashable key") from None
    return value


def _decode_time(node, tag):
    import pandas

    if tag == "na":
        return pandas.NA
    if tag == "nat":
        return pandas.NaT
    text = _field(node, "v", str)
    if len(text) > 64:
        raise Refused("a date that is too long")
    try:
        if tag == "datetime":
            return pandas.Timestamp(text)
        if tag == "date":
            return _dt.date.fromisoformat(text)
        if tag == "timedelta":
            return pandas.Timedelta(int(text), unit="ns")
        return pandas.Period(text, freq=_field(node, "freq", str)[:20])
    except (ValueError, TypeError, OverflowError) as problem:
        raise Refused(f"an unreadable {tag}: {type(problem).__name__}") from None


def _decode_index(node, depth: int, budget: _Budget):
    import pandas

    if node.get("t") != "index":
        raise Refused("an index was expected")
    names = [_hashable(_decode(n, depth + 1, budget))
             for n in budget.reserve(_field(node, "names", list))]
    if len(names) > MAX_COLUMNS:
        raise TooLarge(f"an index of {len(names):,} levels")
    if "tuples" in node:
        rows = [tuple(_hashable(_decode(x, depth + 2, budget))
                      for x in budget.reserve(_field({"v": r}, "v", list)))
                for r in budget.reserve(_field(node, "tuples", list))]
        if len(names) < 2 or any(len(row) != len(names) for row in rows):
            raise Refused("a multi-level index of the wrong shape")
        budget.hash_table(len(rows) * len(names))  # pandas hashes each level's labels
        if not rows:
            return pandas.MultiIndex.from_arrays([[] for _ in names], names=names)
        return pandas.MultiIndex.from_tuples(rows, names=names)
    if len(names) != 1:
        raise Refused("an index with the wrong number of names")
    values = [_decode(x, depth + 1, budget) for x in budget.reserve(_field(node, "v", list))]
    return pandas.Index(_typed(values, _field(node, "dtype", str), budget), name=names[0])


def _decode_chart(spec: dict, budget: _Budget):
    """A chart object rebuilt from its Vega-Lite dict (JSON types only, checked), when its
    data is within the judging budget (Altair takes about 0.1 ms a row to rebuild it)."""
    _check_json_only(spec, 0, budget)
    canonical.chart_data_columns(spec)
    import altair

    if any(kind in spec for kind in canonical.COMPOUND_KEYS):
        return SpecOnlyChart(spec)  # judged from its dict (checks refuse compound charts)
    try:
        return altair.Chart.from_dict(spec, validate=False)
    except Exception:  # an odd but valid spec: judge it from the dict
        return SpecOnlyChart(spec)


def _check_json_only(value, depth: int, budget: _Budget) -> None:
    if depth > 200:
        raise TooLarge("a chart nested too deeply")
    budget.spend()
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise Refused("a chart with a non-text key")
            _check_json_only(item, depth + 1, budget)
    elif isinstance(value, list):
        for item in budget.reserve(value):
            _check_json_only(item, depth + 1, budget)
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise Refused("a chart with a non-JSON value")
    elif isinstance(value, float) and not math.isfinite(value):
        raise Refused("a chart with a non-finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_CHART_INT:
        raise Refused("a chart with a number larger than a chart can hold")


class SpecOnlyChart:
    """A chart known only by its Vega-Lite dict (what checks read of any chart)."""

    __module__ = "altair.grading"  # canonical.kind_of: an Altair chart

    def __init__(self, spec: dict):
        self._spec = spec

    def to_dict(self, *args, **kwargs) -> dict:
        return json.loads(json.dumps(self._spec))


class Unsupported:
    """An answer of a type the grader does not carry (named after it; it cannot be right)."""
