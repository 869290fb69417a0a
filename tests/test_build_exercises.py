"""exercises/ is exactly what the builder makes from solutions/, and gives no answer away. A
practice solution (the primer) is built the same way into a lesson, notebooks/NN_name.ipynb,
which is committed with outputs: it is compared by its cells' sources and metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import build as builder
from balkan_course.grading.variants import STRIPPED_META, variant_notebook

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = ROOT / "exercises"
LESSONS = ROOT / "notebooks"


def read(path):
    return nbformat.read(path, as_version=4)


def practice(path) -> bool:
    return builder.is_practice(read(path))


def student_copy(path) -> Path:
    """What the build writes from a solution: the exercise, or the lesson of a practice one."""
    return (LESSONS if practice(path) else EXERCISES) / path.name


def solution_region_lines(source: str) -> list[str]:
    """The code lines inside BEGIN/END SOLUTION that are not stub lines."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (builder.BEGIN, builder.END):
            inside = marker == builder.BEGIN
        elif inside and len(marker) >= 8 and not marker.startswith("#"):
            lines.append(marker)  # short lines such as ")" prove nothing
    return lines


def test_every_exercise_has_a_solution_and_the_reverse():
    assert SOLUTIONS
    graded = {p.name for p in SOLUTIONS if not practice(p)}
    assert graded == {p.name for p in EXERCISES.glob("*.ipynb")}, \
        "exercises/ and solutions/ hold different notebooks: run `make exercises`"
    assert all((LESSONS / p.name).is_file() for p in SOLUTIONS if practice(p))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_are_up_to_date(path, tmp_path):
    builder.build(path.parent, tmp_path, with_keys=False)
    if practice(path):  # a lesson, committed with its outputs
        rebuilt = builder.without_outputs(read(tmp_path / path.name))
        assert rebuilt == builder.without_outputs(read(LESSONS / path.name)), (
            f"notebooks/{path.name} is stale or edited by hand: run `make exercises`, then "
            f"scripts/execute_notebooks.py notebooks/{path.name} (it is generated from "
            f"solutions/{path.name})")
        return
    rebuilt = (tmp_path / path.name).read_bytes()
    committed = (EXERCISES / path.name).read_bytes()
    assert rebuilt == committed, (
        f"exercises/{path.name} is stale or edited by hand: run `make exercises` "
        "(exercises are generated from solutions/)")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_build_is_deterministic(path):
    solution = read(path)
    assert builder.exercise_text(solution) == builder.exercise_text(read(path))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_follow_the_authoring_rules(path):
    builder.validate_solution(read(path), path.name)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_rubric_or_wrong_answer_leaks(path):
    solution, exercise = read(path), read(student_copy(path))
    # Prompts may quote code as a tip; solution code must not reach the code cells.
    text = "\n".join(cell.source for cell in exercise.cells if cell.cell_type == "code")
    exercise_ids = {cell["id"] for cell in exercise.cells}
    for cell in solution.cells:
        cell_tags = builder.tags(cell)
        if builder.RUBRIC in cell_tags or builder.WRONG_ANSWERS in cell_tags:
            assert cell["id"] not in exercise_ids, f"{cell['id']} is instructor-only"
        if builder.ANSWER in cell_tags:
            source = builder.source_of(cell)
            stubs = [line for line in source.splitlines() if builder.STUB in line]
            for line in solution_region_lines(source):
                if not any(line in stub for stub in stubs):  # given on purpose in a stub
                    assert line not in text, f"solution code leaks into the exercise: {line}"
        if builder.ANSWER_TEXT in cell_tags:
            mine = next(c for c in exercise.cells if c["id"] == cell["id"])
            assert mine.source == builder.TEXT_PLACEHOLDER
    raw = student_copy(path).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in raw and "STUB:" not in raw
    if practice(path):
        return  # a lesson keeps its outputs
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_checks_prompts_and_ids_are_kept(path):
    # The exercise shows the default version of each question with versions (prompts
    # rendered), without the list of the other versions.
    solution, exercise = variant_notebook(read(path), 0), read(student_copy(path))
    kept = [cell for cell in solution.cells
            if not any(tag in builder.tags(cell) for tag in builder.INSTRUCTOR_ONLY)]
    assert [c["id"] for c in exercise.cells] == [c["id"] for c in kept]
    for theirs, mine in zip(kept, exercise.cells, strict=True):
        assert builder.CELL_ID.match(mine["id"])
        assert mine.cell_type == theirs.cell_type
        assert builder.tags(mine) == builder.tags(theirs)
        generated = {"generated": builder.GENERATED_NOTE} if practice(path) and (
            mine is exercise.cells[0]) else {}  # the lesson says it is generated
        assert builder.course_meta(mine) == {
            k: v for k, v in builder.course_meta(theirs).items() if k not in STRIPPED_META
        } | generated
        if builder.CHECK in builder.tags(theirs):
            # The checker is imported again first: a student's own `check` cannot break it.
            assert mine.source == f"{builder.CHECK_IMPORT}\n\n{theirs.source}"
        elif theirs.source.startswith("show_progress("):
            # The progress cell imports what it calls: run first after a restart, it works.
            assert mine.source == f"{builder.PROGRESS_IMPORT}\n\n{theirs.source}"
        elif not {builder.ANSWER, builder.ANSWER_TEXT} & set(builder.tags(theirs)):
            assert mine.source == theirs.source, f"{mine['id']} changed"
        if builder.CHECK in builder.tags(theirs):
            assert mine.metadata["editable"] is False and mine.metadata["deletable"] is False


