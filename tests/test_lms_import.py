"""Importing LMS bulk downloads: each archive is built here as the LMS lays it out, with the
awkward cases a real class produces (late and resubmitted files, Drive's duplicates, files that
are not notebooks, names nobody knows) and hostile ones (symbolic links, paths out of the folder).
"""

from __future__ import annotations

import csv
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from balkan_course.grading import lms_import
from balkan_course.grading.lms_import import import_archive, solution_cell_ids

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = (ROOT / "exercises" / "00_start_here.ipynb").read_text(encoding="utf-8")
EXERCISE_01 = (ROOT / "exercises" / "01_sources_and_evidence.ipynb").read_text(encoding="utf-8")
SOLUTION_CELLS = solution_cell_ids(ROOT / "solutions")


def notebook_text(marker: str, base: str = EXERCISE) -> str:
    """An exercise with a marker in its metadata, so tests can tell copies apart."""
    nb = json.loads(base)
    nb["metadata"]["marker"] = marker
    return json.dumps(nb)


def add(bundle: zipfile.ZipFile, name: str, text: str, when=(2026, 3, 1, 12, 0, 0)) -> None:
    bundle.writestr(zipfile.ZipInfo(name, date_time=when), text)


def add_symlink(bundle: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 3, 1, 12, 0, 0))
    info.create_system = 3  # Unix: the mode in external_attr counts
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    bundle.writestr(info, target)


