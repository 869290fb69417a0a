"""Estimate each lesson's time from its text and code, and write its plan at the top of it.

Usage: .venv/bin/python scripts/lesson_times.py [--write]
       without --write: print the table of estimates (the teacher's guide quotes it);
       with --write: also (re)write each lesson's "lesson-plan" cell and its extension markers.

The rule, a novice's pace (not a fluent reader's), stated in every lesson and in
docs/teachers_guide.md:
- prose is read at 150 words a minute (markdown cells, words as `str.split` counts them);
- each code cell costs two minutes: read it, run it, look at the result, often run it again
  (the machine's own running time is seconds per lesson, measured by `make benchmark`, and is
  left out); a check cell (tagged `check`: the primer's practice) is part of its answer cell's
  two minutes, run right after it;
- each widget or chart with its own controls costs four more minutes of trying it out.
A lesson's core must fit in 40 minutes of that: a 45-minute period keeps five for starting up;
the sections listed as extension go beyond the core.

Each lesson closes with a "Readings" section (its heading cell's id starts with `readings`):
two to four readings beyond the five articles, each a numbered entry with a `*Question:*`. It is
after-class work, so it counts neither in the core nor in the extension; the plan cell gives the
number of readings, and `--write` also copies every lesson's list into the teacher's guide.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 2.0
MINUTES_PER_CONTROL = 4.0
CORE_BUDGET = 40.0
# A code cell that makes a control: a widget's callback or `explore(...)` call, an Altair
# parameter bound to an input.
CONTROL_SIGNS = (".observe(", "bind=", "interactive_output(", "interact(", "explore(")
GLOSSARY = "../docs/glossary.md"
READINGS_PREFIX = "readings"  # a section whose heading cell id starts so is read after class
QUESTION = "*Question:*"
READING_ITEM = re.compile(r"^\d+\.\s+(.*?)(?=^\d+\.\s|\Z)", flags=re.M | re.S)
YEAR = re.compile(r"\b(1[89]|20)\d\d\b")

# Per lesson: what it assumes, the sections (by heading cell id) beyond the core, key words
# (glossary anchors, in the order the lesson meets them).
LESSONS = {
    "00_start_here": (
        "no pandas or Altair; the plain Python of the optional "
        "[Python primer](00a_python_primer.ipynb) (lists, dictionaries, functions, methods)",
        ["widget-why"],
        ["source", "citation", "kfor", "eufor-althea", "table", "chart", "description"]),
    "01_sources_and_evidence": (
        "lesson 00 (loading a table, choosing rows and columns, sorting, a first bar chart)",
        ["dates-chart-intro", "names-intro", "provenance-intro", "widget-intro"],
        ["source", "citation", "time-precision", "provenance", "paraphrase", "evidence",
         "strength"]),
    "02_timeline": (
        "lessons 00-01 (filters, `merge` on an id column, `groupby`)",
        ["disagreements-intro", "close-view-intro", "widget-intro"],
        ["time-precision", "northern-kosovo", "republika-srpska", "dayton-agreement",
         "independence"]),
    "03_who_is_who": (
        "lessons 00-02 (`merge`, `groupby` and `size`, `value_counts`)",
        ["speakers-sources-why", "variants-why", "co-why", "widget-why"],
        ["claim", "source", "high-representative", "republika-srpska", "coding"]),
    "04_peacekeeping_forces": (
        "lessons 00-01 (filters, reported figures kept with their source)",
        [],
        ["peacekeeping", "peacekeeping-mission", "kfor", "eufor-althea", "strength",
         "reinforcement", "contingent", "log-scale", "security-vacuum"]),
    "04a_mandates_and_the_eu_track": (
        "lessons 00-01 and 04 (filters, `merge`, `groupby`; what KFOR and EUFOR Althea are)",
        [],
        ["peacekeeping", "chapter-vii", "peace-enforcement", "deterrence-presence", "berlin-plus",
         "accession", "conditionality", "dialogue", "brussels-agreement",
         "association-of-serb-majority-municipalities", "ohrid-agreement",
         "high-representative"]),
    "04b_ranges_and_scenarios": (
        "lesson 04 (the two missions, their reported strength, the US share)",
        ["casualties-why", "scenario-params-why", "zoom-why"],
        ["strength", "reserve-forces", "contingent", "scenario"]),
    "05_money_and_capabilities": (
        "lessons 00-01 and 04 (filters, derived figures, a log scale)",
        ["budget-chart-question", "widget-why", "troops-why", "capabilities-why"],
        ["budget", "ministry-of-defence", "kosovo-security-force", "log-scale"]),
    "06_places_and_flashpoints": (
        "lessons 00-02 (`merge`, date precision); a little trigonometry helps for the distances "
        "but is not needed",
        ["haversine-why", "widget-why"],
        ["kosovo", "northern-kosovo", "boundary", "crossing-point", "municipality",
         "map-projection", "geo-precision", "haversine-formula"]),
    "07_narratives_and_forecasts": (
        "lessons 00-03 (claims and speakers, `groupby`); percentages",
        ["disagree-why", "threads-why", "timeline-why", "date-widget-why",
         "scenario-why"],
        ["coding", "codebook", "stance", "cohens-kappa", "coverage-bias", "forecast",
         "estimative-words", "icd-203", "probability", "horizon", "scenario", "secession"]),
    "08_capstone_briefing": (
        "lessons 00-07, or at least 00, 01 and 04",
        ["widget-why", "checklists-why"],
        ["citation", "source", "evidence", "description", "estimative-words"]),
    "09_common_errors": (
        "lessons 00-01 (loading a table, filters, a bar chart); it helps at any point of the "
        "course",
        [], ["table", "chart", "evidence"]),
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
                          "controls": 0, "after_class": is_readings(cell.get("id"))})
        section = found[-1]
        if cell["cell_type"] == "markdown":
            section["words"] += len(text.split())
        elif "check" not in cell.get("metadata", {}).get("tags", []):
            section["code"] += 1
            if any(sign in text for sign in CONTROL_SIGNS):
                section["controls"] += 1
    return found


def is_readings(cell_id: str | None) -> bool:
    return str(cell_id or "").startswith(READINGS_PREFIX)


def readings_markdown(notebook: dict) -> list[str]:
    """The markdown cells of the readings section, after its heading cell."""
    found, inside = [], False
    for cell in notebook["cells"]:
        text = cell_text(cell)
        if cell["cell_type"] == "markdown" and text.startswith("## "):
            inside = is_readings(cell.get("id"))
            continue
        if inside and cell["cell_type"] == "markdown":
            found.append(text)
    return found


def readings(notebook: dict) -> list[dict]:
    """Each numbered entry of the readings section: its citation and its question."""
    entries = []
    for text in readings_markdown(notebook):
        # The list sits in a block quote (a background note): drop the quote marks first.
        plain = "\n".join(re.sub(r"^>\s?", "", line) for line in text.splitlines())
        for item in READING_ITEM.findall(plain):
            citation, _, question = item.partition(QUESTION)
            entries.append({"citation": " ".join(citation.split()),
                            "question": " ".join(question.split())})
    return entries


def reading_problems(entries: list[dict]) -> list[str]:
    """What keeps a readings list from the rule: 2-4 entries, each cited and with a question."""
    problems = [] if 2 <= len(entries) <= 4 else [f"{len(entries)} readings, not 2-4"]
    for number, entry in enumerate(entries, start=1):
        if not YEAR.search(entry["citation"]):
            problems.append(f"reading {number}: no year in its citation")
        if "?" not in entry["question"]:
            problems.append(f"reading {number}: no {QUESTION} that asks something")
    return problems


def minutes(section: dict) -> float:
    return (section["words"] / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * section["code"]
            + MINUTES_PER_CONTROL * section["controls"])


def load_lesson(name: str) -> dict:
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))


def estimate(name: str) -> dict:
    """The lesson's sections and minutes: whole, core and extension."""
    return estimate_from(load_lesson(name), name)


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
    if times["readings"]:
        extra += (f" **Readings: {times['readings']}, after class** (the closing section, not "
                  "counted in these times).")
    return (
        f"**Time.** The core: about {times['core']:.0f} minutes of reading and running at a "
        f"novice's pace (prose at {WORDS_PER_MINUTE} words a minute, "
        f"{MINUTES_PER_CODE_CELL:.0f} minutes per code cell, {MINUTES_PER_CONTROL:.0f} more "
        f"per control to try); a core fits {CORE_BUDGET:.0f} minutes, leaving five of a "
        f"45-minute period for starting up.{extra}\n\n"
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
                          if s["id"] in later and s["id"] not in extension_ids
                          and not s["after_class"]), "the end")
        index = next(i for i, c in enumerate(cells) if c.get("id") == section["id"])
        cells.insert(index, new_markdown(f"extension-{section['id']}",
                                         marker_text(section, next_core)))
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def estimate_from(notebook: dict, name: str) -> dict:
    """Minutes of the lesson read in class or at home; the readings are counted, not timed."""
    parts = sections(notebook)
    extension_ids = LESSONS[name][1]
    extra = [s for s in parts if s["id"] in extension_ids]
    timed = [s for s in parts if not s["after_class"]]
    return {
        "sections": parts, "extension_sections": extra,
        "words": sum(s["words"] for s in timed), "code": sum(s["code"] for s in timed),
        "controls": sum(s["controls"] for s in timed),
        "total": sum(minutes(s) for s in timed),
        "core": sum(minutes(s) for s in timed if s["id"] not in extension_ids),
        "extension": sum(minutes(s) for s in extra),
        "readings": len(readings(notebook)),
    }


