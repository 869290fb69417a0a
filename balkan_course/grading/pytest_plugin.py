"""Grading as test runs: `pytest --grade SUBMISSIONS [--grade-out DIR]`.

One test item per student, notebook and auto-graded check, judged by the same out-of-kernel
grader as `make grade` (grade.grade, called once per session, sandboxed when the machine allows):
an item passes when its check earned full points and fails with the grader's own feedback line
otherwise; a file the grader refuses or cannot run gives a failing item with the grader's status.
Each item records `points`, `max_points` and `status` as properties (`--junitxml` carries them).
`-k alice` grades only alice: the items are selected first, then only the students left are
graded. The grader's reports (grades.csv, feedback...) are written to --grade-out as usual.

Loaded by its `pytest11` entry point once the course is installed (`pip install -e .`), or
explicitly: `pytest -p balkan_course.grading.pytest_plugin --grade submissions`. The
course's pyproject.toml names it with -p, so that it loads before the other plugins
(its package spares every pytest process a slow import: grading/__init__.py). Without
--grade it does nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

ITEMS_KEY = "balkan_course_grading"
PRACTICE = "practice, not graded"  # a handed-in primer's status (submissions.find_submissions)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade", "grade a class as test runs (balkan_course)")
    group.addoption("--grade", metavar="SUBMISSIONS", type=Path, default=None,
                    help="grade SUBMISSIONS/<student>/NN_name.ipynb: one test per student and "
                         "check (instead of collecting tests)")
    group.addoption("--grade-out", metavar="DIR", type=Path, default=Path("grading_output"),
                    help="where the grader writes its reports (default grading_output); "
                         "after -k they cover the chosen students only")
    group.addoption("--grade-solutions", metavar="DIR", type=Path, default=None,
                    help="the solution notebooks to grade against (default: the course's)")
    group.addoption("--grade-workers", metavar="N", type=int, default=2,
                    help="grading workers (kernels at once; default 2)")
    group.addoption("--grade-isolation", choices=("auto", "on", "off"), default="auto",
                    help="the grader's sandbox, as `make grade` (default auto)")
    group.addoption("--grade-roster", type=Path, default=None,
                    help="roster.csv of a class released with per-student variants")
    group.addoption("--grade-class", default=None, help="that class's name (with the roster)")


class CheckFailed(Exception):
    """A check that did not earn full points: the grader's message, shown without traceback."""


class GradeRun:
    """The session's one grading run, made when the first item runs, for the students whose
    items are still selected (after -k and -m)."""

    def __init__(self, config: pytest.Config, submissions: Path, solutions: Path,
                 instructors: dict, students: set[str]):
        self.config = config
        self.students = students  # every student collected
        self.submissions = submissions
        self.solutions = solutions
        self.instructors = instructors
        self._results: dict[tuple[str, str], dict] | None = None

    def results(self, session: pytest.Session) -> dict[tuple[str, str], dict]:
        if self._results is None:
            self._results = self._grade({item.student for item in session.items
                                         if isinstance(item, CheckItem)})
        return self._results

    def _grade(self, students: set[str]) -> dict[tuple[str, str], dict]:
        from balkan_course.grading.grade import grade

        option = self.config.getoption
        source, scratch = self.submissions, None
        if students != self.students:  # -k chose some students: grade only theirs, from a copy
            scratch = Path(tempfile.mkdtemp(prefix="balkan-grade-selected-"))
            source = scratch / self.submissions.name
            source.mkdir()
            for student in sorted(students):
                original = self.submissions / student
                if original.is_symlink() or not original.is_dir():
                    continue  # the grader's refusal is the item's own (see StudentCollector)
                shutil.copytree(original, source / student, symlinks=True)
        try:
            results = grade(source, option("--grade-out"), solutions_dir=self.solutions,
                            workers=option("--grade-workers"),
                            isolation=option("--grade-isolation"),
                            roster=option("--grade-roster"), class_name=option("--grade-class"))
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        return {(r["student"], r["notebook"]): r for r in results}


