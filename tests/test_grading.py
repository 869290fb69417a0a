"""The grader on one batch of fixture submissions: the honest, the cheats and the broken.

Every submission is built here from the committed solution and exercise of lesson 00, all are
graded in ONE run (2 workers, short time limits), and each row's points and status are checked.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import report as reports
from balkan_course.grading.build import ANSWER, CHECK, course_meta, tags

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "00_start_here"
SOLUTION = ROOT / "solutions" / f"{NOTEBOOK}.ipynb"
EXERCISE = ROOT / "exercises" / f"{NOTEBOOK}.ipynb"
CELL_TIMEOUT = 6
PARTS_NOTEBOOK = "07_narratives_and_forecasts"  # its exercise 10 gives a point per part


def solution():
    return nbformat.read(SOLUTION, as_version=4)


def exercise():
    return nbformat.read(EXERCISE, as_version=4)


def answers_from_solution() -> dict[str, str]:
    """The solution's answer cells as a student who got everything right would write them."""
    return {cell["id"]: cell.source.replace("# BEGIN SOLUTION\n", "").replace(
        "# END SOLUTION", "") for cell in solution().cells if ANSWER in tags(cell)}


def completed(changes: dict[str, str] | None = None):
    """The exercise with every answer filled in correctly, then `changes` applied by cell id."""
    nb = exercise()
    answers = {**answers_from_solution(), **(changes or {})}
    for cell in nb.cells:
        if cell["id"] in answers:
            cell.source = answers[cell["id"]]
    return nb


def fake_success_lines() -> str:
    return "\n".join(f"✅ {course_meta(c)['check_id']}: correct, well done! (receipt 0123456789)"
                     for c in solution().cells if CHECK in tags(c))


def submissions() -> dict[str, object]:
    """student -> a notebook (NotebookNode). The hostile and broken kinds that do not need the
    real course are in tests/hostile_submissions.py (test_grading_hostile.py)."""
    chart_id = "q6-answer"
    untouched = exercise()

    cheat_check = exercise()  # redefines check() to print success lines with made-up receipts
    cheat_check.cells[1].source += (
        "\n\ndef check(check_id, answer, **options):\n"
        "    print(f'✅ {check_id}: correct, well done! (receipt 0123456789)')\n")

    deleted_checks = completed()  # right answers, check cells deleted: the checks are restored
    deleted_checks.cells = [c for c in deleted_checks.cells if CHECK not in tags(c)]

    loops = completed({"q3-answer": "while True:\n    pass"})
    # In the last answer: the hoard stays referenced by the traceback, so later cells would
    # fail for want of memory too (as they would for a real student). numpy.empty reserves
    # without writing, so the limit is reached in a blink even on a busy machine.
    memory = completed({chart_id: (
        "import numpy\n\ndef grow():\n    hoard = []\n    while True:\n"
        "        hoard.append(numpy.empty(100 * 2**20, dtype='uint8'))\n\ngrow()")})
    prints = completed({"q1-answer": answers_from_solution()["q1-answer"]
                        + "\nprint('x' * 30_000_000)"})
    wrong_chart = completed({chart_id: "import altair as alt\n\nchart = alt.Chart(events)"
                                       ".mark_bar().encode(x='count():Q', y='country:N')"})
    return {
        "alice_complete": solution(),
        "bob_untouched": untouched,
        "carol_redefines_check": cheat_check,
        "erin_deletes_checks": deleted_checks,
        "judy_infinite_loop": loops,
        "mallory_memory_bomb": memory,
        "peggy_prints_megabytes": prints,
        "trent_wrong_chart": wrong_chart,
    }


def write_submissions(folder: Path) -> None:
    for student, notebook in submissions().items():
        (folder / student).mkdir(parents=True)
        path = folder / student / f"{NOTEBOOK}.ipynb"
        path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    # Alice hands in every solution: each must get every point, so the way answers travel out
    # of the kernel (tables, dates, charts, checklists) holds for the whole course.
    for path in SOLUTION.parent.glob("*.ipynb"):
        (folder / "alice_complete" / path.name).write_bytes(path.read_bytes())
    # Victor draws set 07's bars but not the legend highlight: one of the question's two parts.
    nb = nbformat.read(SOLUTION.parent / f"{PARTS_NOTEBOOK}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") == "q10-answer":
            cell.source = ('stance_chart = alt.Chart(claims).mark_bar().encode(\n'
                           '    x="count():Q", y="theme:N", color="stance:N").properties(\n'
                           '    description="Bars of the claims per theme, split by stance.")')
    (folder / "victor_bars_only").mkdir()
    nbformat.write(nb, folder / "victor_bars_only" / f"{PARTS_NOTEBOOK}.ipynb")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grading")
    write_submissions(folder / "submissions")
    results = grading.grade(folder / "submissions", folder / "out", workers=2,
                            cell_timeout=CELL_TIMEOUT, memory_mb=1500)
    rows = {row["student"]: row for row in csv.DictReader(
        (folder / "out" / "grades.csv").open(encoding="utf-8")) if row["notebook"] == NOTEBOOK}
    return folder, results, rows


