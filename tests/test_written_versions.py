"""Written questions with versions: declared on the answer-text cell, released into each
student's notebook and recorded, shown with the student's own prompt and rubric on the marking
desk and the feedback page, and exported as before (points per check id). In-process: the
release's keys are stubbed (the written versions change no key), no kernel runs."""

from __future__ import annotations

import copy
import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import release as release_module
from balkan_course.grading import versions
from balkan_course.grading.build import AuthoringError, build_exercise, validate_solution
from balkan_course.grading.feedback_html import write_feedback_pages
from balkan_course.grading.gradebook import long_rows, totals_of
from balkan_course.grading.marking_desk import MarkingDesk
from balkan_course.grading.variants import public_key_file
from balkan_course.grading.written_marks import (
    Mark,
    WrittenPrompts,
    load_marks,
    save_marks,
    written_questions,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOK = "00_start_here"
CLASS = "written-2026"
WHY = "00-why-differ"
VERSIONED_SETS = [f"{n:02d}" for n in range(9)]
# Every written question has versions, the capstone's paper too: each student chooses a question
# and a reader, and answers their own version's follow-up question from that reader.
WITHOUT_VERSIONS: set[str] = set()


def solution(stem: str = NOTEBOOK):
    return nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)


def answer_text_positions(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if "answer-text" in c.metadata.get("tags", [])]


# ---------------------------------------------------------------- the machinery, a small notebook


def small_notebook():
    """A check without versions, then a written question in three versions."""
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION",
                                  metadata={"tags": ["answer"]}),
        nbformat.v4.new_code_cell('check("q-x", x)', metadata={
            "tags": ["check"], "balkan_course": {"check_id": "q-x", "points": 1}}),
        nbformat.v4.new_markdown_cell("Why did {{mission}} change size?"),
        nbformat.v4.new_markdown_cell("model answer", metadata={
            "tags": ["answer-text"], "balkan_course": {
                "check_id": "q-why", "points": 2, "rubric": ["names {{mission}}", "a date"],
                "variants": [{"mission": "KFOR", "year": "2023"},
                             {"mission": "EUFOR Althea", "year": "2025"},
                             {"mission": "UNMIK", "year": "1999"}]}}),
        nbformat.v4.new_markdown_cell("1 point: {{mission}} in {{year}}.", metadata={
            "tags": ["rubric"], "balkan_course": {"check_id": "q-why"}}),
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"c{number}"
    nb.cells = cells
    return nb


def test_a_version_fills_the_prompt_the_rubric_cell_and_the_rubric_criteria():
    nb = small_notebook()
    validate_solution(nb, "small")
    assert versions.variant_count(nb) == 3
    default, second = versions.variant_notebook(nb, 0), versions.variant_notebook(nb, 1)
    assert default.cells[2].source == "Why did KFOR change size?"
    assert second.cells[2].source == "Why did EUFOR Althea change size?"
    assert second.cells[4].source == "1 point: EUFOR Althea in 2025."
    assert second.cells[3].metadata["balkan_course"]["rubric"] == ["names EUFOR Althea", "a date"]
    # Version 3 of a notebook wraps round to the question's first student version.
    assert versions.variant_notebook(nb, 3).cells[2].source == second.cells[2].source
    # The keys are recorded without them: the templates stay.
    assert "{{mission}}" in versions.variant_notebook(nb, 1, written=False).cells[2].source
    exercise = build_exercise(nb, 2)
    assert exercise.cells[2].source == "Why did UNMIK change size?"
    assert "variants" not in exercise.cells[3].metadata["balkan_course"]
    assert all(c.metadata.get("tags") != ["rubric"] for c in exercise.cells)


@pytest.mark.parametrize("breaking, message", [
    (lambda nb: nb.cells[2].update(source="Why did it change size?"),
     "no parameter appears as {{name}} in the question's prompt"),
    (lambda nb: nb.cells[4].update(source="1 point: {{mission}} in {{decade}}."),
     "{{decade}} in its prompt or rubric is no parameter"),
    (lambda nb: nb.cells[3].metadata["balkan_course"]["variants"][1].pop("year"),
     "every version must name the same parameters"),
    (lambda nb: nb.cells[4].update(source="1 point: {{mission}}."),
     "year appear(s) nowhere"),
])
def test_an_authoring_mistake_in_written_versions_is_named(breaking, message):
    nb = small_notebook()
    breaking(nb)
    with pytest.raises(AuthoringError, match=re.escape(message)):
        validate_solution(nb, "small")


