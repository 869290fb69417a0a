"""Check the data package and explain every problem in plain words.

`validate_package()` returns a list of messages; an empty list means the data is sound.
Each message names the file, the row (as in the CSV file, the header being row 1), the column
and the rule that was broken, e.g.

    troop_figures.csv, row 7, column 'value': value -5 breaks the rule 'minimum 0'

Two kinds of checks run:

1. Frictionless checks the Table Schema in data/datapackage.json: types, required cells,
   enums, minimum/maximum, patterns, unique cells, primary keys and foreign keys.
2. This module adds rules that cross fields or tables, which Table Schema cannot express:
   dates agree with their precision, claims and events fit the windows of the articles that
   report them, low/best/high agree with the hedge word, every source is used and its citation
   and quality criteria agree with its row, claim_sources
   only holds relations the texts show, general knowledge carries the background marker, places
   in Kosovo carry Albanian and Serbian names, people have a role and an affiliation (or a reason
   for none), and a few more.

Run it from the project folder:  .venv/bin/python -m balkan_course.validation
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path

from balkan_course.data import DATA_DIR

DATA_PACKAGE = DATA_DIR / "datapackage.json"

# (table, start column, end column, precision column) for every dated table.
DATE_COLUMNS = [
    ("sources", "date", "date_end", "date_precision"),
    ("events", "date_start", "date_end", "date_precision"),
    ("claims", "date", "date_end", "date_precision"),
    ("troop_figures", "as_of_date", "as_of_date_end", "date_precision"),
]

# Tables with low / best / high estimates, and how a hedge word turns into them (the course's
# convention, written up in the codebook): a band around the value, or an open floor.
ESTIMATE_TABLES = ["troop_figures", "casualties"]
HEDGE_BANDS = {"exact": 0.0, "about": 0.05, "approximately": 0.05, "roughly": 0.10}
OPEN_ENDED = {"more_than": None, "over": None, "dozens": 24}  # floor: value + 1, or 24 for dozens

# Facts that come from general knowledge, not from the five articles, must carry this marker
# (in the data, in lessons and in the teacher's guide). The terms below name such background;
# tests/test_background_notes.py applies the same rule to the notebooks and the guide.
BACKGROUND_MARKER = "Background (not from the five articles):"
BACKGROUND_TERMS = ["1244", "UNMIK", "Brussels Agreement", "Serb-majority Municipalities",
                    "Federal Republic of Yugoslavia", "Radio Evropa e Lirë", "Annex 10",
                    "Central Bank of Kosovo", "Kosovo Liberation Army", "Constitutional Court"]

# Tables in which a source counts as "used".
CITING_TABLES = ["event_sources", "troop_figures", "money", "casualties", "claims", "forecasts"]

# Qualifiers that are words, not hedged numbers: the value may then be empty.
WORD_QUALIFIERS = {"dozens"}


def _message(file: str, row: int | None, column: str | None, value, rule: str) -> str:
    """Build one readable message."""
    where = file
    if row is not None:
        where += f", row {row}"
    if column:
        where += f", column '{column}'"
    if value is None or value == "":
        what = "an empty value"
    elif isinstance(value, (int, float)) or re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
        what = f"value {value}"
    else:
        what = f"value '{value}'"
    return f"{where}: {what} breaks the rule '{rule}'"


# --------------------------------------------------------------------------- frictionless


def _constraint_rule(note: str) -> tuple[str, str]:
    """Turn frictionless' 'constraint "minimum" is "0"' into ('minimum', 'minimum 0')."""
    match = re.match(r'constraint "(\w+)" is "(.*)"$', note or "")
    if not match:
        return "", note or "constraint"
    name, arg = match.groups()
    if name == "enum":
        try:
            options = json.loads(arg.replace("'", '"'))
        except ValueError:
            options = [arg]
        return name, "one of: " + ", ".join(str(option) for option in options)
    if name in ("required", "unique"):
        return name, name
    return name, f"{name} {arg}"


