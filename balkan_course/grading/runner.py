"""The grading worker: runs prepared submissions in grading kernels and judges their answers.

    python -m balkan_course.grading.runner --results DIR [--memory-mb M] ... < job paths

grade.py starts one worker per `--workers` (inside a sandbox when it can, see kernel.py) and
feeds it one job file at a time on stdin; the worker answers `done <job>` on stdout once the
job's result is on disk. For each job (one student's notebook):
1. take a kernel started ahead of time (course imports done), in a fresh folder;
2. run the code cells in order (set-up code is the instructor's, answers and added cells are the
   student's) with a per-cell limit, a per-notebook limit and a memory watch; a kernel that
   stays busy after an interrupt, or passes its memory, is killed;
3. at each check cell, instead of running it, ask the kernel for the VALUES the check's answer
   expression needs (answers.emit, a reply keyed by a nonce made now) and evaluate the
   expression HERE, on the rebuilt values, with judge.judge against the answer key. The
   kernel's printed text decides nothing;
4. write the result (points per check and per part, the student's errors, statuses) at once.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from balkan_course.grading import answers, budget, hidden_data
from balkan_course.grading.checks import missing_name_line
from balkan_course.grading.judge import judge

POLL_SECONDS = 0.2
GRACE_SECONDS = 3.0      # after an interrupt, before the kernel is killed
REQUEST_SECONDS = 30.0   # for the kernel to hand over the values of one check
OPENING_SECONDS = 120.0  # for all the instructor's opening cells (imports), loaded machine
KERNEL_START_ATTEMPTS = 3  # a kernel that dies while starting is replaced (started_kernel)
GRADING_META = "balkan_course_grading"  # kept for imports from older code
HOST_SOCKETS = "host-sockets.txt"  # in the work folder: grade.list_host_sockets()


def result_path(results_dir: Path, student: str, notebook: str) -> Path:
    return results_dir / student / f"{notebook}.json"


def write_json_atomically(path: Path, data: dict) -> None:
    """Write then rename, so a crash never leaves half a result behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


# ---------------------------------------------------------------- kernels


KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH",
                  "BALKAN_COURSE_KEYS_DIR")


def kernel_environment(home: str) -> dict[str, str]:
    """Only these reach a student's kernel: the grader's own environment may hold secrets."""
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env.update(HOME=home, TMPDIR="/tmp", PYTHONDONTWRITEBYTECODE="1",
               # charts.TEXT_ONLY_ENV: outputs are dropped, so charts are not drawn
               BALKAN_COURSE_CHARTS_AS_TEXT="1")
    return env


@dataclass
class Limits:
    cell_timeout: float = 60
    notebook_timeout: float = 600
    memory_mb: int = 2000
    output_kb: int = 256