def report(into: Path) -> list[dict]:
    with (into / "import_report.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def by_entry(rows: list[dict]) -> dict[str, dict]:
    return {row["entry"]: row for row in rows}


def marker_of(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["metadata"].get("marker", "")


# ---------------------------------------------------------------- Canvas


def canvas_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        add(bundle, "kovacana_1001_5001_00_start_here.ipynb", notebook_text("ana"))
        add(bundle, "gashiblerim_LATE_1002_5002_00_start_here.ipynb", notebook_text("blerim"))
        # Resubmitted: Canvas added -1 to the newer file's name.
        add(bundle, "petrovicmilos_1003_5003_00_start_here.ipynb", notebook_text("milos old"),
            (2026, 3, 1, 9, 0, 0))
        add(bundle, "petrovicmilos_1003_5004_00_start_here-1.ipynb", notebook_text("milos new"),
            (2026, 3, 1, 11, 0, 0))
        # Renamed by the student: recognised by its cell ids.
        add(bundle, "hodzicemina_1004_5005_my homework.ipynb", notebook_text("emina"))
        add(bundle, "hodzicemina_1004_5005_notes.pdf", "%PDF-1.4")
        add(bundle, "random_upload.ipynb", notebook_text("who"))
        add(bundle, "berishadita_1005_5006_essay.ipynb", json.dumps({"cells": []}))
        add(bundle, "../../etc/evil_1006_5007_00_start_here.ipynb", notebook_text("evil"))
        add(bundle, "/abs_1007_5008_00_start_here.ipynb", notebook_text("abs"))
        add_symlink(bundle, "linky_1008_5009_00_start_here.ipynb", "/etc/passwd")
        add(bundle, "__MACOSX/._kovacana_1001_5001_00_start_here.ipynb", "junk")
    return path


def test_canvas_download_is_sorted_into_student_folders(tmp_path):
    into = tmp_path / "submissions"
    outcome = import_archive("canvas", canvas_zip(tmp_path / "submissions.zip"), into,
                             SOLUTION_CELLS)
    rows = by_entry(outcome.rows)
    assert rows["kovacana_1001_5001_00_start_here.ipynb"]["outcome"] == "imported"
    assert marker_of(into / "kovacana" / "00_start_here.ipynb") == "ana"
    late = rows["gashiblerim_LATE_1002_5002_00_start_here.ipynb"]
    assert (late["outcome"], late["late"], late["student"]) == ("imported", "yes", "gashiblerim")
    # The resubmission (newer) wins; the older copy is reported as a duplicate.
    assert marker_of(into / "petrovicmilos" / "00_start_here.ipynb") == "milos new"
    assert rows["petrovicmilos_1003_5003_00_start_here.ipynb"]["outcome"] == "duplicate"
    assert rows["petrovicmilos_1003_5004_00_start_here-1.ipynb"]["outcome"] == "imported"
    renamed = rows["hodzicemina_1004_5005_my homework.ipynb"]
    assert renamed["outcome"] == "renamed" and "by its cells" in renamed["reason"]
    assert (into / "hodzicemina" / "00_start_here.ipynb").exists()
    assert "not a notebook" in rows["hodzicemina_1004_5005_notes.pdf"]["reason"]
    assert "not named by Canvas" in rows["random_upload.ipynb"]["reason"]
    assert "unknown notebook" in rows["berishadita_1005_5006_essay.ipynb"]["reason"]
    assert "leaves the archive" in rows["../../etc/evil_1006_5007_00_start_here.ipynb"]["reason"]
    assert "leaves the archive" in rows["/abs_1007_5008_00_start_here.ipynb"]["reason"]
    assert "symbolic link" in rows["linky_1008_5009_00_start_here.ipynb"]["reason"]
    assert rows["__MACOSX/._kovacana_1001_5001_00_start_here.ipynb"]["outcome"] == "rejected"
    # Nothing escaped, nothing else was written.
    assert not (tmp_path / "etc").exists() and not (into / "linky").exists()
    assert sorted(p.name for p in into.iterdir() if p.is_dir()) == [
        "gashiblerim", "hodzicemina", "kovacana", "petrovicmilos"]
    # Every entry of the archive has exactly one row in the report on disk.
    with zipfile.ZipFile(tmp_path / "submissions.zip") as bundle:
        assert sorted(r["entry"] for r in report(into)) == sorted(bundle.namelist())
    # students.csv records the Canvas user ids: the roster draft for the gradebook export.
    with (into / "students.csv").open(encoding="utf-8") as handle:
        ids = {row["student"]: row["lms_user_id"] for row in csv.DictReader(handle)}
    assert ids["kovacana"] == "1001" and ids["petrovicmilos"] == "1003"
    assert "berishadita" not in ids  # nothing of hers was imported


def test_a_second_import_reuses_folders_and_keeps_what_it_replaces(tmp_path):
    into = tmp_path / "submissions"
    archive = canvas_zip(tmp_path / "one.zip")
    import_archive("canvas", archive, into, SOLUTION_CELLS)
    again = import_archive("canvas", archive, into, SOLUTION_CELLS)
    assert by_entry(again.rows)["kovacana_1001_5001_00_start_here.ipynb"]["outcome"] == \
        "unchanged"
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as bundle:
        add(bundle, "kovacana_1001_6001_00_start_here.ipynb", notebook_text("ana v2"))
        add(bundle, "kovacana_1001_6002_01_sources_and_evidence.ipynb",
            notebook_text("ana 01", EXERCISE_01))
    third = by_entry(import_archive("canvas", tmp_path / "two.zip", into, SOLUTION_CELLS).rows)
    assert third["kovacana_1001_6001_00_start_here.ipynb"]["outcome"] == "replaced"
    assert marker_of(into / "kovacana" / "00_start_here.ipynb") == "ana v2"
    kept = list((into / ".replaced").glob("*/kovacana/00_start_here.ipynb"))
    assert len(kept) == 1 and marker_of(kept[0]) == "ana"
    assert (into / "kovacana" / "01_sources_and_evidence.ipynb").exists()
    assert len(report(into)) > len(again.rows)  # the report keeps every import's rows


def test_a_roster_decides_who_is_imported(tmp_path):
    roster = {"ana": {"student": "ana", "name": "Ana Kovač", "lms_user_id": "1001"},
              "milos": {"student": "milos", "name": "Miloš Petrović", "lms_user_id": ""}}
    into = tmp_path / "submissions"
    outcome = import_archive("canvas", canvas_zip(tmp_path / "s.zip"), into, SOLUTION_CELLS,
                             roster=roster)
    rows = by_entry(outcome.rows)
    assert (into / "ana" / "00_start_here.ipynb").exists()  # by Canvas user id
    assert marker_of(into / "milos" / "00_start_here.ipynb") == "milos new"  # by name
    assert "not in the roster" in rows["gashiblerim_LATE_1002_5002_00_start_here.ipynb"][
        "reason"]


# ---------------------------------------------------------------- Moodle


def test_moodle_download_in_folders_and_flat(tmp_path):
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        add(bundle, "Ana Kovač_301_assignsubmission_file_/00_start_here.ipynb",
            notebook_text("ana"))
        add(bundle, "Ana Kovač_301_assignsubmission_file_/draft.docx", "docx")
        add(bundle, "Blerim Gashi_302_assignsubmission_file_/Lesson 0 (1).ipynb",
            notebook_text("blerim"))
        add(bundle, "Blerim Gashi_302_assignsubmission_onlinetext_/onlinetext.html", "<p>hi</p>")
        # Flat layout (no "download submissions in folders").
        add(bundle, "Miloš Petrović_303_assignsubmission_file_00_start_here.ipynb",
            notebook_text("milos"))
        # Two students of the same name: Moodle's participant ids keep them apart.
        add(bundle, "Ana Kovač_304_assignsubmission_file_/00_start_here.ipynb",
            notebook_text("other ana"))
        add(bundle, "feedback.csv", "x")
        add_symlink(bundle, "Eve_305_assignsubmission_file_/00_start_here.ipynb", "../../x")
    into = tmp_path / "submissions"
    rows = by_entry(import_archive("moodle", archive, into, SOLUTION_CELLS,
                                   notebook="00_start_here").rows)
    assert marker_of(into / "ana_kovac" / "00_start_here.ipynb") == "ana"
    assert marker_of(into / "ana_kovac_304" / "00_start_here.ipynb") == "other ana"
    assert rows["Blerim Gashi_302_assignsubmission_file_/Lesson 0 (1).ipynb"]["outcome"] == \
        "renamed"
    assert marker_of(into / "blerim_gashi" / "00_start_here.ipynb") == "blerim"
    assert marker_of(into / "milos_petrovic" / "00_start_here.ipynb") == "milos"
    assert "onlinetext submission" in rows[
        "Blerim Gashi_302_assignsubmission_onlinetext_/onlinetext.html"]["reason"]
    assert "not a notebook" in rows["Ana Kovač_301_assignsubmission_file_/draft.docx"]["reason"]
    assert "not named by Moodle" in rows["feedback.csv"]["reason"]
    assert "symbolic link" in rows["Eve_305_assignsubmission_file_/00_start_here.ipynb"][
        "reason"]


# ---------------------------------------------------------------- Google Classroom


def test_classroom_drive_folder_with_duplicates_and_unnamed_files(tmp_path):
    archive = tmp_path / "classroom.zip"
    folder = "Lesson 00 - Start here/"
    with zipfile.ZipFile(archive, "w") as bundle:
        add(bundle, folder + "Ana Kovač - 00_start_here.ipynb", notebook_text("ana"),
            (2026, 3, 1, 10, 0, 0))
        add(bundle, folder + "Ana Kovač - 00_start_here (1).ipynb", notebook_text("ana copy"),
            (2026, 3, 1, 10, 0, 0))
        add(bundle, folder + "Blerim Gashi - Copy of 00_start_here.ipynb",
            notebook_text("blerim"))
        add(bundle, folder + "00_start_here.ipynb", notebook_text("nobody"))
        add(bundle, folder + "Miloš Petrović - photo.jpg", "jpeg")
    into = tmp_path / "submissions"
    rows = by_entry(import_archive("classroom", archive, into, SOLUTION_CELLS).rows)
    # Equal times: Drive's higher copy number is the later upload.
    assert marker_of(into / "ana_kovac" / "00_start_here.ipynb") == "ana copy"
    assert rows[folder + "Ana Kovač - 00_start_here.ipynb"]["outcome"] == "duplicate"
    assert rows[folder + "Blerim Gashi - Copy of 00_start_here.ipynb"]["outcome"] == "renamed"
    assert "cannot tell whose file" in rows[folder + "00_start_here.ipynb"]["reason"]
    assert "not a notebook" in rows[folder + "Miloš Petrović - photo.jpg"]["reason"]


def test_an_unpacked_folder_with_a_symlink_is_read_safely(tmp_path):
    unpacked = tmp_path / "unpacked"
    (unpacked / "Ana Kovač_301_assignsubmission_file_").mkdir(parents=True)
    (unpacked / "Ana Kovač_301_assignsubmission_file_" / "00_start_here.ipynb").write_text(
        notebook_text("ana"))
    secret = tmp_path / "secret.ipynb"
    secret.write_text(notebook_text("secret"))
    (unpacked / "Eve_302_assignsubmission_file_").mkdir()
    os.symlink(secret, unpacked / "Eve_302_assignsubmission_file_" / "00_start_here.ipynb")
    os.symlink(tmp_path, unpacked / "Mallory_303_assignsubmission_file_")
    into = tmp_path / "submissions"
    rows = by_entry(import_archive("moodle", unpacked, into, SOLUTION_CELLS).rows)
    assert marker_of(into / "ana_kovac" / "00_start_here.ipynb") == "ana"
    assert rows["Eve_302_assignsubmission_file_/00_start_here.ipynb"]["outcome"] == "rejected"
    assert rows["Mallory_303_assignsubmission_file_"]["reason"].startswith("symbolic link")
    assert not (into / "eve").exists() and not (into / "mallory").exists()


def test_a_zip_bomb_is_cut_at_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(lms_import, "MAX_NOTEBOOK_BYTES", 1000)
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        add(bundle, "kovacana_1001_5001_00_start_here.ipynb", " " * 50_000)
    rows = import_archive("canvas", archive, tmp_path / "s", SOLUTION_CELLS).rows
    assert rows[0]["outcome"] == "rejected" and "20 MB" in rows[0]["reason"]


def test_bad_input_is_refused_with_a_reason(tmp_path):
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    with pytest.raises(lms_import.ImportError_, match="neither a zip"):
        import_archive("canvas", not_zip, tmp_path / "s", SOLUTION_CELLS)
    with pytest.raises(lms_import.ImportError_, match="no exercise of that name"):
        import_archive("canvas", canvas_zip(tmp_path / "c.zip"), tmp_path / "s", SOLUTION_CELLS,
                       notebook="99_nothing")


def test_command_line_prints_a_summary(tmp_path, capsys):
    archive = canvas_zip(tmp_path / "c.zip")
    code = lms_import.main(["canvas", str(archive), "--into", str(tmp_path / "s")])
    out, err = capsys.readouterr()
    assert code == 0
    assert "1 duplicate, 3 imported, 7 rejected, 1 renamed" in out
    assert "rejected: random_upload.ipynb" in err


def test_names_become_safe_folder_names():
    assert lms_import.folder_name("Ana Kovač") == "ana_kovac"
    assert lms_import.folder_name("Милош Петровић") == "милош_петровић"
    assert lms_import.folder_name("../../etc/passwd") == "etc_passwd"
    assert lms_import.copy_number("00_start_here (2)") == ("00_start_here", 2)
    assert lms_import.copy_number("00_start_here-1") == ("00_start_here", 1)
    assert lms_import.copy_number("00_start_here") == ("00_start_here", 0)