def times_table() -> str:
    """The teacher's guide's table of estimates, one row per lesson."""
    rows = ["| Lesson | Words | Code cells | Controls | Whole lesson | Core "
            "| Extension (sections) | Readings |", "|---|---:|---:|---:|---:|---:|---|---|"]
    for name in LESSONS:
        t = estimate(name)
        flag = "" if t["core"] <= CORE_BUDGET else f" (over the {CORE_BUDGET:.0f}-minute budget)"
        titles = "; ".join(s["title"] for s in t["extension_sections"]) or "none"
        extension = f"{t['extension']:.0f} min ({titles})" if t["extension_sections"] else "none"
        rows.append(f"| {name.split('_')[0]} | {t['words']:,} | {t['code']} | "
                    f"{t['controls']} | {t['total']:.0f} min | {t['core']:.0f} min{flag} | "
                    f"{extension} | {t['readings']}, after class |")
    return "\n".join(rows)


def readings_guide() -> str:
    """Every lesson's readings as the teacher's guide lists them, copied from the lessons."""
    blocks = []
    for name in LESSONS:
        notebook = load_lesson(name)
        title = cell_text(notebook["cells"][0]).split("\n")[0].lstrip("# ").split(":")[0]
        lists = "\n\n".join(readings_markdown(notebook))
        blocks.append(f"### {title}\n\n{lists}")
    return "\n\n".join(blocks)


def replace_block(marker: str, content: str) -> None:
    """Rewrite the teacher's guide between `<!-- marker:start -->` and `<!-- marker:end -->`."""
    guide = ROOT / "docs" / "teachers_guide.md"
    text = guide.read_text(encoding="utf-8")
    start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
    before, rest = text.split(start)
    after = rest.split(end)[1]
    guide.write_text(f"{before}{start}{content}\n{end}{after}", encoding="utf-8")


def write_guide_table() -> None:
    replace_block("lesson-times", times_table())
    replace_block("readings", readings_guide())


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true",
                        help="also (re)write each lesson's plan cell and the guide's table")
    if parser.parse_args(arguments).write:
        for name in LESSONS:
            problems = reading_problems(readings(load_lesson(name)))
            if problems:
                sys.exit(f"{name}: {'; '.join(problems)}")
            write_plan(name)
        write_guide_table()
    print(times_table())


if __name__ == "__main__":
    main(sys.argv[1:])