def _frictionless_messages(package_path: Path, resources: dict, rows: dict) -> list[str]:
    from frictionless import Package

    try:
        report = Package(str(package_path)).validate()
    except Exception as error:  # a broken descriptor: say so instead of crashing
        return [f"{package_path.name}: the package cannot be read ({error})"]
    messages = []
    for error in getattr(report, "errors", []):
        messages.append(f"{package_path.name}: {error.message}")
    for task in report.tasks:
        resource = resources.get(task.name, {})
        file = resource.get("path", task.name)
        fields = resource.get("schema", {}).get("fields", [])
        types = {field["name"]: field.get("type", "string") for field in fields}
        primary_key = resource.get("schema", {}).get("primaryKey", [])
        if isinstance(primary_key, str):
            primary_key = [primary_key]
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            cell = getattr(error, "cell", None)
            kind = error.type
            if kind == "constraint-error":
                _, rule = _constraint_rule(error.note)
                messages.append(_message(file, row, column, cell, rule))
            elif kind == "unique-error":
                if primary_key != [column]:  # else the primary-key message says it all
                    messages.append(_message(file, row, column, cell, "unique"))
            elif kind == "type-error":
                wanted = types.get(column, "string")
                rule = f"type {wanted}"
                if wanted == "date":
                    rule += " (YYYY-MM-DD)"
                elif wanted == "boolean":
                    rule += " (true or false)"
                messages.append(_message(file, row, column, cell, rule))
            elif kind == "primary-key":
                key = primary_key
                record = _row(rows, task.name, row)
                value = ", ".join(record.get(name, "") for name in key) if record else None
                other = re.search(r"position (\d+)", error.note or "")
                rule = f"primary key ({', '.join(key)}) is unique"
                if other:
                    rule += f"; already used in row {other.group(1)}"
                messages.append(_message(file, row, ", ".join(key), value, rule))
            elif kind == "foreign-key":
                messages.append(_foreign_key_message(file, row, error.note, resource, resources))
            else:
                text = error.note or error.title
                messages.append(f"{file}, row {row}, column '{column}': {text} ({kind})"
                                if row else f"{file}: {error.message}")
    return messages


def _foreign_key_message(file, row, note, resource, resources) -> str:
    match = re.match(r'for "([^"]+)": values "([^"]*)" not found in the lookup table "([^"]*)"'
                     r' as "([^"]+)"', note or "")
    if not match:
        return f"{file}, row {row}: {note} (foreign key)"
    column, value, table, ref_field = match.groups()
    table = table or resource.get("name", "")
    ref_file = resources.get(table, {}).get("path", f"{table}.csv")
    return _message(file, row, column, value, f"must exist as {ref_field} in {ref_file}")


# --------------------------------------------------------------------------- own rules


def _row(rows: dict, table: str, row_number: int | None) -> dict | None:
    records = rows.get(table, [])
    if row_number is None or not 2 <= row_number < len(records) + 2:
        return None
    return records[row_number - 2]


def _read_tables(package_path: Path, resources: dict) -> dict[str, list[dict]]:
    tables = {}
    for name, resource in resources.items():
        path = package_path.parent / resource["path"]
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                tables[name] = list(csv.DictReader(handle))
        except OSError:
            tables[name] = []  # frictionless reports the missing file
    return tables


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _date_messages(tables: dict, resources: dict) -> list[str]:
    messages = []
    for table, start_col, end_col, prec_col in DATE_COLUMNS:
        file = resources.get(table, {}).get("path", f"{table}.csv")
        for number, record in enumerate(tables.get(table, []), start=2):
            precision = record.get(prec_col, "")
            start_text, end_text = record.get(start_col, ""), record.get(end_col, "")
            start, end = _parse_date(start_text), _parse_date(end_text)

            def add(column, value, rule, number=number, file=file):
                messages.append(_message(file, number, column, value, rule))

            if precision == "unknown":
                if start_text:
                    add(start_col, start_text, "an unknown date has an empty start")
                if not end_text:
                    add(end_col, "", "an unknown date keeps its latest possible date")
                continue
            if not start_text:
                add(start_col, "", f"required unless {prec_col} is 'unknown'")
                continue
            if start is None or end is None:
                continue  # bad dates are reported by the type check
            if start > end:
                add(end_col, end_text, f"{end_col} is on or after {start_col} ({start_text})")
                continue
            last_day = calendar.monthrange(end.year, end.month)[1]
            if precision == "day" and start != end:
                add(end_col, end_text, f"a day-precise date has {end_col} equal to {start_col}")
            elif precision == "month":
                if start.day != 1:
                    add(start_col, start_text, "a month-precise date starts on the 1st of a month")
                if end.day != last_day:
                    add(end_col, end_text,
                        "a month-precise date ends on the last day of a month")
            elif precision == "range" and start == end:
                add(end_col, end_text, "a range ends after it starts (else use 'day')")
            elif precision == "year":
                if (start.month, start.day) != (1, 1):
                    add(start_col, start_text, "a year-precise date starts on 1 January")
                if (end.month, end.day) != (12, 31):
                    add(end_col, end_text, "a year-precise date ends on 31 December")
    return messages


