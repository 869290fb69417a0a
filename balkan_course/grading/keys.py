"""Answer keys and hashes: what a key holds, how it is made, where key files are read from.

The answer keys (balkan_course/grading/answer_keys/NN_name.json) hold no answers: only salted
hashes of the canonical form of each expected answer (canonical.py), plus facts for hints that
do not give the answer away (expected type, column names, row count) and hashes of common
mistakes (units, order, the author's own plausible wrong answers), so that the feedback can say
what is wrong. A chart's key holds its required structure (mark, channels, tooltip fields): the
prompt states all of it.

A right answer earns a receipt: a hash of its canonical form under another salt than the key's,
so a key can never be turned into a receipt.

The environment variables that choose the checks' mode are named here too (the builder and the
tests set them): BALKAN_COURSE_RECORD_KEYS (record the solution's answers as keys,
recording.py), BALKAN_COURSE_SELFTEST (also save every verdict for tests/test_checks.py) and
BALKAN_COURSE_KEYS_DIR (read keys from another folder).
"""

from __future__ import annotations

import hashlib
import json
import numbers
import os
from pathlib import Path

from balkan_course.grading.canonical import (
    INDEX,
    VALUES,
    _canon_scalar,
    _clean_options,
    _dump,
    _receipt_canon,
    _Unreadable,
    canonical,
    coerce,
)

KEYS_DIR = Path(__file__).resolve().parent / "answer_keys"
KEYS_DIR_ENV = "BALKAN_COURSE_KEYS_DIR"  # tests point this at their own keys
RELEASED_KEYS = "answer_keys"  # a student's release: their variant's keys, beside the notebooks
RECORD_ENV = "BALKAN_COURSE_RECORD_KEYS"
SELFTEST_ENV = "BALKAN_COURSE_SELFTEST"


# Two salts, so a key hash can never be turned into a receipt.
_KEY_SALT = "balkan-course/key/v1"
_RECEIPT_SALT = "balkan-course/receipt/v1"


# "check your units": the answer is the expected one times one of these.
_UNIT_FACTORS = {1000: "1000", 0.001: "1000", 1e6: "a million", 1e-6: "a million",
                 100: "100", 0.01: "100"}


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
    if canon["kind"] == "interaction":
        # The control, the channels it changes and the mark: the prompt names them all.
        facts["interaction"] = {k: canon[k] for k in ("inputs", "changes", "mark") if k in canon}
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


class Several(tuple):
    """Several wrong answers that deserve one hint, in a `wrong_answers` cell:
    `{"take the whole from the part's own article": Several(share_of(a), share_of(b))}`. So a
    hint need not name which of them the student gave (naming wrong candidates one by one
    lets a student find the right one by elimination)."""

    def __new__(cls, *values):
        return super().__new__(cls, values)


def wrong_items(wrong: dict | None) -> list[tuple[str, object]]:
    """(hint, wrong value) pairs of a `wrong_answers` dict, Several expanded."""
    pairs = []
    for wrong_hint, value in (wrong or {}).items():
        values = value if isinstance(value, Several) else (value,)
        pairs.extend((wrong_hint, one) for one in values)
    return pairs


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
    for wrong_hint, wrong_answer in wrong_items(wrong):
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
                # A practice notebook's keys (the primer's) judge its self-checks; the flag
                # keeps them out of what is counted or graded (show_progress, the tests).
                practice = {"practice": True} if data.get("practice") else {}
                for check_id in data.get("order", sorted(data["checks"])):
                    _keys_cache[check_id] = {**data["checks"][check_id],
                                             "notebook": data["notebook"], **practice}
    return _keys_cache
