"""Self-checks for the exercises: `check("00-columns", answer)` prints one friendly line.

The answer keys (balkan_course/grading/answer_keys/NN_name.json) hold no answers: only salted
hashes of a canonical form of each expected answer, plus hints that do not give the answer away
(expected type, column names, row count) and hashes of common mistakes (units, order, the
author's own plausible wrong answers) so that the feedback can say what is wrong.

On success `check` prints a receipt: a hash of the canonical answer under a different salt than
the key. The instructor's solution notebooks store those lines as expected outputs and the
grader compares them outside the student's kernel, so printing a fake success line earns nothing
without the right answer.

Modes, chosen by environment variables (the builder and the tests set them):
- default: judge the answer against the keys and print the verdict;
- BALKAN_COURSE_RECORD_KEYS=path: the solution is running; record its answers as the key;
- BALKAN_COURSE_SELFTEST=path: judge, and also save every verdict (and the verdict on each
  declared wrong answer) to a JSON file for tests/test_checks.py.

Only the standard library is imported here: pandas and Altair are looked up in sys.modules when
an answer is one of theirs, so importing this module costs nothing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import numbers
import os
import sys
import warnings
from pathlib import Path

KEYS_DIR = Path(__file__).resolve().parent / "answer_keys"
KEYS_DIR_ENV = "BALKAN_COURSE_KEYS_DIR"  # tests point this at their own keys
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
            "digits")

NOT_ANSWERED = "not answered yet: replace the `...` with your answer, then run this cell again"


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


def _canon_scalar(value, digits: int = DIGITS):
    """A JSON-ready form of one value: numbers rounded, dates ISO, text stripped."""
    if _is_missing(value):
        return None
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e15:
            return int(value)  # 4600.0 and 4600 are the same answer
        return float(f"{value:.{digits}g}")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, _dt.datetime) or type(value).__name__ in ("Timestamp", "datetime64"):
        pandas = sys.modules.get("pandas")
        stamp = pandas.Timestamp(value) if pandas is not None else value
        if (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0, 0):
            return stamp.date().isoformat()
        return stamp.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if type(value).__name__ == "Period":
        return str(value)
    raise _Unreadable(f"a {type(value).__name__} inside the answer")


def kind_of(value) -> str:
    """The family of an answer, in words a student knows."""
    name = type(value).__name__
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
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple, set, frozenset)) or name == "Index":
        return "list"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (_dt.date, _dt.datetime)) or name == "Timestamp":
        return "date"
    return name


_KIND_WORDS = {
    "table": "a table (DataFrame)",
    "series": "a column of values (Series)",
    "chart": "an Altair chart",
    "number": "a number",
    "text": "a piece of text (str)",
    "list": "a list",
    "dict": "a dict",
    "date": "a date",
    "true/false": "True or False",
    "nothing": "nothing yet",
}


def _describe(kind: str) -> str:
    return _KIND_WORDS.get(kind, f"a {kind}")


def _as_table(value, options: dict):
    """A DataFrame or Series as {columns, rows}; the index is kept only when it means something."""
    frame = value
    if kind_of(value) == "series":
        # A Series' own name rarely matters (value_counts() says "count", size() says nothing).
        frame = value.to_frame(name="(values)")
    index = frame.index
    meaningful = index.nlevels > 1 or any(name is not None for name in index.names)
    if meaningful or options.get("index_matters"):
        frame = frame.reset_index()
    columns = [str(column) for column in frame.columns]
    digits = options.get("digits", DIGITS)
    rows = [[_canon_scalar(cell, digits) for cell in row]
            for row in frame.itertuples(index=False, name=None)]
    return columns, rows


def _table_canon(columns: list, rows: list, options: dict) -> dict:
    if options.get("ignore_column_order"):
        order = sorted(range(len(columns)), key=lambda i: columns[i])
        columns = [columns[i] for i in order]
        rows = [[row[i] for i in order] for row in rows]
    if options.get("ignore_row_order"):
        rows = sorted(rows, key=_dump)
    canon = {"kind": "table", "rows": rows}
    if not options.get("ignore_column_names"):
        canon["columns"] = columns
    return canon


def _channel_parts(definition: dict) -> dict:
    """What a check compares in one encoding: field, type, aggregation, order, and a scale
    type other than the default (a question may ask for a log axis; colours are free)."""
    parts = {key: definition[key] for key in ("field", "type", "aggregate", "sort", "bin",
                                              "timeUnit") if key in definition}
    scale = definition.get("scale")
    if isinstance(scale, dict) and scale.get("type") not in (None, "linear"):
        parts["scale"] = scale["type"]
    return parts


def _chart_parts(chart) -> dict:
    """The parts of a chart's specification that a check compares (not colours or sizes)."""
    spec = chart.to_dict()
    if any(key in spec for key in ("layer", "hconcat", "vconcat", "concat", "facet", "repeat")):
        raise _Unreadable("a compound chart (the question asks for a single chart)")
    mark = spec.get("mark", {})
    mark = mark.get("type") if isinstance(mark, dict) else mark
    channels = {}
    for channel, definition in sorted(spec.get("encoding", {}).items()):
        definitions = definition if isinstance(definition, list) else [definition]
        channels[channel] = sorted(
            (_channel_parts(item) for item in definitions if isinstance(item, dict)), key=_dump)
    rows = []
    datasets = spec.get("datasets", {})
    name = (spec.get("data") or {}).get("name")
    if name in datasets:
        rows = datasets[name]
    elif isinstance((spec.get("data") or {}).get("values"), list):
        rows = spec["data"]["values"]
    columns = sorted({key for row in rows if isinstance(row, dict) for key in row})
    return {
        "kind": "chart",
        "mark": mark,
        "channels": channels,
        "data_rows": len(rows),
        "data_columns": columns,
        "has_title": bool(spec.get("title")),
        "has_transforms": bool(spec.get("transform")),
    }