def test_stub_replaces_each_region_by_its_stub_lines():
    source = "\n".join([
        "import math",
        "# BEGIN SOLUTION",
        "answer = math.pi",
        "# STUB: answer = ...  # your answer",
        "# END SOLUTION",
        "def f():",
        "    # BEGIN SOLUTION",
        "    return 2",
        "    # END SOLUTION",
        "answer",
    ])
    assert builder.stub_solution(source) == "\n".join([
        "import math", "answer = ...  # your answer", "def f():", "    # Your code here",
        "answer"])


@pytest.mark.parametrize("source, problem", [
    ("# BEGIN SOLUTION\nx = 1", "without"),
    ("x = 1\n# END SOLUTION", "without"),
    ("x = 1", "needs a"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "nested"),
])
def test_stub_refuses_broken_markers(source, problem):
    with pytest.raises(builder.AuthoringError, match=problem):
        builder.stub_solution(source)


def test_validation_lists_broken_rules():
    def cell(kind, source, cell_id, tags=(), **meta):
        new = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(
            source, metadata={"tags": list(tags), "balkan_course": meta})
        new["id"] = cell_id
        return new

    nb = nbformat.v4.new_notebook()
    nb.cells = [  # assigned after creation: nbformat would silently fix the duplicate id
        cell("code", "x = 1", "same"),
        cell("code", "y = 2", "same"),
        cell("code", 'check("a", x)', "c1", ["check"], check_id="b", points=1),
        cell("code", 'check("c", x)', "c2", ["check"], check_id="c"),
        cell("code", "x = 1", "a1", ["answer"]),
        cell("code", "text", "t1", ["answer-text"], check_id="t", points=1),
    ]
    with pytest.raises(builder.AuthoringError) as raised:
        builder.validate_solution(nb, "bad.ipynb")
    message = str(raised.value)
    for expected in ("duplicate cell id", "must call check('b'", "points > 0",
                     "needs a # BEGIN SOLUTION", "answer-text cell must be markdown"):
        assert expected in message


@pytest.fixture(scope="module")
def untouched_runs(tmp_path_factory) -> dict[str, list[dict]]:
    """exercise name -> {id, stdout, error} of each code cell, the exercises run as given (in
    one fresh process: tests/notebooks_in_process.py; make test-browser runs them in
    JupyterLab)."""
    out = tmp_path_factory.mktemp("untouched")
    # (The primer's lesson as given: tests/test_primer.py; it shows an error on purpose.)
    exercises = [EXERCISES / path.name for path in SOLUTIONS if not practice(path)]
    subprocess.run([sys.executable, str(ROOT / "tests" / "notebooks_in_process.py"), str(out),
                    *map(str, exercises)], check=True, cwd=ROOT)
    return {path.stem: json.loads((out / f"{path.stem}.cells.json").read_text())
            for path in exercises}


