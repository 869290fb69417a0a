"""The pytest plugin the grader loads (`-p balkan_course.grading.plugin`) next to nbval.

It changes three things in nbval's run, all outside the student's kernel:
- kernels: nbval's RunningKernel is replaced by GradingKernel, taken from a KernelPool that
  starts the next kernel (with the course's imports done) while the current notebook runs, so
  kernel start and imports are hidden; each kernel runs behind grading_kernel's limits, a dead
  kernel is noticed within a second, and a cell's output is cut beyond a size limit;
- results: each cell's outcome is recorded by its cell id, and when a notebook's last cell is
  done its result (points per check, statuses, the check lines the student saw) is written to
  disk at once, so an interrupted batch keeps every finished grade;
- nothing else: whether a check passes is nbval's comparison of the check cell's output with
  the instructor's stored output (the receipt), done here in the pytest process.
"""

from __future__ import annotations

import sys

# Before nbval imports nbformat: see grading_kernel (saves ~1 s per pytest process).
sys.modules.setdefault("rfc3987_syntax", None)

import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from queue import Empty  # noqa: E402

import pytest  # noqa: E402

GRADING_META = "balkan_course_grading"
POLL_SECONDS = 0.5
CUT_NOTE = "\n[... output cut by the grader: more than {kb} KB in this cell ...]\n"


def pytest_addoption(parser):
    group = parser.getgroup("balkan-grading", "Grading submissions (balkan_course.grading)")
    group.addoption("--grading-results", default=None,
                    help="folder for one result file per graded notebook")
    group.addoption("--grading-work-dir", default=None,
                    help="the grader's temporary folder (kernels start there)")
    group.addoption("--grading-memory-mb", type=int, default=2000)
    group.addoption("--grading-output-kb", type=int, default=256)
    group.addoption("--grading-no-prestart", action="store_true",
                    help="start each kernel only when its notebook starts")
    group.addoption("--grading-uid-base", type=int, default=None,
                    help="(root only) run each kernel as its own numeric user from this base")


def _is_xdist_controller(config) -> bool:
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", 0))


def pytest_configure(config):
    results = config.getoption("grading_results")
    if not results or _is_xdist_controller(config):
        return
    import nbval.plugin

    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    pool = KernelPool(
        memory_mb=config.getoption("grading_memory_mb"),
        prestart=not config.getoption("grading_no_prestart"),
        uid_base=config.getoption("grading_uid_base"),
        worker_index=int(worker.lstrip("gw") or 0),
        work_dir=Path(config.getoption("grading_work_dir") or Path(results).parent),
    )
    GradingKernel.pool = pool
    GradingKernel.output_limit = config.getoption("grading_output_kb") * 1024
    nbval.plugin.RunningKernel = GradingKernel
    config.pluginmanager.register(ResultRecorder(Path(results), pool), "balkan-grading-recorder")


# ---------------------------------------------------------------- kernels


# Only these reach a student's kernel: the grader's own environment may hold secrets.
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "PYTHONPATH",
                  "JUPYTER_RUNTIME_DIR", "BALKAN_COURSE_KEYS_DIR", "HOME")


def kernel_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}


