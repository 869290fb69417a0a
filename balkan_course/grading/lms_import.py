"""Import submissions from an LMS bulk download into the grader's layout.

    python -m balkan_course.grading.lms_import canvas   submissions.zip --into submissions
    python -m balkan_course.grading.lms_import moodle   Course-Assignment.zip --into submissions
    python -m balkan_course.grading.lms_import classroom "Lesson 00.zip" --into submissions \\
        [--notebook 00_start_here] [--roster roster.csv]

The archive (a .zip, or the folder it was unpacked into) becomes
SUBMISSIONS/<student>/NN_name.ipynb.
Every entry of the archive gets one row in SUBMISSIONS/import_report.csv (appended, so the
report of each import is kept): imported, renamed (a file whose name was not NN_name.ipynb),
unchanged (already there, same bytes), replaced (an earlier import was different; the earlier
file is kept under SUBMISSIONS/.replaced/), duplicate (a student's older copy of the same
notebook) or rejected, with the reason. SUBMISSIONS/students.csv records who each folder is in
the LMS (its columns are those of the roster gradebook.py reads, so it is a first draft of it).

File-name conventions read (sources and assumptions in docs/gradebook.md):
- Canvas "Download Submissions": one flat zip, `name_userid_submissionid_original.ext`, with
  `name_LATE_userid_...` for a late submission; a resubmitted file may get `-1`, `-2` before
  its extension;
- Moodle "Download all submissions": a folder per student, `Full Name_participantid_
  assignsubmission_file_/original.ext`, or (without "download submissions in folders") flat
  files `Full Name_participantid_assignsubmission_file_original.ext`; `_onlinetext_` entries
  are online text, not files;
- Google Classroom (the assignment's Drive folder, downloaded as a zip): files `Full Name -
  original.ext` when Classroom made a copy for each student, else the student's own file
  name; Drive adds ` (1)`, ` (2)` to duplicates. A file that names no student cannot be
  attributed (Drive keeps the owner, not the zip) and is rejected with that reason.

Safety: entries that are symbolic links, absolute paths, or climb out of the archive (`..`)
are rejected without being read; so are files over 20 MB. Student folder names are made from
names (letters and digits only), never from paths in the archive.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from balkan_course.grading import safe_csv
from balkan_course.grading.progress import Progress

MAX_NOTEBOOK_BYTES = 20 * 2**20  # as the grader's own limit
REPORT_NAME = "import_report.csv"
STUDENTS_NAME = "students.csv"
REPORT_COLUMNS = ("archive", "entry", "outcome", "student", "notebook", "late", "reason")
STUDENT_COLUMNS = ("student", "name", "email", "lms_user_id", "sis_user_id", "sis_login_id",
                   "section", "id_number", "lms")
LMS_CHOICES = ("canvas", "moodle", "classroom")
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}

CANVAS_NAME = re.compile(
    r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<original>.+)$")
CANVAS_ANONYMOUS = re.compile(r"^anon_?(?P<user_id>\w+?)_(?P<submission_id>\d+)_(?P<original>.+)$")
MOODLE_PART = re.compile(
    r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<rest>.*)$")
CLASSROOM_NAME = re.compile(r"^(?P<name>[^\d_\-][^_]*?) - (?P<original>.+)$")
COPY_SUFFIX = re.compile(r"^(?P<stem>.*?)(?: ?\((?P<copy>\d+)\)|-(?P<dash>\d+))$")


class ImportError_(ValueError):
    """The archive or the roster cannot be used at all (the message says why)."""


# ---------------------------------------------------------------- reading an archive safely


@dataclass
class Entry:
    path: str                      # as stored in the archive, "/"-separated
    mtime: float                   # seconds since the epoch (zip: its local time, as written)
    kind: str                      # file, dir, symlink or unsafe
    size: int
    read: Callable[[], bytes] | None = None


def _unsafe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return path.startswith("/") or bool(re.match(r"^[A-Za-z]:", path)) or ".." in parts


def zip_entries(archive: Path) -> Iterator[Entry]:
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            name = info.filename.replace("\\", "/")
            mode = info.external_attr >> 16
            mtime = time.mktime((*info.date_time, 0, 0, -1))
            if _unsafe(name):
                yield Entry(name, mtime, "unsafe", info.file_size)
            elif stat.S_ISLNK(mode):
                yield Entry(name, mtime, "symlink", info.file_size)
            elif info.is_dir():
                yield Entry(name, mtime, "dir", 0)
            else:
                def read(info=info):
                    with bundle.open(info) as handle:  # never trust the declared size
                        return handle.read(MAX_NOTEBOOK_BYTES + 1)
                yield Entry(name, mtime, "file", info.file_size, read)


def folder_entries(root: Path) -> Iterator[Entry]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield Entry(relative, info.st_mtime, "symlink", 0)
                if name in dirs:
                    dirs.remove(name)
            elif stat.S_ISDIR(info.st_mode):
                continue
            elif stat.S_ISREG(info.st_mode):
                def read(path=path):
                    with path.open("rb") as handle:
                        return handle.read(MAX_NOTEBOOK_BYTES + 1)
                yield Entry(relative, info.st_mtime, "file", info.st_size, read)
        dirs.sort()


def count_entries(archive: Path) -> int:
    """How many entries entries_of(archive) will give (for the progress line), read cheaply."""
    if archive.is_dir():
        # Files, and links to folders (each an entry, refused); folders are no entries.
        return sum(len(files) + sum((Path(folder) / name).is_symlink() for name in dirs)
                   for folder, dirs, files in os.walk(archive, followlinks=False))
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as bundle:
            return len(bundle.infolist())
    return 0


def entries_of(archive: Path) -> Iterator[Entry]:
    if archive.is_dir():
        return folder_entries(archive)
    if zipfile.is_zipfile(archive):
        return zip_entries(archive)
    raise ImportError_(f"{archive}: neither a zip file nor a folder")


# ---------------------------------------------------------------- who and what


@dataclass
class Claim:
    """What one archive entry says: whose it is and what file the student gave."""
    name: str                 # the student's name as the LMS wrote it
    original: str             # the file name the student gave
    lms_user_id: str = ""
    late: bool = False
    note: str = ""            # e.g. Moodle's participant id, for the report
    local_id: str = ""        # what tells two people of one name apart in this archive


def canvas_claim(path: str) -> Claim | str:
    base = PurePosixPath(path).name
    match = CANVAS_NAME.match(base)
    if match:
        return Claim(match["name"], match["original"], match["user_id"], bool(match["late"]),
                     f"submission {match['submission_id']}", match["user_id"])
    if CANVAS_ANONYMOUS.match(base):
        return ("anonymous Canvas submission: turn anonymous grading off to download with "
                "names, or rename it name_userid_submissionid_file")
    return "not named by Canvas (name_userid_submissionid_file)"


def moodle_claim(path: str) -> Claim | str:
    parts = PurePosixPath(path).parts
    for position, part in enumerate(parts):
        match = MOODLE_PART.match(part)
        if not match:
            continue
        if match["plugin"] != "file":
            return f"Moodle {match['plugin']} submission, not a file"
        inside = parts[position + 1:]
        original = inside[-1] if inside else match["rest"]  # folder, or flat file
        if not original:
            return "Moodle folder entry without a file name"
        return Claim(match["name"], original, note=f"participant {match['participant']}",
                     local_id=match["participant"])
    return "not named by Moodle (Full Name_participantid_assignsubmission_file_...)"


def classroom_claim(path: str) -> Claim | str:
    base = PurePosixPath(path).name
    match = CLASSROOM_NAME.match(base)
    if match:
        return Claim(match["name"].strip(), match["original"])
    return ("cannot tell whose file this is: Classroom keeps the owner in Drive, not in the "
            "file name; rename it 'Full Name - original.ipynb' and import again")


CLAIMS = {"canvas": canvas_claim, "moodle": moodle_claim, "classroom": classroom_claim}


def folder_name(name: str) -> str:
    """`Ana Kovač` -> `ana_kovac`; letters and digits of any script are kept, nothing else."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c))
    words = re.split(r"[^\w]+|_", plain.casefold())
    return "_".join(w for w in words if w)[:80]


