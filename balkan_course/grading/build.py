"""Build exercises/ (and the answer keys) from the solution notebooks, the masters.

    python -m balkan_course.grading.build solutions exercises      (what `make exercises` runs)

For each solutions/NN_name.ipynb:
1. execute it in a fresh kernel with the checks in record mode: every `check(...)` call stores
   its key in balkan_course/grading/answer_keys/NN_name.json, and the executed outputs (the
   success lines with their receipts, which the grader compares) are written back into the solution;
2. write exercises/NN_name.ipynb: solution regions become stubs, free-text answers become a
   placeholder, rubric and wrong-answers cells are dropped, outputs are cleared.
A *practice* solution (notebook metadata {"balkan_course": {"practice": true}}: the Python
primer) is built the same way, but its key file says "practice": true (never released in
versions, graded or counted) and its student copy is a lesson: notebooks/NN_name.ipynb, which
is committed with outputs (run scripts/execute_notebooks.py on it after a change) and rewritten
only when its cells change.
Step 2 alone (`--exercises-only`) is deterministic and needs no kernel: the tests rebuild the
exercises into a temporary folder and compare bytes to catch a stale exercises/.
The rules for authors are in docs/authoring_exercises.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import nbformat

from balkan_course.grading.cells import PRACTICE, course_meta, is_practice, source_of, tags
from balkan_course.grading.keys import KEYS_DIR, RECORD_ENV
from balkan_course.grading.versions import STRIPPED_META, validate_parameters, variant_notebook

CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
BEGIN, END, STUB = "# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"
ANSWER, CHECK, ANSWER_TEXT = "answer", "check", "answer-text"
RUBRIC, WRONG_ANSWERS = "rubric", "wrong-answers"
INSTRUCTOR_ONLY = (RUBRIC, WRONG_ANSWERS)
TEXT_PLACEHOLDER = (
    "✍️ **Your answer:** double-click this cell and replace this line with a few sentences "
    "of your own."
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([^"']+)["']""")
# First line of every check cell in the exercises: a student's own variable named `check`
# cannot break the check, whatever ran before it.
CHECK_IMPORT = "from balkan_course.grading.checks import check  # the course's checker"
# The progress cell imports what it calls too: run first after a restart, it still works.
PROGRESS_IMPORT = "from balkan_course.grading.checks import show_progress"
# On the first cell of a practice lesson (notebooks/), generated like an exercise.
GENERATED_NOTE = ("generated from its master in solutions/ by `python -m "
                  "balkan_course.grading.build solutions exercises`: edit the solution, never "
                  "this notebook")


class AuthoringError(ValueError):
    """A solution notebook breaks the authoring rules (docs/authoring_exercises.md)."""



