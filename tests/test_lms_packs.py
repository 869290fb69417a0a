"""The LMS both ways: a release's one zip per student, and the feedback pages packed for
Moodle's and Canvas's bulk uploads, read back: the zip listings, the names against the roster,
each file its student's, and the packs attributed again by lms_import as an import would."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from balkan_course.grading import lms_import, versions
from balkan_course.grading import release as release_module
from balkan_course.grading.lms_import import import_archive, solution_cell_ids
from balkan_course.grading.lms_packs import PackError, build_packs

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = (ROOT / "exercises" / "00_start_here.ipynb").read_text(encoding="utf-8")
NOTEBOOK = "00_start_here"
WHEN = (2026, 3, 1, 12, 0, 0)


def add(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    bundle.writestr(zipfile.ZipInfo(name, date_time=WHEN), text)


def marked(marker: str) -> str:
    nb = json.loads(EXERCISE)
    nb["metadata"]["marker"] = marker
    return json.dumps(nb)


# ---------------------------------------------------------------- a release, one zip per student


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packs")
    students = ["ana_kovac", "blerim_gashi", "milos_petrovic"]
    roster = folder / "roster.csv"
    roster.write_text("student,name\n" + "".join(f"{s},{s.title()}\n" for s in students),
                      encoding="utf-8")
    count = versions.variant_count(
        __import__("nbformat").read(ROOT / "solutions" / f"{NOTEBOOK}.ipynb", as_version=4))
    patch = pytest.MonkeyPatch()
    patch.setattr(release_module, "notebook_variant_keys", lambda path, public, cache: {
        k: public for k in range(1, count)})  # no kernel: the keys are not what is tested
    try:
        target = release_module.release("packs-2026", roster, folder / "releases",
                                        only=[NOTEBOOK])
        again = release_module.release("packs-2026", roster, folder / "again", only=[NOTEBOOK])
    finally:
        patch.undo()
    return {"target": target, "again": again, "students": students}


def test_a_release_writes_one_zip_per_student_named_by_the_roster(released):
    zips = sorted((released["target"] / "lms").iterdir())
    assert [z.name for z in zips] == [f"{s}.zip" for s in released["students"]]
    for student in released["students"]:
        folder = released["target"] / student
        with zipfile.ZipFile(released["target"] / "lms" / f"{student}.zip") as bundle:
            names = bundle.namelist()
            # Everything of the student's folder, under their name, and nothing else.
            assert sorted(names) == sorted(f"{student}/{p.relative_to(folder).as_posix()}"
                                           for p in folder.rglob("*") if p.is_file())
            assert f"{student}/{NOTEBOOK}.ipynb" in names
            assert f"{student}/answer_keys/{NOTEBOOK}.json" in names
            for name in names:
                assert bundle.read(name) == (folder / name.split("/", 1)[1]).read_bytes()
    # The same release writes the same bytes (a fixed time in every entry).
    for student in released["students"]:
        assert (released["target"] / "lms" / f"{student}.zip").read_bytes() == \
            (released["again"] / "lms" / f"{student}.zip").read_bytes()


def test_each_students_zip_holds_their_own_version(released):
    notebooks = {}
    for student in released["students"]:
        with zipfile.ZipFile(released["target"] / "lms" / f"{student}.zip") as bundle:
            notebooks[student] = bundle.read(f"{student}/{NOTEBOOK}.ipynb")
    with (released["target"] / "variants.csv").open(encoding="utf-8") as handle:
        assigned = {r["student"]: int(r["variant"]) for r in csv.DictReader(handle)}
    for student, data in notebooks.items():
        others = [notebooks[s] for s in notebooks if assigned[s] != assigned[student]]
        assert data not in others


# ---------------------------------------------------------------- feedback pages, packed


MOODLE_PEOPLE = {"ana_kovac": ("Ana Kovač", "304"), "blerim_gashi": ("Blerim Gashi", "305"),
                 "dita_berisha": ("Dita Berisha", "306")}
CANVAS_PEOPLE = {"kovacana": ("1001", "5001", ""), "gashiblerim": ("1002", "5002", "_LATE"),
                 "berishadita": ("1003", "5003", "")}


def moodle_download(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for student, (name, participant) in MOODLE_PEOPLE.items():
            add(bundle, f"{name}_{participant}_assignsubmission_file_/{NOTEBOOK}.ipynb",
                marked(student))
    return path


def canvas_download(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for student, (user, attachment, late) in CANVAS_PEOPLE.items():
            add(bundle, f"{student}{late}_{user}_{attachment}_{NOTEBOOK}.ipynb", marked(student))
    return path


def graded_class(tmp_path: Path, lms: str) -> tuple[Path, Path]:
    """An imported download, and a feedback page per student naming the student (plus a page
    for a student who came from no download)."""
    submissions, out = tmp_path / "submissions", tmp_path / "grading_output"
    download = (moodle_download if lms == "moodle" else canvas_download)(tmp_path / "dl.zip")
    outcome = import_archive(lms, download, submissions, solution_cell_ids(ROOT / "solutions"))
    assert outcome.counts() == {"imported": 3}
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        page = out / "feedback_html" / folder.name / f"{NOTEBOOK}.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>feedback for {folder.name}</p>", encoding="utf-8")
    stray = out / "feedback_html" / "walk_in" / f"{NOTEBOOK}.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("<p>feedback for walk_in</p>", encoding="utf-8")
    return submissions, out


@pytest.mark.parametrize("lms", ["moodle", "canvas"])
def test_feedback_packs_read_back_to_the_right_students(tmp_path, lms):
    submissions, out = graded_class(tmp_path, lms)
    written, rows = build_packs(lms, out, submissions)
    assert written == [out / "lms_feedback" / lms / f"{NOTEBOOK}.zip"]
    with zipfile.ZipFile(written[0]) as bundle:
        names = bundle.namelist()
        pages = {name: bundle.read(name).decode() for name in names}
    # Named as the LMS's upload expects.
    if lms == "moodle":
        assert sorted(names) == sorted(
            f"{name}_{participant}_assignsubmission_file_/{NOTEBOOK}_feedback.html"
            for name, participant in MOODLE_PEOPLE.values())
    else:
        assert sorted(names) == sorted(
            f"{student}{late}_{user}_{attachment}_feedback_{NOTEBOOK}.html"
            for student, (user, attachment, late) in CANVAS_PEOPLE.items())
        for name in names:  # Canvas reads the first two all-digit parts: user, attachment
            digits = [part for part in name.split("_") if part.isdigit()][:2]
            assert tuple(digits) in {(u, a) for u, a, _ in CANVAS_PEOPLE.values()}
    # Read back as an import would attribute them: each page lands with its own student.
    owners = lms_import.owners(lms, written[0], submissions)
    assert set(owners) == set(names)
    for name, student in owners.items():
        assert student is not None and pages[name] == f"<p>feedback for {student}</p>"
    assert sorted(owners.values()) == sorted(
        p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    # The walk-in has no ids from the LMS: left out, with the reason in the report.
    left = [r for r in rows if not r.name]
    assert [(r.student, "not imported" in r.reason) for r in left] == [("walk_in", True)]
    with (out / "lms_feedback" / lms / "pack_report.csv").open(encoding="utf-8") as handle:
        assert {r["student"]: r["file_in_zip"] for r in csv.DictReader(handle)}["walk_in"] == ""


def test_a_page_is_never_packed_under_another_students_ids(tmp_path):
    """Two students swapped in the report would swap their pages: the read-back catches it."""
    submissions, out = graded_class(tmp_path, "moodle")
    written, _ = build_packs("moodle", out, submissions)
    with zipfile.ZipFile(written[0]) as bundle:
        for name in bundle.namelist():
            participant = name.split("_")[1]
            student = next(s for s, (_, p) in MOODLE_PEOPLE.items() if p == participant)
            assert bundle.read(name).decode() == f"<p>feedback for {student}</p>"


def test_classroom_and_missing_inputs_are_refused_with_the_reason(tmp_path):
    with pytest.raises(PackError, match="Google Classroom documents no bulk upload"):
        build_packs("classroom", tmp_path, tmp_path)
    with pytest.raises(PackError, match="no feedback pages"):
        build_packs("moodle", tmp_path, tmp_path)
    page = tmp_path / "out" / "feedback_html" / "ana" / f"{NOTEBOOK}.html"
    page.parent.mkdir(parents=True)
    page.write_text("x", encoding="utf-8")
    with pytest.raises(PackError, match="import_report.csv not found"):
        build_packs("moodle", tmp_path / "out", tmp_path / "submissions")