class KernelPool:
    """Starts grading kernels ahead of need (`ahead` of them: kernel start and the course's
    imports often take longer than a notebook), each in a folder of its own."""

    def __init__(self, work_dir: Path, limits: Limits, sandbox: bool, hide: list[str],
                 uid_base: int | None, worker_index: int, prestart: bool = True,
                 preload: bool = True, ahead: int = 1, expected: int = 10**9):
        self.work_dir, self.limits, self.sandbox, self.hide = work_dir, limits, sandbox, hide
        # The host's unix sockets (sandbox.list_host_sockets): covered where a kernel sees them.
        sockets = work_dir / HOST_SOCKETS
        self.sockets_file = str(sockets) if sandbox and sockets.exists() else None
        self.uid_base, self.prestart, self.preload = uid_base, prestart, preload
        self.ahead = ahead if prestart else 0
        self.expected = expected  # notebooks this worker will probably run: no kernel beyond
        self.counter = worker_index * 10_000
        self.waiting = [self._spawn() for _ in range(min(self.ahead, expected))]
        self.retiring: list[threading.Thread] = []  # kernels being stopped (retire)

    def _argv(self, folder: Path, uid: int | None) -> list[str]:
        # Run as a script, not `-m`: importing the package balkan_course imports pandas
        # (~1 s), which a kernel started without --preload should not pay for nothing.
        argv = [sys.executable, str(Path(__file__).with_name("kernel.py")),
                "-f", "{connection_file}",
                "--memory-mb", str(self.limits.memory_mb), "--folder", str(folder)]
        if self.preload:
            argv.append("--preload")
        if uid is not None:
            argv += ["--uid", str(uid)]
        if self.sandbox:
            argv = ["unshare", "--mount", "--pid", "--ipc", "--fork", "--kill-child",
                    "--mount-proc", *argv, *[f"--hide={path}" for path in self.hide]]
            if self.sockets_file:
                argv.append(f"--sockets={self.sockets_file}")
        return argv

    def _spawn(self):
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_client.manager import KernelManager

        self.counter += 1
        uid = None if self.uid_base is None else self.uid_base + self.counter
        folder = self.work_dir / "kernels" / f"k{self.counter}"
        folder.parent.mkdir(mode=0o711, exist_ok=True)  # a kernel's own uid may pass through
        folder.mkdir(mode=0o700)
        argv = self._argv(folder, uid)

        class SpecManager(KernelSpecManager):
            def get_kernel_spec(self, kernel_name):
                return KernelSpec(argv=argv, language="python", display_name="grading", env={})

        manager = KernelManager(kernel_name="grading", kernel_spec_manager=SpecManager())
        manager.start_kernel(stderr=open(os.devnull, "w"), stdout=open(os.devnull, "w"),  # noqa: SIM115
                             cwd=str(folder), env=kernel_environment(str(folder)))
        manager.grading_folder = folder
        return manager

    def take(self):
        manager = self.waiting.pop(0) if self.waiting else self._spawn()
        self.expected -= 1
        while len(self.waiting) < min(self.ahead, self.expected):
            self.waiting.append(self._spawn())
        return manager

    def retire(self, kernel) -> None:
        """Stop a finished notebook's kernel in the background: its result no longer depends
        on it, and the next notebook need not wait for the shutdown (~0.1 s each)."""
        self.retiring = [t for t in self.retiring if t.is_alive()]
        thread = threading.Thread(target=kernel.close, daemon=True)
        thread.start()
        self.retiring.append(thread)

    def close(self):
        for manager in self.waiting:
            stop_kernel(manager)
        self.waiting = []
        for thread in self.retiring:
            thread.join(timeout=30)  # no kernel outlives its worker


def stop_kernel(manager) -> None:
    try:
        manager.shutdown_kernel(now=True)
    except Exception:  # already gone
        pass
    import shutil

    shutil.rmtree(getattr(manager, "grading_folder", ""), ignore_errors=True)


def kernel_memory_bytes(manager) -> int:
    """All the memory the kernel holds, counted whole: its processes' resident memory (shared
    mappings included), memory files (memfd) they hold open without mapping them, and what
    they wrote to their private /tmp and /dev/shm (tmpfs: memory, not disk)."""
    import psutil

    try:
        root = psutil.Process(manager.provisioner.process.pid)
        processes = [root, *root.children(recursive=True)]
    except (psutil.Error, AttributeError):
        return 0
    total, seen_files, seen_mounts = 0, set(), set()
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
        total += _memory_files_bytes(process.pid, seen_files)
        total += _private_tmpfs_bytes(process.pid, seen_mounts)
    return total


def _memory_files_bytes(pid: int, seen: set) -> int:
    total = 0
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for name in descriptors:
        link = f"/proc/{pid}/fd/{name}"
        try:
            if not os.readlink(link).startswith("/memfd:"):
                continue
            status = os.stat(link)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) not in seen:
            seen.add((status.st_dev, status.st_ino))
            total += status.st_size
    return total


def _private_tmpfs_bytes(pid: int, seen: set) -> int:
    """Bytes used in the sandboxed kernel's own /tmp and /dev/shm (seen through its root)."""
    total = 0
    for folder in ("tmp", "dev/shm"):
        try:
            stats = os.statvfs(f"/proc/{pid}/root/{folder}")
            identity = os.stat(f"/proc/{pid}/root/{folder}").st_dev
            shared = identity == os.stat(f"/{folder}").st_dev  # not sandboxed: the host's
        except OSError:
            continue
        if not shared and identity not in seen:
            seen.add(identity)
            total += (stats.f_blocks - stats.f_bfree) * stats.f_frsize
    return total


# ---------------------------------------------------------------- one cell