def validate_solution(nb, name: str) -> None:
    """Raise AuthoringError listing every broken rule in one solution notebook."""
    problems, seen, check_ids = [], set(), set()
    for position, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        where = f"{name} cell {position} ({cell_id})"
        if not cell_id or not CELL_ID.match(cell_id):
            problems.append(f"{where}: needs an id matching {CELL_ID.pattern}")
        elif cell_id in seen:
            problems.append(f"{where}: duplicate cell id")
        seen.add(cell_id)
        cell_tags, meta = tags(cell), course_meta(cell)
        if CHECK in cell_tags or ANSWER_TEXT in cell_tags:
            check_id, points = meta.get("check_id"), meta.get("points")
            if not check_id or not CELL_ID.match(str(check_id)):
                problems.append(f"{where}: needs metadata balkan_course.check_id")
            elif check_id in check_ids:
                problems.append(f"{where}: check id {check_id} used twice")
            check_ids.add(check_id)
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: needs metadata balkan_course.points > 0")
        if CHECK in cell_tags:
            if cell.cell_type != "code":
                problems.append(f"{where}: a check cell must be code")
            called = CHECK_CALL.findall(source_of(cell))
            parts = check_parts(cell)
            if sorted(called) != sorted(parts) and meta.get("parts") is None:
                problems.append(f"{where}: must call check({meta.get('check_id')!r}, ...) once")
            elif sorted(called) != sorted(parts):
                problems.append(f"{where}: must call check(...) once for each part: "
                                f"{', '.join(map(repr, parts))}")
            if meta.get("parts") is not None and (
                    not all(isinstance(p, (int, float)) and p > 0 for p in parts.values())
                    or abs(sum(parts.values()) - (points or 0)) > 1e-9):
                problems.append(f"{where}: the points of its parts must be > 0 and add up "
                                "to balkan_course.points")
        if ANSWER in cell_tags:
            if cell.cell_type != "code":
                problems.append(f"{where}: an `answer` cell must be code (use answer-text)")
            try:
                stub_solution(source_of(cell))
            except AuthoringError as problem:
                problems.append(f"{where}: {problem}")
        if ANSWER_TEXT in cell_tags and cell.cell_type != "markdown":
            problems.append(f"{where}: an answer-text cell must be markdown")
        if RUBRIC in cell_tags and cell.cell_type != "markdown":
            problems.append(f"{where}: a rubric cell must be markdown")
    problems += validate_parameters(nb, name)
    if problems:
        raise AuthoringError("\n".join(problems))