def test_a_written_parameter_may_not_share_an_auto_graded_questions_name():
    nb = small_notebook()
    nb.cells[0].metadata["balkan_course"] = {"variants": [{"mission": "KFOR"},
                                                          {"mission": "EUFOR Althea"}]}
    nb.cells[0].source = '# BEGIN SOLUTION\nx = "KFOR"\n# END SOLUTION'
    with pytest.raises(AuthoringError, match="the parameter mission is also q-x's"):
        validate_solution(nb, "small")


# ---------------------------------------------------------------- the course's written questions


@pytest.mark.parametrize("prefix", VERSIONED_SETS)
def test_every_written_question_has_three_student_versions_that_change_its_prompt(prefix):
    stem = next(p.stem for p in SOLUTIONS.glob(f"{prefix}_*.ipynb"))
    nb = solution(stem)
    count = versions.variant_count(nb)
    for position in answer_text_positions(nb):
        check_id = nb.cells[position].metadata["balkan_course"]["check_id"]
        declared = versions.declared_variants(nb.cells[position])
        if check_id in WITHOUT_VERSIONS:
            assert not declared, check_id
            continue
        assert declared, f"{check_id}: no versions"
        assert len(declared) >= 4, f"{check_id}: {len(declared)} versions (default included)"
        prompts = {}
        for variant in range(count):
            question = written_questions({stem: nb}, {stem: variant})[(stem, check_id)]
            assert "{{" not in question["prompt"] + question["rubric"], (check_id, variant)
            prompts.setdefault(question["version"], question["prompt"])
        # Every student version is given out, and each asks its own question.
        assert set(prompts) == set(range(len(declared))), check_id
        assert len(set(prompts.values())) == len(declared), check_id


def test_every_written_question_has_versions_the_capstone_paper_included():
    without = {nb.cells[p].metadata["balkan_course"]["check_id"]
               for nb in map(solution, sorted(path.stem for path in SOLUTIONS.glob("0*.ipynb")))
               for p in answer_text_positions(nb)
               if not versions.declared_variants(nb.cells[p])}
    assert without == WITHOUT_VERSIONS


def test_the_public_default_is_what_it_was_before_versions():
    """The default's prompt and rubric read as the model answer (public) was written for."""
    question = written_questions({NOTEBOOK: solution()})[(NOTEBOOK, WHY)]
    assert "KFOR at about 4,600" in question["prompt"] and question["version"] == 0
    assert "late 2023 after reinforcement" in question["rubric"]


# ---------------------------------------------------------------- released, marked, exported


def students_with_different_versions(count: int = 3) -> list[str]:
    total = versions.variant_count(solution())
    chosen, seen = [], set()
    for number in range(300):
        student = f"pupil_{number:02d}"
        variant = versions.student_variant(CLASS, student, NOTEBOOK, total)
        entry = versions.entry_index(4, variant)
        if entry not in seen:
            seen.add(entry)
            chosen.append(student)
        if len(chosen) == count:
            return chosen
    raise AssertionError("no students with different written versions")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("written")
    students = students_with_different_versions()
    roster = folder / "roster.csv"
    roster.write_text("student\n" + "\n".join(students) + "\n", encoding="utf-8")
    count = versions.variant_count(solution())
    patch = pytest.MonkeyPatch()
    # No kernel: the written versions change no key, so every version gets the public keys.
    patch.setattr(release_module, "notebook_variant_keys", lambda path, public, cache: {
        k: public for k in range(1, count)})
    try:
        target = release_module.release(CLASS, roster, folder / "releases", only=[NOTEBOOK])
    finally:
        patch.undo()
    variants = {s: versions.student_variant(CLASS, s, NOTEBOOK, count) for s in students}
    return {"folder": folder, "target": target, "students": students, "variants": variants}


def test_each_student_gets_their_own_written_prompt_and_it_is_recorded(released):
    prompts = WrittenPrompts({NOTEBOOK: solution()})
    with (released["target"] / "written_versions.csv").open(encoding="utf-8") as handle:
        rows = {(r["student"], r["check_id"]): r for r in csv.DictReader(handle)}
    seen = set()
    for student, variant in released["variants"].items():
        nb = nbformat.read(released["target"] / student / f"{NOTEBOOK}.ipynb", as_version=4)
        mine = prompts.question(NOTEBOOK, WHY, variant)
        assert mine["version"] > 0  # never the public default
        assert mine["prompt"] in [c.source for c in nb.cells]
        assert not any("{{" in c.source for c in nb.cells)
        assert not any("rubric" in c.metadata.get("tags", []) for c in nb.cells)
        row = rows[(student, WHY)]
        assert (int(row["variant"]), int(row["version"])) == (variant, mine["version"])
        assert json.loads(row["parameters"]) == mine["parameters"]
        seen.add(mine["prompt"])
    assert len(seen) == 3  # three students, three questions
    default = prompts.question(NOTEBOOK, WHY, 0)["prompt"]
    assert default not in seen