class CheckItem(pytest.Item):
    """One auto-graded check of one student's notebook."""

    def __init__(self, *, student: str, notebook: str, check_id: str | None, points: float,
                 refusal: str = "", **kwargs):
        super().__init__(**kwargs)
        self.student, self.notebook, self.check_id = student, notebook, check_id
        self.points, self.refusal = points, refusal

    def runtest(self) -> None:
        from balkan_course.grading.report import _check_feedback, status_of

        if self.refusal:  # a file the grader does not grade at all (its row says why)
            self.user_properties += [("points", 0), ("max_points", 0),
                                     ("status", self.refusal)]
            if self.refusal.startswith(PRACTICE):  # the primer: skipped, not failed
                pytest.skip(f"{self.notebook}: {self.refusal}")
            raise CheckFailed(f"{self.notebook}: {self.refusal}")
        run: GradeRun = self.config.stash[RUN]
        result = run.results(self.session).get((self.student, self.notebook))
        if result is None:
            raise CheckFailed(f"{self.notebook}: the grader gave no result for this notebook")
        got = result["checks"].get(self.check_id, {})
        awarded = got.get("awarded", 0)
        status = status_of(result)
        self.user_properties += [("points", awarded), ("max_points", self.points),
                                 ("status", status)]
        if got.get("passed") and awarded == self.points:
            return
        (line, *more) = _check_feedback(self.check_id, {"points": self.points}, got)
        message = "\n".join([line.lstrip("- "), *[m.strip() for m in more]])
        if status != "ok":
            message += f"\n(the notebook's status: {status})"
        raise CheckFailed(message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        where = self.config.getoption("--grade") / self.student / f"{self.notebook}.ipynb"
        return where, None, f"{self.student} {self.notebook} {self.check_id or ''}".strip()


class StudentCollector(pytest.Collector):
    """A student's folder: their checks, one item each (its name is the student's id, so
    `-k alice` selects alice's items)."""

    def __init__(self, *, submissions: list, instructors: dict, **kwargs):
        super().__init__(**kwargs)
        self.submissions, self.instructors = submissions, instructors

    def collect(self):
        from balkan_course.grading.report import checks_of

        for submission in self.submissions:
            if submission.refused or submission.notebook not in self.instructors:
                yield CheckItem.from_parent(
                    self, name=submission.notebook, student=submission.student,
                    notebook=submission.notebook, check_id=None, points=0,
                    refusal=submission.refused or "not graded")
                continue
            for check_id, info in checks_of(self.instructors[submission.notebook]).items():
                yield CheckItem.from_parent(
                    self, name=f"{submission.notebook}::{check_id}",
                    student=submission.student, notebook=submission.notebook,
                    check_id=check_id, points=info["points"])


RUN = pytest.StashKey[GradeRun]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session):
    """With --grade, the items are the class's checks, not the test files."""
    config = session.config
    submissions = config.getoption("--grade")
    if submissions is None:
        return None
    from balkan_course.grading.grade import (
        SOLUTIONS_DIR,
        find_submissions,
        load_instructor_notebooks,
        practice_notebooks,
    )

    if not submissions.is_dir():
        raise pytest.UsageError(f"--grade {submissions}: not a folder")
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("--grade runs its own grading workers (--grade-workers): "
                                "drop -n")
    solutions = config.getoption("--grade-solutions") or SOLUTIONS_DIR
    instructors = load_instructor_notebooks(solutions)
    by_student: dict[str, list] = {}
    for submission in find_submissions(submissions, instructors,
                                       practice_notebooks(solutions)):
        by_student.setdefault(submission.student, []).append(submission)
    config.stash[RUN] = GradeRun(config, submissions, solutions, instructors, set(by_student))
    session.ihook.pytest_collectstart(collector=session)
    items = []
    for student, found in sorted(by_student.items()):
        collector = StudentCollector.from_parent(session, name=student, nodeid=student,
                                                 submissions=found, instructors=instructors)
        items += collector.collect()
    session.items = items
    config.hook.pytest_collection_modifyitems(session=session, config=config, items=items)
    config.hook.pytest_collection_finish(session=session)
    session.testscollected = len(items)
    return True