def name_key(name: str) -> str:
    return folder_name(name).replace("_", "")


def copy_number(stem: str) -> tuple[str, int]:
    """`00_start_here (2)` -> (`00_start_here`, 2); `x-1` -> (`x`, 1); `x` -> (`x`, 0)."""
    match = COPY_SUFFIX.match(stem)
    if match and match["stem"]:
        return match["stem"], int(match["copy"] or match["dash"])
    return stem, 0


def which_notebook(original: str, data: bytes, solution_cells: dict[str, set[str]],
                   forced: str | None) -> tuple[str | None, str]:
    """(notebook or None, how it was told): by --notebook, by file name, or by cell ids."""
    if forced:
        return forced, "the archive is this assignment (--notebook)"
    stem, _ = copy_number(PurePosixPath(original).stem)
    stem = re.sub(r"^(copy of |kopie von |copia de )", "", stem, flags=re.IGNORECASE)
    for notebook in solution_cells:
        if stem.casefold() == notebook.casefold():
            return notebook, "by its file name"
    try:
        cells = json.loads(data.decode("utf-8")).get("cells", [])
        ids = {c.get("id") for c in cells if isinstance(c, dict)}
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None, "unknown notebook: its name matches no exercise and it is not valid JSON"
    best, overlap = None, 0.0
    for notebook, known in solution_cells.items():
        share = len(ids & known) / len(known) if known else 0
        if share > overlap:
            best, overlap = notebook, share
    if best and overlap >= 0.5:
        return best, f"by its cells ({overlap:.0%} of {best}'s cell ids)"
    return None, "unknown notebook: its name and its cells match no exercise"