def stub_solution(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region by its `# STUB:` lines (uncommented)."""
    out, inside, stubbed, regions = [], False, [], 0
    for line in source.splitlines():
        marker = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if marker == BEGIN:
            if inside:
                raise AuthoringError(f"nested {BEGIN}")
            inside, stubbed, regions = True, [], regions + 1
            region_indent = indent
        elif marker == END:
            if not inside:
                raise AuthoringError(f"{END} without {BEGIN}")
            out.extend(stubbed or [f"{region_indent}# Your code here"])
            inside = False
        elif inside:
            if marker.startswith(STUB):
                stubbed.append(indent + marker[len(STUB):].strip())
        else:
            out.append(line)
    if inside:
        raise AuthoringError(f"{BEGIN} without {END}")
    if not regions:
        raise AuthoringError(f"an answer cell needs a {BEGIN} ... {END} region")
    return "\n".join(out)


def exercise_cell(cell):
    """The student's version of one solution cell (of a solution whose versions are already
    chosen: versions.variant_notebook), or None when it is instructor-only."""
    cell_tags = tags(cell)
    if any(tag in cell_tags for tag in INSTRUCTOR_ONLY):
        return None
    meta = {}
    if cell_tags:
        meta["tags"] = cell_tags
    # The other versions of a question stay with the teacher.
    kept = {k: v for k, v in course_meta(cell).items() if k not in STRIPPED_META}
    if kept:
        meta["balkan_course"] = kept
    source = source_of(cell)
    if ANSWER in cell_tags:
        source = stub_solution(source)
    if ANSWER_TEXT in cell_tags:
        source = TEXT_PLACEHOLDER
    if CHECK in cell_tags:
        # JupyterLab and Notebook 7 then refuse to edit or delete a check by accident.
        meta.update({"editable": False, "deletable": False})
        if not source.startswith(CHECK_IMPORT):
            source = f"{CHECK_IMPORT}\n\n{source}"
    elif (cell.cell_type == "code" and source.lstrip().startswith("show_progress(")
          and PROGRESS_IMPORT not in source):
        source = f"{PROGRESS_IMPORT}\n\n{source}"
    if cell.cell_type == "code":
        new = nbformat.v4.new_code_cell(source=source, metadata=meta)
    elif cell.cell_type == "markdown":
        new = nbformat.v4.new_markdown_cell(source=source, metadata=meta)
    else:
        new = nbformat.v4.new_raw_cell(source=source, metadata=meta)
    new["id"] = cell["id"]
    return new


def build_exercise(solution, variant: int = 0) -> nbformat.NotebookNode:
    """The exercise of one version of a solution (0: the default, what exercises/ holds)."""
    solution = variant_notebook(solution, variant)
    exercise = nbformat.v4.new_notebook()
    exercise.nbformat, exercise.nbformat_minor = 4, 5
    exercise.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    }
    exercise.cells = [new for cell in solution.cells if (new := exercise_cell(cell)) is not None]
    if is_practice(solution) and exercise.cells:
        exercise.cells[0].metadata.setdefault("balkan_course", {})["generated"] = GENERATED_NOTE
    return exercise


def exercise_text(solution, variant: int = 0) -> str:
    return nbformat.writes(build_exercise(solution, variant)) + "\n"


def free_text_checks(nb) -> list[str]:
    return [course_meta(cell)["check_id"] for cell in nb.cells if ANSWER_TEXT in tags(cell)]


def free_text_of(nb) -> dict[str, dict]:
    """check_id -> {cell_id, points} of the written (free-text) questions, in notebook order."""
    return {course_meta(c)["check_id"]: {"cell_id": c["id"], "points": course_meta(c)["points"]}
            for c in nb.cells if ANSWER_TEXT in tags(c)}


def check_cells(nb) -> dict[str, dict]:
    """check_id -> {cell_id, points} of the auto-graded checks, in notebook order."""
    return {course_meta(cell)["check_id"]: {"cell_id": cell["id"],
                                            "points": course_meta(cell)["points"]}
            for cell in nb.cells if CHECK in tags(cell)}


def check_parts(cell) -> dict[str, float]:
    """The check ids a check cell judges, with their points. A multi-part question declares
    `"parts": {"<check id>": points, ...}` in its metadata (one `check(...)` call per part, each
    with its own key; the parts' points add up to the question's); otherwise the cell's own
    check id carries all its points."""
    meta = course_meta(cell)
    parts = meta.get("parts")
    if isinstance(parts, dict) and parts:
        return dict(parts)
    return {meta.get("check_id"): meta.get("points")}


def key_ids(nb) -> list[str]:
    """Every check id with an answer key: the parts of multi-part questions in the order the
    cell calls them (the metadata's dict is stored with sorted keys, so it cannot say)."""
    ids = []
    for cell in nb.cells:
        if CHECK in tags(cell):
            parts = list(check_parts(cell))
            called = {part: cell.source.find(f'"{part}"') for part in parts}
            ids += sorted(parts, key=lambda part: (called[part] < 0, called[part]))
    return ids


def execute_recording(nb, key_path: Path, folder: Path, timeout: int = 600,
                      draw_charts: bool = True) -> dict:
    """Execute a solution notebook (in place) in record mode; return the keys it recorded
    (also written to key_path). The variants of a question are recorded the same way, with
    draw_charts=False: their outputs are not kept, so charts are shown as text (the keys come
    from the specification, which is built either way)."""
    from nbclient import NotebookClient

    from balkan_course.charts import TEXT_ONLY_ENV

    key_path.unlink(missing_ok=True)
    # The kernel's own environment says where to record: several recordings may run at once.
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   store_widget_state=False,
                   resources={"metadata": {"path": str(folder)}}).execute(
        env={**os.environ, RECORD_ENV: str(key_path),
             **({} if draw_charts else {TEXT_ONLY_ENV: "1"})})
    keys = json.loads(key_path.read_text(encoding="utf-8"))
    expected = key_ids(nb)
    if set(keys["checks"]) != set(expected):
        raise AuthoringError(f"{key_path.stem}: checks recorded {sorted(keys['checks'])} "
                             f"but the check cells name {sorted(expected)}")
    keys["order"] = list(expected)
    keys["free_text"] = free_text_checks(nb)
    if is_practice(nb):
        keys[PRACTICE] = True
    key_path.write_text(json.dumps(keys, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return keys


def record_keys(solution_path: Path, keys_dir: Path, timeout: int = 600) -> None:
    """Execute a solution in record mode: writes its key file and stores its outputs."""
    nb = nbformat.read(solution_path, as_version=4)
    execute_recording(nb, keys_dir / f"{solution_path.stem}.json", solution_path.parent,
                      timeout)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if "outputs" in cell:
            cell.outputs = merged_streams(cell.outputs)
        for output in cell.get("outputs", []):
            # The live chart widget needs ~900 KB of state; the stored PNG shows the chart.
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(nb, solution_path)


def merged_streams(outputs: list) -> list:
    """Consecutive pieces of the same stream joined into one output. How the kernel splits a
    printed line (`print` writes the text and the newline apart) depends on timing; stored
    this way, a re-run of an unchanged notebook writes the same bytes."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def without_outputs(nb) -> str:
    """A notebook's text without what running it adds (outputs, execution counts): what a
    practice lesson is compared by, since it is committed with its outputs."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(nb)


def build(solutions: Path, exercises: Path, keys_dir: Path = KEYS_DIR,
          with_keys: bool = True, only: list[str] | None = None,
          lessons: Path | None = None) -> list[Path]:
    """Build every exercise (and key) from the solutions folder (or only the named ones);
    returns the student copies written. A practice solution's copy goes to `lessons` (the
    course's notebooks/; by default beside the exercises), and only when its cells changed:
    the lesson keeps the outputs it is committed with."""
    written = []
    exercises.mkdir(parents=True, exist_ok=True)
    keys_dir.mkdir(parents=True, exist_ok=True)
    seen_checks: dict[str, str] = {}
    for solution_path in sorted(solutions.glob("*.ipynb")):
        solution = nbformat.read(solution_path, as_version=4)
        validate_solution(solution, solution_path.name)
        for check_id in list(check_cells(solution)) + free_text_checks(solution):
            if check_id in seen_checks:
                raise AuthoringError(f"check id {check_id} is used by {seen_checks[check_id]} "
                                     f"and {solution_path.name}; ids must be unique course-wide")
            seen_checks[check_id] = solution_path.name
        if only and solution_path.stem not in only:
            continue
        if with_keys:
            print(f"executing {solution_path} (record mode) ...", flush=True)
            record_keys(solution_path, keys_dir)
            solution = nbformat.read(solution_path, as_version=4)
        text = exercise_text(solution)
        if is_practice(solution):
            target = (lessons or exercises) / solution_path.name
            if target.exists() and without_outputs(nbformat.read(target, as_version=4)) == \
                    without_outputs(nbformat.reads(text, as_version=4)):
                print(f"{target} is up to date")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}: a lesson, committed with outputs: run "
                  f"scripts/execute_notebooks.py {target}")
        else:
            target = exercises / solution_path.name
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("solutions", type=Path)
    parser.add_argument("exercises", type=Path)
    parser.add_argument("--exercises-only", action="store_true",
                        help="do not execute the solutions (keys and outputs stay as they are)")
    parser.add_argument("--keys-dir", type=Path, default=KEYS_DIR)
    parser.add_argument("--lessons", type=Path, default=None,
                        help="where a practice solution's lesson goes (default: notebooks/ "
                             "beside the solutions folder)")
    parser.add_argument("--only", default="",
                        help="only these solutions, comma-separated stems (e.g. 03_who_is_who)")
    args = parser.parse_args(argv)
    only = [stem.strip() for stem in args.only.split(",") if stem.strip()] or None
    try:
        build(args.solutions, args.exercises, args.keys_dir, with_keys=not args.exercises_only,
              only=only, lessons=args.lessons or args.solutions.parent / "notebooks")
    except AuthoringError as problem:
        print(f"The solutions break the authoring rules:\n{problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["build", "build_exercise", "exercise_text", "stub_solution", "validate_solution",
           "check_cells", "check_parts", "key_ids", "free_text_checks", "merged_streams",
           "without_outputs"]
