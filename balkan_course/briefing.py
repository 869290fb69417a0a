"""Checks for a briefing: citations, length, and a chart and table drawn from the data.

Lesson 08 asks for a briefing with six parts (audience, bottom line up front, chart, table,
assessment, sources); the capstone (set 08) is a briefing paper of 800-1,500 words. These
functions check what a program can check; the judgement (is the paper fair, sourced, careful
with certainty?) stays with the reader and the teacher, with the rubric.

Citation format: a source_id or a claim_id in square brackets, e.g. "[brief_2025_04_02]" or
"[c003_dodik_backed]", several in one pair separated by semicolons or commas:
"[kap_rutte_2025_03_10; brief_2025_04_02]". A claim id counts as a citation of the article the
claim is cited to (its `source_id` in the claims table).

- `citations`, `cited_sources`, `cited_claims`, `unknown_citations`, `citation_counts`,
  `source_list` read the citations of a text.
- `word_count`, `length_verdict`, `citation_verdict` judge the assessment's text.
- `frame_from_tables`, `chart_uses_tables`, `chart_checklist`, `table_checklist` check that a
  chart or table shows the course's data, not numbers typed in by hand.
- `briefing_report` gathers all of it in one table, for a widget or a last look.
"""

from __future__ import annotations

import math
import re
from functools import cache

import pandas as pd

from balkan_course.data import load_table, table_names

SECTIONS = ["Audience", "Bottom line up front", "Chart", "Table", "Assessment", "Sources"]
WORDS_MIN, WORDS_MAX = 800, 1500  # the capstone paper (set 08)
SOURCES_MIN = 3
TABLE_ROWS_MAX = 15

_BRACKETS = re.compile(r"\[([^\[\]]{1,300})\]")
# A source id: lower-case words joined by underscores, at least two parts (brief_2025_04_02).
_SOURCE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00:00(?:\.0+)?)?$")


# ---------------------------------------------------------------- citations


def _text(text) -> str:
    return text if isinstance(text, str) else ""


def _known_ids(sources: pd.DataFrame | None) -> list[str]:
    sources = load_table("sources") if sources is None else sources
    return sources["source_id"].tolist()


@cache
def _claim_sources() -> dict[str, str]:
    """claim_id -> the source_id the claim is cited to (its original article)."""
    claims = load_table("claims")
    return dict(zip(claims["claim_id"], claims["source_id"], strict=True))


def _as_source(cited: str) -> str:
    """A cited id as the source it points to: a claim id becomes its claim's source_id."""
    return _claim_sources().get(cited, cited)


def citations(text) -> list[str]:
    """Every id cited in square brackets, in order, repeats included."""
    found = []
    for inside in _BRACKETS.findall(_text(text)):
        for part in re.split(r"[;,]", inside):
            part = part.strip()
            if _SOURCE_ID.match(part):
                found.append(part)
    return found


def cited_sources(text, sources: pd.DataFrame | None = None) -> list[str]:
    """The distinct known source_ids a text cites, in order of first citation (a cited claim
    counts as a citation of its article)."""
    known = set(_known_ids(sources))
    return list(dict.fromkeys(s for s in map(_as_source, citations(text)) if s in known))


def cited_claims(text) -> list[str]:
    """The distinct claim_ids a text cites, in order of first citation."""
    return list(dict.fromkeys(c for c in citations(text) if c in _claim_sources()))


def unknown_citations(text, sources: pd.DataFrame | None = None) -> list[str]:
    """Ids in square brackets that are neither a source_id of the sources table nor a claim_id
    of the claims table (typos, invented sources)."""
    known = set(_known_ids(sources))
    return list(dict.fromkeys(c for c in citations(text) if _as_source(c) not in known))


