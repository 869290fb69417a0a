"""Collect students' notebooks from their home folders on a JupyterHub into the grader's layout.

    python -m balkan_course.grading.collect --homes /home \
        --notebooks "notebooks/exercises/00_*.ipynb" --into submissions

Every folder in --homes is one student's home (its name is the student's id). Each --notebooks
pattern is a glob relative to a home: with nbgitpuller the course is cloned into a folder named
after the repository (`notebooks/`), so exercise set 00 is
`notebooks/exercises/00_start_here.ipynb`.
Each matching file is copied to SUBMISSIONS/<student>/<file name>, the layout `make grade` reads.

One report line per student and pattern: copied, unchanged, missing (nothing matched), unreadable,
refused (a symbolic link, not a regular file, larger than the grader reads), or kept (a different
file with that name is already in SUBMISSIONS: it is never overwritten without --overwrite). A
problem with one student is reported and the others are collected; nothing here is fatal but a
missing --homes folder. A file that is not valid notebook JSON is copied all the same, and said:
the grader then gives it a row saying why it cannot be graded.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 20 * 2**20  # what the grader reads at most (grade.MAX_SUBMISSION_BYTES)
SKIPPED = (".ipynb_checkpoints",)  # Jupyter's autosave copies, never a submission


@dataclass
class Line:
    student: str
    outcome: str  # copied, replaced, unchanged, kept, missing, unreadable, refused
    file: str
    note: str = ""

    def __str__(self) -> str:
        return f"{self.student}: {self.outcome} {self.file}" + (f" ({self.note})" if self.note
                                                                 else "")


def read_capped(path: Path) -> bytes:
    """The file's bytes, never following a link, never blocking on a device; OSError with a
    reason otherwise."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError("not a regular file")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    finally:
        os.close(handle)
    if len(data) > MAX_BYTES:
        raise OSError("larger than the 20 MB the grader reads")
    return data


def notebook_problem(data: bytes) -> str:
    """Why these bytes are not a notebook the grader can read ("" when they are)."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not valid notebook JSON: the grader will give it a row saying so"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "no list of cells: the grader will give it a row saying so"
    return ""


def matches(home: Path, pattern: str) -> list[Path]:
    """Files under home matching pattern, never inside a checkpoint folder."""
    found = []
    for path in sorted(home.glob(pattern)):
        relative = path.relative_to(home)
        if any(part in SKIPPED for part in relative.parts):
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        found.append(path)
    return found


def collect_student(home: Path, patterns: list[str], into: Path, overwrite: bool) -> list[Line]:
    student = home.name
    lines: list[Line] = []
    taken: dict[str, Path] = {}  # file name -> the file of this home copied under it
    for pattern in patterns:
        try:
            found = matches(home, pattern)
        except OSError as problem:  # an unreadable home or sub-folder
            lines.append(Line(student, "unreadable", pattern, problem.strerror or str(problem)))
            continue
        if not found:
            lines.append(Line(student, "missing", pattern, "no file matches in the home folder"))
            continue
        for path in found:
            shown = path.relative_to(home).as_posix()
            if path.name in taken:
                lines.append(Line(student, "refused", shown, f"another file named {path.name} "
                                  f"was collected first ({taken[path.name].relative_to(home)})"))
                continue
            if path.is_symlink():
                lines.append(Line(student, "refused", shown, "a symbolic link, not a notebook"))
                continue
            try:
                data = read_capped(path)
            except OSError as problem:
                outcome = "refused" if problem.errno is None else "unreadable"
                lines.append(Line(student, outcome, shown, problem.strerror or str(problem)))
                continue
            taken[path.name] = path
            lines.append(store(student, shown, data, into / student / path.name, overwrite))
    return lines


def store(student: str, shown: str, data: bytes, target: Path, overwrite: bool) -> Line:
    """Write data to target unless a different file is there already (kept, unless overwrite)."""
    note = notebook_problem(data)
    outcome = "copied"
    if target.is_symlink() or (target.exists() and not target.is_file()):
        return Line(student, "kept", shown, f"{target} is not a regular file; left alone")
    if target.exists():
        if target.read_bytes() == data:
            return Line(student, "unchanged", shown, note)
        if not overwrite:
            return Line(student, "kept", shown, f"{target} differs and was kept; "
                        "--overwrite replaces it")
        outcome = "replaced"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.collecting")
    partial.write_bytes(data)
    os.replace(partial, target)  # a grader reading meanwhile never sees half a file
    return Line(student, outcome, shown, note)


def collect(homes: Path, patterns: list[str], into: Path, overwrite: bool = False) -> list[Line]:
    """Every student's lines, in the order of their home folders' names."""
    lines = []
    for entry in sorted(os.scandir(homes), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in SKIPPED:
            continue
        home = Path(entry.path)
        if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            lines.append(Line(entry.name, "refused", ".", "not a home folder (a link or a file)"))
            continue
        lines += collect_student(home, patterns, into, overwrite)
    return lines


def check_pattern(pattern: str) -> str:
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise argparse.ArgumentTypeError(f"{pattern!r}: give a pattern inside the home folder "
                                         "(no leading / and no ..)")
    return pattern


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Copy students' notebooks from their hub home folders into "
                    "SUBMISSIONS/<student>/, with a report per student.")
    parser.add_argument("--homes", type=Path, required=True,
                        help="the folder holding one home folder per student (e.g. /home, or "
                             "the hub's home_dir_template's parent)")
    parser.add_argument("--notebooks", type=check_pattern, nargs="+", required=True,
                        metavar="PATTERN",
                        help="glob(s) relative to each home, e.g. "
                             "'notebooks/exercises/00_*.ipynb' (quote it)")
    parser.add_argument("--into", type=Path, required=True,
                        help="the submissions folder `make grade` reads")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a different file already collected (default: keep it)")
    args = parser.parse_args(argv)
    if not args.homes.is_dir():
        print(f"cannot collect: {args.homes} is not a folder", file=sys.stderr)
        return 2
    lines = collect(args.homes, args.notebooks, args.into, args.overwrite)
    for line in lines:
        print(line)
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.outcome] = counts.get(line.outcome, 0) + 1
    students = len({line.student for line in lines})
    print(f"{students} student(s): " + (", ".join(f"{n} {outcome}" for outcome, n in
                                                  sorted(counts.items())) or "nothing found"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