@dataclass
class Outcome:
    status: str = "ok"  # ok | error | time | notebook-time | memory | died
    error: str = ""     # "NameError: name 'x' is not defined" when the cell raised
    cut: bool = False
    displays: list = field(default_factory=list)  # answer replies (requests only)


def started_kernel(pool, attempts: int = KERNEL_START_ATTEMPTS) -> Kernel:
    """A ready kernel from the pool. No student code has run yet, so a kernel that dies while
    starting is the machine's doing (on a loaded machine, a port jupyter_client chose can be
    taken before the kernel binds it): it is stopped and replaced, up to `attempts` kernels;
    then the last error is raised."""
    for attempt in range(attempts):
        manager = pool.take()
        try:
            return Kernel(manager, pool.limits)
        except Exception:
            stop_kernel(manager)
            if attempt == attempts - 1:
                raise
    raise ValueError("attempts must be at least 1")


class Kernel:
    """One running grading kernel and the clock of the notebook it runs."""

    def __init__(self, manager, limits: Limits):
        self.manager, self.limits = manager, limits
        self.client = manager.client()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=120)
        except Exception:
            self.client.stop_channels()
            raise
        self.notebook_deadline = time.monotonic() + limits.notebook_timeout
        self.dead = False
        self.clock_started = False
        self.opening_deadline = time.monotonic() + max(OPENING_SECONDS, limits.cell_timeout)
        self._last_memory_check = 0.0

    def start_notebook_clock(self) -> None:
        """The per-notebook limit counts from the first cell a student could have written:
        the instructor's opening cells run no student code, so their time (slow imports on a
        loaded machine) is the grader's, not the student's."""
        if not self.clock_started:
            self.clock_started = True
            self.notebook_deadline = time.monotonic() + self.limits.notebook_timeout

    def run(self, code: str, silent: bool = False, timeout: float | None = None) -> Outcome:
        """Run code to the end, or stop the kernel if it will not stop; never raises."""
        outcome = Outcome()
        if self.dead:
            outcome.status = "died"
            return outcome
        try:
            msg_id = self.client.execute(code, silent=silent, store_history=not silent,
                                         allow_stdin=False)
        except Exception:
            self.dead = True
            outcome.status = "died"
            return outcome
        started = time.monotonic()
        cell_deadline = started + (timeout or self.limits.cell_timeout)
        interrupted_at = None
        size = 0
        while True:
            now = time.monotonic()
            if now >= min(cell_deadline, self.notebook_deadline) and interrupted_at is None:
                outcome.status = "time" if now >= cell_deadline else "notebook-time"
                interrupted_at = now
                try:
                    self.manager.interrupt_kernel()
                except Exception:
                    pass
            if interrupted_at is not None and now - interrupted_at > GRACE_SECONDS:
                self.kill()  # ignores SIGINT, or keeps printing: ended, not waited for
                return outcome
            if now - self._last_memory_check > 0.5:
                self._last_memory_check = now
                if kernel_memory_bytes(self.manager) > self.limits.memory_mb * 2**20:
                    self.kill()
                    outcome.status = "memory"
                    return outcome
            try:
                msg = self.client.get_iopub_msg(timeout=POLL_SECONDS)
            except Empty:
                if not self.manager.is_alive():
                    self.dead = True
                    if outcome.status == "ok":
                        outcome.status = "died"
                    return outcome
                continue
            except Exception:  # a message the client cannot decode
                continue
            kind, content = msg.get("msg_type"), msg.get("content", {})
            if kind == "stream":
                size += len(content.get("text", ""))
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "error" and not outcome.error:
                outcome.error = f"{content.get('ename', '')}: {content.get('evalue', '')}"[:500]
                if outcome.status == "ok":
                    outcome.status = "error"
                if content.get("ename") == "MemoryError":
                    outcome.status = "memory"
            elif kind == "display_data" and silent:
                outcome.displays.append(content.get("data", {}))
            elif kind == "status" and content.get("execution_state") == "idle":
                outcome.cut = size > self.limits.output_kb * 1024
                return outcome

    def kill(self) -> None:
        self.dead = True
        try:
            self.manager.kill_kernel()
        except Exception:
            pass

    def close(self) -> None:
        try:
            self.client.stop_channels()
        finally:
            stop_kernel(self.manager)


# ---------------------------------------------------------------- judging