def _source_messages(tables: dict, resources: dict) -> list[str]:
    messages = []
    sources = tables.get("sources", [])
    file = resources.get("sources", {}).get("path", "sources.csv")
    used = set()
    for table in CITING_TABLES:
        used.update(record.get("source_id", "") for record in tables.get(table, []))
    for number, record in enumerate(sources, start=2):
        if record.get("source_id") and record["source_id"] not in used:
            messages.append(_message(file, number, "source_id", record["source_id"],
                                     "every source is cited by at least one fact"))

    # claim_sources: one 'original' row per claim, its claims.source_id; an 'also_reports' row
    # names another article, which cannot report a statement before it was made.
    claims = {r["claim_id"]: r for r in tables.get("claims", [])}
    source_end = {r["source_id"]: _parse_date(r.get("date_end", "")) for r in sources}
    cs_file = resources.get("claim_sources", {}).get("path", "claim_sources.csv")
    originals = set()
    for number, record in enumerate(tables.get("claim_sources", []), start=2):
        claim, source, relation = (record.get("claim_id"), record.get("source_id"),
                                   record.get("relation"))
        if claim not in claims:
            continue  # foreign key check reports it
        cited = claims[claim].get("source_id", "")
        if relation == "original":
            originals.add(claim)
            if source != cited:
                messages.append(_message(cs_file, number, "source_id", source,
                                         f"the original source of a claim is its claims.source_id "
                                         f"({cited})"))
        elif relation == "also_reports":
            said = _parse_date(claims[claim].get("date", ""))
            if source == cited:
                messages.append(_message(cs_file, number, "source_id", source,
                                         "an 'also_reports' row names another article than the "
                                         f"claim's own ({cited})"))
            elif said and source_end.get(source) and source_end[source] < said:
                messages.append(_message(cs_file, number, "source_id", source,
                                         "an article cannot report a statement made after its "
                                         f"latest date ({claims[claim]['date']})"))
    claims_file = resources.get("claims", {}).get("path", "claims.csv")
    for number, record in enumerate(tables.get("claims", []), start=2):
        if record.get("claim_id") not in originals:
            messages.append(_message(claims_file, number, "claim_id", record.get("claim_id"),
                                     "every claim has an 'original' row in claim_sources.csv"))
    return messages


def _citation_messages(tables: dict, resources: dict) -> list[str]:
    """A source's citation and quality criteria agree with the rest of its row.

    The citation must let a reader find the article: it carries the printed title, the printed
    author and, for a day-precise printed date, that day in words; it names no URL (the stored
    texts carry none the course can confirm). `named_author` and `machine_translated` repeat what
    `author` and `translated` already say, so the two may not disagree.
    """
    messages = []
    file = resources.get("sources", {}).get("path", "sources.csv")
    for number, record in enumerate(tables.get("sources", []), start=2):
        def add(column, value, rule, number=number):
            messages.append(_message(file, number, column, value, rule))

        citation = record.get("citation", "")
        if not citation:
            continue  # 'required' is reported by the schema check
        title, author = record.get("title", ""), record.get("author", "")
        if title and not title.startswith("(untitled") and title.rstrip("?.!") not in citation:
            add("citation", citation, f"a citation carries the printed title ('{title}')")
        missing = [part for part in author.split() if part not in citation]
        if missing:
            add("citation", citation, f"a citation carries the printed author ('{author}')")
        if re.search(r"https?://|www\.", citation):
            add("citation", citation, "a citation gives no URL the stored text cannot confirm")
        day = _parse_date(record.get("date", ""))
        if (day and record.get("date_precision") == "day" and record.get("date_basis") == "printed"
                and f"{day.day} {day:%B %Y}" not in citation):
            add("citation", citation, f"a citation gives the printed date ({day.day} {day:%B %Y})")
        if "named_author" in record and record["named_author"] != ("yes" if author else "no"):
            add("named_author", record["named_author"],
                "named_author is 'yes' exactly when an author is printed (column author)")
        translated = record.get("translated") == "true"
        if "machine_translated" in record and (record["machine_translated"] == "yes") != translated:
            add("machine_translated", record["machine_translated"],
                "machine_translated is 'yes' exactly when translated is true")
    return messages


