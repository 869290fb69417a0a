"""Estimate each lesson's time from its text and code, and write its plan at the top of it.

Usage: .venv/bin/python scripts/lesson_times.py [--write]
       without --write: print the table of estimates (the teacher's guide quotes it);
       with --write: also (re)write each lesson's "lesson-plan" cell and its extension markers.

The rule, stated in every lesson and in docs/teachers_guide.md:
- prose is read at 200 words a minute (markdown cells, words as `str.split` counts them);
- each code cell costs one minute: read it, run it, look at the result (the machine's own
  running time is seconds per lesson, measured by `make benchmark`, and is left out);
- each widget or chart with its own controls costs three more minutes of trying it out.
A lesson's core must fit in 35 minutes of that, leaving ten of the 45 for the teacher to frame
the question and for discussion; the sections listed as extension go beyond the core.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 200
MINUTES_PER_CODE_CELL = 1.0
MINUTES_PER_CONTROL = 3.0
CORE_BUDGET = 35.0
# A code cell that makes a control: a widget's callback, an Altair parameter bound to an input.
CONTROL_SIGNS = (".observe(", "bind=", "interactive_output(", "interact(")
GLOSSARY = "../docs/glossary.md"

# Per lesson: what it assumes, the sections (by heading cell id) beyond the core, key words
# (glossary anchors, in the order the lesson meets them).
LESSONS = {
    "00_start_here": (
        "no pandas or Altair; the plain Python of the optional "
        "[Python primer](00a_python_primer.ipynb) (lists, dictionaries, functions, methods)",
        [], ["source", "citation", "kfor", "eufor-althea", "table", "chart", "description"]),
    "01_sources_and_evidence": (
        "lesson 00 (loading a table, choosing rows and columns, sorting, a first bar chart)",
        ["provenance-intro", "widget-intro"],
        ["source", "citation", "time-precision", "provenance", "paraphrase", "evidence",
         "strength"]),
    "02_timeline": (
        "lessons 00-01 (filters, `merge` on an id column, `groupby`)",
        ["close-view-intro", "widget-intro"],
        ["time-precision", "northern-kosovo", "republika-srpska", "dayton-agreement",
         "independence"]),
    "03_who_is_who": (
        "lessons 00-02 (`merge`, `groupby` and `size`, `value_counts`)",
        ["speakers-sources-why", "co-why"],
        ["claim", "source", "high-representative", "republika-srpska", "coding"]),
    "04_peacekeeping_forces": (
        "lessons 00-01 (filters, reported figures kept with their source)",
        ["surge-why", "estimates-why", "compare-question", "us-why", "eufor-2025-why"],
        ["peacekeeping", "peacekeeping-mission", "kfor", "eufor-althea", "strength",
         "reinforcement", "reserve-forces", "contingent", "log-scale", "scenario",
         "security-vacuum"]),
    "04a_mandates_and_the_eu_track": (
        "lessons 00-01 and 04 (filters, `merge`, `groupby`; what KFOR and EUFOR Althea are)",
        [],
        ["peacekeeping", "chapter-vii", "peace-enforcement", "deterrence-presence", "berlin-plus",
         "accession", "conditionality", "dialogue", "brussels-agreement",
         "association-of-serb-majority-municipalities", "ohrid-agreement",
         "high-representative"]),
    "05_money_and_capabilities": (
        "lessons 00-01 and 04 (filters, derived figures, a log scale)",
        ["troops-why", "capabilities-why"],
        ["budget", "ministry-of-defence", "kosovo-security-force", "log-scale"]),
    "06_places_and_flashpoints": (
        "lessons 00-02 (`merge`, date precision); a little trigonometry helps for the distances "
        "but is not needed",
        ["widget-why"],
        ["kosovo", "northern-kosovo", "boundary", "crossing-point", "municipality",
         "map-projection", "geo-precision", "haversine-formula"]),
    "07_narratives_and_forecasts": (
        "lessons 00-03 (claims and speakers, `groupby`); percentages",
        ["disagree-why", "threads-why", "scenario-why"],
        ["coding", "codebook", "stance", "cohens-kappa", "coverage-bias", "forecast",
         "estimative-words", "icd-203", "probability", "horizon", "scenario", "secession"]),
    "08_capstone_briefing": (
        "lessons 00-07, or at least 00, 01 and 04",
        [], ["citation", "source", "evidence", "description", "estimative-words"]),
}


def glossary_terms() -> dict[str, str]:
    """Anchor -> English term, read from docs/glossary.md (`| <a id="x"></a>term | ...`)."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    return dict(re.findall(r'^\| <a id="([a-z0-9-]+)"></a>([^|]+?) \|', text, flags=re.M))


def cell_text(cell: dict) -> str:
    return "".join(cell["source"])


def sections(notebook: dict) -> list[dict]:
    """The lesson cut at its `## ` headings (the title cell starts the first section)."""
    found: list[dict] = []
    for cell in notebook["cells"]:
        text = cell_text(cell)
        if cell.get("id") in ("lesson-plan",) or str(cell.get("id", "")).startswith("extension-"):
            continue  # the plan and the markers are not part of the reading
        if not found or (cell["cell_type"] == "markdown" and text.startswith("## ")):
            title = text.split("\n")[0].lstrip("# ").strip()
            found.append({"id": cell.get("id"), "title": title, "words": 0, "code": 0,
                          "controls": 0})
        section = found[-1]
        if cell["cell_type"] == "markdown":
            section["words"] += len(text.split())
        else:
            section["code"] += 1
            if any(sign in text for sign in CONTROL_SIGNS):
                section["controls"] += 1
    return found


