"""docs/term_plans.md agrees with the notebooks (its tables are regenerated here and compared),
every lesson and set has its week in both plans, the weights add up, and the term checklist's
pictures exist."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import term_plans  # noqa: E402

DOC = ROOT / "docs" / "term_plans.md"
CHECKLIST = ROOT / "docs" / "term_checklist.md"
PLANS = ("plan-10", "plan-15")


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def table_rows(block: str) -> list[list[str]]:
    """The cells of a markdown table's body rows."""
    rows = [line.strip().strip("|").split(" | ") for line in block.splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def solution_points() -> dict[str, tuple[int, int, int, int]]:
    """Per set, read here without the script: (checks, checked points, written, written points)."""
    found = {}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if notebook["metadata"].get("balkan_course", {}).get("practice"):
            continue  # the primer: practice, no points
        cells = notebook["cells"]

        def points(tag, cells=cells):
            return [c["metadata"]["balkan_course"]["points"] for c in cells
                    if tag in c["metadata"].get("tags", [])]

        checks, written = points("check"), points("answer-text")
        found[path.stem.split("_")[0]] = (len(checks), sum(checks), len(written), sum(written))
    return found


def doc_points(text: str) -> dict[str, tuple[int, int, int, int]]:
    rows = table_rows(term_plans.block_in(text, "sets"))
    return {re.match(r"\[(\w+)\]", row[0])[1]: tuple(int(x) for x in row[2:6])
            for row in rows if row[0] != "all"}


def test_the_generated_tables_match_the_notebooks():
    text, fresh = doc_text(), term_plans.blocks()
    for name, table in fresh.items():
        assert term_plans.block_in(text, name) == table, (
            f"docs/term_plans.md, block {name!r}, is out of date: run "
            "scripts/term_plans.py --write")
    assert term_plans.main(["--check"]) == 0


def test_points_in_the_doc_are_the_solutions_points():
    assert doc_points(doc_text()) == solution_points()
    # and the comparison can fail: one point changed in the doc is seen
    sets = term_plans.block_in(doc_text(), "sets")
    changed = re.sub(r"^(\| \[00\]\([^)]*\) \| [^|]+\| \d+ \| )(\d+)",
                     lambda m: m[1] + str(int(m[2]) + 1), sets, count=1, flags=re.M)
    assert changed != sets
    assert doc_points(doc_text().replace(sets, changed)) != solution_points()


@pytest.mark.parametrize("plan", PLANS)
def test_every_lesson_and_set_has_its_week(plan):
    weeks = int(plan.split("-")[1])
    rows = table_rows(term_plans.block_in(doc_text(), plan))
    assert [int(row[0]) for row in rows] == list(range(1, weeks + 1))
    taught = "; ".join(row[1] for row in rows)
    for lesson in (ROOT / "notebooks").glob("*.ipynb"):
        number = lesson.stem.split("_")[0]
        assert re.search(rf"(^|; |: ){number} ", taught), f"lesson {number} has no week"
    released = " ".join(row[2] for row in rows)
    due = [row[3] for row in rows]
    for number in solution_points():
        assert released.count(f"set {number} (") == 1, f"set {number} is not released once"
    sets_due = re.findall(r"set (\w+)", " ".join(due))
    capstone = term_plans.capstone_of(term_plans.read_lessons()).number
    assert sorted(sets_due) == sorted(n for n in solution_points() if n != capstone)
    assert "**Capstone**" in due[-1]
    assert sum("**Memo 1**" in d for d in due) == 1 and sum("**Memo 2**" in d for d in due) == 1


def test_weights_add_up_to_100():
    assert sum(term_plans.WEIGHTS.values()) == 100
    rows = table_rows(term_plans.block_in(doc_text(), "weights"))
    weights = [int(row[1].rstrip(" %")) for row in rows if row[0] != "total"]
    assert sum(weights) == 100 and rows[-1] == ["total", "100 %"]


def lesson(number: str, stem: str, whole: float = 50.0) -> term_plans.Lesson:
    return term_plans.Lesson(f"{number}_{stem}", number, stem, whole, whole)


@pytest.mark.parametrize("weeks", [10, 15])
def test_a_new_or_split_lesson_lands_in_a_week(weeks):
    """The rule, on a course with more lessons than today's: a split 05b, a 09 of common
    errors after the capstone, and a long 06."""
    lessons = [lesson("00", "start"), lesson("00a", "primer"), *(
        lesson(f"{n:02d}", f"l{n}") for n in range(1, 8)), lesson("04a", "mandates"),
        lesson("05b", "split"), lesson("08", "capstone_briefing"), lesson("09", "errors")]
    lessons.sort(key=lambda x: term_plans.sort_key(x.number))
    sets = [term_plans.ExerciseSet(f"{n:02d}_x", f"{n:02d}", "x", [1], [2]) for n in range(9)]
    spec = term_plans.PLANS[weeks]
    plan = term_plans.plan_weeks(lessons, sets, spec)
    assert len(plan) == weeks
    placed = [item for week in plan for item in week.lessons if "continued" not in item]
    before = [x.number for x in lessons if x.number != "09"]
    assert placed == before  # each once, in order
    assert plan[0].lessons[:2] == ["00", "00a"]  # the primer in week 1
    assert plan[1].reference == ["09"]  # after the capstone: a reference, from week 2
    week_of = {i.split()[0]: w.number for w in plan for i in w.lessons}
    assert week_of["08"] == weeks - len(spec.closing)
    if weeks == 10:
        assert week_of["04a"] == week_of["04"] and week_of["05b"] == week_of["05"]
    else:
        assert week_of["04a"] == week_of["04"] + 1
    memo_one = next(w.number for w in plan if "Memo 1" in w.due)
    assert memo_one > week_of["04a"]


def test_a_long_lesson_gets_a_second_week_when_there_is_room():
    lessons = [lesson("00", "start"), lesson("01", "a"), lesson("02", "long", whole=200),
               lesson("03", "capstone")]
    plan = term_plans.plan_weeks(lessons, [], term_plans.PLANS[10])
    items = [i for w in plan for i in w.lessons]
    assert items.count("02 (continued)") >= 1 and items[0] == "00"
    assert len(plan) == 10


def test_the_script_has_a_help():
    with pytest.raises(SystemExit) as stop:
        term_plans.main(["--help"])
    assert stop.value.code == 0


def test_every_picture_the_checklist_links_exists():
    text = CHECKLIST.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert len(pictures) >= 5
    for link in pictures:
        path = (CHECKLIST.parent / link).resolve()
        assert path.is_file(), f"{link} is missing: run browser_tests/test_checklist_screenshots.py"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", link
        assert path.stat().st_size < 400_000, f"{link} is too large for a one-page checklist"


def test_the_pages_are_linked():
    guide = (ROOT / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("term_plans.md", "term_checklist.md", "windows_anaconda.md"):
        assert f"({page})" in guide and f"(docs/{page})" in readme, page


def test_the_measured_seconds_are_those_the_doc_reports():
    """The hours table's machine column (script constants) and the page's measured table."""
    text = doc_text().split("**Machine time, measured.**", 1)[1]
    row = next(line for line in text.splitlines() if line.startswith("| seconds for 30"))
    quoted = [float(cell) for cell in row.strip("|").split("|")[1:-1]]
    assert quoted == list(term_plans.MEASURED_SECONDS.values())
    assert round(sum(quoted)) == int(row.strip("|").split("|")[-1].split()[0])