def fake_results(folder: Path, released: dict, with_variant: bool = True) -> Path:
    out = folder / ("graded" if with_variant else "graded_without_roster")
    for student in released["students"]:
        path = out / "results" / student / f"{NOTEBOOK}.json"
        path.parent.mkdir(parents=True)
        result = {"student": student, "notebook": NOTEBOOK, "statuses": [], "checks": {},
                  "free_text": {WHY: {"points": 2, "answer": f"{student} thinks so"}}}
        if with_variant:
            result["variant"] = released["variants"][student]
        path.write_text(json.dumps(result), encoding="utf-8")
    return out


@pytest.mark.parametrize("graded_with_roster", [True, False])
def test_the_marking_desk_shows_each_students_own_prompt_and_rubric(released, graded_with_roster):
    out = fake_results(released["folder"], released, graded_with_roster)
    # Without the roster the grader recorded no version: the release's record says it.
    desk = MarkingDesk(out, SOLUTIONS, release_dir=None if graded_with_roster
                       else released["target"])
    desk.view()
    desk.picker.value = (NOTEBOOK, WHY)
    prompts = WrittenPrompts({NOTEBOOK: solution()})
    shown = set()
    for student, variant in released["variants"].items():
        mine = prompts.question(NOTEBOOK, WHY, variant)
        row = desk.rows[student]
        assert row["version"] == mine["version"]
        html = row["question"].value
        assert f"version {mine['version']} of 4" in html
        # A phrase only this version's prompt and rubric hold, as the desk renders it.
        assert mine["parameters"]["figures_q7"].split("\n")[0].split("`")[0] in html
        assert mine["parameters"]["time_point_q7"].split("\n")[0].split("`")[0][-30:] in html
        shown.add(html)
    assert len(shown) == 3
    # Marks are saved per check id, as before.
    first = released["students"][0]
    desk.rows[first]["points"].value = 1.5
    marks = load_marks(desk.marks_path, desk.questions)
    assert marks[(first, NOTEBOOK, WHY)].points == 1.5


def test_written_marks_of_versioned_answers_are_exported_per_check_id(released, tmp_path):
    out = fake_results(tmp_path, released)
    instructors = {NOTEBOOK: solution()}
    marks = {}
    for number, student in enumerate(released["students"]):
        marks[(student, NOTEBOOK, WHY)] = Mark(student, NOTEBOOK, WHY, 0.5 * (number + 1))
    save_marks(out / "written_marks.csv", marks)
    from balkan_course.grading.gradebook import read_results

    results = read_results(out / "results")
    loaded = load_marks(out / "written_marks.csv", written_questions(instructors))
    totals = {t.student: t for t in totals_of(results, instructors, loaded)}
    for number, student in enumerate(released["students"]):
        assert totals[student].written == 0.5 * (number + 1)
    rows = [r for r in long_rows(results, instructors, loaded) if r["question"] == WHY]
    assert {r["student"]: (r["points"], r["variant"]) for r in rows} == {
        s: (f"{0.5 * (n + 1):g}", str(released["variants"][s]))
        for n, s in enumerate(released["students"])}
    # The student's feedback page shows their own question, not the public one.
    pages = write_feedback_pages(results, out / "feedback_html", instructors, loaded, None)
    prompts = WrittenPrompts(instructors)
    for page in pages:
        student = page.parent.name
        mine = prompts.question(NOTEBOOK, WHY, released["variants"][student])
        text = page.read_text(encoding="utf-8")
        assert mine["parameters"]["figures_q7"].split("`")[0].split("\n")[0] in text
        assert "KFOR at about 4,600" not in text


def test_the_release_does_not_touch_the_public_keys(released):
    assert public_key_file(NOTEBOOK) == json.loads(
        (released["target"] / released["students"][0] / "answer_keys" / f"{NOTEBOOK}.json")
        .read_text(encoding="utf-8"))
    assert copy.deepcopy(solution()) == solution()
