"""The grader's sandbox as a jail: nothing a student's code writes or reaches outlives its kernel.

Two levels:
- the sandbox itself (kernel.enter_sandbox), built as the grader builds it for each kernel, with
  a probe inside that reports what it could read, write and reach: the list in docs/grading.md
  ("What a kernel can read"), tried path by path;
- the real pipeline (grade.grade) on a class of jail-breakers and honest classmates, in the
  default mode and with --isolation on; and with --isolation off, to show that what holds the
  attacks in the sandbox is the sandbox (mutation-style): the same attacks then succeed, and
  the last line of defence (the course's digests) stops the batch.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import hostile_submissions as hostile
import pytest

from balkan_course.grading import grade as grading
from balkan_course.grading import kernel
from balkan_course.grading import keys as key_files

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(json.__file__).parent.parent  # the standard library
VENV_SITE = next(Path(p) for p in sys.path if p.endswith("site-packages"))

needs_sandbox = pytest.mark.skipif(
    not grading.sandbox_available(),
    reason="this machine cannot build the sandbox (unshare refused, or Linux older than 5.12)")


# ---------------------------------------------------------------- the sandbox, probed


PROBE = r"""
import json, os, socket, sys
sys.path.insert(0, {root!r})
from balkan_course.grading import kernel
kernel.SYSTEM_PATHS = kernel.SYSTEM_PATHS + tuple({extra_visible!r})
kernel.close_inherited_descriptors()
open("/tmp/connection-{tag}.json", "w").write("{{}}")
kernel.enter_sandbox("/tmp/connection-{tag}.json", {hide!r}, 64, {sockets!r})
report = {{"exists": {{}}, "readable": {{}}, "writable": {{}}, "connects": {{}}, "fds": []}}
for path in {paths!r}:
    report["exists"][path] = os.path.lexists(path)
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        report["readable"][path] = True
    except OSError:
        report["readable"][path] = False
for path in {writes!r}:
    try:
        with open(path, "a") as handle:  # (nothing written: a broken jail harms no file)
            if not os.path.getsize(path):
                handle.write("# planted by a student\n")
        report["writable"][path] = True
    except OSError as problem:
        report["writable"][path] = problem.strerror
for path in {connects!r}:
    try:
        client = socket.socket(socket.AF_UNIX)
        client.settimeout(1)
        client.connect(path)
        client.sendall(b"hello from inside")
        report["connects"][path] = True
    except OSError as problem:
        report["connects"][path] = problem.strerror
for name in os.listdir("/proc/self/fd"):
    try:
        report["fds"].append(os.readlink("/proc/self/fd/" + name))
    except OSError:
        pass
try:
    with open("/tmp/work/filler", "wb") as handle:
        for _ in range(200):
            handle.write(b"x" * 2**20)
    report["tmp_full"] = False
except OSError as problem:
    report["tmp_full"] = problem.strerror
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
report["shm_64mb"] = libc.shmget(0, 64 * 2**20, 0o1000 | 0o600) != -1
print("REPORT" + json.dumps(report))
"""


def probe(paths=(), writes=(), connects=(), hide=(), sockets=(), extra_visible=(),
          pass_fds=()) -> dict:
    """Build the sandbox as the grader does for a kernel (worker namespaces, then the kernel's
    own) and report from inside it."""
    code = PROBE.format(root=str(ROOT), paths=list(map(str, paths)),
                        writes=list(map(str, writes)), connects=list(map(str, connects)),
                        hide=list(map(str, hide)), sockets=list(map(str, sockets)),
                        extra_visible=list(map(str, extra_visible)), tag=uuid.uuid4().hex)
    command = ["unshare", *grading.SANDBOX_FLAGS, *grading.KERNEL_SANDBOX_FLAGS,
               sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                          pass_fds=pass_fds)
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT")]
    assert lines, done.stderr[-2000:]
    return json.loads(lines[-1][len("REPORT"):])


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    """Folders of the grading machine a kernel must not see: another student's, results."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "other_student").mkdir()
    (folder / "other_student" / "00_start_here.ipynb").write_text("{}")
    (folder / "results.json").write_text("{}")
    return folder


READABLE = [ROOT / "balkan_course" / "grading" / "checks.py",
            ROOT / "balkan_course" / "grading" / "answer_keys",
            ROOT / "data" / "sources.csv",
            STDLIB / "json" / "__init__.py",
            Path(sys.executable)]
INVISIBLE = [ROOT / "solutions" / "00_start_here.ipynb",
             ROOT / "tests" / "answer_corpus" / "s00_start_here.py",
             ROOT / "exercises" / "00_start_here.ipynb",
             ROOT / "notebooks" / "00_start_here.ipynb",
             ROOT / ".git" / "HEAD",
             ROOT / "build",
             ROOT / "releases",
             ROOT / "grading_output",
             Path("/run"), Path("/var/run"), Path("/var"), Path("/home"),
             Path("/root/.bash_history"), Path("/proc/1/root/etc")]