# ---------------------------------------------------------------- the import


@dataclass
class Candidate:
    entry: Entry
    claim: Claim
    student: str
    notebook: str
    data: bytes
    how: str


@dataclass
class Outcome:
    rows: list[dict] = field(default_factory=list)

    def add(self, archive, entry, outcome, student="", notebook="", late=False, reason=""):
        self.rows.append({"archive": archive, "entry": entry, "outcome": outcome,
                          "student": student, "notebook": notebook,
                          "late": "yes" if late else "", "reason": reason})

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for row in self.rows:
            counted[row["outcome"]] = counted.get(row["outcome"], 0) + 1
        return counted


class People:
    """Who each student folder is: the roster if given, else students.csv, else new names."""

    def __init__(self, lms: str, into: Path, roster: dict[str, dict] | None):
        self.lms = lms
        self.roster = roster
        self.path = into / STUDENTS_NAME
        self.known: dict[str, dict] = {}
        self.seen: dict[str, str] = {}  # folder -> the LMS's id for it in this archive
        if self.path.exists():
            with self.path.open(encoding="utf-8", newline="") as handle:
                for row in map(safe_csv.read_back_row, csv.DictReader(handle)):
                    self.known[row["student"]] = {c: row.get(c, "") or "" for c in
                                                  STUDENT_COLUMNS}
        self.by_id: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        for student, row in (roster if roster is not None else self.known).items():
            self._index(student, row)

    def folder_for(self, claim: Claim) -> str | None:
        """The student folder for a claim; None if a roster is given and has no such person."""
        folder = self._lookup(claim)
        if folder is None and self.roster is not None:
            return None
        if folder is not None and self.seen.setdefault(folder, claim.local_id) == claim.local_id:
            return folder
        # A new person, or a second person of the same name in this archive (Moodle's
        # participant ids tell them apart): a folder of their own, never a "duplicate".
        base = folder_name(claim.name) or "student"
        folder = base if base not in self.known else f"{base}_{claim.local_id or 2}"
        number = 2
        while folder in self.known:
            number += 1
            folder = f"{base}_{number}"
        self.known[folder] = {**dict.fromkeys(STUDENT_COLUMNS, ""), "student": folder,
                              "name": claim.name, "lms_user_id": claim.lms_user_id,
                              "lms": self.lms}
        if self.roster is None:
            self._index(folder, self.known[folder])
        self.seen[folder] = claim.local_id
        return folder

    def _index(self, student: str, row: dict) -> None:
        """Remember how a table row can be found: by LMS user id, and by its name's forms."""
        if row.get("lms_user_id"):
            self.by_id.setdefault(row["lms_user_id"], student)
        name = row.get("name", "")
        for key in {name_key(name), name_key(student), _squashed_sortable(name)} - {""}:
            self.by_name.setdefault(key, []).append(student)

    def _lookup(self, claim: Claim) -> str | None:
        if claim.lms_user_id and claim.lms_user_id in self.by_id:
            return self.by_id[claim.lms_user_id]
        table = self.roster if self.roster is not None else self.known
        matches = [s for s in self.by_name.get(name_key(claim.name), [])
                   if not (claim.lms_user_id and table[s].get("lms_user_id")
                           and table[s]["lms_user_id"] != claim.lms_user_id)]
        return matches[0] if len(set(matches)) == 1 else None

    def save(self) -> None:
        buffer = io.StringIO()
        writer = safe_csv.writer(buffer, lineterminator="\n")  # names come from the archive
        writer.writerow(STUDENT_COLUMNS)
        for student in sorted(self.known):
            writer.writerow([self.known[student].get(c, "") for c in STUDENT_COLUMNS])
        _write_atomically(self.path, buffer.getvalue().encode("utf-8"))