def request_values(kernel: Kernel, names: list[str],
                   code_for=answers.request_code) -> dict[str, dict]:
    """The encoded values of `names` in the kernel, or Refused / {} when the kernel is gone."""
    if not names:
        return {}
    nonce = secrets.token_hex(16)  # made now, after every student cell before it has run
    outcome = kernel.run(code_for(names, nonce), silent=True,
                         timeout=min(REQUEST_SECONDS, kernel.limits.cell_timeout))
    replies = [d.get(answers.MIME) for d in outcome.displays if answers.MIME in d]
    if outcome.status not in ("ok", "error") or len(replies) != 1:
        raise answers.Refused("the kernel did not hand over the values "
                              f"({outcome.status}{': ' + outcome.error if outcome.error else ''})")
    return answers.parse_reply(replies[0], nonce, names)


def answer_source(name: str, sources: list[str]) -> str | None:
    """The last of `sources` whose code assigns `name` (hidden_data._assigned_names: by what the
    code does, never by its text). Only for a part that comes without its answer cells (a
    job made before submissions.make_job recorded them)."""
    for source in reversed(sources):
        if name in hidden_data._assigned_names(source):
            return source
    return None


def holds_on_hidden_data(check_id: str, key: dict, kernel: Kernel, part: dict,
                         sources: list[str] = ()) -> str | None:
    """None when the student's answer gives the solution's answer on hidden test data too
    (the same test as the self-check's, hidden_data.hidden_data_failure), or the check has no
    hidden test; else the check's failing message.

    The cells run again are the answer cells of this check, by the notebook's structure: the
    student's cells in the instructor's answer cells and the cells they added since the
    previous check, in order (submissions.make_job records them in the part). A rerun that gives no
    value fails the check: a cell raised on the test data, no cell assigned the answer's name,
    the reply was refused, forged or late. Only a check with no hidden test keeps its first
    verdict."""
    rerun = key.get("facts", {}).get("rerun")
    if not rerun:
        return None
    name = rerun["name"]
    if "answer_sources" in part:
        cells = list(part["answer_sources"])
    else:
        found = answer_source(name, list(sources))
        cells = [found] if found is not None else []
    if not cells:
        return hidden_data.hidden_data_failure(check_id, key, None,
                                               "is not there (no answer cell ran)")
    # The earlier answers this one reads are computed again from the student's own cells.
    earlier = [found for found in (answer_source(derived, [s for s in sources if s not in cells])
                                   for derived in rerun.get("derived", [])) if found]
    try:
        encoded = request_values(kernel, [name], lambda names, nonce: answers.rerun_request_code(
            [*earlier, *cells], names[0], rerun["tables"], nonce, rerun.get("rows"),
            rerun.get("setup", [])))
    except answers.Refused as refused:
        return hidden_data.hidden_data_failure(check_id, key, None,
                                               f"gave no value the grader could read ({refused})")
    entry = encoded[name]
    if "error" in entry:
        return hidden_data.hidden_data_failure(check_id, key, None, entry["error"])
    with budget.judging_budget():
        try:
            value = answers.decode(entry["ok"])
        except budget.TooLarge as problem:
            return budget.too_large_message(check_id, f"on hidden test data: {problem}")
        except Exception as problem:  # Refused, or whatever a crafted structure provokes
            return hidden_data.hidden_data_failure(check_id, key, None,
                                                   f"gave a value the grader could not read "
                                                   f"({str(problem)[:120]})")
        return hidden_data.hidden_data_failure(check_id, key, value, None)