def minutes(section: dict) -> float:
    return (section["words"] / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * section["code"]
            + MINUTES_PER_CONTROL * section["controls"])


def estimate(name: str) -> dict:
    """The lesson's sections and minutes: whole, core and extension."""
    notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return estimate_from(notebook, name)


def plan_text(name: str, times: dict) -> str:
    assumes, _, words = LESSONS[name]
    terms = glossary_terms()
    links = ", ".join(f"[{terms[anchor]}]({GLOSSARY}#{anchor})" for anchor in words)
    extension = (
        "; ".join(f"*{s['title']}*" for s in times["extension_sections"])
        if times["extension_sections"] else "none"
    )
    extra = (f" **Extension** (about {times['extension']:.0f} minutes more, for a second "
             f"session or homework; marked ⏩ where it starts): {extension}."
             if times["extension_sections"] else " No extension: the whole lesson is the core.")
    return (
        f"**Time.** A 45-minute core: about {times['core']:.0f} minutes of reading and running "
        f"by our rule (prose at {WORDS_PER_MINUTE} words a minute, a minute per code cell, "
        f"{MINUTES_PER_CONTROL:.0f} more per control to try), leaving ten for framing and "
        f"discussion.{extra}\n\n"
        f"**Assumes.** {assumes[0].upper()}{assumes[1:]}. Python you may need: the "
        "[primer](00a_python_primer.ipynb).\n\n"
        f"**Key words** (in the [glossary]({GLOSSARY}), with Albanian and "
        f"Serbian/Bosnian/Croatian terms): {links}."
    )


def marker_text(section: dict, next_core: str) -> str:
    return (f"> ⏩ **Extension** (about {minutes(section):.0f} minutes, beyond the 45-minute "
            f"core). In a 45-minute class, skip to *{next_core}* and come back to this section "
            "at home or in a second session; nothing later depends on it.")


def new_markdown(cell_id: str, text: str) -> dict:
    lines = text.split("\n")
    return {"cell_type": "markdown", "id": cell_id, "metadata": {},
            "source": [line + "\n" for line in lines[:-1]] + [lines[-1]]}


def write_plan(name: str) -> None:
    path = ROOT / "notebooks" / f"{name}.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c.get("id") != "lesson-plan"
             and not str(c.get("id", "")).startswith("extension-")]
    notebook["cells"] = cells
    times = estimate_from(notebook, name)
    cells.insert(1, new_markdown("lesson-plan", plan_text(name, times)))
    extension_ids = LESSONS[name][1]
    heading_ids = [s["id"] for s in times["sections"]]
    for section in times["extension_sections"]:
        later = heading_ids[heading_ids.index(section["id"]) + 1:]
        next_core = next((s["title"] for s in times["sections"]
                          if s["id"] in later and s["id"] not in extension_ids), "the end")
        index = next(i for i, c in enumerate(cells) if c.get("id") == section["id"])
        cells.insert(index, new_markdown(f"extension-{section['id']}",
                                         marker_text(section, next_core)))
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def estimate_from(notebook: dict, name: str) -> dict:
    parts = sections(notebook)
    extension_ids = LESSONS[name][1]
    extra = [s for s in parts if s["id"] in extension_ids]
    return {
        "sections": parts, "extension_sections": extra,
        "words": sum(s["words"] for s in parts), "code": sum(s["code"] for s in parts),
        "controls": sum(s["controls"] for s in parts),
        "total": sum(minutes(s) for s in parts),
        "core": sum(minutes(s) for s in parts if s["id"] not in extension_ids),
        "extension": sum(minutes(s) for s in extra),
    }


def times_table() -> str:
    """The teacher's guide's table of estimates, one row per lesson."""
    rows = ["| Lesson | Words | Code cells | Controls | Whole lesson | Core "
            "| Extension (sections) |", "|---|---:|---:|---:|---:|---:|---|"]
    for name in LESSONS:
        t = estimate(name)
        flag = "" if t["core"] <= CORE_BUDGET else " (over the 35-minute budget)"
        titles = "; ".join(s["title"] for s in t["extension_sections"]) or "none"
        extension = f"{t['extension']:.0f} min ({titles})" if t["extension_sections"] else "none"
        rows.append(f"| {name.split('_')[0]} | {t['words']:,} | {t['code']} | {t['controls']} | "
                    f"{t['total']:.0f} min | {t['core']:.0f} min{flag} | {extension} |")
    return "\n".join(rows)


def write_guide_table() -> None:
    guide = ROOT / "docs" / "teachers_guide.md"
    text = guide.read_text(encoding="utf-8")
    start, end = "<!-- lesson-times:start -->\n", "<!-- lesson-times:end -->"
    before, rest = text.split(start)
    after = rest.split(end)[1]
    guide.write_text(f"{before}{start}{times_table()}\n{end}{after}", encoding="utf-8")


def main(arguments: list[str]) -> None:
    if "--write" in arguments:
        for name in LESSONS:
            write_plan(name)
        write_guide_table()
    print(times_table())


if __name__ == "__main__":
    main(sys.argv[1:])