class KernelPool:
    """Starts grading kernels, one ahead of need when prestart is on."""

    def __init__(self, memory_mb: int, prestart: bool, uid_base: int | None, worker_index: int,
                 work_dir: Path):
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        self.prestart = prestart
        self.uid_base = uid_base
        self.work_dir = work_dir
        self.counter = itertools.count(worker_index * 10_000)
        self.memory_mb = memory_mb
        spec_class, pool = KernelSpec, self

        class SpecManager(KernelSpecManager):
            def get_kernel_spec(self, kernel_name):
                return spec_class(argv=pool.argv(kernel_name), language="python",
                                  display_name="grading", env={})

        self.spec_manager = SpecManager()
        self.waiting = self._spawn() if prestart else None

    def argv(self, kernel_name: str) -> list[str]:
        argv = [sys.executable, "-m", "balkan_course.grading.kernel", "-f", "{connection_file}",
                "--memory-mb", str(self.memory_mb)]
        if self.prestart:
            argv += ["--preload", "--chart-bundle-cache",
                     str(self.work_dir / "chart-widget-bundle.js")]
        if kernel_name.startswith("uid-"):
            uid = int(kernel_name[4:])
            argv += ["--uid", str(uid), "--home", str(self.work_dir / "homes" / str(uid))]
        return argv

    def _spawn(self):
        from jupyter_client.manager import KernelManager

        uid = None
        name = "grading"
        if self.uid_base is not None:
            uid = self.uid_base + next(self.counter)
            name = f"uid-{uid}"
        manager = KernelManager(kernel_name=name, kernel_spec_manager=self.spec_manager)
        manager.start_kernel(stderr=open(os.devnull, "w"), cwd=str(self.work_dir),  # noqa: SIM115
                             env=kernel_environment())
        manager.grading_uid = uid
        return manager

    def take(self, more_to_come: bool = True):
        """A started kernel manager (the waiting one, if any); start the next one if needed."""
        manager = self.waiting or self._spawn()
        self.waiting = self._spawn() if self.prestart and more_to_come else None
        return manager

    def close(self):
        if self.waiting is not None:
            self.waiting.shutdown_kernel(now=True)
            self.waiting = None


def _import_running_kernel():
    from nbval.kernel import RunningKernel

    return RunningKernel