def canonical(value, options: dict | None = None) -> dict:
    """The comparable form of an answer (raises _Unreadable for things it cannot compare)."""
    options = options or {}
    kind = kind_of(value)
    if kind in ("table", "series"):
        canon = _table_canon(*_as_table(value, options), options)
        canon["kind"] = kind
        return canon
    if kind == "chart":
        return _chart_parts(value)
    if kind == "list":
        items = [canonical(item, options)["value"] if kind_of(item) not in ("table", "chart")
                 else _raise_nested() for item in value]
        if isinstance(value, (set, frozenset)) or options.get("ignore_row_order"):
            items = sorted(items, key=_dump)
        return {"kind": "list", "items": items}
    if kind == "dict":
        return {"kind": "dict", "items": sorted(
            ([str(key), canonical(item, options)["value"]] for key, item in value.items()),
            key=_dump)}
    return {"kind": kind, "value": _canon_scalar(value, options.get("digits", DIGITS))}


def _raise_nested():
    raise _Unreadable("a list of tables or charts")


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


def _generic_probes(check_id: str, canon: dict, options: dict) -> list[dict]:
    """Hashes of common mistakes made on the expected answer, each with its hint."""
    probes = []
    kind = canon["kind"]
    if kind == "number":
        value = canon["value"]
        for factor, words in _UNIT_FACTORS.items():
            probes.append({"hash": _key_hash(check_id, _scaled(canon, 1 / factor)),
                           "hint": f"check your units: your number is off by a factor of {words}"})
        if isinstance(value, int):
            is_year = 1900 <= value <= 2100
            hint = ("check the year boundaries: off by one year" if is_year else
                    "off by one: check the boundaries of your count or range (< or <=?)")
            for step in (1, -1):
                probes.append({"hash": _key_hash(check_id, {**canon, "value": value + step}),
                               "hint": hint})
    if kind in ("table", "series"):
        for column in _numeric_columns(canon):
            name = canon.get("columns", [None] * (column + 1))[column]
            where = f" in column '{name}'" if name is not None else ""
            for factor, words in _UNIT_FACTORS.items():
                probes.append({"hash": _key_hash(check_id, _scaled(canon, 1 / factor, column)),
                               "hint": f"check the units{where}: off by a factor of {words}"})
    if kind in ("table", "series", "list") and not options.get("ignore_row_order"):
        field = "rows" if "rows" in canon else "items"
        if len(canon[field]) > 1 and canon[field] != canon[field][::-1]:
            reverse = {**canon, field: canon[field][::-1]}
            probes.append({"hash": _key_hash(check_id, reverse),
                           "hint": "sorted the wrong way round: ascending or descending?"})
    if kind == "text":
        # (casefolded probe is compared at judging time, see _text_hint)
        pass
    return probes


def _hint_facts(check_id: str, canon: dict, options: dict) -> dict:
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
        facts["whole"] = isinstance(canon["value"], int)
    if canon["kind"] == "text":
        facts["loose_hash"] = _key_hash(check_id, " ".join(str(canon["value"]).casefold().split()))
    if canon["kind"] == "chart":
        facts["mark"] = canon["mark"]
        facts["channels"] = {channel: {"type": sorted({d.get("type", "") for d in defs}),
                                       "scale": sorted({d.get("scale", "linear") for d in defs}),
                                       "hash": _key_hash(check_id, defs)}
                             for channel, defs in canon["channels"].items()}
        facts["data_rows"] = canon["data_rows"]
        facts["data_columns"] = canon["data_columns"]
        facts["has_title"] = canon["has_title"]
    return facts


