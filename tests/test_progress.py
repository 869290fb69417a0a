"""Long commands say how far they are (issue 26): done/total, the item at work, the time left.

Real runs, their output read: a small grading batch of the drill course
(tests/hostile_submissions.py), the merge of its one shard, a release of the drill, an LMS
import, make html on one lesson and the notebook step of make test-binder. Each in both modes:
on a terminal (a pseudo-terminal: rich's bar, redrawn in place) and in a log (plain lines, one
per item, and a "still working" line while nothing finishes).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import hostile_submissions as hostile
import nbformat
import pytest

from balkan_course.grading.progress import MODE_ENV, Progress, duration

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def environment(**extra) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop(MODE_ENV, None)
    return env


def in_a_log(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    """The command with its output to pipes, as in CI."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def in_a_terminal(argv: list[str], env: dict) -> str:
    """The command on a pseudo-terminal (stdout and stderr both): everything it wrote."""
    leader, follower = os.openpty()
    process = subprocess.Popen(argv, env={**env, "COLUMNS": "150"}, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=600) == 0, b"".join(chunks)[-3000:]
    return b"".join(chunks).decode("utf-8", "replace")


def assert_a_bar(output: str, label: str, total: int) -> None:
    """rich's bar: redrawn in place (carriage returns, escapes), done/total, time left."""
    assert "\r" in output and ANSI.search(output), output[-2000:]
    text = ANSI.sub("", output)
    assert label in text and f"{total}/{total}" in text and "left" in text, text[-2000:]
    assert f"{label}: {total} to do" not in text  # not the plain lines


