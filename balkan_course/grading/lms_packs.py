"""The feedback pages packed the way an LMS takes them back, one zip per assignment.

    python -m balkan_course.grading.lms_packs --lms moodle --out grading_output \\
        --submissions submissions [--notebook 00_start_here]
    (what `make feedback-packs LMS=moodle` runs)

Each notebook is one assignment in the LMS, so each gets its own zip,
OUT/lms_feedback/<lms>/<notebook>.zip, holding the page feedback_html/<student>/<notebook>.html
of every student whose notebook came from that LMS's bulk download (lms_import.py). The names
inside are the download's own, read back from SUBMISSIONS/import_report.csv, because both LMSs
find the student by ids that only the download carries:

- Moodle ("upload multiple feedback files in a zip", the file feedback plugin): a folder per
  participant, named as the download named it, `Full Name_<participant id>_assignsubmission_
  file_/`, with `<notebook>_feedback.html` inside. Moodle reads the participant id (a number
  per assignment), not the name.
- Canvas ("Re-Upload Submissions"): flat files `<name>_<user id>_<attachment id>_feedback_
  <notebook>.html`, the download's prefix kept (`_LATE` too): Canvas takes the first two
  all-digit parts as the user and the submitted file, and attaches the page to that
  submission as a comment.

What each LMS documents, and what we could not confirm, is in docs/gradebook.md ("Handing the
feedback pages back"). Google Classroom has no such upload; the command says so. Every student
left out (no page, no entry in the download) gets a row in OUT/lms_feedback/<lms>/
pack_report.csv with the reason.
"""

from __future__ import annotations

import argparse
import csv
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from balkan_course.grading import safe_csv
from balkan_course.grading.lms_import import (
    CANVAS_NAME,
    MOODLE_PART,
    REPORT_NAME,
    canvas_claim,
    moodle_claim,
)

PACK_FOLDER = "lms_feedback"
PACK_REPORT = "pack_report.csv"
PACKED_LMS = ("moodle", "canvas")
KEPT_OUTCOMES = ("imported", "renamed", "unchanged", "replaced")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # the same pages give the same bytes
NO_CLASSROOM = ("Google Classroom documents no bulk upload of feedback files: return each page "
                "by hand (a private comment cannot hold a file), or share the student's folder "
                "of feedback_html/ with them in Drive (docs/gradebook.md)")


class PackError(ValueError):
    """The packs cannot be made at all (the message says why)."""


@dataclass
class Packed:
    notebook: str
    student: str
    name: str  # the path inside the zip ("" when left out)
    reason: str = ""


def download_names(submissions_dir: Path, lms: str) -> dict[tuple[str, str], str]:
    """(student, notebook) -> the entry of the LMS download it was imported from (the latest
    import wins, as it did in submissions/)."""
    report = Path(submissions_dir) / REPORT_NAME
    if not report.is_file():
        raise PackError(f"{report} not found: the packs need the names of the LMS download "
                        "(make import-submissions first)")
    claim = {"moodle": moodle_claim, "canvas": canvas_claim}[lms]
    found = {}
    with report.open(encoding="utf-8", newline="") as handle:
        for row in map(safe_csv.read_back_row, csv.DictReader(handle)):
            if row.get("outcome") in KEPT_OUTCOMES and not isinstance(claim(row["entry"]), str):
                found[(row["student"], row["notebook"])] = row["entry"]
    return found


def moodle_name(entry: str, notebook: str) -> str:
    """`Ana Kovač_304_assignsubmission_file_/00_start_here.ipynb` ->
    `Ana Kovač_304_assignsubmission_file_/00_start_here_feedback.html` (the flat layout's
    `..._file_00_start_here.ipynb` gets the same folder)."""
    for part in PurePosixPath(entry).parts:
        match = MOODLE_PART.match(part)
        if match:
            folder = f"{match['name']}_{match['participant']}_assignsubmission_file_"
            return f"{folder}/{notebook}_feedback.html"
    raise PackError(f"not a Moodle download's name: {entry}")