class GradingKernel(_import_running_kernel()):
    """nbval's kernel wrapper, with a pooled kernel, death detection and an output limit."""

    pool: KernelPool = None
    output_limit = 256 * 1024

    def __init__(self, kernel_name, cwd=None, startup_timeout=60):
        self.died = False
        self.cut = False
        self._sent: dict[str, int] = defaultdict(int)
        self.km = self.pool.take(self.more_to_come())
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=startup_timeout)
        self._ensure_iopub_up()
        if cwd:
            if self.km.grading_uid is not None:
                os.chown(cwd, self.km.grading_uid, self.km.grading_uid)
            self._run_silently(f"import os as _o; _o.chdir({cwd!r}); del _o")

    current_item = None  # set by ResultRecorder before each test

    @classmethod
    def more_to_come(cls) -> bool:
        """Will this process run another notebook after the current one? (True if unsure.)"""
        item = cls.current_item
        if item is None:
            return True
        session = item.session
        interactor = next((p for p in session.config.pluginmanager.get_plugins()
                           if type(p).__name__ == "WorkerInteractor"), None)
        if interactor is None:  # no xdist: every item is known
            return any(other.parent is not item.parent
                       for other in session.items[session.items.index(item):])
        # xdist: look at this worker's queue; until "shutdown" arrives, more may come.
        queued = list(getattr(interactor.torun, "_items", []))
        indices = [i for i in queued if isinstance(i, int)]
        if any(session.items[i].parent is not item.parent for i in indices):
            return True
        return len(indices) == len(queued)

    def _run_silently(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        self.await_reply(msg_id, timeout=30)
        self.await_idle(msg_id, timeout=30)

    def get_message(self, stream, timeout=None):
        """Like nbval's, but gives up at once when the kernel has died, and cuts big outputs."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.died:
                raise Empty
            left = POLL_SECONDS if deadline is None else min(POLL_SECONDS,
                                                             deadline - time.monotonic())
            try:
                msg = super().get_message(stream, timeout=max(left, 0.001))
                break
            except Empty:
                if hasattr(self, "km") and not self.km.is_alive():
                    self.died = True
                if deadline is not None and time.monotonic() >= deadline:
                    raise
        if stream == "iopub":
            self._limit_output(msg)
        return msg

    def _limit_output(self, msg) -> None:
        kind, content = msg["msg_type"], msg["content"]
        parent = msg["parent_header"].get("msg_id", "")
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result", "error"):
            size = len(json.dumps(content.get("data", content.get("traceback", ""))))
        else:
            return
        already = self._sent[parent]
        self._sent[parent] += size
        if already + size <= self.output_limit:
            return
        self.cut = True
        note = CUT_NOTE.format(kb=self.output_limit // 1024) if already <= self.output_limit else ""
        if kind == "stream":
            content["text"] = content["text"][: max(self.output_limit - already, 0)] + note
        elif kind == "error":
            content["traceback"] = [note]
        else:
            content["data"] = {"text/plain": note}

    def stop(self):
        if hasattr(self, "km"):
            super().stop()


# ---------------------------------------------------------------- results


def _output_text(outputs) -> str:
    parts = []
    for output in outputs or []:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}\n")
        elif "data" in output:
            parts.append(str(output["data"].get("text/plain", "")) + "\n")
    return "".join(parts)[:4000]


class ResultRecorder:
    """Collects each cell's outcome by cell id and writes a notebook's result when it ends."""

    def __init__(self, results_dir: Path, pool: KernelPool):
        self.results_dir = results_dir
        self.pool = pool
        self.cells: dict[str, dict] = defaultdict(dict)
        self.started: dict[str, float] = {}
        self.dead: set[str] = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        GradingKernel.current_item = item
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if not hasattr(item, "cell") or not hasattr(item.parent, "nb"):
            return
        notebook = str(item.parent.path)
        self.started.setdefault(notebook, time.monotonic())
        if report.when == "setup" and report.outcome == "passed":
            return
        if report.when == "teardown" and report.outcome == "passed":
            return
        kernel = item.parent.kernel
        record = self.cells[notebook].setdefault(item.cell.get("id", item.name), {})
        message = str(report.longreprtext or "")[:2000]
        died_now = bool(kernel is not None and kernel.died and notebook not in self.dead)
        if died_now:
            self.dead.add(notebook)
        outputs = getattr(item, "test_outputs", None) or []
        errors = [o.get("ename") for o in outputs if o.get("output_type") == "error"]
        record.update({
            "outcome": report.outcome,
            "xfail": hasattr(report, "wasxfail"),
            "message": message,
            "output": _output_text(outputs),
            "error": errors[0] if errors else None,
            "timed_out": "Timeout of" in message,
            "kernel_died": died_now or record.get("kernel_died", False),
            "cut": bool(kernel is not None and kernel.cut),
        })
        if kernel is not None:
            kernel.cut = False

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        yield
        if not hasattr(item, "cell") or not hasattr(item.parent, "nb"):
            return
        if nextitem is None or nextitem.parent is not item.parent:
            self.write_result(item.parent)

    def pytest_sessionfinish(self, session):
        self.pool.close()

    def write_result(self, notebook_file) -> None:
        meta = notebook_file.nb.metadata.get(GRADING_META)
        if not meta:
            return
        cells = self.cells.pop(str(notebook_file.path), {})
        statuses = list(meta.get("statuses", []))
        dead = False
        if any("Kernel died before replying" in r.get("message", "") for r in cells.values()):
            statuses.append("the grader could not start a kernel (see pytest.log)")
        for cell_id, record in cells.items():
            if record.get("kernel_died") and not dead:
                statuses.append(f"kernel died in cell {cell_id}")
                dead = True
            elif record.get("timed_out") and not dead:
                statuses.append(f"time limit hit in cell {cell_id}")
            if record.get("error") == "MemoryError":
                statuses.append(f"memory limit hit in cell {cell_id}")
            if record.get("cut"):
                statuses.append(f"output cut in cell {cell_id} (too long)")
        checks = {}
        for check_id, info in meta["checks"].items():
            record = cells.get(info["cell_id"], {})
            passed = record.get("outcome") == "passed"
            checks[check_id] = {
                "points": info["points"],
                "awarded": info["points"] if passed else 0,
                "passed": passed,
                "shown": record.get("output", "").strip(),
                "ran": bool(record),
            }
        result = {
            "student": meta["student"],
            "notebook": meta["notebook"],
            "submission_sha256": meta["submission_sha256"],
            "statuses": statuses,
            "checks": checks,
            "free_text": meta.get("free_text", {}),
            "seconds": round(time.monotonic() - self.started.get(str(notebook_file.path),
                                                                 time.monotonic()), 2),
        }
        write_json_atomically(result_path(self.results_dir, meta["student"], meta["notebook"]),
                              result)


def result_path(results_dir: Path, student: str, notebook: str) -> Path:
    return results_dir / student / f"{notebook}.json"


def write_json_atomically(path: Path, data: dict) -> None:
    """Write then rename, so a crash never leaves half a result behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