def _claim_date_messages(tables: dict, resources: dict) -> list[str]:
    """A claim's window must fit what its article can show.

    The article's own judgements (speaker = sources.own_voice_id) carry the article's window. A
    statement the article reports was made on or before the article's latest date; if the
    article gives it no date of its own, it is coded 'unknown' ("said on or before"), never
    with the article's own window, which would claim it was made after the article's start.
    """
    messages = []
    file = resources.get("claims", {}).get("path", "claims.csv")
    sources = {r["source_id"]: r for r in tables.get("sources", [])}
    for number, record in enumerate(tables.get("claims", []), start=2):
        source = sources.get(record.get("source_id", ""))
        if source is None:
            continue  # foreign key check reports it
        window = (record.get("date", ""), record.get("date_end", ""), record.get("date_precision"))
        article = (source.get("date", ""), source.get("date_end", ""), source.get("date_precision"))
        end, latest = _parse_date(window[1]), _parse_date(article[1])

        def add(column, value, rule, number=number):
            messages.append(_message(file, number, column, value, rule))

        if end and latest and end > latest:
            add("date_end", window[1], f"a claim is made on or before its article's latest date "
                                       f"({article[1]})")
        if record.get("speaker_id") == source.get("own_voice_id"):
            if window != article:
                add("date", window[0], "an article's own judgement carries the article's window "
                                       f"({article[0]} .. {article[1]}, {article[2]})")
        elif window == article and record.get("date_basis") != "printed":
            add("date_precision", window[2],
                "a reported statement with no date of its own is 'unknown' (said on or before "
                f"{article[1]}), not dated with its article's window")
    return messages


def _event_window_messages(tables: dict, resources: dict) -> list[str]:
    """An event the articles report as past cannot end after the last article that reports it."""
    messages = []
    file = resources.get("events", {}).get("path", "events.csv")
    source_end = {r["source_id"]: _parse_date(r.get("date_end", ""))
                  for r in tables.get("sources", [])}
    latest: dict[str, dt.date] = {}
    for record in tables.get("event_sources", []):
        end = source_end.get(record.get("source_id", ""))
        if end:
            event = record.get("event_id", "")
            latest[event] = max(latest.get(event, end), end)
    for number, record in enumerate(tables.get("events", []), start=2):
        end, bound = _parse_date(record.get("date_end", "")), latest.get(record.get("event_id"))
        if end and bound and end > bound:
            messages.append(_message(file, number, "date_end", record["date_end"],
                                     "an event ends no later than the last article that reports "
                                     f"it ({bound.isoformat()})"))
    return messages


def _estimate_messages(tables: dict, resources: dict) -> list[str]:
    """low <= best <= high, and each agrees with the hedge word (codebook: low, best and high)."""
    messages = []
    for table in ESTIMATE_TABLES:
        file = resources.get(table, {}).get("path", f"{table}.csv")
        for number, record in enumerate(tables.get(table, []), start=2):
            def add(column, value, rule, number=number, file=file):
                messages.append(_message(file, number, column, value, rule))

            numbers = {}
            for column in ("value", "low", "best", "high"):
                text = record.get(column, "")
                numbers[column] = int(text) if re.fullmatch(r"\d+", text or "") else None
            value, low, best, high = (numbers[c] for c in ("value", "low", "best", "high"))
            if low is None or best is None:
                continue  # 'required' is reported by the schema check
            if best < low:
                add("best", best, f"best is at least low ({low})")
            if high is not None and high < best:
                add("high", high, f"high is at least best ({best})")
            qualifier = record.get("qualifier", "")
            if qualifier in OPEN_ENDED:
                if high is not None:
                    add("high", high, f"an open-ended hedge ('{qualifier}') has no high estimate")
                floor = OPEN_ENDED[qualifier] if value is None else value + 1
                if (low, best) != (floor, floor):
                    add("low", low, f"'{qualifier}' gives low = best = {floor}")
            elif value is not None:
                band = HEDGE_BANDS.get(qualifier, 0.0)
                expected = (round(value * (1 - band)), value, round(value * (1 + band)))
                if (low, best, high) != expected:
                    add("low", low, f"'{qualifier}' gives low, best, high = "
                                    f"{expected[0]}, {expected[1]}, {expected[2]}")
    return messages