@needs_sandbox
def test_a_kernel_reads_only_what_the_docs_list(outside):
    secret = outside / "other_student" / "00_start_here.ipynb"
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR", "/run/user/0"))
    report = probe(paths=[*READABLE, *INVISIBLE, secret, outside / "results.json", runtime])
    for path in READABLE:
        assert report["exists"][str(path)], f"a kernel needs {path}"
    for path in [*INVISIBLE, secret, outside / "results.json", runtime]:
        assert not report["readable"][str(path)], f"a kernel can read {path}"
    docs = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    for name in ("solutions/", "tests/", "build/", "releases/", "/run", "/home"):
        assert name in docs.split("### What a kernel can read")[1].split("\n## ")[0], name


@needs_sandbox
def test_a_kernel_writes_nothing_but_its_private_tmp():
    key_file = next((ROOT / "balkan_course" / "grading" / "answer_keys").glob("*.json"))
    targets = [ROOT / "balkan_course" / "grading" / "report.py",  # run by the grader later
               key_file,
               ROOT / "data" / "sources.csv",
               VENV_SITE / "zz_planted.pth",                        # run by every Python
               Path(sys.base_prefix) / "zz_planted.py",
               Path("/etc/zz_planted"), Path("/zz_planted"), Path("/usr/zz_planted")]
    before = grading.course_digest([ROOT / "balkan_course", ROOT / "data"])
    report = probe(writes=[*targets, Path("/tmp/work/mine.txt")])
    for target in targets:
        assert report["writable"][str(target)] is not True, f"a kernel wrote {target}"
        assert not (target.name.startswith("zz_") and target.exists())
    assert report["writable"]["/tmp/work/mine.txt"] is True
    assert grading.course_digest([ROOT / "balkan_course", ROOT / "data"]) == before


@needs_sandbox
def test_disk_and_shared_memory_are_capped():
    report = probe()
    assert report["tmp_full"] == "No space left on device"  # 200 MB into a 64 MB /tmp
    assert report["shm_64mb"] is False


@needs_sandbox
def test_no_socket_of_the_host_is_reachable(tmp_path):
    """A listener in a folder the kernel can see (made visible for the test) and one the
    kernel cannot see; and every socket bound on this machine: no connection arrives."""
    visible = tmp_path / "visible"
    visible.mkdir()
    heard: list[bytes] = []
    listeners = []
    for path in (visible / "bus.sock", tmp_path / "docker.sock"):
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.listen()
        server.settimeout(0.2)
        listeners.append(server)

    probe_done = threading.Event()

    def listen():
        # Until the probe is over, then one more round: a connection made at its last moment
        # is still heard (connect() returns once queued, before accept()).
        while True:
            finished = probe_done.is_set()
            for server in listeners:
                try:
                    connection, _ = server.accept()
                    heard.append(connection.recv(100))
                except OSError:
                    pass
            if finished:
                return

    thread = threading.Thread(target=listen)
    thread.start()
    host = grading.list_host_sockets()
    assert str(visible / "bus.sock") in host  # the grader finds it, as any bound socket
    targets = [visible / "bus.sock", tmp_path / "docker.sock", *host[:50],
               "/run/dbus/system_bus_socket", "/var/run/docker.sock"]
    try:
        report = probe(connects=targets, sockets=host, extra_visible=[visible])
    finally:
        probe_done.set()
        thread.join()
    for server in listeners:
        server.close()
    assert heard == []
    assert not any(result is True for result in report["connects"].values()), report["connects"]


@needs_sandbox
def test_the_socket_cover_is_what_holds_a_visible_socket(tmp_path):
    """Mutation-style: the same visible listener, with the host's socket list withheld from
    the sandbox, is reached: covering listed sockets is the defence."""
    visible = tmp_path / "visible"
    visible.mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(visible / "bus.sock"))
    server.listen()
    report = probe(connects=[visible / "bus.sock"], sockets=[], extra_visible=[visible])
    server.close()
    assert report["connects"][str(visible / "bus.sock")] is True


@needs_sandbox
def test_no_inherited_descriptor_reaches_the_kernel(outside):
    secret = outside / "other_student" / "00_start_here.ipynb"
    with open(secret, "rb") as handle:
        os.set_inheritable(handle.fileno(), True)
        report = probe(pass_fds=(handle.fileno(),))
    assert not any(str(outside) in link for link in report["fds"]), report["fds"]


