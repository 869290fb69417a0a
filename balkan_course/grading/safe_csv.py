"""CSV files a teacher can open in a spreadsheet without running what a student wrote.

Students control text that lands in the grader's CSV files: their folder names, the names of
the files they hand in, their names in an LMS download. A cell such as
`=HYPERLINK("http://...","grades")` is a live formula in Excel, LibreOffice or Google Sheets
(CSV injection). Every CSV the grader, the import and the export write goes through `writer`
below (release.py's variants.csv holds only roster ids it has checked to start with a letter
or digit, notebook names and numbers), which applies OWASP's rule to each text cell: a cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front, so
spreadsheets show it as text.

- Numbers stay numbers: numeric values, and text that is a plain number (`-1`, `+2.5`, `1e3`),
  are written as they are (a number is no formula).
- The course reads some of its own files back (written_marks.csv, students.csv, a roster made
  from it): `read_back` takes the added quote off again, so a comment a teacher typed as
  `-1 for the missing source` is read back exactly. The rule is reversible: a text that itself
  starts with `'` followed by one of those characters (or another `'`) gets a quote too, so
  no text a teacher typed is changed by a save and a read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    """True for text read as a formula, and for text read_back would otherwise change."""
    if not text or PLAIN_NUMBER.fullmatch(text):
        return False
    return text[0] in FORMULA_STARTS or (text[0] == QUOTE and
                                         (text[1:2] in FORMULA_STARTS or text[1:2] == QUOTE))


def spreadsheet_safe(value):
    """One cell as written: text a spreadsheet would run gets a leading `'`; the rest is kept."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def read_back(text: str) -> str:
    """The text a cell of the course's own files held before spreadsheet_safe (its inverse)."""
    if text[:1] == QUOTE and _needs_quote(text[1:]):
        return text[1:]
    return text


def read_back_row(row: dict) -> dict:
    """A csv.DictReader row with read_back applied to its cells (None stays None: it marks a
    missing cell, and the None key surplus cells, which the readers report). The header is
    read back once, by the reader: `reader.fieldnames = [read_back(c) for c in ...]`."""
    return {k: read_back(v) if isinstance(v, str) else v for k, v in row.items()}


class SafeWriter:
    """csv.writer whose rows pass through spreadsheet_safe, cell by cell (headers too)."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle, **options) -> SafeWriter:
    """The grader's only way to write a CSV (options as for csv.writer)."""
    return SafeWriter(handle, **options)


class TableFileError(ValueError):
    """A teacher's CSV file (a roster, assignments, marks) cannot be used; the message says
    where (file, row, column) and why. gradebook.GradebookError is this error."""


def read_table(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line number, row) of every non-empty row of a teacher's CSV file, cells read back
    (read_back); a missing required column, an unreadable file or a row longer than the header
    raises TableFileError naming the file and row."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as problem:
        raise TableFileError(f"{path}: cannot read ({problem})") from problem
    except UnicodeDecodeError as problem:
        raise TableFileError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from problem
    reader = csv.DictReader(io.StringIO(text, newline=""))
    # A roster may be students.csv, which the import wrote through safe_csv.
    reader.fieldnames = [read_back(c) for c in reader.fieldnames or []]
    missing = [c for c in required if c not in reader.fieldnames]
    if missing:
        raise TableFileError(f"{path}, row 1 (header): column(s) {', '.join(missing)} missing")
    rows = []
    for row in reader:
        if None in row:
            raise TableFileError(f"{path}, row {reader.line_num}: more cells than the header")
        if any((v or "").strip() for v in row.values()):
            rows.append((reader.line_num, {k: v or "" for k, v in
                                           read_back_row(row).items()}))
    return rows