POINTS = {"00-columns": 1, "00-kfor-strength": 2, "00-since-2023": 1, "00-per-theme": 2,
          "00-largest": 2, "00-chart": 2, "00-interactive-chart": 2}
FULL = sum(POINTS.values())


def points_of(row) -> dict[str, float]:
    return {check_id: float(row[check_id]) for check_id in POINTS}


def test_points_in_the_csv_match_the_solution_metadata():
    assert {course_meta(c)["check_id"]: course_meta(c)["points"] for c in solution().cells
            if CHECK in tags(c)} == POINTS


def test_complete_solution_gets_full_marks(batch):
    _, _, rows = batch
    assert float(rows["alice_complete"]["total"]) == FULL
    assert rows["alice_complete"]["percent"] == "100.0"
    assert rows["alice_complete"]["status"] == "ok"


def test_every_solution_of_the_course_gets_full_marks(batch):
    folder, results, _ = batch
    alice = [r for r in results if r["student"] == "alice_complete"]
    assert len(alice) == len(list(SOLUTION.parent.glob("*.ipynb")))
    # The primer's master is practice: handed in, it gets a row that says so, and no score.
    practice = [r for r in alice if r.get("refused")]
    assert [r["notebook"] for r in practice] == ["00a_python_primer.ipynb"]
    assert practice[0]["statuses"][0].startswith("practice, not graded: ")
    alice = [r for r in alice if not r.get("refused")]
    for result in alice:
        missed = {c: info["shown"] for c, info in result["checks"].items() if not info["passed"]}
        assert not missed and not result["statuses"], (result["notebook"], missed)


@pytest.mark.parametrize("student", ["bob_untouched", "carol_redefines_check"])
def test_untouched_and_cheating_submissions_get_nothing(batch, student):
    _, _, rows = batch
    assert float(rows[student]["total"]) == 0, rows[student]


def test_deleted_checks_are_restored_and_graded(batch):
    _, _, rows = batch
    row = rows["erin_deletes_checks"]
    assert float(row["total"]) == FULL
    assert "deleted cells restored" in row["status"] and "q1-check" in row["status"]


@pytest.mark.parametrize("student, status, lost", [
    ("judy_infinite_loop", "time limit hit in cell q3-answer", {"00-since-2023"}),
    ("mallory_memory_bomb", "memory limit hit in cell q6-answer", {"00-chart"}),
    ("peggy_prints_megabytes", "output cut in cell q1-answer", set()),
    ("trent_wrong_chart", "ok", {"00-chart"}),
])
def test_broken_submissions_lose_only_what_they_could_not_show(batch, student, status, lost):
    _, _, rows = batch
    row = rows[student]
    assert status in row["status"], row["status"]
    expected = {check_id: 0 if check_id in lost else points for check_id, points in POINTS.items()}
    assert points_of(row) == expected


def test_feedback_gives_the_students_hints(batch):
    folder, _, _ = batch
    feedback = (folder / "out" / "feedback" / "trent_wrong_chart.md").read_text()
    assert "✅ 00-columns" in feedback
    assert "❌ 00-chart: 0 of 2: not yet: add the encoding channel(s): tooltip" in feedback
    untouched = (folder / "out" / "feedback" / "bob_untouched.md").read_text()
    assert "not answered yet" in untouched and f"0 of {FULL} points" in untouched


def test_free_text_answers_are_gathered_per_question(batch):
    folder, _, _ = batch
    text = (folder / "out" / "free_text" / f"{NOTEBOOK}__00-why-differ.md").read_text()
    model = next(c.source for c in solution().cells if c["id"] == "q7-answer")
    assert "## Rubric" in text and "## Question" in text
    alice = text.split("### alice_complete")[1].split("###")[0]
    assert model.splitlines()[0] in alice
    bob = text.split("### bob_untouched")[1].split("###")[0]
    assert reports.NO_ANSWER in bob


def test_class_summary(batch):
    folder, results, _ = batch
    with (folder / "out" / "class_summary.csv").open(encoding="utf-8") as handle:
        summary = {row["check_id"]: row for row in csv.DictReader(handle)
                   if row["notebook"] == NOTEBOOK}
    assert set(summary) == set(POINTS)
    mine = [r for r in results if r["notebook"] == NOTEBOOK]
    passed = sum(1 for r in mine if r["checks"]["00-columns"]["passed"])
    assert int(summary["00-columns"]["passed"]) == passed
    assert int(summary["00-columns"]["submissions"]) == len(mine) == len(submissions())
    assert (folder / "out" / "class_summary.png").read_bytes()[:4] == b"\x89PNG"


