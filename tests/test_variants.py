"""Per-student variants (balkan_course/grading/variants.py, release.py, grade.py --roster).

Authoring (no kernel): the declared values exist in the data, every version of a question has
its own non-trivial answer that the public solution's code does not give, and the README's
count is recounted from the solutions. Release and grading (real kernels, one notebook, three
students): a release is deterministic, differs between students, leaves the public files
alone; a student's released notebook self-checks green with their own answers and red with the
public ones; the grader gives full marks for one's own version and nothing on the varied
questions for another student's or the public version.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

from balkan_course import load_table
from balkan_course.charts import TEXT_ONLY_ENV
from balkan_course.grading import grade as grading
from balkan_course.grading import variants
from balkan_course.grading.build import ANSWER, CHECK, build_exercise, course_meta, tags
from balkan_course.grading.cells import is_practice
from balkan_course.grading.release import RosterError, release

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STEMS = [path.stem for path in sorted(SOLUTIONS.glob("*.ipynb"))]
NOTEBOOK = "03_who_is_who"
CLASS = "test-class"


def solution(stem: str = NOTEBOOK):
    return nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)


def _figures_script():
    spec = importlib.util.spec_from_file_location(
        "variant_figures", ROOT / "scripts" / "variant_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_COUNTS: dict[str, dict] = {}


def counts(stem: str) -> dict:
    if stem not in _COUNTS:
        _COUNTS[stem] = variants.count_variants(solution(stem))
    return _COUNTS[stem]


# ---------------------------------------------------------------- authoring, no kernel


def test_substitute_replaces_only_literals_equal_to_a_default():
    source = ('x = t[t["voice"] == "analyst"]  # "analyst" in a comment stays\n'
              'y = "analysts"\nz = 300 + 3000 + 300.0 + int("300")')
    out = variants.substitute(source, {"voice": "analyst", "n": 300},
                              {"voice": "official", "n": 150})
    assert out == ('x = t[t["voice"] == "official"]  # "analyst" in a comment stays\n'
                   'y = "analysts"\nz = 150 + 3000 + 300.0 + int("300")')


def test_a_version_renders_its_prompts_and_code_and_hides_the_other_versions():
    nb = solution()
    count = variants.variant_count(nb)
    assert count >= 4
    texts = set()
    for version in range(count):
        exercise = build_exercise(nb, version)
        text = nbformat.writes(exercise)
        assert "{{" not in text, f"version {version}: a template was left in the exercise"
        assert '"variants"' not in text and "drawn_from" not in text
        texts.add(text)
        voice = variants.declared_variants(
            next(c for c in nb.cells if c["id"] == "q1-answer"))[
            variants.entry_index(4, version)]["voice"]
        prompt = next(c for c in exercise.cells if c["id"] == "q1-prompt").source
        assert f'whose voice is `"{voice}"`' in prompt
    assert len(texts) == count, "two versions of the notebook read the same"


def test_an_authoring_mistake_in_the_versions_is_named():
    nb = solution()
    answer = next(c for c in nb.cells if c["id"] == "q1-answer")
    answer.metadata["balkan_course"]["variants"][2] = {"voice": "official", "extra": "x"}
    next(c for c in nb.cells if c["id"] == "progress-prompt").source += " {{nowhere}}"
    problems = "\n".join(variants.validate_parameters(nb, "03"))
    assert "q1-answer: every version must name the same parameters" in problems
    assert "progress-prompt: a {{name}} template outside a question with versions" in problems


def test_every_declared_value_exists_in_the_data():
    checked = 0
    for stem in STEMS:
        for cell in solution(stem).cells:
            for parameter, where in course_meta(cell).get("drawn_from", {}).items():
                table, column = where.split(".")
                present = set(load_table(table)[column].dropna())
                for version in variants.declared_variants(cell):
                    assert version[parameter] in present, (
                        f"{stem} {cell['id']}: {parameter}={version[parameter]!r} is not in "
                        f"{table}.{column}")
                    checked += 1
    assert checked >= 20


@pytest.mark.parametrize("stem", STEMS)
def test_every_declared_version_has_its_own_answer_the_public_code_does_not_give(stem):
    """Distinct, non-empty answers per version (so another version's answer earns nothing),
    none of which the public solution's code, copied into that version, produces."""
    for question, found in counts(stem).items():
        assert found["non_trivial"], f"{question}: a version's answer is empty or zero"
        assert not found["wrong_equals_right"], (
            f"{question}: a declared wrong answer is right in {found['wrong_equals_right']} "
            "(recording that version's keys would fail)")
        assert found["versions"] == found["declared"], (
            f"{question}: {found['declared']} versions declared, but only "
            f"{found['versions']} have their own answer")


def test_readme_states_the_recounted_variant_figures():
    script = _figures_script()
    sentence = script.readme_sentence({stem: counts(stem) for stem in STEMS  # graded sets
                                       if not is_practice(solution(stem))})
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert sentence in readme, f"README is stale: run scripts/variant_figures.py\n{sentence}"


# ---------------------------------------------------------------- rosters


@pytest.mark.parametrize("text, where", [
    ("name,email\nAna,a@x\n", "row 1 (header): column(s) student missing"),
    ("student\nana\nbeni\nana\n", "row 4, column student: ana appears twice (also row 2)"),
    ("student,name\nana,Ana\n,Nobody\n", "row 3, column student: empty"),
    ("student\nana\n../beni\n", "row 3, column student: '../beni' cannot be a folder name"),
    ("student\nana kovac\n", "row 2, column student: 'ana kovac' cannot be a folder name"),
])
def test_a_bad_roster_is_named_and_nothing_is_written(tmp_path, text, where):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    out = tmp_path / "releases"
    with pytest.raises(RosterError) as problem:
        release(CLASS, roster, out, only=[NOTEBOOK])
    assert f"{roster}, {where}" in str(problem.value)
    assert not out.exists()


def test_an_unsafe_class_name_is_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nana\n", encoding="utf-8")
    with pytest.raises(RosterError, match="class name"):
        release("../up", roster, tmp_path / "releases", only=[NOTEBOOK])
    assert not (tmp_path / "releases").exists()


# ---------------------------------------------------------------- release and grading


def three_students() -> list[str]:
    """Three student ids whose versions of the notebook differ (the choice is a stable hash)."""
    count = variants.variant_count(solution())
    chosen, seen = [], set()
    for number in range(200):
        student = f"student_{number:02d}"
        version = variants.student_variant(CLASS, student, NOTEBOOK, count)
        if version not in seen:
            seen.add(version)
            chosen.append(student)
        if len(chosen) == 3:
            return chosen
    raise AssertionError("no three students with different versions")


def digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


PUBLIC = (ROOT / "exercises", ROOT / "solutions", ROOT / "balkan_course/grading/answer_keys")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    students = three_students()
    roster = folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["student", "name"], *[[s, s.title()] for s in students]])
    public_before = {str(p): digest(p) for p in PUBLIC}
    first = release(CLASS, roster, folder / "one", only=[NOTEBOOK])
    second = release(CLASS, roster, folder / "two", only=[NOTEBOOK])
    public_after = {str(p): digest(p) for p in PUBLIC}
    return {"folder": folder, "roster": roster, "students": students, "first": first,
            "second": second, "public_unchanged": public_before == public_after}