def canvas_name(entry: str, notebook: str) -> str:
    """`kovacana_1001_555_00_start_here.ipynb` -> `kovacana_1001_555_feedback_00_start_here
    .html`: the download's prefix (name, LATE, user id, attachment id) kept."""
    base = PurePosixPath(entry).name
    match = CANVAS_NAME.match(base)
    if not match:
        raise PackError(f"not a Canvas download's name: {entry}")
    return f"{base[:match.start('original')]}feedback_{notebook}.html"


NAMERS = {"moodle": moodle_name, "canvas": canvas_name}


def build_packs(lms: str, grading_output: Path, submissions_dir: Path,
                only: str | None = None) -> tuple[list[Path], list[Packed]]:
    """Write OUT/lms_feedback/<lms>/<notebook>.zip for every notebook with feedback pages;
    returns the zips and one row per student and notebook (packed or left out)."""
    if lms == "classroom":
        raise PackError(NO_CLASSROOM)
    if lms not in NAMERS:
        raise PackError(f"unknown LMS {lms!r}; choose one of {', '.join(PACKED_LMS)}")
    pages_dir = Path(grading_output) / "feedback_html"
    pages = {(page.parent.name, page.stem): page for page in sorted(pages_dir.glob("*/*.html"))}
    if not pages:
        raise PackError(f"no feedback pages in {pages_dir}: grade the class first")
    names = download_names(submissions_dir, lms)
    notebooks = sorted({nb for _, nb in pages} | {nb for _, nb in names})
    if only:
        notebooks = [nb for nb in notebooks if nb == only]
    target = Path(grading_output) / PACK_FOLDER / lms
    target.mkdir(parents=True, exist_ok=True)
    written, rows = [], []
    for notebook in notebooks:
        students = sorted({s for s, nb in pages if nb == notebook}
                          | {s for s, nb in names if nb == notebook})
        packed = []
        for student in students:
            page, entry = pages.get((student, notebook)), names.get((student, notebook))
            if page is None:
                rows.append(Packed(notebook, student, "", "no feedback page (not graded?)"))
            elif entry is None:
                rows.append(Packed(notebook, student, "", f"not imported from a {lms} "
                                   "download: its ids are unknown, hand the page over by hand"))
            else:
                packed.append((NAMERS[lms](entry, notebook), page))
                rows.append(Packed(notebook, student, packed[-1][0]))
        if not packed:
            continue
        zip_path = target / f"{notebook}.zip"
        partial = zip_path.with_name(f".{zip_path.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, page in sorted(packed):
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, page.read_bytes())
        partial.replace(zip_path)
        written.append(zip_path)
    with (target / PACK_REPORT).open("w", encoding="utf-8", newline="") as handle:
        writer = safe_csv.writer(handle, lineterminator="\n")  # names come from the download
        writer.writerow(["notebook", "student", "file_in_zip", "left_out_because"])
        writer.writerows([r.notebook, r.student, r.name, r.reason] for r in rows)
    return written, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lms", choices=(*PACKED_LMS, "classroom"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="the grader's output folder")
    parser.add_argument("--submissions", type=Path, default=Path("submissions"),
                        help="the folder make import-submissions filled (its import_report.csv)")
    parser.add_argument("--notebook", default=None, help="only this notebook's pack")
    args = parser.parse_args(argv)
    try:
        written, rows = build_packs(args.lms, args.out, args.submissions, args.notebook)
    except PackError as problem:
        print(f"no packs: {problem}", file=sys.stderr)
        return 2
    left_out = [r for r in rows if not r.name]
    for row in left_out:
        print(f"left out: {row.student}, {row.notebook}: {row.reason}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(rows) - len(left_out)} page(s) packed, {len(left_out)} left out; report in "
          f"{Path(args.out) / PACK_FOLDER / args.lms / PACK_REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
