"""Sharding: a class graded as N shards in N processes, then merged, gives the same files as one
run; and the teacher's written marks survive every run untouched. The shards are run by the
Kubernetes and SLURM recipes of docs/gradebook.md, read from the guide itself, on this machine
(paths mapped to a temporary folder, stand-ins for `apptainer` and `sbatch`)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

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


GUIDE = ROOT / "docs" / "gradebook.md"
# A stand-in for `apptainer exec [options] IMAGE.sif COMMAND...`: runs COMMAND here.
FAKE_APPTAINER = """#!/bin/sh
[ "$1" = exec ] && shift
while [ $# -gt 0 ]; do case "$1" in *.sif) shift; exec "$@";; esac; shift; done
echo "apptainer stand-in: no image named" >&2; exit 97
"""
# A stand-in for `sbatch`: `--wrap "..."` runs the command here; a job script is run by the
# test itself, one array task at a time; either way it prints a job id (--parsable).
FAKE_SBATCH = """#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in --wrap) sh -c "$2" >&2 || exit $?; shift;; esac; shift
done
echo 4242
"""


def guide_blocks(heading: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced block in docs/gradebook.md's section `heading`."""
    section = GUIDE.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    return re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S)


def here(text: str, folder: Path) -> str:
    """A recipe's paths inside the container or cluster, mapped to this test's folder."""
    for theirs, ours in (("/data/grading_output", folder / "merged_k8s"),
                         ("/work/grading_output", folder / "merged_slurm"),
                         ("/data/submissions", folder / "submissions"),
                         ("/data/shards", folder / "shards"),
                         ("/work/submissions", folder / "submissions"),
                         ("/work/shards", folder / "shards"),
                         ("/data/solutions", ROOT / "solutions"),
                         ("/root/solutions", ROOT / "solutions")):
        text = text.replace(theirs, str(ours))
    return text.replace("python -m ", f"{sys.executable} -m ")


def kubernetes_recipe(folder: Path) -> tuple[str, str]:
    """The Indexed Job's container command and the merge command, as the guide gives them."""
    (_, job), (_, merge) = guide_blocks("### Kubernetes: an Indexed Job")
    spec = yaml.safe_load(job)["spec"]
    container = spec["template"]["spec"]["containers"][0]
    assert container["command"] == ["sh", "-c"] and spec["completionMode"] == "Indexed"
    script = container["args"][0]
    assert f"/{spec['completions']} " in script, "the shard count and completions disagree"
    script = script.replace(f"/{spec['completions']} ", f"/{SHARDS} ")
    # A kernel of its own user needs root and a Python other users can run (this machine's
    # is not): tested by test_grading_hostile.py where the machine allows it.
    script = re.sub(r"\s--kernel-uid-base \d+", "", script)
    return here(script, folder), here(merge, folder)


