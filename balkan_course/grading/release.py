"""One exercise folder per student, each with the student's own variant of the questions.

    python -m balkan_course.grading.release --class NAME --roster roster.csv [--out releases]
    (what `make release CLASS=NAME ROSTER=roster.csv` runs)

For every student of the roster (the column `student`, as gradebook.py and lms_import.py read
it: the student's folder name under submissions/) it writes

    releases/NAME/<student>/NN_name.ipynb         the exercises, in the student's variant
    releases/NAME/<student>/answer_keys/NN_name.json   that variant's self-check keys
    releases/NAME/variants.csv                    who has which variant of which notebook
    releases/NAME/written_versions.csv            which version of each written question
    releases/NAME/lms/<student>.zip               the student's folder, one zip to upload

The self-check reads answer_keys/ beside the notebooks (the kernel runs in their folder), so the
folder works as it is on a JupyterHub or in an LMS upload. The variants and how the grader uses
the roster are explained in versions.py and docs/grading.md. Nothing is written when the roster
is bad (the error names file, row and column); the class folder is replaced whole or not at all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from balkan_course.grading.build import AuthoringError, exercise_text, validate_solution
from balkan_course.grading.cells import is_practice
from balkan_course.grading.instructor import GradingSetupError
from balkan_course.grading.keys import KEYS_DIR, RELEASED_KEYS
from balkan_course.grading.progress import Progress
from balkan_course.grading.safe_csv import TableFileError, read_table
from balkan_course.grading.variants import (
    CACHE_DIR,
    ROOT,
    notebook_variant_keys,
    public_key_file,
    student_variant,
    variant_count,
    written_blocks,
    written_version,
)

# A folder name on every system: letters (of any script, as lms_import.py writes them),
# digits and . _ @ + -, starting with a letter or digit.
SAFE_NAME = re.compile(r"[^\W_][\w.@+-]{0,99}")
STUDENT_README = """# Your exercises ({class_name})

These are your own copies of the course's exercise notebooks: some questions ask about another
mission, article, year, place or actor than your classmates' (or the public exercises').
Answer the questions as they are written in YOUR notebooks.

Keep the folder `answer_keys/` next to the notebooks: the self-check cells read your keys from
it. They hold no answers, only fingerprints of them.
"""


class RosterError(ValueError):
    """The roster cannot be used; the message names file, row and column."""


def safe_name_problem(name: str) -> str | None:
    if not name:
        return "empty"
    if not SAFE_NAME.fullmatch(name) or name in (".", ".."):
        return (f"{name!r} cannot be a folder name (use letters, digits and . _ @ + - only, "
                "starting with a letter or digit, at most 100 characters)")
    return None


def load_class_roster(path: Path) -> list[str]:
    """The student ids of a roster, in its order; every problem found, with file, row and
    column."""
    try:
        rows = read_table(Path(path), required=("student",))
    except TableFileError as problem:
        raise RosterError(str(problem)) from problem
    students, problems, seen = [], [], {}
    for line, row in rows:
        student = row.get("student", "").strip()
        problem = safe_name_problem(student)
        if problem:
            problems.append(f"{path}, row {line}, column student: {problem}")
        elif student.casefold() in seen:
            problems.append(f"{path}, row {line}, column student: {student} appears twice "
                            f"(also row {seen[student.casefold()]})")
        else:
            seen[student.casefold()] = line
            students.append(student)
    if problems:
        raise RosterError("\n".join(problems))
    if not students:
        raise RosterError(f"{path}: no students (one row per student, column student)")
    return students


def class_variants(class_name: str, students: list[str],
                   solutions: dict[str, nbformat.NotebookNode]) -> dict[str, dict[str, int]]:
    """student -> notebook -> variant."""
    counts = {stem: variant_count(nb) for stem, nb in solutions.items()}
    return {student: {stem: student_variant(class_name, student, stem, count)
                      for stem, count in counts.items()} for student in students}


def load_solutions(solutions_dir: Path, only: list[str] | None = None) -> dict:
    solutions = {}
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        if only and path.stem not in only:
            continue
        nb = nbformat.read(path, as_version=4)
        if is_practice(nb):
            # Practice (the primer) is never graded, so versions would protect nothing: it is
            # not released; students read it as a lesson, in notebooks/.
            continue
        validate_solution(nb, path.name)
        solutions[path.stem] = nb
    if not solutions:
        raise RosterError(f"no solution notebooks in {solutions_dir}"
                          + (f" named {', '.join(only)}" if only else ""))
    return solutions


def release(class_name: str, roster_path: Path, out_dir: Path = ROOT / "releases",
            solutions_dir: Path = ROOT / "solutions", keys_dir: Path = KEYS_DIR,
            cache_dir: Path = CACHE_DIR, only: list[str] | None = None) -> Path:
    """Write out_dir/class_name/<student>/... for every student of the roster."""
    problem = safe_name_problem(class_name)
    if problem:
        raise RosterError(f"class name: {problem}")
    students = load_class_roster(roster_path)
    solutions = load_solutions(solutions_dir, only)
    assigned = class_variants(class_name, students, solutions)
    # Cold (no cached keys), recording every version's keys runs each solution again: minutes.
    keys = {}
    with Progress("release: keys of every version", total=len(solutions)) as progress:
        for stem in solutions:
            progress.start(stem)
            keys[stem] = notebook_variant_keys(Path(solutions_dir) / f"{stem}.ipynb",
                                               public_key_file(stem, keys_dir), cache_dir)
            progress.done(stem)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / class_name
    partial = Path(tempfile.mkdtemp(prefix=f".{class_name}.partial-", dir=out_dir))
    try:
        texts: dict[tuple[str, int], str] = {}
        with Progress("release: student folders", total=len(students)) as writing:
            for student in students:
                writing.start(student)
                folder = partial / student
                (folder / RELEASED_KEYS).mkdir(parents=True)
                (folder / "README.md").write_text(STUDENT_README.format(class_name=class_name),
                                                  encoding="utf-8")
                for stem, nb in solutions.items():
                    variant = assigned[student][stem]
                    if (stem, variant) not in texts:
                        texts[stem, variant] = exercise_text(nb, variant)
                    (folder / f"{stem}.ipynb").write_text(texts[stem, variant], encoding="utf-8")
                    key_file = keys[stem].get(variant) or public_key_file(stem, keys_dir)
                    (folder / RELEASED_KEYS / f"{stem}.json").write_text(
                        json.dumps(key_file, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
                writing.done(student)
        with (partial / "variants.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", "notebook", "variant"])
            for student in students:
                for stem in solutions:
                    writer.writerow([student, stem, assigned[student][stem]])
        write_written_versions(partial / WRITTEN_VERSIONS, students, solutions, assigned)
        write_student_zips(partial, students)
        if target.exists():
            old = out_dir / f".{class_name}.old-{os.getpid()}"
            target.rename(old)
            partial.rename(target)
            shutil.rmtree(old)
        else:
            partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


WRITTEN_VERSIONS = "written_versions.csv"
LMS_FOLDER = "lms"
# A fixed time in every zip entry: the same release writes the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def write_written_versions(path: Path, students: list[str], solutions: dict,
                           assigned: dict[str, dict[str, int]]) -> None:
    """One row per student and written question with versions: the notebook's variant, the
    question's version (its entry in balkan_course.variants) and that version's values."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "check_id", "variant", "version", "parameters"])
        for student in students:
            for stem, nb in solutions.items():
                variant = assigned[student][stem]
                for _, answer in written_blocks(nb):
                    version, values = written_version(nb, answer, variant)
                    writer.writerow([student, stem, nb.cells[answer]["metadata"][
                        "balkan_course"]["check_id"], variant, version,
                        json.dumps(values, ensure_ascii=False, sort_keys=True)])