def test_the_sandbox_never_binds_the_course_folder_or_a_folder_around_it():
    paths = kernel.visible_paths()
    root = os.path.realpath(kernel.COURSE_ROOT)
    assert not any(kernel.inside(root, [p]) for p in paths), paths
    assert os.path.join(root, "balkan_course") in paths
    assert "/" not in paths and "/tmp" not in paths


def test_host_sockets_are_read_from_the_kernel_table(tmp_path):
    path = tmp_path / "listener.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        assert str(path) in grading.list_host_sockets()
    finally:
        server.close()


# ---------------------------------------------------------------- the pipeline


PLANT = """
import os, pathlib
# An existing file of the course (the grader imports it later), opened to append (nothing is
# written, so that the test run without the sandbox harms no file), then new files.
for target in [{report!r}, {key!r}]:
    try:
        open(target, "a").close()
    except OSError:
        pass
for target in {new_files!r}:
    try:
        pathlib.Path(target).write_text("import os  # planted")
    except OSError:
        pass
# 300 MB of small files: the number of files is not capped, their room is.
for number in range(30):
    try:
        pathlib.Path(f"filler{{number}}.bin").write_bytes(b"x" * 10 * 2**20)
    except OSError:
        break
"""

READ_CORPUS = """
import pathlib
corpus = pathlib.Path({corpus!r})
if corpus.exists() and corpus.read_text():
    total = sum(figures)  # stands for an answer copied from the corpus
"""

MEMFD = """
import os, time
held = []
for _ in range(12):
    fd = os.memfd_create("hoard")
    for _ in range(8):
        os.write(fd, b"x" * 2**23)
    held.append(fd)
    time.sleep(0.05)
"""

SYSV_SHM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(0, 600 * 2**20, 0o1000 | 0o600)
assert segment != -1, "no segment"
total = sum(figures)  # only reached when 600 MB of System V memory was granted
"""


def jail_cases(new_files: list[Path]) -> list[hostile.Case]:
    key_file = next((ROOT / "balkan_course" / "grading" / "answer_keys").glob("*.json"))
    plant = PLANT.format(report=str(ROOT / "balkan_course" / "grading" / "report.py"),
                         key=str(key_file), new_files=[str(path) for path in new_files])
    name = f"{hostile.NOTEBOOK}.ipynb"
    return [
        hostile.Case("a_honest_first", hostile.FULL, "ok", files={name: hostile.completed()}),
        hostile.Case("j01_writes_the_course", hostile.NOTHING,
                     files={name: hostile.attack(plant)}),
        hostile.Case("j02_reads_the_answer_corpus", hostile.NOTHING, files={name: hostile.attack(
            READ_CORPUS.format(corpus=str(ROOT / "tests" / "answer_corpus" / "__init__.py")))}),
        hostile.Case("j03_hoards_memfd", hostile.NOTHING, "memory limit hit in cell q1-answer",
                     files={name: hostile.attack(MEMFD)}),
        hostile.Case("j04_sysv_shared_memory", hostile.NOTHING,
                     files={name: hostile.attack(SYSV_SHM)}),
        hostile.Case("z_honest_after_them", hostile.FULL, "ok",
                     files={name: hostile.completed()}),
    ]


def course_targets(planted_name: str) -> list[Path]:
    """New files a jail-breaker tries to plant in the course, its environment and around it."""
    return [ROOT / "balkan_course" / "grading" / planted_name,
            VENV_SITE / f"{planted_name[:-3]}.pth", ROOT / "exercises" / planted_name,
            Path(sys.prefix) / planted_name, ROOT.parent / planted_name,
            ROOT / "data" / planted_name]


def planted_files(targets: list[Path]) -> list[Path]:
    return [path for path in targets if path.exists()]


def grade_class(folder: Path, isolation: str, targets: list[Path]):
    """Grade the jail-breakers' class; targets: the files they try to plant (the drill's own
    solutions folder is always among them: the grader guards it like the course)."""
    submissions, out = folder / "submissions", folder / "out"
    with pytest.MonkeyPatch.context() as patch:
        solutions, keys = hostile.make_drill_course(folder / "instructor")
        patch.setenv(key_files.KEYS_DIR_ENV, str(keys))
        patch.setattr(key_files, "_keys_cache", {})
        cases = jail_cases([*targets, solutions / "zz_planted.py"])
        hostile.write_class(submissions, cases)
        try:
            grading.grade(submissions, out, solutions, workers=2, cell_timeout=8,
                          notebook_timeout=20, memory_mb=250, preload=False,
                          isolation=isolation)
        except grading.CourseChangedError as problem:
            return cases, out, problem
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return cases, out, rows


@needs_sandbox
@pytest.mark.parametrize("isolation", ["auto", "on"])
def test_jail_breakers_earn_nothing_and_leave_nothing(tmp_path, isolation):
    targets = course_targets(f"zz_planted_{uuid.uuid4().hex[:8]}.py")
    key_files = ROOT / "balkan_course" / "grading" / "answer_keys"
    before = grading.course_digest([key_files, ROOT / "balkan_course", ROOT / "data"])
    try:
        cases, out, rows = grade_class(tmp_path, isolation, targets)
        assert planted_files(targets) == []
        assert not (tmp_path / "instructor" / "solutions" / "zz_planted.py").exists()
    finally:
        for path in planted_files(targets):
            path.unlink()
    assert isinstance(rows, dict), rows  # the batch was not stopped: nothing was written
    assert "sandbox: yes" in (out / "grader.log").read_text(encoding="utf-8")
    for case in cases:
        row = rows[case.student]
        points = float(row["total"])
        if case.expect == hostile.FULL:
            assert points == sum(hostile.POINTS.values()), (case.student, row)
        else:
            assert points == 0, (case.student, row)
        assert case.status in row["status"], (case.student, row["status"])
    assert grading.course_digest([key_files, ROOT / "balkan_course", ROOT / "data"]) == before


def test_without_the_sandbox_the_same_class_is_stopped_by_the_digests(tmp_path):
    """Mutation-style: with --isolation off a kernel writes what the grader guards (the
    attack works; aimed here only at this test's own solutions folder, so that no other test
    running beside it sees the course change), and the check after the batch refuses the
    run's grades instead of using them."""
    cases, out, outcome = grade_class(tmp_path, "off", [])
    planted = tmp_path / "instructor" / "solutions" / "zz_planted.py"
    assert planted.exists(), "without the sandbox the attack should have written the file"
    assert isinstance(outcome, grading.CourseChangedError)
    assert "zz_planted.py" in str(outcome)
    assert not (out / "grades.csv").exists()
    assert list((out / "results").rglob("*.json")) == []  # nothing kept to resume from


