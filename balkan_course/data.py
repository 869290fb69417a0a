"""Load the course's tables with the types their Table Schema gives them.

Every table is described in data/datapackage.json; `load_table("troop_figures")` reads
data/troop_figures.csv and turns dates into datetimes, integers into nullable integers and
booleans into nullable booleans, so that every notebook sees the same types.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PACKAGE_FILE = DATA_DIR / "datapackage.json"

# Table Schema type -> pandas dtype used after reading the CSV as text.
_PANDAS_TYPES = {
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
}


@cache
def _package() -> dict:
    return json.loads(PACKAGE_FILE.read_text(encoding="utf-8"))


def table_names() -> list[str]:
    """The names of every table in the data package, in the package's order."""
    return [resource["name"] for resource in _package()["resources"]]


def _resource(name: str) -> dict:
    for resource in _package()["resources"]:
        if resource["name"] == name:
            return resource
    known = ", ".join(table_names())
    raise KeyError(f"No table named {name!r}. The tables are: {known}.")


def load_table(name: str) -> pd.DataFrame:
    """Read one table of data/ as a DataFrame with the types its schema declares."""
    resource = _resource(name)
    fields = resource["schema"]["fields"]
    frame = pd.read_csv(
        DATA_DIR / resource["path"], dtype=str, keep_default_na=False, na_values=[""]
    )
    for field in fields:
        column, kind = field["name"], field.get("type", "string")
        if column not in frame:
            continue
        if kind in ("date", "datetime"):
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
        elif kind == "boolean":
            frame[column] = frame[column].map({"true": True, "false": False}).astype("boolean")
        elif kind in _PANDAS_TYPES:
            frame[column] = pd.to_numeric(frame[column]).astype(_PANDAS_TYPES[kind])
    return frame


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%b %Y}"


def date_label(start, end, precision: str) -> str:
    """A date window in words, no more precise than the table says it is.

    '10 Mar 2025' (day), 'Sep 2023' or 'Oct–Dec 2023' (month), '1999' or '1998–1999' (year),
    '27 Mar–30 Apr 2025' (range), 'by 2 Apr 2025' (precision 'unknown': only the latest
    possible date is known), 'date unknown' when there is no date at all.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if pd.isna(start) or precision == "unknown":
        return f"by {_day(end)}" if pd.notna(end) else "date unknown"
    if pd.isna(end):
        end = start
    if precision == "year":
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if precision == "month":
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%b %Y}"
        if start.year == end.year:
            return f"{start:%b}–{end:%b %Y}"
        return f"{start:%b %Y}–{end:%b %Y}"
    if start == end:
        return _day(start)
    # a range (or a day-precise row whose two dates differ)
    if start.year == end.year:
        return f"{start.day} {start:%b}–{_day(end)}"
    return f"{_day(start)}–{_day(end)}"