def _squashed_sortable(name: str) -> str:
    """Canvas writes `Ana Kovač` as `kovacana` (family name first, letters only)."""
    words = folder_name(name).split("_")
    return "".join(words[-1:] + words[:-1]) if len(words) > 1 else "".join(words)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def import_archive(lms: str, archive: Path, into: Path, solution_cells: dict[str, set[str]],
                   notebook: str | None = None, roster: dict[str, dict] | None = None) -> Outcome:
    """Import one archive; returns the report rows (also appended to into/import_report.csv)."""
    if lms not in CLAIMS:
        raise ImportError_(f"unknown LMS {lms!r}; choose one of {', '.join(LMS_CHOICES)}")
    if notebook is not None and notebook not in solution_cells:
        raise ImportError_(f"--notebook {notebook}: no exercise of that name "
                           f"({', '.join(solution_cells)})")
    into.mkdir(parents=True, exist_ok=True)
    people = People(lms, into, roster)
    outcome, label = Outcome(), archive.name
    candidates: dict[tuple[str, str], list[Candidate]] = {}
    with Progress(f"import {label}", total=count_entries(archive), every=2) as progress:
        for entry in entries_of(archive):
            progress.start(entry.path)
            _sort_entry(entry, lms, label, notebook, solution_cells, people, outcome,
                        candidates)
            progress.done(entry.path)
    for (student, which), found in sorted(candidates.items()):
        # The newest copy wins; at equal times, the higher copy number (Drive's "(2)").
        found.sort(key=lambda c: (c.entry.mtime, copy_number(PurePosixPath(
            c.claim.original).stem)[1], c.entry.path))
        kept = found[-1]
        for older in found[:-1]:
            outcome.add(label, older.entry.path, "duplicate", student, which, older.claim.late,
                        f"an older copy of {which} for {student}; kept {kept.entry.path}")
        result, reason = _place(kept, into)
        outcome.add(label, kept.entry.path, result, student, which, kept.claim.late, reason)
    people.save()
    _append_report(into / REPORT_NAME, outcome.rows)
    return outcome


def _sort_entry(entry: Entry, lms: str, label: str, notebook: str | None,
                solution_cells: dict[str, set[str]], people, outcome: Outcome,
                candidates: dict) -> None:
    """One archive entry: rejected in `outcome` with its reason, or a candidate."""
    base = PurePosixPath(entry.path).name
    if entry.kind == "dir":
        return
    if entry.kind == "unsafe":
        outcome.add(label, entry.path, "rejected", reason="path leaves the archive's "
                    "folder (absolute or '..'): not extracted")
        return
    if entry.kind == "symlink":
        outcome.add(label, entry.path, "rejected", reason="symbolic link: not followed")
        return
    if base in IGNORED_NAMES or "__MACOSX" in PurePosixPath(entry.path).parts:
        outcome.add(label, entry.path, "rejected", reason="system file, not a submission")
        return
    claim = CLAIMS[lms](entry.path)
    if isinstance(claim, str):
        outcome.add(label, entry.path, "rejected", reason=claim)
        return
    if not claim.original.lower().endswith(".ipynb"):
        outcome.add(label, entry.path, "rejected", late=claim.late,
                    reason=f"not a notebook ({claim.original}); only .ipynb files are graded")
        return
    if entry.size > MAX_NOTEBOOK_BYTES:
        outcome.add(label, entry.path, "rejected", reason="larger than 20 MB")
        return
    data = entry.read()
    if len(data) > MAX_NOTEBOOK_BYTES:
        outcome.add(label, entry.path, "rejected", reason="larger than 20 MB")
        return
    which, how = which_notebook(claim.original, data, solution_cells, notebook)
    if which is None:
        outcome.add(label, entry.path, "rejected", late=claim.late, reason=how)
        return
    student = people.folder_for(claim)
    if student is None:
        outcome.add(label, entry.path, "rejected", late=claim.late,
                    reason=f"unknown student {claim.name!r}: not in the roster")
        return
    candidates.setdefault((student, which), []).append(
        Candidate(entry, claim, student, which, data, how))