def test_the_digest_check_names_what_changed(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    before = grading.course_digest([tmp_path])
    grading.check_course_unchanged(before, [tmp_path])  # unchanged: no error
    (tmp_path / "a.py").write_text("x = 2\n")
    with pytest.raises(grading.CourseChangedError, match="a.py"):
        grading.check_course_unchanged(before, [tmp_path])
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.pth").write_text("import os\n")
    with pytest.raises(grading.CourseChangedError, match="b.pth"):
        grading.check_course_unchanged(before, [tmp_path])


def test_memory_files_are_counted(tmp_path):
    """The memory watch sees a memfd that no mapping shows (RSS does not count it)."""
    from balkan_course.grading import runner

    holder = subprocess.Popen([sys.executable, "-c", (
        "import os, sys, time\nfd = os.memfd_create('hoard')\n"
        "os.write(fd, b'x' * 50 * 2**20)\nprint('ready', flush=True)\ntime.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert runner._memory_files_bytes(holder.pid, set()) >= 50 * 2**20
    finally:
        holder.kill()
        holder.wait()


@needs_sandbox
def test_a_course_cloned_under_tmp_is_graded_in_the_sandbox(tmp_path):
    """From a clone under /tmp (as CI or a teacher might make one) the sandbox still works:
    the course is bound back over the kernel's private /tmp, its solutions stay hidden. The
    submissions and output folders are given relative to the course, as `make grade` does."""
    clone = Path(tempfile.mkdtemp(prefix="course-under-tmp-", dir="/tmp"))
    try:
        shutil.copytree(ROOT / "balkan_course", clone / "balkan_course",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "data", clone / "data")
        solutions, keys = hostile.make_drill_course(clone / "instructor")
        submissions = clone / "submissions"
        read_solutions = hostile.READ_SOLUTIONS.format(patterns=[f"{solutions}/*.ipynb"])
        name = f"{hostile.NOTEBOOK}.ipynb"
        hostile.write_class(submissions, [
            hostile.Case("a_honest", hostile.FULL, files={name: hostile.completed()}),
            hostile.Case("h_reads_solutions", hostile.NOTHING,
                         files={name: hostile.attack(read_solutions)})])
        env = dict(os.environ, PYTHONPATH=str(clone), **{key_files.KEYS_DIR_ENV: str(keys)})
        done = subprocess.run(
            # Relative folders, as `make grade` gives them (the workers run elsewhere).
            [sys.executable, "-m", "balkan_course.grading", "submissions", "--out", "out",
             "--solutions", str(solutions), "--isolation", "on",
             "--cell-timeout", "8"],
            cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "sandbox: yes" in (clone / "out" / "grader.log").read_text(encoding="utf-8")
        with (clone / "out" / "grades.csv").open(encoding="utf-8") as handle:
            totals = {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}
        assert totals == {"a_honest": sum(hostile.POINTS.values()), "h_reads_solutions": 0}
    finally:
        shutil.rmtree(clone, ignore_errors=True)
