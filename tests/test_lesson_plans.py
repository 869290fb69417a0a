"""Each lesson states its time, what it assumes and its key words; its core fits 45 minutes.

scripts/lesson_times.py estimates the times from the lessons' own text and code and writes each
lesson's plan cell, its Extension markers and the teacher's guide's table: these tests fail when
a lesson changed and the script was not re-run, when a core outgrows its budget, when a glossary
link points nowhere, and when a later core cell needs a name made only in an extension.
Each lesson also closes with its readings for after class (2-4, each with a question), which
the times leave out and the teacher's guide lists as the lessons give them.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import lesson_times  # noqa: E402 - a script, not a package

LESSONS = list(lesson_times.LESSONS)
GLOSSARY = REPO / "docs" / "glossary.md"


def notebook(name: str) -> dict:
    return json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))


def text(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_lesson_in_notebooks_has_a_plan_except_the_primer():
    found = {p.stem for p in (REPO / "notebooks").glob("*.ipynb")}
    assert found - set(LESSONS) == {"00a_python_primer"}


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_opens_with_goals_then_its_plan(name):
    cells = notebook(name)["cells"]
    assert "goals" in text(cells[0]).lower()
    assert cells[1]["id"] == "lesson-plan"
    plan = text(cells[1])
    assert plan == lesson_times.plan_text(name, lesson_times.estimate(name)), \
        "run `python scripts/lesson_times.py --write`"
    for heading in ("**Time.**", "**Assumes.**", "**Key words**"):
        assert heading in plan


@pytest.mark.parametrize("name", LESSONS)
def test_the_core_fits_its_budget(name):
    assert lesson_times.estimate(name)["core"] <= lesson_times.CORE_BUDGET


@pytest.mark.parametrize("name", LESSONS)
def test_each_extension_is_marked_just_before_it(name):
    cells = notebook(name)["cells"]
    ids = [c.get("id") for c in cells]
    for section_id in lesson_times.LESSONS[name][1]:
        marker = ids.index(section_id) - 1
        assert ids[marker] == f"extension-{section_id}"
        assert "Extension" in text(cells[marker])


def names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell assigns or defines, names it reads)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Store)}
    stored |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return stored, read


@pytest.mark.parametrize("name", LESSONS)
def test_no_core_cell_needs_a_name_made_only_in_an_extension(name):
    extension_ids = set(lesson_times.LESSONS[name][1])
    in_extension, made_in_extension, problems = False, set(), []
    for cell in notebook(name)["cells"]:
        source = text(cell)
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            in_extension = cell.get("id") in extension_ids
        if cell["cell_type"] != "code":
            continue
        stored, read = names(source)
        if in_extension:
            made_in_extension |= stored
        else:
            missing = (read & made_in_extension) - stored
            if missing:
                problems.append((cell.get("id"), sorted(missing)))
            made_in_extension -= stored  # the core has made them again
    assert not problems


def test_the_dependency_check_can_fail():
    stored, read = names("total = kfor + eufor")
    assert stored == {"total"} and read == {"kfor", "eufor"}


def test_teachers_guide_quotes_the_current_estimates():
    guide = (REPO / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    block = guide.split("<!-- lesson-times:start -->\n")[1].split("<!-- lesson-times:end -->")[0]
    assert block.strip() == lesson_times.times_table()


def test_every_glossary_link_in_the_lessons_and_readme_exists():
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', GLOSSARY.read_text(encoding="utf-8")))
    sources = [text(c) for p in sorted((REPO / "notebooks").glob("*.ipynb"))
               for c in json.loads(p.read_text(encoding="utf-8"))["cells"]]
    sources.append((REPO / "README.md").read_text(encoding="utf-8"))
    links = [m for s in sources for m in re.findall(r"glossary\.md#([a-z0-9-]+)", s)]
    assert links, "the lessons link to the glossary"
    assert sorted(set(links) - anchors) == []


def test_glossary_gives_albanian_and_bcs_for_every_term():
    rows = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines()
            if line.startswith('| <a id="')]
    assert len(rows) >= 40
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), row


def markdown(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": [text]}


def code(cell_id: str, text: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "source": [text]}


READING = ("> {n}. Author, *A Book* (A Press, 2001). What it offers.\n>\n"
           ">    *Question:* Which column of `troop_figures` would test it?\n>\n")


def readings_cells(count: int, question: bool = True) -> list[dict]:
    entries = "".join(READING.format(n=n) for n in range(1, count + 1))
    if not question:
        entries = entries.replace("*Question:* Which column", "Look at the column")
    return [markdown("readings", "## Readings\n\nAfter class."),
            markdown("readings-list", "> **Background (not from the five articles):** ...\n>\n"
                     + entries)]


def small_lesson(extra: list[dict]) -> dict:
    """A two-section lesson: 100 words and one code cell, then whatever `extra` adds."""
    return {"cells": [markdown("title", "# 99 · Test\n\n" + "word " * 100),
                      code("load", "figures = load_table('troop_figures')"),
                      *extra]}


def test_a_readings_section_is_left_out_of_the_times_and_another_section_is_not():
    name = "00_start_here"  # a lesson without extensions: only the readings can leave the core
    plain = lesson_times.estimate_from(small_lesson([]), name)
    with_readings = lesson_times.estimate_from(small_lesson(readings_cells(3)), name)
    assert with_readings["readings"] == 3 and plain["readings"] == 0
    for key in ("core", "total", "words", "code"):
        assert with_readings[key] == plain[key], key
    # the same cells under a heading that is not a readings section count in the core
    renamed = readings_cells(3)
    renamed[0]["id"] = "further-reading"
    assert lesson_times.estimate_from(small_lesson(renamed), name)["core"] > plain["core"]


def test_reading_problems_accepts_two_to_four_questions_and_rejects_the_rest():
    def problems(cells):
        return lesson_times.reading_problems(lesson_times.readings(small_lesson(cells)))

    assert problems(readings_cells(2)) == problems(readings_cells(4)) == []
    assert problems(readings_cells(1)) == ["1 readings, not 2-4"]
    assert problems(readings_cells(5)) == ["5 readings, not 2-4"]
    assert problems([]) == ["0 readings, not 2-4"]
    assert problems(readings_cells(2, question=False)) == [
        "reading 1: no *Question:* that asks something",
        "reading 2: no *Question:* that asks something"]
    undated = readings_cells(2)
    undated[1]["source"] = ["".join(undated[1]["source"]).replace("2001", "n.d.", 1)]
    assert problems(undated) == ["reading 1: no year in its citation"]


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_closes_with_two_to_four_readings_each_with_a_question(name):
    cells = notebook(name)["cells"]
    headings = [c for c in cells if c["cell_type"] == "markdown" and text(c).startswith("## ")]
    assert headings[-1]["id"] == "readings", "the readings are the lesson's closing section"
    assert all(c["cell_type"] == "markdown" for c in cells[cells.index(headings[-1]):])
    entries = lesson_times.readings(notebook(name))
    assert lesson_times.reading_problems(entries) == []
    for entry in entries:
        assert len(entry["citation"].split()) >= 8 and len(entry["question"].split()) >= 10
    plan = text(cells[1])
    assert f"**Readings: {len(entries)}, after class**" in plan


def test_teachers_guide_lists_the_lessons_readings():
    guide = (REPO / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    block = guide.split("<!-- readings:start -->\n")[1].split("<!-- readings:end -->")[0]
    assert block.strip() == lesson_times.readings_guide(), \
        "run `python scripts/lesson_times.py --write`"
    for name in LESSONS:
        for entry in lesson_times.readings(notebook(name)):
            assert entry["question"][:40] in " ".join(block.replace(">", " ").split())