def owners(lms: str, archive: Path, into: Path,
           roster: dict[str, dict] | None = None) -> dict[str, str | None]:
    """entry -> the student folder an import would give it (None: no one known), by the same
    names and ids as import_archive, whatever the file is; reads into/students.csv, writes
    nothing. lms_packs.py's zips are read back with it."""
    people = People(lms, into, roster)
    found: dict[str, str | None] = {}
    for entry in entries_of(archive):
        if entry.kind != "file":
            continue
        claim = CLAIMS[lms](entry.path)
        found[entry.path] = None if isinstance(claim, str) else people._lookup(claim)
    return found


def _place(candidate: Candidate, into: Path) -> tuple[str, str]:
    target = into / candidate.student / f"{candidate.notebook}.ipynb"
    # Canvas's "-1" on a resubmission or Drive's " (1)" is not a rename.
    given = copy_number(PurePosixPath(candidate.claim.original).stem)[0]
    renamed = given.casefold() != candidate.notebook.casefold()
    reason = f"{candidate.claim.original} -> {target.relative_to(into)} ({candidate.how})"
    if candidate.claim.note:
        reason += f"; {candidate.claim.note}"
    if target.exists():
        previous = target.read_bytes()
        if previous == candidate.data:
            return "unchanged", reason
        keep = into / ".replaced" / time.strftime("%Y%m%dT%H%M%S") / candidate.student
        keep.mkdir(parents=True, exist_ok=True)
        (keep / target.name).write_bytes(previous)
        _write_atomically(target, candidate.data)
        return "replaced", reason + f"; the earlier file is kept in {keep.relative_to(into)}"
    _write_atomically(target, candidate.data)
    return ("renamed" if renamed else "imported"), reason


def _append_report(path: Path, rows: list[dict]) -> None:
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = safe_csv.writer(handle, lineterminator="\n")  # entries are students' names
        if new:
            writer.writerow(REPORT_COLUMNS)
        writer.writerows([row[c] for c in REPORT_COLUMNS] for row in rows)


def solution_cell_ids(solutions_dir: Path) -> dict[str, set[str]]:
    """notebook -> the cell ids a student's copy carries (instructor-only cells left out)."""
    from balkan_course.grading.build import INSTRUCTOR_ONLY

    found = {}
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found[path.stem] = {c["id"] for c in cells
                            if not set(c.get("metadata", {}).get("tags", []))
                            & set(INSTRUCTOR_ONLY)}
    return found


def main(argv: list[str] | None = None) -> int:
    from balkan_course.grading.gradebook import GradebookError, load_roster
    from balkan_course.grading.instructor import SOLUTIONS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lms", choices=LMS_CHOICES)
    parser.add_argument("archive", type=Path, help="the bulk download (.zip) or its folder")
    parser.add_argument("--into", type=Path, default=Path("submissions"))
    parser.add_argument("--notebook", default=None,
                        help="every notebook in the archive is this exercise (e.g. 00_start_here)")
    parser.add_argument("--roster", type=Path, default=None,
                        help="roster.csv: only its students are imported, into its folder names")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS_DIR)
    args = parser.parse_args(argv)
    try:
        roster = load_roster(args.roster) if args.roster else None
        outcome = import_archive(args.lms, args.archive, args.into,
                                 solution_cell_ids(args.solutions), args.notebook, roster)
    except (ImportError_, GradebookError, zipfile.BadZipFile, OSError) as problem:
        print(f"cannot import: {problem}", file=sys.stderr)
        return 2
    for row in outcome.rows:
        if row["outcome"] in ("rejected", "duplicate"):
            print(f"{row['outcome']}: {row['entry']}: {row['reason']}", file=sys.stderr)
    counts = ", ".join(f"{n} {what}" for what, n in sorted(outcome.counts().items()))
    print(f"{args.archive}: {counts}; report in {args.into / REPORT_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