def judge_part(part: dict, kernel: Kernel, grader_names: dict, keys: dict,
               sources: list[str] = ()) -> dict:
    """{passed, message, ...} for one check call: values from the kernel, judged here. The
    values are rebuilt, the instructor's expression evaluated and the result judged within
    one budget of size and time (budget.judging_budget): past it, the check fails with
    budget.TOO_LARGE in its message, and the next check is judged as usual."""
    check_id = part["check_id"]
    key = keys.get(check_id)
    if key is None:
        return {"passed": False, "message": f"❌ {check_id}: there is no answer key"}
    try:
        encoded = request_values(kernel, part["names"])
    except answers.Refused as refused:
        message = (budget.too_large_message(check_id, refused)
                   if isinstance(refused, budget.TooLarge)
                   else f"❌ {check_id}: not graded: {refused}")
        return {"passed": False, "message": message, "refused": True}
    scope = dict(grader_names)
    with budget.judging_budget():
        for name, entry in encoded.items():
            if "error" in entry:
                # A name the cells never set: the line JupyterLab shows after a restart.
                missing = entry["error"] == f"NameError: name '{name}' is not defined"
                return {"passed": False, "missing": name,
                        "message": missing_name_line(check_id, name) if missing
                        else f"❌ {check_id}: not answered: {entry['error']}"}
            try:
                scope[name] = answers.decode(entry["ok"])
            except budget.TooLarge as problem:
                return {"passed": False, "refused": True, "too_large": True,
                        "message": budget.too_large_message(check_id, f"{name}: {problem}")}
            except Exception as problem:  # Refused, or whatever a crafted structure provokes
                return {"passed": False, "refused": True,
                        "message": f"❌ {check_id}: not graded: the value of {name} could "
                                   f"not be read ({problem})"}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = eval(part["expression"], scope)  # the instructor's expression
                budget.check_time()
                passed, message = judge(check_id, value, key)
        except budget.TooLarge as problem:
            return {"passed": False, "too_large": True,
                    "message": budget.too_large_message(check_id, problem)}
        except Exception as problem:
            return {"passed": False, "message": f"❌ {check_id}: not yet: the check could not "
                                                f"use your answer ({type(problem).__name__}: "
                                                f"{str(problem)[:200]})"}
    if passed is True:
        failure = holds_on_hidden_data(check_id, key, kernel, part, list(sources))
        if failure is not None:
            passed, message = False, failure
    return {"passed": passed is True, "message": message}


def grader_scope(imports: list[str]) -> dict:
    """The names the instructor's set-up code imports (functions a check expression may call),
    bound here in the grading process: a student cannot redefine them for the judging."""
    scope: dict = {}
    for statement in imports:
        try:
            exec(statement, scope)  # the instructor's own import lines
        except Exception:
            pass
    return scope


# ---------------------------------------------------------------- one job