def write_student_zips(class_folder: Path, students: list[str]) -> None:
    """lms/<student>.zip: the student's folder as one file (<student>/ inside it), to upload
    to the student alone in an LMS (docs/gradebook.md, "Handing out a release")."""
    import zipfile

    (class_folder / LMS_FOLDER).mkdir()
    for student in students:
        folder = class_folder / student
        with zipfile.ZipFile(class_folder / LMS_FOLDER / f"{student}.zip", "w",
                             zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"{student}/{path.relative_to(folder).as_posix()}",
                                       ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, path.read_bytes())


# ---------------------------------------------------------------- grading with the roster


@dataclass
class ClassVariants:
    """With a roster (--roster, --class): each student is graded against their own variant
    of each notebook (variants.py), rebuilt from the solutions, with that variant's keys."""
    class_name: str
    students: set[str]
    solutions_dir: Path
    keys: dict[str, dict[int, dict]] = field(default_factory=dict)

    def variant_of(self, submission, instructor) -> int:
        """The version a submission (submissions.Submission) is graded against."""
        if submission.student not in self.students:
            submission.statuses.append(f"not in the roster of class {self.class_name}: graded "
                                       "against the default variant")
            return 0
        return student_variant(self.class_name, submission.student, submission.notebook,
                               variant_count(instructor))

    def keys_of(self, notebook: str, variant: int) -> dict:
        if notebook not in self.keys:
            self.keys[notebook] = notebook_variant_keys(
                self.solutions_dir / f"{notebook}.ipynb", public_key_file(notebook))
        data = self.keys[notebook][variant]
        return {check_id: {**key, "notebook": notebook}
                for check_id, key in data["checks"].items()}


def load_class_variants(roster: Path | None, class_name: str | None,
                        solutions_dir: Path) -> ClassVariants | None:
    from balkan_course.grading.release import RosterError, load_class_roster

    if roster is None:
        if class_name:
            raise GradingSetupError("--class needs --roster (who is in the class)")
        return None
    if not class_name:
        raise GradingSetupError("--roster needs --class: the class name the exercises were "
                                "released under (make release CLASS=...)")
    try:
        return ClassVariants(class_name, set(load_class_roster(roster)), solutions_dir)
    except RosterError as problem:
        raise GradingSetupError(str(problem)) from problem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--class", dest="class_name", required=True,
                        help="the class's name (also part of every student's variant)")
    parser.add_argument("--roster", type=Path, required=True, help="roster.csv, column student")
    parser.add_argument("--out", type=Path, default=ROOT / "releases")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--notebooks", default="",
                        help="only these notebooks, comma-separated stems (default: all)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    only = [n.strip() for n in args.notebooks.split(",") if n.strip()] or None
    try:
        target = release(args.class_name, args.roster, args.out, args.solutions, only=only)
    except (RosterError, AuthoringError) as problem:
        print(f"nothing released:\n{problem}", file=sys.stderr)
        return 2
    print(f"released {len(list(target.glob('*/README.md')))} student folder(s) in {target} "
          f"in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