def _column_hashes(check_id: str, canon: dict) -> list[str]:
    """One order-free hash per column, to say which column's values are wrong."""
    rows = canon["rows"]
    width = len(rows[0]) if rows else len(canon.get("columns") or [])
    return [_key_hash(check_id, sorted(_dump(row[i]) for row in rows)) for i in range(width)]


def make_key(check_id: str, answer, options: dict | None = None, hint: str | None = None,
             wrong: dict | None = None) -> dict:
    """The key entry for one check, from the solution's answer (and the declared wrong ones)."""
    options = {k: v for k, v in (options or {}).items() if k in _OPTIONS and v}
    canon = canonical(answer, options)
    key = {
        "options": options,
        "hash": _key_hash(check_id, canon),
        "facts": _hint_facts(check_id, canon, options),
        "probes": [],
    }
    if hint:
        key["hint"] = hint
    for wrong_hint, wrong_answer in (wrong or {}).items():
        try:
            wrong_canon = canonical(wrong_answer, options)
        except _Unreadable:
            continue  # a wrong answer of a kind that cannot be read gets the generic message
        wrong_hash = _key_hash(check_id, wrong_canon)
        if wrong_hash == key["hash"]:
            raise ValueError(f"{check_id}: the wrong answer for hint {wrong_hint!r} equals the "
                             "right answer; change the wrong answer (or the data)")
        key["probes"].append({"hash": wrong_hash, "hint": wrong_hint})
    known = {probe["hash"] for probe in key["probes"]}
    for probe in _generic_probes(check_id, canon, options):
        if probe["hash"] not in known and probe["hash"] != key["hash"]:
            known.add(probe["hash"])
            key["probes"].append(probe)
    return key


# ---------------------------------------------------------------- keys: judging


_keys_cache: dict[str, dict] = {}