def plain_lines(stderr: str, label: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{label}:")]


# ---------------------------------------------------------------- the helper itself


def test_plain_lines_one_per_item_with_done_total_and_time_left():
    stream = io.StringIO()
    with Progress("demo", total=3, stream=stream, mode="plain") as progress:
        for item in ("a", "b", "c"):
            progress.start(item)
            time.sleep(0.05)
            progress.done(item)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "demo: 3 to do"
    assert lines[1].startswith("demo: 1/3 done, last a; about ") and lines[1].endswith(" left")
    assert lines[3] == "demo: 3/3 done, last c"
    assert re.fullmatch(r"demo: finished, 3/3 done in \d+ s", lines[4])
    assert len(lines) == 5


def test_a_quiet_stretch_gets_a_still_working_line_naming_the_item():
    stream = io.StringIO()
    with Progress("demo", total=2, stream=stream, mode="plain", heartbeat=0.3) as progress:
        progress.start("slow one")
        time.sleep(1.0)
        progress.done("slow one")
        progress.done("quick one")
    lines = stream.getvalue().splitlines()
    working = [line for line in lines if "still working" in line]
    assert working and working[0] == "demo: still working, 0/2 done; now slow one"
    assert len(working) <= 4  # one per heartbeat at most, not one per poll


def test_many_quick_items_are_summed_up_not_listed():
    stream = io.StringIO()
    with Progress("import", total=200, stream=stream, mode="plain", every=60) as progress:
        for number in range(200):
            progress.done(f"entry {number}")
    assert stream.getvalue().splitlines() == [
        "import: 200 to do", "import: 200/200 done, last entry 199",
        "import: finished, 200/200 done in 0 s"]


def test_a_failed_step_says_it_stopped():
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Progress("demo", total=2, stream=stream, mode="plain"):
        raise RuntimeError("boom")
    assert stream.getvalue().splitlines()[-1].startswith("demo: stopped, 0/2 done")


def test_on_a_terminal_the_bar_is_drawn_in_place():
    stream = io.StringIO()
    stream.isatty = lambda: True
    with Progress("demo", total=2, stream=stream) as progress:
        progress.start("first")
        progress.done("first")
        progress.done("second")
    assert_a_bar(stream.getvalue(), "demo", 2)


def test_durations_read_as_words():
    assert [duration(s) for s in (4, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]


def test_rich_is_a_pinned_top_level_requirement():
    listed = (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    rich = [line for line in listed if line.startswith("rich==")]
    assert rich and rich[0] in pinned


# ---------------------------------------------------------------- real commands


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """The drill course, and a class of two: one right, one untouched."""
    folder = tmp_path_factory.mktemp("progress")
    with pytest.MonkeyPatch.context():
        solutions, keys = hostile.make_drill_course(folder / "instructor")
    submissions = folder / "submissions"
    for student, notebook in (("ana", hostile.completed()), ("beni", hostile.exercise())):
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / f"{hostile.NOTEBOOK}.ipynb")
    env = environment(BALKAN_COURSE_KEYS_DIR=str(keys))
    return folder, solutions, submissions, env


def grade_command(drill, out: Path, *more: str) -> list[str]:
    _, solutions, submissions, _ = drill
    return [sys.executable, "-m", "balkan_course.grading", str(submissions), "--out", str(out),
            "--solutions", str(solutions), "--workers", "1", "--isolation", "off", *more]


def test_grading_in_a_log_prints_a_line_per_notebook(drill):
    folder, solutions, submissions, env = drill
    done = in_a_log(grade_command(drill, folder / "log-out", "--shard", "1/1"), env)
    lines = plain_lines(done.stderr, "grade")
    assert lines[0] == "grade: 2 to do"
    assert lines[1].startswith("grade: 1/2 done, last ana/00_drill; about ")
    assert lines[2] == "grade: 2/2 done, last beni/00_drill"
    assert lines[3].startswith("grade: finished, 2/2 done in ")
    assert "grade: reports: 2/2 done, last gradebook and pages" in done.stderr
    assert "graded 2 notebook(s)" in done.stdout  # the result line stays on stdout
    # The merge of that one shard, in a log too.
    merged = in_a_log([sys.executable, "-m", "balkan_course.grading.shards", "merge",
                       str(folder / "log-out"), "--out", str(folder / "merged"),
                       "--submissions", str(submissions), "--solutions", str(solutions)], env)
    assert plain_lines(merged.stderr, "merge")[0] == "merge: 3 to do"
    assert "merge: 3/3 done, last writing the gradebook and its pages" in merged.stderr


def test_grading_on_a_terminal_draws_a_bar(drill):
    folder, *_ = drill
    output = in_a_terminal(grade_command(drill, folder / "tty-out"), drill[3])
    assert_a_bar(output, "grade", 2)
    assert "graded 2 notebook(s)" in output


def test_a_release_shows_its_keys_and_its_student_folders(drill):
    folder, solutions, _, env = drill
    roster = folder / "roster.csv"
    roster.write_text("student\nana\nbeni\ncyra\n", encoding="utf-8")
    command = [sys.executable, "-m", "balkan_course.grading.release", "--class", "c1",
               "--roster", str(roster), "--solutions", str(solutions)]
    done = in_a_log([*command, "--out", str(folder / "releases")], env)
    folders = plain_lines(done.stderr, "release: student folders")
    assert folders[0] == "release: student folders: 3 to do"
    assert folders[1].startswith("release: student folders: 1/3 done, last ana")
    assert "release: student folders: 3/3 done, last cyra" in done.stderr
    assert "release: keys of every version: 1/1 done, last 00_drill" in done.stderr
    output = in_a_terminal([*command, "--out", str(folder / "releases-tty")], env)
    assert_a_bar(output, "release: student folders", 3)


def test_an_lms_import_sums_up_its_entries(drill, tmp_path):
    _, solutions, submissions, env = drill
    download = tmp_path / "moodle"
    for number, student in enumerate(("Ana Kovač", "Beni Hoxha"), start=1):
        entry = download / f"{student}_{100 + number}_assignsubmission_file_"
        entry.mkdir(parents=True)
        (entry / f"{hostile.NOTEBOOK}.ipynb").write_bytes(
            (submissions / "ana" / f"{hostile.NOTEBOOK}.ipynb").read_bytes())
    command = [sys.executable, "-m", "balkan_course.grading.lms_import", "moodle",
               str(download), "--solutions", str(solutions)]
    done = in_a_log([*command, "--into", str(tmp_path / "into")], env)
    assert plain_lines(done.stderr, "import moodle") == [
        "import moodle: 2 to do", f"import moodle: 2/2 done, last {entry.name}/00_drill.ipynb",
        plain_lines(done.stderr, "import moodle")[-1]]
    assert "2 imported" in done.stdout
    output = in_a_terminal([*command, "--into", str(tmp_path / "into-tty")], env)
    assert_a_bar(output, "import moodle", 2)


def test_make_html_shows_each_lesson(tmp_path):
    # The shortest lesson: the lines are what is tested, not the page (test_export_html.py)
    lesson = ROOT / "notebooks" / "09_common_errors.ipynb"
    command = [sys.executable, "scripts/export_html.py", str(lesson)]
    done = in_a_log([*command, "--out", str(tmp_path / "log")], environment())
    assert plain_lines(done.stderr, "html")[:2] == ["html: 1 to do",
                                                    "html: 1/1 done, last 09_common_errors.ipynb"]
    assert "09_common_errors.html" in done.stdout
    output = in_a_terminal([*command, "--out", str(tmp_path / "tty")], environment())
    assert_a_bar(output, "html", 1)


def test_make_test_binder_shows_each_notebook_it_runs(tmp_path, capsys):
    """The notebook step of scripts/check_binder_route.py, on two small notebooks run with
    nbconvert as that step runs them (the build before it needs the package registry)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import check_binder_route as route
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("a_first", "b_second"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    env = {**environment(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                     f"{os.environ['PATH']}"}
    (tmp_path / "executed").mkdir()
    failed = route.run_notebooks(sorted(folder.glob("*.ipynb")), env, tmp_path / "executed", 1,
                                 tmp_path)
    err = capsys.readouterr().err
    assert failed == 0
    lines = plain_lines(err, "notebooks")
    assert lines[0] == "notebooks: 2 to do"
    assert lines[1].startswith("notebooks: 1/2 done, last notebooks/a_first.ipynb; about ")
    assert lines[2] == "notebooks: 2/2 done, last notebooks/b_second.ipynb"


def test_the_environment_variable_chooses_the_mode(monkeypatch):
    stream = io.StringIO()
    stream.isatty = lambda: True
    monkeypatch.setenv(MODE_ENV, "plain")
    with Progress("demo", total=1, stream=stream) as progress:
        progress.done("only")
    assert stream.getvalue().splitlines()[:2] == ["demo: 1 to do", "demo: 1/1 done, last only"]
    quiet = io.StringIO()
    monkeypatch.setenv(MODE_ENV, "off")
    with Progress("demo", total=1, stream=quiet) as progress:
        progress.done("only")
    assert quiet.getvalue() == ""