def citation_counts(text, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """How often a text cites each source (directly or through one of its claims), uncited
    sources included (with 0)."""
    sources = load_table("sources") if sources is None else sources
    cited = pd.Series([_as_source(c) for c in citations(text)], dtype="str")
    counts = cited.value_counts()
    table = sources[["source_id", "outlet", "text_type"]].copy()
    table["citations"] = table["source_id"].map(counts).fillna(0).astype("int64")
    return table.sort_values(["citations", "source_id"], ascending=[False, True],
                             ignore_index=True)


def when_published(row) -> str:
    """A source's publication date in words, honest about inferred dates."""
    start, end = row["date"], row["date_end"]
    if row["date_precision"] == "day":
        words = f"{start:%-d %B %Y}"
    elif (start.year, start.month) == (end.year, end.month):
        words = f"{start:%B %Y}"
    elif start.year == end.year:
        words = f"{start:%b}–{end:%b %Y}"
    else:
        words = f"{start:%b %Y}–{end:%b %Y}"
    return words if row["date_basis"] == "printed" else f"{words} (date inferred)"


def source_list(text, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 'Sources' section: one row per cited source, in order of first citation."""
    sources = load_table("sources") if sources is None else sources
    order = cited_sources(text, sources)
    rows = sources.set_index("source_id").loc[order].reset_index()
    rows["published"] = [when_published(row) for _, row in rows.iterrows()]
    rows["author"] = rows["author"].fillna("")
    return rows[["source_id", "outlet", "author", "title", "published"]]


# ---------------------------------------------------------------- the assessment's text


def word_count(text) -> int:
    """Words in a text, leaving out the [citations]; '4,600' and 'Prishtinë/Priština' are one."""
    bare = _BRACKETS.sub(" ", _text(text))
    return sum(1 for token in bare.split() if any(ch.isalnum() for ch in token))


def length_verdict(text, low: int = WORDS_MIN, high: int = WORDS_MAX) -> str:
    """'empty', 'too short', 'within range' or 'too long' (citations not counted).

    An unanswered exercise (`...`) passes through, so that its check says "not answered yet".
    """
    if text is Ellipsis:
        return text
    words = word_count(text)
    if words == 0:
        return "empty"
    if words < low:
        return "too short"
    if words > high:
        return "too long"
    return "within range"


def citation_verdict(text, sources: pd.DataFrame | None = None,
                     minimum: int = SOURCES_MIN) -> str:
    """How well a text cites: 'unknown source id', 'no citations', 'one source',
    'two sources' ... or 'enough sources' once `minimum` distinct sources are cited.

    An unanswered exercise (`...`) passes through, so that its check says "not answered yet".
    """
    if text is Ellipsis:
        return text
    if unknown_citations(text, sources):
        return "unknown source id"
    count = len(cited_sources(text, sources))
    if count >= minimum:
        return "enough sources"
    return {0: "no citations", 1: "one source", 2: "two sources"}.get(count, f"{count} sources")


# ---------------------------------------------------------------- charts and tables


def _normal(value) -> str | None:
    """One value as comparable text: 4600, 4600.0 -> '4600'; dates -> 'YYYY-MM-DD'."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(round(number, 6))
    text = str(value).strip()
    if not text:  # Altair writes a missing date (NaT) into a chart's data as ""
        return None
    match = _ISO_DATE.match(text)
    return match.group(1) if match else text


@cache
def table_values() -> dict[str, frozenset]:
    """For every column name in the course's tables, the set of its values (as text)."""
    values: dict[str, set] = {}
    for name in table_names():
        frame = load_table(name)
        for column in frame.columns:
            bucket = values.setdefault(column, set())
            bucket.update(v for v in map(_normal, frame[column].tolist()) if v is not None)
    return {column: frozenset(items) for column, items in values.items()}


def frame_from_tables(frame) -> tuple[bool, str]:
    """(ok, why): do a table's rows come from the course's tables?

    Rules: at least one row; at least one column named like a column of the tables (e.g.
    source_id, theme, mission_id) holding text; and every column named like a table column
    holds only values that occur in that column of the tables. Computed columns (counts,
    shares) need new names. A guard against typed-in numbers, not a lie detector.
    """
    if isinstance(frame, pd.Series):
        frame = frame.reset_index()
    if not isinstance(frame, pd.DataFrame):
        return False, "it is not a table (DataFrame)"
    rows = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    if rows.empty:
        return False, "it has no rows"
    known = table_values()
    shared = [c for c in rows.columns if isinstance(c, str) and c in known]
    if not shared:
        return False, ("none of its columns has a name from the course's tables "
                       "(keep an id or label column such as source_id, theme or mission_id)")
    invented = []
    has_text = False
    for column in shared:
        values = {v for v in map(_normal, rows[column].tolist()) if v is not None}
        if not values <= known[column]:
            invented.append(column)
        if any(not _looks_numeric(v) for v in values):
            has_text = True
    if invented:
        return False, (f"column(s) {', '.join(map(repr, invented))} hold values that are not "
                       "in the course's tables (give a computed column a new name)")
    if not has_text:
        return False, "keep at least one id or label column (source_id, theme, mission_id...)"
    return True, f"drawn from the tables (columns {', '.join(shared[:4])})"


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_chart(chart) -> bool:
    return type(chart).__module__.startswith("altair") and hasattr(chart, "to_dict")


def _chart_frames(spec: dict) -> list[pd.DataFrame]:
    frames = [pd.DataFrame(rows) for rows in spec.get("datasets", {}).values()]

    def inline(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                frames.append(pd.DataFrame(data["values"]))
            for key, item in node.items():
                if key not in ("datasets", "data", "config"):
                    inline(item)
        elif isinstance(node, list):
            for item in node:
                inline(item)

    inline(spec)
    return frames


def _has_key(node, key: str) -> bool:
    if isinstance(node, dict):
        return any(k == key or (k != "config" and _has_key(v, key)) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_key(item, key) for item in node)
    return False


def chart_uses_tables(chart) -> bool:
    """True if `chart` is an Altair chart whose data all comes from the course's tables."""
    return chart_checklist(chart)["data_from_tables"]


def chart_checklist(chart) -> dict[str, bool]:
    """What the briefing's chart needs: an Altair chart, a title, tooltips, data from the tables.

    An unanswered exercise (`...`) passes through, so that its check says "not answered yet".
    """
    if chart is Ellipsis:
        return chart
    result = {"is_altair_chart": False, "has_title": False, "has_tooltip": False,
              "data_from_tables": False}
    if not _is_chart(chart):
        return result
    try:
        spec = chart.to_dict()
    except Exception:  # an unfinished chart cannot be read; say so through the checklist
        return result
    result["is_altair_chart"] = True
    result["has_title"] = bool(spec.get("title"))
    result["has_tooltip"] = _has_key(spec, "tooltip")
    frames = _chart_frames(spec)
    result["data_from_tables"] = bool(frames) and all(frame_from_tables(f)[0] for f in frames)
    return result


def table_checklist(table) -> dict[str, bool]:
    """What the briefing's table needs: a DataFrame of 1-15 rows, a source_id column, real data.

    An unanswered exercise (`...`) passes through, so that its check says "not answered yet".
    """
    if table is Ellipsis:
        return table
    is_frame = isinstance(table, pd.DataFrame)
    return {
        "is_dataframe": is_frame,
        "fits_on_a_page": is_frame and 1 <= len(table) <= TABLE_ROWS_MAX,
        "has_source_id_column": is_frame and "source_id" in table.columns,
        "data_from_tables": is_frame and frame_from_tables(table)[0],
    }


# ---------------------------------------------------------------- the whole briefing

_CHART_ADVICE = {
    "is_altair_chart": "make it an Altair chart (alt.Chart(...))",
    "has_title": "give it a title that states the question or the finding",
    "has_tooltip": "add tooltips so a reader can see the numbers and sources",
    "data_from_tables": "draw it from the course's tables, not typed-in numbers",
}
_TABLE_ADVICE = {
    "is_dataframe": "make it a pandas DataFrame",
    "fits_on_a_page": f"keep between 1 and {TABLE_ROWS_MAX} rows",
    "has_source_id_column": "keep a source_id column so every row can be traced",
    "data_from_tables": "draw it from the course's tables, not typed-in values",
}


def _checklist_row(part: str, present: bool, checklist: dict, advice: dict) -> tuple:
    if not present:
        return part, "missing", f"no {part} yet"
    todo = [advice[key] for key, ok in checklist.items() if not ok]
    return (part, "ok", "meets every check") if not todo else (part, "to fix", "; ".join(todo))


def briefing_report(chart, table, text, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per part of the briefing: part, status ('ok', 'to fix', 'missing'), detail."""
    sources = load_table("sources") if sources is None else sources
    chart = None if chart is Ellipsis else chart
    table = None if table is Ellipsis else table
    text = "" if text is Ellipsis else text
    rows = [
        _checklist_row("chart", chart is not None, chart_checklist(chart), _CHART_ADVICE),
        _checklist_row("table", table is not None, table_checklist(table), _TABLE_ADVICE),
    ]
    words, verdict = word_count(text), length_verdict(text)
    if verdict == "empty":
        rows.append(("assessment", "missing",
                     f"no text yet: write {WORDS_MIN:,}-{WORDS_MAX:,} words"))
    elif verdict == "within range":
        rows.append(("assessment", "ok", f"{words:,} words (aim: {WORDS_MIN:,}-{WORDS_MAX:,})"))
    else:
        rows.append(("assessment", "to fix",
                     f"{words:,} words: {verdict} (aim: {WORDS_MIN:,}-{WORDS_MAX:,})"))
    cited, unknown = cited_sources(text, sources), unknown_citations(text, sources)
    if unknown:
        rows.append(("citations", "to fix",
                     f"neither a source_id nor a claim_id: {', '.join(unknown)} "
                     "(check the spelling)"))
    if len(cited) >= SOURCES_MIN:
        rows.append(("sources", "ok", f"{len(cited)} sources cited: {', '.join(cited)}"))
    elif cited:
        rows.append(("sources", "to fix", f"{len(cited)} cited ({', '.join(cited)}); "
                                          f"cite at least {SOURCES_MIN} as [source_id]"))
    else:
        rows.append(("sources", "missing",
                     f"no citations yet: cite at least {SOURCES_MIN} sources as [source_id]"))
    return pd.DataFrame(rows, columns=["part", "status", "detail"])
