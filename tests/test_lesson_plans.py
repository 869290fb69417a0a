"""Each lesson states its time, what it assumes and its key words; its core fits 45 minutes.

scripts/lesson_times.py estimates the times from the lessons' own text and code and writes each
lesson's plan cell, its Extension markers and the teacher's guide's table: these tests fail when
a lesson changed and the script was not re-run, when a core outgrows its budget, when a glossary
link points nowhere, and when a later core cell needs a name made only in an extension.
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