@pytest.mark.parametrize("path", [p for p in SOLUTIONS if not practice(p)],
                         ids=lambda p: p.stem)
def test_an_untouched_exercise_runs_without_errors_and_says_not_answered(path, untouched_runs):
    """Students first run the notebook as given: no traceback, every check says why."""
    from balkan_course.grading.checks import NOT_ANSWERED

    ran = {cell["id"]: cell for cell in untouched_runs[path.stem]}
    for cell in read(EXERCISES / path.name).cells:
        if cell.cell_type != "code":
            continue
        assert cell["id"] in ran, f"{cell['id']} never ran: an earlier cell failed"
        assert not ran[cell["id"]]["error"], f"{cell['id']}:\n{ran[cell['id']]['error']}"
        if builder.CHECK in builder.tags(cell):
            assert NOT_ANSWERED in ran[cell["id"]]["stdout"], f"{cell['id']}: {ran[cell['id']]}"


def test_split_pieces_of_a_stream_are_stored_as_one_output():
    """`print` may reach the notebook as the text and its newline apart, depending on timing:
    stored joined, an unchanged notebook re-runs to the same bytes."""
    from balkan_course.grading.build import merged_streams

    outputs = [{"output_type": "stream", "name": "stdout", "text": "✅ a: correct"},
               {"output_type": "stream", "name": "stdout", "text": "\n"},
               {"output_type": "stream", "name": "stderr", "text": "warning\n"},
               {"output_type": "execute_result", "data": {"text/plain": "1"}},
               {"output_type": "stream", "name": "stdout", "text": ["b\n", "c\n"]}]
    merged = merged_streams(outputs)
    assert [o.get("name") for o in merged] == ["stdout", "stderr", None, "stdout"]
    assert merged[0]["text"] == "✅ a: correct\n"
    assert merged[-1]["text"] == ["b\n", "c\n"]


def test_a_practice_solution_becomes_a_lesson_rewritten_only_when_its_cells_change(tmp_path):
    """Practice (the primer): its student copy goes to the lessons folder, not exercises/; an
    unchanged build keeps the outputs the lesson is committed with."""
    solutions, exercises, lessons = tmp_path / "solutions", tmp_path / "ex", tmp_path / "nb"
    solutions.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"balkan_course": {"practice": True}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Practice", id="title"),
                nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\n# STUB: x = ...\n"
                                          "# END SOLUTION", id="a",
                                          metadata={"tags": [builder.ANSWER]}),
                nbformat.v4.new_code_cell('check("t-x", x)', id="c", metadata={
                    "tags": [builder.CHECK], "balkan_course": {"check_id": "t-x", "points": 1}})]
    nbformat.write(nb, solutions / "00z_practice.ipynb")
    assert builder.build(solutions, exercises, with_keys=False, lessons=lessons) == [
        lessons / "00z_practice.ipynb"]
    assert list(exercises.glob("*.ipynb")) == []
    lesson = read(lessons / "00z_practice.ipynb")
    assert lesson.cells[1].source == "x = ..."
    assert lesson.cells[0].metadata["balkan_course"]["generated"] == builder.GENERATED_NOTE
    lesson.cells[2].outputs = [nbformat.v4.new_output("stream", text="❌ t-x: ...\n")]
    nbformat.write(lesson, lessons / "00z_practice.ipynb")
    assert builder.build(solutions, exercises, with_keys=False, lessons=lessons) == []
    assert read(lessons / "00z_practice.ipynb").cells[2].outputs  # kept
    nb.cells[0].source = "# Practice, reworded"
    nbformat.write(nb, solutions / "00z_practice.ipynb")
    assert builder.build(solutions, exercises, with_keys=False, lessons=lessons) == [
        lessons / "00z_practice.ipynb"]
    assert read(lessons / "00z_practice.ipynb").cells[2].outputs == []