def test_a_rerun_keeps_finished_grades_and_finishes_the_rest(batch):
    folder, _, rows = batch
    results = folder / "out" / "results"
    kept = results / "alice_complete" / f"{NOTEBOOK}.json"
    lost = results / "bob_untouched" / f"{NOTEBOOK}.json"
    kept_before = kept.stat().st_mtime_ns
    lost.unlink()  # as if the run had stopped before bob's notebook finished
    report = grading.collect_results(results, grading.find_submissions(
        folder / "submissions", {NOTEBOOK: None}))
    assert any("not graded" in reports.status_of(r) for r in report)
    again = folder / "submissions_again"
    shutil.copytree(folder / "submissions", again)
    only = {"alice_complete", "bob_untouched"}
    for student in os.listdir(again):
        if student not in only:
            shutil.rmtree(again / student)
    grading.grade(again, folder / "out", workers=1, cell_timeout=CELL_TIMEOUT)
    assert kept.stat().st_mtime_ns == kept_before, "a finished grade was graded again"
    assert json.loads(lost.read_text())["checks"]["00-columns"]["passed"] is False


SNOOP = '''import glob, pathlib
found = []
for pattern in ("*.ipynb", "/tmp/*/*/*.ipynb", "{solutions}/*.ipynb"):
    for path in glob.glob(pattern):
        try:
            found.append(pathlib.Path(path).read_text())
        except OSError:
            pass
receipts = [line for text in found for line in text.split('"') if "(receipt " in line]
def check(check_id, answer, **options):
    print(next((r.replace("\\\\n", "") for r in receipts if check_id in r), "nothing found"))
figures = ...'''


@pytest.mark.skipif(os.geteuid() != 0, reason="kernels under their own uid need root")
def test_kernels_under_their_own_uid_cannot_read_the_receipts(tmp_path):
    """--kernel-uid-base: a student's code cannot read the instructor's notebooks."""
    solutions = tmp_path / "private" / "solutions"  # pytest's tmp is 0700 root
    shutil.copytree(SOLUTION.parent, solutions)
    folder = tmp_path / "submissions"
    for student, notebook in {"honest": solution(),
                              "snoop": completed({"q1-answer": SNOOP.format(
                                  solutions=solutions)})}.items():
        (folder / student).mkdir(parents=True)
        (folder / student / f"{NOTEBOOK}.ipynb").write_text(json.dumps(notebook))
    try:
        grading.check_kernel_user_can_start(100_000)
    except grading.GradingSetupError as refused:
        # Python itself is not usable by other users here (e.g. installed under /root):
        # the grader must say so instead of giving everyone zero.
        with pytest.raises(grading.GradingSetupError, match="cannot run as uid"):
            grading.grade(folder, tmp_path / "out", solutions, uid_base=100_000)
        pytest.skip(f"cannot run kernels as another user here: {refused}")
    results = {r["student"]: r for r in grading.grade(
        folder, tmp_path / "out", solutions, workers=1, cell_timeout=30, uid_base=100_000)}
    assert sum(c["awarded"] for c in results["honest"]["checks"].values()) == FULL
    snoop = results["snoop"]["checks"]
    assert sum(c["awarded"] for c in snoop.values()) == 0
    assert "nothing found" in snoop["00-columns"]["shown"]


def test_a_question_in_parts_gives_the_points_of_the_parts_that_pass(batch):
    """Set 07's exercise 10 (07-stance-chart, 2 points): the bars earn their point even
    without the legend highlight; the feedback names the part that is missing."""
    folder, results, _ = batch
    question = {r["student"]: r["checks"]["07-stance-chart"] for r in results
                if r["notebook"] == PARTS_NOTEBOOK}
    assert question["victor_bars_only"]["awarded"] == 1
    assert question["victor_bars_only"]["parts"]["07-stance-bars"]["passed"]
    assert not question["victor_bars_only"]["parts"]["07-legend-selection"]["passed"]
    assert question["alice_complete"]["awarded"] == 2
    feedback = (folder / "out" / "feedback" / "victor_bars_only.md").read_text(encoding="utf-8")
    assert "❌ 07-stance-chart: 1 of 2" in feedback
    assert "❌ 07-legend-selection (1 point)" in feedback and "✅ 07-stance-bars" in feedback


class _Pool:
    """Hands out fake kernel managers; records which were stopped."""

    def __init__(self):
        self.given, self.stopped, self.limits = [], [], None

    def take(self):
        self.given.append(f"manager {len(self.given) + 1}")
        return self.given[-1]


def test_a_kernel_that_dies_while_starting_is_replaced(monkeypatch):
    """Before any student code runs, a dead kernel is the machine's doing (a port taken on a
    loaded machine): the honest student gets the next kernel, not zero points."""
    from balkan_course.grading import runner

    pool, deaths = _Pool(), ["manager 1", "manager 2"]

    def kernel(manager, limits):
        if manager in deaths:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return f"kernel of {manager}"

    monkeypatch.setattr(runner, "Kernel", kernel)
    monkeypatch.setattr(runner, "stop_kernel", pool.stopped.append)
    assert runner.started_kernel(pool) == "kernel of manager 3"
    assert pool.stopped == ["manager 1", "manager 2"]
    pool, deaths[:] = _Pool(), ["manager 1", "manager 2", "manager 3"]
    monkeypatch.setattr(runner, "stop_kernel", pool.stopped.append)
    with pytest.raises(RuntimeError, match="died"):
        runner.started_kernel(pool)
    assert pool.stopped == ["manager 1", "manager 2", "manager 3"]
