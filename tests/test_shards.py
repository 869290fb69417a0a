"""Sharding: a class graded as N shards in N processes, then merged, gives the same files as one
run; and the teacher's written marks survive every run untouched."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import shards
from balkan_course.grading.build import ANSWER, tags
from balkan_course.grading.written_marks import MARKS_FILE_NAME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "00_start_here"
SHARDS = 2
MARKS = ("student,notebook,check_id,points,comment,answer_sha256,marked_at\n"
         "alice_complete,00_start_here,00-why-differ,1.5,Name one source.,,2026-03-02\n"
         "carol_half,00_start_here,00-why-differ,0.5,Too short.,,2026-03-02\n")


def write_class(folder: Path) -> None:
    solution = nbformat.read(ROOT / "solutions" / f"{NOTEBOOK}.ipynb", as_version=4)
    half = nbformat.read(ROOT / "exercises" / f"{NOTEBOOK}.ipynb", as_version=4)
    answers = {c["id"]: c.source for c in solution.cells if ANSWER in tags(c)}
    for cell in half.cells:
        if cell["id"] in ("q1-answer", "q2-answer"):
            cell.source = answers[cell["id"]].replace("# BEGIN SOLUTION\n", "")
        if cell["id"] == "q7-answer":
            cell.source = "KFOR and EUFOR count <b>differently</b>."
    # Two students, one per shard of two (shard_of decides; checked below): every grading
    # run costs a kernel per notebook, and this file runs four of them.
    for student, nb in {"alice_complete": solution, "carol_half": half}.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(nb, folder / student / f"{NOTEBOOK}.ipynb")


def compared_files(out: Path) -> dict[str, bytes]:
    """Every file of an output folder, except what differs by nature between two runs."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_dir() or name in ("pytest.log", "grader.log", shards.SHARD_MANIFEST):
            continue
        data = path.read_bytes()
        if name.startswith("results/"):
            result = json.loads(data)
            result.pop("seconds")  # how long the kernel took
            result.pop("timings")  # and where that time went
            data = json.dumps(result, sort_keys=True).encode()
        found[name] = data
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    submissions = folder / "submissions"
    write_class(submissions)
    single, merged = folder / "single", folder / "merged"
    for out in (single, merged):
        out.mkdir()
        (out / MARKS_FILE_NAME).write_text(MARKS, encoding="utf-8")
    marks_time = (single / MARKS_FILE_NAME).stat().st_mtime_ns
    grading.grade(submissions, single, workers=1, cell_timeout=30)
    # N shards at once, as N machines would run them: separate processes, separate outputs.
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    processes = [subprocess.Popen(
        [sys.executable, "-m", "balkan_course.grading", str(submissions), "--out",
         str(folder / f"shard-{k}"), "--workers", "1", "--cell-timeout", "30",
         "--shard", f"{k}/{SHARDS}"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True) for k in range(1, SHARDS + 1)]
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * SHARDS, outputs
    assert shards.main(["merge", *[str(folder / f"shard-{k}") for k in range(1, SHARDS + 1)],
                        "--out", str(merged), "--submissions", str(submissions)]) == 0
    return folder, single, merged, marks_time


def test_each_shard_graded_only_its_own_students(runs):
    folder, *_ = runs
    owned = []
    for k in range(1, SHARDS + 1):
        manifest = json.loads((folder / f"shard-{k}" / shards.SHARD_MANIFEST).read_text())
        assert manifest["shard"] == k and manifest["of"] == SHARDS
        students = {s for s, _ in manifest["submissions"]}
        assert students, f"shard {k} is empty: choose other student names for this test"
        graded = {p.name for p in (folder / f"shard-{k}" / "results").iterdir()}
        assert graded == students
        owned.append(students)
    assert set.union(*owned) == {"alice_complete", "carol_half"}
    assert not set.intersection(*owned)


def test_merged_shards_equal_a_single_run(runs):
    _, single, merged, _ = runs
    one, joined = compared_files(single), compared_files(merged)
    assert sorted(joined) == sorted(one)
    different = [name for name in one if one[name] != joined[name]]
    assert different == []
    # and the run did grade: the full solution got its points, the written mark is merged
    with (single / "totals.csv").open(encoding="utf-8") as handle:
        totals = {row["student"]: row for row in csv.DictReader(handle)}
    assert totals["alice_complete"]["automatic"] == totals["alice_complete"]["automatic_max"]
    assert totals["alice_complete"]["written"] == "1.5"
    assert totals["carol_half"]["automatic"] == "3"  # the two answers she gave
    assert totals["carol_half"]["written"] == "0.5"
    assert "feedback_html/carol_half/00_start_here.html" in one


def test_the_marks_file_survives_the_grading_run_untouched(runs):
    _, single, merged, marks_time = runs
    for out in (single, merged):
        assert (out / MARKS_FILE_NAME).read_text(encoding="utf-8") == MARKS
        assert not (out / f"{MARKS_FILE_NAME}.bak").exists()
    assert (single / MARKS_FILE_NAME).stat().st_mtime_ns == marks_time
    page = (single / "feedback_html" / "carol_half" / f"{NOTEBOOK}.html").read_text()
    assert "Too short." in page and "&lt;b&gt;differently&lt;/b&gt;" in page


def test_a_regrade_keeps_the_marks_and_merges_them_again(runs, tmp_path):
    folder, single, *_ = runs
    out = tmp_path / "out"
    shutil.copytree(single, out)
    only_carol = tmp_path / "submissions"
    shutil.copytree(folder / "submissions" / "carol_half", only_carol / "carol_half")
    before = (out / "results" / "carol_half" / f"{NOTEBOOK}.json").stat().st_mtime_ns
    grading.grade(only_carol, out, workers=1, cell_timeout=30, regrade=True)
    assert (out / "results" / "carol_half" / f"{NOTEBOOK}.json").stat().st_mtime_ns != before
    assert (out / MARKS_FILE_NAME).read_text(encoding="utf-8") == MARKS
    with (out / "totals.csv").open(encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["written"] == "0.5"


def test_merge_refuses_incomplete_or_mixed_shards(runs, tmp_path):
    folder, *_ = runs
    with pytest.raises(shards.ShardError, match="shard\\(s\\) 2/2 missing"):
        shards.read_manifests([folder / "shard-1"])
    with pytest.raises(shards.ShardError, match="given twice"):
        shards.read_manifests([folder / "shard-1", folder / "shard-1"])
    other = tmp_path / "other"
    other.mkdir()
    (other / shards.SHARD_MANIFEST).write_text(json.dumps({"shard": 2, "of": 3,
                                                           "submissions": []}))
    with pytest.raises(shards.ShardError, match="different N"):
        shards.read_manifests([folder / "shard-1", other])
    with pytest.raises(shards.ShardError, match="not a shard's output"):
        shards.read_manifests([tmp_path])
    late = tmp_path / "submissions"
    shutil.copytree(folder / "submissions", late)
    shutil.copytree(late / "carol_half", late / "zoe_late")
    with pytest.raises(shards.ShardError, match="belong to no shard.*zoe_late"):
        shards.merge([folder / "shard-1", folder / "shard-2"], tmp_path / "m", late,
                     ROOT / "solutions")


def test_shards_are_stable_whole_students_and_even():
    names = [f"student_{i:05d}" for i in range(4000)]
    assert [shards.shard_of(n, 8) for n in names] == [shards.shard_of(n, 8) for n in names]
    sizes = [sum(1 for n in names if shards.shard_of(n, 8) == k) for k in range(1, 9)]
    assert min(sizes) > 0.85 * 500 and max(sizes) < 1.15 * 500, sizes
    assert shards.parse_shard("3/8") == (3, 8)
    for bad in ("0/8", "9/8", "3", "a/b"):
        with pytest.raises(Exception, match="--shard"):
            shards.parse_shard(bad)