def version_of(student: str) -> int:
    return variants.student_variant(CLASS, student, NOTEBOOK, variants.variant_count(solution()))


def test_release_is_deterministic_and_differs_between_students(released):
    assert digest(released["first"]) == digest(released["second"])
    notebooks = {s: (released["first"] / s / f"{NOTEBOOK}.ipynb").read_bytes()
                 for s in released["students"]}
    keys = {s: (released["first"] / s / "answer_keys" / f"{NOTEBOOK}.json").read_bytes()
            for s in released["students"]}
    assert len(set(notebooks.values())) == 3 and len(set(keys.values())) == 3
    public = (ROOT / "exercises" / f"{NOTEBOOK}.ipynb").read_bytes()
    assert public not in notebooks.values()
    rows = list(csv.DictReader((released["first"] / "variants.csv").open(encoding="utf-8")))
    assert {(r["student"], int(r["variant"])) for r in rows} == {
        (s, version_of(s)) for s in released["students"]}
    assert 0 not in {int(r["variant"]) for r in rows}, "a student got the public version"


def test_release_leaves_the_public_exercises_solutions_and_keys_alone(released):
    assert released["public_unchanged"]


def answer_sources(nb) -> dict[str, str]:
    return {cell["id"]: cell.source.replace("# BEGIN SOLUTION\n", "").replace(
        "# END SOLUTION", "") for cell in nb.cells if ANSWER in tags(cell)}


def filled(exercise_path: Path, answers: dict[str, str]):
    nb = nbformat.read(exercise_path, as_version=4)
    for cell in nb.cells:
        if cell["id"] in answers:
            cell.source = answers[cell["id"]]
    return nb


def varied_checks(first: int, second: int) -> set[str]:
    """The check ids of the questions whose version differs between two notebook versions
    (a question with fewer versions than the notebook can give two students the same one)."""
    nb = solution()
    found = set()
    for _, answer, check in variants.question_blocks(nb):
        length = len(variants.declared_variants(nb.cells[answer]))
        if variants.entry_index(length, first) != variants.entry_index(length, second):
            found.add(course_meta(nb.cells[check])["check_id"])
    return found


VARIED = varied_checks(0, 1)  # every question with versions (no student has the default)