def load_keys(keys_dir: Path | None = None) -> dict[str, dict]:
    """Every check's key, by check id, from all key files (check ids are unique course-wide)."""
    if not _keys_cache:
        keys_dir = keys_dir or Path(os.environ.get(KEYS_DIR_ENV) or KEYS_DIR)
        for path in sorted(keys_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            for check_id in data.get("order", sorted(data["checks"])):
                _keys_cache[check_id] = {**data["checks"][check_id], "notebook": data["notebook"]}
    return _keys_cache


def judge(check_id: str, answer, key: dict) -> tuple[bool, str]:
    """(passed, one-line message) for an answer; never raises."""
    if answer is Ellipsis:
        return False, f"❌ {check_id}: {NOT_ANSWERED}"
    try:
        canon = canonical(answer, key.get("options", {}))
    except _Unreadable as problem:
        return False, f"❌ {check_id}: not yet: the check cannot read {problem}"
    except Exception as problem:  # a student's object can fail in any way
        return False, (f"❌ {check_id}: not yet: the check could not read your answer "
                       f"({type(problem).__name__}: {str(problem)[:120]})")
    answer_hash = _key_hash(check_id, canon)
    if answer_hash == key["hash"]:
        return True, _success_line(check_id, canon)
    for probe in key.get("probes", []):
        if probe["hash"] == answer_hash:
            return False, f"❌ {check_id}: not yet: {probe['hint']}"
    return False, f"❌ {check_id}: not yet: {_structural_hint(check_id, canon, key)}"


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
        if expected == "number" and got in ("table", "series"):
            extra = " (pick the single value out, e.g. with .iloc[0] or .item())"
        return f"expected {_describe(expected)}, you gave {_describe(got)}{extra}"
    if got in ("table", "series"):
        return _table_hint(check_id, canon, facts, fallback)
    if got == "list":
        if len(canon["items"]) != facts.get("n_items"):
            return f"your list has {len(canon['items'])} items; the answer has {facts['n_items']}"
        if _key_hash(check_id, sorted(canon["items"], key=_dump)) == facts.get("sorted_hash"):
            return "the right items, but not in the expected order (check the sorting)"
        return fallback
    if got == "number" and facts.get("whole") and not isinstance(canon["value"], int):
        return f"expected a whole number (a count); {fallback}"
    if got == "text":
        loose = _key_hash(check_id, " ".join(str(canon["value"]).casefold().split()))
        if loose == facts.get("loose_hash"):
            return "almost: check capitals and spaces"
        return fallback
    if got == "chart":
        return _chart_hint(check_id, canon, facts, fallback)
    return fallback


def _table_hint(check_id: str, canon: dict, facts: dict, fallback: str) -> str:
    columns, expected_columns = canon.get("columns"), facts.get("columns")
    if columns is not None and expected_columns is not None and columns != expected_columns:
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
        return (f"your answer has {n_rows} rows; the expected one has {facts.get('n_rows')} "
                "(check your filter or grouping)")
    if _key_hash(check_id, sorted(canon["rows"], key=_dump)) == facts.get("sorted_hash"):
        return "the right rows, but not in the expected order (check the sort column and direction)"
    wrong = [name for name, mine, theirs in zip(
        expected_columns or [f"#{i + 1}" for i in range(len(facts.get("column_hashes", [])))],
        _column_hashes(check_id, canon), facts.get("column_hashes", []), strict=False)
        if mine != theirs]
    if wrong:
        return (f"the values in column(s) {', '.join(map(repr, map(str, wrong)))} are not right "
                f"yet; {fallback}")
    return "the right values, but not matched up row by row as expected: " + fallback


def _chart_hint(check_id: str, canon: dict, facts: dict, fallback: str) -> str:
    if canon["mark"] != facts.get("mark"):
        return f"expected a {facts.get('mark')} chart (mark_{facts.get('mark')}), " \
               f"you made a {canon['mark']} chart"
    expected_channels = facts.get("channels", {})
    missing = [c for c in expected_channels if c not in canon["channels"]]
    if missing:
        return f"add the encoding channel(s): {', '.join(missing)}"
    extra = [c for c in canon["channels"] if c not in expected_channels]
    if extra:
        return f"the question does not ask for the channel(s): {', '.join(extra)}"
    for channel, defs in canon["channels"].items():
        if _key_hash(check_id, defs) != expected_channels[channel]["hash"]:
            types = sorted({d.get("type", "") for d in defs})
            if types != expected_channels[channel]["type"]:
                return (f"check the type of the {channel} channel "
                        "(:Q quantitative, :N nominal, :O ordinal, :T time)")
            scales = sorted({d.get("scale", "linear") for d in defs})
            if scales != expected_channels[channel].get("scale", scales):
                return (f"check the scale of the {channel} axis (alt.Scale(type=...)): "
                        "the question says which kind it wants")
            return f"the {channel} channel is not right yet (check its field, aggregate or sort)"
    if canon["data_rows"] != facts.get("data_rows") or \
            canon["data_columns"] != facts.get("data_columns"):
        return (f"the chart's data has {canon['data_rows']} rows; draw it from the table the "
                f"question names ({facts.get('data_rows')} rows)")
    if canon["has_title"] != facts.get("has_title"):
        return "give the chart a title" if facts.get("has_title") else "the chart needs no title"
    return fallback


# ---------------------------------------------------------------- the functions cells call


_results: dict[str, bool] = {}
_recorded: dict[str, dict] = {}
_wrong: dict[str, dict] = {}


def _record_path() -> Path | None:
    value = os.environ.get(RECORD_ENV)
    return Path(value) if value else None


def _selftest_path() -> Path | None:
    value = os.environ.get(SELFTEST_ENV)
    return Path(value) if value else None


def _write_record(path: Path) -> None:
    """Keys of the notebook being recorded, rebuilt from scratch on every call."""
    checks = {}
    for check_id, entry in _recorded.items():
        checks[check_id] = make_key(check_id, entry["answer"], entry["options"], entry["hint"],
                                    _wrong.get(check_id))
    data = {"notebook": path.stem, "order": list(_recorded), "checks": checks}
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _append_selftest(entry: dict) -> None:
    path = _selftest_path()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def check(check_id: str, answer, *, hint: str | None = None, **options) -> None:
    """Print whether `answer` is right, with a hint when it is not. Never raises.

    Options (set by the author in the solution and recorded in the key): ignore_row_order,
    ignore_column_order, ignore_column_names, index_matters, digits. `hint` is shown when no
    more precise hint applies.
    """
    record = _record_path()
    if record is not None:
        _recorded[check_id] = {"answer": answer, "options": options, "hint": hint}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _write_record(record)
            canon = canonical(answer, {k: v for k, v in options.items() if v})
        _results[check_id] = True
        print(_success_line(check_id, canon))
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
    except Exception as problem:  # the check itself must never bury a student in a traceback
        passed, message = False, f"❌ {check_id}: the check failed to run ({problem!r})"
    _results[check_id] = passed
    if _selftest_path() is not None:
        _append_selftest({"check_id": check_id, "role": "answer", "passed": passed,
                          "message": message})
    print(message)


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