def slurm_recipe(folder: Path) -> tuple[str, str]:
    """The job array's script and the submission lines, as the guide gives them."""
    (_, job), (_, submit) = [b for b in guide_blocks("### SLURM: a job array") if b[0] == "bash"]
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)", job).groups())
    count = int(re.search(r"^N=(\d+)$", job, flags=re.M)[1])
    assert (first, last) == (1, count), "array tasks are the shards 1..N"
    job = re.sub(r"^N=\d+$", f"N={SHARDS}", job, flags=re.M)
    return here(job, folder), here(submit.replace("$PWD:/work", str(folder)), folder)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One single run; then the guide's own recipes, on this machine: shard 1 as the
    Kubernetes Indexed Job's pod of index 0 runs it, shard 2 as the SLURM array's task 2
    does, each merged as the guide says (docs/gradebook.md, its appendix for IT staff)."""
    folder = tmp_path_factory.mktemp("shards")
    submissions = folder / "submissions"
    write_class(submissions)
    single = folder / "single"
    for out in (single, folder / "merged_k8s", folder / "merged_slurm"):
        out.mkdir()
        (out / MARKS_FILE_NAME).write_text(MARKS, encoding="utf-8")
    marks_time = (single / MARKS_FILE_NAME).stat().st_mtime_ns
    grading.grade(submissions, single, workers=1, cell_timeout=30)
    tools = folder / "bin"
    tools.mkdir()
    for name, text in (("apptainer", FAKE_APPTAINER), ("sbatch", FAKE_SBATCH)):
        (tools / name).write_text(text, encoding="utf-8")
        (tools / name).chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=f"{tools}:{os.environ['PATH']}")
    (pod, k8s_merge), (array_job, slurm_submit) = kubernetes_recipe(folder), slurm_recipe(folder)
    # Both shards at once, as two machines would run them: separate processes and outputs.
    processes = [
        subprocess.Popen(["sh", "-c", pod], env=dict(env, JOB_COMPLETION_INDEX="0"),
                         cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True),
        subprocess.Popen(["bash", "-c", array_job], env=dict(env, SLURM_ARRAY_TASK_ID="2"),
                         cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)]
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * SHARDS, outputs
    for command in (k8s_merge, slurm_submit):
        done = subprocess.run(["bash", "-c", command], env=env, cwd=folder,
                              capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    return folder, single, marks_time


def test_each_shard_graded_only_its_own_students(runs):
    folder, *_ = runs
    owned = []
    for k in range(1, SHARDS + 1):
        manifest = json.loads((folder / "shards" / str(k) / shards.SHARD_MANIFEST).read_text())
        assert manifest["shard"] == k and manifest["of"] == SHARDS
        students = {s for s, _ in manifest["submissions"]}
        assert students, f"shard {k} is empty: choose other student names for this test"
        graded = {p.name for p in (folder / "shards" / str(k) / "results").iterdir()}
        assert graded == students
        owned.append(students)
    assert set.union(*owned) == {"alice_complete", "carol_half"}
    assert not set.intersection(*owned)


@pytest.mark.parametrize("merged", ["merged_k8s", "merged_slurm"])
def test_merged_shards_equal_a_single_run(runs, merged):
    folder, single, _ = runs
    one, joined = compared_files(single), compared_files(folder / merged)
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
    folder, single, marks_time = runs
    for out in (single, folder / "merged_k8s", folder / "merged_slurm"):
        assert (out / MARKS_FILE_NAME).read_text(encoding="utf-8") == MARKS
        assert not (out / f"{MARKS_FILE_NAME}.bak").exists()
    assert (single / MARKS_FILE_NAME).stat().st_mtime_ns == marks_time
    page = (single / "feedback_html" / "carol_half" / f"{NOTEBOOK}.html").read_text()
    assert "Too short." in page and "&lt;b&gt;differently&lt;/b&gt;" in page


def test_a_regrade_keeps_the_marks_and_merges_them_again(runs, tmp_path):
    folder, single, _ = runs
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
        shards.read_manifests([folder / "shards" / "1"])
    with pytest.raises(shards.ShardError, match="given twice"):
        shards.read_manifests([folder / "shards" / "1", folder / "shards" / "1"])
    other = tmp_path / "other"
    other.mkdir()
    (other / shards.SHARD_MANIFEST).write_text(json.dumps({"shard": 2, "of": 3,
                                                           "submissions": []}))
    with pytest.raises(shards.ShardError, match="different N"):
        shards.read_manifests([folder / "shards" / "1", other])
    with pytest.raises(shards.ShardError, match="not a shard's output"):
        shards.read_manifests([tmp_path])
    late = tmp_path / "submissions"
    shutil.copytree(folder / "submissions", late)
    shutil.copytree(late / "carol_half", late / "zoe_late")
    with pytest.raises(shards.ShardError, match="belong to no shard.*zoe_late"):
        shards.merge([folder / "shards" / "1", folder / "shards" / "2"], tmp_path / "m", late,
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