def test_released_notebook_self_checks_own_version_green_and_public_answers_red(released,
                                                                               monkeypatch):
    """Run in a kernel in the student's folder: the self-check finds the keys beside the
    notebook. Own answers: every check passes. Then the public solution's answers to the varied
    questions, checked again: each fails, most with the hint that it answers another version."""
    from nbclient import NotebookClient

    student = released["students"][0]
    folder = released["first"] / student
    own = answer_sources(variants.variant_notebook(solution(), version_of(student)))
    nb = filled(folder / f"{NOTEBOOK}.ipynb", own)
    public = answer_sources(solution())
    checks = [c for c in nb.cells if CHECK in tags(c)]
    for cell in [c for c in nb.cells if ANSWER in tags(c)]:
        check_cell = next((c for c in checks if nb.cells.index(c) > nb.cells.index(cell)), None)
        if check_cell is None:  # the set's open task: written, marked by the teacher
            continue
        if course_meta(check_cell)["check_id"] in VARIED:
            nb.cells.append(nbformat.v4.new_code_cell(public[cell["id"]]))
            nb.cells.append(nbformat.v4.new_code_cell(check_cell.source))
    monkeypatch.setenv(TEXT_ONLY_ENV, "1")  # the self-check's lines are what is read
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    lines = [line for cell in nb.cells if cell.cell_type == "code"
             for output in cell.get("outputs", []) if output.get("name") == "stdout"
             for line in output["text"].splitlines() if re.match(r"^[✅❌] \S+:", line)]
    own_lines, public_lines = lines[:len(checks)], lines[len(checks):]
    assert len(own_lines) == 7 and all(line.startswith("✅") for line in own_lines), own_lines
    assert len(public_lines) == len(VARIED)
    assert all(line.startswith("❌") for line in public_lines), public_lines
    # Where a version changes only the values in the answer, the public code gives the
    # default's answer, and the hint says so (a version with its own set-up cell, like the
    # speaker chart's data, makes the copied code give something else again).
    told = [line for line in public_lines if "another version of this question" in line]
    assert any(line.startswith("❌ 03-analysts:") for line in told), public_lines


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    """One class: A answers their own version; B hands in A's notebook (A's values, hard-coded
    for A's version); C the public solution's answers; D is not on the roster."""
    folder = tmp_path_factory.mktemp("graded")
    a, b, c = released["students"]
    sol = solution()
    own_a = answer_sources(variants.variant_notebook(sol, version_of(a)))
    submitted = {
        a: filled(released["first"] / a / f"{NOTEBOOK}.ipynb", own_a),
        b: filled(released["first"] / a / f"{NOTEBOOK}.ipynb", own_a),
        c: filled(released["first"] / c / f"{NOTEBOOK}.ipynb", answer_sources(sol)),
        "not_listed": filled(ROOT / "exercises" / f"{NOTEBOOK}.ipynb", answer_sources(sol)),
    }
    for student, nb in submitted.items():
        (folder / "submissions" / student).mkdir(parents=True)
        nbformat.write(nb, folder / "submissions" / student / f"{NOTEBOOK}.ipynb")
    results = grading.grade(folder / "submissions", folder / "out", workers=2,
                            cell_timeout=60, roster=released["roster"], class_name=CLASS)
    return {r["student"]: r for r in results}, (a, b, c)


def test_grading_gives_full_marks_for_ones_own_version(graded):
    results, (a, _, _) = graded
    checks = results[a]["checks"]
    assert results[a]["variant"] == version_of(a)
    assert all(c["passed"] for c in checks.values()), checks
    assert results[a]["statuses"] == []


def test_another_students_or_the_public_answers_earn_nothing_on_varied_questions(graded):
    results, (a, b, c) = graded
    # b hands in a's answers, c the public (default) ones
    for student, theirs in ((b, version_of(a)), (c, 0)):
        varied = varied_checks(theirs, version_of(student))
        checks = results[student]["checks"]
        assert {q for q, found in checks.items() if not found["passed"]} == varied, (
            student, {q: f["shown"] for q, f in checks.items()})
        assert all(checks[q]["awarded"] == 0 for q in varied)
        assert "another version of this question" in checks["03-analysts"]["shown"]


def test_a_student_missing_from_the_roster_is_graded_on_the_default_and_told(graded):
    results, _ = graded
    stranger = results["not_listed"]
    assert stranger["variant"] == 0
    assert all(c["passed"] for c in stranger["checks"].values())
    assert any("not in the roster of class test-class" in s for s in stranger["statuses"])


def test_without_a_roster_a_class_flag_alone_is_refused(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(grading.GradingSetupError, match="--class needs --roster"):
        grading.grade(tmp_path / "subs", tmp_path / "out", class_name=CLASS)


def test_variant_keys_hold_no_answers(released):
    """The released keys are hashes and hints, like the public ones: no answer value."""
    student = released["students"][0]
    text = (released["first"] / student / "answer_keys" / f"{NOTEBOOK}.json").read_text()
    data = json.loads(text)
    assert set(data["checks"]) >= VARIED
    for value in ("mark_rutte", "albin_kurti", "kosovo_government", "radio_free_europe"):
        assert value not in text


def test_student_ids_may_be_any_script_but_never_a_path():
    from balkan_course.grading.release import safe_name_problem

    for fine in ("ana_kovac", "ана_ковач", "blerim.gashi@school", "s-042"):
        assert safe_name_problem(fine) is None, fine
    for bad in ("../ana", "ana/kovac", ".ana", "_ana", "ana kovac", "ana\n", "a" * 101, ""):
        assert safe_name_problem(bad), bad