def run_job(job: dict, pool: KernelPool, keys: dict, scope_cache: dict) -> dict:
    started = time.monotonic()
    # A student's own variant (grade.py --roster) comes with that variant's keys.
    keys = {**keys, **job.get("keys", {})}
    statuses = list(job["statuses"])
    cell_errors: dict[str, str] = {}
    parts: dict[str, dict] = {}
    stopped = None  # (cell id, why) once the kernel is gone
    imports_key = "\n".join(job["grader_imports"])
    if imports_key not in scope_cache:
        scope_cache[imports_key] = grader_scope(job["grader_imports"])
    scope = scope_cache[imports_key]
    kernel = None
    last_cell = "(before the first cell)"
    ran: list[str] = []  # the sources run so far, for the hidden-data rerun
    timings = {"kernel": 0.0, "cells": 0.0, "checks": 0.0, "close": 0.0}
    clock = time.monotonic()
    try:
        kernel = started_kernel(pool)
    except Exception as problem:
        statuses.append(f"the grader could not start a kernel ({type(problem).__name__})")
        stopped = ("", "no kernel")
    timings["kernel"] += time.monotonic() - clock
    try:
        for cell in job["cells"]:
            if stopped:
                break
            clock = time.monotonic()
            if cell["role"] == "check":
                kernel.start_notebook_clock()
                for part in cell["parts"]:
                    parts[part["check_id"]] = judge_part(part, kernel, scope, keys, ran)
                timings["checks"] += time.monotonic() - clock
                if kernel.dead:
                    # It ended after the last cell that ran (exit(), a thread, a signal):
                    # that cell is the one to name, not the check.
                    statuses.append(f"kernel died in cell {last_cell} (or just after it)")
                    stopped = (cell["id"], "died")
                continue
            last_cell = cell["id"]
            ran.append(cell["source"])
            opening = cell["role"] == "setup" and not kernel.clock_started
            if opening:
                kernel.notebook_deadline = float("inf")
            else:
                kernel.start_notebook_clock()
            # The opening cells share one allowance; a student's cell has the cell limit.
            outcome = kernel.run(cell["source"], timeout=max(
                kernel.opening_deadline - time.monotonic(), 0.1) if opening else None)
            timings["cells"] += time.monotonic() - clock
            if outcome.error and cell["role"] != "setup":
                cell_errors[cell["id"]] = outcome.error
            if outcome.cut:
                statuses.append(f"output cut in cell {cell['id']} (too long)")
            if outcome.status == "time":
                statuses.append(f"time limit hit in cell {cell['id']}"
                                + (" (the kernel did not stop and was ended)"
                                   if kernel.dead else ""))
            elif outcome.status == "notebook-time":
                statuses.append(f"time limit for the whole notebook "
                                f"({pool.limits.notebook_timeout:g} s) hit in cell {cell['id']}")
                kernel.kill()
            elif outcome.status == "memory":
                statuses.append(f"memory limit hit in cell {cell['id']} (its processes, "
                                "memory files, /tmp and shared memory together)")
            elif outcome.status == "died":
                statuses.append(f"kernel died in cell {cell['id']}")
            if kernel.dead:
                stopped = (cell["id"], outcome.status)
    finally:
        clock = time.monotonic()
        if kernel is not None:
            pool.retire(kernel)
        timings["close"] += time.monotonic() - clock
    checks = {}
    for check_id, info in job["checks"].items():
        got = {part_id: parts.get(part_id) for part_id in info["parts"]}
        awarded = sum(points for part_id, points in info["parts"].items()
                      if got[part_id] and got[part_id]["passed"])
        checks[check_id] = {
            "points": info["points"], "awarded": awarded,
            "passed": awarded == info["points"],
            "ran": all(g is not None for g in got.values()),
            "shown": "\n".join(g["message"] for g in got.values() if g),
            "parts": {part_id: {"points": points, "passed": bool(got[part_id]
                                                                   and got[part_id]["passed"])}
                      for part_id, points in info["parts"].items()} if len(info["parts"]) > 1
            else {},
            "your_errors": [f"{cell_id}: {error}" for cell_id, error in cell_errors.items()
                            if cell_id in info.get("answer_cells", [])][:3],
        }
    return {
        "student": job["student"], "notebook": job["notebook"],
        "submission_sha256": job["submission_sha256"], "statuses": statuses,
        "checks": checks, "free_text": job["free_text"], "cell_errors": cell_errors,
        "seconds": round(time.monotonic() - started, 2), "variant": job.get("variant", 0),
        # Where the time went (benchmarks/bench_grading.py prints the sums): waiting for the
        # kernel, running cells, judging checks (value requests and hidden-data reruns).
        "timings": {phase: round(seconds, 3) for phase, seconds in timings.items()},
    }


# ---------------------------------------------------------------- the worker process


def bring_loopback_up() -> None:
    """In a fresh network namespace `lo` is down; kernels talk to us over 127.0.0.1."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as handle:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(handle, 0x8913, request))[1]
        fcntl.ioctl(handle, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--worker-index", type=int, default=0)
    parser.add_argument("--cell-timeout", type=float, default=60)
    parser.add_argument("--notebook-timeout", type=float, default=600)
    parser.add_argument("--memory-mb", type=int, default=2000)
    parser.add_argument("--output-kb", type=int, default=256)
    parser.add_argument("--sandbox", action="store_true")
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--uid-base", type=int, default=None)
    parser.add_argument("--no-prestart", action="store_true")
    parser.add_argument("--no-preload", action="store_true")
    parser.add_argument("--ahead", type=int, default=1, help="kernels started ahead of need")
    parser.add_argument("--expected", type=int, default=10**9,
                        help="notebooks this worker will probably run (no kernel beyond)")
    args = parser.parse_args(argv)
    if args.sandbox:
        bring_loopback_up()
    from balkan_course.grading.keys import load_keys

    keys = load_keys()
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb, args.output_kb)
    pool = KernelPool(args.work_dir, limits, args.sandbox, args.hide, args.uid_base,
                      args.worker_index, prestart=not args.no_prestart,
                      preload=not args.no_preload, ahead=args.ahead, expected=args.expected)
    scope_cache: dict = {}
    try:
        for line in sys.stdin:
            job_path = Path(line.strip())
            if not line.strip():
                continue
            job = json.loads(job_path.read_text(encoding="utf-8"))
            result = run_job(job, pool, keys, scope_cache)
            write_json_atomically(result_path(args.results, job["student"], job["notebook"]),
                                  result)
            print(f"done {job_path.name}", flush=True)
    finally:
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