def _background_messages(tables: dict, resources: dict) -> list[str]:
    """Facts from general knowledge (not from the five articles) carry the background marker."""
    messages = []
    for table, records in tables.items():
        file = resources.get(table, {}).get("path", f"{table}.csv")
        for number, record in enumerate(records, start=2):
            for column, text in record.items():
                term = unmarked_background_term(text or "")
                if term:
                    messages.append(_message(
                        file, number, column, term,
                        f"general knowledge is marked '{BACKGROUND_MARKER}'"))
    return messages


def unmarked_background_term(text: str) -> str | None:
    """The first background-only term in `text` that is not preceded by the marker, if any."""
    marker_at = text.find(BACKGROUND_MARKER)
    for term in BACKGROUND_TERMS:
        at = text.find(term)
        if at != -1 and (marker_at == -1 or at < marker_at):
            return term
    return None


def _content_messages(tables: dict, resources: dict) -> list[str]:
    messages = []

    def path(table):
        return resources.get(table, {}).get("path", f"{table}.csv")

    for number, record in enumerate(tables.get("places", []), start=2):
        if record.get("country") == "Kosovo":
            for column, language in (("name_sq", "Albanian"), ("name_sr", "Serbian")):
                if not record.get(column, "").strip():
                    messages.append(_message(path("places"), number, column, "",
                                             f"a place in Kosovo has its {language} name"))
    for number, record in enumerate(tables.get("actors", []), start=2):
        if record.get("actor_type") == "person":
            if not record.get("role", "").strip():
                messages.append(_message(path("actors"), number, "role", "",
                                         "a person has a role"))
            if not record.get("affiliation_id") and not record.get("affiliation_note", "").strip():
                messages.append(_message(path("actors"), number, "affiliation_id", "",
                                         "a person has an affiliation or an affiliation_note"))
    for number, record in enumerate(tables.get("casualties", []), start=2):
        if not record.get("value") and record.get("qualifier") not in WORD_QUALIFIERS:
            messages.append(_message(path("casualties"), number, "value", "",
                                     "a number is given unless the qualifier is a word "
                                     f"({', '.join(sorted(WORD_QUALIFIERS))})"))
    for number, record in enumerate(tables.get("troop_figures", []), start=2):
        if record.get("measure") == "national_contingent" and not record.get("contributor_id"):
            messages.append(_message(path("troop_figures"), number, "contributor_id", "",
                                     "a national contingent names its contributor"))
    for number, record in enumerate(tables.get("forecasts", []), start=2):
        low, high = record.get("horizon_months_min", ""), record.get("horizon_months_max", "")
        if low.isdigit() and high.isdigit() and int(low) > int(high):
            messages.append(_message(path("forecasts"), number, "horizon_months_max", high,
                                     f"horizon_months_max is at least horizon_months_min ({low})"))
    return messages


# --------------------------------------------------------------------------- entry points


def validate_package(package_path: str | Path = DATA_PACKAGE) -> list[str]:
    """Return readable messages for every problem in the data package (empty list: valid)."""
    package_path = Path(package_path)
    try:
        descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{package_path.name}: the package cannot be read ({error})"]
    resources = {r["name"]: r for r in descriptor.get("resources", [])}
    tables = _read_tables(package_path, resources)
    messages = _frictionless_messages(package_path, resources, tables)
    messages += _date_messages(tables, resources)
    messages += _source_messages(tables, resources)
    messages += _citation_messages(tables, resources)
    messages += _claim_date_messages(tables, resources)
    messages += _event_window_messages(tables, resources)
    messages += _estimate_messages(tables, resources)
    messages += _background_messages(tables, resources)
    messages += _content_messages(tables, resources)
    return messages


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    package_path = Path(args[0]) if args else DATA_PACKAGE
    messages = validate_package(package_path)
    for message in messages:
        print(message)
    if messages:
        print(f"{len(messages)} problem(s) found in {package_path}.")
        return 1
    print(f"{package_path}: all tables pass every check.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
