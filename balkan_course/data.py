"""Load the course's tables with the types their Table Schema gives them.

Every table is described in data/datapackage.json; `load_table("troop_figures")` reads
data/troop_figures.csv and turns dates into datetimes, integers into nullable integers and
booleans into nullable booleans, so that every notebook sees the same types.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pandas as pd

PACKAGE_NAME = "kosovo-bih-security-2021-2025"  # the "name" in data/datapackage.json
DATA_DIR_VARIABLE = "BALKAN_COURSE_DATA"


def _is_course_data(folder: Path) -> bool:
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(package, dict) and package.get("name") == PACKAGE_NAME


def find_data_dir(start: Path | None = None) -> Path:
    """The course's data/ folder, wherever the package is installed.

    In order: the folder named by $BALKAN_COURSE_DATA; a data/ folder in the current working
    folder or one of its parents (a notebook runs in notebooks/, exercises/ or solutions/ of
    the course it belongs to, even when the package was installed from another copy, as on
    a JupyterHub with nbgitpuller); the data/ folder beside the package (a source checkout or
    an editable install, e.g. `make`, Binder's postBuild).
    """
    if os.environ.get(DATA_DIR_VARIABLE):
        folder = Path(os.environ[DATA_DIR_VARIABLE]).expanduser().resolve()
        if not _is_course_data(folder):
            raise FileNotFoundError(f"${DATA_DIR_VARIABLE} is {folder}, which holds no "
                                    "datapackage.json of this course")
        return folder
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_course_data(folder / "data"):
            return folder / "data"
    beside_package = Path(__file__).resolve().parent.parent / "data"
    if _is_course_data(beside_package):
        return beside_package
    raise FileNotFoundError(
        "The course's data/ folder was not found: open the notebooks from a copy of the "
        f"course, or set ${DATA_DIR_VARIABLE} to its data/ folder.")


DATA_DIR = find_data_dir()
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


# Short names for charts and tables; the sources table holds the full outlet, title and author.
SHORT_NAMES = {
    "rel_focus_2025_04": "Portal republishing REL",
    "kap_rutte_2025_03_10": "Kosova Alfa Press/REL",
    "reaction_2023": "Reaction commentary",
    "brief_2025_04_02": "Asllani brief",
    "iria_2023": "IRIA",
}


def source_labels(sources: pd.DataFrame) -> pd.DataFrame:
    """One row per article: source_id, short_name, date_label and citation (name + dates)."""
    labels = sources[["source_id", "outlet", "date", "date_end", "date_precision"]].copy()
    labels["short_name"] = labels["source_id"].map(SHORT_NAMES).fillna(labels["outlet"])
    labels["date_label"] = [
        date_label(start, end, precision)
        for start, end, precision in zip(
            labels["date"], labels["date_end"], labels["date_precision"], strict=True
        )
    ]
    labels["citation"] = labels["short_name"] + " (" + labels["date_label"] + ")"
    return labels[["source_id", "short_name", "date_label", "citation"]]
